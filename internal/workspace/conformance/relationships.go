package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func auditActions(t *testing.T, ws workspace.Workspace, id string) []string {
	t.Helper()
	var out []string
	if err := ws.AuditLog(context.Background(), workspace.AuditQuery{Entity: "customer", EntityID: id}, func(r workspace.AuditRecord) error {
		out = append([]string{r.Action}, out...) // oldest first
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// testRelationshipLifecycle: a request (token drawn by the workspace, shown again while
// pending), acceptance (single use), ending refused by each blocker and then allowed, the
// ended customer out of the default views, and reinstatement by a new request through a
// reseller; expiry; every change audited.
func testRelationshipLifecycle(t *testing.T, h Harness) {
	db, clk := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	c, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.com", Relationship: "none"}, "")
	if err != nil {
		t.Fatal(err)
	}
	tpl := domain.RelationshipRequest{CustomerID: "contoso.com", Email: "Admin@Contoso.com", Subject: "s", Body: "open " + domain.LinkPlaceholder}

	// A client's token is ignored: the workspace draws 200 bits.
	withToken := tpl
	withToken.Token = "chosen-by-client"
	r, existing, err := ws.RequestRelationship(ctx, withToken)
	if err != nil || existing || r.Token == "chosen-by-client" || len(r.Token) != 40 || r.CustomerID != c.ID ||
		r.Email != "admin@contoso.com" || !r.CreatedAt.Equal(testNow) || r.Body != tpl.Body {
		t.Fatalf("request: %+v %v %v", r, existing, err)
	}
	again, existing, err := ws.RequestRelationship(ctx, tpl)
	if err != nil || !existing || again.Token != r.Token {
		t.Fatalf("again: %+v %v %v", again, existing, err)
	}
	pending, err := ws.RelationshipRequests(ctx)
	if err != nil || len(pending) != 1 || pending[0].Token != r.Token {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	home, err := ws.Home(ctx)
	if err != nil || len(home.PendingRelationships) != 1 {
		t.Fatalf("home: %+v %v", home.PendingRelationships, err)
	}
	if got, err := db.RelationshipRequest(ctx, r.Token); err != nil || got.CustomerName != "Contoso" {
		t.Fatalf("page lookup: %+v %v", got, err)
	}

	// Acceptance: needs no role; single use.
	nobody := db.As(domain.Principal{User: "customer"})
	if _, err := nobody.AcceptRelationship(ctx, "unknown"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	got, err := nobody.AcceptRelationship(ctx, r.Token)
	if err != nil || got.Relationship != "reseller" {
		t.Fatalf("accept: %+v %v", got, err)
	}
	_, err = nobody.AcceptRelationship(ctx, r.Token)
	wantRule(t, err, "this relationship request was already accepted on 2026-11-21; a link can be used once")
	if _, err := db.RelationshipRequest(ctx, r.Token); err == nil {
		t.Fatal("the page accepts a used link")
	}
	if p, _ := ws.RelationshipRequests(ctx); len(p) != 0 {
		t.Fatalf("still pending: %+v", p)
	}
	// The relationship it has is not asked again.
	_, _, err = ws.RequestRelationship(ctx, tpl)
	wantRule(t, err, "Contoso (contoso.com) already has a reseller relationship with you: no request needed")

	// Blockers: an active subscription and an Azure reservation.
	sub, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: c.ID, Offer: "Microsoft 365 E3", Quantity: 5})
	if err != nil {
		t.Fatal(err)
	}
	ri, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: c.ID, Offer: "Azure Reserved VM Instances", Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	none := domain.RelationshipNone
	_, _, err = ws.UpdateCustomer(ctx, "contoso.com", workspace.CustomerChange{Relationship: &none})
	var rule *domain.RuleError
	if !errors.As(err, &rule) || rule.Rule != "relationship-blocked" || !strings.Contains(err.Error(), ri.ID) || !strings.Contains(err.Error(), sub.ID) {
		t.Fatalf("blocked: %v", err)
	}
	suspended := domain.SubscriptionSuspended
	if _, err := ws.UpdateSubscription(ctx, ri.ID, workspace.SubscriptionChange{Status: &suspended}); err == nil {
		t.Fatal("a reservation was suspended")
	}
	if s, err := ws.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Status: &suspended}); err != nil || s.Status != "suspended" {
		t.Fatalf("suspend: %+v %v", s, err)
	}
	_, _, err = ws.UpdateCustomer(ctx, "contoso.com", workspace.CustomerChange{Relationship: &none})
	if err == nil || strings.Contains(err.Error(), sub.ID) || !strings.Contains(err.Error(), "only Azure support can cancel it") {
		t.Fatalf("still blocked by the reservation only: %v", err)
	}
	// Azure support cancelled it (what a sync would bring): the relationship can end.
	if err := h.Exec(db, `UPDATE subscriptions SET status = 'cancelled' WHERE id = ?`, ri.ID); err != nil {
		t.Fatal(err)
	}
	ended, changed, err := ws.UpdateCustomer(ctx, "contoso.com", workspace.CustomerChange{Relationship: &none})
	if err != nil || !changed || ended.Relationship != "none" {
		t.Fatalf("end: %+v %v %v", ended, changed, err)
	}
	_, _, err = ws.UpdateCustomer(ctx, "contoso.com", workspace.CustomerChange{Relationship: &none})
	wantRule(t, err, "the relationship with Contoso (contoso.com) has already ended")

	// Out of the default views, in its own; still found by search and show.
	views := map[domain.View]int{}
	for _, v := range domain.Views {
		if err := ws.ListCustomers(ctx, workspace.ListQuery{View: v}, func(workspace.CustomerRecord) error { views[v]++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if views[domain.ViewAll] != 0 || views[domain.ViewEnded] != 1 {
		t.Fatalf("views: %v", views)
	}
	if found, err := ws.SearchCustomers(ctx, "cont", 10); err != nil || len(found) != 1 {
		t.Fatalf("search: %v %v", found, err)
	}
	// Nothing can change while it is ended.
	active := domain.SubscriptionActive
	_, err = ws.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Status: &active})
	wantRule(t, err, "the relationship with Contoso (contoso.com) has ended: its subscriptions cannot be reactivated; a new relationship request reinstates it")
	yes := true
	_, _, err = ws.UpdateCustomer(ctx, "contoso.com", workspace.CustomerChange{PurchasesAllowed: &yes})
	wantRule(t, err, "the relationship with Contoso (contoso.com) has ended: its purchase permission cannot change; a new relationship request reinstates it")

	// Reinstatement through an active reseller; an expired request cannot be used.
	if _, _, err := ws.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: c.ID, ResellerMPNID: "4847383", Subject: "s", Body: domain.LinkPlaceholder}); err == nil {
		t.Fatal("a request on behalf of a stranger")
	}
	inv, _, err := ws.InviteReseller(ctx, domain.Invitation{Email: "sales@fabrikam.com", Subject: "s", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.AcceptInvitation(ctx, inv.Token, "4847383", "Fabrikam"); err != nil {
		t.Fatal(err)
	}
	old, _, err := ws.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: c.ID, ResellerMPNID: "4847383", Subject: "s", Body: domain.LinkPlaceholder})
	if err != nil {
		t.Fatal(err)
	}
	clk.t = testNow.Add(domain.InvitationTTL)
	_, err = nobody.AcceptRelationship(ctx, old.Token)
	wantRule(t, err, "this relationship request expired on 2026-12-21 (requests last 30 days); ask the partner for a new one")
	fresh, existing, err := ws.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: c.ID, ResellerMPNID: "4847383", Subject: "s", Body: domain.LinkPlaceholder})
	if err != nil || existing || fresh.Token == old.Token {
		t.Fatalf("a new request after expiry: %+v %v %v", fresh, existing, err)
	}
	back, err := nobody.AcceptRelationship(ctx, fresh.Token)
	if err != nil || back.Relationship != "reseller" || back.ResellerMPNID != "4847383" {
		t.Fatalf("reinstated: %+v %v", back, err)
	}

	// Purchase permission: changed once, then unchanged.
	for i, want := range []bool{true, false} {
		_, changed, err := ws.UpdateCustomer(ctx, c.ID, workspace.CustomerChange{PurchasesAllowed: &yes})
		if err != nil || changed != want {
			t.Fatalf("allow #%d: %v %v", i, changed, err)
		}
	}
	if got, _ := ws.Customer(ctx, c.ID); !got.PurchasesAllowed {
		t.Fatal("not allowed")
	}
	// The export carries the permission (the JSON and CSV of customers export).
	var exported []bool
	if err := ws.ExportCustomers(ctx, workspace.ExportQuery{}, func(e *domain.Customer) error {
		exported = append(exported, e.PurchasesAllowed)
		return nil
	}); err != nil || len(exported) != 1 || !exported[0] {
		t.Fatalf("export: purchasesAllowed %v, %v; want [true]", exported, err)
	}
	no := false
	if got, changed, err := ws.UpdateCustomer(ctx, c.ID, workspace.CustomerChange{PurchasesAllowed: &no}); err != nil || !changed || got.PurchasesAllowed {
		t.Fatalf("deny: %+v %v %v", got, changed, err)
	}

	want := []string{"customer.add", "customer.request-relationship", "customer.accept-relationship", "customer.end-relationship",
		"customer.request-relationship", "customer.request-relationship", "customer.accept-relationship",
		"customer.allow-purchases", "customer.deny-purchases"}
	if got := auditActions(t, ws, c.ID); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit:\n%v\nwant\n%v", got, want)
	}
	var subActions []string
	_ = ws.AuditLog(ctx, workspace.AuditQuery{Entity: "subscription", EntityID: sub.ID}, func(r workspace.AuditRecord) error {
		subActions = append(subActions, r.Action)
		return nil
	})
	if strings.Join(subActions, " ") != "subscription.suspend subscription.add" {
		t.Errorf("subscription audit: %v", subActions)
	}
}

