package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// TestRequestReferencesUniqueUnderConcurrency files requests from several connections at
// once, then forces a clash of reference numbers: every request gets its own number.
func testRequestReferencesUniqueUnderConcurrency(t *testing.T, h Harness) {
	first, _ := openTest(t, h)
	addN(t, alice(first), 1)
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := h.Reopen(first)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			for i := range each {
				if _, err := alice(db).CreateRequest(context.Background(), domain.ServiceRequest{CustomerID: "c000.onmicrosoft.com",
					Title: fmt.Sprint("R", i), Severity: domain.SeverityMinimal}); err != nil {
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
	var n, distinct int
	if err := h.QueryRow(first, `SELECT count(*), count(DISTINCT ref) FROM service_requests`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != writers*each || distinct != n {
		t.Fatalf("%d requests, %d distinct references", n, distinct)
	}
	// The same random bytes twice: the second request must draw again.
	seq := bytes.Repeat([]byte{1}, 15)
	h.SetRandom(first, bytes.NewReader(append(append(append([]byte{}, seq...), seq...), bytes.Repeat([]byte{2}, 15)...)))
	a, err := alice(first).CreateRequest(context.Background(), domain.ServiceRequest{CustomerID: "c000.onmicrosoft.com", Title: "A", Severity: domain.SeverityMinimal})
	if err != nil {
		t.Fatal(err)
	}
	b, err := alice(first).CreateRequest(context.Background(), domain.ServiceRequest{CustomerID: "c000.onmicrosoft.com", Title: "B", Severity: domain.SeverityMinimal})
	if err != nil || a.Ref == b.Ref || a.Ref != "111111111111111" || b.Ref != "222222222222222" {
		t.Fatalf("clash: %s %s %v", a.Ref, b.Ref, err)
	}
}

func testRequestLifecycleAndSearch(t *testing.T, h Harness) {
	db, clk := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	for _, c := range []domain.Customer{{CompanyName: "Société Générale", Domain: "socgen.fr"}, {CompanyName: "Contoso", Domain: "contoso.com"}} {
		if _, err := ws.AddCustomer(ctx, c, ""); err != nil {
			t.Fatal(err)
		}
	}
	r1, err := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "socgen.fr", Title: " Mail down ", Severity: "CRITICAL", ContactEmail: "It@SocGen.fr"})
	if err != nil || r1.Title != "Mail down" || r1.Status != domain.RequestOpen || r1.Severity != domain.SeverityCritical || r1.ContactEmail != "it@socgen.fr" {
		t.Fatalf("%+v %v", r1, err)
	}
	clk.t = testNow.Add(time.Minute)
	r2, _ := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.com", Title: "Licences", Severity: domain.SeverityMinimal})

	refs := func(found []workspace.RequestRecord) string {
		var out []string
		for _, r := range found {
			out = append(out, r.Title)
		}
		return fmt.Sprint(out)
	}
	for term, want := range map[string]string{"societe gen": "[Mail down]", "GENERALE": "[Mail down]", "cont": "[Licences]",
		r1.Ref[:6]: "[Mail down]", r2.Ref: "[Licences]", "soc": "[Mail down]", "zzz": "[]"} {
		found, err := ws.SearchRequests(ctx, term, 100)
		if err != nil || refs(found) != want {
			t.Errorf("search %q: %s %v, want %s", term, refs(found), err, want)
		}
	}
	var all []workspace.RequestRecord
	if err := ws.ListRequests(ctx, workspace.RequestQuery{}, func(r workspace.RequestRecord) error { all = append(all, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if refs(all) != "[Licences Mail down]" {
		t.Fatalf("newest first: %s", refs(all))
	}

	closed, err := ws.UpdateRequest(ctx, r1.Ref, domain.RequestChange{Status: domain.RequestClosed, Note: "fixed"})
	if err != nil || closed.Status != domain.RequestClosed || !closed.ClosedAt.Equal(clk.t) || len(closed.Notes) != 1 {
		t.Fatalf("close: %+v %v", closed, err)
	}
	_, err = ws.UpdateRequest(ctx, r1.Ref, domain.RequestChange{Note: "again"})
	var rule *domain.RuleError
	if !errors.As(err, &rule) {
		t.Fatalf("note on a closed request: %v", err)
	}
	reopened, err := ws.UpdateRequest(ctx, r1.Ref, domain.RequestChange{Status: domain.RequestOpen})
	if err != nil || reopened.Status != domain.RequestOpen || !reopened.ClosedAt.IsZero() || len(reopened.Notes) != 2 ||
		reopened.Notes[1].Text != "Reopened by alice@contoso.com." {
		t.Fatalf("reopen: %+v %v", reopened, err)
	}
	if f, err := ws.SetRequestFavorite(ctx, r2.Ref, true); err != nil || !f.Favorite {
		t.Fatalf("favorite: %+v %v", f, err)
	}
	var favs []workspace.RequestRecord
	if err := db.As(domain.Owner("bob")).ListRequests(ctx, workspace.RequestQuery{Favorites: true}, func(r workspace.RequestRecord) error { favs = append(favs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(favs) != 0 {
		t.Fatal("bob sees alice's favorite requests")
	}
	sales := db.As(domain.Principal{User: "s", Roles: []domain.Role{domain.RoleSalesAgent}})
	if _, err := sales.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.com", Title: "x", Severity: domain.SeverityMinimal}); !errors.As(err, &rule) {
		t.Fatalf("a sales agent filed a request: %v", err)
	}
}

func testHome(t *testing.T, h Harness) {
	db, clk := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	home, err := ws.Home(ctx)
	if err != nil || len(home.Pinned) != 0 || home.Flagged != 0 || home.HasSubscriptions || home.HasDeals || len(home.OpenRequests) != 0 {
		t.Fatalf("empty: %+v %v", home, err)
	}
	cs := addN(t, ws, 3)
	if _, _, err := ws.PinCustomer(ctx, cs[1].Domain); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.FlagCustomer(ctx, cs[2].Domain); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: cs[0].Domain, Offer: "E3", Quantity: 1, TermEnd: testNow.Add(10 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: cs[0].Domain, Offer: "E5", Quantity: 1, TermEnd: testNow.Add(90 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: cs[0].Domain, Title: "Open one", Severity: domain.SeverityModerate}); err != nil {
		t.Fatal(err)
	}
	done, _ := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: cs[0].Domain, Title: "Done", Severity: domain.SeverityModerate})
	if _, err := ws.UpdateRequest(ctx, done.Ref, domain.RequestChange{Status: domain.RequestClosed}); err != nil {
		t.Fatal(err)
	}
	in, err := ws.ReceiveDeal(ctx, domain.Deal{Name: "Inbound", CustomerID: cs[0].Domain, Value: "1", Currency: "EUR",
		Solutions: []domain.Solution{{ID: "S", Source: domain.OwnSolution}}, SellerName: "John", SellerEmail: "john@microsoft.com"})
	if err != nil {
		t.Fatal(err)
	}
	clk.t = testNow.Add(12 * 24 * time.Hour) // the inbound deal expires in 2 days
	home, err = ws.Home(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(home.Pinned) != 1 || home.Pinned[0].Domain != cs[1].Domain || home.Flagged != 1 || !home.HasSubscriptions ||
		len(home.ExpiringSubscriptions) != 0 || len(home.OpenRequests) != 1 || home.OpenRequests[0].Title != "Open one" ||
		!home.HasDeals || len(home.ExpiringDeals) != 1 || home.ExpiringDeals[0].ID != in.ID || len(home.AwaitingDeals) != 1 {
		t.Fatalf("%+v", h)
	}
	// The E3 subscription ended 2 days ago (term end was in 10 days, now 12): not listed;
	// back at the start, it ends within 30 days.
	clk.t = testNow
	home, _ = ws.Home(ctx)
	if len(home.ExpiringSubscriptions) != 1 || home.ExpiringSubscriptions[0].Offer != "E3" {
		t.Fatalf("expiring subscriptions: %+v", home.ExpiringSubscriptions)
	}
}
