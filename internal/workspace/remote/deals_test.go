package remote_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/remote"
)

// The deal methods of the remote workspace are checked against the local one: the same
// scenario runs on two workspaces with the same clock and data, one through the server,
// and every step must give the same record, list or error (words and type).

const dealUser = "deals@partner.test"

var dealEpoch = time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

// dealClock is a workspace clock tests move by hand.
type dealClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *dealClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *dealClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// dealEnv is a server over a workspace with two customers.
type dealEnv struct {
	*servertest.Env
	clock *dealClock
}

const (
	dealTenant1 = "11111111-1111-4111-8111-111111111111"
	dealTenant2 = "22222222-2222-4222-8222-222222222222"
)

func startDeals(t *testing.T) *dealEnv {
	t.Helper()
	clk := &dealClock{now: dealEpoch}
	env := servertest.Start(t, servertest.Options{Now: clk.Now})
	ctx := context.Background()
	for _, c := range []domain.Customer{
		{ID: dealTenant1, CompanyName: "Contoso Ltd", Domain: "contoso.com", Country: "GB"},
		{ID: dealTenant2, CompanyName: "Adatum GmbH", Domain: "adatum.de", Country: "DE"},
	} {
		if _, err := env.Local(dealUser).AddCustomer(ctx, c, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"); err != nil {
			t.Fatal(err)
		}
	}
	return &dealEnv{Env: env, clock: clk}
}

// dealStep is the outcome of one call: its result and its error, described.
type dealStep struct {
	Name   string
	Result any
	Err    string
}

// dealErr describes an error: its words and the typed error behind them.
func dealErr(err error) string {
	if err == nil {
		return ""
	}
	var (
		nf  *domain.NotFoundError
		inv *domain.InvalidError
		fb  *domain.ForbiddenError
		au  *domain.AuthError
		ru  *domain.RuleError
		row *workspace.RowError
	)
	s := err.Error()
	switch {
	case errors.As(err, &nf):
		return s + fmt.Sprintf(" [NotFoundError %+v]", *nf)
	case errors.As(err, &inv):
		return s + fmt.Sprintf(" [InvalidError %+v]", *inv)
	case errors.As(err, &fb):
		return s + fmt.Sprintf(" [ForbiddenError %+v]", *fb)
	case errors.As(err, &au):
		return s + fmt.Sprintf(" [AuthError %+v]", *au)
	case errors.As(err, &ru):
		return s + " [RuleError " + ru.Rule + "]"
	case errors.As(err, &row):
		return s + fmt.Sprintf(" [RowError %+v]", *row)
	}
	return s + fmt.Sprintf(" [%T]", err)
}

func dealList(ws workspace.Workspace, q workspace.DealQuery) ([]workspace.DealRecord, error) {
	var out []workspace.DealRecord
	err := ws.ListDeals(context.Background(), q, func(d workspace.DealRecord) error {
		out = append(out, d)
		return nil
	})
	return out, err
}

func dealSKU() []domain.Solution {
	return []domain.Solution{{ID: "CFQ7TTC0LF8Q", Source: domain.MicrosoftSKU, Quantity: 25, UnitPrice: "12.50"}}
}

