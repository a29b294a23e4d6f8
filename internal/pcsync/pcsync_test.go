package pcsync_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
	"github.com/pcctl/pcctl/internal/pcsync"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/storetest"
)

type env struct {
	pc *pctest.Server
	ws workspace.Workspace
	c  *partnercenter.Client
}

func setup(t *testing.T) *env {
	t.Helper()
	pc := pctest.New(false)
	t.Cleanup(pc.Close)
	return &env{pc: pc, ws: openWorkspace(t).As(domain.Owner("admin@fabrikam.com")), c: client(t, pc)}
}

// openWorkspace opens the storage the tests run on: a workspace file, or (TestOnPostgres)
// a PostgreSQL database.
var openWorkspace storetest.Opener = storetest.SQLite

// TestOnPostgres runs the sync tests again on a PostgreSQL workspace
// (PCCTL_TEST_DATABASE_URL; skipped without): ApplySync and SyncState behave the same.
func TestOnPostgres(t *testing.T) {
	open := storetest.Postgres(t, "sync")
	old := openWorkspace
	t.Cleanup(func() { openWorkspace = old })
	openWorkspace = open
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"SyncCustomersCreatedUpdatedEndedLocalStateKept", TestSyncCustomersCreatedUpdatedEndedLocalStateKept},
		{"OtherTenantRefused", TestOtherTenantRefused},
		{"InterruptedResumesAndFullStartsOver", TestInterruptedResumesAndFullStartsOver},
		{"DryRunWritesNothing", TestDryRunWritesNothing},
		{"ThrottledSyncCompletes", TestThrottledSyncCompletes},
		{"MalformedPageWritesNothingOfIt", TestMalformedPageWritesNothingOfIt},
		{"ResellersAndSubscriptions", TestResellersAndSubscriptions},
		{"DealsAndRequests", TestDealsAndRequests},
		{"CustomersEndedWhateverThePageOrder", TestCustomersEndedWhateverThePageOrder},
	} {
		t.Run(tc.name, tc.fn)
	}
}

func client(t *testing.T, pc *pctest.Server) *partnercenter.Client {
	c, err := partnercenter.New(partnercenter.Options{PartnerCenterURL: pc.URL, ReferralsURL: pc.URL, Tokens: partnercenter.StaticToken("tok"),
		Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func customer(i int) api.Customer {
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	return api.Customer{ID: id, CompanyProfile: api.CompanyProfile{TenantID: id, Domain: fmt.Sprintf("c%d.onmicrosoft.com", i),
		CompanyName: fmt.Sprintf("Company %d", i)}, RelationshipToPartner: "reseller",
		BillingProfile: &api.BillingProfile{DefaultAddress: api.Address{Country: "US"}}}
}

func seed(e *env, n int) {
	var cs []api.Customer
	for i := range n {
		cs = append(cs, customer(i))
	}
	e.pc.SetCustomers(cs)
}

func counts(t *testing.T, r pcsync.Result, k workspace.SyncKind) workspace.SyncCounts {
	t.Helper()
	for _, kr := range r.Kinds {
		if kr.Kind == k {
			return kr.Counts
		}
	}
	t.Fatalf("no %s in %+v", k, r)
	return workspace.SyncCounts{}
}

func same(t *testing.T, what string, got workspace.SyncCounts, fetched, created, updated, unchanged, ended int) {
	t.Helper()
	if got.Fetched != fetched || got.Created != created || got.Updated != updated || got.Unchanged != unchanged || got.Ended != ended {
		t.Errorf("%s: fetched %d created %d updated %d unchanged %d ended %d; want %d %d %d %d %d (problems %v)", what,
			got.Fetched, got.Created, got.Updated, got.Unchanged, got.Ended, fetched, created, updated, unchanged, ended, got.Problems)
	}
}

func TestSyncCustomersCreatedUpdatedEndedLocalStateKept(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	seed(e, 2500)
	res, err := pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "first", counts(t, res, workspace.SyncCustomers), 2500, 2500, 0, 0, 0)
	if n, _ := e.ws.CountCustomers(ctx); n != 2500 {
		t.Fatalf("%d customers", n)
	}
	st, _ := e.ws.SyncState(ctx)
	if st.Tenant != e.pc.TenantID || st.TenantName != e.pc.CompanyName || len(st.Passes) != 0 || st.Last[workspace.SyncCustomers].IsZero() {
		t.Fatalf("state %+v", st)
	}
	// Local state: a flag, which Partner Center does not have.
	if _, err := e.ws.FlagCustomer(ctx, "c7.onmicrosoft.com"); err != nil {
		t.Fatal(err)
	}
	// Partner Center changes: one renamed, one gone, one new.
	c7 := customer(7)
	c7.CompanyProfile.CompanyName = "Renamed Seven"
	e.pc.PutCustomer(c7)
	e.pc.RemoveCustomer(customer(8).ID)
	e.pc.PutCustomer(customer(9000))
	res, err = pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}})
	if err != nil {
		t.Fatal(err)
	}
	got := counts(t, res, workspace.SyncCustomers)
	same(t, "second", got, 2500, 1, 1, 2498, 1)
	if !slices.Equal(got.EndedIDs, []string{customer(8).ID}) {
		t.Errorf("ended %v", got.EndedIDs)
	}
	c, err := e.ws.Customer(ctx, customer(7).ID)
	if err != nil || c.CompanyName != "Renamed Seven" || !c.Flagged {
		t.Fatalf("customer 7: %+v, %v", c, err)
	}
	if found, _ := e.ws.SearchCustomers(ctx, "renamed", 10); len(found) != 1 {
		t.Errorf("search finds %d renamed customers", len(found))
	}
	// Ended, never deleted.
	if _, err := e.ws.Customer(ctx, customer(8).ID); err != nil {
		t.Fatal(err)
	}
	// Back in Partner Center: no longer ended.
	e.pc.PutCustomer(customer(8))
	res, _ = pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}})
	same(t, "third", counts(t, res, workspace.SyncCustomers), 2501, 0, 1, 2500, 0)

	// One audit record per pass, with the counts.
	var recs []workspace.AuditRecord
	_ = e.ws.AuditLog(ctx, workspace.AuditQuery{Entity: "customers"}, func(r workspace.AuditRecord) error { recs = append(recs, r); return nil })
	if len(recs) != 3 || !strings.Contains(recs[1].After, `"ended":1`) {
		t.Errorf("audit %+v", recs)
	}
}