// testRelationshipRefusals: bad input and missing roles leave the workspace unchanged.
func testRelationshipRefusals(t *testing.T, h Harness) {
	db, _ := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	if _, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.com", Relationship: "none"}, ""); err != nil {
		t.Fatal(err)
	}
	sub, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: "contoso.com", Offer: "E3", Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	var inv *domain.InvalidError
	for name, r := range map[string]domain.RelationshipRequest{
		"no link":      {CustomerID: "contoso.com", Subject: "s", Body: "no link"},
		"bidi":         {CustomerID: "contoso.com", Subject: "s", Body: domain.LinkPlaceholder + "\u202E"},
		"escape":       {CustomerID: "contoso.com", Subject: "s\x1b[2J", Body: domain.LinkPlaceholder},
		"subject":      {CustomerID: "contoso.com", Subject: "two\nlines", Body: domain.LinkPlaceholder},
		"bad email":    {CustomerID: "contoso.com", Email: "nope", Subject: "s", Body: domain.LinkPlaceholder},
		"bad reseller": {CustomerID: "contoso.com", ResellerMPNID: "12", Subject: "s", Body: domain.LinkPlaceholder},
	} {
		if _, _, err := ws.RequestRelationship(ctx, r); !errors.As(err, &inv) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := ws.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: "nope.com", Subject: "s", Body: domain.LinkPlaceholder}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown customer: %v", err)
	}
	reseller := "reseller"
	if _, _, err := ws.UpdateCustomer(ctx, "contoso.com", workspace.CustomerChange{Relationship: &reseller}); !errors.As(err, &inv) {
		t.Errorf("relationship reseller: %v", err)
	}
	if _, _, err := ws.UpdateCustomer(ctx, "contoso.com", workspace.CustomerChange{}); !errors.As(err, &inv) {
		t.Errorf("empty change: %v", err)
	}
	bogus, q := "cancelled", 2
	if _, err := ws.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Status: &bogus}); !errors.As(err, &inv) {
		t.Errorf("status cancelled: %v", err)
	}
	suspended := "suspended"
	if _, err := ws.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Status: &suspended, Quantity: &q}); !errors.As(err, &inv) {
		t.Errorf("status with quantity: %v", err)
	}
	// Roles: global-admin and admin-agent only.
	var forbidden *domain.ForbiddenError
	sales := db.As(domain.Principal{User: "sam", Roles: []domain.Role{domain.RoleSalesAgent}})
	none := "none"
	if _, _, err := sales.UpdateCustomer(ctx, "contoso.com", workspace.CustomerChange{Relationship: &none}); !errors.As(err, &forbidden) {
		t.Errorf("sales agent ends: %v", err)
	}
	if _, err := sales.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Status: &suspended}); !errors.As(err, &forbidden) {
		t.Errorf("sales agent suspends: %v", err)
	}
	if _, _, err := sales.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: "contoso.com", Subject: "s", Body: domain.LinkPlaceholder}); !errors.As(err, &forbidden) {
		t.Errorf("sales agent asks: %v", err)
	}
	if h, err := sales.Home(ctx); err != nil || h.PendingRelationships != nil {
		t.Errorf("sales agent's home: %v %v", h.PendingRelationships, err)
	}
	agent := db.As(domain.Principal{User: "ada", Roles: []domain.Role{domain.RoleAdminAgent}})
	if _, _, err := agent.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: "contoso.com", Subject: "s", Body: domain.LinkPlaceholder}); err != nil {
		t.Errorf("admin agent asks: %v", err)
	}
	// Only the admin agent's request was recorded.
	var n int
	if err := h.QueryRow(db, `SELECT count(*) FROM relationship_requests`).Scan(&n); err != nil || n != 1 {
		t.Errorf("requests: %d %v", n, err)
	}
}
