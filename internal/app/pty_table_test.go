//go:build !windows

package app_test

import (
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

// TestPtyNarrowTable: `customers list` on an 80-column terminal fits in 80 columns, as gh's
// tables do: the columns of least use are left out (the tenant ID first), the domain is
// whole; --wide shows every column in full, and so does a wider terminal (COLUMNS).
func TestPtyNarrowTable(t *testing.T) {
	p := buildPcctl(t)
	p.mustRun(t, "customers", "add", "--name", "Allgemeine Beratung GmbH & Co. KG", "--domain", "anderssonredovisning.onmicrosoft.com", "--country", "DE")
	p.mustRun(t, "customers", "add", "--name", "Contoso", "--domain", "contoso.com", "--country", "US")
	id := strings.TrimSpace(p.mustRun(t, "customers", "show", "contoso.com", "--format", "json", "--jq", ".id"))
	id = strings.Trim(id, `"`)

	list := func(t *testing.T, env []string, args ...string) string {
		t.Helper()
		term := startOnPty(t, p.bin, env, append([]string{"customers", "list"}, args...)...)
		if code := term.wait(t); code != 0 {
			t.Fatalf("exit code %d\n%s", code, term.text())
		}
		return term.text()
	}
	t.Run("80 columns", func(t *testing.T) {
		text := list(t, p.env)
		for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			if w := runewidth.StringWidth(line); w > 80 {
				t.Errorf("a line is %d columns wide on an 80-column terminal: %q", w, line)
			}
		}
		if strings.Contains(text, id) || !strings.Contains(text, "anderssonredovisning.onmicrosoft.com") || !strings.Contains(text, "COUNTRY") {
			t.Errorf("want the ID left out, the domain whole, the country kept:\n%s", text)
		}
	})
	t.Run("wide", func(t *testing.T) {
		if text := list(t, p.env, "--wide"); !strings.Contains(text, id) || !strings.Contains(text, "Allgemeine Beratung GmbH & Co. KG") {
			t.Errorf("--wide left out the ID or cut a name:\n%s", text)
		}
	})
	t.Run("a wide terminal", func(t *testing.T) {
		if text := list(t, append(p.env, "COLUMNS=200")); !strings.Contains(text, id) || !strings.Contains(text, "FLAGGED") {
			t.Errorf("200 columns left out the ID or FLAGGED:\n%s", text)
		}
	})
}
