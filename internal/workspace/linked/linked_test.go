package linked_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
	"github.com/pcctl/pcctl/internal/pcsync"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/linked"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

type env struct {
	pc    *pctest.Server
	c     *partnercenter.Client
	inner workspace.Workspace
	ws    *linked.Workspace
}

// setup is a workspace linked to the stand-in's tenant (an empty sync of requests),
// wrapped in write-through with a client of the stand-in.
func setup(t *testing.T) *env {
	t.Helper()
	pc := pctest.New(false)
	t.Cleanup(pc.Close)
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ws.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	inner := db.As(domain.Owner("admin@fabrikam.com"))
	c, err := partnercenter.New(partnercenter.Options{PartnerCenterURL: pc.URL, ReferralsURL: pc.URL, Tokens: partnercenter.StaticToken("tok"),
		Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inner.ApplySync(context.Background(), workspace.SyncStep{Kind: workspace.SyncRequests, Tenant: pc.TenantID,
		TenantName: pc.CompanyName, Start: true, Finish: true}); err != nil {
		t.Fatal(err)
	}
	return &env{pc: pc, c: c, inner: inner, ws: linked.New(inner, linked.Options{Tenant: pc.TenantID, TenantName: pc.CompanyName, PartnerCenter: c})}
}

func newDeal() domain.Deal {
	return domain.Deal{Name: "Modern Workplace", Organization: "Fabrikam Prospect", OrgCountry: "FR", Value: "50000", Currency: "EUR",
		Solutions: []domain.Solution{{ID: "SOL-M365", Source: domain.OwnSolution}}}
}

func (e *env) requests(method, route string) int {
	n := 0
	for _, r := range e.pc.Requests() {
		if r.Method == method && r.Route == route {
			n++
		}
	}
	return n
}

func publication(t *testing.T, ws workspace.Workspace, id string) workspace.DealPublication {
	t.Helper()
	pubs, err := ws.DealPublications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pubs {
		if p.DealID == id {
			return p
		}
	}
	t.Fatalf("no deal %s", id)
	return workspace.DealPublication{}
}

func countDeals(t *testing.T, ws workspace.Workspace) int {
	t.Helper()
	n := 0
	if err := ws.ListDeals(context.Background(), workspace.DealQuery{}, func(workspace.DealRecord) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateDealWritesThrough(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	rec, err := e.ws.CreateDeal(ctx, newDeal())
	if err != nil {
		t.Fatal(err)
	}
	ref, ok := e.pc.Referral(rec.ID)
	if !ok {
		t.Fatalf("the deal's ID %s is not Partner Center's referral", rec.ID)
	}
	if ref.Name != "Modern Workplace" || ref.CustomerProfile.Name != "Fabrikam Prospect" || string(ref.Details.DealValue) != "50000" {
		t.Fatalf("sent: %+v", ref)
	}
	p := publication(t, e.inner, rec.ID)
	if p.State != workspace.PublishPublished || p.ReferralID != rec.ID || p.EngagementID != ref.EngagementID || p.ETag != pctest.ReferralETag(1) {
		t.Fatalf("publication: %+v", p)
	}
	// The next sync brings the referral back onto the same deal.
	if _, err := pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncDeals}}); err != nil {
		t.Fatal(err)
	}
	if n := countDeals(t, e.ws); n != 1 {
		t.Fatalf("%d deals after a sync, want 1", n)
	}
	// A given ID stays the deal's and is the referral's externalReferenceId.
	d := newDeal()
	d.ID = "OPP-42"
	rec, err = e.ws.CreateDeal(ctx, d)
	if err != nil || rec.ID != "OPP-42" {
		t.Fatalf("%+v %v", rec, err)
	}
	if byExt, _ := e.pc.ReferralsWithExternalID(); byExt["OPP-42"] != 1 {
		t.Fatalf("externalReferenceId: %v", byExt)
	}
	if _, err := pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncDeals}}); err != nil {
		t.Fatal(err)
	}
	if n := countDeals(t, e.ws); n != 2 {
		t.Fatalf("%d deals after a sync, want 2", n)
	}
	// The same ID again is refused before anything is sent.
	posts := e.requests(http.MethodPost, pctest.RouteReferrals)
	var rule *domain.RuleError
	if _, err := e.ws.CreateDeal(ctx, d); !errors.As(err, &rule) {
		t.Fatalf("a second OPP-42: %v", err)
	}
	if e.requests(http.MethodPost, pctest.RouteReferrals) != posts {
		t.Fatal("a deal the workspace refuses was sent")
	}
}

