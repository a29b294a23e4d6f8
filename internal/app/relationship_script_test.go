package app_test

// Script subcommands of `partnercenter` for the write-through of service requests and
// customer relationships (issues 18 and 19):
//
//	partnercenter servicerequest REF    print the service request REF in Partner Center:
//	                                    status, severity, topic, notes (or "none")
//	partnercenter servicerequests       print how many service requests Partner Center has
//	partnercenter subscription I        print the status of customer I's subscription
//	                                    (5ub00000-0000-4000-8000-00000000000I)
//	partnercenter activesub I ID        add an active subscription ID to customer I in
//	                                    Partner Center only (the workspace has not synced it)
//	partnercenter reserved I ORDER...   customer I's open Azure reserved VM instance orders
//	partnercenter relationship I        print customer I's relationship to the partner

import (
	"fmt"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pcctl/pcctl/internal/api"
)

func relationshipScriptCmd(ts *testscript.TestScript, si *standIn, args []string) {
	customer := func(i string) api.Customer {
		n, err := strconv.Atoi(i)
		ts.Check(err)
		return scriptCustomer(n)
	}
	switch args[0] {
	case "servicerequest":
		sr, ok := si.pc.ServiceRequest(args[1])
		if !ok {
			fmt.Fprintln(ts.Stdout(), "none")
			return
		}
		st, _ := sr.Status.Resolve(api.RequestStatusNames)
		sev, _ := sr.Severity.Resolve(api.SeverityNames)
		fmt.Fprintf(ts.Stdout(), "%s %s topic=%q notes=%d\n", st, sev, sr.SupportTopicName, len(sr.Notes))
	case "servicerequests":
		fmt.Fprintln(ts.Stdout(), si.pc.ServiceRequestCount())
	case "subscription":
		c := customer(args[1])
		n, _ := strconv.Atoi(args[1])
		for _, s := range si.pc.Subscriptions(c.ID) {
			if s.ID == fmt.Sprintf("5ub00000-0000-4000-8000-%012d", n) {
				fmt.Fprintln(ts.Stdout(), s.Status)
				return
			}
		}
		fmt.Fprintln(ts.Stdout(), "none")
	case "activesub":
		c := customer(args[1])
		si.pc.SetSubscriptions(c.ID, append(si.pc.Subscriptions(c.ID), api.Subscription{ID: args[2], OfferName: "Teams Essentials",
			Quantity: 1, Status: "active", CreationDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}))
	case "reserved":
		si.pc.SetReservedInstances(customer(args[1]).ID, args[2:])
	case "relationship":
		c, ok := si.pc.Customer(customer(args[1]).ID)
		if !ok {
			fmt.Fprintln(ts.Stdout(), "no customer")
			return
		}
		fmt.Fprintln(ts.Stdout(), c.RelationshipToPartner)
	}
}
