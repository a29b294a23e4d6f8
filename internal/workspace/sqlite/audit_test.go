package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// auditRow is a row of audit_log as stored.
type auditRow struct {
	seq                                         int64
	at, user, action, entity, id, before, after string
}

func (r auditRow) String() string {
	return fmt.Sprintf("%s %s %s:%s by %s before=%s after=%s", r.at, r.action, r.entity, r.id, r.user, r.before, r.after)
}

// auditTail reads the rows written since the last call, oldest first, straight from the
// table (no permission needed).
type auditTail struct {
	t    *testing.T
	db   *DB
	last int64
}

func (a *auditTail) rows() []auditRow {
	a.t.Helper()
	rows, err := a.db.db.Query(`SELECT seq, at, user, action, entity, entity_id, before, after FROM audit_log WHERE seq > ? ORDER BY seq`, a.last)
	if err != nil {
		a.t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.seq, &r.at, &r.user, &r.action, &r.entity, &r.id, &r.before, &r.after); err != nil {
			a.t.Fatal(err)
		}
		out = append(out, r)
		a.last = r.seq
	}
	if err := rows.Err(); err != nil {
		a.t.Fatal(err)
	}
	return out
}

// expect checks that the step wrote exactly these records, "action entity:id" each, by
// user, and returns them.
func (a *auditTail) expect(step, user string, want ...string) []auditRow {
	a.t.Helper()
	got := a.rows()
	var gotS []string
	for _, r := range got {
		gotS = append(gotS, r.action+" "+r.entity+":"+r.id)
		if r.user != user || r.at == "" {
			a.t.Errorf("%s: record %s: user %q at %q, want user %q", step, r, r.user, r.at, user)
		}
	}
	if strings.Join(gotS, "\n") != strings.Join(want, "\n") {
		a.t.Errorf("%s: audit records\n%s\nwant\n%s\n(all: %v)", step, strings.Join(gotS, "\n"), strings.Join(want, "\n"), got)
	}
	return got
}

// expectJSON checks the before and after of the only record of a step.
func (a *auditTail) expectJSON(step, user, want, before, after string) {
	a.t.Helper()
	got := a.expect(step, user, want)
	if len(got) == 1 && (got[0].before != before || got[0].after != after) {
		a.t.Errorf("%s:\nbefore %s\nwant   %s\nafter  %s\nwant   %s", step, got[0].before, before, got[0].after, after)
	}
}

// must(f())(t) is f's value, failing the test on f's error.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

const aliceUser = "alice@contoso.com"