// dealScenario runs every deal method, successes and refusals, on ws.
func dealScenario(ws workspace.Workspace, clk *dealClock) []dealStep {
	ctx := context.Background()
	var steps []dealStep
	rec := func(name string, r workspace.DealRecord, err error) {
		steps = append(steps, dealStep{name, r, dealErr(err)})
	}
	list := func(name string, q workspace.DealQuery) {
		l, err := dealList(ws, q)
		steps = append(steps, dealStep{name, l, dealErr(err)})
	}
	contact := domain.Contact{Name: "Sue Smith", Email: "Sue@Northwind.com", Phone: "+1 555 0100"}
	week := 7 * 24 * time.Hour

	r, err := ws.CreateDeal(ctx, domain.Deal{ID: "D-1", Name: " Rollout ", CustomerID: "contoso.com", Value: "050000.5", Currency: "eur",
		Solutions: append(dealSKU(), domain.Solution{ID: "OWN-1", Source: domain.OwnSolution}), Team: []string{"Bob@Contoso.com"},
		Notes: []domain.Note{{Text: "kick-off"}}})
	rec("create private", r, err)
	r, err = ws.CreateDeal(ctx, domain.Deal{ID: "D-2", Name: "Co-sell", Type: domain.CoSellDeal, Organization: "Northwind Traders",
		OrgCountry: "us", Value: "10", Currency: "USD", Solutions: dealSKU(), Contact: contact, Consent: true})
	rec("create co-sell prospect", r, err)
	r, err = ws.CreateDeal(ctx, domain.Deal{ID: "D-3", Name: "IoT", IoTOEM: true, CloseDate: dealEpoch.Add(90 * 24 * time.Hour),
		CustomerID: dealTenant2, Value: "1", Currency: "EUR", Solutions: []domain.Solution{{ID: "P-1", Source: domain.OtherPartnerSolution}}})
	rec("create IoT OEM", r, err)
	r, err = ws.CreateDeal(ctx, domain.Deal{ID: "D-9", Name: "x", Type: domain.CoSellDeal, CustomerID: "contoso.com", Value: "1", Currency: "EUR", Solutions: dealSKU()})
	rec("create co-sell without contact", r, err)
	r, err = ws.CreateDeal(ctx, domain.Deal{ID: "D-9", Name: "x", CustomerID: "contoso.com", Value: "1,5", Currency: "EUR", Solutions: dealSKU()})
	rec("create bad value", r, err)
	r, err = ws.CreateDeal(ctx, domain.Deal{ID: "D-9", Name: "x", CustomerID: "nope.com", Value: "1", Currency: "EUR", Solutions: dealSKU()})
	rec("create unknown customer", r, err)
	r, err = ws.CreateDeal(ctx, domain.Deal{ID: "D-1", Name: "again", CustomerID: "contoso.com", Value: "1", Currency: "EUR", Solutions: dealSKU()})
	rec("create existing ID", r, err)
	r, err = ws.CreateDeal(ctx, domain.Deal{ID: "D-9", Name: "x", Organization: "Prospect", Value: "1", Currency: "EUR", Solutions: dealSKU(), CloseDate: dealEpoch})
	rec("create close date not IoT", r, err)
	r, err = ws.ReceiveDeal(ctx, domain.Deal{ID: "D-4", Name: "Inbound", CustomerID: "contoso.com", Value: "5", Currency: "GBP",
		Solutions: dealSKU(), SellerName: "John Doe", SellerEmail: "John.Doe@Microsoft.com", Contact: contact})
	rec("receive", r, err)
	clk.Add(time.Hour)
	r, err = ws.ReceiveDeal(ctx, domain.Deal{ID: "D-5", Name: "Will expire", Organization: "Tailspin", OrgCountry: "FR", Value: "5", Currency: "EUR",
		Solutions: dealSKU(), SellerName: "Jane Roe", SellerEmail: "jane@microsoft.com"})
	rec("receive to expire", r, err)
	r, err = ws.ReceiveDeal(ctx, domain.Deal{ID: "D-9", Name: "No seller", CustomerID: "contoso.com", Value: "5", Currency: "GBP", Solutions: dealSKU()})
	rec("receive without seller", r, err)
	clk.Add(time.Hour)

	r, err = ws.Deal(ctx, "D-1")
	rec("show", r, err)
	r, err = ws.Deal(ctx, "nope")
	rec("show missing", r, err)
	r, err = ws.Deal(ctx, "")
	rec("show empty ID", r, err)

	list("list all", workspace.DealQuery{})
	list("list New", workspace.DealQuery{Status: domain.DealNew})
	list("list Received", workspace.DealQuery{Substatus: domain.SubReceived})
	list("list inbound", workspace.DealQuery{Direction: domain.Inbound})
	list("list outbound private", workspace.DealQuery{Direction: domain.Outbound, Type: domain.PrivateDeal})
	list("list co-sell", workspace.DealQuery{Type: domain.CoSellDeal})
	list("list customer", workspace.DealQuery{Customer: "contoso.com"})
	list("list customer by ID", workspace.DealQuery{Customer: dealTenant2})
	list("list unknown customer", workspace.DealQuery{Customer: "nope.com"})
	list("list expiring within a week", workspace.DealQuery{ExpiringWithin: &week})

	r, err = ws.ActOnDeal(ctx, "D-4", domain.ActAccept, "", 5)
	rec("accept stale", r, err)
	r, err = ws.ActOnDeal(ctx, "D-4", domain.ActAccept, "", 1)
	rec("accept", r, err)
	r, err = ws.ActOnDeal(ctx, "D-4", domain.ActAccept, "", 0)
	rec("accept again", r, err)
	r, err = ws.ActOnDeal(ctx, "D-2", domain.ActSellerAccept, "", 0)
	rec("seller accepts", r, err)
	r, err = ws.ActOnDeal(ctx, "D-3", domain.ActDecline, "no", 0)
	rec("decline outbound", r, err)
	r, err = ws.ActOnDeal(ctx, "D-3", domain.ActDuplicate, "dup", 0)
	rec("close as duplicate", r, err)
	r, err = ws.ActOnDeal(ctx, "D-3", domain.ActEdit, "", 0)
	rec("act edit", r, err)
	r, err = ws.ActOnDeal(ctx, "missing", domain.ActWin, "", 0)
	rec("act missing", r, err)

	name, value, cur := "Rollout phase 2", "75000", "usd"
	r, err = ws.UpdateDeal(ctx, "D-1", workspace.DealChange{Name: &name}, 9)
	rec("update stale", r, err)
	r, err = ws.UpdateDeal(ctx, "D-1", workspace.DealChange{Name: &name, Value: &value, Currency: &cur, Contact: &contact,
		AddSolutions:    []domain.Solution{{ID: "OWN-2", Source: domain.OwnSolution}, {ID: "SKU-2", Source: domain.MicrosoftSKU, Quantity: 3}},
		RemoveSolutions: []string{"OWN-1"}}, 1)
	rec("update", r, err)
	r, err = ws.UpdateDeal(ctx, "D-1", workspace.DealChange{Contact: &domain.Contact{}}, 0)
	rec("update contact removed", r, err)
	bad := "EURO"
	r, err = ws.UpdateDeal(ctx, "D-1", workspace.DealChange{Currency: &bad}, 0)
	rec("update bad currency", r, err)
	r, err = ws.UpdateDeal(ctx, "D-1", workspace.DealChange{RemoveSolutions: []string{"NOT-THERE"}}, 0)
	rec("update remove absent", r, err)
	r, err = ws.UpdateDeal(ctx, "D-1", workspace.DealChange{}, 0)
	rec("update nothing", r, err)

	r, err = ws.AddDealNote(ctx, "D-1", "  called the customer  ", 0)
	rec("note", r, err)
	r, err = ws.AddDealNote(ctx, "D-1", "stale", 1)
	rec("note stale", r, err)
	r, err = ws.AddDealNote(ctx, "D-1", "   ", 0)
	rec("note empty", r, err)
	r, err = ws.SetDealTeamMember(ctx, "D-1", "Carol@Contoso.com", true, 0)
	rec("team add", r, err)
	r, err = ws.SetDealTeamMember(ctx, "D-1", "bob@contoso.com", false, r.Version)
	rec("team remove", r, err)
	r, err = ws.SetDealTeamMember(ctx, "D-1", "not an address", true, 0)
	rec("team bad address", r, err)
	r, err = ws.SetDealTeamMember(ctx, "D-1", "", true, 0)
	rec("team empty address", r, err)
	r, err = ws.SetDealTeamMember(ctx, "missing", "a@b.com", true, 0)
	rec("team missing deal", r, err)
	r, err = ws.SetDealTeamMember(ctx, "D-1", "x@contoso.com", true, 1)
	rec("team stale", r, err)

	r, err = ws.SetDealFavorite(ctx, "D-1", true)
	rec("favorite", r, err)
	r, err = ws.SetDealFavorite(ctx, "D-1", true)
	rec("favorite again", r, err)
	r, err = ws.SetDealFavorite(ctx, "D-2", true)
	rec("favorite another", r, err)
	r, err = ws.SetDealFavorite(ctx, "D-2", false)
	rec("unfavorite", r, err)
	r, err = ws.SetDealFavorite(ctx, "missing", true)
	rec("favorite missing", r, err)
	list("list favorites", workspace.DealQuery{Favorites: true})

	clk.Add(time.Minute)
	r, err = ws.ActOnDeal(ctx, "D-1", domain.ActWin, "  signed  ", 0)
	rec("win", r, err)
	r, err = ws.AddDealNote(ctx, "D-1", "late", 0)
	rec("note on a won deal", r, err)
	r, err = ws.UpdateDeal(ctx, "D-1", workspace.DealChange{Name: &name}, 0)
	rec("update a won deal", r, err)
	r, err = ws.SetDealFavorite(ctx, "D-1", false)
	rec("unfavorite a won deal", r, err)
	r, err = ws.ActOnDeal(ctx, "D-3", domain.ActLose, "", 0)
	rec("lose", r, err)

	clk.Add(domain.DealTTL)
	list("list after expiry", workspace.DealQuery{Sort: "updated"})
	r, err = ws.Deal(ctx, "D-5")
	rec("show expired", r, err)
	r, err = ws.ActOnDeal(ctx, "D-5", domain.ActAccept, "", 0)
	rec("accept expired", r, err)
	list("list Closed/Expired", workspace.DealQuery{Status: domain.DealClosed, Substatus: domain.SubExpired})
	list("list sort bogus", workspace.DealQuery{Sort: "bogus"})
	return steps
}

