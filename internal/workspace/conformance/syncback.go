package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// testSyncAfterLocalChange: a record Partner Center owns, changed in the workspace (its
// relationship ended, its subscription suspended, its request closed, its deal accepted or
// noted: write-through makes
// the change in Partner Center first), is compared again by the next sync, which brings
// Partner Center's values even when they are the ones it last synced (a change made in
// Partner Center afterwards, such as a customer accepting a new relationship request,
// must not be taken for "unchanged").
func testSyncAfterLocalChange(t *testing.T, h Harness) {
	db, _ := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	const tenant, cid, sid, ref = "t-1", "c0000000-0000-4000-8000-000000000001", "5ub00000-0000-4000-8000-000000000001", "700000000000001"
	created := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	cust := domain.Customer{ID: cid, CompanyName: "Contoso", Domain: "contoso.example", Country: "US", Relationship: domain.DefaultRelationship}
	sub := domain.Subscription{ID: sid, CustomerID: cid, Offer: "Microsoft 365 E3", Quantity: 5, Status: domain.SubscriptionActive, CreatedAt: created}
	req := domain.ServiceRequest{Ref: ref, CustomerID: cid, Title: "Mail down", Severity: domain.SeverityModerate, Status: domain.RequestOpen,
		CreatedAt: created, UpdatedAt: created}
	deal := domain.Deal{ID: "ref-1", EngagementID: "eng-1", Name: "Fabrikam rollout", Direction: domain.Inbound, Type: domain.PrivateDeal,
		Status: domain.DealNew, Substatus: domain.SubReceived, Organization: "Contoso", OrgCountry: "US", Value: "100", Currency: "USD", Solutions: sku(),
		CreatedAt: created, UpdatedAt: created}
	sync := func() {
		t.Helper()
		for _, step := range []workspace.SyncStep{
			{Kind: workspace.SyncCustomers, Customers: []domain.Customer{cust}},
			{Kind: workspace.SyncSubscriptions, Subscriptions: []domain.Subscription{sub}, SubscriptionsOf: []string{cid}},
			{Kind: workspace.SyncRequests, Requests: []domain.ServiceRequest{req}},
			{Kind: workspace.SyncDeals, Deals: []domain.Deal{deal}},
		} {
			step.Tenant, step.Start, step.Finish = tenant, true, true
			if _, err := ws.ApplySync(ctx, step); err != nil {
				t.Fatal(err)
			}
		}
	}
	sync()
	suspended, none := domain.SubscriptionSuspended, domain.RelationshipNone
	if _, err := ws.UpdateSubscription(ctx, sid, workspace.SubscriptionChange{Status: &suspended}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws.UpdateCustomer(ctx, cid, workspace.CustomerChange{Relationship: &none}); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.UpdateRequest(ctx, ref, domain.RequestChange{Status: domain.RequestClosed}); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ActOnDeal(ctx, deal.ID, domain.ActAccept, "", 0); err != nil {
		t.Fatal(err)
	}
	// Partner Center has the values it had at the last sync (changed back there).
	sync()
	c, err := ws.Customer(ctx, cid)
	if err != nil || c.Relationship != domain.DefaultRelationship {
		t.Errorf("customer after the sync: %q %v, want %s", c.Relationship, err, domain.DefaultRelationship)
	}
	var got []domain.Subscription
	_ = ws.Subscriptions(ctx, workspace.SubscriptionQuery{Customer: cid}, func(s domain.Subscription) error { got = append(got, s); return nil })
	if len(got) != 1 || got[0].Status != domain.SubscriptionActive {
		t.Errorf("subscription after the sync: %+v", got)
	}
	r, err := ws.Request(ctx, ref)
	if err != nil || r.Status != domain.RequestOpen {
		t.Errorf("request after the sync: %q %v", r.Status, err)
	}
	d, err := ws.Deal(ctx, deal.ID)
	if err != nil || d.Status != domain.DealNew {
		t.Errorf("deal after the sync: %q %v, want %s", d.Status, err, domain.DealNew)
	}
}

// testSubscriptionByID: SubscriptionQuery.ID selects one subscription, in any case, with
// the other selections; an ID no subscription has selects none.
func testSubscriptionByID(t *testing.T, h Harness) {
	db, _ := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	cs := addN(t, ws, 2)
	var ids []string
	for _, c := range cs {
		s, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: c.ID, Offer: "Microsoft 365 E3", Quantity: 1})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	list := func(q workspace.SubscriptionQuery) []string {
		var out []string
		if err := ws.Subscriptions(ctx, q, func(s domain.Subscription) error { out = append(out, s.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := list(workspace.SubscriptionQuery{ID: " " + strings.ToUpper(ids[1]) + " "}); len(got) != 1 || got[0] != ids[1] {
		t.Errorf("by ID: %v, want %s", got, ids[1])
	}
	if got := list(workspace.SubscriptionQuery{ID: ids[1], Customer: cs[0].ID}); len(got) != 0 {
		t.Errorf("by ID and another customer: %v", got)
	}
	if got := list(workspace.SubscriptionQuery{ID: "5ub00000-0000-4000-8000-00000000ffff"}); len(got) != 0 {
		t.Errorf("unknown ID: %v", got)
	}
}

// testSyncClosesAcceptedRequest: in a linked workspace the customer accepts a relationship
// request in Partner Center; the sync that brings the relationship back also records the
// pending request as accepted, so it leaves the pending list (and pcctl home).
func testSyncClosesAcceptedRequest(t *testing.T, h Harness) {
	db, _ := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	const cid = "c0000000-0000-4000-8000-000000000002"
	cust := domain.Customer{ID: cid, CompanyName: "Contoso", Domain: "contoso.example", Country: "US", Relationship: domain.RelationshipNone}
	apply := func(c domain.Customer) {
		t.Helper()
		if _, err := ws.ApplySync(ctx, workspace.SyncStep{Kind: workspace.SyncCustomers, Tenant: "t-1", Start: true, Finish: true,
			Customers: []domain.Customer{c}}); err != nil {
			t.Fatal(err)
		}
	}
	apply(cust)
	if _, _, err := ws.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: cid, Subject: "s", Body: "open " + domain.LinkPlaceholder}); err != nil {
		t.Fatal(err)
	}
	// Another customer's pending request stays pending.
	other, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Fabrikam", Domain: "fabrikam.example", Country: "US", Relationship: domain.RelationshipNone}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: other.ID, Subject: "s", Body: "open " + domain.LinkPlaceholder}); err != nil {
		t.Fatal(err)
	}
	apply(cust) // unchanged in Partner Center: still pending
	if pending, err := ws.RelationshipRequests(ctx); err != nil || len(pending) != 2 {
		t.Fatalf("pending before acceptance: %+v %v", pending, err)
	}
	cust.Relationship = domain.DefaultRelationship
	apply(cust)
	pending, err := ws.RelationshipRequests(ctx)
	if err != nil || len(pending) != 1 || pending[0].CustomerID != other.ID {
		t.Fatalf("pending after the sync: %+v %v", pending, err)
	}
}
