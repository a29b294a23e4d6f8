package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
)

// pcClient is a client written as a script against Partner Center's documentation would
// be, knowing nothing of pcctl: it asks for a page with size, then follows links.next —
// its uri, relative to the server, with its headers — page by page until there is none.
type pcClient struct {
	t     *testing.T
	base  string
	token string
}

type pcPage struct {
	TotalCount int               `json:"totalCount"`
	Items      []json.RawMessage `json:"items"`
	Links      struct {
		Self *api.Link `json:"self"`
		Next *api.Link `json:"next"`
	} `json:"links"`
	Attributes api.Attributes `json:"attributes"`
}

// get sends one request; header is extra headers.
func (c *pcClient) get(uri string, header []api.Header) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+uri, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	for _, h := range header {
		req.Header.Set(h.Key, h.Value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// pages reads the collection at uri page by page, returning each page's items' key
// (the JSON member key of each item).
func (c *pcClient) pages(uri, key string) [][]string {
	c.t.Helper()
	var out [][]string
	var header []api.Header
	for n := 0; ; n++ {
		if n > 1000 {
			c.t.Fatalf("%s: more than 1000 pages", uri)
		}
		status, body := c.get(uri, header)
		if status != http.StatusOK {
			c.t.Fatalf("GET %s (page %d): %d %s", uri, n+1, status, body)
		}
		var p pcPage
		if err := json.Unmarshal(body, &p); err != nil {
			c.t.Fatalf("GET %s: %v\n%s", uri, err, body)
		}
		if p.Attributes.ObjectType != "Collection" || p.TotalCount != len(p.Items) {
			c.t.Fatalf("GET %s: not a Partner Center collection page: %s", uri, body)
		}
		var keys []string
		for _, raw := range p.Items {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				c.t.Fatal(err)
			}
			keys = append(keys, fmt.Sprint(m[key]))
		}
		out = append(out, keys)
		if p.Links.Next == nil {
			return out
		}
		next := p.Links.Next
		if next.Method != http.MethodGet || len(next.Headers) != 1 || next.Headers[0].Key != api.ContinuationHeader || next.Headers[0].Value == "" {
			c.t.Fatalf("GET %s: links.next %+v, want a GET with its MS-ContinuationToken header", uri, next)
		}
		if u, err := url.Parse(next.URI); err != nil || !strings.EqualFold(u.Query().Get("seekOperation"), "Next") {
			c.t.Fatalf("GET %s: links.next.uri %q has no seekOperation=Next", uri, next.URI)
		}
		uri, header = next.URI, next.Headers
	}
}

func flatten(pages [][]string) []string {
	var out []string
	for _, p := range pages {
		out = append(out, p...)
	}
	return out
}

// TestPartnerCenterPaging: every collection Partner Center pages — customers (all, and a
// reseller's), indirect resellers, subscriptions, referrals, service requests — answers
// size items a page and a links.next that resumes after the last item sent; a client
// following links.next page by page reads exactly the whole list, in order, once. Without
// size, the whole list comes in one answer, as pcctl's own client reads it.
func TestPartnerCenterPaging(t *testing.T) {
	e := servertest.Start(t, servertest.Options{})
	ctx := context.Background()
	ws := e.Local("owner@pcctl.test")
	tok := rslInvite(t, ws, "sales@fabrikam.com", "Fabrikam")
	if _, err := ws.AcceptInvitation(ctx, tok, "4847383", "Fabrikam Partners"); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		rslInvite(t, ws, fmt.Sprintf("sales%d@reseller.example", i), fmt.Sprintf("Reseller %d", i))
	}
	// 23 customers, two pairs sharing a name (the order's ties), 7 of them the reseller's.
	for i := range 23 {
		name := fmt.Sprintf("Customer %02d", i)
		if i == 5 || i == 6 {
			name = "Twin"
		}
		c := domain.Customer{CompanyName: name, Domain: fmt.Sprintf("c%02d.example", i), Country: "FR"}
		if i%3 == 0 {
			c.ResellerMPNID = "4847383"
		}
		if _, err := ws.AddCustomer(ctx, c, ""); err != nil {
			t.Fatal(err)
		}
		for j := range 2 {
			if _, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: c.Domain, Offer: fmt.Sprintf("Offer %d", j%2), Quantity: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if i < 12 {
			if _, err := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: c.Domain, Title: "Mail down", Severity: domain.SeverityMinimal}); err != nil {
				t.Fatal(err)
			}
			if _, err := ws.CreateDeal(ctx, domain.Deal{ID: fmt.Sprintf("D-%02d", i), Name: "Rollout", CustomerID: c.Domain, Value: "100", Currency: "EUR",
				Solutions: []domain.Solution{{ID: "CFQ7TTC0LF8Q", Source: domain.MicrosoftSKU, Quantity: 1, UnitPrice: "1"}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	c := &pcClient{t: t, base: e.URL, token: e.Token("admin@pcctl.test", domain.RoleGlobalAdmin)}
	reseller := url.QueryEscape(`{"Field":"IndirectReseller","Value":"4847383","Operator":"starts_with"}`)
	for _, route := range []struct {
		path, key string
		want      int
	}{
		{"/v1/customers", "id", 23},
		{"/v1/customers?filter=" + reseller, "id", 8},
		{"/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf", "id", 1},
		{"/pcctl/v1/resellers?status=active,pending", "email", 5},
		{"/pcctl/v1/customers?view=all&sort=created", "id", 23},
		{"/v1/customers/c04.example/subscriptions", "id", 2},
		{api.SubscriptionsPath, "id", 46},
		{api.ReferralsPath, "id", 12},
		{"/v1/servicerequests", "id", 12},
		{"/v1/customers/c01.example/servicerequests", "id", 1},
	} {
		whole := c.pages(route.path, route.key)
		if len(whole) != 1 || len(whole[0]) != route.want {
			t.Errorf("%s without size: %d pages, %d items; want one page of %d", route.path, len(whole), len(flatten(whole)), route.want)
			continue
		}
		for _, size := range []int{1, 2, 5, 7, 1000} {
			sep := "?"
			if strings.Contains(route.path, "?") {
				sep = "&"
			}
			paged := c.pages(fmt.Sprintf("%s%ssize=%d", route.path, sep, size), route.key)
			// A next page only when an item follows: a full last page has no links.next.
			wantPages := max(1, (route.want+size-1)/size)
			if len(paged) != wantPages {
				t.Errorf("%s size %d: %d pages, want %d", route.path, size, len(paged), wantPages)
			}
			for i, p := range paged {
				if len(p) > size || (i < len(paged)-1 && len(p) != size) {
					t.Errorf("%s size %d: page %d holds %d items", route.path, size, i+1, len(p))
				}
			}
			if got := flatten(paged); !slices.Equal(got, whole[0]) {
				t.Errorf("%s size %d: pages read\n %q\nwant the whole list\n %q", route.path, size, got, whole[0])
			}
		}
	}
}

// TestPagingResumesAfterLastItem: a page resumes after the last item sent (a keyset), not
// after a count: customers added before the position meanwhile neither repeat nor push
// an item out, and one added after it is read.
func TestPagingResumesAfterLastItem(t *testing.T) {
	e := servertest.Start(t, servertest.Options{})
	ctx := context.Background()
	ws := e.Local("owner@pcctl.test")
	for _, n := range []string{"Bravo", "Charlie", "Delta", "Echo", "Foxtrot"} {
		if _, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: n, Domain: strings.ToLower(n) + ".example", Country: "FR"}, ""); err != nil {
			t.Fatal(err)
		}
	}
	c := &pcClient{t: t, base: e.URL, token: e.Token("admin@pcctl.test", domain.RoleGlobalAdmin)}
	status, body := c.get("/v1/customers?size=2", nil)
	var p pcPage
	if err := json.Unmarshal(body, &p); status != http.StatusOK || err != nil || p.Links.Next == nil {
		t.Fatalf("first page: %d %s", status, body)
	}
	names := func(p pcPage) []string {
		var out []string
		for _, raw := range p.Items {
			var cu api.Customer
			if err := json.Unmarshal(raw, &cu); err != nil {
				t.Fatal(err)
			}
			out = append(out, cu.CompanyProfile.CompanyName)
		}
		return out
	}
	if got := names(p); !slices.Equal(got, []string{"Bravo", "Charlie"}) {
		t.Fatalf("first page %q", got)
	}
	for _, n := range []string{"Alpha", "Able", "Dalton"} {
		if _, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: n, Domain: strings.ToLower(n) + ".example", Country: "FR"}, ""); err != nil {
			t.Fatal(err)
		}
	}
	status, body = c.get(p.Links.Next.URI, p.Links.Next.Headers)
	p = pcPage{}
	if err := json.Unmarshal(body, &p); status != http.StatusOK || err != nil {
		t.Fatalf("second page: %d %s", status, body)
	}
	if got := names(p); !slices.Equal(got, []string{"Dalton", "Delta"}) {
		t.Errorf("second page after adding Alpha, Able (before it) and Dalton: %q, want Dalton, Delta", got)
	}
}