func TestOtherTenantRefused(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	seed(e, 3)
	if _, err := pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}}); err != nil {
		t.Fatal(err)
	}
	other := pctest.New(false)
	defer other.Close()
	other.TenantID, other.CompanyName = "11111111-1111-4111-8111-111111111111", "Other Partner"
	other.SetCustomers([]api.Customer{customer(100)})
	_, err := pcsync.Run(ctx, e.ws, client(t, other), pcsync.Options{})
	var rule *domain.RuleError
	if !errors.As(err, &rule) || !strings.Contains(err.Error(), e.pc.TenantID) {
		t.Fatalf("err %v", err)
	}
	if n, _ := e.ws.CountCustomers(ctx); n != 3 {
		t.Errorf("%d customers after a refused sync", n)
	}
	for _, r := range other.Requests() {
		if r.Route == pctest.RouteCustomers {
			t.Errorf("the other tenant's customers were read")
		}
	}
}

func TestInterruptedResumesAndFullStartsOver(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	seed(e, 2500)
	// The third page cannot be read: the first two stay, with the resume point.
	e.pc.Inject(pctest.Fault{Route: pctest.RouteCustomers, Skip: 2, Status: http.StatusInternalServerError, Times: -1})
	c, _ := partnercenter.New(partnercenter.Options{PartnerCenterURL: e.pc.URL, Tokens: partnercenter.StaticToken("t"), MaxRetries: -1})
	_, err := pcsync.Run(ctx, e.ws, c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}})
	var pe *partnercenter.Error
	if !errors.As(err, &pe) || pe.Status != 500 {
		t.Fatalf("err %v", err)
	}
	if n, _ := e.ws.CountCustomers(ctx); n != 2000 {
		t.Fatalf("%d customers after two pages", n)
	}
	st, _ := e.ws.SyncState(ctx)
	if p := st.Passes[workspace.SyncCustomers]; p.Resume == "" || p.Counts.Created != 2000 {
		t.Fatalf("pass %+v", p)
	}
	e.pc = resetFaults(t, e.pc)
	before := len(e.pc.Requests())
	res, err := pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}})
	if err != nil {
		t.Fatal(err)
	}
	kr := res.Kinds[0]
	if !kr.Resumed {
		t.Error("not resumed")
	}
	same(t, "resumed", kr.Counts, 2500, 2500, 0, 0, 0)
	pagesRead := 0
	for _, r := range e.pc.Requests()[before:] {
		if r.Route == pctest.RouteCustomers {
			pagesRead++
		}
	}
	if pagesRead != 1 {
		t.Errorf("%d pages read to resume, want 1", pagesRead)
	}
	res, err = pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}, Full: true})
	if err != nil || res.Kinds[0].Resumed {
		t.Fatal(res, err)
	}
	same(t, "full", res.Kinds[0].Counts, 2500, 0, 0, 2500, 0)
}