func TestDealsMatchLocal(t *testing.T) {
	local, remoteEnv := startDeals(t), startDeals(t)
	want := dealScenario(local.Local(dealUser), local.clock)
	got := dealScenario(remoteEnv.Client(dealUser), remoteEnv.clock)
	if len(got) != len(want) {
		t.Fatalf("%d steps remotely, %d locally", len(got), len(want))
	}
	failures, successes := 0, 0
	for i := range want {
		if want[i].Err == "" {
			successes++
		} else {
			failures++
		}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s:\nremote %+v\n local %+v", want[i].Name, got[i], want[i])
		}
	}
	if failures < 20 || successes < 20 {
		t.Fatalf("the scenario should fail %d and succeed %d times", failures, successes)
	}
	// Spot checks: the scenario does what it says.
	byName := map[string]dealStep{}
	for _, s := range got {
		byName[s.Name] = s
	}
	for name, err := range map[string]string{
		"accept stale":          "deal D-4 changed since version 5 (it is at version 1): show it again and retry [RuleError stale]",
		"show missing":          `no deal matches "nope" [NotFoundError {Kind:deal Ref:nope}]`,
		"show empty ID":         `no deal matches "" [NotFoundError {Kind:deal Ref:}]`,
		"accept again":          "a deal that is Active/Accepted cannot be accepted [RuleError transition]",
		"note on a won deal":    "deal D-1 is closed (won): a closed deal can no longer be changed [RuleError deal-closed]",
		"accept expired":        "deal D-5 expired on 2025-06-16 (not accepted within 14 days) and can no longer be accepted [RuleError deal-expired]",
		"act edit":              "ActOnDeal: edit is not an action a user takes [*errors.errorString]",
		"team empty address":    "",
		"update":                "",
		"unfavorite a won deal": "",
	} {
		if s, ok := byName[name]; !ok || (err != "" && s.Err != err) || (err == "" && name != "team empty address" && s.Err != "") {
			t.Errorf("%s: %q", name, s.Err)
		}
	}
	if byName["team empty address"].Err == "" {
		t.Error("an empty team address was accepted")
	}
	if w := byName["win"].Result.(workspace.DealRecord); w.StatusReason != "signed" || w.Substatus != domain.SubWon || !w.Favorite {
		t.Errorf("win: %+v", w)
	}
}

