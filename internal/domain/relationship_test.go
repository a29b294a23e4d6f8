package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Customer relationships: domain.md, "Customer relationships" (003, 004).

var contoso = Customer{ID: "c1", CompanyName: "Contoso", Domain: "contoso.onmicrosoft.com", Relationship: DefaultRelationship}

func ruleOf(t *testing.T, err error) string {
	t.Helper()
	var r *RuleError
	if !errors.As(err, &r) {
		t.Fatalf("error %v (%T) is not a *RuleError", err, err)
	}
	return r.Rule
}

func TestRelationshipRequestLifetime(t *testing.T) {
	created := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	r := RelationshipRequest{CreatedAt: created}
	// Valid as long as a partnership request is.
	if got := r.ExpiresAt(); !got.Equal(created.Add(InvitationTTL)) || InvitationTTL != 30*24*time.Hour {
		t.Errorf("ExpiresAt = %v", got)
	}
	for _, c := range []struct {
		at   time.Time
		want RelationshipRequestStatus
	}{
		{created, RelationshipPending},
		{r.ExpiresAt().Add(-time.Second), RelationshipPending},
		{r.ExpiresAt(), RelationshipExpired},
	} {
		if got := r.Status(c.at); got != c.want {
			t.Errorf("Status(%v) = %s, want %s", c.at, got, c.want)
		}
	}
	if err := CheckRelationshipAcceptance(r, r.ExpiresAt().Add(-time.Second)); err != nil {
		t.Errorf("a pending request refused: %v", err)
	}
	err := CheckRelationshipAcceptance(r, r.ExpiresAt())
	if ruleOf(t, err) != "relationship-request-expired" || !strings.Contains(err.Error(), "expired on 2026-12-21") {
		t.Errorf("expired: %v", err)
	}
	// Single use: once accepted, never again, expired or not.
	r.AcceptedAt = created.Add(time.Hour)
	if r.Status(created.Add(2*time.Hour)) != RelationshipAccepted || r.Status(r.ExpiresAt().Add(time.Hour)) != RelationshipAccepted {
		t.Error("an accepted request is not accepted")
	}
	err = CheckRelationshipAcceptance(r, created.Add(2*time.Hour))
	if ruleOf(t, err) != "relationship-request-used" || !strings.Contains(err.Error(), "used once") {
		t.Errorf("used: %v", err)
	}
}

func TestRelationshipRequestAndReinstatement(t *testing.T) {
	// The relationship the customer has already is refused: directly, or through the
	// same reseller.
	if err := CheckRelationshipRequest(contoso, ""); ruleOf(t, err) != "relationship-exists" {
		t.Errorf("direct again: %v", err)
	}
	viaR := contoso
	viaR.ResellerMPNID = "4847383"
	if err := CheckRelationshipRequest(viaR, "4847383"); ruleOf(t, err) != "relationship-exists" || !strings.Contains(err.Error(), "through the indirect reseller 4847383") {
		t.Errorf("same reseller again: %v", err)
	}
	// Another reseller, or a first one, may ask.
	if err := CheckRelationshipRequest(viaR, "5555555"); err != nil {
		t.Errorf("another reseller: %v", err)
	}
	if err := CheckRelationshipRequest(contoso, "4847383"); err != nil {
		t.Errorf("on behalf of a reseller: %v", err)
	}
	// An ended relationship may always be asked again: that reinstates it.
	ended := viaR
	ended.Relationship = RelationshipNone
	if !ended.Ended() || contoso.Ended() {
		t.Fatal("Ended")
	}
	for _, mpn := range []string{"", "4847383"} {
		if err := CheckRelationshipRequest(ended, mpn); err != nil {
			t.Errorf("reinstatement (reseller %q) refused: %v", mpn, err)
		}
	}
	got := RelationshipRequest{}.Accept(ended)
	if got.Relationship != DefaultRelationship || got.ResellerMPNID != "4847383" {
		t.Errorf("reinstated directly: %+v", got)
	}
	got = RelationshipRequest{ResellerMPNID: "5555555"}.Accept(ended)
	if got.Relationship != DefaultRelationship || got.ResellerMPNID != "5555555" {
		t.Errorf("reinstated through a reseller: %+v", got)
	}
	// Accepting keeps another relationship as it is.
	other := contoso
	other.Relationship = "direct reseller"
	if got := (RelationshipRequest{ResellerMPNID: "5555555"}).Accept(other); got.Relationship != "direct reseller" || got.ResellerMPNID != "5555555" {
		t.Errorf("accepted: %+v", got)
	}
}