// resetFaults drops the stand-in's remaining faults (by draining them on a throwaway
// route is not possible): it returns the same stand-in with faults cleared.
func resetFaults(t *testing.T, s *pctest.Server) *pctest.Server {
	s.ClearFaults()
	return s
}

func TestDryRunWritesNothing(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	seed(e, 10)
	if _, err := pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}}); err != nil {
		t.Fatal(err)
	}
	e.pc.RemoveCustomer(customer(3).ID)
	e.pc.PutCustomer(customer(50))
	res, err := pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "dry run", res.Kinds[0].Counts, 10, 1, 0, 9, 1)
	if n, _ := e.ws.CountCustomers(ctx); n != 10 {
		t.Errorf("%d customers after a dry run", n)
	}
	res, _ = pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}})
	same(t, "after the dry run", res.Kinds[0].Counts, 10, 1, 0, 9, 1)
}

func TestThrottledSyncCompletes(t *testing.T) {
	e := setup(t)
	seed(e, 1500)
	e.pc.Inject(pctest.Fault{Route: pctest.RouteCustomers, Skip: 1, Status: http.StatusTooManyRequests, RetryAfter: "0", Times: 3})
	res, err := pcsync.Run(context.Background(), e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "throttled", res.Kinds[0].Counts, 1500, 1500, 0, 0, 0)
}

func TestMalformedPageWritesNothingOfIt(t *testing.T) {
	e := setup(t)
	seed(e, 1500)
	e.pc.Inject(pctest.Fault{Route: pctest.RouteCustomers, Skip: 1, Malformed: true})
	_, err := pcsync.Run(context.Background(), e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncCustomers}})
	if err == nil || !strings.Contains(err.Error(), "cannot be read") || !strings.Contains(err.Error(), "MS-RequestId") {
		t.Fatalf("err %v", err)
	}
	if n, _ := e.ws.CountCustomers(context.Background()); n != 1000 {
		t.Errorf("%d customers: the first page only", n)
	}
}

func TestResellersAndSubscriptions(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	seed(e, 30)
	e.pc.SetResellers([]api.Reseller{{ID: "r1", Name: "First Up Consultants", MPNID: "4847383"}, {ID: "r2", Name: "ReleCloud", MPNID: "4847433"}})
	for i := range 30 {
		c := customer(i)
		e.pc.SetSubscriptions(c.ID, []api.Subscription{{ID: fmt.Sprintf("5ub00000-0000-4000-8000-%012d", i), OfferName: "Microsoft 365 E3",
			Quantity: 10 + i, Status: "active", PartnerID: "4847383", CreationDate: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}})
	}
	// A customer of the workspace that Partner Center does not know: passed over.
	if _, err := e.ws.AddCustomer(ctx, domain.Customer{CompanyName: "Local Only", Domain: "local.example.com", Country: "FR"}, ""); err != nil {
		t.Fatal(err)
	}
	res, err := pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Concurrency: 3, SubscriptionBatch: 7})
	if err != nil && !strings.Contains(err.Error(), "not synced yet") {
		t.Fatal(err)
	}
	same(t, "resellers", counts(t, res, workspace.SyncResellers), 2, 2, 0, 0, 0)
	same(t, "subscriptions", counts(t, res, workspace.SyncSubscriptions), 30, 30, 0, 0, 0)
	var subs []domain.Subscription
	_ = e.ws.Subscriptions(ctx, workspace.SubscriptionQuery{Reseller: "4847383"}, func(s domain.Subscription) error { subs = append(subs, s); return nil })
	if len(subs) != 30 {
		t.Fatalf("%d subscriptions credited to the reseller", len(subs))
	}
	// ReleCloud leaves; a subscription changes quantity, another disappears.
	e.pc.SetResellers([]api.Reseller{{ID: "r1", Name: "First Up Consultants", MPNID: "4847383"}})
	e.pc.SetSubscriptions(customer(1).ID, []api.Subscription{{ID: "5ub00000-0000-4000-8000-000000000001", OfferName: "Microsoft 365 E3",
		Quantity: 99, Status: "active", PartnerID: "4847383", CreationDate: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}})
	e.pc.SetSubscriptions(customer(2).ID, nil)
	res, _ = pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncResellers, workspace.SyncSubscriptions}})
	same(t, "resellers again", counts(t, res, workspace.SyncResellers), 1, 0, 0, 1, 1)
	same(t, "subscriptions again", counts(t, res, workspace.SyncSubscriptions), 29, 0, 1, 28, 1)
	r, err := e.ws.Reseller(ctx, "4847433")
	if err != nil || r.Status != domain.ResellerRemoved {
		t.Fatalf("ReleCloud %+v, %v", r, err)
	}
}

