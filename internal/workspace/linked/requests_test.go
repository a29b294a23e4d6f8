package linked_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
	"github.com/pcctl/pcctl/internal/pcsync"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/linked"
)

const (
	custID  = "c0000000-0000-4000-8000-000000000001"
	custDom = "contoso.onmicrosoft.com"
	subID   = "5ub00000-0000-4000-8000-000000000001"
	subID2  = "5ub00000-0000-4000-8000-000000000002"
)

// withCustomer puts a customer (with an active and a suspended subscription) in the
// stand-in and syncs customers and subscriptions into the workspace.
func (e *env) withCustomer(t *testing.T) {
	t.Helper()
	e.pc.PutCustomer(api.Customer{ID: custID, CompanyProfile: api.CompanyProfile{Domain: custDom, CompanyName: "Contoso"},
		RelationshipToPartner: "reseller", BillingProfile: &api.BillingProfile{DefaultAddress: api.Address{Country: "US"}}})
	e.pc.SetSubscriptions(custID, []api.Subscription{
		{ID: subID, OfferName: "Microsoft 365 E3", Quantity: 10, Status: "active"},
		{ID: subID2, OfferName: "Exchange Online", Quantity: 2, Status: "suspended"},
	})
	e.syncKinds(t, workspace.SyncCustomers, workspace.SyncSubscriptions)
}

func (e *env) syncKinds(t *testing.T, kinds ...workspace.SyncKind) {
	t.Helper()
	if _, err := pcsync.Run(context.Background(), e.inner, e.c, pcsync.Options{Kinds: kinds}); err != nil {
		t.Fatal(err)
	}
}

// signedOut is the Connect of a workspace nobody is signed in to.
func signedOut(context.Context) (*partnercenter.Client, error) {
	return nil, &domain.AuthError{Code: domain.AuthMissing, Reason: "not signed in to Partner Center; run pcctl auth login"}
}

func newRequest() domain.ServiceRequest {
	return domain.ServiceRequest{CustomerID: custDom, Title: "Cannot assign licences", Description: "Every assignment fails.",
		Severity: domain.SeverityModerate, Topic: "billing", ContactEmail: "Sue@Contoso.com"}
}

func refusal(t *testing.T, err error, status int, part string) *linked.RefusedError {
	t.Helper()
	var r *linked.RefusedError
	if !errors.As(err, &r) || r.Err.Status != status || !strings.Contains(err.Error(), part) || !strings.Contains(err.Error(), "MS-RequestId: "+r.Err.RequestID) {
		t.Fatalf("want Partner Center's %d (%q), got %v", status, part, err)
	}
	return r
}