func TestEndRelationshipBlockers(t *testing.T) {
	subs := []Subscription{
		{ID: "s1", Offer: "Microsoft 365 E3", Status: SubscriptionActive},
		{ID: "s2", Offer: "Office 365 E1", Status: SubscriptionSuspended},
		{ID: "s3", Offer: "Azure Reserved VM Instances", Status: SubscriptionActive},
	}
	err := CheckEndRelationship(contoso, subs)
	if ruleOf(t, err) != "relationship-blocked" {
		t.Fatalf("blocked: %v", err)
	}
	want := "the relationship with Contoso (contoso.onmicrosoft.com) cannot end yet:\n" +
		"  - the Azure reserved VM instance order s3 (Azure Reserved VM Instances) is active: only Azure support can cancel it, ask them to\n" +
		"  - the subscription s1 (Microsoft 365 E3) is active: suspend it first ('pcctl subscription suspend s1')"
	if err.Error() != want {
		t.Errorf("message:\n%s\nwant:\n%s", err, want)
	}
	bs := EndBlockers(subs)
	if len(bs) != 2 || bs[0].Kind != BlockerSubscription || bs[1].Kind != BlockerReservation {
		t.Errorf("EndBlockers = %+v", bs)
	}
	// Suspended subscriptions do not block; nothing left, the relationship may end.
	if err := CheckEndRelationship(contoso, subs[1:2]); err != nil {
		t.Errorf("only suspended: %v", err)
	}
	if err := CheckEndRelationship(contoso, nil); err != nil {
		t.Errorf("none: %v", err)
	}
	ended := contoso
	ended.Relationship = RelationshipNone
	if err := CheckEndRelationship(ended, nil); ruleOf(t, err) != "relationship-ended" {
		t.Errorf("ended twice: %v", err)
	}
}

func TestIsAzureReservation(t *testing.T) {
	for offer, want := range map[string]bool{
		"Azure Reserved VM Instances":      true,
		"Azure reservation — D2s v3, 3 yr": true,
		"Reserved VM Instance, Standard":   true,
		"Microsoft 365 E3":                 false,
		"Azure plan":                       false,
		"Reserved seats":                   false,
	} {
		if got := IsAzureReservation(offer); got != want {
			t.Errorf("IsAzureReservation(%q) = %v", offer, got)
		}
	}
}

func TestSubscriptionStatus(t *testing.T) {
	active := Subscription{ID: "s1", Offer: "Microsoft 365 E3", Status: SubscriptionActive}
	suspended := active
	suspended.Status = SubscriptionSuspended
	ended := contoso
	ended.Relationship = RelationshipNone
	for _, c := range []struct {
		name string
		s    Subscription
		c    Customer
		to   string
		rule string // "" allowed
	}{
		{"suspend active", active, contoso, SubscriptionSuspended, ""},
		{"reactivate suspended", suspended, contoso, SubscriptionActive, ""},
		{"suspend suspended", suspended, contoso, SubscriptionSuspended, "subscription-not-active"},
		{"reactivate active", active, contoso, SubscriptionActive, "subscription-not-suspended"},
		{"suspend, relationship ended", active, ended, SubscriptionSuspended, "relationship-ended"},
		{"reactivate, relationship ended", suspended, ended, SubscriptionActive, "relationship-ended"},
		{"reservation", Subscription{ID: "r", Offer: "Azure Reserved VM Instances", Status: SubscriptionActive}, contoso, SubscriptionSuspended, "reservation"},
	} {
		err := CheckSubscriptionStatus(c.s, c.c, c.to)
		if c.rule == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if got := ruleOf(t, err); got != c.rule {
			t.Errorf("%s: rule %s (%v), want %s", c.name, got, err, c.rule)
		}
	}
	var inv *InvalidError
	if err := CheckSubscriptionStatus(active, contoso, "cancelled"); !errors.As(err, &inv) || inv.Field != "status" {
		t.Errorf("unknown status: %v", err)
	}
}