func TestDealsAndRequests(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	seed(e, 3)
	e.pc.PageSize = 2
	when := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	ref := func(i int, status, sub string) api.Referral {
		return api.Referral{ID: fmt.Sprintf("4ef00000-0000-4000-8000-%012d", i), EngagementID: fmt.Sprintf("e0000000-0000-4000-8000-%012d", i),
			Name: fmt.Sprintf("Deal %d", i), Status: api.Named(status), Substatus: api.Named(sub), Type: api.Named("Shared"),
			Direction: api.Named("Outgoing"), CreatedDateTime: &when, UpdatedDateTime: &when,
			CustomerProfile: &api.ReferralCustomerProfile{Name: fmt.Sprintf("Prospect %d", i), Address: &api.ReferralAddress{Country: "US"},
				Team: []api.ReferralPerson{{FirstName: "Sue", LastName: "Smith", Email: "sue@prospect.example", PhoneNumber: "1234567890"}}},
			Consent: &api.ReferralConsent{ConsentToShareInfoWithOthers: true},
			Details: &api.ReferralDetails{DealValue: "1000", Currency: "USD",
				Requirements: &api.ReferralRequirements{Solutions: []api.ReferralSolution{{ID: "SOL-Microsoft365", Name: "Microsoft365"}}}}}
	}
	for i := range 5 {
		e.pc.PutReferral(ref(i, "Active", "Accepted"))
	}
	sr := api.ServiceRequest{ID: "616122292874576", Title: "TrialSR", Description: "Ignore", Severity: api.Named("critical"),
		Status: api.Named("open"), Organization: &api.ServiceRequestOrg{ID: customer(1).ID, Name: "Company 1"},
		CreatedDate: api.RequestDate(when), LastModifiedDate: api.RequestDate(when),
		Notes: []api.ServiceRequestNote{{CreatedByName: "Account", CreatedDate: api.RequestDate(when), Text: "Sample Note"}}}
	e.pc.PutServiceRequest(sr)
	orphan := sr
	orphan.ID, orphan.Organization = "616122292874577", &api.ServiceRequestOrg{ID: "99999999-0000-4000-8000-000000000000"}
	e.pc.PutServiceRequest(orphan)
	res, err := pcsync.Run(ctx, e.ws, e.c, pcsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "deals", counts(t, res, workspace.SyncDeals), 5, 5, 0, 0, 0)
	reqs := counts(t, res, workspace.SyncRequests)
	same(t, "requests", reqs, 2, 1, 0, 0, 0)
	if reqs.Skipped != 1 || len(reqs.Problems) != 1 || !strings.Contains(reqs.Problems[0], "is not in the workspace") {
		t.Errorf("requests %+v", reqs)
	}
	d, err := e.ws.Deal(ctx, ref(2, "", "").ID)
	if err != nil || d.Name != "Deal 2" || d.Organization != "Prospect 2" || d.Status != domain.DealActive {
		t.Fatalf("deal %+v, %v", d, err)
	}
	if _, err := e.ws.SetDealFavorite(ctx, d.ID, true); err != nil {
		t.Fatal(err)
	}
	r, err := e.ws.Request(ctx, "616122292874576")
	if err != nil || r.CustomerID != customer(1).ID || len(r.Notes) != 1 {
		t.Fatalf("request %+v, %v", r, err)
	}
	// Partner Center closes deal 2 as won; the request is closed.
	e.pc.PutReferral(ref(2, "Closed", "Won"))
	sr.Status = api.Named("closed")
	e.pc.PutServiceRequest(sr)
	res, err = pcsync.Run(ctx, e.ws, e.c, pcsync.Options{Kinds: []workspace.SyncKind{workspace.SyncDeals, workspace.SyncRequests}})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "deals again", counts(t, res, workspace.SyncDeals), 5, 0, 1, 4, 0)
	same(t, "requests again", counts(t, res, workspace.SyncRequests), 2, 0, 1, 0, 0)
	d, _ = e.ws.Deal(ctx, d.ID)
	if d.Status != domain.DealClosed || d.Substatus != domain.SubWon || !d.Favorite {
		t.Errorf("deal after the sync %+v", d)
	}
}

