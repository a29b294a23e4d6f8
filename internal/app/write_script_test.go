package app_test

// Script subcommands of `partnercenter` for write-through (issue 18):
//
//	partnercenter inbound N             N referrals a Microsoft seller sent (New/Received,
//	                                    incoming), IDs 1ab00000-0000-4000-8000-00000000000I
//	partnercenter touch ID NAME         rename referral ID as someone else would in Partner
//	                                    Center (a new ETag, a later update time)
//	partnercenter referral ID           print the referral: status/substatus, name, value,
//	                                    currency, team, notes, ETag
//	partnercenter customer DOMAIN       print the customer of that domain in Partner Center:
//	                                    its tenant ID and name, or "none"

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pcctl/pcctl/internal/api"
)

func writeScriptCmd(ts *testscript.TestScript, si *standIn, args []string) {
	switch args[0] {
	case "inbound":
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		when := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		expires := when.Add(14 * 24 * time.Hour)
		for i := range n {
			si.pc.PutReferral(api.Referral{ID: fmt.Sprintf("1ab00000-0000-4000-8000-%012d", i), EngagementID: fmt.Sprintf("e1000000-0000-4000-8000-%012d", i),
				Name: fmt.Sprintf("Inbound %d", i), Status: api.Named("New"), Substatus: api.Named("Received"), Type: api.Named("Shared"),
				Direction: api.Named("Incoming"), CreatedDateTime: &when, UpdatedDateTime: &when, ExpirationDateTime: &expires,
				CustomerProfile: &api.ReferralCustomerProfile{Name: fmt.Sprintf("Northwind %d", i), Address: &api.ReferralAddress{Country: "DE"}},
				Details: &api.ReferralDetails{DealValue: "1000", Currency: "EUR",
					Requirements: &api.ReferralRequirements{Solutions: []api.ReferralSolution{{ID: "SOL-Azure"}}}}})
		}
	case "touch":
		if !si.pc.ChangeReferral(args[1], func(r *api.Referral) { r.Name = args[2] }) {
			ts.Fatalf("partnercenter touch: no referral %s", args[1])
		}
	case "referral":
		r, ok := si.pc.Referral(args[1])
		if !ok {
			ts.Fatalf("partnercenter referral: no referral %s", args[1])
		}
		st, _ := r.Status.Resolve(api.ReferralStatuses)
		sub, _ := r.Substatus.Resolve(api.ReferralSubstatuses)
		var team []string
		for _, p := range r.Team {
			team = append(team, p.Email)
		}
		value, currency, notes := "", "", ""
		if r.Details != nil {
			value, currency, notes = string(r.Details.DealValue), r.Details.Currency, r.Details.Notes
		}
		fmt.Fprintf(ts.Stdout(), "%s/%s name=%q value=%s %s reason=%q team=%s notes=%q etag=%s\n", st, sub, r.Name, value, currency,
			r.StatusReason, strings.Join(team, ","), notes, si.pc.ReferralETagOf(args[1]))
	case "customer":
		found := false
		for _, c := range si.pc.Customers() {
			if strings.EqualFold(c.CompanyProfile.Domain, args[1]) {
				fmt.Fprintf(ts.Stdout(), "%s %s\n", c.ID, c.CompanyProfile.CompanyName)
				found = true
			}
		}
		if !found {
			fmt.Fprintln(ts.Stdout(), "none")
		}
	}
}
