package partnercenter_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
)

func newClient(t *testing.T, s *pctest.Server, tokens partnercenter.TokenSource, tune func(*partnercenter.Options)) *partnercenter.Client {
	t.Helper()
	o := partnercenter.Options{PartnerCenterURL: s.URL, ReferralsURL: s.URL, Tokens: tokens, HTTPClient: s.Client(),
		Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, RequestTimeout: 5 * time.Second, CorrelationID: "corr-1"}
	if tune != nil {
		tune(&o)
	}
	c, err := partnercenter.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func customers(n int) []api.Customer {
	cs := make([]api.Customer, n)
	for i := range cs {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		cs[i] = api.Customer{ID: id, CompanyProfile: api.CompanyProfile{TenantID: id, Domain: fmt.Sprintf("c%d.onmicrosoft.com", i),
			CompanyName: fmt.Sprintf("Company %d", i)}, RelationshipToPartner: "reseller"}
	}
	return cs
}

func allCustomers(t *testing.T, c *partnercenter.Client, cur partnercenter.Cursor) ([]api.Customer, int, error) {
	t.Helper()
	var got []api.Customer
	pages := 0
	err := c.Customers(context.Background(), cur, func(p partnercenter.Page[api.Customer]) error {
		pages++
		got = append(got, p.Items...)
		return nil
	})
	return got, pages, err
}

func TestCustomersSeekPaging(t *testing.T) {
	s := pctest.New(true)
	defer s.Close()
	s.SetCustomers(customers(2500))
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	got, pages, err := allCustomers(t, c, partnercenter.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2500 || pages != 3 {
		t.Fatalf("got %d customers in %d pages, want 2500 in 3", len(got), pages)
	}
	seen := map[string]bool{}
	for _, cu := range got {
		if seen[cu.ID] {
			t.Fatalf("customer %s twice", cu.ID)
		}
		seen[cu.ID] = true
	}
	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	ids := map[string]bool{}
	for i, r := range reqs {
		if r.CorrelationID != "corr-1" || r.RequestID == "" || ids[r.RequestID] || r.Token != "tok" {
			t.Errorf("request %d: correlation %q, request ID %q (unique: %v), token %q", i, r.CorrelationID, r.RequestID, !ids[r.RequestID], r.Token)
		}
		ids[r.RequestID] = true
		if (i > 0) != (r.ContinuationToken != "") {
			t.Errorf("request %d: continuation token %q", i, r.ContinuationToken)
		}
		if r.Path != "/v1/customers" {
			t.Errorf("request %d: path %q", i, r.Path)
		}
	}
	if !strings.Contains(reqs[0].Query, "size=1000") {
		t.Errorf("first request asks %q, want the largest page", reqs[0].Query)
	}
}

func TestCustomersResumeFromCursor(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.SetCustomers(customers(25))
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	var next *partnercenter.Cursor
	err := c.Customers(context.Background(), partnercenter.FirstCustomers(partnercenter.CustomerQuery{Size: 10}), func(p partnercenter.Page[api.Customer]) error {
		next = p.Next
		return errors.New("stop")
	})
	if err == nil || err.Error() != "stop" || next == nil {
		t.Fatalf("err %v, next %v", err, next)
	}
	// The cursor survives a round trip through JSON (the resume point kept in a workspace).
	b, _ := json.Marshal(next)
	var cur partnercenter.Cursor
	_ = json.Unmarshal(b, &cur)
	got, pages, err := allCustomers(t, c, cur)
	if err != nil || len(got) != 15 || pages != 2 || got[0].ID != customers(25)[10].ID {
		t.Fatalf("resumed: %d customers in %d pages, first %v, err %v", len(got), pages, got, err)
	}
}

func TestCustomerFilter(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.SetCustomers(customers(300))
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	f := api.CustomerFilter{Field: api.FilterCompanyName, Value: "company 1", Operator: api.FilterStartsWith}
	got, _, err := allCustomers(t, c, partnercenter.FirstCustomers(partnercenter.CustomerQuery{Size: 20, Filter: &f}))
	if err != nil {
		t.Fatal(err)
	}
	// Company 1, 10-19, 100-199.
	if len(got) != 111 {
		t.Fatalf("%d customers match, want 111", len(got))
	}
}

func TestThrottledHonoursRetryAfter(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.SetCustomers(customers(3))
	s.Inject(pctest.Fault{Route: pctest.RouteCustomers, Status: http.StatusTooManyRequests, RetryAfter: "1"})
	var events []partnercenter.RetryEvent
	c := newClient(t, s, partnercenter.StaticToken("tok"), func(o *partnercenter.Options) {
		o.OnRetry = func(e partnercenter.RetryEvent) { events = append(events, e) }
	})
	start := time.Now()
	got, _, err := allCustomers(t, c, partnercenter.Cursor{})
	if err != nil || len(got) != 3 {
		t.Fatalf("%d customers, err %v", len(got), err)
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Errorf("retried after %v, Retry-After said 1 s", el)
	}
	if len(events) != 1 || events[0].Status != 429 || events[0].Wait != time.Second {
		t.Errorf("retry events %+v", events)
	}
}

func TestServerErrorsRetriedThenNamed(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.SetCustomers(customers(3))
	s.Inject(pctest.Fault{Route: pctest.RouteCustomers, Status: http.StatusServiceUnavailable, Times: 2})
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	if got, _, err := allCustomers(t, c, partnercenter.Cursor{}); err != nil || len(got) != 3 {
		t.Fatalf("after two 503: %d customers, err %v", len(got), err)
	}

	s.Inject(pctest.Fault{Route: pctest.RouteCustomers, Status: http.StatusServiceUnavailable, Times: -1})
	c = newClient(t, s, partnercenter.StaticToken("tok"), func(o *partnercenter.Options) { o.MaxRetries = 2 })
	_, _, err := allCustomers(t, c, partnercenter.Cursor{})
	var pe *partnercenter.Error
	if !errors.As(err, &pe) || pe.Status != 503 || pe.RequestID == "" || pe.CorrelationID != "corr-1" {
		t.Fatalf("err %v", err)
	}
	last := s.Requests()[len(s.Requests())-1]
	for _, want := range []string{"GET /v1/customers?size=1000", "503 Service Unavailable", "MS-RequestId: " + last.RequestID, "MS-CorrelationId: corr-1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if n := len(s.Requests()); n != 3+3 {
		t.Errorf("%d requests, want 3 then 3 (one try and two again)", n)
	}
}

func TestWritesNotRetriedOnServerError(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.Inject(pctest.Fault{Status: http.StatusServiceUnavailable, Times: -1})
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	_, err := c.Do(context.Background(), partnercenter.Request{Method: http.MethodPost, Path: "/v1/customers", Body: map[string]string{}})
	if err == nil || len(s.Requests()) != 1 {
		t.Fatalf("err %v after %d requests, want one try", err, len(s.Requests()))
	}
}

// refresher gives "old" until asked to refresh, then "new".
type refresher struct{ refreshes atomic.Int32 }

func (r *refresher) Token(_ context.Context, req partnercenter.TokenRequest) (string, error) {
	if req.Refresh {
		r.refreshes.Add(1)
	}
	if r.refreshes.Load() > 0 {
		return "new", nil
	}
	return "old", nil
}

func TestExpiredTokenRefreshedOnce(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.SetCustomers(customers(3))
	s.ExpireToken("old")
	s.AcceptToken("new")
	src := &refresher{}
	c := newClient(t, s, src, nil)
	if got, _, err := allCustomers(t, c, partnercenter.Cursor{}); err != nil || len(got) != 3 {
		t.Fatalf("%d customers, err %v", len(got), err)
	}
	if src.refreshes.Load() != 1 {
		t.Errorf("%d refreshes, want 1", src.refreshes.Load())
	}

	// Refused after the refresh too: an AuthError (exit 5), said once.
	s.ExpireToken("new")
	src = &refresher{}
	c = newClient(t, s, src, nil)
	_, _, err := allCustomers(t, c, partnercenter.Cursor{})
	var auth *domain.AuthError
	if !errors.As(err, &auth) || src.refreshes.Load() != 1 || !strings.Contains(err.Error(), "run pcctl auth login") {
		t.Fatalf("err %v (%d refreshes)", err, src.refreshes.Load())
	}
}

func TestSlowPageTriedAgain(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.SetCustomers(customers(3))
	s.Inject(pctest.Fault{Route: pctest.RouteCustomers, Delay: 2 * time.Second})
	c := newClient(t, s, partnercenter.StaticToken("tok"), func(o *partnercenter.Options) { o.RequestTimeout = 200 * time.Millisecond })
	if got, _, err := allCustomers(t, c, partnercenter.Cursor{}); err != nil || len(got) != 3 {
		t.Fatalf("%d customers, err %v", len(got), err)
	}
}

func TestMalformedPageNamedNothingHandedOn(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.SetCustomers(customers(30))
	s.Inject(pctest.Fault{Route: pctest.RouteCustomers, Skip: 1, Malformed: true})
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	got, pages, err := allCustomers(t, c, partnercenter.FirstCustomers(partnercenter.CustomerQuery{Size: 10}))
	var pe *partnercenter.Error
	if !errors.As(err, &pe) || pages != 1 || len(got) != 10 {
		t.Fatalf("%d pages handed on, err %v", pages, err)
	}
	last := s.Requests()[1]
	if !strings.Contains(err.Error(), "the page cannot be read") || !strings.Contains(err.Error(), last.RequestID) || !strings.Contains(err.Error(), "seekOperation=Next") {
		t.Errorf("err %q does not name the request", err)
	}
}

func TestReferralsFollowNextLinkOnConfiguredHost(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.PageSize = 4
	var refs []api.Referral
	for i := range 10 {
		refs = append(refs, api.Referral{ID: fmt.Sprintf("ref-%02d", i), Name: fmt.Sprintf("Deal %d", i), Status: api.Named("New"), Substatus: api.Named("Pending")})
	}
	s.SetReferrals(refs)
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	var got []api.Referral
	err := c.Referrals(context.Background(), partnercenter.Cursor{}, func(p partnercenter.Page[api.Referral]) error {
		got = append(got, p.Items...)
		return nil
	})
	if err != nil || len(got) != 10 || got[9].ID != "ref-09" {
		t.Fatalf("%d referrals, err %v", len(got), err)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d requests, want 3 pages", n)
	}
}

func TestQuirksRead(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.Quirks = true
	s.SetCustomers(customers(2))
	s.SetReferrals([]api.Referral{{ID: "r1", Name: "Deal", Status: api.Named("Active"), Substatus: api.Named("Engaged"), Direction: api.Named("Outgoing"), Type: api.Named("Shared")}})
	var sr api.ServiceRequest
	b, err := os.ReadFile("../../testdata/partnercenter/servicerequest.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sr); err != nil {
		t.Fatal(err)
	}
	s.PutServiceRequest(sr)
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	got, _, err := allCustomers(t, c, partnercenter.Cursor{})
	if err != nil || len(got) != 2 || got[1].CompanyProfile.CompanyName != "Company 1" {
		t.Fatalf("customers %+v, err %v", got, err)
	}
	var refs []api.Referral
	if err := c.Referrals(context.Background(), partnercenter.Cursor{}, func(p partnercenter.Page[api.Referral]) error {
		refs = append(refs, p.Items...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if st, _ := refs[0].Substatus.Resolve(api.ReferralSubstatuses); !refs[0].Substatus.IsNum || st != "Engaged" {
		t.Errorf("substatus %+v", refs[0].Substatus)
	}
	var reqs []api.ServiceRequest
	if err := c.ServiceRequests(context.Background(), partnercenter.Cursor{}, func(p partnercenter.Page[api.ServiceRequest]) error {
		reqs = append(reqs, p.Items...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rec, err := reqs[0].Record()
	if err != nil || rec.Ref != "616122292874576" || string(rec.Severity) != "critical" || rec.CreatedAt.IsZero() {
		t.Fatalf("request %+v, err %v", rec, err)
	}
}

// counting counts the requests in flight through it.
type counting struct {
	next      http.RoundTripper
	mu        sync.Mutex
	now, peak int
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.now++
	c.peak = max(c.peak, c.now)
	c.mu.Unlock()
	defer func() { c.mu.Lock(); c.now--; c.mu.Unlock() }()
	return c.next.RoundTrip(r)
}

func TestConcurrencyBounded(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	cs := customers(20)
	s.SetCustomers(cs)
	s.Inject(pctest.Fault{Route: pctest.RouteSubscriptions, Delay: 50 * time.Millisecond, Times: -1})
	ct := &counting{next: s.Client().Transport}
	c := newClient(t, s, partnercenter.StaticToken("tok"), func(o *partnercenter.Options) {
		o.Concurrency = 3
		o.HTTPClient = &http.Client{Transport: ct}
	})
	var wg sync.WaitGroup
	for _, cu := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Subscriptions(context.Background(), cu.ID, func(partnercenter.Page[api.Subscription]) error { return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ct.peak != 3 {
		t.Errorf("peak %d requests in flight, want 3", ct.peak)
	}
}

func TestOrganizationProfileAndBadURL(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	p, err := c.OrganizationProfile(context.Background())
	if err != nil || p.TenantID != s.TenantID {
		t.Fatalf("profile %+v, err %v", p, err)
	}
	_, err = partnercenter.New(partnercenter.Options{PartnerCenterURL: "api.example", Tokens: partnercenter.StaticToken("x")})
	var inv *domain.InvalidError
	if !errors.As(err, &inv) || inv.Field != "partner_center_url" {
		t.Fatalf("err %v", err)
	}
}
