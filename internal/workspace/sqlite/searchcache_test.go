package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
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
		if _, err := alice.AddCustomer(ctx, c, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"); err != nil {
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
	if _, err := local.AddCustomer(ctx, domain.Customer{CompanyName: "Conway Labs", Domain: "conway.example", Country: "GB"}, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"); err != nil {
		t.Fatal(err)
	}
	check("added elsewhere", "con", "Contoso (pinned)", "Contoso Retail (flagged)", "Conway Labs")

	// An import by another process, renaming a customer.
	rows := workspace.CustomerRows(&sliceRows{rows: []workspace.CustomerRow{{Line: 2,
		Customer: domain.Customer{CompanyName: "Fabrikam Connect", Domain: "fabrikam.example", Country: "DE"}}}})
	if _, err := local.ImportCustomers(ctx, rows, workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	check("renamed elsewhere", "con", "Contoso (pinned)", "Contoso Retail (flagged)", "Conway Labs", "Fabrikam Connect")
	check("other term", "fab", "Fabrikam Connect")
}

// TestSearchCacheBytes (issue 14, item 5): the cache is bounded by bytes, not entries
// alone: results of long keys and many customers never make it hold more than
// maxSearchBytes.
func TestSearchCacheBytes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "ws.db"), Options{ReadPool: true, SearchCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := db.search
	_, v, _, err := c.get(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	res := make([]domain.Customer, 100)
	for i := range res {
		res[i] = domain.Customer{CompanyName: strings.Repeat("n", 1000), Domain: "d.example"}
	}
	for i := range 4000 {
		c.put(strings.Repeat("k", 4000)+strconv.Itoa(i), v, res)
		if c.bytes > maxSearchBytes {
			t.Fatalf("after %d searches the cache holds %d bytes, over %d", i+1, c.bytes, maxSearchBytes)
		}
	}
	if len(c.entries) == 0 || len(c.entries) >= 4000 {
		t.Errorf("%d entries kept", len(c.entries))
	}
	c.put("huge", v, make([]domain.Customer, maxSearchBytes/8/160+1))
	if _, ok := c.entries["huge"]; ok {
		t.Errorf("a result over an eighth of the cache was kept")
	}
}
