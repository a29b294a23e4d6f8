package app_test

// The `partnercenter` script command: a Partner Center stand-in (pctest) and an identity
// stand-in (pctest.Identity, TLS) in the test process, for the scripts about pcctl auth
// and pcctl sync.
//
//	partnercenter start                 start both; set PCCTL_PARTNER_CENTER_URL,
//	                                    PCCTL_REFERRALS_URL, PCCTL_AUTHORITY, SSL_CERT_FILE
//	                                    (the identity stand-in's certificate), and write
//	                                    $WORK/app-secret and $WORK/refresh-token (an app
//	                                    registration's secret and a consented refresh token)
//	partnercenter customers N           N customers, c0.onmicrosoft.com … (replacing all)
//	partnercenter add I                 add (or restore) customer I
//	partnercenter rename I NAME         rename customer I
//	partnercenter remove I              remove customer I
//	partnercenter resellers MPN=NAME... the active indirect resellers
//	partnercenter subscriptions N       one subscription for each of customers 0 … N-1
//	partnercenter deals N               N referrals (deals) for prospect organisations
//	partnercenter request I REF TITLE   a service request for customer I
//	partnercenter fault ROUTE STATUS [RETRY-AFTER [SKIP [TIMES]]]
//	partnercenter slow ROUTE DURATION [SKIP]
//	partnercenter tenant ID NAME        the partner tenant signing in from now on
//	partnercenter token FILE            write an access token the stand-in accepts
//	partnercenter revoke                refuse every token and refresh token issued so far
//	partnercenter requests ROUTE        print how many requests ROUTE had (to stdout)
//	partnercenter wait ROUTE N          wait (30 s at most) until ROUTE had N requests
//	sleep DURATION                      wait that long
//	sqlwait FILE SQL WANT               wait (30 s at most) until SQL's first value in the
//	                                    SQLite file FILE is WANT

import (
	"database/sql"
	"encoding/pem"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
)

type standIn struct {
	pc *pctest.Server
	id *pctest.Identity
}

var (
	standInsMu sync.Mutex
	standIns   = map[*testscript.TestScript]*standIn{}
)

func scriptCustomer(i int) api.Customer {
	id := fmt.Sprintf("c0000000-0000-4000-8000-%012d", i)
	return api.Customer{ID: id, CompanyProfile: api.CompanyProfile{TenantID: id, Domain: fmt.Sprintf("c%d.onmicrosoft.com", i),
		CompanyName: fmt.Sprintf("Contoso Client %d", i)}, RelationshipToPartner: "reseller",
		BillingProfile: &api.BillingProfile{DefaultAddress: api.Address{Country: "US"}}}
}