func TestDealsForbiddenWithoutReferralsAdmin(t *testing.T) {
	env := startDeals(t)
	ctx := context.Background()
	if _, err := env.Local(dealUser).CreateDeal(ctx, domain.Deal{ID: "D-1", Name: "n", CustomerID: "contoso.com", Value: "1", Currency: "EUR", Solutions: dealSKU()}); err != nil {
		t.Fatal(err)
	}
	const user = "helpdesk@partner.test"
	remoteWS := env.Client(user, domain.RoleHelpdeskAgent)
	localWS := env.DB.As(domain.Principal{User: user, Roles: []domain.Role{domain.RoleHelpdeskAgent}})
	calls := map[string]func(workspace.Workspace) error{
		"CreateDeal": func(ws workspace.Workspace) error {
			_, err := ws.CreateDeal(ctx, domain.Deal{ID: "D-2", Name: "n", CustomerID: "contoso.com", Value: "1", Currency: "EUR", Solutions: dealSKU()})
			return err
		},
		"ReceiveDeal": func(ws workspace.Workspace) error {
			_, err := ws.ReceiveDeal(ctx, domain.Deal{ID: "D-2", Name: "n", CustomerID: "contoso.com", Value: "1", Currency: "EUR", Solutions: dealSKU(), SellerName: "S", SellerEmail: "s@microsoft.com"})
			return err
		},
		"Deal":      func(ws workspace.Workspace) error { _, err := ws.Deal(ctx, "D-1"); return err },
		"ListDeals": func(ws workspace.Workspace) error { _, err := dealList(ws, workspace.DealQuery{}); return err },
		"ActOnDeal": func(ws workspace.Workspace) error {
			_, err := ws.ActOnDeal(ctx, "D-1", domain.ActWin, "", 0)
			return err
		},
		"UpdateDeal": func(ws workspace.Workspace) error {
			n := "x"
			_, err := ws.UpdateDeal(ctx, "D-1", workspace.DealChange{Name: &n}, 1)
			return err
		},
		"AddDealNote": func(ws workspace.Workspace) error { _, err := ws.AddDealNote(ctx, "D-1", "n", 0); return err },
		"SetDealTeamMember": func(ws workspace.Workspace) error {
			_, err := ws.SetDealTeamMember(ctx, "D-1", "a@b.com", true, 0)
			return err
		},
		"SetDealFavorite": func(ws workspace.Workspace) error { _, err := ws.SetDealFavorite(ctx, "D-1", true); return err },
		"ImportDeals": func(ws workspace.Workspace) error {
			_, err := ws.ImportDeals(ctx, dealRowsOf(dealImportRows()), workspace.DealImportOptions{})
			return err
		},
	}
	for name, call := range calls {
		rerr, lerr := call(remoteWS), call(localWS)
		var fb *domain.ForbiddenError
		if !errors.As(rerr, &fb) || fb.Permission != domain.PermDeals || fb.User != user {
			t.Errorf("%s: %v is not a ForbiddenError", name, rerr)
		}
		if dealErr(rerr) != dealErr(lerr) {
			t.Errorf("%s:\nremote %s\n local %s", name, dealErr(rerr), dealErr(lerr))
		}
	}
	if d, err := env.Local(dealUser).Deal(ctx, "D-1"); err != nil || d.Version != 1 {
		t.Fatalf("a refused write changed the deal: %+v %v", d, err)
	}
}

// IDs holding characters a path escapes reach the workspace as typed.
func TestDealsEscapedIDs(t *testing.T) {
	env := startDeals(t)
	ctx := context.Background()
	local, remoteWS := env.Local(dealUser), env.Client(dealUser)
	// (An ID with spaces around it cannot be created: the workspace looks IDs up trimmed.)
	for _, id := range []string{"D 1", "a/b", "x?y#z", "50%", "a/../b"} {
		if _, err := local.CreateDeal(ctx, domain.Deal{ID: id, Name: "n", CustomerID: "contoso.com", Value: "1", Currency: "EUR", Solutions: dealSKU()}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"D 1", " D 1 ", "a/b", "x?y#z", "50%", "a/../b", "missing/x"} {
		want, lerr := local.Deal(ctx, id)
		got, rerr := remoteWS.Deal(ctx, id)
		if dealErr(rerr) != dealErr(lerr) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: remote %+v %s, local %+v %s", id, got, dealErr(rerr), want, dealErr(lerr))
		}
		fl, lerr := local.SetDealFavorite(ctx, id, true)
		fr, rerr := remoteWS.SetDealFavorite(ctx, id, true)
		if dealErr(rerr) != dealErr(lerr) || !reflect.DeepEqual(fr, fl) {
			t.Errorf("favorite %q: remote %s, local %s", id, dealErr(rerr), dealErr(lerr))
		}
	}
}

var errDealStop = errors.New("stop here")

