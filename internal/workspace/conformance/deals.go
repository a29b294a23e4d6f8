package conformance

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func sku() []domain.Solution {
	return []domain.Solution{{ID: "CFQ7TTC0LF8Q", Source: domain.MicrosoftSKU, Quantity: 25, UnitPrice: "12.50"}}
}

func testDealLifecycle(t *testing.T, h Harness) {
	db, clk := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	addN(t, ws, 1)

	// A private deal on a customer: active at once, never expires.
	p, err := ws.CreateDeal(ctx, domain.Deal{Name: " Rollout ", CustomerID: "c000.onmicrosoft.com", Value: "050000.5", Currency: "eur",
		Solutions: sku(), Team: []string{"Bob@Contoso.com"}, Notes: []domain.Note{{Text: "kick-off"}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != domain.DealActive || p.Name != "Rollout" || p.Value != "50000.5" || p.Currency != "EUR" || p.Organization != "Customer 000" ||
		p.Version != 1 || len(p.Notes) != 1 || p.Notes[0].Author != "alice@contoso.com" || fmt.Sprint(p.Team) != "[bob@contoso.com]" {
		t.Fatalf("%+v", p)
	}
	// A co-sell deal for a prospect organisation: kept and reused.
	contact := domain.Contact{Name: "Sue", Email: "sue@northwind.com", Phone: "123"}
	c1, err := ws.CreateDeal(ctx, domain.Deal{Name: "A", Type: domain.CoSellDeal, Organization: "Northwind Traders", OrgCountry: "us",
		Value: "10", Currency: "USD", Solutions: sku(), Contact: contact, Consent: true})
	if err != nil || c1.Status != domain.DealNew || c1.Substatus != domain.SubPending || !c1.ExpiresAt.Equal(testNow.Add(domain.DealTTL)) {
		t.Fatalf("%+v %v", c1, err)
	}
	if _, err := ws.CreateDeal(ctx, domain.Deal{Name: "B", Organization: "NORTHWIND traders", OrgCountry: "US", Value: "1", Currency: "USD", Solutions: sku()}); err != nil {
		t.Fatal(err)
	}
	var orgs int
	if err := h.QueryRow(db, `SELECT count(*) FROM organizations`).Scan(&orgs); err != nil {
		t.Fatal(err)
	}
	if orgs != 1 {
		t.Fatalf("%d prospect organisations, want 1 reused", orgs)
	}
	// An inbound deal expires 14 days later when read, without anyone acting.
	in, err := ws.ReceiveDeal(ctx, domain.Deal{Name: "Inbound", CustomerID: "c000.onmicrosoft.com", Value: "5", Currency: "GBP",
		Solutions: sku(), SellerName: "John Doe", SellerEmail: "john.doe@microsoft.com"})
	if err != nil || in.Substatus != domain.SubReceived {
		t.Fatalf("%+v %v", in, err)
	}
	clk.t = testNow.Add(domain.DealTTL)
	got, err := ws.Deal(ctx, in.ID)
	if err != nil || got.Status != domain.DealClosed || got.Substatus != domain.SubExpired || got.Version != 2 {
		t.Fatalf("after 14 days: %+v %v", got, err)
	}
	_, err = ws.ActOnDeal(ctx, in.ID, domain.ActAccept, "", 0)
	var rule *domain.RuleError
	if !errors.As(err, &rule) || rule.Rule != "deal-expired" {
		t.Fatalf("accepting an expired deal: %v", err)
	}
	// Win, then nothing can change; the version guards against stale writes.
	clk.t = testNow.Add(time.Hour)
	name := "Rollout phase 2"
	if _, err := ws.UpdateDeal(ctx, p.ID, workspace.DealChange{Name: &name}, 5); !errors.As(err, &rule) || rule.Rule != "stale" {
		t.Fatalf("stale update: %v", err)
	}
	up, err := ws.UpdateDeal(ctx, p.ID, workspace.DealChange{Name: &name, AddSolutions: []domain.Solution{{ID: "OWN-1", Source: domain.OwnSolution}}}, 1)
	if err != nil || up.Name != name || up.Version != 2 || len(up.Solutions) != 2 || !up.UpdatedAt.Equal(clk.t) {
		t.Fatalf("update: %+v %v", up, err)
	}
	won, err := ws.ActOnDeal(ctx, p.ID, domain.ActWin, "signed", 2)
	if err != nil || won.Substatus != domain.SubWon || won.StatusReason != "signed" {
		t.Fatalf("win: %+v %v", won, err)
	}
	if _, err := ws.AddDealNote(ctx, p.ID, "late note", 0); !errors.As(err, &rule) || rule.Rule != "deal-closed" {
		t.Fatalf("note on a won deal: %v", err)
	}
	if _, err := ws.SetDealTeamMember(ctx, p.ID, "x@contoso.com", true, 0); !errors.As(err, &rule) || rule.Rule != "deal-closed" {
		t.Fatalf("team on a won deal: %v", err)
	}
	// Favorites are per user and allowed on closed deals.
	if f, err := ws.SetDealFavorite(ctx, p.ID, true); err != nil || !f.Favorite || f.Version != won.Version {
		t.Fatalf("favorite: %+v %v", f, err)
	}
	ids := func(ws workspace.Workspace, q workspace.DealQuery) string {
		var out []string
		if err := ws.ListDeals(ctx, q, func(d workspace.DealRecord) error { out = append(out, d.Name); return nil }); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(out)
	}
	if got := ids(ws, workspace.DealQuery{Favorites: true}); got != "[Rollout phase 2]" {
		t.Errorf("alice's favorites: %s", got)
	}
	if got := ids(db.As(domain.Owner("bob")), workspace.DealQuery{Favorites: true}); got != "[]" {
		t.Errorf("bob's favorites: %s", got)
	}
	if got := ids(ws, workspace.DealQuery{Direction: domain.Inbound}); got != "[Inbound]" {
		t.Errorf("inbound: %s", got)
	}
	// The expired ones were updated when they expired, 14 days after creation: latest.
	if got := ids(ws, workspace.DealQuery{Sort: "updated"}); got != "[Inbound A Rollout phase 2 B]" {
		t.Errorf("by update: %s", got)
	}
	week := 7 * 24 * time.Hour
	if got := ids(ws, workspace.DealQuery{ExpiringWithin: &week}); got != "[]" {
		t.Errorf("expiring within a week (c1 expired at 14 days): %s", got)
	}
	if got := ids(ws, workspace.DealQuery{Status: domain.DealClosed, Substatus: domain.SubExpired}); got != "[Inbound A]" {
		t.Errorf("expired: %s", got)
	}
	// Only referrals admins (and global admins) work on deals.
	agent := db.As(domain.Principal{User: "e", Roles: []domain.Role{domain.RoleAdminAgent}})
	if _, err := agent.Deal(ctx, p.ID); !errors.As(err, &rule) {
		t.Errorf("an admin agent read a deal: %v", err)
	}
}

func testDealContentRulesInStorage(t *testing.T, h Harness) {
	db, _ := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	addN(t, ws, 1)
	many := make([]domain.Solution, 51)
	for i := range many {
		many[i] = domain.Solution{ID: fmt.Sprint("S", i), Source: domain.OwnSolution}
	}
	base := domain.Deal{Name: "X", CustomerID: "c000.onmicrosoft.com", Value: "1", Currency: "EUR"}
	cases := []struct {
		change func(*domain.Deal)
		want   string
	}{
		{func(d *domain.Deal) { d.Solutions = many }, "a deal holds at most 50 solutions, not 51"},
		{func(d *domain.Deal) { d.Solutions = sku(); d.Type = domain.CoSellDeal }, "a co-sell deal (Microsoft invited) needs the customer contact's name, email and phone"},
		{func(d *domain.Deal) { d.Solutions = sku(); d.Currency = "EURO" }, `currency "EURO" is not an ISO 4217 currency code (such as EUR, USD, GBP)`},
		{func(d *domain.Deal) { d.Solutions = sku(); d.Value = "1,5" }, `value "1,5" is not an amount (digits, with at most 2 decimals after a dot, such as 50000 or 1234.50)`},
		{func(d *domain.Deal) { d.Solutions = sku(); d.CustomerID = "nope.com" }, `no customer matches "nope.com"`},
	}
	for _, c := range cases {
		d := base
		c.change(&d)
		if _, err := ws.CreateDeal(ctx, d); err == nil || err.Error() != c.want {
			t.Errorf("err = %v\nwant %s", err, c.want)
		}
	}
	var n int
	if err := h.QueryRow(db, `SELECT count(*) FROM deals`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d deals written by refused creations", n)
	}
}
