package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
)

// TestRelationshipRoutes: Partner Center's paths (GET /v1/customers/relationshiprequests,
// customer PATCH with the relationship none, subscription PATCH with a status), pcctl's
// request route (the server draws the token, a client's is ignored), the roles, and the
// customer's acceptance page (no token in page or log, single use).
func TestRelationshipRoutes(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	local := env.Local("owner@pcctl.test")
	ctx := context.Background()
	if _, err := local.AddCustomer(ctx, domain.Customer{CompanyName: `Contoso <b>Ltd</b>`, Domain: "contoso.com"}, ""); err != nil {
		t.Fatal(err)
	}
	sub, err := local.AddSubscription(ctx, domain.Subscription{CustomerID: "contoso.com", Offer: "Microsoft 365 E3", Quantity: 5})
	if err != nil {
		t.Fatal(err)
	}
	agent := env.Token("agent@pcctl.test", domain.RoleAdminAgent)
	sales := env.Token("sales@pcctl.test", domain.RoleSalesAgent)

	// Roles: a sales agent may not (403), an admin agent may.
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/v1/customers/relationshiprequests", ""},
		{"POST", "/pcctl/v1/customers/contoso.com/relationshiprequests", `{"subject":"s","body":"{{link}}"}`},
		{"PATCH", "/v1/customers/contoso.com", `{"relationshipToPartner":"none"}`},
		{"PATCH", "/pcctl/v1/subscriptions/" + sub.ID, `{"status":"suspended"}`},
	} {
		if a := rslDo(t, r.method, env.URL+r.path, "application/json", "", sales, r.body); a.status != http.StatusForbidden ||
			!strings.Contains(a.body, "manage customer relationships: that needs the role global-admin or admin-agent") {
			t.Errorf("sales agent %s %s: %d %s", r.method, r.path, a.status, a.body)
		}
	}

	// Ending is refused while the subscription is active (409, naming it).
	a := rslDo(t, "PATCH", env.URL+"/v1/customers/contoso.com", "application/json", "", agent, `{"relationshipToPartner":"none"}`)
	if a.status != http.StatusConflict || !strings.Contains(a.body, sub.ID) || !strings.Contains(a.body, `"rule":"relationship-blocked"`) {
		t.Errorf("blocked: %d %s", a.status, a.body)
	}
	a = rslDo(t, "PATCH", env.URL+"/pcctl/v1/subscriptions/"+sub.ID, "application/json", "", agent, `{"status":"suspended"}`)
	if a.status != http.StatusOK || !strings.Contains(a.body, `"status":"suspended"`) {
		t.Errorf("suspend: %d %s", a.status, a.body)
	}
	a = rslDo(t, "PATCH", env.URL+"/v1/customers/contoso.com", "application/json", "", agent, `{"relationshipToPartner":"none"}`)
	var ch api.ChangeAnswer
	if a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &ch) != nil || !ch.Changed || ch.Customer.RelationshipToPartner != "none" {
		t.Fatalf("end: %d %s", a.status, a.body)
	}

	// A request: the server draws the token.
	const chosen = "clientchosentokenclientchosentoken000000"
	a = rslDo(t, "POST", env.URL+"/pcctl/v1/customers/contoso.com/relationshiprequests", "application/json", "", agent,
		`{"token":"`+chosen+`","email":"Admin@Contoso.com","subject":"Request","body":"Open {{link}} <i>now</i>"}`)
	var req api.RelationshipRequest
	if a.status != http.StatusCreated || json.Unmarshal([]byte(a.body), &req) != nil || req.Token == chosen || len(req.Token) != 40 ||
		req.URL != env.URL+"/pcctl/v1/relationshiprequests/"+req.Token || req.Email != "admin@contoso.com" || req.Attributes.ObjectType != "RelationshipRequest" {
		t.Fatalf("request: %d %s", a.status, a.body)
	}
	a = rslDo(t, "POST", env.URL+"/pcctl/v1/customers/contoso.com/relationshiprequests", "application/json", "", agent, `{"subject":"s","body":"{{link}}"}`)
	if a.status != http.StatusOK || !strings.Contains(a.body, `"existing":true`) || !strings.Contains(a.body, req.Token) {
		t.Errorf("again: %d %s", a.status, a.body)
	}
	a = rslDo(t, "GET", env.URL+"/v1/customers/relationshiprequests", "", "", agent, "")
	var list api.Collection[api.RelationshipRequest]
	if a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &list) != nil || list.TotalCount != 1 || list.Items[0].URL != req.URL {
		t.Errorf("list: %d %s", a.status, a.body)
	}

	// The page: the request, escaped, without the token or the link; a button.
	page := req.URL
	a = rslDo(t, "GET", page, "", rslBrowser, "", "")
	if a.status != http.StatusOK {
		t.Fatalf("GET page: %d %s", a.status, a.body)
	}
	rslSecurityHeaders(t, a)
	for _, want := range []string{"<strong>Contoso &lt;b&gt;Ltd&lt;/b&gt;</strong> (contoso.com)", "Open … &lt;i&gt;now&lt;/i&gt;", `<form method="post">`} {
		if !strings.Contains(a.body, want) {
			t.Errorf("the page lacks %q:\n%s", want, a.body)
		}
	}
	if strings.Contains(a.body, req.Token) || strings.Contains(a.body, "{{link}}") {
		t.Errorf("the page shows the token or the placeholder:\n%s", a.body)
	}
	// Accepted from the form, once: the relationship is reinstated.
	a = rslDo(t, "POST", page, "application/x-www-form-urlencoded", rslBrowser, "", "")
	if a.status != http.StatusOK || !strings.Contains(a.body, "Reseller relationship accepted") {
		t.Fatalf("accept: %d %s", a.status, a.body)
	}
	rslSecurityHeaders(t, a)
	if c, err := local.Customer(ctx, "contoso.com"); err != nil || c.Relationship != "reseller" {
		t.Errorf("after acceptance: %+v %v", c, err)
	}
	a = rslDo(t, "POST", page, "application/x-www-form-urlencoded", rslBrowser, "", "")
	if a.status != http.StatusConflict || !strings.Contains(a.body, "already accepted") || strings.Contains(a.body, "<form") {
		t.Errorf("second accept: %d %s", a.status, a.body)
	}
	a = rslDo(t, "POST", page, "application/json", "", "", `{}`)
	var e api.Error
	if a.status != http.StatusConflict || json.Unmarshal([]byte(a.body), &e) != nil || e.Rule != "relationship-request-used" {
		t.Errorf("JSON second accept: %d %s", a.status, a.body)
	}
	a = rslDo(t, "GET", env.URL+"/pcctl/v1/relationshiprequests/unknowntoken", "", rslBrowser, "", "")
	if a.status != http.StatusNotFound || strings.Contains(a.body, "unknowntoken") {
		t.Errorf("unknown: %d %s", a.status, a.body)
	}

	// Audit: the acceptance under the customer's name; the token never logged.
	var who []string
	_ = local.AuditLog(ctx, workspace.AuditQuery{Entity: "customer"}, func(r workspace.AuditRecord) error {
		who = append(who, r.User+" "+r.Action)
		return nil
	})
	if len(who) == 0 || who[0] != "customer:contoso.com customer.accept-relationship" {
		t.Errorf("audit = %q", who)
	}
	if log := env.Log.String(); strings.Contains(log, req.Token) || !strings.Contains(log, "POST /pcctl/v1/relationshiprequests/{token}") {
		t.Errorf("log:\n%s", log)
	}

	// Purchase permission through the customer PATCH.
	a = rslDo(t, "PATCH", env.URL+"/v1/customers/contoso.com", "application/json", "", agent, `{"pcctl":{"purchasesAllowed":true}}`)
	if a.status != http.StatusOK || !strings.Contains(a.body, `"purchasesAllowed":true`) || !strings.Contains(a.body, `"changed":true`) {
		t.Errorf("allow: %d %s", a.status, a.body)
	}
	a = rslDo(t, "PATCH", env.URL+"/v1/customers/contoso.com", "application/json", "", agent, `{"relationshipToPartner":"reseller"}`)
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, "can only be set to none") {
		t.Errorf("relationship reseller: %d %s", a.status, a.body)
	}
}
