package postgres

import (
	"context"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/conformance"
)

// A server's cached search never hides a change another server committed.
func TestSearchCacheAcrossServers(t *testing.T) {
	ctx := context.Background()
	a := openTest(t, nil)
	b, err := Open(ctx, a.dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	owner := domain.Owner("alice@contoso.com")
	names := func(db *DB) []string {
		t.Helper()
		got, err := db.As(owner).SearchCustomers(ctx, "con", 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range got {
			n := c.CompanyName
			if c.Flagged {
				n += " (flagged)"
			}
			out = append(out, n)
		}
		return out
	}
	check := func(step string, want ...string) {
		t.Helper()
		for i := range 2 { // the second time from the cache
			if got := names(a); len(got) != len(want) || (len(want) > 0 && got[0] != want[0]) || len(got) > 1 && got[len(got)-1] != want[len(want)-1] {
				t.Fatalf("%s (search %d): %q, want %q", step, i+1, got, want)
			}
		}
	}
	if _, err := b.As(owner).AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.example"}, ""); err != nil {
		t.Fatal(err)
	}
	check("added elsewhere", "Contoso")
	if _, err := b.As(owner).FlagCustomer(ctx, "contoso.example"); err != nil {
		t.Fatal(err)
	}
	check("flagged elsewhere", "Contoso (flagged)")
	if _, err := b.As(owner).ImportCustomers(ctx, conformance.RowsOf([]domain.Customer{{CompanyName: "Conway Labs", Domain: "conway.example"}}), workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	check("imported elsewhere", "Contoso (flagged)", "Conway Labs")
}
