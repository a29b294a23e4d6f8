package partnercenter_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
)

// refused asserts err is Partner Center's refusal with that status and, when given, code
// and a description containing part; the error names the request ID.
func refused(t *testing.T, err error, status int, code, part string) *partnercenter.Error {
	t.Helper()
	var pe *partnercenter.Error
	if !errors.As(err, &pe) {
		t.Fatalf("want a *partnercenter.Error %d, got %v", status, err)
	}
	if pe.Status != status || (code != "" && pe.Code != code) || !strings.Contains(pe.Description, part) {
		t.Fatalf("want %d %s %q, got %d %s %q", status, code, part, pe.Status, pe.Code, pe.Description)
	}
	if pe.RequestID == "" || !strings.Contains(err.Error(), "MS-RequestId: "+pe.RequestID) {
		t.Fatalf("the error does not name its request ID: %v", err)
	}
	return pe
}

func newServiceRequest(topic string) api.ServiceRequest {
	return api.ServiceRequest{Title: "Cannot assign licences", Description: "Every assignment fails.", Severity: api.Named("moderate"),
		SupportTopicID: topic, Organization: &api.ServiceRequestOrg{ID: "c1", Name: "Contoso"},
		PrimaryContact: &api.ServiceRequestContact{Email: "sue@contoso.com"}}
}

func TestSupportTopics(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	topics, err := c.SupportTopics(context.Background())
	if err != nil || len(topics) != len(pctest.DefaultSupportTopics) {
		t.Fatalf("%d topics, err %v", len(topics), err)
	}
	// The reference writes the ID as a number; it is kept as the string a request names.
	billing, ok := partnercenter.FindSupportTopic(topics, "billing")
	if !ok || billing.ID != "32569836" {
		t.Fatalf("billing: %+v %v", billing, ok)
	}
	if byID, ok := partnercenter.FindSupportTopic(topics, "32569836"); !ok || byID.Name != "Billing" {
		t.Fatalf("by ID: %+v", byID)
	}
	if _, ok := partnercenter.FindSupportTopic(topics, "Gardening"); ok {
		t.Fatal("an unknown topic was found")
	}
}