// TestPagingRefusals: a size out of range, a seekOperation without its token, a token
// this server did not give: 400 with what to send.
func TestPagingRefusals(t *testing.T) {
	e := servertest.Start(t, servertest.Options{})
	c := &pcClient{t: t, base: e.URL, token: e.Token("admin@pcctl.test", domain.RoleGlobalAdmin)}
	for _, tc := range []struct {
		uri, token, want string
	}{
		{"/v1/customers?size=0", "", `the size parameter must be a whole number from 1 to 1000, not "0"`},
		{"/v1/servicerequests?size=1001", "", `the size parameter must be a whole number from 1 to 1000, not "1001"`},
		{api.ReferralsPath + "?size=x", "", `the size parameter must be a whole number from 1 to 1000, not "x"`},
		{api.SubscriptionsPath + "?seekOperation=Next", "", `seekOperation=Next needs the MS-ContinuationToken header of the previous page's links.next`},
		{"/v1/customers?seekOperation=Previous", "", `the parameter seekOperation must be Next, not "Previous"`},
		{"/v1/customers?size=2&seekOperation=Next", "123", `the MS-ContinuationToken header "123" is not a continuation token this server gave: send the one of the previous page's links.next`},
		{"/v1/customers?size=2&seekOperation=Next", api.SeekToken("no-such-customer"), `after "no-such-customer" names no customer (removed since the page before?): start again from the first page`},
	} {
		var h []api.Header
		if tc.token != "" {
			h = []api.Header{{Key: api.ContinuationHeader, Value: tc.token}}
		}
		status, body := c.get(tc.uri, h)
		var e api.Error
		_ = json.Unmarshal(body, &e)
		if status != http.StatusBadRequest || e.Description != tc.want {
			t.Errorf("GET %s (%s): %d %s\nwant 400 %s", tc.uri, tc.token, status, body, tc.want)
		}
	}
}

