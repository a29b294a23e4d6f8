package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// pscRow is a mapped PSC row as internal/migrate makes them.
func pscRow(line int, id, org, country string, sub domain.DealSubstatus) workspace.DealImportRow {
	st := domain.DealActive
	if sub != domain.SubAccepted {
		st = domain.DealClosed
	}
	return workspace.DealImportRow{Line: line, NameColumn: 3, Fingerprint: "fp-" + id,
		Deal: domain.Deal{ID: id, Name: "Deal " + id, Organization: org, OrgCountry: country, Status: st, Substatus: sub,
			Value: "100", Currency: "USD", Solutions: sku(), Team: []string{"seller@fabrikam.com"},
			Notes: []domain.Note{{Text: "Customer outcome (PSC): happy"}}}}
}

// dealRowsOf yields a copy of rows (the import changes the rows it is given).
func dealRowsOf(rows []workspace.DealImportRow) *workspace.DealRowSlice {
	s := workspace.DealRowSlice(slices.Clone(rows))
	return &s
}

func outcomes(res workspace.DealImportResult) string {
	var b []string
	for _, r := range res.Rows {
		s := fmt.Sprintf("%d:%s", r.Line, r.Outcome)
		for _, e := range r.Errors {
			s += fmt.Sprintf(" [%s@%d: %s]", e.Field, e.Column, e.Reason)
		}
		b = append(b, s)
	}
	return strings.Join(b, "\n")
}

