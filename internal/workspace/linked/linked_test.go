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
	"github.com/pcctl/pcctl/internal/workspace/storetest"
)

// openWorkspace opens the storage the tests run on: a workspace file, or (TestOnPostgres)
// a PostgreSQL database.
var openWorkspace storetest.Opener = storetest.SQLite

// TestOnPostgres runs the write-through tests again on a PostgreSQL workspace worked on
// directly (PCCTL_TEST_DATABASE_URL; skipped without): the Factory wraps it the same way.
func TestOnPostgres(t *testing.T) {
	open := storetest.Postgres(t, "linked")
	old := openWorkspace
	t.Cleanup(func() { openWorkspace = old })
	openWorkspace = open
	for name, fn := range map[string]func(*testing.T){
		"CreateDealWritesThrough":                 TestCreateDealWritesThrough,
		"CreateDealRefusals":                      TestCreateDealRefusals,
		"CreateDealAcceptedThenLocalWriteFailed":  TestCreateDealAcceptedThenLocalWriteFailed,
		"DealChangesWriteThrough":                 TestDealChangesWriteThrough,
		"DealChangeStaleAndRefused":               TestDealChangeStaleAndRefused,
		"DealChangeAcceptedThenLocalWriteFailed":  TestDealChangeAcceptedThenLocalWriteFailed,
		"AddCustomerWritesThrough":                TestAddCustomerWritesThrough,
		"AddCustomerAcceptedThenLocalWriteFailed": TestAddCustomerAcceptedThenLocalWriteFailed,
		"InterruptedWhilePartnerCenterHasIt":      TestInterruptedWhilePartnerCenterHasIt,
	} {
		t.Run(name, fn)
	}
}

func connect(c *partnercenter.Client) func(context.Context) (*partnercenter.Client, error) {
	return func(context.Context) (*partnercenter.Client, error) { return c, nil }
}

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
	inner := openWorkspace(t).As(domain.Owner("admin@fabrikam.com"))
	c, err := partnercenter.New(partnercenter.Options{PartnerCenterURL: pc.URL, ReferralsURL: pc.URL, Tokens: partnercenter.StaticToken("tok"),
		Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inner.ApplySync(context.Background(), workspace.SyncStep{Kind: workspace.SyncRequests, Tenant: pc.TenantID,
		TenantName: pc.CompanyName, Start: true, Finish: true}); err != nil {
		t.Fatal(err)
	}
	return &env{pc: pc, c: c, inner: inner, ws: linked.New(inner, linked.Options{Tenant: pc.TenantID, TenantName: pc.CompanyName, Connect: connect(c)})}
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
	out := linked.New(e.inner, linked.Options{Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName,
		Connect: func(context.Context) (*partnercenter.Client, error) {
			return nil, &domain.AuthError{Code: domain.AuthMissing, Reason: "not signed in to Partner Center; run pcctl auth login"}
		}})
	var auth *domain.AuthError
	if _, err := out.CreateDeal(ctx, newDeal()); !errors.As(err, &auth) || !strings.Contains(err.Error(), "run pcctl auth login") {
		t.Fatalf("not signed in: %v", err)
	}
	if _, err := out.Info(ctx); err != nil {
		t.Fatal(err)
	}
	// Signed in to another tenant: refused (a rule) before anything is sent.
	posts := e.requests(http.MethodPost, pctest.RouteReferrals)
	other := linked.New(e.inner, linked.Options{Tenant: "11111111-0000-4000-8000-000000000000", TenantName: "Other", Connect: connect(e.c)})
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
	ws := linked.New(failingCreate{e.inner}, linked.Options{Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName, Connect: connect(e.c)})
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

// inbound puts a referral a Microsoft seller sent into the stand-in and syncs it.
func (e *env) inbound(t *testing.T, id string) {
	t.Helper()
	when := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	e.pc.PutReferral(api.Referral{ID: id, EngagementID: "e-" + id, Name: "Inbound " + id, Status: api.Named("New"), Substatus: api.Named("Received"),
		Type: api.Named("Shared"), Direction: api.Named("Incoming"), CreatedDateTime: &when, UpdatedDateTime: &when,
		CustomerProfile: &api.ReferralCustomerProfile{Name: "Northwind", Address: &api.ReferralAddress{Country: "DE"}},
		Details: &api.ReferralDetails{DealValue: "1000", Currency: "EUR",
			Requirements: &api.ReferralRequirements{Solutions: []api.ReferralSolution{{ID: "SOL-Azure"}}}}})
	e.sync(t)
}

func (e *env) sync(t *testing.T) {
	t.Helper()
	if _, err := pcsync.Run(context.Background(), e.inner, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncDeals}}); err != nil {
		t.Fatal(err)
	}
}

