package linked_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/linked"
	"github.com/pcctl/pcctl/internal/workspace/storetest"
)

func status(t *testing.T, ws workspace.Workspace, id string) string {
	t.Helper()
	st := ""
	_ = ws.Subscriptions(context.Background(), workspace.SubscriptionQuery{}, func(s domain.Subscription) error {
		if s.ID == id {
			st = s.Status
		}
		return nil
	})
	return st
}

func TestSubscriptionAndEndRelationshipWriteThrough(t *testing.T) {
	e := setup(t)
	e.withCustomer(t)
	ctx := context.Background()
	none := domain.RelationshipNone
	end := func() error {
		_, _, err := e.ws.UpdateCustomer(ctx, custDom, workspace.CustomerChange{Relationship: &none})
		return err
	}

	// The workspace knows the active subscription: refused before anything is sent.
	var rule *domain.RuleError
	if err := end(); !errors.As(err, &rule) || rule.Rule != "relationship-blocked" || !strings.Contains(err.Error(), subID) {
		t.Fatalf("blocked: %v", err)
	}
	if e.requests(http.MethodPatch, pctest.RouteCustomer) != 0 {
		t.Fatal("sent although the workspace refuses")
	}

	// Suspended in Partner Center, then in the workspace.
	suspended := domain.SubscriptionSuspended
	sub, err := e.ws.UpdateSubscription(ctx, subID, workspace.SubscriptionChange{Status: &suspended})
	if err != nil || sub.Status != "suspended" {
		t.Fatalf("suspend: %+v %v", sub, err)
	}
	if held := e.pc.Subscriptions(custID); held[0].Status != "suspended" {
		t.Fatalf("Partner Center has %+v", held[0])
	}
	// Suspending it again: the workspace's rule, nothing sent.
	patches := e.requests(http.MethodPatch, pctest.RouteSubscription)
	if _, err := e.ws.UpdateSubscription(ctx, subID, workspace.SubscriptionChange{Status: &suspended}); !errors.As(err, &rule) {
		t.Fatalf("again: %v", err)
	}
	if _, err := e.ws.UpdateSubscription(ctx, "5ub00000-0000-4000-8000-00000000ffff", workspace.SubscriptionChange{Status: &suspended}); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if e.requests(http.MethodPatch, pctest.RouteSubscription) != patches {
		t.Fatal("a change the workspace refuses was sent")
	}

	// Partner Center knows a subscription the workspace does not yet: its refusal, named,
	// with the sync that would show it; nothing changed.
	e.pc.SetSubscriptions(custID, append(e.pc.Subscriptions(custID), api.Subscription{ID: "5ub00000-0000-4000-8000-000000000003",
		OfferName: "Teams Essentials", Quantity: 1, Status: "active"}))
	r := refusal(t, end(), http.StatusBadRequest, "5ub00000-0000-4000-8000-000000000003")
	if !strings.Contains(r.Error(), "pcctl sync subscriptions") {
		t.Fatalf("no hint: %v", r)
	}
	if c, _ := e.inner.Customer(ctx, custDom); c.Relationship != "reseller" {
		t.Fatalf("ended locally after a refusal: %q", c.Relationship)
	}
	e.syncKinds(t, workspace.SyncSubscriptions)
	if _, err := e.ws.UpdateSubscription(ctx, "5ub00000-0000-4000-8000-000000000003", workspace.SubscriptionChange{Status: &suspended}); err != nil {
		t.Fatal(err)
	}

	// Ended there, then here.
	if err := end(); err != nil {
		t.Fatal(err)
	}
	if c, _ := e.pc.Customer(custID); c.RelationshipToPartner != "none" {
		t.Fatalf("Partner Center has %q", c.RelationshipToPartner)
	}
	if c, _ := e.inner.Customer(ctx, custDom); c.Relationship != domain.RelationshipNone {
		t.Fatalf("the workspace has %q", c.Relationship)
	}
	// Reactivating now is the workspace's refusal.
	active := domain.SubscriptionActive
	if _, err := e.ws.UpdateSubscription(ctx, subID, workspace.SubscriptionChange{Status: &active}); !errors.As(err, &rule) || rule.Rule != "relationship-ended" {
		t.Fatalf("reactivate after the end: %v", err)
	}

	// The purchase permission has no Partner Center API: the workspace's alone.
	before := len(e.pc.Requests())
	allow := true
	if _, _, err := e.ws.UpdateCustomer(ctx, custDom, workspace.CustomerChange{PurchasesAllowed: &allow}); !errors.As(err, &rule) {
		t.Fatalf("allow after the end: %v", err)
	}
	if len(e.pc.Requests()) != before {
		t.Fatal("the purchase permission was sent to Partner Center")
	}
}