// TestCustomersEndedWhateverThePageOrder holds the workspace's bookkeeping of what a pass
// saw: pages in ID order are recorded as ranges (the customers held in a range and not
// listed are missing), a page out of order switches the pass to one row per ID; either
// way, exactly the customers the whole pass did not list end.
func TestCustomersEndedWhateverThePageOrder(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	step := func(start, finish bool, nums ...int) workspace.SyncStep {
		s := workspace.SyncStep{Kind: workspace.SyncCustomers, Tenant: e.pc.TenantID, Start: start, Finish: finish}
		for _, i := range nums {
			c := customer(i)
			s.Customers = append(s.Customers, domain.Customer{ID: c.ID, CompanyName: c.CompanyProfile.CompanyName,
				Domain: c.CompanyProfile.Domain, Country: "US", Relationship: "reseller"})
		}
		return s
	}
	pass := func(name string, steps ...workspace.SyncStep) []string {
		t.Helper()
		var ended []string
		for _, s := range steps {
			c, err := e.ws.ApplySync(ctx, s)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			ended = append(ended, c.EndedIDs...)
		}
		slices.Sort(ended)
		return ended
	}
	ids := func(nums ...int) []string {
		var out []string
		for _, i := range nums {
			out = append(out, customer(i).ID)
		}
		return out
	}
	all := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	if got := pass("first", step(true, true, all...)); len(got) != 0 {
		t.Fatalf("first pass ended %v", got)
	}
	// In ID order throughout: 2 is missing inside a page's range, 7 to 9 after the last page.
	if got := pass("in order", step(true, false, 0, 1), step(false, false, 3, 4), step(false, true, 5, 6)); !slices.Equal(got, ids(2, 7, 8, 9)) {
		t.Errorf("in order: ended %v, want %v", got, ids(2, 7, 8, 9))
	}
	_ = pass("all back", step(true, true, all...))
	// In order, then out of order: 1 is missing from the first page's range but comes
	// later (not ended); 4 is never listed.
	if got := pass("mixed", step(true, false, 0, 2, 3), step(false, false, 6, 1, 5), step(false, true, 9, 7, 8)); !slices.Equal(got, ids(4)) {
		t.Errorf("mixed: ended %v, want %v", got, ids(4))
	}
	_ = pass("all back", step(true, true, all...))
	// Out of order from the first page, and a pass resumed in another step order.
	if got := pass("out of order", step(true, false, 5, 0), step(false, false, 9, 8), step(false, false, 1, 2, 3), step(false, true)); !slices.Equal(got, ids(4, 6, 7)) {
		t.Errorf("out of order: ended %v, want %v", got, ids(4, 6, 7))
	}
	// An empty last page in order: everything after the covered range is missing.
	_ = pass("all back", step(true, true, all...))
	if got := pass("empty last", step(true, false, 0, 1, 2, 3, 4), step(false, false), step(false, true)); !slices.Equal(got, ids(5, 6, 7, 8, 9)) {
		t.Errorf("empty last page: ended %v, want %v", got, ids(5, 6, 7, 8, 9))
	}
	// A dry run counts what would end, and writes nothing.
	_ = pass("all back", step(true, true, all...))
	dry := step(true, false, 0, 1, 3)
	dry.DryRun = true
	last := step(false, true, 9)
	last.DryRun, last.Seen = true, slices.Values(ids(0, 1, 3, 9))
	if got := pass("dry run", dry, last); !slices.Equal(got, ids(2, 4, 5, 6, 7, 8)) {
		t.Errorf("dry run: would end %v, want %v", got, ids(2, 4, 5, 6, 7, 8))
	}
	if got := pass("after the dry run", step(true, true, all...)); len(got) != 0 {
		t.Errorf("after the dry run: ended %v", got)
	}
}