func TestCreateDealRefusals(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	// Partner Center's validation: its message and request ID, nothing written.
	e.pc.Inject(pctest.Fault{Route: pctest.RouteReferrals, Status: http.StatusBadRequest})
	_, err := e.ws.CreateDeal(ctx, newDeal())
	var refusedErr *linked.RefusedError
	var pe *partnercenter.Error
	if !errors.As(err, &refusedErr) || !errors.As(err, &pe) || pe.Status != 400 || !strings.Contains(err.Error(), "MS-RequestId: "+pe.RequestID) ||
		!strings.HasPrefix(err.Error(), "Referrals API refused to create the deal: 400 Bad Request") {
		t.Fatalf("400: %v", err)
	}
	if n := countDeals(t, e.ws); n != 0 {
		t.Fatalf("%d deals written after a refusal", n)
	}
	// A customer the workspace does not have: not found, nothing sent.
	d := newDeal()
	d.CustomerID, d.Organization, d.OrgCountry = "nope.onmicrosoft.com", "", ""
	if _, err := e.ws.CreateDeal(ctx, d); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown customer: %v", err)
	}
	// Not signed in: refused (access), reads still work.
	out := linked.New(e.inner, linked.Options{Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName})
	var auth *domain.AuthError
	if _, err := out.CreateDeal(ctx, newDeal()); !errors.As(err, &auth) || !strings.Contains(err.Error(), "run pcctl auth login") {
		t.Fatalf("not signed in: %v", err)
	}
	if _, err := out.Info(ctx); err != nil {
		t.Fatal(err)
	}
	// Signed in to another tenant: refused (a rule) before anything is sent.
	posts := e.requests(http.MethodPost, pctest.RouteReferrals)
	other := linked.New(e.inner, linked.Options{Tenant: "11111111-0000-4000-8000-000000000000", TenantName: "Other", PartnerCenter: e.c})
	var rule *domain.RuleError
	if _, err := other.CreateDeal(ctx, newDeal()); !errors.As(err, &rule) || rule.Rule != "one-partner-tenant" {
		t.Fatalf("another tenant: %v", err)
	}
	if e.requests(http.MethodPost, pctest.RouteReferrals) != posts {
		t.Fatal("sent to another tenant")
	}
}

// failingCreate is a workspace whose CreateDeal fails: the local write after Partner
// Center accepted.
type failingCreate struct{ workspace.Workspace }

func (failingCreate) CreateDeal(context.Context, domain.Deal) (workspace.DealRecord, error) {
	return workspace.DealRecord{}, errors.New("disk I/O error")
}

func TestCreateDealAcceptedThenLocalWriteFailed(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	ws := linked.New(failingCreate{e.inner}, linked.Options{Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName, PartnerCenter: e.c})
	_, err := ws.CreateDeal(ctx, newDeal())
	var un *linked.UnrecordedError
	if !errors.As(err, &un) || !strings.Contains(err.Error(), "disk I/O error") || !strings.Contains(err.Error(), "run pcctl sync deals") {
		t.Fatalf("%v", err)
	}
	if _, total := e.pc.ReferralsWithExternalID(); total != 1 {
		t.Fatalf("%d referrals", total)
	}
	if n := countDeals(t, e.inner); n != 0 {
		t.Fatalf("%d deals", n)
	}
	// The next sync repairs it: the deal, once, under the referral's ID.
	if _, err := pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncDeals}}); err != nil {
		t.Fatal(err)
	}
	var got []workspace.DealRecord
	_ = e.inner.ListDeals(ctx, workspace.DealQuery{}, func(r workspace.DealRecord) error { got = append(got, r); return nil })
	if len(got) != 1 || got[0].Name != "Modern Workplace" {
		t.Fatalf("after the sync: %+v", got)
	}
	if _, ok := e.pc.Referral(got[0].ID); !ok {
		t.Fatalf("the synced deal %s is not the referral", got[0].ID)
	}
}