func TestCreateRequestWritesThrough(t *testing.T) {
	e := setup(t)
	e.withCustomer(t)
	ctx := context.Background()
	rec, err := e.ws.CreateRequest(ctx, newRequest())
	if err != nil {
		t.Fatal(err)
	}
	sr, ok := e.pc.ServiceRequest(rec.Ref)
	if !ok {
		t.Fatalf("the request's reference %s is not Partner Center's ID", rec.Ref)
	}
	if sr.SupportTopicID != "32569836" || sr.Organization == nil || sr.Organization.ID != custID || sr.PrimaryContact.Email != "sue@contoso.com" {
		t.Fatalf("sent %+v", sr)
	}
	// Partner Center's date and topic's name are the workspace's.
	if !rec.CreatedAt.Equal(time.Time(sr.CreatedDate).Truncate(time.Second)) || rec.Topic != "Billing" || rec.Status != domain.RequestOpen || rec.CustomerID != custID {
		t.Fatalf("recorded %+v, Partner Center created it %v", rec, time.Time(sr.CreatedDate))
	}
	// The next sync brings it back onto the same request.
	e.syncKinds(t, workspace.SyncRequests)
	n := 0
	_ = e.inner.ListRequests(ctx, workspace.RequestQuery{}, func(workspace.RequestRecord) error { n++; return nil })
	if n != 1 {
		t.Fatalf("%d requests after a sync, want 1", n)
	}

	// What pcctl can tell is wrong is never sent: a topic Partner Center does not have
	// (the allowed ones named), a severity, a customer unknown.
	posts := e.requests(http.MethodPost, pctest.RouteServiceRequest)
	var invalid *domain.InvalidError
	bad := newRequest()
	bad.Topic = "Gardening"
	if _, err := e.ws.CreateRequest(ctx, bad); !errors.As(err, &invalid) || invalid.Field != "topic" || !strings.Contains(err.Error(), "Billing, Cannot manage my profile") {
		t.Fatalf("unknown topic: %v", err)
	}
	bad.Topic = ""
	if _, err := e.ws.CreateRequest(ctx, bad); !errors.As(err, &invalid) || invalid.Field != "topic" || !strings.Contains(err.Error(), "is needed") {
		t.Fatalf("no topic: %v", err)
	}
	bad = newRequest()
	bad.Severity = "urgent"
	if _, err := e.ws.CreateRequest(ctx, bad); !errors.As(err, &invalid) {
		t.Fatalf("severity: %v", err)
	}
	bad = newRequest()
	bad.CustomerID = "nobody.example"
	if _, err := e.ws.CreateRequest(ctx, bad); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("customer: %v", err)
	}
	if e.requests(http.MethodPost, pctest.RouteServiceRequest) != posts {
		t.Fatal("a request pcctl refuses was sent")
	}

	// Partner Center's validation (a description is required there): its message, exit 4,
	// nothing recorded.
	bad = newRequest()
	bad.Description = ""
	refusal(t, func() error { _, err := e.ws.CreateRequest(ctx, bad); return err }(), http.StatusBadRequest, "Description is required")
	// Access refused.
	e.pc.Inject(pctest.Fault{Route: pctest.RouteServiceRequest, Status: http.StatusForbidden})
	r := refusal(t, func() error { _, err := e.ws.CreateRequest(ctx, newRequest()); return err }(), http.StatusForbidden, "role")
	var auth *domain.AuthError
	if !errors.As(r, &auth) {
		t.Fatalf("403 is not an AuthError: %v", r)
	}
	n = 0
	_ = e.inner.ListRequests(ctx, workspace.RequestQuery{}, func(workspace.RequestRecord) error { n++; return nil })
	if n != 1 || e.pc.ServiceRequestCount() != 1 {
		t.Fatalf("%d requests in the workspace, %d in Partner Center after refusals", n, e.pc.ServiceRequestCount())
	}

	// Not signed in: refused before anything is sent, naming the sign-in.
	out := linked.New(e.inner, linked.Options{Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName, Connect: signedOut})
	if _, err := out.CreateRequest(ctx, newRequest()); !errors.As(err, &auth) || !strings.Contains(err.Error(), "pcctl auth login") {
		t.Fatalf("not signed in: %v", err)
	}
}

// failingRequests is a workspace whose request writes fail after Partner Center accepted.
type failingRequests struct{ workspace.Workspace }

func (failingRequests) CreateRequest(context.Context, domain.ServiceRequest) (workspace.RequestRecord, error) {
	return workspace.RequestRecord{}, errors.New("disk I/O error")
}

func (failingRequests) UpdateRequest(context.Context, string, domain.RequestChange) (workspace.RequestRecord, error) {
	return workspace.RequestRecord{}, errors.New("disk I/O error")
}

