package api_test

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func dealRoundTrip(t *testing.T, rec workspace.DealRecord) workspace.DealRecord {
	t.Helper()
	b, err := json.Marshal(api.FromDealRecord(rec))
	if err != nil {
		t.Fatal(err)
	}
	var ref api.Referral
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	got, err := ref.Record()
	if err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return got
}

func fullDeal() workspace.DealRecord {
	at := time.Date(2026, 3, 4, 5, 6, 7, 890123456, time.UTC)
	return workspace.DealRecord{Favorite: true, Deal: domain.Deal{
		ID: "OPP-1", EngagementID: "e1", Name: "Rollout <&>", Direction: domain.Inbound, Type: domain.CoSellDeal,
		Status: domain.DealNew, Substatus: domain.SubReceived, CreatedAt: at, ExpiresAt: at.Add(domain.DealTTL),
		Solutions: []domain.Solution{{ID: "CFQ7", Source: domain.MicrosoftSKU, Quantity: 25, UnitPrice: "12.50"},
			{ID: "OWN-1", Source: domain.OwnSolution}, {ID: "P-1", Source: domain.OtherPartnerSolution}},
		Contact: domain.Contact{Name: "Mary Ann  Smith", Email: "mary@contoso.com", Phone: "+44 1"}, Consent: true,
		SellerAccepted: true, IoTOEM: true, CloseDate: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC),
		CustomerID: "tenant-1", Organization: "Contoso Ltd", OrgCountry: "GB", Value: "1234.50", Currency: "EUR",
		SellerName: "John Doe", SellerEmail: "john@microsoft.com", StatusReason: "why not",
		Team:      []string{"a@contoso.com", "b@contoso.com"},
		Notes:     []domain.Note{{Author: "alice@contoso.com", CreatedAt: at.Add(time.Hour), Text: "first\nline"}, {Text: "bare"}},
		UpdatedAt: at.Add(2 * time.Hour), Version: 7,
	}}
}

func TestReferralRoundTrip(t *testing.T) {
	cases := map[string]func(*workspace.DealRecord){
		"full":  func(*workspace.DealRecord) {},
		"empty": func(r *workspace.DealRecord) { *r = workspace.DealRecord{} },
		"empty slices": func(r *workspace.DealRecord) {
			r.Solutions, r.Team, r.Notes = []domain.Solution{}, []string{}, []domain.Note{}
		},
		"nil slices": func(r *workspace.DealRecord) { r.Solutions, r.Team, r.Notes = nil, nil, nil },
		"outbound private": func(r *workspace.DealRecord) {
			r.Direction, r.Type, r.Status, r.Substatus, r.Favorite = domain.Outbound, domain.PrivateDeal, domain.DealClosed, domain.SubWon, false
		},
		// Values a PSC import row may hold before they are checked.
		"unchecked values": func(r *workspace.DealRecord) {
			r.Value, r.Currency, r.Direction, r.Type, r.Status, r.Substatus = "1.234,50", "euro", "sideways", "weird", "Odd", "Strange"
			r.Solutions = []domain.Solution{{ID: "x", Source: "", UnitPrice: "12,5"}, {ID: "", Source: "bogus", Quantity: -1}}
		},
		"number-like values": func(r *workspace.DealRecord) { r.Value = "0050.10"; r.Solutions[0].UnitPrice = "1e3" },
		"contact names": func(r *workspace.DealRecord) {
			r.Contact = domain.Contact{Name: " Sue"}
		},
		"contact trailing space": func(r *workspace.DealRecord) { r.Contact = domain.Contact{Name: "Sue "} },
		"contact phone only":     func(r *workspace.DealRecord) { r.Contact = domain.Contact{Phone: "1"} },
		"local time": func(r *workspace.DealRecord) {
			// Times come back in UTC.
			r.CreatedAt = r.CreatedAt.In(time.UTC)
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			rec := fullDeal()
			change(&rec)
			if got := dealRoundTrip(t, rec); !reflect.DeepEqual(got, rec) {
				t.Fatalf("round trip:\n got %#v\nwant %#v", got, rec)
			}
		})
	}
	// A time in another zone comes back as the same instant in UTC.
	rec := fullDeal()
	rec.CreatedAt = rec.CreatedAt.In(time.FixedZone("CET", 3600))
	if got := dealRoundTrip(t, rec); !got.CreatedAt.Equal(rec.CreatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("created %v", got.CreatedAt)
	}
}

