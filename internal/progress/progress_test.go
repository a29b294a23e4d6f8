package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/iostreams"
)

func noEnv(string) string { return "" }

func run(bar *Bar, n int) {
	for range n {
		bar.Add(1)
	}
	bar.Finish()
	bar.Finish()
}

// Piped or redirected stderr: not a byte, whatever the bar is asked to do.
func TestNothingWhenStderrIsNotATerminal(t *testing.T) {
	getenv, showAfter = noEnv, 0
	t.Cleanup(func() { getenv, showAfter = noEnv, 300*time.Millisecond })
	ios, _, out, errOut := iostreams.Test()
	ios.SetTTY(true, true, false)
	run(New(ios, 1000, "Exporting"), 1000)
	run(New(ios, 0, "Exporting"), 1000)
	r := NewReader(strings.NewReader(strings.Repeat("x", 100000)))
	r.Attach(NewBytes(ios, 100000, "Importing"))
	var sink bytes.Buffer
	if _, err := sink.ReadFrom(r); err != nil || sink.Len() != 100000 {
		t.Fatalf("read %d bytes, %v", sink.Len(), err)
	}
	if out.Len() != 0 || errOut.Len() != 0 {
		t.Fatalf("wrote stdout %q, stderr %q; want nothing", out, errOut)
	}
}

// In CI, even on a terminal: nothing.
func TestNothingInCI(t *testing.T) {
	getenv, showAfter = func(k string) string {
		if k == "CI" {
			return "true"
		}
		return ""
	}, 0
	t.Cleanup(func() { getenv, showAfter = noEnv, 300*time.Millisecond })
	ios, _, _, errOut := iostreams.Test()
	ios.SetTTY(false, false, true)
	run(New(ios, 10, "Exporting"), 10)
	if errOut.Len() != 0 {
		t.Fatalf("wrote %q in CI", errOut)
	}
}

// On a terminal the bar is drawn on stderr, and Finish erases it: the line ends blank
// (a carriage return, spaces, a carriage return), ready for the summary.
func TestBarOnATerminalIsErasedByFinish(t *testing.T) {
	getenv, showAfter = noEnv, 0
	t.Cleanup(func() { getenv, showAfter = noEnv, 300*time.Millisecond })
	ios, _, out, errOut := iostreams.Test()
	ios.SetTTY(false, false, true)
	bar := New(ios, 10, "Exporting")
	for range 10 {
		bar.Add(1)
	}
	drawn := errOut.String()
	if !strings.Contains(drawn, "Exporting") || !strings.Contains(drawn, "/10") || strings.Contains(drawn, "100%") {
		t.Fatalf("bar before Finish: %q; want the description and a count, short of 100%%", drawn)
	}
	bar.Finish()
	s := errOut.String()
	last := s[strings.LastIndex(strings.TrimSuffix(s, "\r"), "\r"):]
	if strings.TrimSpace(last) != "" || !strings.HasSuffix(s, "\r") {
		t.Fatalf("after Finish the line still shows %q", last)
	}
	if out.Len() != 0 {
		t.Fatalf("wrote %q to stdout", out)
	}
}

// A nil Bar (progress disabled) is safe to use.
func TestNilBar(t *testing.T) {
	var b *Bar
	b.Add(3)
	b.Finish()
	NewReader(strings.NewReader("x")).Attach(nil)
}