func TestListDealsLongAndCallbackStops(t *testing.T) {
	env := startDeals(t)
	ctx := context.Background()
	local := env.Local(dealUser)
	const n = 300
	for i := range n {
		if _, err := local.CreateDeal(ctx, domain.Deal{ID: fmt.Sprintf("D-%03d", i), Name: strings.Repeat("x", i%50+1),
			CustomerID: "contoso.com", Value: "1", Currency: "EUR", Solutions: dealSKU()}); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 {
			env.clock.Add(time.Second)
		}
	}
	remoteWS := env.Client(dealUser)
	for _, q := range []workspace.DealQuery{{}, {Sort: "updated"}} {
		want, err := dealList(local, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dealList(remoteWS, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n || !reflect.DeepEqual(got, want) {
			t.Fatalf("%+v: %d deals remotely, %d locally, or not the same", q, len(got), len(want))
		}
	}
	calls := 0
	err := remoteWS.ListDeals(ctx, workspace.DealQuery{}, func(workspace.DealRecord) error {
		calls++
		if calls == 5 {
			return errDealStop
		}
		return nil
	})
	if !errors.Is(err, errDealStop) || calls != 5 {
		t.Fatalf("the callback's error: %v after %d calls", err, calls)
	}
}

// dealHTTP makes a request of the API with a token, returning the status, the headers
// and the body.
func dealHTTP(t *testing.T, env *dealEnv, token, method, path string, header map[string]string, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, env.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func dealAPIError(t *testing.T, b []byte) api.Error {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return e
}

func TestDealETagAndIfMatch(t *testing.T) {
	env := startDeals(t)
	ctx := context.Background()
	local := env.Local(dealUser)
	if _, err := local.CreateDeal(ctx, domain.Deal{ID: "D-1", Name: "n", CustomerID: "contoso.com", Value: "1", Currency: "EUR", Solutions: dealSKU()}); err != nil {
		t.Fatal(err)
	}
	token := env.Token(dealUser, domain.AllRoles...)
	path := api.ReferralURI("D-1")

	status, h, b := dealHTTP(t, env, token, "GET", path, nil, "")
	if status != 200 || h.Get("ETag") != `"1"` {
		t.Fatalf("GET: %d ETag %q %s", status, h.Get("ETag"), b)
	}
	// A stale If-Match: 412, the workspace's words, nothing changed.
	status, _, b = dealHTTP(t, env, token, "PATCH", path, map[string]string{"If-Match": `"7"`}, `{"name":"renamed"}`)
	if e := dealAPIError(t, b); status != http.StatusPreconditionFailed || e.Code != api.CodeRule || e.Rule != "stale" ||
		e.Description != "deal D-1 changed since version 7 (it is at version 1): show it again and retry" {
		t.Fatalf("stale PATCH: %d %s", status, b)
	}
	// The current one: applied, with the new ETag.
	status, h, b = dealHTTP(t, env, token, "PATCH", path, map[string]string{"If-Match": `"1"`}, `{"name":"renamed","details":{"dealValue":99.5}}`)
	if status != 200 || h.Get("ETag") != `"2"` {
		t.Fatalf("PATCH: %d %q %s", status, h.Get("ETag"), b)
	}
	if d, _ := local.Deal(ctx, "D-1"); d.Name != "renamed" || d.Value != "99.5" || d.Version != 2 {
		t.Fatalf("after PATCH: %+v", d)
	}
	// The pcctl routes take If-Match too.
	status, _, b = dealHTTP(t, env, token, "POST", api.DealsPath+"/D-1/notes", map[string]string{"If-Match": `"1"`}, `{"text":"n"}`)
	if status != http.StatusPreconditionFailed {
		t.Fatalf("stale note: %d %s", status, b)
	}
	status, h, b = dealHTTP(t, env, token, "PUT", api.DealsPath+"/D-1/team/a%40contoso.com", map[string]string{"If-Match": `W/"2"`}, "")
	if status != 200 || h.Get("ETag") != `"3"` {
		t.Fatalf("team: %d %q %s", status, h.Get("ETag"), b)
	}
	status, h, _ = dealHTTP(t, env, token, "PUT", api.DealsPath+"/D-1/favorite", nil, "")
	if status != 200 || h.Get("ETag") != `"3"` {
		t.Fatalf("favorite: %d %q (a favorite is not a change of the deal)", status, h.Get("ETag"))
	}
	// A malformed If-Match is a bad request.
	status, _, b = dealHTTP(t, env, token, "PATCH", path, map[string]string{"If-Match": "3"}, `{"name":"x"}`)
	if e := dealAPIError(t, b); status != 400 || e.Code != api.CodeBadRequest || !strings.Contains(e.Description, "If-Match") {
		t.Fatalf("malformed If-Match: %d %s", status, b)
	}
	// The client sends If-Match when given a version, and none otherwise.
	c := env.Client(dealUser)
	if _, err := c.AddDealNote(ctx, "D-1", "x", 2); dealErr(err) != "deal D-1 changed since version 2 (it is at version 3): show it again and retry [RuleError stale]" {
		t.Fatalf("client stale: %v", dealErr(err))
	}
	if d, err := c.AddDealNote(ctx, "D-1", "x", 3); err != nil || d.Version != 4 {
		t.Fatalf("client current: %+v %v", d, err)
	}
	if d, err := c.AddDealNote(ctx, "D-1", "y", 0); err != nil || d.Version != 5 {
		t.Fatalf("client without version: %+v %v", d, err)
	}
}

func TestDealPartnerCenterBodies(t *testing.T) {
	env := startDeals(t)
	ctx := context.Background()
	local := env.Local(dealUser)
	token := env.Token(dealUser, domain.AllRoles...)

	// Partner Center's create request, as published (mixed key case, consent as strings),
	// with the currency pcctl requires.
	sample, err := os.ReadFile("../../../testdata/partnercenter/referral-create-request.json")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(sample), `"dealValue": 50000,`, `"dealValue": 50000, "currency": "usd",`, 1)
	body = strings.Replace(body, `"ExternalReferenceId"`, `"Name": "Supply chain", "ExternalReferenceId"`, 1)
	status, h, b := dealHTTP(t, env, token, "POST", api.ReferralsPath, nil, body)
	if status != http.StatusCreated || h.Get("ETag") != `"1"` || !strings.HasPrefix(h.Get("Location"), env.URL+api.ReferralsPath+"/") {
		t.Fatalf("create: %d %v %s", status, h, b)
	}
	var ref api.Referral
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	created, err := local.Deal(ctx, ref.ID)
	if err != nil || created.Type != domain.CoSellDeal || created.Status != domain.DealNew || created.Substatus != domain.SubPending ||
		created.Contact.Name != "Sue Smith" || created.Organization != "Contoso Inc" || created.OrgCountry != "US" || !created.Consent ||
		created.Value != "50000" || created.Currency != "USD" || len(created.Notes) != 1 || created.Direction != domain.Outbound {
		t.Fatalf("created from the sample: %+v %v", created, err)
	}
	if got, err := ref.Record(); err != nil || !reflect.DeepEqual(got, created) {
		t.Fatalf("the answer is not the deal:\n%+v\n%+v", got, created)
	}

	// Active/Accepted without pcctl.action: the seller's acceptance of an outbound co-sell
	// deal, the partner's of an inbound one.
	status, _, b = dealHTTP(t, env, token, "PATCH", api.ReferralURI(ref.ID), nil, `{"status":"Active","substatus":"Accepted"}`)
	if d, _ := local.Deal(ctx, ref.ID); status != 200 || !d.SellerAccepted || d.Status != domain.DealActive {
		t.Fatalf("seller accepts: %d %s %+v", status, b, d)
	}
	in, err := local.ReceiveDeal(ctx, domain.Deal{ID: "IN-1", Name: "in", CustomerID: "contoso.com", Value: "1", Currency: "EUR",
		Solutions: dealSKU(), SellerName: "S", SellerEmail: "s@microsoft.com"})
	if err != nil {
		t.Fatal(err)
	}
	status, _, b = dealHTTP(t, env, token, "PATCH", api.ReferralURI(in.ID), nil, `{"status":1,"substatus":2}`)
	if d, _ := local.Deal(ctx, in.ID); status != 200 || d.Status != domain.DealActive || d.Substatus != domain.SubAccepted {
		t.Fatalf("partner accepts: %d %s %+v", status, b, d)
	}

	// Partner Center's update request, as published: the status change applies, the rest
	// of the referral is ignored.
	upd, err := os.ReadFile("../../../testdata/partnercenter/referral-update-request.json")
	if err != nil {
		t.Fatal(err)
	}
	status, h, b = dealHTTP(t, env, token, "PATCH", api.ReferralURI(in.ID), map[string]string{"If-Match": `"2"`}, string(upd))
	won, _ := local.Deal(ctx, in.ID)
	if status != 200 || won.Substatus != domain.SubWon || won.StatusReason != "Customer engagement was a success!" || won.Name != "in" ||
		h.Get("ETag") != `"3"` {
		t.Fatalf("update request: %d %s %+v", status, b, won)
	}

	// Malformed requests name what is wrong.
	for _, c := range []struct{ method, path, body, want string }{
		{"GET", api.ReferralsPath + "?status=Open", "", `status "Open" is not a referral status: expected New, Active or Closed (or 0, 1, 2)`},
		{"GET", api.ReferralsPath + "?substatus=Engaged", "", `substatus "Engaged" is not a referral substatus pcctl knows: expected Pending, Received, Accepted, Won, Lost, Declined or Expired`},
		{"GET", api.ReferralsPath + "?direction=up", "", `direction "up" is not a referral direction: expected Incoming or Outgoing (or inbound, outbound)`},
		{"GET", api.ReferralsPath + "?type=x", "", `type "x" is not a referral type: expected Independent or Shared (or private, co-sell)`},
		{"GET", api.ReferralsPath + "?favorites=maybe", "", `invalid favorites "maybe": expected true or false`},
		{"GET", api.ReferralsPath + "?sort=name", "", `invalid sort "name": expected created (the default: newest created or received first) or updated (last changed first)`},
		{"GET", api.ReferralsPath + "?expiring_within=soon", "", `invalid expiring_within "soon": expected a duration, as whole days (30d) or hours and minutes (720h, 90m)`},
		{"GET", api.ReferralsPath + "?colour=red", "", `unknown query parameter "colour": the referrals list takes status, substatus, direction, type, customer, favorites, expiring_within, sort, and size and seekOperation for paging`},
		{"GET", api.ReferralsPath + "?status=New&status=Active", "", `the query parameter status is given 2 times: give it once`},
		{"PATCH", api.ReferralURI(in.ID), `{"status":"Closed","substatus":"Expired"}`, `Closed/Expired is not a status a referral can be given: expected Active/Accepted, Closed/Declined, Closed/Won or Closed/Lost (New and Closed/Expired are set by pcctl itself; close as duplicate with "pcctl": {"action": "close-duplicate"})`},
		{"PATCH", api.ReferralURI(in.ID), `{"name":`, ""},
		{"POST", api.ReferralsPath, `{"direction":"Sideways"}`, `direction "Sideways" is not a referral direction: expected Incoming or Outgoing (or inbound, outbound)`},
		{"POST", api.DealImportPath + "?dryRun=perhaps", "", `invalid dryRun "perhaps": expected true or false`},
		{"POST", api.DealImportPath + "?expectedRows=-1", "", `invalid expectedRows "-1": expected how many rows the body holds, a whole number of 0 or more`},
		{"POST", api.DealImportPath, `{"line":2,"deal":{"status":7}}`, `row 1 of the import body (line 2): referral status 7 is not a number of the enumeration (0 to 2: New, Active, Closed)`},
		{"POST", api.DealImportPath, `{"line":2,"deal":{}}`, `the import body ended after 1 rows without its end line ({"end": N}): the import was aborted and nothing was written`},
		{"POST", api.DealImportPath, `{"end":3}`, `the import body's end line counts 3 rows, but 0 were sent: nothing was written`},
	} {
		status, _, b := dealHTTP(t, env, token, c.method, c.path, nil, c.body)
		e := dealAPIError(t, b)
		if status != 400 || e.Code != api.CodeBadRequest || (c.want != "" && e.Description != c.want) {
			t.Errorf("%s %s %s: %d %s", c.method, c.path, c.body, status, b)
		}
	}
	if l, _ := dealList(local, workspace.DealQuery{}); len(l) != 2 {
		t.Fatalf("%d deals after the refused requests", len(l))
	}
}

// Deal imports.

func dealImportRow(line int, id, org, country string, sub domain.DealSubstatus) workspace.DealImportRow {
	st := domain.DealActive
	if sub != domain.SubAccepted {
		st = domain.DealClosed
	}
	return workspace.DealImportRow{Line: line, NameColumn: 3, Fingerprint: "fp-" + id,
		Deal: domain.Deal{ID: id, Name: "Deal " + id, Organization: org, OrgCountry: country, Status: st, Substatus: sub,
			Value: "100", Currency: "USD", Solutions: dealSKU(), Team: []string{"seller@fabrikam.com"},
			CreatedAt: dealEpoch.Add(-time.Duration(line) * time.Hour),
			Notes:     []domain.Note{{Text: "Customer outcome (PSC): happy"}}}}
}

func dealImportRows() []workspace.DealImportRow {
	return []workspace.DealImportRow{
		dealImportRow(2, "OPP-1", "CONTOSO", "", domain.SubAccepted),
		dealImportRow(3, "OPP-2", "adatum", "DE", domain.SubWon),
		dealImportRow(4, "OPP-3", "Northwind Traders", "US", domain.SubLost), // unknown
		{Line: 5, Deal: domain.Deal{ID: "OPP-4", Name: "Dup"}, Duplicate: true},
		dealImportRow(6, "OPP-1", "Contoso", "", domain.SubAccepted), // twice
		{Line: 7, Deal: domain.Deal{ID: "OPP-5", Name: "Bad", Value: "1,5"}, NameColumn: 3,
			Errors: []workspace.RowError{{Line: 7, Column: 9, Field: "Amount", Reason: `"1,5" is not an amount`}}},
	}
}

func dealRowsOf(rows []workspace.DealImportRow) *workspace.DealRowSlice {
	s := workspace.DealRowSlice(append([]workspace.DealImportRow(nil), rows...))
	return &s
}

// dealGenRows yields n generated rows, then err (io.EOF when nil): never a slice.
type dealGenRows struct {
	i, n int
	err  error
}

func (g *dealGenRows) Next() (workspace.DealImportRow, error) {
	if g.i >= g.n {
		if g.err != nil {
			return workspace.DealImportRow{}, g.err
		}
		return workspace.DealImportRow{}, io.EOF
	}
	g.i++
	org := "Contoso"
	if g.i%3 == 0 {
		org = "Adatum GmbH"
	}
	return dealImportRow(g.i+1, fmt.Sprintf("GEN-%05d", g.i), org, "", []domain.DealSubstatus{domain.SubAccepted, domain.SubWon, domain.SubLost}[g.i%3]), nil
}

func TestImportDealsMatchesLocal(t *testing.T) {
	local, remoteEnv := startDeals(t), startDeals(t)
	lws, rws := local.Local(dealUser), remoteEnv.Client(dealUser)
	ctx := context.Background()
	for _, opts := range []workspace.DealImportOptions{
		{}, // rows fail: nothing written
		{DryRun: true, SkipFailed: true, CreateMissingOrgs: true},
		{SkipFailed: true}, // the good rows
		{SkipFailed: true, CreateMissingOrgs: true, ExpectedRows: 6}, // again: unchanged, and the prospect created
	} {
		want, lerr := lws.ImportDeals(ctx, dealRowsOf(dealImportRows()), opts)
		var progress []int
		ropts := opts
		ropts.Progress = func(n int) { progress = append(progress, n) }
		got, rerr := rws.ImportDeals(ctx, dealRowsOf(dealImportRows()), ropts)
		if lerr != nil || rerr != nil {
			t.Fatalf("%+v: %v %v", opts, lerr, rerr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%+v:\nremote %+v\n local %+v", opts, got, want)
		}
		if len(progress) == 0 || progress[len(progress)-1] != 6 {
			t.Errorf("%+v: progress %v", opts, progress)
		}
		ld, _ := dealList(lws, workspace.DealQuery{})
		rd, err := dealList(rws, workspace.DealQuery{})
		if err != nil || !reflect.DeepEqual(rd, ld) {
			t.Fatalf("%+v: the workspaces differ after the import: %d and %d deals", opts, len(rd), len(ld))
		}
		switch {
		case !opts.SkipFailed || opts.DryRun:
			if got.Written || len(rd) != 0 {
				t.Fatalf("%+v wrote %d deals", opts, len(rd))
			}
		case !got.Written || len(rd) == 0:
			t.Fatalf("%+v wrote nothing", opts)
		}
	}
}

func TestImportDealsLargeAndFailingRows(t *testing.T) {
	local, remoteEnv := startDeals(t), startDeals(t)
	lws, rws := local.Local(dealUser), remoteEnv.Client(dealUser)
	ctx := context.Background()
	const n = 3000

	// rows.Next fails after many rows were sent: the same error, nothing written.
	errRead := errors.New("deals.csv: line 3002: bare quote in a field")
	_, lerr := lws.ImportDeals(ctx, &dealGenRows{n: n, err: errRead}, workspace.DealImportOptions{SkipFailed: true})
	sent := 0
	_, rerr := rws.ImportDeals(ctx, &dealGenRows{n: n, err: errRead}, workspace.DealImportOptions{SkipFailed: true,
		Progress: func(k int) { sent = k }})
	if !errors.Is(rerr, errRead) || !errors.Is(lerr, errRead) {
		t.Fatalf("remote %v, local %v", rerr, lerr)
	}
	if sent < 2048 {
		t.Fatalf("only %d rows were sent before the failure", sent)
	}
	if d, err := dealList(rws, workspace.DealQuery{}); err != nil || len(d) != 0 {
		t.Fatalf("a failed import wrote %d deals (%v)", len(d), err)
	}

	// A large import streams and gives the same result.
	want, lerr := lws.ImportDeals(ctx, &dealGenRows{n: n}, workspace.DealImportOptions{ExpectedRows: n})
	got, rerr := rws.ImportDeals(ctx, &dealGenRows{n: n}, workspace.DealImportOptions{ExpectedRows: n})
	if lerr != nil || rerr != nil || !reflect.DeepEqual(got, want) || len(got.Rows) != n || got.Count(workspace.DealImported) != n {
		t.Fatalf("large import: %v %v, %d rows, %d imported", lerr, rerr, len(got.Rows), got.Count(workspace.DealImported))
	}
	ld, _ := dealList(lws, workspace.DealQuery{Sort: "updated"})
	rd, _ := dealList(rws, workspace.DealQuery{Sort: "updated"})
	if len(rd) != n || !reflect.DeepEqual(rd, ld) {
		t.Fatalf("after the large import: %d and %d deals, or not the same", len(rd), len(ld))
	}
}

// The server refuses a body over its import limit, as too large: nothing is written.
func TestImportDealsBodyLimit(t *testing.T) {
	clk := &dealClock{now: dealEpoch}
	env := servertest.Start(t, servertest.Options{Now: clk.Now, Server: server.Options{MaxImportBytes: 64 << 10}})
	c := env.Client(dealUser)
	_, err := c.ImportDeals(context.Background(), &dealGenRows{n: 1000}, workspace.DealImportOptions{})
	var e *api.Error
	if !errors.As(err, &e) || e.Code != api.CodeTooLarge || e.Description != "the request body is over the server's limit of 65536 bytes" {
		t.Fatalf("%v", err)
	}
	if d, err := dealList(env.Local(dealUser), workspace.DealQuery{}); err != nil || len(d) != 0 {
		t.Fatalf("%d deals written (%v)", len(d), err)
	}
}

// The client reads a list as it comes: an error member ends it with that error, a cut
// answer is an error, and a next link is followed.
func TestListDealsStreamEnds(t *testing.T) {
	item := func(id string) string {
		b, _ := json.Marshal(api.FromDealRecord(workspace.DealRecord{Deal: domain.Deal{ID: id, Version: 1}}))
		return string(b)
	}
	var gotToken string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("case") {
		case "error":
			io.WriteString(w, `{"items":[`+item("a")+`,`+item("b")+`],"error":{"code":"rule","description":"boom","rule":"x","attributes":{}}}`)
		case "cut":
			io.WriteString(w, `{"items":[`+item("a")+`,`)
		case "page2":
			gotToken = r.Header.Get(api.ContinuationHeader)
			io.WriteString(w, `{"items":[`+item("b")+`],"totalCount":1}`)
		default:
			io.WriteString(w, `{"items":[`+item("a")+`],"links":{"next":{"uri":"`+api.ReferralsPath+`?case=page2","method":"GET","headers":[{"key":"`+api.ContinuationHeader+`","value":"tok"}]}}}`)
		}
	}))
	defer srv.Close()
	for _, c := range []struct{ cs, ids, err string }{
		{"error", "a,b", "boom [RuleError x]"},
		{"cut", "a", "cannot read"},
		{"", "a,b", ""},
	} {
		cl, err := remote.New(srv.URL+"/", remote.Options{Token: "t", HTTPClient: &http.Client{Transport: caseTransport{c.cs}}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		err = cl.ListDeals(context.Background(), workspace.DealQuery{}, func(d workspace.DealRecord) error {
			got = append(got, d.ID)
			return nil
		})
		if strings.Join(got, ",") != c.ids || (c.err == "" && err != nil) || (c.err != "" && !strings.Contains(dealErr(err), c.err)) {
			t.Errorf("%s: %v, %s", c.cs, got, dealErr(err))
		}
	}
	if gotToken != "tok" {
		t.Errorf("the next link's header was not sent: %q", gotToken)
	}
}

// caseTransport adds ?case= to the first request of a list.
type caseTransport struct{ cs string }

func (c caseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Query().Get("case") == "" && c.cs != "" {
		r = r.Clone(r.Context())
		q := r.URL.Query()
		q.Set("case", c.cs)
		r.URL.RawQuery = q.Encode()
	}
	return http.DefaultTransport.RoundTrip(r)
}