func TestCreateServiceRequest(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	ctx := context.Background()
	before := time.Now().Add(-time.Second)

	// A 429 is waited out and sent again: Partner Center did not act on it.
	s.Inject(pctest.Fault{Route: pctest.RouteServiceRequest, Method: http.MethodPost, Status: 429, RetryAfter: "0"})
	got, err := c.CreateServiceRequest(ctx, "", newServiceRequest("32569836"))
	if err != nil {
		t.Fatal(err)
	}
	sr := got.Value
	status, _ := sr.Status.Resolve(api.RequestStatusNames)
	if len(sr.ID) != domain.RefDigits || status != "open" || sr.SupportTopicName != "Billing" || got.RequestID == "" ||
		time.Time(sr.CreatedDate).Before(before) || time.Time(sr.LastModifiedDate).IsZero() || !time.Time(sr.LastClosedDate).IsZero() {
		t.Fatalf("created: %+v (request %s)", sr, got.RequestID)
	}
	if rec, err := sr.Record(); err != nil || rec.Severity != domain.SeverityModerate || rec.CustomerID != "c1" || rec.ContactEmail != "sue@contoso.com" {
		t.Fatalf("as a record: %+v %v", rec, err)
	}
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	if last.Method != http.MethodPost || last.Path != "/v1/servicerequests/en-US" || last.Status != http.StatusCreated {
		t.Fatalf("sent %+v", last)
	}
	if held, ok := s.ServiceRequest(sr.ID); !ok || held.Title != "Cannot assign licences" {
		t.Fatalf("the stand-in holds %+v", held)
	}

	// Partner Center's validation, in its error shape: nothing created.
	noTopic := newServiceRequest("")
	_, err = c.CreateServiceRequest(ctx, "fr-FR", noTopic)
	refused(t, err, http.StatusBadRequest, pctest.CodeInvalid, "SupportTopicId is required")
	_, err = c.CreateServiceRequest(ctx, "en-US", newServiceRequest("1"))
	refused(t, err, http.StatusBadRequest, pctest.CodeInvalid, "support topic 1 does not exist")
	bad := newServiceRequest("32569836")
	bad.Severity = api.Named("urgent")
	_, err = c.CreateServiceRequest(ctx, "en-US", bad)
	refused(t, err, http.StatusBadRequest, pctest.CodeInvalid, `not "urgent"`)
	noTitle := newServiceRequest("32569836")
	noTitle.Title = " "
	_, err = c.CreateServiceRequest(ctx, "en-US", noTitle)
	refused(t, err, http.StatusBadRequest, pctest.CodeInvalid, "Title is required")
	if _, err := c.CreateServiceRequest(ctx, "en US", newServiceRequest("32569836")); err == nil || !strings.Contains(err.Error(), "not a locale") {
		t.Fatalf("a bad locale: %v", err)
	}
	if n := s.ServiceRequestCount(); n != 1 {
		t.Fatalf("%d requests held after refusals, want 1", n)
	}

	// A 503 on a write is not sent again (Partner Center may have acted): one request.
	n := len(s.Requests())
	s.Inject(pctest.Fault{Route: pctest.RouteServiceRequest, Method: http.MethodPost, Status: 503})
	_, err = c.CreateServiceRequest(ctx, "en-US", newServiceRequest("32569836"))
	refused(t, err, http.StatusServiceUnavailable, "", "")
	if sent := len(s.Requests()) - n; sent != 1 {
		t.Fatalf("a write refused with 503 was sent %d times", sent)
	}

	// Access refused: an *domain.AuthError inside (exit code 5).
	s.Inject(pctest.Fault{Route: pctest.RouteServiceRequest, Status: 403})
	_, err = c.CreateServiceRequest(ctx, "en-US", newServiceRequest("32569836"))
	var auth *domain.AuthError
	if refused(t, err, http.StatusForbidden, "", ""); !errors.As(err, &auth) {
		t.Fatalf("403 is not an AuthError: %v", err)
	}

	// An answer lost after Partner Center created the request: an error, and the request
	// is there.
	s.Inject(pctest.Fault{Route: pctest.RouteServiceRequest, Method: http.MethodPost, LoseAnswer: true})
	if _, err := c.CreateServiceRequest(ctx, "en-US", newServiceRequest("32569836")); err == nil {
		t.Fatal("a lost answer was taken as an answer")
	}
	if n := s.ServiceRequestCount(); n != 2 {
		t.Fatalf("%d requests held after a lost answer, want 2", n)
	}
}

func TestUpdateServiceRequest(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	ctx := context.Background()
	created, err := c.CreateServiceRequest(ctx, "en-US", newServiceRequest("32444667"))
	if err != nil {
		t.Fatal(err)
	}
	id := created.Value.ID

	got, err := c.UpdateServiceRequest(ctx, id, partnercenter.ServiceRequestPatch{NewNote: "Tried again: still failing.", Severity: "critical"})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := got.Value.Record()
	if rec.Status != domain.RequestOpen || rec.Severity != domain.SeverityCritical || len(rec.Notes) != 1 || rec.Notes[0].Text != "Tried again: still failing." {
		t.Fatalf("updated: %+v", rec)
	}
	got, err = c.UpdateServiceRequest(ctx, id, partnercenter.ServiceRequestPatch{Status: "closed", NewNote: "Solved."})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ = got.Value.Record()
	if rec.Status != domain.RequestClosed || rec.ClosedAt.IsZero() || len(rec.Notes) != 2 {
		t.Fatalf("closed: %+v", rec)
	}
	got, err = c.UpdateServiceRequest(ctx, id, partnercenter.ServiceRequestPatch{Status: "attention_needed"})
	if rec, _ = got.Value.Record(); err != nil || rec.Status != domain.RequestAttentionNeeded {
		t.Fatalf("attention needed: %+v %v", rec, err)
	}

	_, err = c.UpdateServiceRequest(ctx, "799999999999999", partnercenter.ServiceRequestPatch{Status: "closed"})
	refused(t, err, http.StatusNotFound, pctest.CodeNotFound, "799999999999999 does not exist")
	_, err = c.UpdateServiceRequest(ctx, id, partnercenter.ServiceRequestPatch{})
	refused(t, err, http.StatusBadRequest, pctest.CodeInvalid, "Nothing to update")
	_, err = c.UpdateServiceRequest(ctx, id, partnercenter.ServiceRequestPatch{Status: "resolved"})
	refused(t, err, http.StatusBadRequest, pctest.CodeInvalid, `"resolved"`)

	// The PATCH carries only what changes.
	for _, r := range s.Requests() {
		if r.Method == http.MethodPatch && r.Path != "/v1/servicerequests/"+id && r.Path != "/v1/servicerequests/799999999999999" {
			t.Fatalf("patched %s", r.Path)
		}
	}
}