// TestAfterRemoteAsLocal: a list query's After resumes the list after that record, through
// the server (pcctl's client sends it as the continuation token) as in the file.
func TestAfterRemoteAsLocal(t *testing.T) {
	e := servertest.Start(t, servertest.Options{})
	ctx := context.Background()
	local := e.Local("owner@pcctl.test")
	for i := range 6 {
		d := fmt.Sprintf("c%d.example", i)
		if _, err := local.AddCustomer(ctx, domain.Customer{CompanyName: fmt.Sprintf("C%d", 5-i), Domain: d, Country: "FR"}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := local.AddSubscription(ctx, domain.Subscription{CustomerID: d, Offer: "E3", Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := local.CreateRequest(ctx, domain.ServiceRequest{CustomerID: d, Title: "Mail down", Severity: domain.SeverityMinimal}); err != nil {
			t.Fatal(err)
		}
		if _, err := local.CreateDeal(ctx, domain.Deal{ID: fmt.Sprintf("D-%d", i), Name: "Rollout", CustomerID: d, Value: "100", Currency: "EUR",
			Solutions: []domain.Solution{{ID: "CFQ7TTC0LF8Q", Source: domain.MicrosoftSKU, Quantity: 1, UnitPrice: "1"}}}); err != nil {
			t.Fatal(err)
		}
	}
	remote := e.Client("admin@pcctl.test")
	for _, ws := range []struct {
		name string
		w    workspace.Workspace
	}{{"local", local}, {"remote", remote}} {
		var ids []string
		all := func(q workspace.ListQuery) []string {
			ids = nil
			if err := ws.w.ListCustomers(ctx, q, func(c workspace.CustomerRecord) error { ids = append(ids, c.ID); return nil }); err != nil {
				t.Fatalf("%s: %v", ws.name, err)
			}
			return ids
		}
		whole := all(workspace.ListQuery{})
		if got := all(workspace.ListQuery{After: whole[2]}); !slices.Equal(got, whole[3:]) {
			t.Errorf("%s: customers after the third: %q, want %q", ws.name, got, whole[3:])
		}
		byCreated := all(workspace.ListQuery{Sort: domain.SortCreated})
		if got := all(workspace.ListQuery{Sort: domain.SortCreated, After: byCreated[1]}); !slices.Equal(got, byCreated[2:]) {
			t.Errorf("%s: customers by creation after the second: %q, want %q", ws.name, got, byCreated[2:])
		}
		var subs []string
		each := func(s domain.Subscription) error { subs = append(subs, s.ID); return nil }
		if err := ws.w.Subscriptions(ctx, workspace.SubscriptionQuery{}, each); err != nil {
			t.Fatal(err)
		}
		wholeSubs := subs
		subs = nil
		if err := ws.w.Subscriptions(ctx, workspace.SubscriptionQuery{After: wholeSubs[3]}, each); err != nil || !slices.Equal(subs, wholeSubs[4:]) {
			t.Errorf("%s: subscriptions after the fourth: %q %v, want %q", ws.name, subs, err, wholeSubs[4:])
		}
		var deals []string
		eachDeal := func(d workspace.DealRecord) error { deals = append(deals, d.ID); return nil }
		if err := ws.w.ListDeals(ctx, workspace.DealQuery{}, eachDeal); err != nil {
			t.Fatal(err)
		}
		wholeDeals := deals
		deals = nil
		if err := ws.w.ListDeals(ctx, workspace.DealQuery{After: wholeDeals[0]}, eachDeal); err != nil || !slices.Equal(deals, wholeDeals[1:]) {
			t.Errorf("%s: deals after the first: %q %v, want %q", ws.name, deals, err, wholeDeals[1:])
		}
		var reqs []string
		eachReq := func(r workspace.RequestRecord) error { reqs = append(reqs, r.Ref); return nil }
		if err := ws.w.ListRequests(ctx, workspace.RequestQuery{}, eachReq); err != nil {
			t.Fatal(err)
		}
		wholeReqs := reqs
		reqs = nil
		if err := ws.w.ListRequests(ctx, workspace.RequestQuery{After: wholeReqs[4]}, eachReq); err != nil || !slices.Equal(reqs, wholeReqs[5:]) {
			t.Errorf("%s: requests after the fifth: %q %v, want %q", ws.name, reqs, err, wholeReqs[5:])
		}
		err := ws.w.ListCustomers(ctx, workspace.ListQuery{After: "nobody"}, func(workspace.CustomerRecord) error { return nil })
		var inv *domain.InvalidError
		if !errors.As(err, &inv) || inv.Field != "after" {
			t.Errorf("%s: After naming no customer: %v", ws.name, err)
		}
	}
}

// TestRecentViewOnePage: the recent view is ranked (no key to resume from) and at most 30
// customers: size leaves it one page, never a links.next that could not be followed.
func TestRecentViewOnePage(t *testing.T) {
	e := servertest.Start(t, servertest.Options{})
	ctx := context.Background()
	c := &pcClient{t: t, base: e.URL, token: e.Token("admin@pcctl.test", domain.RoleGlobalAdmin)}
	remote := e.ClientWithToken(c.token)
	for i := range 3 {
		d := fmt.Sprintf("c%d.example", i)
		if _, err := e.Local("owner@pcctl.test").AddCustomer(ctx, domain.Customer{CompanyName: d, Domain: d, Country: "FR"}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := remote.OpenCustomer(ctx, d); err != nil { // an open, as admin@pcctl.test
			t.Fatal(err)
		}
	}
	pages := c.pages("/pcctl/v1/customers?view=recent&size=1", "id")
	if len(pages) != 1 || len(pages[0]) != 3 {
		t.Errorf("recent view with size=1: %q, want one page of 3", pages)
	}
}