func TestReferralShape(t *testing.T) {
	b, err := json.Marshal(api.FromDealRecord(fullDeal()))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]any{
		"id": "OPP-1", "status": "New", "substatus": "Received", "type": "Shared", "direction": "Incoming",
		"statusReason": "why not", "createdDateTime": "2026-03-04T05:06:07.890123456Z",
		"customerProfile.name": "Contoso Ltd", "customerProfile.address.country": "GB",
		"customerProfile.ids.tenantId": "tenant-1", "customerProfile.team.0.firstName": "Mary",
		"customerProfile.team.0.lastName": "Ann  Smith", "details.dealValue": 1234.5, "details.currency": "EUR",
		"details.closingDateTime":                             "2026-06-30T00:00:00Z",
		"details.requirements.solutions.0.id":                 "CFQ7",
		"details.requirements.solutions.0.pcctl":              map[string]any{"source": "microsoft", "quantity": 25.0, "unitPrice": 12.5},
		"consent.consentToToShareInfoWithOthers":              true,
		"team.1.email":                                        "b@contoso.com",
		"notes.0.author":                                      "alice@contoso.com",
		"pcctl.version":                                       7.0,
		"pcctl.favorite":                                      true,
		"pcctl.sellerEmail":                                   "john@microsoft.com",
		"links.self.uri":                                      "/v1.0/engagements/referrals/OPP-1",
		"attributes.objectType":                               "Referral",
		"customerProfile.team.0.email":                        "mary@contoso.com",
		"details.requirements.solutions.1.pcctl":              map[string]any{"source": "own"},
		"pcctl.iotOem":                                        true,
		"customerProfile.team.0.phoneNumber":                  "+44 1",
		"consent.consentToMicrosoftToContactSpecificPartners": true,
	} {
		var v any = m
		for _, k := range strings.Split(path, ".") {
			switch x := v.(type) {
			case map[string]any:
				v = x[k]
			case []any:
				i := int(k[0] - '0')
				if i >= len(x) {
					v = nil
				} else {
					v = x[i]
				}
			}
		}
		if !reflect.DeepEqual(v, want) {
			t.Errorf("%s = %#v, want %#v", path, v, want)
		}
	}
	// The dealValue is the amount's text, as a JSON number.
	if !strings.Contains(string(b), `"dealValue":1234.50`) {
		t.Errorf("dealValue not written as the number 1234.50: %s", b)
	}
}

