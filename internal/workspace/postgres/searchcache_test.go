package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

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

// A server's request trusts the version its token check read (it began after the request
// arrived) and the flags and pins kept under it; a request with no such read checks the
// version again. Either way, a change another server committed before the request arrived
// is in the answer.
func TestSearchCacheTrustsOnlyReadsSinceArrival(t *testing.T) {
	ctx := context.Background()
	a := openTest(t, nil)
	b, err := Open(ctx, a.dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	owner := b.As(domain.Owner("alice@contoso.com"))
	if _, _, _, err := owner.AddUser(ctx, domain.User{Email: "agent@contoso.com", Roles: []domain.Role{domain.RoleGlobalAdmin}}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := owner.CreateToken(ctx, "agent@contoso.com", "t", domain.NeverExpires)
	if err != nil {
		t.Fatal(err)
	}
	agent := b.As(domain.Principal{User: "agent@contoso.com", Roles: []domain.Role{domain.RoleGlobalAdmin}})
	if _, err := agent.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.example"}, ""); err != nil {
		t.Fatal(err)
	}
	// search is a search on server a: with its token checked since it arrived, or not.
	search := func(step string, checked bool, wantFlag bool) {
		t.Helper()
		rctx := workspace.WithArrival(ctx, time.Now())
		p := domain.Principal{User: "agent@contoso.com", Roles: []domain.Role{domain.RoleGlobalAdmin}}
		if checked {
			if p, _, err = a.Authenticate(rctx, secret); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 2 { // the second time from the cache
			got, err := a.As(p).SearchCustomers(rctx, "con", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Flagged != wantFlag {
				t.Fatalf("%s (search %d): %+v, want Contoso flagged %v", step, i+1, got, wantFlag)
			}
		}
	}
	search("first", true, false)
	for _, checked := range []bool{true, false} {
		if _, err := agent.FlagCustomer(ctx, "contoso.example"); err != nil {
			t.Fatal(err)
		}
		search(fmt.Sprintf("flagged elsewhere, token checked %v", checked), checked, true)
		if _, _, err := agent.UnflagCustomer(ctx, "contoso.example"); err != nil {
			t.Fatal(err)
		}
		search(fmt.Sprintf("unflagged elsewhere, token checked %v", checked), checked, false)
	}
}