func TestAuditCustomers(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	a := &auditTail{t: t, db: db}

	c := must(ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.com", Country: "GB",
		AdminAccount: "admin@contoso.com"}, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"))(t)
	a.expectJSON("add", aliceUser, "customer.add customer:"+c.ID, "",
		`{"id":"`+c.ID+`","companyName":"Contoso","domain":"contoso.com","country":"GB","relationship":"reseller","createdAt":"2026-11-21T10:00:00Z","adminAccount":"admin@contoso.com"}`)
	if _, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Other", Domain: "contoso.com"}, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"); !isRule(err) {
		t.Fatalf("duplicate domain: %v", err)
	}
	a.expect("refused add", aliceUser)

	// Per-user state: a change by the principal, recorded; asking again changes nothing.
	clk.t = testNow.Add(time.Minute)
	must(ws.FlagCustomer(ctx, "contoso.com"))(t)
	a.expectJSON("flag", aliceUser, "customer.flag customer:"+c.ID,
		`{"flagged":false,"flaggedAt":null}`, `{"flagged":true,"flaggedAt":"2026-11-21T10:01:00Z"}`)
	must(ws.FlagCustomer(ctx, "contoso.com"))(t)
	a.expect("flag again", aliceUser)
	_, changed, err := ws.UnflagCustomer(ctx, c.ID)
	if err != nil || !changed {
		t.Fatal(changed, err)
	}
	a.expectJSON("unflag", aliceUser, "customer.unflag customer:"+c.ID,
		`{"flagged":true,"flaggedAt":"2026-11-21T10:01:00Z"}`, `{"flagged":false,"flaggedAt":null}`)
	_, _, _ = ws.UnflagCustomer(ctx, c.ID)
	a.expect("unflag again", aliceUser)
	_, _, _ = ws.PinCustomer(ctx, c.ID)
	a.expectJSON("pin", aliceUser, "customer.pin customer:"+c.ID, `{"pinned":false}`, `{"pinned":true}`)
	_, _, _ = ws.PinCustomer(ctx, c.ID)
	a.expect("pin again", aliceUser)
	_, _, _ = ws.UnpinCustomer(ctx, c.ID)
	a.expectJSON("unpin", aliceUser, "customer.unpin customer:"+c.ID, `{"pinned":true}`, `{"pinned":false}`)
	if _, err := ws.FlagCustomer(ctx, "nobody.com"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatal(err)
	}
	a.expect("flag unknown", aliceUser)

	// Reads are not recorded, nor the recent view's accesses.
	must(ws.OpenCustomer(ctx, c.ID))(t)
	must(ws.Customer(ctx, c.ID))(t)
	must(ws.SearchCustomers(ctx, "cont", 10))(t)
	a.expect("reads", aliceUser)

	// Another user's change is recorded under their name.
	bob := db.As(domain.Owner("bob@contoso.com"))
	must(bob.FlagCustomer(ctx, c.ID))(t)
	a.expect("bob flags", "bob@contoso.com", "customer.flag customer:"+c.ID)

	// The flag cap: flagging a 31st customer unflags the one flagged longest ago, a change
	// of that customer recorded before the flag.
	cs := addN(t, ws, domain.MaxFlags+1)
	a.rows()
	for i, x := range cs[:domain.MaxFlags] {
		clk.t = testNow.Add(time.Duration(i+2) * time.Minute)
		must(ws.FlagCustomer(ctx, x.ID))(t)
	}
	a.rows()
	clk.t = testNow.Add(time.Hour)
	must(ws.FlagCustomer(ctx, cs[domain.MaxFlags].ID))(t)
	got := a.expect("flag past the cap", aliceUser, "customer.unflag customer:"+cs[0].ID, "customer.flag customer:"+cs[domain.MaxFlags].ID)
	if len(got) == 2 && got[0].after != `{"flagged":false,"flaggedAt":null,"reason":"at most 30 flags: unflagged to flag `+cs[domain.MaxFlags].ID+`"}` {
		t.Errorf("evicted: %s", got[0].after)
	}

	// No secret: the admin password hash is in no record.
	var n int
	if err := db.db.QueryRow(`SELECT count(*) FROM audit_log WHERE before LIKE '%N9qo8uLOickgx2ZMRZ%' OR after LIKE '%N9qo8uLOickgx2ZMRZ%'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d records hold the password hash (%v)", n, err)
	}
}

func TestAuditCustomerImport(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	a := &auditTail{t: t, db: db}
	cs := generated(50)

	// Bulk, into an empty workspace: one record for the whole import.
	must(ws.ImportCustomers(ctx, rowsOf(cs[:40]), workspace.ImportOptions{}))(t)
	a.expectJSON("bulk import", aliceUser, "customer.import customers:", "",
		`{"read":40,"created":40,"updated":0,"unchanged":0,"skipped":0}`)

	// Incremental: one record, whatever the number of customers.
	changed := append([]domain.Customer(nil), cs[:45]...)
	changed[0].CompanyName += " Renamed"
	must(ws.ImportCustomers(ctx, rowsOf(changed), workspace.ImportOptions{}))(t)
	a.expectJSON("incremental import", aliceUser, "customer.import customers:", "",
		`{"read":45,"created":5,"updated":1,"unchanged":39,"skipped":0}`)

	// Nothing changed: nothing recorded.
	must(ws.ImportCustomers(ctx, rowsOf(changed), workspace.ImportOptions{}))(t)
	a.expect("unchanged import", aliceUser)

	// A refused row aborts the import: rolled back, no record.
	bad := append([]domain.Customer(nil), cs...)
	bad[48].Domain = "not a domain"
	if _, err := ws.ImportCustomers(ctx, rowsOf(bad), workspace.ImportOptions{}); err == nil {
		t.Fatal("bad row imported")
	}
	a.expect("aborted import", aliceUser)
	if n := countRows(t, db, "customers"); n != 45 {
		t.Fatalf("%d customers after the aborted import", n)
	}

	// A rolled-back bulk import writes no record either.
	db2, _ := openTest(t, filepath.Join(t.TempDir(), "ws2.db"))
	a2 := &auditTail{t: t, db: db2}
	if _, err := alice(db2).ImportCustomers(ctx, rowsOf(bad), workspace.ImportOptions{}); err == nil {
		t.Fatal("bad row imported")
	}
	a2.expect("aborted bulk import", aliceUser)
}

func TestAuditResellersAndSubscriptions(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	a := &auditTail{t: t, db: db}
	addN(t, ws, 1)
	a.rows()

	inv := must3(ws.InviteReseller(ctx, domain.Invitation{Email: "Info@Litware.example", Name: "Litware",
		Subject: "Partnership", Body: "Accept at https://x.example/pcctl/v1/invitations/{{token}}"}))(t)
	a.expectJSON("invite", aliceUser, "reseller.invite reseller:info@litware.example", "",
		`{"email":"info@litware.example","name":"Litware","status":"pending","subject":"Partnership","invitedAt":"2026-11-21T10:00:00Z","expiresAt":"2026-12-21T10:00:00Z"}`)
	must3(ws.InviteReseller(ctx, domain.Invitation{Email: "info@litware.example", Subject: "s", Body: "b"}))(t)
	a.expect("invite again (the pending request is shown)", aliceUser)

	clk.t = testNow.Add(time.Hour)
	must(ws.AcceptInvitation(ctx, inv.Token, "5123456", "Litware Inc"))(t)
	a.expectJSON("accept", aliceUser, "reseller.accept reseller:5123456", "",
		`{"mpnId":"5123456","name":"Litware Inc","email":"info@litware.example","status":"active","invitedAt":"2026-11-21T10:00:00Z","acceptedAt":"2026-11-21T11:00:00Z"}`)
	if _, err := ws.AcceptInvitation(ctx, inv.Token, "5123456", "Litware Inc"); err == nil {
		t.Fatal("accepted twice")
	}
	a.expect("accept again", aliceUser)

	sub := must(ws.AddSubscription(ctx, domain.Subscription{CustomerID: "c000.onmicrosoft.com", Offer: "Microsoft 365 E3", Quantity: 1}))(t)
	a.expectJSON("subscription add", aliceUser, "subscription.add subscription:"+sub.ID, "",
		`{"id":"`+sub.ID+`","customerId":"`+sub.CustomerID+`","offer":"Microsoft 365 E3","quantity":1,"status":"active","createdAt":"2026-11-21T11:00:00Z"}`)
	five, mpn := 5, "5123456"
	must(ws.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Quantity: &five, Reseller: &mpn}))(t)
	a.expectJSON("subscription set", aliceUser, "subscription.set subscription:"+sub.ID,
		`{"quantity":1,"resellerMpnId":""}`, `{"quantity":5,"resellerMpnId":"5123456"}`)
	must(ws.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Quantity: &five}))(t)
	a.expect("subscription set to what it is", aliceUser)
	zero := 0
	if _, err := ws.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Quantity: &zero}); err == nil {
		t.Fatal("quantity 0")
	}
	a.expect("subscription set refused", aliceUser)

	clk.t = testNow.Add(2 * time.Hour)
	must(ws.RemoveReseller(ctx, "5123456"))(t)
	a.expectJSON("remove", aliceUser, "reseller.remove reseller:5123456",
		`{"status":"active","removedAt":null}`, `{"status":"removed","removedAt":"2026-11-21T12:00:00Z"}`)
	if _, err := ws.RemoveReseller(ctx, "5123456"); !isRule(err) {
		t.Fatal(err)
	}
	a.expect("remove again", aliceUser)

	// Invited again and accepted: the reseller's earlier state is the before.
	inv2 := must3(ws.InviteReseller(ctx, domain.Invitation{Email: "info@litware.example", Subject: "s", Body: "b"}))(t)
	a.expect("invite again after removal", aliceUser, "reseller.invite reseller:info@litware.example")
	must(ws.AcceptInvitation(ctx, inv2.Token, "5123456", "Litware Inc"))(t)
	a.expectJSON("accept again after removal", aliceUser, "reseller.accept reseller:5123456",
		`{"status":"removed","invitedAt":"2026-11-21T10:00:00Z","acceptedAt":"2026-11-21T11:00:00Z","removedAt":"2026-11-21T12:00:00Z"}`,
		`{"status":"active","invitedAt":"2026-11-21T12:00:00Z","acceptedAt":"2026-11-21T12:00:00Z","removedAt":null}`)

	var n int
	if err := db.db.QueryRow(`SELECT count(*) FROM audit_log WHERE instr(before || after, ?) > 0 OR instr(before || after, ?) > 0`, inv.Token, inv2.Token).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d records hold an invitation token (%v)", n, err)
	}
}

// must3 is must for the functions returning two values and an error.
func must3[T, U any](v T, _ U, err error) func(*testing.T) T { return must(v, err) }

func TestAuditDeals(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	a := &auditTail{t: t, db: db}
	addN(t, ws, 1)
	a.rows()

	p := must(ws.CreateDeal(ctx, domain.Deal{ID: "D-1", Name: "Rollout", CustomerID: "c000.onmicrosoft.com", Value: "500",
		Currency: "EUR", Solutions: sku(), Notes: []domain.Note{{Text: "kick-off"}}}))(t)
	a.expectJSON("create", aliceUser, "deal.create deal:D-1", "",
		`{"id":"D-1","engagementId":"`+p.EngagementID+`","name":"Rollout","status":"Active","substatus":"Accepted","direction":"outbound","type":"private","customerName":"Customer 000","customerId":"`+p.CustomerID+`","dealValue":"500","currency":"EUR","solutions":[{"source":"microsoft","id":"CFQ7TTC0LF8Q","quantity":25,"unitPrice":"12.50"}],"createdAt":"2026-11-21T10:00:00Z","updatedAt":"2026-11-21T10:00:00Z","version":1,"notes":["kick-off"]}`)

	in := must(ws.ReceiveDeal(ctx, domain.Deal{ID: "D-2", Name: "Inbound", CustomerID: "c000.onmicrosoft.com", Value: "5", Currency: "GBP",
		Solutions: sku(), SellerName: "John Doe", SellerEmail: "john.doe@microsoft.com"}))(t)
	a.expect("receive", aliceUser, "deal.receive deal:D-2")

	clk.t = testNow.Add(time.Minute)
	in = must(ws.ActOnDeal(ctx, in.ID, domain.ActAccept, "", in.Version))(t)
	a.expectJSON("accept", aliceUser, "deal.accept deal:D-2",
		`{"status":"New","substatus":"Received","updatedAt":"2026-11-21T10:00:00Z","expiresAt":"2026-12-05T10:00:00Z","version":1}`,
		`{"status":"Active","substatus":"Accepted","updatedAt":"2026-11-21T10:01:00Z","expiresAt":null,"version":2}`)
	if _, err := ws.ActOnDeal(ctx, in.ID, domain.ActWin, "", 1); !isRule(err) {
		t.Fatalf("stale: %v", err)
	}
	a.expect("stale change", aliceUser)

	name := "Rollout phase 2"
	must(ws.UpdateDeal(ctx, p.ID, workspace.DealChange{Name: &name}, 0))(t)
	a.expectJSON("update", aliceUser, "deal.update deal:D-1",
		`{"name":"Rollout","updatedAt":"2026-11-21T10:00:00Z","version":1}`, `{"name":"Rollout phase 2","updatedAt":"2026-11-21T10:01:00Z","version":2}`)
	must(ws.AddDealNote(ctx, p.ID, " Budget approved ", 0))(t)
	a.expectJSON("note", aliceUser, "deal.note deal:D-1", `{"version":2}`, `{"version":3,"note":"Budget approved"}`)
	must(ws.SetDealTeamMember(ctx, p.ID, "Bob@Contoso.com", true, 0))(t)
	a.expectJSON("team add", aliceUser, "deal.team-add deal:D-1", `{"team":[],"version":3}`, `{"team":["bob@contoso.com"],"version":4}`)
	must(ws.SetDealTeamMember(ctx, p.ID, "bob@contoso.com", false, 0))(t)
	a.expect("team remove", aliceUser, "deal.team-remove deal:D-1")
	must(ws.SetDealFavorite(ctx, p.ID, true))(t)
	a.expectJSON("favorite", aliceUser, "deal.favorite deal:D-1", `{"favorite":false}`, `{"favorite":true}`)
	must(ws.SetDealFavorite(ctx, p.ID, true))(t)
	a.expect("favorite again", aliceUser)
	must(ws.SetDealFavorite(ctx, p.ID, false))(t)
	a.expect("unfavorite", aliceUser, "deal.unfavorite deal:D-1")

	must(ws.ActOnDeal(ctx, p.ID, domain.ActWin, "signed", 0))(t)
	a.expectJSON("close-won", aliceUser, "deal.close-won deal:D-1",
		`{"status":"Active","substatus":"Accepted","statusReason":"","version":5}`,
		`{"status":"Closed","substatus":"Won","statusReason":"signed","version":6}`)
	if _, err := ws.AddDealNote(ctx, p.ID, "late", 0); !isRule(err) {
		t.Fatalf("note on a closed deal: %v", err)
	}
	a.expect("refused note", aliceUser)

	// Expiry is not recorded: it is no one's change.
	must(ws.CreateDeal(ctx, domain.Deal{ID: "D-3", Name: "Co-sell", Type: domain.CoSellDeal, CustomerID: "c000.onmicrosoft.com",
		Value: "1", Currency: "USD", Solutions: sku(), Contact: domain.Contact{Name: "Sue", Email: "sue@contoso.com", Phone: "1"}, Consent: true}))(t)
	a.expect("create co-sell", aliceUser, "deal.create deal:D-3")
	clk.t = testNow.Add(domain.DealTTL + time.Hour)
	if d := must(ws.Deal(ctx, "D-3"))(t); d.Substatus != domain.SubExpired {
		t.Fatalf("%+v", d)
	}
	a.expect("expiry", aliceUser)
}

func TestAuditDealImport(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	a := &auditTail{t: t, db: db}
	for _, c := range []domain.Customer{{CompanyName: "Contoso Ltd", Domain: "contoso.com", Country: "GB"}} {
		must(ws.AddCustomer(ctx, c, ""))(t)
	}
	a.rows()
	good := []workspace.DealImportRow{
		pscRow(2, "OPP-1", "Contoso", "GB", domain.SubAccepted),
		pscRow(3, "OPP-2", "Contoso Ltd", "", domain.SubWon),
		pscRow(4, "OPP-3", "Northwind", "US", domain.SubAccepted),
	}
	bad := append(good[:2:2], pscRow(5, "OPP-4", "Nobody", "", domain.SubAccepted))

	must(ws.ImportDeals(ctx, dealRowsOf(good), workspace.DealImportOptions{DryRun: true, CreateMissingOrgs: true}))(t)
	a.expect("dry run", aliceUser)
	res := must(ws.ImportDeals(ctx, dealRowsOf(bad), workspace.DealImportOptions{}))(t)
	if res.Written {
		t.Fatal(outcomes(res))
	}
	a.expect("failed rows", aliceUser)

	res = must(ws.ImportDeals(ctx, dealRowsOf(good), workspace.DealImportOptions{CreateMissingOrgs: true}))(t)
	if !res.Written {
		t.Fatal(outcomes(res))
	}
	a.expectJSON("import", aliceUser, "deal.import deals:", "",
		`{"read":3,"imported":3,"updated":0,"unchanged":0,"skipped":0,"failed":0,"orgsCreated":1}`)
	must(ws.ImportDeals(ctx, dealRowsOf(good), workspace.DealImportOptions{CreateMissingOrgs: true}))(t)
	a.expect("unchanged", aliceUser)

	changed := append([]workspace.DealImportRow(nil), good...)
	changed[0].Fingerprint, changed[0].Deal.Name = "fp-changed", "Renamed"
	res = must(ws.ImportDeals(ctx, dealRowsOf(append(changed, pscRow(9, "OPP-9", "Nobody", "", domain.SubAccepted))),
		workspace.DealImportOptions{SkipFailed: true}))(t)
	a.expectJSON("update, a row skipped", aliceUser, "deal.import deals:", "",
		`{"read":4,"imported":0,"updated":1,"unchanged":2,"skipped":0,"failed":1,"orgsCreated":0}`)
	if n := countRows(t, db, "deals"); n != 3 {
		t.Fatalf("%d deals", n)
	}
}

func TestAuditRequestsAndUsers(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	a := &auditTail{t: t, db: db}
	addN(t, ws, 1)
	a.rows()

	r := must(ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "c000.onmicrosoft.com", Title: "Mail down", Severity: "critical"}))(t)
	a.expect("new", aliceUser, "request.new request:"+r.Ref)
	clk.t = testNow.Add(time.Minute)
	must(ws.UpdateRequest(ctx, r.Ref, domain.RequestChange{Severity: domain.SeverityModerate, Note: "Logs sent"}))(t)
	a.expectJSON("update", aliceUser, "request.update request:"+r.Ref,
		`{"severity":"critical","updatedAt":"2026-11-21T10:00:00Z"}`, `{"severity":"moderate","updatedAt":"2026-11-21T10:01:00Z","note":"Logs sent"}`)
	must(ws.UpdateRequest(ctx, r.Ref, domain.RequestChange{Status: domain.RequestClosed}))(t)
	a.expect("close", aliceUser, "request.close request:"+r.Ref)
	if _, err := ws.UpdateRequest(ctx, r.Ref, domain.RequestChange{Severity: domain.SeverityMinimal}); err == nil {
		t.Fatal("changed a closed request")
	}
	a.expect("refused", aliceUser)
	must(ws.UpdateRequest(ctx, r.Ref, domain.RequestChange{Status: domain.RequestOpen}))(t)
	a.expect("reopen", aliceUser, "request.reopen request:"+r.Ref)
	must(ws.SetRequestFavorite(ctx, r.Ref, true))(t)
	a.expect("favorite", aliceUser, "request.favorite request:"+r.Ref)
	must(ws.SetRequestFavorite(ctx, r.Ref, true))(t)
	a.expect("favorite again", aliceUser)
	must(ws.SetRequestFavorite(ctx, r.Ref, false))(t)
	a.expect("unfavorite", aliceUser, "request.unfavorite request:"+r.Ref)

	add := func(email string, roles ...domain.Role) {
		t.Helper()
		if _, _, _, err := ws.AddUser(ctx, domain.User{Email: email, Name: "Sue", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	add("sue@fabrikam.com", domain.RoleReferralsAdmin)
	a.expectJSON("user add", aliceUser, "user.add user:sue@fabrikam.com", "", `{"email":"sue@fabrikam.com","name":"Sue","roles":["referrals-admin"]}`)
	add("sue@fabrikam.com", domain.RoleReferralsAdmin)
	a.expect("user add: nothing new", aliceUser)
	add("sue@fabrikam.com", domain.RoleAdminAgent)
	a.expectJSON("user add a role", aliceUser, "user.add user:sue@fabrikam.com",
		`{"roles":["referrals-admin"]}`, `{"roles":["admin-agent","referrals-admin"]}`)
	must(ws.RemoveUser(ctx, "sue@fabrikam.com", []domain.Role{domain.RoleAdminAgent}))(t)
	a.expectJSON("user remove a role", aliceUser, "user.remove user:sue@fabrikam.com",
		`{"roles":["admin-agent","referrals-admin"]}`, `{"roles":["referrals-admin"]}`)
	if _, err := ws.RemoveUser(ctx, "sue@fabrikam.com", []domain.Role{domain.RoleGlobalAdmin}); !isRule(err) {
		t.Fatal(err)
	}
	a.expect("user remove a role not held", aliceUser)
	must(ws.RemoveUser(ctx, "sue@fabrikam.com", nil))(t)
	a.expectJSON("user remove", aliceUser, "user.remove user:sue@fabrikam.com", `{"email":"sue@fabrikam.com","name":"Sue","roles":["referrals-admin"]}`, "")

	users := []domain.User{{Email: "a@f.com", Roles: []domain.Role{domain.RoleAccountAdmin}}, {Email: "b@f.com", Roles: []domain.Role{domain.RoleReferralsAdmin}}}
	must(ws.ImportUsers(ctx, users, true))(t)
	a.expect("user import dry run", aliceUser)
	must(ws.ImportUsers(ctx, users, false))(t)
	a.expect("user import", aliceUser, "user.import user:a@f.com", "user.import user:b@f.com")
	must(ws.ImportUsers(ctx, users, false))(t)
	a.expect("user import again", aliceUser)
}

func TestAuditLogCannotBeChanged(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	addN(t, alice(db), 2)
	for stmt, msg := range map[string]string{
		`UPDATE audit_log SET user = 'mallory' WHERE seq = 1`: "audit records cannot be changed",
		`DELETE FROM audit_log WHERE seq = 1`:                 "audit records cannot be deleted",
		`DELETE FROM audit_log`:                               "audit records cannot be deleted",
	} {
		if _, err := db.db.Exec(stmt); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", stmt, err, msg)
		}
	}
	if n := countRows(t, db, "audit_log"); n != 2 {
		t.Errorf("%d records, want 2", n)
	}
}

func auditLog(t *testing.T, ws workspace.Workspace, q workspace.AuditQuery) []string {
	t.Helper()
	var out []string
	if err := ws.AuditLog(context.Background(), q, func(r workspace.AuditRecord) error {
		out = append(out, fmt.Sprintf("%d %s %s %s %s:%s", r.Seq, r.At.Format(time.RFC3339), r.User, r.Action, r.Entity, r.EntityID))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAuditLogQuery(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	bob := db.As(domain.Principal{User: "Bob@Contoso.com", Roles: []domain.Role{domain.RoleGlobalAdmin}})
	c := must(ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.com"}, ""))(t)
	clk.t = testNow.Add(24 * time.Hour)
	must(bob.FlagCustomer(ctx, c.ID))(t)
	must(ws.ImportCustomers(ctx, rowsOf(generated(3)), workspace.ImportOptions{}))(t)
	clk.t = testNow.Add(48 * time.Hour)
	_, _, _ = ws.PinCustomer(ctx, c.ID)

	all := []string{
		"4 2026-11-23T10:00:00Z alice@contoso.com customer.pin customer:" + c.ID,
		"3 2026-11-22T10:00:00Z alice@contoso.com customer.import customers:",
		"2 2026-11-22T10:00:00Z Bob@Contoso.com customer.flag customer:" + c.ID,
		"1 2026-11-21T10:00:00Z alice@contoso.com customer.add customer:" + c.ID,
	}
	for _, tt := range []struct {
		name string
		q    workspace.AuditQuery
		want []string
	}{
		{"all, newest first", workspace.AuditQuery{}, all},
		{"limit", workspace.AuditQuery{Limit: 2}, all[:2]},
		{"since", workspace.AuditQuery{Since: testNow.Add(24 * time.Hour)}, all[:3]},
		{"since, after the last", workspace.AuditQuery{Since: testNow.Add(49 * time.Hour)}, nil},
		{"user, case ignored", workspace.AuditQuery{User: "bob@contoso.com"}, all[2:3]},
		{"entity", workspace.AuditQuery{Entity: "customer"}, []string{all[0], all[2], all[3]}},
		{"entity: an import", workspace.AuditQuery{Entity: "customers"}, all[1:2]},
		{"entity and ID", workspace.AuditQuery{Entity: "customer", EntityID: c.ID, Limit: 1}, all[:1]},
		{"entity, other ID", workspace.AuditQuery{Entity: "customer", EntityID: "nope"}, nil},
		{"everything", workspace.AuditQuery{Since: testNow.Add(time.Hour), User: "alice@contoso.com", Entity: "customer", EntityID: c.ID}, all[:1]},
	} {
		if got := auditLog(t, ws, tt.q); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", tt.name, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
	}
}

func TestAuditLogPermission(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	addN(t, alice(db), 1)
	for _, r := range domain.AllRoles {
		ws := db.As(domain.Principal{User: "u@contoso.com", Roles: []domain.Role{r}})
		n := 0
		err := ws.AuditLog(context.Background(), workspace.AuditQuery{}, func(workspace.AuditRecord) error { n++; return nil })
		want := r == domain.RoleGlobalAdmin || r == domain.RoleUserAdmin || r == domain.RoleAccountAdmin
		if want && (err != nil || n != 1) {
			t.Errorf("%s: %d records, %v", r, n, err)
		}
		if !want && (!isRule(err) || n != 0) {
			t.Errorf("%s: %d records, %v; want refused", r, n, err)
		}
	}
}

func TestAuditTokens(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	a := &auditTail{t: t, db: db}
	if _, _, _, err := ws.AddUser(ctx, domain.User{Email: "svc@fabrikam.com", Roles: []domain.Role{domain.RoleReferralsAdmin}}); err != nil {
		t.Fatal(err)
	}
	a.rows()
	secret, tok, err := ws.CreateToken(ctx, "svc@fabrikam.com", "ci", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got := a.expect("create", aliceUser, "token.create token:"+tok.ID)
	if len(got) == 1 && (strings.Contains(got[0].after, secret) || strings.Contains(got[0].after, domain.HashTokenSecret(secret)) ||
		!strings.Contains(got[0].after, `"user":"svc@fabrikam.com"`)) {
		t.Errorf("token.create records %s", got[0].after)
	}
	// A use is not a change.
	if _, _, err := db.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	a.expect("use", aliceUser)
	clk.t = testNow.Add(time.Hour)
	must(ws.RevokeToken(ctx, tok.ID))(t)
	a.expectJSON("revoke", aliceUser, "token.revoke token:"+tok.ID, `{"revokedAt":null}`, `{"revokedAt":"2026-11-21T11:00:00Z"}`)
}
