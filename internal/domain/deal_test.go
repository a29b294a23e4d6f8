package domain

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

var dealDay = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// TestTransitionTable pins the status model for every state and every action: where an
// allowed action leads, and the rule a refused one names.
func TestTransitionTable(t *testing.T) {
	type want struct{ state, rule string }
	states := []struct {
		s  DealStatus
		ss DealSubstatus
	}{
		{DealNew, SubReceived}, {DealNew, SubPending}, {DealActive, SubAccepted},
		{DealClosed, SubWon}, {DealClosed, SubLost}, {DealClosed, SubDeclined}, {DealClosed, SubExpired},
	}
	table := map[string]map[DealAction]want{
		"New/Received": {
			ActAccept: {"Active/Accepted", ""}, ActDecline: {"Closed/Declined", ""}, ActExpire: {"Closed/Expired", ""},
			ActEdit: {"New/Received", ""}, ActWin: {"", "transition"}, ActLose: {"", "transition"},
			ActSellerAccept: {"", "transition"}, ActDuplicate: {"", "no-duplicate"},
		},
		"New/Pending": {
			ActSellerAccept: {"Active/Accepted", ""}, ActWin: {"Closed/Won", ""}, ActLose: {"Closed/Lost", ""},
			ActExpire: {"Closed/Expired", ""}, ActEdit: {"New/Pending", ""}, ActAccept: {"", "transition"},
			ActDecline: {"", "transition"}, ActDuplicate: {"", "no-duplicate"},
		},
		"Active/Accepted": {
			ActWin: {"Closed/Won", ""}, ActLose: {"Closed/Lost", ""}, ActEdit: {"Active/Accepted", ""},
			ActAccept: {"", "transition"}, ActDecline: {"", "transition"}, ActSellerAccept: {"", "transition"},
			ActExpire: {"", "transition"}, ActDuplicate: {"", "no-duplicate"},
		},
	}
	for _, closed := range []string{"Closed/Won", "Closed/Lost", "Closed/Declined"} {
		table[closed] = map[DealAction]want{}
		for _, a := range DealActions {
			table[closed][a] = want{"", "deal-closed"}
		}
		table[closed][ActDuplicate] = want{"", "no-duplicate"}
	}
	table["Closed/Expired"] = map[DealAction]want{}
	for _, a := range DealActions {
		table["Closed/Expired"][a] = want{"", "deal-closed"}
	}
	table["Closed/Expired"][ActAccept] = want{"", "deal-expired"}
	table["Closed/Expired"][ActDuplicate] = want{"", "no-duplicate"}

	for _, st := range states {
		name := fmt.Sprintf("%s/%s", st.s, st.ss)
		for _, a := range DealActions {
			w, ok := table[name][a]
			if !ok {
				t.Fatalf("the table lacks %s × %s", name, a)
			}
			d := Deal{ID: "D1", Status: st.s, Substatus: st.ss, ExpiresAt: dealDay.Add(DealTTL)}
			got, err := Transition(d, a, dealDay)
			if w.rule == "" {
				if err != nil || fmt.Sprintf("%s/%s", got.Status, got.Substatus) != w.state {
					t.Errorf("%s × %s = %s/%s, %v; want %s", name, a, got.Status, got.Substatus, err, w.state)
				}
				continue
			}
			var rule *RuleError
			if !errors.As(err, &rule) || rule.Rule != w.rule {
				t.Errorf("%s × %s: err = %v, want the rule %s", name, a, err, w.rule)
			}
			if got.Status != st.s || got.Substatus != st.ss {
				t.Errorf("%s × %s: a refused action changed the state to %s/%s", name, a, got.Status, got.Substatus)
			}
		}
	}
}

