package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/server/servertest"
)

var fuzzMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// FuzzRequests sends arbitrary requests (method, path and query, body) with a valid token
// to the server, in process, on a workspace holding a few records of every kind. Whatever
// the request, the server must not panic or fail (500), must answer JSON when it answers
// an error. The seeds are one
// request of each route, with good and bad bodies and filters.
//
// The request is sent with the token of one of several users (the method byte chooses the
// method and, divided by the number of methods, the user; issue 14): a global-admin, or a
// low-role user (helpdesk agent, sales agent, referrals admin, user-admin, account-admin).
// A low-role user's request must never make anyone a global-admin, nor give a token to
// one.
func FuzzRequests(f *testing.F) {
	env := servertest.Start(f, servertest.Options{Server: server.Options{MaxBodyBytes: 64 << 10, MaxImportBytes: 1 << 20}})
	users := []string{"fuzz@contoso.com", "desk@contoso.com", "sales@contoso.com", "deals@contoso.com", "useradmin@contoso.com", "account@contoso.com"}
	roles := []domain.Role{domain.RoleGlobalAdmin, domain.RoleHelpdeskAgent, domain.RoleSalesAgent, domain.RoleReferralsAdmin, domain.RoleUserAdmin, domain.RoleAccountAdmin}
	tokens := make([]string, len(users))
	for i, u := range users {
		tokens[i] = env.Token(u, roles[i])
	}
	seedWorkspace(f, env)
	ctx := context.Background()
	// admins is what a low-role user must not change: who holds global-admin, and how
	// many tokens they have.
	admins := func(t *testing.T) string {
		ws := env.Local("observer@contoso.com")
		users, err := ws.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, u := range users {
			if slices.Contains(u.Roles, domain.RoleGlobalAdmin) {
				toks, err := ws.Tokens(ctx, u.Email)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "%s:%d ", u.Email, len(toks))
			}
		}
		return b.String()
	}
	filter := func(field, value, op string) string {
		b, _ := json.Marshal(map[string]string{"Field": field, "Value": value, "Operator": op})
		return url.QueryEscape(string(b))
	}
	for _, s := range []struct {
		method byte
		target string
		body   string
	}{
		{0, "/v1/customers?size=2", ""},
		{0, "/v1/customers?size=5&filter=" + filter("CompanyName", "con", "starts_with"), ""},
		{0, "/v1/customers?filter=" + filter("Domain", "fab", "starts_with"), ""},
		{0, "/v1/customers?filter=" + filter("IndirectReseller", "1234567", "starts_with"), ""},
		{0, "/v1/customers?filter=" + filter("Nope", "x", "equals"), ""},
		{0, "/v1/customers?filter=%7B%22Field%22", ""},
		{0, "/v1/customers?size=-1", ""},
		{0, "/v1/customers/contoso.example", ""},
		{1, "/v1/customers", `{"companyProfile":{"domain":"new.example","companyName":"New"},"billingProfile":{"defaultAddress":{"country":"FR"}}}`},
		{2, "/pcctl/v1/customers/contoso.example/flag", ""},
		{4, "/pcctl/v1/customers/contoso.example/flag", ""},
		{2, "/pcctl/v1/customers/contoso.example/pin", ""},
		{0, "/pcctl/v1/customers?view=flagged", ""},
		{0, "/pcctl/v1/customers/export", ""},
		{1, "/pcctl/v1/customers/import", "{\"line\":2,\"customer\":{}}\n{"},
		{0, "/pcctl/v1/complete/customers?prefix=co&limit=5", ""},
		{0, "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf", ""},
		{0, "/pcctl/v1/resellers?status=all", ""},
		{1, "/pcctl/v1/invitations", `{"token":"abcdefghijklmnopqrstuvwxyz234567abcdefgh","email":"x@fabrikam.com","subject":"s","body":"b {{link}}"}`},
		{0, "/v1/customers/contoso.example/subscriptions", ""},
		{3, "/pcctl/v1/subscriptions/nope", `{"quantity":-3}`},
		{0, "/v1.0/engagements/referrals?status=Active", ""},
		{1, "/v1.0/engagements/referrals", `{"name":"D","customerProfile":{"name":"Contoso"},"details":{"dealValue":10,"currency":"EUR"}}`},
		{3, "/v1.0/engagements/referrals/nope", `{"status":"Closed","substatus":"Won"}`},
		{1, "/pcctl/v1/referrals/import?dryRun=true", "{\"line\":2}\n"},
		{0, "/v1/servicerequests?status=open,closed", ""},
		{1, "/v1/customers/contoso.example/servicerequests", `{"title":"T","description":"D","severity":1,"supportTopicName":"Billing"}`},
		{3, "/v1/servicerequests/123", `{"status":"closed","newNote":{"text":"n"}}`},
		{0, "/pcctl/v1/servicerequests/search?term=con", ""},
		{0, "/pcctl/v1/home", ""},
		{0, "/pcctl/v1/workspace", ""},
		{1, "/pcctl/v1/users", `{"email":"u@contoso.com","roles":["admin-agent"]}`},
		{4, "/pcctl/v1/users/u@contoso.com?role=admin-agent", ""},
		{1, "/pcctl/v1/tokens", `{"user":"fuzz@contoso.com","name":"x","ttlSeconds":3600}`},
		{0, "/pcctl/v1/audit?limit=3&entity=customer", ""},
		{0, "/pcctl/v1/me", ""},
		// Escalations a low-role user may try (issue 14, item 1).
		{1, "/pcctl/v1/users", `{"email":"useradmin@contoso.com","roles":["global-admin"]}`},
		{1, "/pcctl/v1/users/import", `{"users":[{"email":"x@contoso.com","roles":["global-admin"]}]}`},
		{1, "/pcctl/v1/tokens", `{"user":"fuzz@contoso.com","name":"mine","ttlSeconds":0}`},
		{4, "/pcctl/v1/users/fuzz@contoso.com", ""},
	} {
		for who := range tokens {
			f.Add(s.method+byte(who*len(fuzzMethods)), s.target, []byte(s.body))
		}
	}
	f.Fuzz(func(t *testing.T, m byte, target string, body []byte) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		who := int(m) / len(fuzzMethods) % len(tokens)
		tok := tokens[who]
		req, err := http.NewRequest(fuzzMethods[int(m)%len(fuzzMethods)], "http://pcctl.test"+target, bytes.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		// A low-role user: one who does not hold global-admin now (an earlier request may
		// have made them one, or removed them).
		low := false
		if who > 0 {
			u, err := env.Local("observer@contoso.com").User(ctx, users[who])
			low = err == nil && !slices.Contains(u.Roles, domain.RoleGlobalAdmin)
		}
		var before string
		if low {
			before = admins(t)
		}
		rec := httptest.NewRecorder()
		env.Server.ServeHTTP(rec, req)
		if low {
			if after := admins(t); after != before {
				t.Fatalf("%s %s (%q) by a low-role user (%d): the global-admins and their tokens changed: %s, then %s", req.Method, target, body, who, before, after)
			}
		}
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("%s %s (%q): 500 %s\nlog: %s", req.Method, target, body, rec.Body, lastLine(env.Log.String()))
		}
		if rec.Code >= 400 {
			var e struct{ Code, Description string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Description == "" {
				ct := rec.Header().Get("Content-Type")
				if !strings.HasPrefix(ct, "text/html") { // the invitation page answers a browser in HTML
					t.Fatalf("%s %s: %d answer is not a JSON error: %q", req.Method, target, rec.Code, rec.Body)
				}
			}
		}
	})
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// seedWorkspace adds a few records of every kind.
func seedWorkspace(tb testing.TB, env *servertest.Env) {
	tb.Helper()
	ctx := context.Background()
	ws := env.Local("seed@contoso.com")
	for _, c := range []domain.Customer{
		{CompanyName: "Contoso", Domain: "contoso.example", Country: "FR"},
		{CompanyName: "Fabrikam", Domain: "fabrikam.example", Country: "DE"},
	} {
		if _, err := ws.AddCustomer(ctx, c, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"); err != nil {
			tb.Fatal(err)
		}
	}
}