const (
	cust = "00000000-0000-4000-8000-000000000001"
	subA = "10000000-0000-4000-8000-00000000000a"
	subB = "10000000-0000-4000-8000-00000000000b"
)

func relationshipStandIn(t *testing.T) (*pctest.Server, *partnercenter.Client) {
	t.Helper()
	s := pctest.New(false)
	t.Cleanup(s.Close)
	s.PutCustomer(api.Customer{ID: cust, CompanyProfile: api.CompanyProfile{Domain: "contoso.com", CompanyName: "Contoso"}, RelationshipToPartner: "reseller"})
	s.SetSubscriptions(cust, []api.Subscription{
		{ID: subA, OfferName: "Microsoft 365 E3", Quantity: 10, Status: "active"},
		{ID: subB, OfferName: "Exchange Online", Quantity: 2, Status: "suspended"},
	})
	return s, newClient(t, s, partnercenter.StaticToken("tok"), nil)
}

func TestSubscriptionStatus(t *testing.T) {
	s, c := relationshipStandIn(t)
	ctx := context.Background()
	got, err := c.SetSubscriptionStatus(ctx, cust, subA, "Suspended")
	if err != nil || got.Value.Status != "suspended" || got.Value.ID != subA || got.RequestID == "" {
		t.Fatalf("suspend: %+v %v", got, err)
	}
	// Read, then the whole subscription sent back with its status.
	reqs := s.Requests()
	get, patch := reqs[len(reqs)-2], reqs[len(reqs)-1]
	path := "/v1/customers/" + cust + "/subscriptions/" + subA
	if get.Method != http.MethodGet || get.Path != path || patch.Method != http.MethodPatch || patch.Path != path {
		t.Fatalf("sent %+v then %+v", get, patch)
	}
	if held := s.Subscriptions(cust); held[0].Status != "suspended" || held[0].Quantity != 10 || held[0].OfferName != "Microsoft 365 E3" {
		t.Fatalf("the stand-in holds %+v", held[0])
	}
	if got, err = c.SetSubscriptionStatus(ctx, cust, subA, "active"); err != nil || got.Value.Status != "active" {
		t.Fatalf("reactivate: %+v %v", got, err)
	}

	n := len(s.Requests())
	if _, err := c.SetSubscriptionStatus(ctx, cust, subA, "deleted"); err == nil || len(s.Requests()) != n {
		t.Fatalf("a status other than active or suspended: %v, %d requests sent", err, len(s.Requests())-n)
	}
	_, err = c.SetSubscriptionStatus(ctx, cust, "nope", "suspended")
	refused(t, err, http.StatusNotFound, pctest.CodeNotFound, "subscription nope")
	_, err = c.SetSubscriptionStatus(ctx, "nobody", subA, "suspended")
	refused(t, err, http.StatusNotFound, pctest.CodeNotFound, "customer nobody")
	s.Inject(pctest.Fault{Route: pctest.RouteSubscription, Method: http.MethodPatch, Status: 403})
	_, err = c.SetSubscriptionStatus(ctx, cust, subA, "suspended")
	var auth *domain.AuthError
	if refused(t, err, http.StatusForbidden, "", ""); !errors.As(err, &auth) {
		t.Fatalf("403: %v", err)
	}
}

