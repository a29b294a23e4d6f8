package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
)

type rslAnswer struct {
	status int
	header http.Header
	body   string
}

func rslDo(t *testing.T, method, u, contentType, accept, bearer, body string) rslAnswer {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rslAnswer{resp.StatusCode, resp.Header, string(b)}
}

const rslBrowser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// rslInvite records a partnership request and returns its token, drawn by the workspace.
func rslInvite(t *testing.T, ws workspace.Workspace, email, name string) string {
	t.Helper()
	subject, body, err := domain.DraftInvitation(`Contoso <b>Partners</b> & Co`, name, "http://127.0.0.1:8787/pcctl/v1/invitations/"+domain.TokenPlaceholder, time.Now().Add(domain.InvitationTTL), "")
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := ws.InviteReseller(context.Background(), domain.Invitation{Email: email, Name: name, Subject: subject, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return inv.Token
}

func rslSecurityHeaders(t *testing.T, a rslAnswer) {
	t.Helper()
	if ct := a.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if csp := a.header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'; style-src 'unsafe-inline'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	for k, v := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
		if got := a.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if strings.Contains(a.body, "<script") || strings.Contains(a.body, "src=") || strings.Contains(a.body, "href=") {
		t.Errorf("the page loads or links something:\n%s", a.body)
	}
}

func TestInvitationPage(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	local := env.Local("owner@pcctl.test")
	rslToken := rslInvite(t, local, "sales@fabrikam.com", `Fabrikam <script>alert("x")</script>`)
	page := env.URL + api.InvitationsPath + "/" + rslToken

	// The page: who invites, to whom, the message, the form; everything escaped.
	a := rslDo(t, "GET", page, "", rslBrowser, "", "")
	if a.status != http.StatusOK {
		t.Fatalf("GET: %d %s", a.status, a.body)
	}
	rslSecurityHeaders(t, a)
	for _, want := range []string{
		"<title>Contoso &lt;b&gt;Partners&lt;/b&gt; &amp; Co: partnership request",
		"Contoso &lt;b&gt;Partners&lt;/b&gt; &amp; Co would like to work with you",
		"Hello Fabrikam &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;,",
		"sales@fabrikam.com",
		`<form method="post">`, `name="mpnId"`,
		`value="Fabrikam &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"`,
		"/pcctl/v1/invitations/…",
	} {
		if !strings.Contains(a.body, want) {
			t.Errorf("the page lacks %q:\n%s", want, a.body)
		}
	}
	if strings.Contains(a.body, "<b>") || strings.Contains(a.body, `<script>alert`) || strings.Contains(a.body, rslToken) {
		t.Errorf("the page holds raw markup or the token:\n%s", a.body)
	}

	// A form with a bad MPN ID comes back with the problem and what was typed.
	a = rslDo(t, "POST", page, "application/x-www-form-urlencoded", rslBrowser, "", url.Values{"mpnId": {"48x"}, "name": {"Fab <i>"}}.Encode())
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, `resellerMpnId &#34;48x&#34; is not an MPN ID`) ||
		!strings.Contains(a.body, `value="Fab &lt;i&gt;"`) || !strings.Contains(a.body, `value="48x"`) {
		t.Errorf("bad form: %d\n%s", a.status, a.body)
	}
	rslSecurityHeaders(t, a)

	// The form accepts, once.
	form := url.Values{"mpnId": {"4847383"}, "name": {"Fabrikam <Partners>"}}.Encode()
	a = rslDo(t, "POST", page, "application/x-www-form-urlencoded", rslBrowser, "", form)
	if a.status != http.StatusOK || !strings.Contains(a.body, "Partnership request accepted") ||
		!strings.Contains(a.body, "<strong>Fabrikam &lt;Partners&gt;</strong> (MPN ID 4847383)") {
		t.Fatalf("accept: %d\n%s", a.status, a.body)
	}
	rslSecurityHeaders(t, a)
	r, err := local.Reseller(context.Background(), "4847383")
	if err != nil || r.Status != domain.ResellerActive || r.Name != "Fabrikam <Partners>" || r.Email != "sales@fabrikam.com" {
		t.Errorf("reseller = %+v, %v", r, err)
	}
	a = rslDo(t, "POST", page, "application/x-www-form-urlencoded", rslBrowser, "", form)
	if a.status != http.StatusConflict || !strings.Contains(a.body, "this partnership request was already accepted on") || strings.Contains(a.body, "<form") {
		t.Errorf("second accept: %d\n%s", a.status, a.body)
	}
	rslSecurityHeaders(t, a)
	a = rslDo(t, "GET", page, "", rslBrowser, "", "")
	if a.status != http.StatusConflict || !strings.Contains(a.body, "already accepted") {
		t.Errorf("GET a used request: %d\n%s", a.status, a.body)
	}
	// The same refusal for a script, as JSON.
	a = rslDo(t, "POST", page, "application/json", "", "", `{"mpnId":"4847383","name":"F"}`)
	var e api.Error
	if a.status != http.StatusConflict || json.Unmarshal([]byte(a.body), &e) != nil || e.Code != api.CodeRule || e.Rule != "invitation-used" {
		t.Errorf("JSON second accept: %d %s", a.status, a.body)
	}

	// The audit log names the reseller who accepted through the link.
	var who []string
	_ = local.AuditLog(context.Background(), workspace.AuditQuery{Entity: "reseller", EntityID: "4847383"}, func(r workspace.AuditRecord) error {
		who = append(who, r.User+" "+r.Action)
		return nil
	})
	if len(who) != 1 || who[0] != "reseller:4847383 reseller.accept" {
		t.Errorf("audit = %q", who)
	}

	// The token is never logged.
	if log := env.Log.String(); strings.Contains(log, rslToken) || !strings.Contains(log, "POST /pcctl/v1/invitations/{token}") {
		t.Errorf("log:\n%s", log)
	}
}

func TestInvitationPageRefusals(t *testing.T) {
	now := time.Now().UTC()
	var clock atomic.Int64 // the workspace's clock, in Unix nanoseconds
	clock.Store(now.UnixNano())
	env := servertest.Start(t, servertest.Options{Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	local := env.Local("owner@pcctl.test")
	clock.Store(now.Add(-31 * 24 * time.Hour).UnixNano())
	expiredtoken := rslInvite(t, local, "old@example.com", "Old")
	clock.Store(now.UnixNano())

	// Unknown: 404, as a page for a browser (not quoting the token), as JSON otherwise.
	a := rslDo(t, "GET", env.URL+api.InvitationsPath+"/nosuchtoken", "", rslBrowser, "", "")
	if a.status != http.StatusNotFound || !strings.Contains(a.body, "no partnership request matches &#34;…&#34;") || strings.Contains(a.body, "nosuchtoken") {
		t.Errorf("unknown: %d\n%s", a.status, a.body)
	}
	rslSecurityHeaders(t, a)
	a = rslDo(t, "GET", env.URL+api.InvitationsPath+"/nosuchtoken", "", "", "", "")
	var e api.Error
	if a.status != http.StatusNotFound || json.Unmarshal([]byte(a.body), &e) != nil || e.Code != api.CodeNotFound || e.Kind != "partnership request" {
		t.Errorf("unknown, JSON: %d %s", a.status, a.body)
	}
	a = rslDo(t, "POST", env.URL+api.InvitationsPath+"/nosuchtoken", "application/x-www-form-urlencoded", rslBrowser, "", "mpnId=4847383&name=F")
	if a.status != http.StatusNotFound || !strings.Contains(a.body, "cannot be accepted") {
		t.Errorf("unknown, POST: %d\n%s", a.status, a.body)
	}

	// Expired: 409.
	for _, method := range []string{"GET", "POST"} {
		a = rslDo(t, method, env.URL+api.InvitationsPath+"/"+expiredtoken, "application/x-www-form-urlencoded", rslBrowser, "", "mpnId=4847383&name=F")
		if a.status != http.StatusConflict || !strings.Contains(a.body, "this partnership request expired on") || !strings.Contains(a.body, "invite old@example.com again") {
			t.Errorf("expired, %s: %d\n%s", method, a.status, a.body)
		}
	}

	// Bodies over the limit and malformed ones.
	rslToken := rslInvite(t, local, "sales@fabrikam.com", "Fabrikam")
	big := "mpnId=4847383&name=" + strings.Repeat("x", server.DefaultMaxBodyBytes)
	a = rslDo(t, "POST", env.URL+api.InvitationsPath+"/"+rslToken, "application/x-www-form-urlencoded", "", "", big)
	if a.status != http.StatusRequestEntityTooLarge {
		t.Errorf("big form: %d %s", a.status, a.body)
	}
	a = rslDo(t, "POST", env.URL+api.InvitationsPath+"/"+rslToken, "application/json", "", "", `{"mpnId":4847383}`)
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, `field \"mpnId\" should be string`) {
		t.Errorf("bad JSON: %d %s", a.status, a.body)
	}
	// A bad token is refused, not ignored.
	a = rslDo(t, "POST", env.URL+api.InvitationsPath+"/"+rslToken, "application/json", "", "pcctl_nosuchtoken", `{"mpnId":"4847383","name":"F"}`)
	if a.status != http.StatusUnauthorized {
		t.Errorf("bad bearer: %d %s", a.status, a.body)
	}
	if _, err := local.Reseller(context.Background(), "4847383"); err == nil {
		t.Error("a refused request accepted the invitation")
	}
}

func TestResellerRoutes(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	local := env.Local("owner@pcctl.test")
	ctx := context.Background()
	rslToken := rslInvite(t, local, "sales@fabrikam.com", "Fabrikam")
	if _, err := local.AcceptInvitation(ctx, rslToken, "4847383", "Fabrikam Partners"); err != nil {
		t.Fatal(err)
	}
	rslInvite(t, local, "hello@relecloud.com", "ReleCloud")
	bearer := env.Token("agent@pcctl.test", domain.RoleAdminAgent)

	// Partner Center's list: active resellers only, in the shape of its sample.
	a := rslDo(t, "GET", env.URL+"/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf", "", "", bearer, "")
	var page api.Collection[map[string]any]
	if a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &page) != nil || page.TotalCount != 1 || page.Attributes.ObjectType != "Collection" {
		t.Fatalf("relationships: %d %s", a.status, a.body)
	}
	it := page.Items[0]
	for k, v := range map[string]any{"name": "Fabrikam Partners", "mpnId": "4847383", "state": "Active",
		"relationshipType": "is_indirect_cloud_solution_provider_of"} {
		if it[k] != v {
			t.Errorf("%s = %v, want %v (%s)", k, it[k], v, a.body)
		}
	}
	for _, q := range []string{"", "?relationship_type=IsIndirectResellerOf"} {
		a = rslDo(t, "GET", env.URL+"/v1/relationships"+q, "", "", bearer, "")
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, "relationship_type must be IsIndirectCloudSolutionProviderOf") {
			t.Errorf("relationships%s: %d %s", q, a.status, a.body)
		}
	}
	a = rslDo(t, "GET", env.URL+"/pcctl/v1/resellers?status=pending", "", "", bearer, "")
	if a.status != http.StatusOK || !strings.Contains(a.body, `"state":"Pending"`) || strings.Contains(a.body, "Fabrikam") {
		t.Errorf("pending: %d %s", a.status, a.body)
	}
	a = rslDo(t, "GET", env.URL+"/pcctl/v1/resellers?status=gone", "", "", bearer, "")
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, `invalid status \"gone\": expected pending, expired, active, removed, all`) {
		t.Errorf("bad status: %d %s", a.status, a.body)
	}

	// Subscriptions: the query's values are checked, and so is a patch's body.
	a = rslDo(t, "GET", env.URL+"/pcctl/v1/subscriptions?expiring_within=soon", "", "", bearer, "")
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, `invalid expiring_within \"soon\"`) {
		t.Errorf("bad expiring_within: %d %s", a.status, a.body)
	}
	a = rslDo(t, "PATCH", env.URL+"/pcctl/v1/subscriptions/x", "application/json", "", bearer, `{"quantity":"ten"}`)
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, `field \"quantity\" should be int`) {
		t.Errorf("bad patch: %d %s", a.status, a.body)
	}
	if _, err := local.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.onmicrosoft.com"}, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"); err != nil {
		t.Fatal(err)
	}
	a = rslDo(t, "POST", env.URL+"/v1/customers/contoso.onmicrosoft.com/subscriptions", "application/json", "", bearer,
		`{"offerName":"Microsoft 365 E3","quantity":25,"partnerId":"4847383","commitmentEndDate":"2027-06-30T00:00:00Z"}`)
	var sub api.Subscription
	if a.status != http.StatusCreated || json.Unmarshal([]byte(a.body), &sub) != nil || sub.ID == "" || sub.Status != "active" ||
		sub.PartnerID != "4847383" || sub.Pcctl.CustomerName != "Contoso" {
		t.Errorf("add: %d %s", a.status, a.body)
	}
	for _, u := range []string{"/v1/customers/contoso.onmicrosoft.com/subscriptions", "/pcctl/v1/subscriptions?expiring_within=1000d&reseller=4847383"} {
		a = rslDo(t, "GET", env.URL+u, "", "", bearer, "")
		var subs api.Collection[api.Subscription]
		if a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &subs) != nil || subs.TotalCount != 1 || len(subs.Items) != 1 ||
			subs.Items[0].ID != sub.ID || subs.Links.Self == nil {
			t.Errorf("GET %s: %d %s", u, a.status, a.body)
		}
	}
	a = rslDo(t, "GET", env.URL+"/pcctl/v1/subscriptions?reseller=1111111", "", "", bearer, "")
	if a.status != http.StatusOK || !strings.Contains(a.body, `"totalCount":0,"items":[]`) {
		t.Errorf("none: %d %s", a.status, a.body)
	}
}