func TestDealChangesWriteThrough(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	e.inbound(t, "4ef00000-0000-4000-8000-000000000001")
	id := "4ef00000-0000-4000-8000-000000000001"
	// A synced deal has no ETag yet: it is read first, then patched with it.
	rec, err := e.ws.ActOnDeal(ctx, id, domain.ActAccept, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != domain.DealActive || rec.Substatus != domain.SubAccepted {
		t.Fatalf("local: %s/%s", rec.Status, rec.Substatus)
	}
	ref, _ := e.pc.Referral(id)
	if st, _ := ref.Status.Resolve(api.ReferralStatuses); st != "Active" {
		t.Fatalf("Partner Center: %+v", ref.Status)
	}
	if p := publication(t, e.inner, id); p.ETag != pctest.ReferralETag(2) || p.ReferralID != id {
		t.Fatalf("publication: %+v", p)
	}
	// Then with the ETag kept: no read.
	gets := e.requests(http.MethodGet, pctest.RouteReferral)
	v := "75000"
	if _, err := e.ws.UpdateDeal(ctx, id, workspace.DealChange{Value: &v, AddSolutions: []domain.Solution{{ID: "SOL-M365", Source: domain.OwnSolution}}}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ws.AddDealNote(ctx, id, "Call on Monday", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ws.SetDealTeamMember(ctx, id, "jane@fabrikam.com", true, 0); err != nil {
		t.Fatal(err)
	}
	if e.requests(http.MethodGet, pctest.RouteReferral) != gets {
		t.Fatal("the referral was read again though its ETag was kept")
	}
	ref, _ = e.pc.Referral(id)
	if string(ref.Details.DealValue) != "75000" || len(ref.Details.Requirements.Solutions) != 2 || ref.Details.Notes != "Call on Monday" ||
		len(ref.Team) != 1 || ref.Team[0].Email != "jane@fabrikam.com" {
		t.Fatalf("Partner Center: %+v %+v", ref.Details, ref.Team)
	}
	if p := publication(t, e.inner, id); p.ETag != pctest.ReferralETag(5) {
		t.Fatalf("ETag kept: %+v", p)
	}
	// A stale --if-version is refused before anything is sent.
	patches := e.requests(http.MethodPatch, pctest.RouteReferral)
	var rule *domain.RuleError
	if _, err := e.ws.SetDealTeamMember(ctx, id, "bob@fabrikam.com", true, 1); !errors.As(err, &rule) || rule.Rule != "stale" {
		t.Fatalf("--if-version: %v", err)
	}
	// A rule of the workspace too (declining an accepted deal).
	if _, err := e.ws.ActOnDeal(ctx, id, domain.ActDecline, "", 0); !errors.As(err, &rule) {
		t.Fatalf("decline an accepted deal: %v", err)
	}
	if e.requests(http.MethodPatch, pctest.RouteReferral) != patches {
		t.Fatal("a change the workspace refuses was sent")
	}
	// A deal Partner Center does not have changes locally only.
	local, err := e.inner.CreateDeal(ctx, newDeal())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ws.ActOnDeal(ctx, local.ID, domain.ActWin, "signed", 0); err != nil {
		t.Fatal(err)
	}
	if e.requests(http.MethodPatch, pctest.RouteReferral) != patches {
		t.Fatal("a deal Partner Center does not have was patched")
	}
}

func TestDealChangeStaleAndRefused(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	id := "4ef00000-0000-4000-8000-000000000002"
	e.inbound(t, id)
	if _, err := e.ws.ActOnDeal(ctx, id, domain.ActAccept, "", 0); err != nil {
		t.Fatal(err)
	}
	// Someone changes the referral in Partner Center: the ETag kept is stale, and Partner
	// Center's copy newer than the workspace's: refused, saying to sync and retry.
	time.Sleep(1100 * time.Millisecond) // a later second than the workspace's copy
	if _, err := e.c.UpdateReferral(ctx, id, "*", []partnercenter.PatchOp{partnercenter.Replace("/name", "Renamed in Partner Center")}); err != nil {
		t.Fatal(err)
	}
	v := "2000"
	_, err := e.ws.UpdateDeal(ctx, id, workspace.DealChange{Value: &v}, 0)
	var rule *domain.RuleError
	if !errors.As(err, &rule) || rule.Rule != "stale" || !strings.Contains(err.Error(), "run pcctl sync deals, show it again") {
		t.Fatalf("stale: %v", err)
	}
	if ref, _ := e.pc.Referral(id); string(ref.Details.DealValue) != "1000" {
		t.Fatal("a stale change was made")
	}
	// After a sync the workspace has Partner Center's state: the change goes through.
	e.sync(t)
	rec, err := e.ws.UpdateDeal(ctx, id, workspace.DealChange{Value: &v}, 0)
	if err != nil || rec.Name != "Renamed in Partner Center" || rec.Value != "2000" {
		t.Fatalf("after a sync: %+v %v", rec, err)
	}
	// Partner Center's refusals: 400 (a rule, its message), 404 (not found), 412 on a
	// fresh ETag (a conflict), 401/403 (access).
	for _, tc := range []struct {
		status int
		want   string
	}{{400, "Bad Request"}, {404, "Not Found"}, {412, "show it again"}, {403, "role"}} {
		// Times 2: a 412 on the ETag kept is tried once more with Partner Center's.
		e.pc.Inject(pctest.Fault{Route: pctest.RouteReferral, Method: http.MethodPatch, Status: tc.status, Times: 2})
		n := "Renamed again"
		_, err := e.ws.UpdateDeal(ctx, id, workspace.DealChange{Name: &n}, 0)
		var pe *partnercenter.Error
		if !errors.As(err, &pe) || pe.Status != tc.status || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "MS-RequestId: "+pe.RequestID) {
			t.Fatalf("%d: %v", tc.status, err)
		}
		if got, _ := e.inner.Deal(ctx, id); got.Name == n {
			t.Fatalf("%d: written", tc.status)
		}
		e.pc.ClearFaults()
	}
}

// failingAct is a workspace whose ActOnDeal fails after Partner Center accepted.
type failingAct struct{ workspace.Workspace }

func (failingAct) ActOnDeal(context.Context, string, domain.DealAction, string, int) (workspace.DealRecord, error) {
	return workspace.DealRecord{}, errors.New("database is locked")
}

func TestDealChangeAcceptedThenLocalWriteFailed(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	id := "4ef00000-0000-4000-8000-000000000003"
	e.inbound(t, id)
	ws := linked.New(failingAct{e.inner}, linked.Options{Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName, Connect: connect(e.c)})
	_, err := ws.ActOnDeal(ctx, id, domain.ActAccept, "", 0)
	var un *linked.UnrecordedError
	if !errors.As(err, &un) || !strings.Contains(err.Error(), "run pcctl sync deals") {
		t.Fatalf("%v", err)
	}
	if d, _ := e.inner.Deal(ctx, id); d.Status != domain.DealNew {
		t.Fatalf("local: %s", d.Status)
	}
	e.sync(t)
	if d, _ := e.inner.Deal(ctx, id); d.Status != domain.DealActive || d.Substatus != domain.SubAccepted {
		t.Fatalf("after the sync: %s/%s", d.Status, d.Substatus)
	}
	// And the next change goes through (the ETag kept is stale; the workspace is not).
	if _, err := e.ws.ActOnDeal(ctx, id, domain.ActWin, "signed", 0); err != nil {
		t.Fatal(err)
	}
}

func TestAddCustomerWritesThrough(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	var creds workspace.AdminCredentials
	rec, err := e.ws.AddCustomer(workspace.WithAdminCredentials(ctx, &creds),
		domain.Customer{CompanyName: "Contoso Ltd", Domain: "Contoso.onmicrosoft.com", Country: "GB"}, "")
	if err != nil {
		t.Fatal(err)
	}
	pcc, ok := e.pc.Customer(rec.ID)
	if !ok || pcc.CompanyProfile.Domain != "contoso.onmicrosoft.com" {
		t.Fatalf("the customer's ID %s is not Partner Center's tenant: %+v", rec.ID, pcc)
	}
	if creds.Account != "admin@contoso.onmicrosoft.com" || creds.Password == "" || rec.AdminAccount != creds.Account {
		t.Fatalf("credentials %+v, admin account %q", creds, rec.AdminAccount)
	}
	// The next sync of customers finds it, once.
	if _, err := pcsync.Run(ctx, e.inner, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.inner.CountCustomers(ctx); n != 1 {
		t.Fatalf("%d customers after a sync", n)
	}
	posts := e.requests(http.MethodPost, pctest.RouteCustomers)
	var rule *domain.RuleError
	// Refused before anything is sent: the domain the workspace has, a tenant ID given.
	if _, err := e.ws.AddCustomer(ctx, domain.Customer{CompanyName: "Again", Domain: "contoso.onmicrosoft.com", Country: "GB"}, ""); !errors.As(err, &rule) {
		t.Fatalf("domain taken: %v", err)
	}
	if _, err := e.ws.AddCustomer(ctx, domain.Customer{ID: "c0000000-0000-4000-8000-000000000009", CompanyName: "X", Domain: "x.example", Country: "GB"}, ""); !errors.As(err, &rule) || rule.Rule != "new-tenant" {
		t.Fatalf("--id: %v", err)
	}
	if e.requests(http.MethodPost, pctest.RouteCustomers) != posts {
		t.Fatal("sent")
	}
	// Partner Center's refusals: a domain another tenant has (409), its validation (400).
	e.pc.PutCustomer(api.Customer{ID: "c0000000-0000-4000-8000-000000000001", CompanyProfile: api.CompanyProfile{Domain: "taken.example", CompanyName: "Taken"}})
	var pe *partnercenter.Error
	_, err = e.ws.AddCustomer(ctx, domain.Customer{CompanyName: "Mine", Domain: "taken.example", Country: "GB"}, "")
	if !errors.As(err, &pe) || pe.Status != http.StatusConflict || !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), "MS-RequestId: "+pe.RequestID) {
		t.Fatalf("409: %v", err)
	}
	e.pc.Inject(pctest.Fault{Route: pctest.RouteCustomers, Method: http.MethodPost, Status: 400})
	if _, err := e.ws.AddCustomer(ctx, domain.Customer{CompanyName: "Mine", Domain: "mine.example", Country: "GB"}, ""); !errors.As(err, &pe) || pe.Status != 400 {
		t.Fatalf("400: %v", err)
	}
	if n, _ := e.inner.CountCustomers(ctx); n != 1 {
		t.Fatalf("%d customers after refusals", n)
	}
}

type failingAdd struct{ workspace.Workspace }

func (failingAdd) AddCustomer(context.Context, domain.Customer, string) (workspace.CustomerRecord, error) {
	return workspace.CustomerRecord{}, errors.New("disk full")
}

func TestAddCustomerAcceptedThenLocalWriteFailed(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	ws := linked.New(failingAdd{e.inner}, linked.Options{Tenant: e.pc.TenantID, TenantName: e.pc.CompanyName, Connect: connect(e.c)})
	var creds workspace.AdminCredentials
	_, err := ws.AddCustomer(workspace.WithAdminCredentials(ctx, &creds), domain.Customer{CompanyName: "Contoso", Domain: "contoso.example", Country: "GB"}, "")
	var un *linked.UnrecordedError
	if !errors.As(err, &un) || !strings.Contains(err.Error(), "run pcctl sync customers") || creds.Password == "" {
		t.Fatalf("%v %+v", err, creds)
	}
	if _, err := pcsync.Run(ctx, e.inner, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}}); err != nil {
		t.Fatal(err)
	}
	if c, err := e.inner.Customer(ctx, "contoso.example"); err != nil || c.CompanyName != "Contoso" {
		t.Fatalf("after the sync: %+v %v", c, err)
	}
}

