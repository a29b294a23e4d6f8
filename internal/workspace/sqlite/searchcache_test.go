package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/conformance"
)

// TestSearchCache: a server's workspace (read pool, search cache) answers searches as an
// ordinary one does, and never with a result a committed change made stale — whether the
// change was made through it, through another connection, or by another process.
func TestSearchCache(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	srv, err := Open(ctx, path, Options{ReadPool: true, SearchCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	other, err := Open(ctx, path, Options{}) // another process, as far as SQLite can tell
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	alice, bob := srv.As(domain.Owner("alice")), srv.As(domain.Owner("bob"))
	local := other.As(domain.Owner("alice"))

	for _, c := range []domain.Customer{
		{CompanyName: "Contoso", Domain: "contoso.example", Country: "FR"},
		{CompanyName: "Contoso Retail", Domain: "contoso-retail.example", Country: "FR"},
		{CompanyName: "Fabrikam", Domain: "fabrikam.example", Country: "DE"},
	} {
		if _, err := alice.AddCustomer(ctx, c, "x"); err != nil {
			t.Fatal(err)
		}
	}
	names := func(ws workspace.Workspace, term string) []string {
		t.Helper()
		got, err := ws.SearchCustomers(ctx, term, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range got {
			s := c.CompanyName
			if c.Flagged {
				s += " (flagged)"
			}
			if c.Pinned {
				s += " (pinned)"
			}
			out = append(out, s)
		}
		return out
	}
	check := func(step, term string, want ...string) {
		t.Helper()
		got := names(alice, term)
		if !slices.Equal(got, want) {
			t.Errorf("%s: search %q = %q, want %q", step, term, got, want)
		}
		if plain := names(local, term); !slices.Equal(plain, want) {
			t.Errorf("%s: without the cache, search %q = %q, want %q", step, term, plain, want)
		}
	}
	check("first", "con", "Contoso", "Contoso Retail")
	check("cached", "con", "Contoso", "Contoso Retail")

	// A flag and a pin through the server: the cached result, with alice's marks only.
	if _, err := alice.FlagCustomer(ctx, "contoso-retail.example"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := alice.PinCustomer(ctx, "contoso.example"); err != nil {
		t.Fatal(err)
	}
	check("flag and pin", "con", "Contoso (pinned)", "Contoso Retail (flagged)")
	if got := names(bob, "con"); !slices.Equal(got, []string{"Contoso", "Contoso Retail"}) {
		t.Errorf("bob sees alice's marks: %q", got)
	}

	// A customer added by another process: the next search sees it.
	if _, err := local.AddCustomer(ctx, domain.Customer{CompanyName: "Conway Labs", Domain: "conway.example", Country: "GB"}, "x"); err != nil {
		t.Fatal(err)
	}
	check("added elsewhere", "con", "Contoso (pinned)", "Contoso Retail (flagged)", "Conway Labs")

	// An import by another process, renaming a customer.
	rows := conformance.RowsOf([]domain.Customer{{CompanyName: "Fabrikam Connect", Domain: "fabrikam.example", Country: "DE"}})
	if _, err := local.ImportCustomers(ctx, rows, workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	check("renamed elsewhere", "con", "Contoso (pinned)", "Contoso Retail (flagged)", "Conway Labs", "Fabrikam Connect")
	check("other term", "fab", "Fabrikam Connect")
}
