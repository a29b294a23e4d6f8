//go:build !windows

package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/synth"
)

// TestPtyListDefaultView checks the default view of `customers list` on a terminal: all
// customers below 100, the flagged ones from 100 on, saying so. Piped, the default is all
// whatever the count (list_default_view.txtar).
func TestPtyListDefaultView(t *testing.T) {
	p := buildPcctl(t)
	csvPath := filepath.Join(t.TempDir(), "customers.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteCustomersCSV(f, 7, 100, synth.DialectPcctl); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p.mustRun(t, "customers", "import", csvPath)
	if got := strings.Count(p.mustRun(t, "customers", "list", "--fields", "id"), "\n"); got != 100 {
		t.Fatalf("piped, customers list printed %d customers, want all 100", got)
	}

	term := startOnPty(t, p.bin, p.env, "customers", "list")
	if code := term.wait(t); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, term.text())
	}
	const notice = "Showing your flagged customers: with 100 customers (100 or more) that is the default view."
	checkFits(t, term.text()) // the notice breaks between words on the terminal
	flat := strings.Join(strings.Fields(term.text()), " ")
	if !strings.Contains(flat, notice) || !strings.Contains(flat, "No flagged customers.") {
		t.Errorf("on a terminal, customers list showed:\n%s\nwant the flagged view (none) and the notice %q", term.text(), notice)
	}
}

// TestPtyDealCreateCoSell checks that `deal create --invite-microsoft` asks, on a
// terminal, for the customer contact and consent it lacks, as its --help says (without a
// terminal it names the missing flags, exit 2: deal.txtar).
func TestPtyDealCreateCoSell(t *testing.T) {
	p := buildPcctl(t)
	p.mustRun(t, "customers", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com", "--country", "GB")
	term := startOnPtyScript(t, p.bin, p.env, []string{"Customer contact's name:", "Customer contact's email:",
		"Customer contact's phone:", "Does the customer consent"},
		"deal", "create", "--name", "Fleet", "--customer", "contoso.onmicrosoft.com", "--value", "10", "--currency", "USD",
		"--solution", "a", "--invite-microsoft")
	term.answer(t, "Sue Smith")
	term.answer(t, "sue@contoso.com")
	term.answer(t, "+44 20 7946 0000")
	term.answer(t, "y")
	if code := term.wait(t); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, term.text())
	}
	const want = `{"name":"Fleet","type":"co-sell"}` + "\n"
	if got := p.mustRun(t, "deal", "list", "--format", "ndjson", "--fields", "name,type"); got != want {
		t.Errorf("deal list printed %q, want %q\nthe terminal showed:\n%s", got, want, term.text())
	}
}
