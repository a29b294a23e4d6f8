package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func addN(t *testing.T, ws workspace.Workspace, n int) []workspace.CustomerRecord {
	t.Helper()
	var out []workspace.CustomerRecord
	for i := range n {
		c, err := ws.AddCustomer(context.Background(), domain.Customer{
			CompanyName: fmt.Sprintf("Customer %03d", i), Domain: fmt.Sprintf("c%03d.onmicrosoft.com", i), Country: "FR",
		}, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func listIDs(t *testing.T, ws workspace.Workspace, q workspace.ListQuery) []string {
	t.Helper()
	var ids []string
	if err := ws.ListCustomers(context.Background(), q, func(c workspace.CustomerRecord) error {
		ids = append(ids, c.Domain)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestAddCustomerRules(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	c, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: " Contoso ", Domain: "Contoso.OnMicrosoft.com", Country: "gb",
		AdminAccount: "admin@contoso.onmicrosoft.com"}, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
	if err != nil {
		t.Fatal(err)
	}
	if c.CompanyName != "Contoso" || c.Domain != "contoso.onmicrosoft.com" || c.Country != "GB" || !isTenantID(c.ID) ||
		!c.CreatedAt.Equal(testNow) || c.Relationship != "reseller" {
		t.Fatalf("added %+v", c)
	}
	_, err = ws.AddCustomer(ctx, domain.Customer{CompanyName: "Other", Domain: "contoso.onmicrosoft.com"}, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
	var rule *domain.RuleError
	if !errors.As(err, &rule) || rule.Msg != "domain contoso.onmicrosoft.com is already the primary domain of customer "+c.ID {
		t.Fatalf("duplicate domain: %v", err)
	}
	_, err = ws.AddCustomer(ctx, domain.Customer{ID: c.ID, CompanyName: "Other", Domain: "other.com"}, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
	if !errors.As(err, &rule) || rule.Msg != "a customer with ID "+c.ID+" already exists" {
		t.Fatalf("duplicate id: %v", err)
	}
	for _, ref := range []string{c.ID, "CONTOSO.onmicrosoft.com", "{" + c.ID + "}"} {
		got, err := ws.Customer(ctx, ref)
		if err != nil || got.ID != c.ID || got.AdminAccount != "admin@contoso.onmicrosoft.com" {
			t.Errorf("Customer(%q) = %+v, %v", ref, got, err)
		}
	}
	if _, err := ws.Customer(ctx, "nope.com"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown customer: %v", err)
	}
	var hash string
	if err := db.db.QueryRow("SELECT admin_password_hash FROM customers").Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if hash != "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy" {
		t.Errorf("stored hash %q", hash)
	}
}

func TestFlagCapAndViews(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	cs := addN(t, ws, 40)
	for i := range 30 {
		clk.t = testNow.Add(time.Duration(i) * time.Minute)
		res, err := ws.FlagCustomer(ctx, cs[i].Domain)
		if err != nil || res.Unflagged != nil || res.AlreadyFlagged {
			t.Fatalf("flag %d: %+v %v", i, res, err)
		}
	}
	res, _ := ws.FlagCustomer(ctx, cs[5].Domain)
	if !res.AlreadyFlagged {
		t.Fatal("re-flagging was not reported as already flagged")
	}
	clk.t = testNow.Add(time.Hour)
	res, err := ws.FlagCustomer(ctx, cs[30].Domain)
	if err != nil || res.Unflagged == nil || res.Unflagged.Domain != cs[0].Domain || !res.Customer.Flagged {
		t.Fatalf("31st flag: %+v %v", res, err)
	}
	flagged := listIDs(t, ws, workspace.ListQuery{View: domain.ViewFlagged})
	if len(flagged) != 30 || flagged[0] != cs[1].Domain || flagged[29] != cs[30].Domain {
		t.Fatalf("flagged view: %d %v", len(flagged), flagged)
	}
	// Flags belong to the user who set them.
	bob := db.As(domain.Owner("bob@contoso.com"))
	if got := listIDs(t, bob, workspace.ListQuery{View: domain.ViewFlagged}); len(got) != 0 {
		t.Fatalf("bob sees alice's flags: %v", got)
	}
	// Flagging needs the global admin role.
	agent := db.As(domain.Principal{User: "eve", Roles: []domain.Role{domain.RoleAdminAgent}})
	var rule *domain.RuleError
	if _, err := agent.FlagCustomer(ctx, cs[0].Domain); !errors.As(err, &rule) {
		t.Fatalf("admin agent flagged: %v", err)
	}
	_, changed, err := ws.UnflagCustomer(ctx, cs[1].Domain)
	if !changed || err != nil {
		t.Fatal("unflag did not change anything")
	}
	if _, changed, _ := ws.UnflagCustomer(ctx, cs[1].Domain); changed {
		t.Fatal("second unflag changed something")
	}
	if _, changed, _ := ws.PinCustomer(ctx, cs[2].Domain); !changed {
		t.Fatal("pin")
	}
	if c, _ := ws.Customer(ctx, cs[2].Domain); !c.Pinned {
		t.Fatal("pinned customer not shown as pinned")
	}
	if _, changed, _ := ws.PinCustomer(ctx, cs[2].Domain); changed {
		t.Fatal("second pin changed something")
	}
}

func TestRecentView(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	cs := addN(t, ws, 35)
	// An access older than 30 days does not count.
	clk.t = testNow.Add(-31 * 24 * time.Hour)
	for range 5 {
		if _, err := ws.OpenCustomer(ctx, cs[34].Domain); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 33 {
		clk.t = testNow.Add(time.Duration(i) * time.Second)
		for range i%3 + 1 {
			if _, err := ws.OpenCustomer(ctx, cs[i].Domain); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := listIDs(t, ws, workspace.ListQuery{View: domain.ViewRecent})
	if len(got) != domain.RecentLimit {
		t.Fatalf("recent view has %d customers, want %d", len(got), domain.RecentLimit)
	}
	// Opened three times first (i%3 == 2), most recent first among equals.
	if got[0] != cs[32].Domain || got[1] != cs[29].Domain {
		t.Fatalf("recent order: %v", got[:3])
	}
	for _, d := range got {
		if d == cs[34].Domain {
			t.Fatal("an access older than 30 days counted")
		}
	}
}

func TestListSortFilterLimit(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	partner(t, ws, "4847383")
	for i, name := range []string{"Zeta", "éclair", "Alpha", "Delta"} {
		clk.t = testNow.Add(time.Duration(i) * time.Hour)
		r := ""
		if i%2 == 0 {
			r = "4847383"
		}
		if _, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: name, Domain: fmt.Sprintf("d%d.com", i), ResellerMPNID: r}, ""); err != nil {
			t.Fatal(err)
		}
	}
	check := func(q workspace.ListQuery, want ...string) {
		t.Helper()
		if got := fmt.Sprint(listIDs(t, ws, q)); got != fmt.Sprint(want) {
			t.Errorf("%+v: %v, want %v", q, got, want)
		}
	}
	check(workspace.ListQuery{View: domain.ViewAll}, "d2.com", "d3.com", "d1.com", "d0.com")
	check(workspace.ListQuery{View: domain.ViewAll, Sort: domain.SortCreated}, "d3.com", "d2.com", "d1.com", "d0.com")
	check(workspace.ListQuery{View: domain.ViewAll, Limit: 2}, "d2.com", "d3.com")
	check(workspace.ListQuery{View: domain.ViewAll, Reseller: "4847383"}, "d2.com", "d0.com")
}

// TestConcurrentWriters runs writers on separate connections, as separate processes
// would: none may fail with "database is locked", every write must land, and the flag
// cap must hold.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	first, _ := openTest(t, path)
	cs := addN(t, alice(first), 60)
	const writers, each = 6, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each*2)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(context.Background(), path, Options{})
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			ws := alice(db)
			for i := range each {
				if _, err := ws.AddCustomer(context.Background(), domain.Customer{CompanyName: "W",
					Domain: fmt.Sprintf("w%d-%d.com", w, i)}, ""); err != nil {
					errs <- err
				}
				if _, err := ws.FlagCustomer(context.Background(), cs[(w*each+i)%len(cs)].Domain); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n, _ := alice(first).CountCustomers(context.Background())
	if n != 60+writers*each {
		t.Errorf("%d customers, want %d", n, 60+writers*each)
	}
	if got := listIDs(t, alice(first), workspace.ListQuery{View: domain.ViewFlagged}); len(got) != domain.MaxFlags {
		t.Errorf("%d flags after concurrent flagging, want %d", len(got), domain.MaxFlags)
	}
}

func TestSearchShowsTheUsersFlagsAndPins(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	cs := addN(t, ws, 3)
	_, err1 := ws.FlagCustomer(ctx, cs[1].Domain)
	_, _, err2 := ws.PinCustomer(ctx, cs[2].Domain)
	_, _, err3 := db.As(domain.Owner("bob")).PinCustomer(ctx, cs[0].Domain)
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	got, err := ws.SearchCustomers(ctx, "customer", 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("%v %v", got, err)
	}
	for i, c := range got {
		if c.Flagged != (i == 1) || c.Pinned != (i == 2) || c.Flagged && !c.FlaggedAt.Equal(testNow) {
			t.Errorf("result %d (%s): flagged=%v at %v, pinned=%v", i, c.Domain, c.Flagged, c.FlaggedAt, c.Pinned)
		}
	}
}

func isTenantID(s string) bool {
	id, err := domain.ParseTenantID(s)
	return err == nil && id == s
}

// partner makes mpnID an active indirect reseller.
func partner(t *testing.T, ws workspace.Workspace, mpnID string) {
	t.Helper()
	ctx := context.Background()
	inv, _, err := ws.InviteReseller(ctx, domain.Invitation{Email: "r" + mpnID + "@resellers.example",
		Subject: "s", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.AcceptInvitation(ctx, inv.Token, mpnID, "Reseller "+mpnID); err != nil {
		t.Fatal(err)
	}
}