func TestTransitionMessages(t *testing.T) {
	expired := Deal{ID: "D7", Status: DealNew, Substatus: SubReceived, ExpiresAt: dealDay}
	_, err := Transition(expired, ActAccept, dealDay)
	if err == nil || err.Error() != "deal D7 expired on 2026-11-01 (not accepted within 14 days) and can no longer be accepted" {
		t.Errorf("accepting an expired deal: %v", err)
	}
	won := Deal{ID: "D8", Status: DealClosed, Substatus: SubWon}
	if _, err := Transition(won, ActEdit, dealDay); err == nil || err.Error() != "deal D8 is closed (won): a closed deal can no longer be changed" {
		t.Errorf("editing a won deal: %v", err)
	}
	if _, err := Transition(Deal{ID: "D9", Status: DealActive, Substatus: SubAccepted}, ActDuplicate, dealDay); err == nil ||
		err.Error() != "closing a deal as duplicate is not available in Partner Center: close it as lost, with the reason in a note" {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := Transition(Deal{ID: "D10", Status: DealActive, Substatus: SubAccepted}, ActDecline, dealDay); err == nil ||
		err.Error() != "a deal that is Active/Accepted cannot be declined" {
		t.Errorf("declining an active deal: %v", err)
	}
}

// TestExpiryBoundary: 14 days to the second, for inbound deals and outbound co-sell
// invitations; private pipeline deals never expire.
func TestExpiryBoundary(t *testing.T) {
	in := NewInboundDeal(Deal{ID: "I"}, dealDay)
	out := NewOutboundDeal(Deal{ID: "O", Type: CoSellDeal}, dealDay)
	private := NewOutboundDeal(Deal{ID: "P"}, dealDay)
	if in.Status != DealNew || in.Substatus != SubReceived || !in.ExpiresAt.Equal(dealDay.Add(14*24*time.Hour)) || in.Type != CoSellDeal || !in.SellerAccepted {
		t.Fatalf("inbound: %+v", in)
	}
	if out.Status != DealNew || out.Substatus != SubPending || !out.ExpiresAt.Equal(dealDay.Add(DealTTL)) || out.SellerAccepted {
		t.Fatalf("outbound co-sell: %+v", out)
	}
	if private.Status != DealActive || private.Substatus != SubAccepted || !private.ExpiresAt.IsZero() || private.Type != PrivateDeal {
		t.Fatalf("private: %+v", private)
	}
	for _, d := range []Deal{in, out} {
		before, changed := ApplyExpiry(d, dealDay.Add(DealTTL-time.Second))
		if changed || before.Status != DealNew {
			t.Errorf("%s expired a second early", d.ID)
		}
		after, changed := ApplyExpiry(d, dealDay.Add(DealTTL))
		if !changed || after.Status != DealClosed || after.Substatus != SubExpired {
			t.Errorf("%s did not expire at 14 days: %+v", d.ID, after)
		}
	}
	if _, changed := ApplyExpiry(private, dealDay.Add(365*24*time.Hour)); changed {
		t.Error("a private pipeline deal expired")
	}
	// Accepting stops the clock.
	accepted, err := Transition(in, ActAccept, dealDay.Add(DealTTL-time.Second))
	if err != nil || !accepted.ExpiresAt.IsZero() {
		t.Fatalf("accepted on the last second: %+v %v", accepted, err)
	}
	if _, changed := ApplyExpiry(accepted, dealDay.Add(30*24*time.Hour)); changed {
		t.Error("an accepted deal expired")
	}
}

func solutions(n int) []Solution {
	s := make([]Solution, n)
	for i := range s {
		s[i] = Solution{ID: fmt.Sprintf("SOL-%d", i), Source: OwnSolution}
	}
	return s
}

func TestCheckDeal(t *testing.T) {
	contact := Contact{Name: "Sue Smith", Email: "sue@contoso.com", Phone: "1234567890"}
	ok := []Deal{
		{Name: "Private, one solution", Direction: Outbound, Type: PrivateDeal, Solutions: solutions(1)},
		{Name: "Fifty solutions", Direction: Outbound, Type: PrivateDeal, Solutions: solutions(50)},
		{Name: "Mixed sources", Direction: Outbound, Type: PrivateDeal, Solutions: []Solution{
			{ID: "A", Source: OwnSolution}, {ID: "CFQ7TTC0LF8Q", Source: MicrosoftSKU, Quantity: 25, UnitPrice: "12.50"}, {ID: "B", Source: OtherPartnerSolution}}},
		{Name: "Co-sell", Direction: Outbound, Type: CoSellDeal, Solutions: solutions(1), Contact: contact, Consent: true},
		{Name: "Inbound, no contact", Direction: Inbound, Type: CoSellDeal, Solutions: solutions(1)},
		{Name: "IoT", Direction: Outbound, Type: PrivateDeal, Solutions: solutions(1), IoTOEM: true, CloseDate: dealDay},
	}
	for _, d := range ok {
		if err := CheckDeal(d); err != nil {
			t.Errorf("%s: %v", d.Name, err)
		}
	}
	bad := []struct {
		d    Deal
		want string
	}{
		{Deal{Name: " ", Solutions: solutions(1)}, "name is empty"},
		{Deal{Name: "None"}, "solution is missing: a deal holds 1 to 50 solutions"},
		{Deal{Name: "51", Solutions: solutions(51)}, "a deal holds at most 50 solutions, not 51"},
		{Deal{Name: "Twice", Solutions: []Solution{{ID: "A", Source: OwnSolution}, {ID: "A", Source: OwnSolution}}}, `solution "A" is on the deal twice`},
		{Deal{Name: "Qty", Solutions: []Solution{{ID: "A", Source: OwnSolution, Quantity: 2}}}, `solution "A" takes no quantity or unit price: only Microsoft SKUs do`},
		{Deal{Name: "Src", Solutions: []Solution{{ID: "A", Source: "store"}}}, `solution "store" is not a solution source (allowed: own, microsoft, partner)`},
		{Deal{Name: "No contact", Direction: Outbound, Type: CoSellDeal, Solutions: solutions(1), Consent: true},
			"a co-sell deal (Microsoft invited) needs the customer contact's name, email and phone"},
		{Deal{Name: "No consent", Direction: Outbound, Type: CoSellDeal, Solutions: solutions(1), Contact: contact},
			"a co-sell deal (Microsoft invited) needs the customer's explicit consent to share its details (--consent)"},
		{Deal{Name: "Close date", Direction: Outbound, Type: PrivateDeal, Solutions: solutions(1), CloseDate: dealDay},
			"an estimated close date exists only for IoT OEM deals"},
	}
	for _, c := range bad {
		if err := CheckDeal(c.d); err == nil || err.Error() != c.want {
			t.Errorf("%s: err = %v\nwant %s", c.d.Name, err, c.want)
		}
	}
}

func TestRegistrationEligibility(t *testing.T) {
	sku := Solution{ID: "CFQ7TTC0LF8Q", Source: MicrosoftSKU}
	cases := []struct {
		name string
		d    Deal
		want []string
	}{
		{"won, SKU, seller", Deal{Substatus: SubWon, Solutions: []Solution{sku}, SellerAccepted: true}, nil},
		{"accepted only", Deal{Substatus: SubAccepted, Solutions: []Solution{sku}, SellerAccepted: true}, []string{"the deal is not won"}},
		{"own solutions only", Deal{Substatus: SubWon, Solutions: solutions(3), SellerAccepted: true},
			[]string{"no incentive solution (a Microsoft SKU) is attached"}},
		{"private pipeline", Deal{Substatus: SubWon, Solutions: []Solution{sku}}, []string{"no Microsoft seller is involved"}},
		{"lost, nothing", Deal{Substatus: SubLost}, []string{"the deal is not won", "no incentive solution (a Microsoft SKU) is attached", "no Microsoft seller is involved"}},
	}
	for _, c := range cases {
		ok, missing := RegistrationEligibility(c.d)
		if ok != (c.want == nil) || !reflect.DeepEqual(missing, c.want) {
			t.Errorf("%s: %v %q, want %q", c.name, ok, missing, c.want)
		}
	}
	// Through the lifecycle: an outbound co-sell deal the seller accepted, then won.
	d := NewOutboundDeal(Deal{ID: "O", Type: CoSellDeal, Solutions: []Solution{sku}}, dealDay)
	d, _ = Transition(d, ActSellerAccept, dealDay.Add(time.Hour))
	d, _ = Transition(d, ActWin, dealDay.Add(2*time.Hour))
	if ok, missing := RegistrationEligibility(d); !ok {
		t.Errorf("seller-accepted and won: %q", missing)
	}
}