func TestRelationshipRefusals(t *testing.T) {
	e := setup(t)
	e.withCustomer(t)
	ctx := context.Background()
	none := domain.RelationshipNone
	suspended, active := domain.SubscriptionSuspended, domain.SubscriptionActive

	// A reserved instance order Partner Center knows of.
	e.pc.SetReservedInstances(custID, []string{"ri-0001"})
	if _, err := e.ws.UpdateSubscription(ctx, subID, workspace.SubscriptionChange{Status: &suspended}); err != nil {
		t.Fatal(err)
	}
	refusal(t, func() error {
		_, _, err := e.ws.UpdateCustomer(ctx, custID, workspace.CustomerChange{Relationship: &none})
		return err
	}(), http.StatusBadRequest, "Azure support")

	// Partner Center refuses the reactivation (its own view): its message, nothing changed.
	e.pc.Inject(pctest.Fault{Route: pctest.RouteSubscription, Method: http.MethodPatch, Status: http.StatusConflict})
	refusal(t, func() error {
		_, err := e.ws.UpdateSubscription(ctx, subID, workspace.SubscriptionChange{Status: &active})
		return err
	}(), http.StatusConflict, "reactivate subscription "+subID)
	if status(t, e.inner, subID) != "suspended" {
		t.Fatal("changed locally after a refusal")
	}

	// A customer only the workspace has: Partner Center's 404.
	if _, err := e.inner.AddCustomer(ctx, domain.Customer{CompanyName: "Local Only", Domain: "local.example", Country: "FR"}, ""); err != nil {
		t.Fatal(err)
	}
	refusal(t, func() error {
		_, _, err := e.ws.UpdateCustomer(ctx, "local.example", workspace.CustomerChange{Relationship: &none})
		return err
	}(), http.StatusNotFound, "exists only in this workspace")
	local, err := e.inner.AddSubscription(ctx, domain.Subscription{CustomerID: "local.example", Offer: "Microsoft 365 E3", Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	refusal(t, func() error {
		_, err := e.ws.UpdateSubscription(ctx, local.ID, workspace.SubscriptionChange{Status: &suspended})
		return err
	}(), http.StatusNotFound, "exists only in this workspace")

	// Not signed in.
	out := linked.New(e.inner, linked.Options{Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName, Connect: signedOut})
	var auth *domain.AuthError
	if _, err := out.UpdateSubscription(ctx, subID, workspace.SubscriptionChange{Status: &active}); !errors.As(err, &auth) {
		t.Fatalf("not signed in: %v", err)
	}
	if _, _, err := out.UpdateCustomer(ctx, custID, workspace.CustomerChange{Relationship: &none}); !errors.As(err, &auth) {
		t.Fatalf("not signed in: %v", err)
	}
}

// failingUpdate is a workspace whose status and relationship writes fail after Partner
// Center accepted.
type failingUpdate struct{ workspace.Workspace }

func (failingUpdate) UpdateSubscription(context.Context, string, workspace.SubscriptionChange) (domain.Subscription, error) {
	return domain.Subscription{}, errors.New("disk I/O error")
}

func (failingUpdate) UpdateCustomer(context.Context, string, workspace.CustomerChange) (workspace.CustomerRecord, bool, error) {
	return workspace.CustomerRecord{}, false, errors.New("disk I/O error")
}

func TestRelationshipAcceptedThenLocalWriteFailed(t *testing.T) {
	e := setup(t)
	e.withCustomer(t)
	ctx := context.Background()
	ws := linked.New(failingUpdate{e.inner}, linked.Options{Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName, Connect: connect(e.c)})
	suspended := domain.SubscriptionSuspended
	_, err := ws.UpdateSubscription(ctx, subID, workspace.SubscriptionChange{Status: &suspended})
	var un *linked.UnrecordedError
	if !errors.As(err, &un) || !strings.Contains(err.Error(), "suspended subscription "+subID) || !strings.Contains(err.Error(), "pcctl sync subscriptions") {
		t.Fatalf("%v", err)
	}
	e.syncKinds(t, workspace.SyncSubscriptions)
	if status(t, e.inner, subID) != "suspended" {
		t.Fatal("the sync did not repair the status")
	}
	none := domain.RelationshipNone
	if _, _, err := ws.UpdateCustomer(ctx, custID, workspace.CustomerChange{Relationship: &none}); !errors.As(err, &un) || !strings.Contains(err.Error(), "pcctl sync customers") {
		t.Fatalf("%v", err)
	}
	e.syncKinds(t, workspace.SyncCustomers)
	if c, _ := e.inner.Customer(ctx, custID); c.Relationship != domain.RelationshipNone {
		t.Fatalf("after the sync: %q", c.Relationship)
	}
}

func TestRequestRelationshipGivesPartnerCentersLink(t *testing.T) {
	e := setup(t)
	e.withCustomer(t)
	ctx := context.Background()
	e.pc.SetResellers([]api.Reseller{{ID: "r-tenant-1", MPNID: "1234567", Name: "Fabrikam Reseller"}})
	e.syncKinds(t, workspace.SyncResellers)
	req := func(mpn string) (domain.RelationshipRequest, bool, error) {
		return e.ws.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: custDom, ResellerMPNID: mpn,
			Subject: "Relationship", Body: "Open " + domain.LinkPlaceholder})
	}
	saved, existing, err := req("1234567")
	if err != nil || existing {
		t.Fatalf("%+v %v", saved, err)
	}
	u, err := url.Parse(saved.Link)
	if err != nil || u.Host != "admin.microsoft.com" || u.Query().Get("partnerId") != "r-tenant-1" || u.Query().Get("indirectCSPId") != e.pc.TenantID {
		t.Fatalf("link %q", saved.Link)
	}
	// Recorded as pending; asked again, the same request with the link again.
	pending, err := e.inner.RelationshipRequests(ctx)
	if err != nil || len(pending) != 1 {
		t.Fatalf("%+v %v", pending, err)
	}
	if again, existing, err := req("1234567"); err != nil || !existing || again.Link != saved.Link {
		t.Fatalf("again: %+v %v %v", again, existing, err)
	}
	// The partner's own link, for a customer whose relationship ended (reinstated once it
	// accepts in Partner Center: the next sync brings the relationship).
	e.pc.PutCustomer(api.Customer{ID: "c0000000-0000-4000-8000-000000000002", CompanyProfile: api.CompanyProfile{Domain: "adatum.example",
		CompanyName: "Adatum"}, RelationshipToPartner: "none", BillingProfile: &api.BillingProfile{DefaultAddress: api.Address{Country: "US"}}})
	e.syncKinds(t, workspace.SyncCustomers)
	own, _, err := e.ws.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: "adatum.example", Subject: "s", Body: domain.LinkPlaceholder})
	if err != nil || !strings.Contains(own.Link, "partnerId="+url.QueryEscape(e.pc.TenantID)) {
		t.Fatalf("own: %+v %v", own, err)
	}
	// Already with the relationship asked for: the workspace's refusal.
	if _, _, err := req(""); err == nil || !strings.Contains(err.Error(), "no request needed") {
		t.Fatalf("relationship exists: %v", err)
	}

	// A reseller the workspace holds as active that Partner Center does not list.
	if _, err := e.inner.ApplySync(ctx, workspace.SyncStep{Kind: workspace.SyncResellers, Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName,
		Resellers: []domain.Reseller{{MPNID: "7654321", Name: "Gone Reseller"}}}); err != nil {
		t.Fatal(err)
	}
	var rule *domain.RuleError
	if _, _, err := req("7654321"); !errors.As(err, &rule) || rule.Rule != "reseller-not-in-partner-center" {
		t.Fatalf("not in Partner Center: %v", err)
	}
	// The workspace's refusals come first: an unknown reseller, a customer unknown.
	before := len(e.pc.Requests())
	if _, _, err := req("1111111"); err == nil {
		t.Fatal("an unknown reseller was accepted")
	}
	if _, _, err := e.ws.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: "nobody.example", Subject: "s", Body: domain.LinkPlaceholder}); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown customer: %v", err)
	}
	if len(e.pc.Requests()) != before {
		t.Fatal("asked Partner Center for a request the workspace refuses")
	}
	// Partner Center's refusal.
	e.pc.Inject(pctest.Fault{Route: pctest.RouteRelationshipRequest, Status: http.StatusForbidden})
	refusal(t, func() error { _, _, err := req("1234567"); return err }(), http.StatusForbidden, "relationship request link")

	// pcctl's own acceptance is refused: the customer accepts in Partner Center.
	if _, err := e.ws.AcceptRelationship(ctx, pending[0].Token); !errors.As(err, &rule) || !strings.Contains(err.Error(), "pcctl sync customers") {
		t.Fatalf("accept: %v", err)
	}
}

// TestOnPostgresRelationshipsAndRequests runs this file's and requests_test.go's tests
// again on a PostgreSQL workspace (PCCTL_TEST_DATABASE_URL; skipped without).
func TestOnPostgresRelationshipsAndRequests(t *testing.T) {
	open := storetest.Postgres(t, "linkedrel")
	old := openWorkspace
	t.Cleanup(func() { openWorkspace = old })
	openWorkspace = open
	for name, fn := range map[string]func(*testing.T){
		"CreateRequestWritesThrough":                 TestCreateRequestWritesThrough,
		"RequestAcceptedThenLocalWriteFailed":        TestRequestAcceptedThenLocalWriteFailed,
		"UpdateRequestWritesThrough":                 TestUpdateRequestWritesThrough,
		"SubscriptionAndEndRelationshipWriteThrough": TestSubscriptionAndEndRelationshipWriteThrough,
		"RelationshipRefusals":                       TestRelationshipRefusals,
		"RelationshipAcceptedThenLocalWriteFailed":   TestRelationshipAcceptedThenLocalWriteFailed,
		"RequestRelationshipGivesPartnerCentersLink": TestRequestRelationshipGivesPartnerCentersLink,
	} {
		t.Run(name, fn)
	}
}
