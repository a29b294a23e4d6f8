package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/synth"
)

func runSynth(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args   []string
		header string
		rows   int
	}{
		{[]string{"customers", "-n", "5"}, "id,companyName,", 5},
		{[]string{"psc-deals", "-n", "7", "-customers", "500", "-customer-seed", "4", "-dialect", "excel-de", "-prospects", "200", "-duplicates", "100"}, "Opportunity ID;Deal Name;", 7},
		{[]string{"psc-users", "-n", "9", "-partner-domain", "contoso-partner.fr"}, "Email,Name,Role", 9},
	} {
		out := filepath.Join(dir, c.args[0]+".csv")
		code, stdout, stderr := runSynth(append(c.args, "-o", out)...)
		if code != 0 || stdout != "" || stderr != "" {
			t.Fatalf("%q: exit %d, stdout %q, stderr %q", c.args, code, stdout, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		// The same flags write the same bytes, to stdout without -o.
		if _, stdout, _ := runSynth(c.args...); stdout != string(b) {
			t.Errorf("%q: -o and stdout differ", c.args)
		}
		if !strings.HasPrefix(string(b), c.header) {
			t.Errorf("%q: begins with %.40q", c.args, b)
		}
		if c.args[0] == "psc-users" {
			if got := strings.Count(string(b), "\n"); got != c.rows+1 {
				t.Errorf("%q: %d lines, want %d", c.args, got, c.rows+1)
			}
			if !strings.Contains(string(b), "@contoso-partner.fr,") {
				t.Errorf("%q: no address at the partner domain", c.args)
			}
		}
		if c.args[0] == "psc-deals" {
			var want bytes.Buffer
			err := synth.WritePSCDeals(&want, synth.PSCOptions{
				Seed: 1, N: 7, Customers: 500, CustomerSeed: 4, Dialect: synth.PSCExcelDE,
				ProspectPerMille: 200, DuplicatePerMille: 100,
			})
			if err != nil || !bytes.Equal(b, want.Bytes()) {
				t.Errorf("%q: not what WritePSCDeals writes (%v)", c.args, err)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("%d files in the output folder, want 3 (temporary files left?)", len(entries))
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"nope"},
		{"customers", "-n", "-1"},
		{"customers", "-dialect", "psc"},
		{"psc-deals", "-n", "-1"},
		{"psc-deals", "-customers", "-5"},
		{"psc-deals", "-dialect", "excel"},
		{"psc-deals", "-prospects", "1001"},
		{"psc-deals", "-duplicates", "-1"},
		{"psc-deals", "extra"},
		{"psc-users", "-n", "-1"},
		{"psc-users", "-customers", "5"},
	} {
		if code, stdout, stderr := runSynth(args...); code != 2 || stdout != "" || !strings.Contains(stderr, "Usage:") {
			t.Errorf("%q: exit %d, stdout %q, stderr %.60q; want 2 and the usage", args, code, stdout, stderr)
		}
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"psc-deals", "-h"}, {"psc-users", "--help"}} {
		if code, stdout, _ := runSynth(args...); code != 0 || !strings.Contains(stdout, "psc-deals [-seed N]") {
			t.Errorf("%q: exit %d, want 0 and the usage on stdout", args, code)
		}
	}
	// Errors of the generator exit with 1 and leave no file.
	dir := t.TempDir()
	out := filepath.Join(dir, "psc.csv")
	if code, _, stderr := runSynth("psc-deals", "-customers", "0", "-o", out); code != 1 || !strings.Contains(stderr, "customers") {
		t.Errorf("no customers: exit %d, stderr %q", code, stderr)
	}
	if code, _, _ := runSynth("psc-users", "-partner-domain", "not a domain", "-o", out); code != 1 {
		t.Errorf("invalid partner domain: exit %d, want 1", code)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d files left after failures", len(entries))
	}
}
