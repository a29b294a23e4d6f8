package remote_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
)

const custOwner = "custOwner@pcctl.test"

var custEpoch = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// custClock is the workspace clock of both sides of a pair: it moves when the test says.
type custClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *custClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *custClock) tick() { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(time.Second) }

// pair is the same data in two workspaces: one used locally, the other through a server.
type custPair struct {
	local, remote workspace.Workspace
	lenv, renv    *servertest.Env
	clock         *custClock
}

func newCustPair(t *testing.T, rows []workspace.CustomerRow) *custPair {
	t.Helper()
	clock := &custClock{t: custEpoch}
	lenv := servertest.Start(t, servertest.Options{Now: clock.now})
	renv := servertest.Start(t, servertest.Options{Now: clock.now})
	p := &custPair{local: lenv.Local(custOwner), remote: renv.Client(custOwner), lenv: lenv, renv: renv, clock: clock}
	lenv.Token(custOwner, domain.AllRoles...) // the same users on both sides
	if len(rows) > 0 {
		for _, env := range []*servertest.Env{lenv, renv} {
			r := workspace.CustomerRows(&custRows{rows: rows})
			if _, err := env.Local(custOwner).ImportCustomers(context.Background(), r, workspace.ImportOptions{Now: custEpoch}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return p
}

type custRows struct {
	rows []workspace.CustomerRow
	errs map[int]error // returned instead of the row at that index
	i    int
}

func (s *custRows) Next() (workspace.CustomerRow, error) {
	if s.i >= len(s.rows) {
		return workspace.CustomerRow{}, io.EOF
	}
	i := s.i
	s.i++
	if err := s.errs[i]; err != nil {
		return workspace.CustomerRow{}, err
	}
	return s.rows[i], nil
}

var custNames = []string{"Contoso", "Fabrikam", "Société Générale", "Café du Nord", "Northwind Traders", "Tailspin Toys",
	"Wide World Importers", "Adventure Works", "Shop \"Quoted\" & Co", "Tab\tName"}

func genCustomers(n int) []workspace.CustomerRow {
	rows := make([]workspace.CustomerRow, n)
	for i := range rows {
		c := domain.Customer{
			ID:          fmt.Sprintf("%08x-0000-4000-8000-%012x", i+1, i+1),
			CompanyName: fmt.Sprintf("%s %04d", custNames[i%len(custNames)], i),
			Domain:      fmt.Sprintf("tenant%04d.onmicrosoft.com", i),
			CreatedAt:   custEpoch.Add(-time.Duration(i) * time.Hour),
		}
		if i%3 != 0 {
			c.Country = []string{"FR", "US", "DE"}[i%3]
		}
		if i%4 == 1 {
			c.ResellerMPNID = "4847383"
		}
		if i%7 == 2 {
			c.Relationship = "advisor"
		}
		rows[i] = workspace.CustomerRow{Line: i + 2, Customer: c, HasID: true, HasCountry: true, HasReseller: true,
			HasRelationship: true, HasCreatedAt: true}
	}
	return rows
}

// sameErr checks that the remote error reads as the local one and has its type.
func custSameErr(t *testing.T, what string, local, remote error) {
	t.Helper()
	if (local == nil) != (remote == nil) {
		t.Fatalf("%s: local error %v, remote error %v", what, local, remote)
	}
	if local == nil {
		return
	}
	if local.Error() != remote.Error() {
		t.Errorf("%s: remote error %q, local %q", what, remote.Error(), local.Error())
	}
	for _, target := range []any{new(*domain.NotFoundError), new(*domain.RuleError), new(*domain.InvalidError),
		new(*domain.ForbiddenError), new(*workspace.RowError)} {
		l := errors.As(local, target)
		if r := errors.As(remote, target); l != r {
			t.Errorf("%s: errors.As(%T) local %v, remote %v (remote error %#v)", what, target, l, r, remote)
		}
	}
}

func custSame[T any](t *testing.T, what string, local, remote T) {
	t.Helper()
	if !reflect.DeepEqual(local, remote) {
		t.Errorf("%s:\nremote %+v\nlocal  %+v", what, remote, local)
	}
}

func custList(t *testing.T, ws workspace.Workspace, q workspace.ListQuery) ([]workspace.CustomerRecord, error) {
	var out []workspace.CustomerRecord
	err := ws.ListCustomers(context.Background(), q, func(c workspace.CustomerRecord) error { out = append(out, c); return nil })
	return out, err
}

func TestCustomerReadsMatchLocal(t *testing.T) {
	ctx := context.Background()
	rows := genCustomers(250)
	p := newCustPair(t, rows)
	// State of the principal: flags, pins, opens, made at the same times on both sides.
	for _, ref := range []string{rows[3].Customer.ID, rows[5].Customer.Domain, rows[7].Customer.ID} {
		for _, ws := range []workspace.Workspace{p.local, p.remote} {
			if _, err := ws.FlagCustomer(ctx, ref); err != nil {
				t.Fatal(err)
			}
			if _, _, err := ws.PinCustomer(ctx, ref); err != nil {
				t.Fatal(err)
			}
		}
		p.clock.tick()
	}
	for i, ref := range []string{rows[9].Customer.ID, rows[9].Customer.ID, rows[11].Customer.Domain, rows[3].Customer.ID} {
		for _, ws := range []workspace.Workspace{p.local, p.remote} {
			l, err := ws.OpenCustomer(ctx, ref)
			if err != nil || (i == 0 && l.ID != rows[9].Customer.ID) {
				t.Fatal(l, err)
			}
		}
		p.clock.tick()
	}
	refs := []string{rows[0].Customer.ID, rows[3].Customer.Domain, strings.ToUpper(rows[7].Customer.Domain),
		"nosuch.onmicrosoft.com", "00000000-0000-4000-8000-ffffffffffff", "", "..", "."}
	for _, ref := range refs {
		l, lerr := p.local.Customer(ctx, ref)
		r, rerr := p.remote.Customer(ctx, ref)
		custSameErr(t, "Customer "+ref, lerr, rerr)
		custSame(t, "Customer "+ref, l, r)
	}
	ln, lerr := p.local.CountCustomers(ctx)
	rn, rerr := p.remote.CountCustomers(ctx)
	custSameErr(t, "CountCustomers", lerr, rerr)
	custSame(t, "CountCustomers", ln, rn)
	if rn != 250 {
		t.Errorf("CountCustomers = %d, want 250", rn)
	}

	var queries []workspace.ListQuery
	for _, view := range []domain.View{"", domain.ViewAll, domain.ViewFlagged, domain.ViewRecent} {
		for _, sort := range []domain.ListSort{"", domain.SortName, domain.SortCreated} {
			queries = append(queries, workspace.ListQuery{View: view, Sort: sort},
				workspace.ListQuery{View: view, Sort: sort, Limit: 2},
				workspace.ListQuery{View: view, Sort: sort, Reseller: "4847383"})
		}
	}
	for _, q := range queries {
		l, lerr := custList(t, p.local, q)
		r, rerr := custList(t, p.remote, q)
		custSameErr(t, fmt.Sprintf("ListCustomers %+v", q), lerr, rerr)
		custSame(t, fmt.Sprintf("ListCustomers %+v", q), l, r)
		if q.View == domain.ViewAll && q.Limit == 0 && q.Reseller == "" && len(r) != 250 {
			t.Errorf("ListCustomers %+v: %d customers, want 250", q, len(r))
		}
	}
	if r, _ := custList(t, p.remote, workspace.ListQuery{View: domain.ViewRecent}); len(r) != 3 || r[0].Opens != 2 {
		t.Errorf("recent view = %+v, want 3 customers, the first opened twice", r)
	}

	for _, term := range []string{"contoso", "societe", "SOC", "ca", "c", "tenant0001", "tenant01", "shop \"quoted", "zzz", "", "  ", "4847383"} {
		for _, limit := range []int{0, 1, 5, 101, 1000} {
			l, lerr := p.local.SearchCustomers(ctx, term, limit)
			r, rerr := p.remote.SearchCustomers(ctx, term, limit)
			custSameErr(t, fmt.Sprintf("SearchCustomers(%q, %d)", term, limit), lerr, rerr)
			custSame(t, fmt.Sprintf("SearchCustomers(%q, %d)", term, limit), l, r)
		}
	}

	for _, kind := range []workspace.CompleteKind{workspace.CompleteCustomers, workspace.CompleteResellers, workspace.CompleteAnyResellers,
		workspace.CompleteSubscriptions, "nonsense", ""} {
		for _, prefix := range []string{"", "tenant00", "0000000", "TENANT01", "zz"} {
			for _, limit := range []int{0, 3, 50} {
				l, lerr := p.local.Complete(ctx, kind, prefix, limit)
				r, rerr := p.remote.Complete(ctx, kind, prefix, limit)
				what := fmt.Sprintf("Complete(%q, %q, %d)", kind, prefix, limit)
				custSameErr(t, what, lerr, rerr)
				custSame(t, what, l, r)
			}
		}
	}
}

func TestCustomerCallbacksStop(t *testing.T) {
	p := newCustPair(t, genCustomers(300))
	stop := errors.New("stop here")
	for _, ws := range []workspace.Workspace{p.local, p.remote} {
		n := 0
		err := ws.ListCustomers(context.Background(), workspace.ListQuery{View: domain.ViewAll}, func(workspace.CustomerRecord) error {
			if n++; n == 10 {
				return stop
			}
			return nil
		})
		if err != stop || n != 10 {
			t.Errorf("ListCustomers stopped after %d with %v, want 10 and the callback's error", n, err)
		}
		n = 0
		err = ws.ExportCustomers(context.Background(), workspace.ExportQuery{}, func(*domain.Customer) error {
			if n++; n == 10 {
				return stop
			}
			return nil
		})
		if err != stop || n != 10 {
			t.Errorf("ExportCustomers stopped after %d with %v, want 10 and the callback's error", n, err)
		}
	}
}

func TestCustomerWritesMatchLocal(t *testing.T) {
	ctx := context.Background()
	rows := genCustomers(40)
	p := newCustPair(t, rows)

	adds := []domain.Customer{
		{ID: "11111111-2222-4333-8444-555555555555", CompanyName: "Added Inc", Domain: "added.onmicrosoft.com", Country: "fr", AdminAccount: "admin@added.onmicrosoft.com"},
		{CompanyName: "No ID Ltd", Domain: "noid.onmicrosoft.com"},
		{CompanyName: "Dup", Domain: rows[0].Customer.Domain},                      // domain taken
		{ID: rows[1].Customer.ID, CompanyName: "Dup", Domain: "dup.example"},       // ID taken
		{CompanyName: "", Domain: "empty.example"},                                 // invalid
		{CompanyName: "Via reseller", Domain: "via.example", ResellerMPNID: "999"}, // no such reseller
	}
	for i, c := range adds {
		l, lerr := p.local.AddCustomer(ctx, c, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
		r, rerr := p.remote.AddCustomer(ctx, c, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")
		custSameErr(t, fmt.Sprintf("AddCustomer %d", i), lerr, rerr)
		if c.ID == "" && lerr == nil { // generated IDs differ
			if r.ID == "" || r.ID == l.ID {
				t.Errorf("AddCustomer without ID: remote ID %q, local %q", r.ID, l.ID)
			}
			l.ID = r.ID
		}
		custSame(t, fmt.Sprintf("AddCustomer %d", i), l, r)
	}

	// Flags: 31 flags evict the first; flagging again says so; unflag; errors.
	for i := 0; i <= domain.MaxFlags+1; i++ {
		ref := rows[i%(domain.MaxFlags+1)].Customer.ID
		if i == domain.MaxFlags+1 {
			ref = rows[1].Customer.Domain // flagged already
		}
		l, lerr := p.local.FlagCustomer(ctx, ref)
		r, rerr := p.remote.FlagCustomer(ctx, ref)
		custSameErr(t, fmt.Sprintf("FlagCustomer %d", i), lerr, rerr)
		custSame(t, fmt.Sprintf("FlagCustomer %d", i), l, r)
		p.clock.tick()
		if i == domain.MaxFlags && (r.Unflagged == nil || r.Unflagged.ID != rows[0].Customer.ID || r.Unflagged.FlaggedAt.IsZero()) {
			t.Errorf("the 31st flag unflagged %+v, want the first with its flag time", r.Unflagged)
		}
	}
	type change func(workspace.Workspace, context.Context, string) (workspace.CustomerRecord, bool, error)
	for name, do := range map[string]change{"Unflag": workspace.Workspace.UnflagCustomer, "Pin": workspace.Workspace.PinCustomer,
		"Unpin": workspace.Workspace.UnpinCustomer} {
		for _, ref := range []string{rows[2].Customer.ID, rows[2].Customer.Domain, rows[39].Customer.ID, "nosuch.example", ""} {
			l, lc, lerr := do(p.local, ctx, ref)
			r, rc, rerr := do(p.remote, ctx, ref)
			custSameErr(t, name+" "+ref, lerr, rerr)
			custSame(t, name+" "+ref, l, r)
			custSame(t, name+" "+ref+" changed", lc, rc)
		}
	}
	for _, ref := range []string{"nosuch.example", ""} {
		_, lerr := p.local.FlagCustomer(ctx, ref)
		_, rerr := p.remote.FlagCustomer(ctx, ref)
		custSameErr(t, "FlagCustomer "+ref, lerr, rerr)
		_, lerr = p.local.OpenCustomer(ctx, ref)
		_, rerr = p.remote.OpenCustomer(ctx, ref)
		custSameErr(t, "OpenCustomer "+ref, lerr, rerr)
	}

	// Without the role: flagging needs global admin (002), adding needs write.
	lhelp := p.lenv.DB.As(domain.Principal{User: "help@pcctl.test", Roles: []domain.Role{domain.RoleHelpdeskAgent}})
	rhelp := p.renv.Client("help@pcctl.test", domain.RoleHelpdeskAgent)
	_, lerr := lhelp.FlagCustomer(ctx, rows[0].Customer.ID)
	_, rerr := rhelp.FlagCustomer(ctx, rows[0].Customer.ID)
	custSameErr(t, "FlagCustomer as helpdesk", lerr, rerr)
	var fe *domain.ForbiddenError
	if !errors.As(rerr, &fe) {
		t.Errorf("FlagCustomer as helpdesk: %v, want a ForbiddenError", rerr)
	}
	_, _, lerr = lhelp.UnflagCustomer(ctx, rows[0].Customer.ID)
	_, _, rerr = rhelp.UnflagCustomer(ctx, rows[0].Customer.ID)
	custSameErr(t, "UnflagCustomer as helpdesk", lerr, rerr)
	_, lerr = lhelp.AddCustomer(ctx, adds[1], "")
	_, rerr = rhelp.AddCustomer(ctx, adds[1], "")
	custSameErr(t, "AddCustomer as helpdesk", lerr, rerr)
	_, lerr = lhelp.ImportCustomers(ctx, &custRows{rows: rows[:1]}, workspace.ImportOptions{})
	_, rerr = rhelp.ImportCustomers(ctx, &custRows{rows: rows[:1]}, workspace.ImportOptions{})
	custSameErr(t, "ImportCustomers as helpdesk", lerr, rerr)

	// Both sides hold the same customers now.
	l, _ := custList(t, p.local, workspace.ListQuery{View: domain.ViewAll, Sort: domain.SortCreated})
	r, _ := custList(t, p.remote, workspace.ListQuery{View: domain.ViewAll, Sort: domain.SortCreated})
	for i := range l {
		if l[i].CompanyName == "No ID Ltd" {
			l[i].ID = r[i].ID
		}
	}
	custSame(t, "customers after the writes", l, r)
}

func TestSearchPagesFollowNext(t *testing.T) {
	// More matches than one page of the largest size: the client follows links.next.
	rows := make([]workspace.CustomerRow, 1300)
	for i := range rows {
		rows[i] = workspace.CustomerRow{Line: i + 2, Customer: domain.Customer{
			CompanyName: fmt.Sprintf("Shop %04d", (i*7919)%1300), Domain: fmt.Sprintf("shop%04d.example", i),
			ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i+1, i+1)}, HasID: true}
	}
	p := newCustPair(t, rows)
	for _, limit := range []int{1000, 1001, 1250, 2000} {
		l, lerr := p.local.SearchCustomers(context.Background(), "shop", limit)
		r, rerr := p.remote.SearchCustomers(context.Background(), "shop", limit)
		custSameErr(t, "search", lerr, rerr)
		custSame(t, fmt.Sprintf("SearchCustomers(shop, %d)", limit), l, r)
		if want := min(limit, 1300); len(r) != want {
			t.Errorf("SearchCustomers(shop, %d) = %d customers, want %d", limit, len(r), want)
		}
	}
}

// custRowErrors records what OnRowError is called with, deciding as the command does.
type custRowErrors struct {
	skip bool
	seen []workspace.RowError
}

var errCustRowAborted = errors.New("aborted at a bad row")

func (r *custRowErrors) on(e *workspace.RowError) error {
	r.seen = append(r.seen, *e)
	e.Column = 99 // the command locates the row; the workspace must not mind
	if !r.skip {
		return fmt.Errorf("%w: line %d", errCustRowAborted, e.Line)
	}
	return nil
}

func TestImportMatchesLocal(t *testing.T) {
	ctx := context.Background()
	base := genCustomers(60)
	bad := func() []workspace.CustomerRow {
		rows := genCustomers(60)[20:]                     // 20..39 exist already in the incremental case
		rows[3].Customer.Domain = rows[1].Customer.Domain // a duplicate in the file
		rows[5].Customer.CompanyName = ""                 // invalid
		rows[8].Customer.Domain = base[0].Customer.Domain // taken by another customer (incremental)
		rows[10].Customer.CompanyName = "Renamed " + rows[10].Customer.CompanyName
		rows[12].Customer.CreatedAt = time.Time{} // takes Now
		rows[12].HasCreatedAt = false
		return rows
	}
	for _, seeded := range []bool{false, true} {
		for _, skip := range []bool{true, false} {
			name := fmt.Sprintf("seeded=%v/skip=%v", seeded, skip)
			t.Run(name, func(t *testing.T) {
				var seed []workspace.CustomerRow
				if seeded {
					seed = base[:40]
				}
				p := newCustPair(t, seed)
				var results [2]workspace.ImportResult
				var errs [2]error
				var calls [2]*custRowErrors
				for i, ws := range []workspace.Workspace{p.local, p.remote} {
					calls[i] = &custRowErrors{skip: skip}
					rows := &custRows{rows: bad(), errs: map[int]error{6: &workspace.RowError{Line: 30, Column: 2, Field: "domain", Reason: "is not a domain name"}}}
					results[i], errs[i] = ws.ImportCustomers(ctx, rows, workspace.ImportOptions{OnRowError: calls[i].on, Now: custEpoch.Add(time.Minute)})
				}
				custSameErr(t, "ImportCustomers", errs[0], errs[1])
				custSame(t, "ImportCustomers result", results[0], results[1])
				custSame(t, "OnRowError calls", calls[0].seen, calls[1].seen)
				if len(calls[1].seen) < 2 && skip {
					t.Errorf("OnRowError calls %+v, want several", calls[1].seen)
				}
				if !skip && !errors.Is(errs[1], errCustRowAborted) {
					t.Errorf("abort: error %v, want OnRowError's", errs[1])
				}
				l, _ := custList(t, p.local, workspace.ListQuery{View: domain.ViewAll})
				r, _ := custList(t, p.remote, workspace.ListQuery{View: domain.ViewAll})
				custSame(t, "customers after the import", l, r)
				if want := len(seed); !skip && len(r) != want {
					t.Errorf("abort left %d customers, want %d (nothing written)", len(r), want)
				}
			})
		}
	}
}

func TestImportReadFailureWritesNothing(t *testing.T) {
	ctx := context.Background()
	for _, seeded := range []bool{false, true} {
		var seed []workspace.CustomerRow
		if seeded {
			seed = genCustomers(10)
		}
		p := newCustPair(t, seed)
		broken := errors.New("disk on fire")
		for _, ws := range []workspace.Workspace{p.local, p.remote} {
			rows := &custRows{rows: genCustomers(1500)[10:], errs: map[int]error{1000: broken}}
			_, err := ws.ImportCustomers(ctx, rows, workspace.ImportOptions{OnRowError: func(*workspace.RowError) error { return nil }})
			if err != broken {
				t.Errorf("seeded=%v: ImportCustomers = %v, want the rows' own error", seeded, err)
			}
		}
		n, err := p.remote.CountCustomers(ctx)
		if err != nil || n != len(seed) {
			t.Errorf("seeded=%v: %d customers after a failed import (%v), want %d", seeded, n, err, len(seed))
		}
		// The server is free again for another import.
		res, err := p.remote.ImportCustomers(ctx, &custRows{rows: genCustomers(20)}, workspace.ImportOptions{})
		if err != nil || res.Read != 20 {
			t.Errorf("seeded=%v: the next import: %+v, %v", seeded, res, err)
		}
	}
}

func TestImportNowIsSent(t *testing.T) {
	p := newCustPair(t, nil)
	rows := genCustomers(3)
	for i := range rows {
		rows[i].Customer.CreatedAt, rows[i].HasCreatedAt = time.Time{}, false
	}
	now := time.Date(2021, 6, 1, 12, 30, 45, 0, time.FixedZone("CEST", 2*3600))
	if _, err := p.remote.ImportCustomers(context.Background(), &custRows{rows: rows}, workspace.ImportOptions{Now: now}); err != nil {
		t.Fatal(err)
	}
	c, err := p.remote.Customer(context.Background(), rows[0].Customer.ID)
	if err != nil || !c.CreatedAt.Equal(now) {
		t.Errorf("created at %v (%v), want %v", c.CreatedAt, err, now)
	}
}

func custExport(t *testing.T, ws workspace.Workspace, q workspace.ExportQuery) ([]domain.Customer, error) {
	var out []domain.Customer
	err := ws.ExportCustomers(context.Background(), q, func(c *domain.Customer) error { out = append(out, *c); return nil })
	return out, err
}

func TestExportMatchesLocal(t *testing.T) {
	rows := genCustomers(3000)
	rows[17].Customer.CompanyName = "Quote \" backslash \\ unicode é 中文 \u2028 end"
	p := newCustPair(t, rows)
	for _, q := range []workspace.ExportQuery{{}, {Reseller: "4847383"}, {Reseller: "0000000"}} {
		l, lerr := custExport(t, p.local, q)
		r, rerr := custExport(t, p.remote, q)
		custSameErr(t, "ExportCustomers", lerr, rerr)
		custSame(t, fmt.Sprintf("ExportCustomers %+v", q), l, r)
	}
	if r, _ := custExport(t, p.remote, workspace.ExportQuery{}); len(r) != 3000 || r[17].CompanyName != rows[17].Customer.CompanyName {
		t.Errorf("export: %d customers", len(r))
	}
	// Reads need a role that reads customers.
	_, lerr := custExport(t, p.lenv.DB.As(domain.Principal{User: "deals@pcctl.test", Roles: []domain.Role{domain.RoleReferralsAdmin}}), workspace.ExportQuery{})
	_, rerr := custExport(t, p.renv.Client("deals@pcctl.test", domain.RoleReferralsAdmin), workspace.ExportQuery{})
	custSameErr(t, "ExportCustomers as referrals-admin", lerr, rerr)
	_, lerr = custList(t, p.lenv.DB.As(domain.Principal{User: "deals@pcctl.test", Roles: []domain.Role{domain.RoleReferralsAdmin}}), workspace.ListQuery{})
	_, rerr = custList(t, p.renv.Client("deals2@pcctl.test", domain.RoleReferralsAdmin), workspace.ListQuery{})
	if lerr == nil || rerr == nil {
		t.Fatalf("ListCustomers as referrals-admin: %v, %v", lerr, rerr)
	}
	var fe *domain.ForbiddenError
	if !errors.As(rerr, &fe) {
		t.Errorf("ListCustomers as referrals-admin: %v, want a ForbiddenError", rerr)
	}
}

// TestCustomerRefsWithReservedCharacters: a ref is one path segment whatever it holds.
func TestCustomerRefsWithReservedCharacters(t *testing.T) {
	ctx := context.Background()
	p := newCustPair(t, genCustomers(3))
	for _, ref := range []string{"a/b", "x y", "50%", "a?b#c", "é.example"} {
		_, lerr := p.local.Customer(ctx, ref)
		_, rerr := p.remote.Customer(ctx, ref)
		custSameErr(t, "Customer "+ref, lerr, rerr)
		_, _, lerr = p.local.PinCustomer(ctx, ref)
		_, _, rerr = p.remote.PinCustomer(ctx, ref)
		custSameErr(t, "PinCustomer "+ref, lerr, rerr)
	}
}