func cmdPartnerCenter(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: partnercenter start|customers|add|rename|remove|resellers|subscriptions|fault|slow|tenant|token|revoke|requests ...")
	}
	standInsMu.Lock()
	si := standIns[ts]
	standInsMu.Unlock()
	if args[0] != "start" && si == nil {
		ts.Fatalf("partnercenter: run 'partnercenter start' first")
	}
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		ts.Check(err)
		return n
	}
	switch args[0] {
	case "start":
		si = &standIn{pc: pctest.New(false)}
		si.id = pctest.NewIdentity(si.pc)
		si.id.SetClientSecret("app-secret-1")
		ts.Defer(func() {
			si.id.Close()
			si.pc.Close()
			standInsMu.Lock()
			delete(standIns, ts)
			standInsMu.Unlock()
		})
		standInsMu.Lock()
		standIns[ts] = si
		standInsMu.Unlock()
		cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: si.id.Certificate().Raw})
		ca := ts.MkAbs("identity-ca.pem")
		ts.Check(os.WriteFile(ca, cert, 0o644))
		ts.Check(os.WriteFile(ts.MkAbs("app-secret"), []byte("app-secret-1\n"), 0o600))
		ts.Check(os.WriteFile(ts.MkAbs("refresh-token"), []byte(si.id.IssueRefreshToken()+"\n"), 0o600))
		ts.Setenv("PCCTL_PARTNER_CENTER_URL", si.pc.URL)
		ts.Setenv("PCCTL_REFERRALS_URL", si.pc.URL)
		ts.Setenv("PCCTL_AUTHORITY", si.id.URL)
		ts.Setenv("SSL_CERT_FILE", ca)
		ts.Setenv("PARTNER_TENANT", si.pc.TenantID)
	case "customers":
		var cs []api.Customer
		for i := range atoi(args[1]) {
			cs = append(cs, scriptCustomer(i))
		}
		si.pc.SetCustomers(cs)
	case "add":
		si.pc.PutCustomer(scriptCustomer(atoi(args[1])))
	case "rename":
		c := scriptCustomer(atoi(args[1]))
		c.CompanyProfile.CompanyName = args[2]
		si.pc.PutCustomer(c)
	case "remove":
		si.pc.RemoveCustomer(scriptCustomer(atoi(args[1])).ID)
	case "resellers":
		var rs []api.Reseller
		for _, a := range args[1:] {
			mpn, name, _ := strings.Cut(a, "=")
			rs = append(rs, api.Reseller{ID: "r-" + mpn, MPNID: mpn, Name: name, Location: "US"})
		}
		si.pc.SetResellers(rs)
	case "subscriptions":
		for i := range atoi(args[1]) {
			c := scriptCustomer(i)
			si.pc.SetSubscriptions(c.ID, []api.Subscription{{ID: fmt.Sprintf("5ub00000-0000-4000-8000-%012d", i),
				OfferName: "Microsoft 365 Business Premium", Quantity: 5 + i, Status: "active", PartnerID: "4847383",
				CreationDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), CommitmentEndDate: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)}})
		}
	case "deals":
		when := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		for i := range atoi(args[1]) {
			si.pc.PutReferral(api.Referral{ID: fmt.Sprintf("4ef00000-0000-4000-8000-%012d", i), EngagementID: fmt.Sprintf("e0000000-0000-4000-8000-%012d", i),
				Name: fmt.Sprintf("Modern Workplace %d", i), Status: api.Named("Active"), Substatus: api.Named("Accepted"), Type: api.Named("Independent"),
				Direction: api.Named("Outgoing"), CreatedDateTime: &when, UpdatedDateTime: &when,
				CustomerProfile: &api.ReferralCustomerProfile{Name: fmt.Sprintf("Fabrikam Prospect %d", i), Address: &api.ReferralAddress{Country: "FR"}},
				Details: &api.ReferralDetails{DealValue: api.DealAmount(strconv.Itoa(1000 * (i + 1))), Currency: "EUR",
					Requirements: &api.ReferralRequirements{Solutions: []api.ReferralSolution{{ID: "SOL-Microsoft365", Name: "Microsoft365"}}}}})
		}
	case "request":
		c := scriptCustomer(atoi(args[1]))
		when := api.RequestDate(time.Date(2026, 11, 3, 8, 30, 0, 0, time.UTC))
		si.pc.PutServiceRequest(api.ServiceRequest{ID: args[2], Title: args[3], Severity: api.Named("moderate"), Status: api.Named("open"),
			SupportTopicName: "Billing", Organization: &api.ServiceRequestOrg{ID: c.ID, Name: c.CompanyProfile.CompanyName},
			CreatedDate: when, LastModifiedDate: when,
			Notes: []api.ServiceRequestNote{{CreatedByName: "Partner Center", CreatedDate: when, Text: "Opened from Partner Center"}}})
	case "fault":
		f := pctest.Fault{Route: args[1], Status: atoi(args[2])}
		if len(args) > 3 {
			f.RetryAfter = args[3]
		}
		if len(args) > 4 {
			f.Skip = atoi(args[4])
		}
		if len(args) > 5 {
			f.Times = atoi(args[5])
		}
		si.pc.Inject(f)
	case "slow":
		d, err := time.ParseDuration(args[2])
		ts.Check(err)
		f := pctest.Fault{Route: args[1], Delay: d}
		if len(args) > 3 {
			f.Skip = atoi(args[3])
		}
		si.pc.Inject(f)
	case "tenant":
		si.pc.SetTenant(args[1], args[2])
		si.id.SetTenant(args[1])
	case "token":
		tok := "given-token-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		si.pc.AcceptToken(tok)
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(tok+"\n"), 0o600))
	case "revoke":
		si.id.RevokeRefreshTokens()
		for _, r := range si.pc.Requests() {
			si.pc.ExpireToken(r.Token)
		}
	case "wait":
		want := atoi(args[2])
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			n := 0
			for _, r := range si.pc.Requests() {
				if r.Route == args[1] {
					n++
				}
			}
			if n >= want {
				break
			}
			if time.Now().After(deadline) {
				ts.Fatalf("partnercenter wait: %d %s requests after 30 s, want %d", n, args[1], want)
			}
		}
	case "requests":
		n := 0
		for _, r := range si.pc.Requests() {
			if r.Route == args[1] {
				n++
			}
		}
		fmt.Fprintln(ts.Stdout(), n)
	case "referrals":
		referralsSummary(ts, si)
	case "inbound", "touch", "referral", "customer":
		writeScriptCmd(ts, si, args) // write_script_test.go
	case "servicerequest", "servicerequests", "subscription", "activesub", "reserved", "relationship":
		relationshipScriptCmd(ts, si, args) // relationship_script_test.go
	default:
		ts.Fatalf("partnercenter: unknown subcommand %q", args[0])
	}
}

// sleep DURATION waits.
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}

// sqlwait FILE SQL WANT polls the SQLite file until SQL's first value is WANT.
func cmdSQLWait(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: sqlwait FILE SQL WANT")
	}
	db, err := sql.Open("sqlite", "file:"+ts.MkAbs(args[0])+"?mode=ro&_pragma=busy_timeout(5000)")
	ts.Check(err)
	defer db.Close()
	var got string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if err := db.QueryRow(args[1]).Scan(&got); err == nil && got == args[2] {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("sqlwait: %s is %q after 30 s, want %q", args[1], got, args[2])
		}
	}
}
