package audit

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/output"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"30m":                       now.Add(-30 * time.Minute),
		"24h":                       now.Add(-24 * time.Hour),
		" 7d ":                      now.Add(-7 * 24 * time.Hour),
		"2w":                        now.Add(-14 * 24 * time.Hour),
		"0d":                        now,
		"2026-11-01":                time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		"2026-11-01T09:00:00Z":      time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),
		"2026-11-01T11:00:00+02:00": time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),
	} {
		got, err := ParseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "yesterday", "-3d", "+3d", "3", "3s", "1.5h", "3 d", "1d12h", "2026-13-01", "2026-11-01 09:00", "99999999d"} {
		_, err := ParseSince(in, now)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("ParseSince(%q) = %v, want a usage error", in, err)
		}
	}
}

func TestParseEntity(t *testing.T) {
	for in, want := range map[string][2]string{
		"customer":  {"customer", ""},
		" Deal ":    {"deal", ""},
		"customers": {"customers", ""},
		"customer:{3F2504E0-4F89-41D3-9A0C-0305E82C3301}": {"customer", "3f2504e0-4f89-41d3-9a0c-0305e82c3301"},
		"customer:Contoso.com":                            {"customer", "contoso.com"},
		"deal:7-0107F3RDAQ":                               {"deal", "7-0107F3RDAQ"},
		"user:Sue@Fabrikam.com":                           {"user", "sue@fabrikam.com"},
		"reseller:Info@Litware.example":                   {"reseller", "info@litware.example"},
		"reseller: 5123456":                               {"reseller", "5123456"},
		"request:616 122 292 874 576":                     {"request", "616122292874576"},
		"subscription:a:b":                                {"subscription", "a:b"},
	} {
		kind, id, err := parseEntity(in)
		if err != nil || kind != want[0] || id != want[1] {
			t.Errorf("parseEntity(%q) = %q, %q, %v; want %q, %q", in, kind, id, err, want[0], want[1])
		}
	}
	for _, in := range []string{"", ":x", "customr", "tokens", "deal:", "customers:x", "deals:1"} {
		_, _, err := parseEntity(in)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("parseEntity(%q) = %v, want a usage error", in, err)
		}
	}
}

func TestListFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := cmdutil.New(ios)
	var got *ListOptions
	cmd := NewCmdList(f, func(o *ListOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--since", "7d", "--user", "sue@fabrikam.com", "--entity", "deal:D-1", "--limit", "5", "--format", "json", "--fields", "action,after"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Since != "7d" || got.User != "sue@fabrikam.com" || got.Entity != "deal:D-1" || got.Limit != 5 ||
		got.Output.Format != output.JSON || strings.Join(got.Output.Fields, ",") != "action,after" {
		t.Fatalf("%+v", got)
	}
}
