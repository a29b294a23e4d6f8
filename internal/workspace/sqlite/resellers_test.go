package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func statuses(t *testing.T, ws workspace.Workspace, st ...domain.ResellerStatus) string {
	t.Helper()
	rs, err := ws.Resellers(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s:%s:%s", r.Email, r.MPNID, r.Status))
	}
	return fmt.Sprint(out)
}

func wantRule(t *testing.T, err error, msg string) {
	t.Helper()
	var rule *domain.RuleError
	if !errors.As(err, &rule) || (msg != "" && rule.Msg != msg) {
		t.Fatalf("err = %v, want the rule %q", err, msg)
	}
}

// TestResellerLifecycle: pending, re-invited (same request), accepted, used, removed
// (customers and subscriptions untouched), invited again and reactivated; expiry.
func TestResellerLifecycle(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	all := []domain.ResellerStatus{domain.ResellerPending, domain.ResellerExpired, domain.ResellerActive, domain.ResellerRemoved}

	first, existing, err := ws.InviteReseller(ctx, domain.Invitation{Email: "Sales@Fabrikam.com", Name: "Fabrikam", Subject: "s", Body: "b1"})
	if err != nil || existing || first.Email != "sales@fabrikam.com" || !first.CreatedAt.Equal(testNow) {
		t.Fatalf("%+v %v %v", first, existing, err)
	}
	again, existing, err := ws.InviteReseller(ctx, domain.Invitation{Email: "sales@fabrikam.com", Subject: "s", Body: "b2"})
	if err != nil || !existing || again.Token != first.Token || again.Body != "b1" {
		t.Fatalf("re-invite made a second request: %+v %v %v", again, existing, err)
	}
	if got := statuses(t, ws, all...); got != "[sales@fabrikam.com::pending]" {
		t.Fatalf("after invite: %s", got)
	}
	if _, err := ws.AcceptInvitation(ctx, "nope", "4847383", "Fabrikam"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	r, err := ws.AcceptInvitation(ctx, first.Token, "4847383", "Fabrikam Partners")
	if err != nil || r.Status != domain.ResellerActive || r.MPNID != "4847383" {
		t.Fatalf("accept: %+v %v", r, err)
	}
	_, err = ws.AcceptInvitation(ctx, first.Token, "4847383", "Fabrikam Partners")
	wantRule(t, err, "this partnership request was already accepted on 2026-11-21 (MPN ID 4847383); a link can be used once")
	_, _, err = ws.InviteReseller(ctx, domain.Invitation{Email: "sales@fabrikam.com", Subject: "s", Body: "b"})
	wantRule(t, err, "sales@fabrikam.com is already the address of your indirect reseller Fabrikam Partners (MPN ID 4847383): no request needed")

	// Customers and subscriptions on its behalf.
	c, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.com", ResellerMPNID: "4847383"}, "")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: "contoso.com", Offer: "M365 E3", Quantity: 5, ResellerMPNID: "4847383"})
	if err != nil || sub.CustomerID != c.ID || sub.CustomerName != "Contoso" {
		t.Fatalf("%+v %v", sub, err)
	}
	support := "4847383"
	if _, err := ws.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{SupportContact: &support}); err != nil {
		t.Fatal(err)
	}

	clk.t = testNow.Add(time.Hour)
	removed, err := ws.RemoveReseller(ctx, "4847383")
	if err != nil || removed.Status != domain.ResellerRemoved || !removed.RemovedAt.Equal(clk.t) {
		t.Fatalf("remove: %+v %v", removed, err)
	}
	_, err = ws.RemoveReseller(ctx, "4847383")
	wantRule(t, err, "Fabrikam Partners (MPN ID 4847383) was already removed on 2026-11-21")
	if got := statuses(t, ws, domain.ResellerActive); got != "[]" {
		t.Fatalf("a removed reseller is still listed: %s", got)
	}
	if got := statuses(t, ws, domain.ResellerRemoved); got != "[sales@fabrikam.com:4847383:removed]" {
		t.Fatalf("removed view: %s", got)
	}
	// Nothing else changed.
	if got, _ := ws.Customer(ctx, "contoso.com"); got.ResellerMPNID != "4847383" {
		t.Fatalf("the customer lost its reseller: %+v", got)
	}
	var subs []domain.Subscription
	if err := ws.Subscriptions(ctx, workspace.SubscriptionQuery{Reseller: "4847383"}, func(s domain.Subscription) error { subs = append(subs, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].ResellerMPNID != "4847383" || subs[0].SupportContact != "4847383" {
		t.Fatalf("subscriptions changed: %+v", subs)
	}
	// A removed reseller plays no new part.
	_, err = ws.AddCustomer(ctx, domain.Customer{CompanyName: "Other", Domain: "other.com", ResellerMPNID: "4847383"}, "")
	wantRule(t, err, "Fabrikam Partners (MPN ID 4847383) was removed on 2026-11-21, so it cannot be given customers: invite it again first")

	// Invited again, it comes back.
	inv4, existing, err := ws.InviteReseller(ctx, domain.Invitation{Email: "sales@fabrikam.com", Subject: "s", Body: "b"})
	if err != nil || existing {
		t.Fatalf("re-invite after removal: %v %v", existing, err)
	}
	if r, err := ws.AcceptInvitation(ctx, inv4.Token, "4847383", "Fabrikam"); err != nil || r.Status != domain.ResellerActive {
		t.Fatalf("re-accept: %+v %v", r, err)
	}
	if got := statuses(t, ws, all...); got != "[sales@fabrikam.com:4847383:active]" {
		t.Fatalf("after reactivation: %s", got)
	}

	// A request not accepted within 30 days expires.
	clk.t = testNow
	inv5, _, err := ws.InviteReseller(ctx, domain.Invitation{Email: "late@northwind.com", Subject: "s", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	clk.t = testNow.Add(domain.InvitationTTL)
	_, err = ws.AcceptInvitation(ctx, inv5.Token, "1234567", "Northwind")
	wantRule(t, err, "this partnership request expired on 2026-12-21 (requests last 30 days); invite late@northwind.com again")
	if got := statuses(t, ws, domain.ResellerExpired); got != "[late@northwind.com::expired]" {
		t.Fatalf("expired view: %s", got)
	}
	// An expired request does not block a new one.
	if _, existing, _ := ws.InviteReseller(ctx, domain.Invitation{Email: "late@northwind.com", Subject: "s", Body: "b"}); existing {
		t.Fatal("an expired request was shown again instead of a new one")
	}
}

func TestSubscriptionRules(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	addN(t, ws, 2)
	partner(t, ws, "4847383")
	_, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: "c000.onmicrosoft.com", Offer: "E3", Quantity: 1, ResellerMPNID: "7654321"})
	wantRule(t, err, "MPN ID 7654321 is not one of your indirect resellers, so it cannot be credited for this subscription: invite it first ('pcctl reseller invite')")
	if _, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: "nope.com", Offer: "E3", Quantity: 1}); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown customer: %v", err)
	}
	soon, _ := ws.AddSubscription(ctx, domain.Subscription{CustomerID: "c000.onmicrosoft.com", Offer: "E3", Quantity: 3, TermEnd: testNow.Add(10 * 24 * time.Hour)})
	later, _ := ws.AddSubscription(ctx, domain.Subscription{CustomerID: "c001.onmicrosoft.com", Offer: "E5", Quantity: 2, TermEnd: testNow.Add(60 * 24 * time.Hour)})
	if _, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: "c001.onmicrosoft.com", Offer: "Teams", Quantity: 9}); err != nil {
		t.Fatal(err)
	}

	ids := func(q workspace.SubscriptionQuery) string {
		var out []string
		if err := ws.Subscriptions(ctx, q, func(s domain.Subscription) error { out = append(out, s.Offer); return nil }); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(out)
	}
	month, zeroDays := 30*24*time.Hour, time.Duration(0)
	if got := ids(workspace.SubscriptionQuery{ExpiringWithin: &month}); got != "[E3]" {
		t.Errorf("expiring within 30 days: %s", got)
	}
	if got := ids(workspace.SubscriptionQuery{ExpiringWithin: &zeroDays}); got != "[]" {
		t.Errorf("expiring within 0 days: %s", got)
	}
	if got := ids(workspace.SubscriptionQuery{Customer: "c001.onmicrosoft.com"}); got != "[E5 Teams]" {
		t.Errorf("by customer: %s", got)
	}
	other := "7654321"
	_, err = ws.UpdateSubscription(ctx, later.ID, workspace.SubscriptionChange{SupportContact: &other})
	wantRule(t, err, "MPN ID 7654321 is not one of your indirect resellers, so it cannot be the support contact: invite it first ('pcctl reseller invite')")
	mpn, n := "4847383", 7
	got, err := ws.UpdateSubscription(ctx, later.ID, workspace.SubscriptionChange{SupportContact: &mpn, Quantity: &n})
	if err != nil || got.SupportContact != mpn || got.Quantity != 7 || got.ResellerMPNID != "" {
		t.Fatalf("%+v %v", got, err)
	}
	if got := ids(workspace.SubscriptionQuery{Reseller: mpn}); got != "[E5]" {
		t.Errorf("by reseller (support contact): %s", got)
	}
	none := ""
	if got, _ := ws.UpdateSubscription(ctx, later.ID, workspace.SubscriptionChange{SupportContact: &none}); got.SupportContact != "" {
		t.Errorf("none did not clear the support contact: %+v", got)
	}
	zero := 0
	var ie *domain.InvalidError
	if _, err := ws.UpdateSubscription(ctx, soon.ID, workspace.SubscriptionChange{Quantity: &zero}); !errors.As(err, &ie) {
		t.Errorf("quantity 0: %v", err)
	}
	if _, err := ws.UpdateSubscription(ctx, "00000000-0000-4000-8000-000000000000", workspace.SubscriptionChange{Quantity: &n}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown subscription: %v", err)
	}
	_ = clk
}

func TestResellerRoles(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ctx := context.Background()
	helpdesk := db.As(domain.Principal{User: "hd", Roles: []domain.Role{domain.RoleHelpdeskAgent}})
	if _, _, err := helpdesk.InviteReseller(ctx, domain.Invitation{Email: "a@b.com"}); !isRule(err) {
		t.Errorf("helpdesk agent invited: %v", err)
	}
	if _, err := helpdesk.Resellers(ctx, []domain.ResellerStatus{domain.ResellerActive}); !isRule(err) {
		t.Errorf("helpdesk agent listed resellers: %v", err)
	}
	sales := db.As(domain.Principal{User: "s", Roles: []domain.Role{domain.RoleSalesAgent}})
	if _, _, err := sales.InviteReseller(ctx, domain.Invitation{Email: "a@b.com", Subject: "s", Body: "b"}); err != nil {
		t.Errorf("sales agent may invite resellers (004): %v", err)
	}
}

func isRule(err error) bool {
	var rule *domain.RuleError
	return errors.As(err, &rule)
}
