//go:build !windows

package app_test

import (
	"strings"
	"testing"
)

// TestPtyEndRelationship drives the real confirmation prompt of `pcctl customers
// end-relationship` on a pseudo-terminal: the notice, then the question; answering no
// changes nothing, answering yes ends the relationship (the customer leaves the default view
// for the ended one). Blockers are named before anything is asked.
func TestPtyEndRelationship(t *testing.T) {
	p := buildPcctl(t)
	bin, env, mustRun := p.bin, p.env, p.mustRun
	mustRun(t, "customers", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com", "--country", "GB")
	sub := strings.TrimSpace(mustRun(t, "subscription", "add", "--customer", "contoso.onmicrosoft.com", "--offer", "Microsoft 365 E3",
		"--quantity", "5", "--format", "ndjson", "--fields", "id"))
	id := strings.TrimSuffix(strings.TrimPrefix(sub, `{"id":"`), `"}`)
	relationship := func(t *testing.T) string {
		t.Helper()
		return strings.TrimSpace(mustRun(t, "customers", "show", "contoso.onmicrosoft.com", "--format", "ndjson", "--fields", "relationship"))
	}

	t.Run("blocked before asking", func(t *testing.T) {
		term := startOnPty(t, bin, env, "customers", "end-relationship", "contoso.onmicrosoft.com")
		term.waitFor(t, "is active: suspend it first ('pcctl subscription suspend "+id+"')")
		if code := term.wait(t); code != 4 {
			t.Fatalf("exit code %d, want 4\n%s", code, term.text())
		}
		if strings.Contains(term.text(), "? End the relationship") {
			t.Errorf("asked for confirmation of a change that is refused:\n%s", term.text())
		}
	})
	mustRun(t, "subscription", "suspend", id)

	t.Run("answer no", func(t *testing.T) {
		term := startOnPty(t, bin, env, "customers", "end-relationship", "contoso.onmicrosoft.com")
		term.waitFor(t, "? End the relationship with Contoso Ltd? (y/N)")
		term.typeLine(t, "n")
		term.waitFor(t, "Nothing was changed.")
		if code := term.wait(t); code != 0 {
			t.Fatalf("exit code %d, want 0\n%s", code, term.text())
		}
		checkEndNotice(t, term.text())
		if got := relationship(t); got != `{"relationship":"reseller"}` {
			t.Errorf("after answering no, the relationship is %s", got)
		}
	})
	if t.Failed() {
		return
	}

	t.Run("answer yes", func(t *testing.T) {
		term := startOnPty(t, bin, env, "customers", "end-relationship", "contoso.onmicrosoft.com")
		term.waitFor(t, "? End the relationship with Contoso Ltd? (y/N)")
		term.typeLine(t, "y")
		term.waitFor(t, "Ended the relationship with Contoso Ltd (contoso.onmicrosoft.com)")
		if code := term.wait(t); code != 0 {
			t.Fatalf("exit code %d, want 0\n%s", code, term.text())
		}
		t.Logf("the terminal showed:\n%s", term.text())
		checkEndNotice(t, term.text())
		if got := relationship(t); got != `{"relationship":"none"}` {
			t.Errorf("after answering yes, the relationship is %s", got)
		}
		if got := mustRun(t, "customers", "list", "--view", "ended", "--format", "ndjson", "--fields", "domain"); got != `{"domain":"contoso.onmicrosoft.com"}`+"\n" {
			t.Errorf("customers list --view ended printed %q", got)
		}
	})
}

// checkEndNotice fails unless the notice was shown before the question.
func checkEndNotice(t *testing.T, text string) {
	t.Helper()
	checkFits(t, text)
	text = strings.Join(strings.Fields(text), " ")
	notice := strings.Index(text, "delegated admin access to its tenant ends with the relationship")
	good := strings.Index(text, "made in good faith")
	question := strings.Index(text, "? End the relationship with Contoso Ltd?")
	if notice < 0 || good < 0 || question < good {
		t.Errorf("the notice was not shown before the question:\n%s", text)
	}
}