func TestInterruptedWhilePartnerCenterHasIt(t *testing.T) {
	e := setup(t)
	e.pc.Inject(pctest.Fault{Route: pctest.RouteReferrals, Method: http.MethodPost, Delay: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := e.ws.CreateDeal(ctx, newDeal())
	var in *linked.InterruptedError
	if !errors.As(err, &in) || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "may or may not have made it") {
		t.Fatalf("%v", err)
	}
	if n := countDeals(t, e.inner); n != 0 {
		t.Fatalf("%d deals", n)
	}
}

// TestAddCustomerForReseller: Partner Center names the indirect reseller a customer is
// created for by its partner tenant ID (associatedPartnerId), found from the MPN ID the
// user gives; a reseller the workspace has but Partner Center does not list is refused
// before anything is sent.
func TestAddCustomerForReseller(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	e.pc.SetResellers([]api.Reseller{{ID: "r-tenant-1", MPNID: "1234567", Name: "Fabrikam Reseller"}})
	e.syncKinds(t, workspace.SyncResellers)
	rec, err := e.ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.example", Country: "GB", ResellerMPNID: "1234567"}, "")
	if err != nil {
		t.Fatal(err) // the stand-in refuses an associatedPartnerId that is no reseller's tenant ID
	}
	if rec.ResellerMPNID != "1234567" {
		t.Fatalf("reseller %q", rec.ResellerMPNID)
	}
	posts := e.requests(http.MethodPost, pctest.RouteCustomers)
	e.pc.SetResellers(nil)
	var rule *domain.RuleError
	_, err = e.ws.AddCustomer(ctx, domain.Customer{CompanyName: "Other", Domain: "other.example", Country: "GB", ResellerMPNID: "1234567"}, "")
	if !errors.As(err, &rule) || rule.Rule != "reseller-not-in-partner-center" {
		t.Fatalf("a reseller Partner Center does not list: %v", err)
	}
	if e.requests(http.MethodPost, pctest.RouteCustomers) != posts {
		t.Fatal("sent")
	}
}