func TestPurchasePermission(t *testing.T) {
	if err := CheckPurchasePermission(contoso); err != nil {
		t.Error(err)
	}
	ended := contoso
	ended.Relationship = RelationshipNone
	if err := CheckPurchasePermission(ended); ruleOf(t, err) != "relationship-ended" {
		t.Errorf("ended: %v", err)
	}
}

func TestRelationshipRoles(t *testing.T) {
	// Global admin and admin agent (003), no other role.
	for _, r := range AllRoles {
		want := r == RoleGlobalAdmin || r == RoleAdminAgent
		if got := (Principal{User: "u", Roles: []Role{r}}).Can(PermRelationships); got != want {
			t.Errorf("%s Can(PermRelationships) = %v", r, got)
		}
	}
}

func TestDraftRelationshipRequest(t *testing.T) {
	link := "https://pcctl.example.com/pcctl/v1/relationshiprequests/abc"
	exp := time.Date(2026, 12, 21, 10, 0, 0, 0, time.UTC)
	subject, body, err := DraftRelationshipRequest("Contoso Partners", "Fabrikam", "", link, exp, "")
	if err != nil || subject != "Contoso Partners: request for a reseller relationship" ||
		!strings.HasPrefix(body, "Hello Fabrikam,\n\nContoso Partners would like") ||
		!strings.Contains(body, "\n    "+link+"\n") || !strings.Contains(body, "expires on 21 December 2026.") {
		t.Errorf("default draft: %q %q %v", subject, body, err)
	}
	_, body, _ = DraftRelationshipRequest("", "Fabrikam", "Tailspin Toys", link, exp, "")
	if !strings.Contains(body, "Hello Fabrikam,\n\nTailspin Toys, working with us, would like") {
		t.Errorf("on behalf of a reseller: %q", body)
	}
	// Partner Center's link (no expiry given): nothing said of single use or expiry.
	_, body, _ = DraftRelationshipRequest("", "Fabrikam", "", link, time.Time{}, "")
	if !strings.HasSuffix(body, "\n    "+link+"\n") || strings.Contains(body, "used once") || strings.Contains(body, "expires") {
		t.Errorf("without expiry: %q", body)
	}
	subject, body, err = DraftRelationshipRequest("P", "F", "", link, exp, "Subject: Hi\n\nOpen {{link}} please.\n")
	if err != nil || subject != "Hi" || body != "Open "+link+" please.\n" {
		t.Errorf("custom: %q %q %v", subject, body, err)
	}
	var inv *InvalidError
	if _, _, err := DraftRelationshipRequest("P", "F", "", link, exp, "No link here.\n"); !errors.As(err, &inv) || inv.Field != "message" {
		t.Errorf("no link: %v", err)
	}
	for _, bad := range []string{"{{link}}\n\x1b[2Jcleared", "{{link}}\nsee \u202Eknil", "{{link}}\u2066", "\xff{{link}}"} {
		if _, _, err := DraftRelationshipRequest("P", "F", "", link, exp, bad); !errors.As(err, &inv) {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
	err = CheckMessageText("message", "one\r\ntwo\tcols\nthree \u202E")
	if err == nil || !strings.Contains(err.Error(), "U+202E) on line 3") {
		t.Errorf("line: %v", err)
	}
}