func decodeReferralFile(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(api.PCSample(name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func TestReferralSamples(t *testing.T) {
	var ref api.Referral
	decodeReferralFile(t, "referral.json", &ref)
	rec, err := ref.Record()
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Deal{ID: "61c65491-2f2c-461a-84b4-3654499bc1d9", EngagementID: "b1c40bb4-6d36-4eca-baa3-e1460cf2a454",
		Type: domain.PrivateDeal, Status: domain.DealNew, Substatus: domain.SubPending,
		CreatedAt: time.Date(2018, 10, 29, 21, 24, 52, 40469000, time.UTC), UpdatedAt: time.Date(2018, 10, 29, 21, 24, 52, 40469000, time.UTC),
		ExpiresAt:    time.Date(2018, 11, 6, 0, 0, 0, 0, time.UTC),
		Solutions:    []domain.Solution{{ID: "Dynamics365forFieldService", Source: domain.OwnSolution}},
		Contact:      domain.Contact{Name: "Sue Smith", Email: "sue.smith@contoso.com", Phone: "1234567890"},
		Consent:      true,
		Organization: "Contoso Customer Inc", OrgCountry: "US", Value: "50000", Currency: "USD",
		Team:  []string{"john.doe@microsoft.com"},
		Notes: []domain.Note{{Text: "Customer is looking to leverage Dynamics 365 to manage their supply chain. There is also a need to leverage a set of custom apps to enable their business processes."}},
	}
	if !reflect.DeepEqual(rec.Deal, want) {
		t.Fatalf("referral.json:\n got %#v\nwant %#v", rec.Deal, want)
	}

	// The create request: keys in other cases, consent as strings.
	var create api.Referral
	decodeReferralFile(t, "referral-create-request.json", &create)
	rec, err = create.Record()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Type != domain.CoSellDeal || rec.Status != domain.DealActive || rec.Substatus != domain.SubPending || !rec.Consent ||
		rec.Organization != "Contoso Inc" || rec.OrgCountry != "US" || rec.Value != "50000" || rec.Contact.Name != "Sue Smith" ||
		!reflect.DeepEqual(rec.Solutions, []domain.Solution{{ID: "SOL-34104-EBA", Source: domain.OwnSolution}}) ||
		!reflect.DeepEqual(rec.Team, []string{"luke.johnson@fabrikam.com"}) || len(rec.Notes) != 1 {
		t.Fatalf("create request: %#v", rec.Deal)
	}

	// The update request: a status change to Closed/Won with its reason.
	var upd api.ReferralUpdate
	decodeReferralFile(t, "referral-update-request.json", &upd)
	action, ambiguous, err := upd.Action()
	if err != nil || action != domain.ActWin || ambiguous || !upd.IsStatusChange() || upd.StatusReason != "Customer engagement was a success!" {
		t.Fatalf("update request: %v %v %v %+v", action, ambiguous, err, upd)
	}
	var full api.Referral
	decodeReferralFile(t, "referral-update-request.json", &full)
	if rec, err = full.Record(); err != nil || rec.Substatus != domain.SubWon || rec.StatusReason != "Customer engagement was a success!" ||
		!rec.CloseDate.Equal(time.Date(2018, 11, 14, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("update request as a referral: %#v %v", rec.Deal, err)
	}
}

func TestReferralEnums(t *testing.T) {
	var ref api.Referral
	if err := json.Unmarshal([]byte(`{"status":2,"substatus":6,"type":1,"direction":0}`), &ref); err != nil {
		t.Fatal(err)
	}
	rec, err := ref.Record()
	if err != nil || rec.Status != domain.DealClosed || rec.Substatus != domain.SubWon || rec.Type != domain.CoSellDeal || rec.Direction != domain.Inbound {
		t.Fatalf("%+v %v", rec.Deal, err)
	}
	if err := json.Unmarshal([]byte(`{"status":"closed","substatus":"WON","type":"private","direction":"outbound"}`), &ref); err != nil {
		t.Fatal(err)
	}
	if rec, err = ref.Record(); err != nil || rec.Status != domain.DealClosed || rec.Substatus != domain.SubWon || rec.Type != domain.PrivateDeal || rec.Direction != domain.Outbound {
		t.Fatalf("%+v %v", rec.Deal, err)
	}
	if err := json.Unmarshal([]byte(`{"status":3}`), &ref); err != nil {
		t.Fatal(err)
	}
	_, err = ref.Record()
	var e *api.Error
	if !errors.As(err, &e) || e.Code != api.CodeBadRequest || e.Description != "referral status 3 is not a number of the enumeration (0 to 2: New, Active, Closed)" {
		t.Fatalf("%v", err)
	}
	if _, err := api.ParseDealStatus("status", api.DealEnumParam("Bogus")); err == nil ||
		err.Error() != `status "Bogus" is not a referral status: expected New, Active or Closed (or 0, 1, 2)` {
		t.Fatalf("%v", err)
	}
	if s, err := api.ParseDealSubstatus("substatus", api.DealEnumParam("2")); err != nil || s != domain.SubAccepted {
		t.Fatalf("%v %v", s, err)
	}
	if _, err := api.ParseDealSubstatus("substatus", api.DealEnumParam("Engaged")); err == nil {
		t.Fatal("Engaged is not a substatus of pcctl's")
	}
}

func TestReferralUpdateAction(t *testing.T) {
	for body, want := range map[string]string{
		`{"status":"Active","substatus":"Accepted"}`:                                 "accept ambiguous",
		`{"substatus":"Accepted","pcctl":{"action":"seller-accept"}}`:                "seller-accept",
		`{"status":"Closed","substatus":"Declined","statusReason":"no"}`:             "decline",
		`{"status":"Closed","substatus":"Lost"}`:                                     "close-lost",
		`{"status":2,"substatus":6}`:                                                 "close-won",
		`{"pcctl":{"action":"close-duplicate"}}`:                                     "close-duplicate",
		`{"status":"Closed","substatus":"Won","pcctl":{"action":"close-won"}}`:       "close-won",
		`{"status":"Closed","substatus":"Won","pcctl":{"action":"accept"}}`:          "error: pcctl.action accept leads to Active/Accepted, not to the status and substatus sent (Closed/Won)",
		`{"status":"Closed","substatus":"Won","pcctl":{"action":"close-duplicate"}}`: "error: pcctl.action close-duplicate has no status in Partner Center: send it without status and substatus",
		`{"pcctl":{"action":"edit"}}`:                                                `error: pcctl.action "edit" is not an action on a deal: expected accept, seller-accept, decline, close-won, close-lost or close-duplicate`,
		`{"status":"Closed"}`:                                                        "error: a status change needs the substatus: Active/Accepted, Closed/Declined, Closed/Won or Closed/Lost",
		`{"status":"Closed","substatus":"Expired"}`:                                  `error: Closed/Expired is not a status a referral can be given: expected Active/Accepted, Closed/Declined, Closed/Won or Closed/Lost (New and Closed/Expired are set by pcctl itself; close as duplicate with "pcctl": {"action": "close-duplicate"})`,
		`{"status":"Open","substatus":"Won"}`:                                        `error: status "Open" is not a referral status: expected New, Active or Closed (or 0, 1, 2)`,
		`{"status":"Active","substatus":"Won"}`:                                      `error: Active/Won is not a status a referral can be given: expected Active/Accepted, Closed/Declined, Closed/Won or Closed/Lost (New and Closed/Expired are set by pcctl itself; close as duplicate with "pcctl": {"action": "close-duplicate"})`,
	} {
		var u api.ReferralUpdate
		if err := json.Unmarshal([]byte(body), &u); err != nil {
			t.Fatal(err)
		}
		if !u.IsStatusChange() {
			t.Errorf("%s: not a status change", body)
			continue
		}
		a, ambiguous, err := u.Action()
		got := string(a)
		if ambiguous {
			got += " ambiguous"
		}
		if err != nil {
			var e *api.Error
			if !errors.As(err, &e) || e.Code != api.CodeBadRequest {
				t.Errorf("%s: %v is not a bad request", body, err)
			}
			got = "error: " + err.Error()
		}
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", body, got, want)
		}
	}
	// Every user action goes through DealStatusUpdate and back.
	for _, a := range api.DealUserActions {
		b, _ := json.Marshal(api.DealStatusUpdate(a.Action, "r"))
		var u api.ReferralUpdate
		if err := json.Unmarshal(b, &u); err != nil {
			t.Fatal(err)
		}
		if got, _, err := u.Action(); err != nil || got != a.Action || u.StatusReason != "r" {
			t.Errorf("%s: %s %v", a.Action, got, err)
		}
	}
}

func TestReferralContentUpdate(t *testing.T) {
	name, value, cur := "N", "12.5", "usd"
	for _, ch := range []workspace.DealChange{
		{},
		{Name: &name, Value: &value, Currency: &cur},
		{Contact: &domain.Contact{Name: "Sue Smith", Email: "s@x.com", Phone: "1"}},
		{Contact: &domain.Contact{}},
		{AddSolutions: []domain.Solution{{ID: "A", Source: domain.MicrosoftSKU, Quantity: 2, UnitPrice: "3"}}, RemoveSolutions: []string{"B", "C"}},
	} {
		b, err := json.Marshal(api.DealContentUpdate(ch))
		if err != nil {
			t.Fatal(err)
		}
		var u api.ReferralUpdate
		if err := json.Unmarshal(b, &u); err != nil {
			t.Fatal(err)
		}
		if u.IsStatusChange() {
			t.Fatalf("%s is a status change", b)
		}
		if got := u.Change(); !reflect.DeepEqual(got, ch) {
			t.Fatalf("%s:\n got %#v\nwant %#v", b, got, ch)
		}
	}
}

func TestDealETag(t *testing.T) {
	if api.DealETag(12) != `"12"` {
		t.Fatal(api.DealETag(12))
	}
	for h, want := range map[string]int{"": 0, "*": 0, `"3"`: 3, `W/"4"`: 4, ` "5" `: 5} {
		if n, err := api.ParseDealETag(h); err != nil || n != want {
			t.Errorf("%q: %d %v", h, n, err)
		}
	}
	for _, h := range []string{"3", `"x"`, `"0"`, `"3", "4"`, `""`} {
		if _, err := api.ParseDealETag(h); err == nil || !strings.Contains(err.Error(), "If-Match") {
			t.Errorf("%q: %v", h, err)
		}
	}
}

func TestDealImportRowRoundTrip(t *testing.T) {
	rows := []workspace.DealImportRow{
		{Line: 2, Deal: fullDeal().Deal, NameColumn: 3, Fingerprint: "fp", Errors: []workspace.RowError{{Line: 2, Column: 4, Field: "Amount", Reason: "bad"}}},
		{Line: 7, Deal: domain.Deal{ID: "OPP-6", Name: "Dup"}, Duplicate: true},
		{Line: 8, Errors: []workspace.RowError{}},
	}
	for _, row := range rows {
		b, err := json.Marshal(api.FromDealImportRow(row))
		if err != nil {
			t.Fatal(err)
		}
		var item api.DealImportItem
		if err := json.Unmarshal(b, &item); err != nil {
			t.Fatal(err)
		}
		got, err := item.Row()
		if err != nil || item.End != nil || !reflect.DeepEqual(got, row) {
			t.Fatalf("%s:\n got %#v %v\nwant %#v", b, got, err, row)
		}
	}
	res := workspace.DealImportResult{Written: true, OrgsCreated: 2, Rows: []workspace.DealImportRowResult{
		{Line: 2, OpportunityID: "OPP-1", ReferralID: "OPP-1", EngagementID: "e", Name: "n", Outcome: workspace.DealImported},
		{Line: 3, OpportunityID: "OPP-2", Outcome: workspace.DealFailed, Errors: []workspace.RowError{{Line: 3, Reason: "x"}}},
	}}
	b, _ := json.Marshal(api.FromDealImportResult(res))
	var back api.DealImportResult
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got := workspace.DealImportResult{Written: back.Written, OrgsCreated: back.OrgsCreated}
	for _, r := range back.Rows {
		got.Rows = append(got.Rows, r.Result())
	}
	if !reflect.DeepEqual(got, res) {
		t.Fatalf("%s:\n got %#v\nwant %#v", b, got, res)
	}
}
