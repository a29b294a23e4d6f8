package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
)

// admClock is a workspace clock the tests move.
type admClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *admClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *admClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// admAnswer is an answer as received.
type admAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a admAnswer) err(t *testing.T) api.Error {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(a.body, &e); err != nil {
		t.Fatalf("not an error body: %v: %s", err, a.body)
	}
	return e
}

// admDo sends a request with the Authorization header auth ("" for none).
func admDo(t *testing.T, env *servertest.Env, method, path, auth string, header http.Header, body string) admAnswer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, env.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
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
	return admAnswer{status: resp.StatusCode, header: resp.Header, body: b}
}

// admState is what a refused request must leave as it was: the audit log, the users,
// the tokens, the requests.
func admState(t *testing.T, env *servertest.Env) string {
	t.Helper()
	ctx := context.Background()
	ws := env.Local("observer@pcctl.test")
	var b strings.Builder
	if err := ws.AuditLog(ctx, workspace.AuditQuery{}, func(r workspace.AuditRecord) error {
		b.WriteString(r.Action + " " + r.EntityID + " " + r.After + "\n")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	users, err := ws.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := ws.Tokens(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var reqs []workspace.RequestRecord
	if err := ws.ListRequests(ctx, workspace.RequestQuery{}, func(r workspace.RequestRecord) error { reqs = append(reqs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := range tokens {
		tokens[i].LastUsedAt = time.Time{} // a use is not a change
	}
	j, _ := json.Marshal(tokens)
	b.Write(j)
	j, _ = json.Marshal(users)
	b.Write(j)
	j, _ = json.Marshal(reqs)
	b.Write(j)
	return b.String()
}

// admWrites are requests that would change the workspace if they were let through.
var admWrites = []struct{ method, path, body string }{
	{"POST", "/pcctl/v1/users", `{"email":"mallory@evil.test","roles":["global-admin"]}`},
	{"POST", "/pcctl/v1/users/import", `{"users":[{"email":"mallory@evil.test","roles":["global-admin"]}]}`},
	{"DELETE", "/pcctl/v1/users/admin@partner.test", ""},
	{"POST", "/pcctl/v1/tokens", `{"user":"admin@partner.test","name":"stolen","ttlSeconds":0}`},
	{"POST", "/pcctl/v1/tokens/TOKENID/revoke", ""},
	{"DELETE", "/pcctl/v1/tokens/TOKENID", ""},
	{"POST", "/v1/customers/contoso.com/servicerequests", `{"title":"x","severity":"critical"}`},
	{"PATCH", "/v1/servicerequests/REF", `{"status":"closed"}`},
	{"PUT", "/pcctl/v1/servicerequests/REF/favorite", ""},
	{"DELETE", "/pcctl/v1/servicerequests/REF/favorite", ""},
}

// admReads are requests that must not answer without a token, or without the role.
var admReads = []struct{ method, path string }{
	{"GET", "/pcctl/v1/users"},
	{"GET", "/pcctl/v1/users/admin@partner.test"},
	{"GET", "/pcctl/v1/tokens"},
	{"GET", "/pcctl/v1/audit"},
	{"GET", "/pcctl/v1/workspace"},
	{"GET", "/pcctl/v1/me"},
	{"GET", "/pcctl/v1/home"},
	{"GET", "/v1/servicerequests"},
	{"GET", "/v1/servicerequests/REF"},
	{"GET", "/v1/customers/contoso.com/servicerequests"},
	{"GET", "/pcctl/v1/servicerequests/search?term=con"},
}

type admEnv struct {
	env     *servertest.Env
	clock   *admClock
	admin   string // a valid token of admin@partner.test (every role)
	tokenID string // the ID of the admin's token
	ref     string // a service request
}

func startAdm(t *testing.T) *admEnv {
	t.Helper()
	clock := &admClock{now: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)}
	env := servertest.Start(t, servertest.Options{Now: clock.Now})
	ctx := context.Background()
	admin := env.Token("admin@partner.test", domain.AllRoles...)
	ws := env.Local("admin@partner.test")
	if _, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.com"}, ""); err != nil {
		t.Fatal(err)
	}
	r, err := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.com", Title: "Mail down", Severity: domain.SeverityCritical})
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := ws.Tokens(ctx, "admin@partner.test")
	if err != nil || len(tokens) != 1 {
		t.Fatal(tokens, err)
	}
	return &admEnv{env: env, clock: clock, admin: admin, tokenID: tokens[0].ID, ref: r.Ref}
}

func (e *admEnv) path(p string) string {
	return strings.NewReplacer("TOKENID", e.tokenID, "REF", e.ref).Replace(p)
}

// TestRefusedTokens sends every route with no token and with tokens that are malformed,
// unknown, revoked and expired: each is answered 401 with the code of the refusal, and
// nothing changes. No token, good or bad, is ever written to the server's log.
func TestRefusedTokens(t *testing.T) {
	e := startAdm(t)
	ctx := context.Background()
	ws := e.env.Local("admin@partner.test")
	revoked := e.env.Token("admin@partner.test")
	expiring, _, err := ws.CreateToken(ctx, "admin@partner.test", "short", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tokens, _ := ws.Tokens(ctx, "admin@partner.test")
	for _, tk := range tokens {
		if tk.Name == "test" && tk.ID != e.tokenID {
			if _, err := ws.RevokeToken(ctx, tk.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.clock.Add(2 * time.Hour)
	unknown, _ := domain.NewTokenSecret(strings.NewReader(strings.Repeat("k", 64)))
	before := admState(t, e.env)

	cases := []struct {
		name, auth, code string
	}{
		{"missing", "", domain.AuthMissing},
		{"empty bearer", "Bearer ", domain.AuthMalformed}, // the header is trimmed: "Bearer"
		{"not bearer", "Basic " + e.admin, domain.AuthMalformed},
		{"no scheme", e.admin, domain.AuthMalformed},
		{"malformed", "Bearer pcctl_short", domain.AuthMalformed},
		{"malformed long", "Bearer " + strings.ToUpper(e.admin), domain.AuthMalformed},
		{"unknown", "Bearer " + unknown, domain.AuthUnknown},
		{"revoked", "Bearer " + revoked, domain.AuthRevoked},
		{"expired", "bearer " + expiring, domain.AuthExpired},
	}
	for _, c := range cases {
		try := func(method, path, body string) {
			t.Helper()
			a := admDo(t, e.env, method, e.path(path), c.auth, nil, body)
			if a.status != http.StatusUnauthorized {
				t.Errorf("%s: %s %s: %d %s", c.name, method, path, a.status, a.body)
				return
			}
			er := a.err(t)
			if er.Code != api.CodeUnauthenticated || er.AuthCode != c.code || !strings.HasPrefix(er.Description, "not authenticated: ") ||
				a.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: %s %s: %+v %v", c.name, method, path, er, a.header)
			}
			if c.auth != "" && len(c.auth) > 12 && strings.Contains(string(a.body), strings.TrimPrefix(strings.TrimPrefix(c.auth, "Bearer "), "bearer ")) {
				t.Errorf("%s: the answer repeats the token: %s", c.name, a.body)
			}
		}
		for _, w := range admWrites {
			try(w.method, w.path, w.body)
		}
		for _, r := range admReads {
			try(r.method, r.path, "")
		}
	}
	if after := admState(t, e.env); after != before {
		t.Errorf("refused requests changed the workspace:\nbefore %s\nafter  %s", before, after)
	}

	// The valid token works, and is still not logged.
	if a := admDo(t, e.env, "GET", "/pcctl/v1/me", "Bearer "+e.admin, nil, ""); a.status != http.StatusOK {
		t.Fatalf("me: %d %s", a.status, a.body)
	}
	log := e.env.Log.String()
	if !strings.Contains(log, `"route":"GET /pcctl/v1/me"`) || !strings.Contains(log, `"status":401`) {
		t.Fatalf("the access log does not hold the requests:\n%s", log)
	}
	for _, s := range []string{e.admin, revoked, expiring, unknown, strings.ToUpper(e.admin), "pcctl_short"} {
		if strings.Contains(log, s) {
			t.Errorf("a token is in the server's log: %s\n%s", s, log)
		}
	}
	// The refused token's user and ID may be logged, never its secret.
	if !strings.Contains(log, "refused") {
		t.Errorf("the log does not say which token was refused:\n%s", log)
	}
}

// TestForbiddenWithoutRole sends every write as a user whose roles do not grant it: 403
// naming the roles that would, and nothing changes.
func TestForbiddenWithoutRole(t *testing.T) {
	e := startAdm(t)
	sales := e.env.Token("sales@partner.test", domain.RoleSalesAgent)
	helpdesk := e.env.Token("helpdesk@partner.test", domain.RoleHelpdeskAgent)
	before := admState(t, e.env)
	check := func(who, token, method, path, body string, perm domain.Permission) {
		t.Helper()
		a := admDo(t, e.env, method, e.path(path), "Bearer "+token, nil, body)
		if a.status != http.StatusForbidden {
			t.Errorf("%s: %s %s: %d %s", who, method, path, a.status, a.body)
			return
		}
		er := a.err(t)
		want := (&domain.Principal{User: who + "@partner.test"}).Require(perm).Error()
		if er.Code != api.CodeForbidden || er.Description != want || er.Permission != string(perm) || len(er.Roles) == 0 ||
			!strings.Contains(er.Description, "that needs the role "+strings.Join(er.Roles, " or ")) {
			t.Errorf("%s: %s %s: %+v, want %q", who, method, path, er, want)
		}
	}
	for _, w := range admWrites {
		if strings.Contains(w.path, "servicerequests") {
			check("sales", sales, w.method, w.path, w.body, domain.PermServiceRequests)
		} else {
			check("helpdesk", helpdesk, w.method, w.path, w.body, domain.PermManageUsers)
		}
	}
	check("helpdesk", helpdesk, "GET", "/pcctl/v1/audit", "", domain.PermAudit)
	check("helpdesk", helpdesk, "GET", "/pcctl/v1/users", "", domain.PermManageUsers)
	check("helpdesk", helpdesk, "GET", "/pcctl/v1/tokens", "", domain.PermManageUsers)
	check("sales", sales, "GET", "/v1/servicerequests", "", domain.PermServiceRequests)
	check("sales", sales, "GET", "/pcctl/v1/servicerequests/search?term=con", "", domain.PermServiceRequests)
	if after := admState(t, e.env); after != before {
		t.Errorf("refused requests changed the workspace:\nbefore %s\nafter  %s", before, after)
	}
	// Any user may ask who they are, and read the workspace's description.
	for _, p := range []string{"/pcctl/v1/me", "/pcctl/v1/workspace", "/pcctl/v1/home"} {
		if a := admDo(t, e.env, "GET", p, "Bearer "+sales, nil, ""); a.status != http.StatusOK {
			t.Errorf("%s: %d %s", p, a.status, a.body)
		}
	}
	for _, s := range []string{sales, helpdesk, e.admin} {
		if strings.Contains(e.env.Log.String(), s) {
			t.Errorf("a token is in the server's log")
		}
	}
}

// TestAuditLogReadOnly tries every method on the audit log: only GET answers, and the
// log is as it was.
func TestAuditLogReadOnly(t *testing.T) {
	e := startAdm(t)
	before := admState(t, e.env)
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		for _, p := range []string{"/pcctl/v1/audit", "/pcctl/v1/audit/1"} {
			a := admDo(t, e.env, m, p, "Bearer "+e.admin, nil, `{"action":"customer.add","user":"x"}`)
			if a.status != http.StatusNotFound || a.err(t).Code != api.CodeNotFound {
				t.Errorf("%s %s: %d %s", m, p, a.status, a.body)
			}
		}
	}
	if after := admState(t, e.env); after != before {
		t.Errorf("the audit log changed:\nbefore %s\nafter  %s", before, after)
	}
}

// TestCreatedTokenSecret: the secret is in the creation's answer only, never cached,
// never in a list or the log; a secret given as an ID is refused without being repeated.
func TestCreatedTokenSecret(t *testing.T) {
	e := startAdm(t)
	a := admDo(t, e.env, "POST", "/pcctl/v1/tokens", "Bearer "+e.admin, nil, `{"user":"admin@partner.test","name":"ci","ttlSeconds":7200}`)
	if a.status != http.StatusCreated || a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %v %s", a.status, a.header, a.body)
	}
	var created api.CreatedToken
	if err := json.Unmarshal(a.body, &created); err != nil || domain.CheckTokenSecret(created.Secret) != nil {
		t.Fatalf("%v %s", err, a.body)
	}
	if !created.Token.ExpiresAt.Equal(e.clock.Now().Add(2 * time.Hour)) {
		t.Errorf("expires %v", created.Token.ExpiresAt)
	}
	for _, p := range []string{"/pcctl/v1/tokens", "/pcctl/v1/tokens?user=admin@partner.test", "/pcctl/v1/audit", "/pcctl/v1/me"} {
		a := admDo(t, e.env, "GET", p, "Bearer "+created.Secret, nil, "")
		if a.status != http.StatusOK || bytes.Contains(a.body, []byte(created.Secret)) || bytes.Contains(a.body, []byte(domain.HashTokenSecret(created.Secret))) {
			t.Errorf("%s: %d %s", p, a.status, a.body)
		}
	}
	for _, m := range []string{"POST", "DELETE"} {
		p := "/pcctl/v1/tokens/" + created.Secret
		if m == "POST" {
			p += "/revoke"
		}
		a := admDo(t, e.env, m, p, "Bearer "+e.admin, nil, "")
		er := a.err(t)
		if a.status != http.StatusBadRequest || er.Code != api.CodeInvalid || bytes.Contains(a.body, []byte(created.Secret)) {
			t.Errorf("%s %s: %d %s", m, p, a.status, a.body)
		}
	}
	if a := admDo(t, e.env, "GET", "/pcctl/v1/me", "Bearer "+created.Secret, nil, ""); a.status != http.StatusOK {
		t.Errorf("the token was revoked by a refused request: %d %s", a.status, a.body)
	}
	if strings.Contains(e.env.Log.String(), created.Secret) {
		t.Errorf("the secret is in the server's log")
	}
	// Revoked with DELETE, then refused; revoking again is a rule's refusal.
	if a := admDo(t, e.env, "DELETE", "/pcctl/v1/tokens/"+created.Token.ID, "Bearer "+e.admin, nil, ""); a.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", a.status, a.body)
	}
	if a := admDo(t, e.env, "GET", "/pcctl/v1/me", "Bearer "+created.Secret, nil, ""); a.status != http.StatusUnauthorized || a.err(t).AuthCode != domain.AuthRevoked {
		t.Errorf("revoked: %d %s", a.status, a.body)
	}
	if a := admDo(t, e.env, "POST", "/pcctl/v1/tokens/"+created.Token.ID+"/revoke", "Bearer "+e.admin, nil, ""); a.status != http.StatusConflict || a.err(t).Rule != "token-revoked" {
		t.Errorf("revoke again: %d %s", a.status, a.body)
	}
	if a := admDo(t, e.env, "POST", "/pcctl/v1/tokens", "Bearer "+e.admin, nil, `{"user":"admin@partner.test"}`); a.status != http.StatusBadRequest ||
		!strings.Contains(a.err(t).Description, "ttlSeconds") {
		t.Errorf("no ttl: %d %s", a.status, a.body)
	}
}

// TestBadParameters: malformed input is refused with a message naming the parameter.
func TestBadParameters(t *testing.T) {
	e := startAdm(t)
	for _, c := range []struct {
		method, path, body, header, want string
	}{
		{"GET", "/v1/servicerequests?status=done", "", "", "the parameter status must be open, attention_needed or closed"},
		{"GET", "/v1/servicerequests?status=0", "", "", "the parameter status must be"},
		{"GET", "/v1/servicerequests?severity=high", "", "", "the parameter severity must be one of critical, moderate or minimal"},
		{"GET", "/v1/servicerequests?favorites=maybe", "", "", "the parameter favorites must be true or false"},
		{"GET", "/v1/servicerequests?statuss=open", "", "", `unknown query parameter "statuss"`},
		{"GET", "/v1/customers/contoso.com/servicerequests?customer=x", "", "", "the parameter customer is not allowed here"},
		{"GET", "/pcctl/v1/servicerequests/search", "", "", "the parameter term is required"},
		{"GET", "/pcctl/v1/servicerequests/search?term=a&limit=-1", "", "", "the parameter limit must be a whole number"},
		{"GET", "/pcctl/v1/audit?since=yesterday", "", "", "the parameter since must be a date and time in RFC 3339 form"},
		{"GET", "/pcctl/v1/audit?limit=x", "", "", "the parameter limit must be a whole number"},
		{"GET", "/pcctl/v1/audit?size=0", "", "", "the parameter size must be a whole number from 1 to 1000"},
		{"GET", "/pcctl/v1/audit", "", "nope", "the MS-ContinuationToken header must be the continuation token of links.next"},
		{"DELETE", "/pcctl/v1/users/admin@partner.test?role=boss", "", "", `role "boss" is not a role (allowed: global-admin`},
		{"POST", "/pcctl/v1/users", `{"email":"x@partner.test","roles":["boss"]}`, "", `role "boss" is not a role`},
		{"POST", "/pcctl/v1/users", `{"email":}`, "", "the request body is not valid JSON"},
		{"PATCH", "/v1/servicerequests/REF", `{"status":7}`, "", `status "7" is not a status number (allowed: 0=none, 1=open, 2=closed, 3=attention_needed)`},
		{"PATCH", "/v1/servicerequests/REF", `{"status":"done"}`, "", `status "done" is not a status (allowed: open, attention_needed, closed)`},
		{"PATCH", "/v1/servicerequests/REF", `{"createdDate":"yesterday"}`, "", `"yesterday" is not a date and time`},
		{"POST", "/v1/customers/contoso.com/servicerequests", `{"title":"x","severity":9}`, "", `severity "9" is not a severity number`},
	} {
		var h http.Header
		if c.header != "" {
			h = http.Header{api.ContinuationHeader: {c.header}}
		}
		a := admDo(t, e.env, c.method, e.path(c.path), "Bearer "+e.admin, h, c.body)
		if a.status != http.StatusBadRequest || !strings.Contains(a.err(t).Description, c.want) {
			t.Errorf("%s %s: %d %s, want %q", c.method, c.path, a.status, a.body, c.want)
		}
	}
}

// TestAuditPaging follows links.next page by page: every record once, newest first, the
// filters and the limit kept from page to page.
func TestAuditPaging(t *testing.T) {
	e := startAdm(t)
	ctx := context.Background()
	ws := e.env.Local("admin@partner.test")
	for i := range 7 {
		if _, err := ws.UpdateRequest(ctx, e.ref, domain.RequestChange{Note: strings.Repeat("n", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	var want []int64
	if err := ws.AuditLog(ctx, workspace.AuditQuery{Entity: "request"}, func(r workspace.AuditRecord) error {
		want = append(want, r.Seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) != 8 {
		t.Fatalf("%d records", len(want))
	}
	for _, tc := range []struct {
		query string
		want  []int64
		pages int
	}{
		{"?entity=request&size=3", want, 3},
		{"?entity=request&size=3&limit=5", want[:5], 2},
		{"?entity=request&size=4", want, 2},
		{"?entity=request&size=8", want, 1},
		{"?entity=request&limit=2", want[:2], 1},
	} {
		var got []int64
		path, header, pages := api.AuditPath+tc.query, http.Header{}, 0
		for {
			a := admDo(t, e.env, "GET", path, "Bearer "+e.admin, header, "")
			if a.status != http.StatusOK {
				t.Fatalf("%s: %d %s", path, a.status, a.body)
			}
			pages++
			var page api.Collection[api.AuditRecord]
			if err := json.Unmarshal(a.body, &page); err != nil {
				t.Fatal(err)
			}
			if page.TotalCount != len(page.Items) || page.Attributes.ObjectType != "Collection" {
				t.Errorf("page: %+v", page)
			}
			for _, r := range page.Items {
				got = append(got, r.Seq)
				if r.Entity != "request" {
					t.Errorf("filter lost: %+v", r)
				}
			}
			if page.Links.Next == nil {
				break
			}
			n := page.Links.Next
			if n.Method != "GET" || len(n.Headers) != 1 || n.Headers[0].Key != api.ContinuationHeader {
				t.Fatalf("next: %+v", n)
			}
			path, header = n.URI, http.Header{n.Headers[0].Key: {n.Headers[0].Value}}
			if pages > 10 {
				t.Fatal("no end")
			}
		}
		if !reflect.DeepEqual(got, tc.want) || pages != tc.pages {
			t.Errorf("%s: %v in %d pages, want %v in %d", tc.query, got, pages, tc.want, tc.pages)
		}
	}
}
