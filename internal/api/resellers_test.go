package api

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// The published sample of Partner Center's indirect resellers decodes into Reseller.
func TestResellerSample(t *testing.T) {
	b, err := os.ReadFile(pcSample("indirect-resellers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var page Collection[Reseller]
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != 2 || len(page.Items) != 2 || page.Attributes.ObjectType != "Collection" {
		t.Fatalf("page = %+v", page)
	}
	first := page.Items[0]
	if first.ID != "484e548c-f5f3-4528-93a9-c16c6373cb59" || first.Location != "US" || first.Attributes.ObjectType != ObjectPartnerRelationship ||
		first.RelationshipType != relationshipType {
		t.Errorf("first = %+v", first)
	}
	var got []domain.Reseller
	for _, it := range page.Items {
		r, err := it.Domain()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	want := []domain.Reseller{
		{MPNID: "4847383", Name: "First Up Consultants", Status: domain.ResellerActive},
		{MPNID: "4847433", Name: "ReleCloud", Status: domain.ResellerActive},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// Partner Center's RelationshipRequest sample decodes into Invitation: its link is URL.
func TestRelationshipRequestSample(t *testing.T) {
	b, err := os.ReadFile(pcSample("relationship-request.json"))
	if err != nil {
		t.Fatal(err)
	}
	var inv Invitation
	if err := json.Unmarshal(b, &inv); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(inv.URL, "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship") ||
		inv.Attributes.ObjectType != ObjectRelationshipRequest {
		t.Errorf("invitation = %+v", inv)
	}
}

func TestResellerRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, r := range []domain.Reseller{
		{MPNID: "4847383", Name: "Fabrikam", Email: "sales@fabrikam.com", Status: domain.ResellerActive,
			InvitedAt: at, AcceptedAt: at.Add(time.Hour), ExpiresAt: at.Add(domain.InvitationTTL)},
		{MPNID: "4847383", Name: "Fabrikam", Email: "sales@fabrikam.com", Status: domain.ResellerRemoved,
			InvitedAt: at, AcceptedAt: at.Add(time.Hour), RemovedAt: at.Add(48 * time.Hour), ExpiresAt: at.Add(domain.InvitationTTL)},
		{Name: "Pending <Co>", Email: "p@example.com", Status: domain.ResellerPending, InvitedAt: at, ExpiresAt: at.Add(domain.InvitationTTL)},
		{Email: "e@example.com", Status: domain.ResellerExpired, InvitedAt: at, ExpiresAt: at.Add(domain.InvitationTTL)},
	} {
		b, err := json.Marshal(FromReseller(r))
		if err != nil {
			t.Fatal(err)
		}
		var back Reseller
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		got, err := back.Domain()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("round trip of %+v gave %+v (%s)", r, got, b)
		}
	}
	b, _ := json.Marshal(FromReseller(domain.Reseller{MPNID: "4847383", Name: "F", Status: domain.ResellerActive}))
	if want := `{"name":"F","relationshipType":"is_indirect_cloud_solution_provider_of","state":"Active","mpnId":"4847383","attributes":{"objectType":"PartnerRelationship"}}`; string(b) != want {
		t.Errorf("JSON = %s\nwant %s", b, want)
	}
	if _, err := (Reseller{State: "Suspended"}).Domain(); err == nil {
		t.Error("an unknown state was accepted")
	}
}

func TestSubscriptionShape(t *testing.T) {
	s := domain.Subscription{ID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", CustomerID: "c1", CustomerName: "Contoso", Offer: "Microsoft 365 E3",
		Quantity: 25, Status: "active", ResellerMPNID: "4847383", SupportContact: "4847433",
		TermEnd: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	b, err := json.Marshal(FromSubscription(s))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","offerName":"Microsoft 365 E3","quantity":25,"status":"active","partnerId":"4847383",` +
		`"creationDate":"2026-01-02T03:04:05Z","commitmentEndDate":"2027-06-30T00:00:00Z",` +
		`"pcctl":{"customerId":"c1","customerName":"Contoso","supportContact":"4847433"},"attributes":{"objectType":"Subscription"}}`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant %s", b, want)
	}
	var back Subscription
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got, err := back.Domain()
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Errorf("round trip gave %+v, %v", got, err)
	}
	// No term end, no reseller: the fields are left out, and come back zero.
	s.TermEnd, s.ResellerMPNID, s.SupportContact = time.Time{}, "", ""
	b, _ = json.Marshal(FromSubscription(s))
	if strings.Contains(string(b), "commitmentEndDate") || strings.Contains(string(b), "partnerId") || strings.Contains(string(b), "supportContact") {
		t.Errorf("JSON = %s", b)
	}
	back = Subscription{}
	_ = json.Unmarshal(b, &back)
	if got, _ := back.Domain(); !reflect.DeepEqual(got, s) {
		t.Errorf("round trip gave %+v", got)
	}
}

// A patch tells a field left alone from one emptied.
func TestSubscriptionPatch(t *testing.T) {
	empty, mpn, n := "", "4847383", 7
	for _, ch := range []workspace.SubscriptionChange{
		{},
		{Quantity: &n},
		{Reseller: &empty},
		{SupportContact: &mpn},
		{Reseller: &mpn, SupportContact: &empty, Quantity: &n},
	} {
		b, err := json.Marshal(FromSubscriptionChange(ch))
		if err != nil {
			t.Fatal(err)
		}
		var p SubscriptionPatch
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if got := p.Change(); !reflect.DeepEqual(got, ch) {
			t.Errorf("%s gave %+v, want %+v", b, got, ch)
		}
	}
	var p SubscriptionPatch
	_ = json.Unmarshal([]byte(`{"partnerId":"","pcctl":{"supportContact":null}}`), &p)
	if ch := p.Change(); ch.Reseller == nil || *ch.Reseller != "" || ch.SupportContact != nil || ch.Quantity != nil {
		t.Errorf("change = %+v", ch)
	}
}

func TestParseResellerStatuses(t *testing.T) {
	all := []domain.ResellerStatus{domain.ResellerPending, domain.ResellerExpired, domain.ResellerActive, domain.ResellerRemoved}
	for _, c := range []struct {
		in   []string
		want []domain.ResellerStatus
	}{
		{nil, []domain.ResellerStatus{domain.ResellerActive}},
		{[]string{""}, []domain.ResellerStatus{domain.ResellerActive}},
		{[]string{"removed"}, []domain.ResellerStatus{domain.ResellerRemoved}},
		{[]string{"Pending, expired"}, []domain.ResellerStatus{domain.ResellerPending, domain.ResellerExpired}},
		{[]string{"active", "removed,active"}, []domain.ResellerStatus{domain.ResellerActive, domain.ResellerRemoved}},
		{[]string{"all"}, all},
	} {
		got, err := ParseResellerStatuses(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	_, err := ParseResellerStatuses([]string{"active,gone"})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeBadRequest ||
		e.Description != `invalid status "gone": expected pending, expired, active, removed, all (several may be given, comma-separated)` {
		t.Errorf("err = %v", err)
	}
}

func TestParseExpiringWithin(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30d": 30 * 24 * time.Hour, "0d": 0, "720h0m0s": 720 * time.Hour, "90m": 90 * time.Minute, "-1h": -time.Hour, " 7d ": 7 * 24 * time.Hour,
	} {
		if got, err := ParseExpiringWithin(in); err != nil || got != want {
			t.Errorf("%q: got %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "30", "thirty days", "1.5d", "d", "99999999d"} {
		_, err := ParseExpiringWithin(in)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeBadRequest || !strings.Contains(e.Description, "expiring_within") {
			t.Errorf("%q: err = %v", in, err)
		}
	}
}