func TestEndRelationship(t *testing.T) {
	s, c := relationshipStandIn(t)
	ctx := context.Background()

	// Refused while a subscription is active, naming it; nothing changed.
	_, err := c.EndRelationship(ctx, cust)
	refused(t, err, http.StatusBadRequest, pctest.CodeActiveSubscriptions, subA)
	if cu, _ := s.Customer(cust); cu.RelationshipToPartner != "reseller" {
		t.Fatalf("relationship %q after a refusal", cu.RelationshipToPartner)
	}
	// An Azure reserved VM instance order: only Azure support cancels it.
	s.SetReservedInstances(cust, []string{"ri-1"})
	_, err = c.EndRelationship(ctx, cust)
	refused(t, err, http.StatusBadRequest, pctest.CodeReservedInstances, "Azure support")
	s.SetReservedInstances(cust, nil)

	if _, err := c.SetSubscriptionStatus(ctx, cust, subA, "suspended"); err != nil {
		t.Fatal(err)
	}
	got, err := c.EndRelationship(ctx, cust)
	if err != nil {
		t.Fatal(err)
	}
	// The reference's answer has every member but the relationship null: the ID is the
	// one asked.
	if got.Value.RelationshipToPartner != "none" || got.Value.ID != cust || got.RequestID == "" {
		t.Fatalf("ended: %+v", got)
	}
	if cu, _ := s.Customer(cust); cu.RelationshipToPartner != "none" {
		t.Fatalf("the stand-in holds %q", cu.RelationshipToPartner)
	}
	// Its subscriptions cannot be reactivated any more.
	_, err = c.SetSubscriptionStatus(ctx, cust, subA, "active")
	refused(t, err, http.StatusBadRequest, pctest.CodeRelationshipEnded, "cannot be reactivated")

	_, err = c.EndRelationship(ctx, "nobody")
	refused(t, err, http.StatusNotFound, pctest.CodeNotFound, "customer nobody")
	s.Inject(pctest.Fault{Route: pctest.RouteCustomer, Expired: true, Times: 2})
	if _, err := c.EndRelationship(ctx, cust); err == nil {
		t.Fatal("an expired token was taken")
	}
}

func TestRelationshipRequestLink(t *testing.T) {
	s, c := relationshipStandIn(t)
	ctx := context.Background()
	s.SetResellers([]api.Reseller{
		{ID: "aaaaaaaa-0000-4000-8000-000000000001", Name: "Fabrikam", MPNID: "1234567"},
		{ID: "aaaaaaaa-0000-4000-8000-000000000002", Name: "Gone", MPNID: "7654321", State: "Removed"},
	})
	got, err := c.RelationshipRequestLink(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(got.Value.URL)
	if err != nil || u.Host != "admin.microsoft.com" || u.Query().Get("partnerId") != s.TenantID || got.RequestID == "" {
		t.Fatalf("link %q: %v", got.Value.URL, err)
	}

	tenant, err := c.ResellerTenantID(ctx, "1234567")
	if err != nil || tenant != "aaaaaaaa-0000-4000-8000-000000000001" {
		t.Fatalf("reseller tenant %q %v", tenant, err)
	}
	if gone, err := c.ResellerTenantID(ctx, "7654321"); err != nil || gone != "" {
		t.Fatalf("a removed reseller: %q %v", gone, err)
	}
	got, err = c.RelationshipRequestLink(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(got.Value.URL); u.Query().Get("partnerId") != tenant || u.Query().Get("indirectCSPId") != s.TenantID {
		t.Fatalf("indirect link %q", got.Value.URL)
	}
	reqs := s.Requests()
	if last := reqs[len(reqs)-1]; last.Path != "/v1/customers/relationshiprequests" || last.Query != "indirectResellerId="+tenant {
		t.Fatalf("sent %+v", last)
	}
	_, err = c.RelationshipRequestLink(ctx, "aaaaaaaa-0000-4000-8000-000000000002")
	refused(t, err, http.StatusBadRequest, pctest.CodeInvalid, "not an active indirect reseller")

	// A read: a 503 is tried again.
	s.Inject(pctest.Fault{Route: pctest.RouteRelationshipRequest, Status: 503})
	if _, err := c.RelationshipRequestLink(ctx, ""); err != nil {
		t.Fatalf("after a 503: %v", err)
	}
}