func TestRequestAcceptedThenLocalWriteFailed(t *testing.T) {
	e := setup(t)
	e.withCustomer(t)
	ctx := context.Background()
	ws := linked.New(failingRequests{e.inner}, linked.Options{Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName, Connect: connect(e.c)})
	_, err := ws.CreateRequest(ctx, newRequest())
	var un *linked.UnrecordedError
	if !errors.As(err, &un) || !strings.Contains(err.Error(), "run pcctl sync requests") || e.pc.ServiceRequestCount() != 1 {
		t.Fatalf("%v", err)
	}
	// The next sync repairs it.
	e.syncKinds(t, workspace.SyncRequests)
	var got []workspace.RequestRecord
	_ = e.inner.ListRequests(ctx, workspace.RequestQuery{}, func(r workspace.RequestRecord) error { got = append(got, r); return nil })
	if len(got) != 1 || got[0].Title != "Cannot assign licences" {
		t.Fatalf("after the sync: %+v", got)
	}
	if _, err := ws.UpdateRequest(ctx, got[0].Ref, domain.RequestChange{Status: domain.RequestClosed}); !errors.As(err, &un) {
		t.Fatalf("update: %v", err)
	}
	if sr, _ := e.pc.ServiceRequest(got[0].Ref); sr.Status.Name != "closed" {
		t.Fatalf("Partner Center has %+v", sr.Status)
	}
}

func TestUpdateRequestWritesThrough(t *testing.T) {
	e := setup(t)
	e.withCustomer(t)
	ctx := context.Background()
	rec, err := e.ws.CreateRequest(ctx, newRequest())
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.ws.UpdateRequest(ctx, rec.Ref, domain.RequestChange{Severity: domain.SeverityCritical, Note: "Still failing."})
	if err != nil || got.Severity != domain.SeverityCritical || len(got.Notes) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	got, err = e.ws.UpdateRequest(ctx, rec.Ref, domain.RequestChange{Status: domain.RequestClosed, Note: "Solved."})
	if err != nil || got.Status != domain.RequestClosed {
		t.Fatalf("%+v %v", got, err)
	}
	sr, _ := e.pc.ServiceRequest(rec.Ref)
	if sev, _ := sr.Severity.Resolve(api.SeverityNames); sr.Status.Name != "closed" || sev != "critical" || len(sr.Notes) != 2 || sr.Notes[1].Text != "Solved." {
		t.Fatalf("Partner Center has %+v", sr)
	}
	// A closed request changes only by being reopened: refused before anything is sent.
	patches := e.requests(http.MethodPatch, pctest.RouteServiceRequest)
	var rule *domain.RuleError
	if _, err := e.ws.UpdateRequest(ctx, rec.Ref, domain.RequestChange{Note: "one more"}); !errors.As(err, &rule) {
		t.Fatalf("closed: %v", err)
	}
	if e.requests(http.MethodPatch, pctest.RouteServiceRequest) != patches {
		t.Fatal("a change the workspace refuses was sent")
	}
	if got, err = e.ws.UpdateRequest(ctx, rec.Ref, domain.RequestChange{Status: domain.RequestOpen}); err != nil || got.Status != domain.RequestOpen {
		t.Fatalf("reopen: %+v %v", got, err)
	}

	// A request only the workspace has (filed before it was linked): Partner Center's 404.
	local, err := e.inner.CreateRequest(ctx, newRequest())
	if err != nil {
		t.Fatal(err)
	}
	refusal(t, func() error {
		_, err := e.ws.UpdateRequest(ctx, local.Ref, domain.RequestChange{Status: domain.RequestClosed})
		return err
	}(), http.StatusNotFound, "exists only in this workspace")
	if cur, _ := e.inner.Request(ctx, local.Ref); cur.Status != domain.RequestOpen {
		t.Fatalf("changed locally after a refusal: %+v", cur)
	}
	// An expired sign-in: 401 after one refresh.
	e.pc.Inject(pctest.Fault{Route: pctest.RouteServiceRequest, Expired: true, Times: 2})
	var auth *domain.AuthError
	if _, err := e.ws.UpdateRequest(ctx, rec.Ref, domain.RequestChange{Note: "x"}); !errors.As(err, &auth) {
		t.Fatalf("expired: %v", err)
	}
}