func countRows(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportDeals(t *testing.T) {
	// Chunks of 3 rows: duplicates and resolution across chunk boundaries.
	defer func(n int) { importChunk = n }(importChunk)
	importChunk = 3
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	for _, c := range []domain.Customer{
		{CompanyName: "Contoso Ltd", Domain: "contoso.com", Country: "GB"},
		{CompanyName: "Société Générale S.A.", Domain: "sg.fr", Country: "FR"},
		{CompanyName: "Adatum GmbH", Domain: "adatum.de", Country: "DE"},
		{CompanyName: "Adatum Inc", Domain: "adatum.com", Country: "US"},
		{CompanyName: "Contoso Pharmaceuticals", Domain: "contoso-pharma.com", Country: "GB"},
	} {
		if _, err := ws.AddCustomer(ctx, c, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"); err != nil {
			t.Fatal(err)
		}
	}
	rows := []workspace.DealImportRow{
		pscRow(2, "OPP-1", "CONTOSO", "", domain.SubAccepted),                   // suffix and case ignored
		pscRow(3, "OPP-2", "societe generale", "", domain.SubWon),               // accents, suffix
		pscRow(4, "OPP-3", "Adatum", "", domain.SubLost),                        // ambiguous
		pscRow(5, "OPP-4", "Adatum, Inc.", "US", domain.SubAccepted),            // settled by the suffix? no: by the country
		pscRow(6, "OPP-5", "Northwind Traders", "US", domain.SubAccepted),       // unknown
		{Line: 7, Deal: domain.Deal{ID: "OPP-6", Name: "Dup"}, Duplicate: true}, // closed as duplicate
		pscRow(8, "OPP-1", "Contoso", "", domain.SubAccepted),                   // twice in the file
	}
	before := countRows(t, db, "deals")
	res, err := ws.ImportDeals(ctx, dealRowsOf(rows), workspace.DealImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `2:not-written
3:not-written
4:failed [Customer Name@3: "Adatum" is ambiguous: it matches 2 organisations: Adatum GmbH (customer adatum.de, DE); Adatum Inc (customer adatum.com, US) (give the Customer Country, or the exact name)]
5:not-written
6:failed [Customer Name@3: "Northwind Traders" matches no customer or organisation (--create-missing-orgs creates it as a prospect organisation)]
7:skipped [Status@0: closed as duplicate is not available in Partner Center: not imported]
8:failed [Opportunity ID@0: OPP-1 is also on line 2: an opportunity is imported once]`
	if got := outcomes(res); got != want {
		t.Fatalf("all-or-nothing:\n%s\nwant\n%s", got, want)
	}
	if res.Written || countRows(t, db, "deals") != before || countRows(t, db, "organizations") != 0 {
		t.Fatal("a failed import wrote something")
	}

	// Skip: the good rows are written; --create-missing-orgs creates the prospect.
	res, err = ws.ImportDeals(ctx, dealRowsOf(rows), workspace.DealImportOptions{SkipFailed: true, CreateMissingOrgs: true, ExpectedRows: len(rows)})
	if err != nil {
		t.Fatal(err)
	}
	want = `2:imported
3:imported
4:failed [Customer Name@3: "Adatum" is ambiguous: it matches 2 organisations: Adatum GmbH (customer adatum.de, DE); Adatum Inc (customer adatum.com, US) (give the Customer Country, or the exact name)]
5:imported
6:imported
7:skipped [Status@0: closed as duplicate is not available in Partner Center: not imported]
8:failed [Opportunity ID@0: OPP-1 is also on line 2: an opportunity is imported once]`
	if got := outcomes(res); got != want || !res.Written || res.OrgsCreated != 1 {
		t.Fatalf("skip:\n%s\nwant\n%s (written %v, orgs %d)", got, want, res.Written, res.OrgsCreated)
	}
	d, err := ws.Deal(ctx, "OPP-1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Organization != "Contoso Ltd" || d.CustomerID == "" || d.Status != domain.DealActive || d.Direction != domain.Outbound ||
		fmt.Sprint(d.Team) != "[seller@fabrikam.com]" || len(d.Notes) != 1 || d.EngagementID != engagementID("OPP-1") || d.Version != 1 {
		t.Fatalf("%+v", d)
	}
	if d2, _ := ws.Deal(ctx, "OPP-2"); d2.Status != domain.DealClosed || d2.Substatus != domain.SubWon {
		t.Fatalf("%+v", d2)
	}
	if d5, _ := ws.Deal(ctx, "OPP-5"); d5.Organization != "Northwind Traders" || d5.OrgCountry != "US" || d5.CustomerID != "" {
		t.Fatalf("%+v", d5)
	}

	// The same rows again: unchanged. A changed row updates an open deal and fails for a
	// closed one; the closing of an open deal by its row is a transition.
	again := []workspace.DealImportRow{pscRow(2, "OPP-1", "Contoso", "", domain.SubAccepted), pscRow(3, "OPP-2", "Société Générale", "", domain.SubWon),
		pscRow(4, "OPP-5", "Northwind Traders", "US", domain.SubAccepted)}
	res, err = ws.ImportDeals(ctx, dealRowsOf(again), workspace.DealImportOptions{})
	if err != nil || outcomes(res) != "2:unchanged\n3:unchanged\n4:unchanged" {
		t.Fatalf("%v\n%s", err, outcomes(res))
	}
	changed := slices.Clone(again)
	changed[0].Fingerprint, changed[0].Deal.Name, changed[0].Deal.Substatus, changed[0].Deal.Status = "v2", "Renamed", domain.SubLost, domain.DealClosed
	changed[0].Deal.Notes = []domain.Note{{Text: "Customer outcome (PSC): went elsewhere"}}
	changed[1].Fingerprint = "v2"
	res, err = ws.ImportDeals(ctx, dealRowsOf(changed), workspace.DealImportOptions{SkipFailed: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(res); got != "2:updated\n3:failed [Opportunity ID@0: deal OPP-2 is closed (won) and this row changes it: a closed deal can no longer be changed]\n4:unchanged" {
		t.Fatal(got)
	}
	d, _ = ws.Deal(ctx, "OPP-1")
	if d.Name != "Renamed" || d.Substatus != domain.SubLost || len(d.Notes) != 2 || d.Version != 2 || d.EngagementID != engagementID("OPP-1") {
		t.Fatalf("%+v", d)
	}

	// Dry run: outcomes as a real run, nothing written.
	n := countRows(t, db, "deals")
	res, err = ws.ImportDeals(ctx, dealRowsOf([]workspace.DealImportRow{pscRow(2, "OPP-9", "Contoso", "", domain.SubAccepted)}), workspace.DealImportOptions{DryRun: true})
	if err != nil || outcomes(res) != "2:imported" || res.Written || countRows(t, db, "deals") != n {
		t.Fatalf("%v %s %v", err, outcomes(res), res.Written)
	}

	// Only referrals admins import deals.
	helpdesk := db.As(domain.Principal{User: "h@x.com", Roles: []domain.Role{domain.RoleHelpdeskAgent}})
	if _, err := helpdesk.ImportDeals(ctx, dealRowsOf(again), workspace.DealImportOptions{}); err == nil {
		t.Fatal("helpdesk imported deals")
	}
	// The indexes the large import dropped are there again, and sound.
	var indexes int
	if err := db.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name IN ('deals_created', 'deals_updated', 'deals_customer')`).Scan(&indexes); err != nil || indexes != 3 {
		t.Fatalf("%d deal indexes, %v", indexes, err)
	}
	if problems, err := db.Check(ctx); err != nil || len(problems) > 0 {
		t.Fatal(problems, err)
	}
}

func TestUsers(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	u, created, changed, err := ws.AddUser(ctx, domain.User{Email: " Sue@Fabrikam.com", Name: " Sue  Smith ", Roles: []domain.Role{domain.RoleReferralsAdmin, domain.RoleAdminAgent, domain.RoleReferralsAdmin}})
	if err != nil || !created || !changed || u.Email != "sue@fabrikam.com" || u.Name != "Sue Smith" || fmt.Sprint(u.Roles) != "[admin-agent referrals-admin]" {
		t.Fatalf("%+v %v %v %v", u, created, changed, err)
	}
	if _, created, changed, err = ws.AddUser(ctx, domain.User{Email: "sue@fabrikam.com", Roles: []domain.Role{domain.RoleAdminAgent}}); err != nil || created || changed {
		t.Fatalf("%v %v %v", created, changed, err)
	}
	if u, _, changed, _ = ws.AddUser(ctx, domain.User{Email: "sue@fabrikam.com", Roles: []domain.Role{domain.RoleGlobalAdmin}}); !changed || len(u.Roles) != 3 {
		t.Fatalf("%+v", u)
	}
	if _, _, _, err := ws.AddUser(ctx, domain.User{Email: "x@y.com"}); err == nil {
		t.Fatal("a user without a role")
	}
	u, err = ws.RemoveUser(ctx, "sue@fabrikam.com", []domain.Role{domain.RoleGlobalAdmin})
	if err != nil || fmt.Sprint(u.Roles) != "[admin-agent referrals-admin]" {
		t.Fatalf("%+v %v", u, err)
	}
	if _, err := ws.RemoveUser(ctx, "sue@fabrikam.com", []domain.Role{domain.RoleGlobalAdmin}); err == nil {
		t.Fatal("removed a role not held")
	}
	if _, err := ws.RemoveUser(ctx, "sue@fabrikam.com", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.User(ctx, "sue@fabrikam.com"); err == nil {
		t.Fatal("removed user still there")
	}
	out, err := ws.ImportUsers(ctx, []domain.User{{Email: "a@f.com", Roles: []domain.Role{domain.RoleAccountAdmin}}}, true)
	if err != nil || len(out) != 1 || !out[0].Created {
		t.Fatalf("%+v %v", out, err)
	}
	if us, _ := ws.Users(ctx); len(us) != 0 {
		t.Fatalf("dry run wrote %+v", us)
	}
	referrals := db.As(domain.Principal{User: "r@x.com", Roles: []domain.Role{domain.RoleReferralsAdmin}})
	if _, err := referrals.Users(ctx); err == nil {
		t.Fatal("a referrals admin listed users")
	}
}

// TestImportDealsResolution: how each Customer Name resolves, as the report says: the
// exact name first, then the name without its legal suffix, then (only when no name
// matches as written) the German transliteration; names shared once the suffix is set
// aside are ambiguous unless the exact name or the country settles them.
func TestImportDealsResolution(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	for _, c := range []domain.Customer{
		{CompanyName: "A. Datum SAS", Domain: "adatum.fr", Country: "FR"},
		{CompanyName: "A. Datum SCI", Domain: "adatum-sci.fr", Country: "FR"},
		{CompanyName: "Apotheke Würzburg", Domain: "apotheke-wuerzburg.de", Country: "DE"},
		{CompanyName: "Contoso Bäckerei GmbH", Domain: "contoso-baeckerei.de", Country: "DE"},
		{CompanyName: "Müller Bau AG", Domain: "mueller-bau.de", Country: "DE"},
		{CompanyName: "Mueller Bau GmbH", Domain: "mueller.ch", Country: "CH"},
		{CompanyName: "Blue Yonder Inc", Domain: "blueyonder.com", Country: "US"},
		{CompanyName: "Wingtip Toys", Domain: "wingtip.com", Country: "US"},
		{CompanyName: "Wingtip Toys", Domain: "wingtip.co.uk", Country: "GB"},
		{ID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", CompanyName: "Trey Architects Inc", Domain: "treyarchitectsinc.com", Country: "US"},
		{CompanyName: "Wuerzburg Logistik GmbH", Domain: "wuerzburg-logistik.de", Country: "DE"},
	} {
		if _, err := ws.AddCustomer(ctx, c, ""); err != nil {
			t.Fatal(err)
		}
	}
	rows := []workspace.DealImportRow{
		pscRow(2, "R-1", "A. Datum", "", domain.SubAccepted),               // ambiguous: SAS and SCI
		pscRow(3, "R-2", "A. Datum SCI", "", domain.SubAccepted),           // the exact name settles it
		pscRow(4, "R-3", "Apotheke Wuerzburg", "", domain.SubAccepted),     // transliteration
		pscRow(5, "R-4", "CONTOSO BAECKEREI GMBH", "", domain.SubAccepted), // transliteration, suffix
		pscRow(6, "R-5", "Mueller Bau", "", domain.SubAccepted),            // as written beats transliteration
		pscRow(7, "R-6", "Muller Bau", "", domain.SubAccepted),             // Fold of Müller
		pscRow(8, "R-7", "blue yonder", "", domain.SubAccepted),            // ue that is no umlaut
		pscRow(9, "R-8", "Wingtip Toys", "GB", domain.SubAccepted),         // the country settles it
		pscRow(10, "R-9", "Apotheke Wuerzburger", "", domain.SubAccepted),  // no such name: the closest
		pscRow(11, "R-10", "Trey Architect", "", domain.SubAccepted),       // the names it begins
		pscRow(12, "R-11", "Nobody Near", "", domain.SubAccepted),          // nothing close
		pscRow(13, "R-12", "Wingtip Toys", "", domain.SubAccepted),         // pinned by domain
		pscRow(14, "R-13", "Trey", "", domain.SubAccepted),                 // pinned by tenant ID
		pscRow(15, "R-14", "Trey", "", domain.SubAccepted),                 // pinned to nothing
		pscRow(16, "R-15", "Würzburg Logistik", "", domain.SubAccepted),    // umlauts for a name written without
	}
	rows[11].CustomerDomain, rows[11].PinColumn = "wingtip.co.uk", 20
	rows[12].CustomerID, rows[12].PinColumn = "3f2504e0-4f89-41d3-9a0c-0305e82c3301", 21
	rows[13].CustomerDomain, rows[13].PinColumn = "trey.example", 20
	res, err := ws.ImportDeals(ctx, dealRowsOf(rows), workspace.DealImportOptions{SkipFailed: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rows {
		s := fmt.Sprintf("%d:%s:%s", r.Line, r.Outcome, r.Resolution)
		for _, e := range r.Errors {
			s += " [" + e.Reason + "]"
		}
		got = append(got, s)
	}
	want := []string{
		`2:failed: ["A. Datum" is ambiguous: it matches 2 organisations: A. Datum SAS (customer adatum.fr, FR); A. Datum SCI (customer adatum-sci.fr, FR) (give the Customer Country, or the exact name)]`,
		`3:imported:exact name`,
		`4:imported:German transliteration`,
		`5:imported:German transliteration`,
		`6:imported:name without legal suffix`,
		`7:imported:name without legal suffix`,
		`8:imported:name without legal suffix`,
		`9:imported:name and country`,
		`10:failed: ["Apotheke Wuerzburger" matches no customer or organisation: did you mean Apotheke Würzburg (apotheke-wuerzburg.de)? (correct the name, or pin the row to its customer with a Customer Domain or Customer ID column)]`,
		`11:failed: ["Trey Architect" matches no customer or organisation: did you mean Trey Architects Inc (treyarchitectsinc.com)? (correct the name, or pin the row to its customer with a Customer Domain or Customer ID column)]`,
		`12:failed: ["Nobody Near" matches no customer or organisation (--create-missing-orgs creates it as a prospect organisation)]`,
		`13:imported:customer domain`,
		`14:imported:customer ID`,
		`15:failed: [no customer has the primary domain trey.example]`,
		`16:imported:German transliteration`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for id, wantCustomer := range map[string]string{"R-2": "A. Datum SCI", "R-3": "Apotheke Würzburg", "R-4": "Contoso Bäckerei GmbH",
		"R-5": "Mueller Bau GmbH", "R-6": "Müller Bau AG", "R-8": "Wingtip Toys", "R-12": "Wingtip Toys", "R-13": "Trey Architects Inc", "R-15": "Wuerzburg Logistik GmbH"} {
		d, err := ws.Deal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Organization != wantCustomer || d.CustomerID == "" {
			t.Errorf("%s: organisation %q (customer %q), want customer %q", id, d.Organization, d.CustomerID, wantCustomer)
		}
	}
}
