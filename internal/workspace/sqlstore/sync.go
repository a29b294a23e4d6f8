package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// A sync from Partner Center (workspace.SyncStep) writes each step (one page or a few)
// in one transaction: the records Partner Center owns the fields of, matched in bulk by
// ID; a fingerprint of those fields per row (pc_fingerprint) makes an unchanged record
// cost one index entry; the resume point and the pass's counts in sync_passes. At the end
// of a complete pass, what Partner Center had before (a fingerprint) and the pass did not
// see is marked ended. The link to the partner tenant is sync_link.
//
// What a pass saw: customers come in ID order (Partner Center's seek paging), so a step
// whose IDs ascend above what the pass covered so far (sync_passes.covered) accounts for
// the whole ID range up to its last ID: the customers held in that range are read with
// one range scan of customers_sync, and those the step does not list go to sync_missing
// (rare); nothing is written for the others. A step out of order switches the pass to a
// row of sync_seen per ID (ordered = 0) for the rest of it; what it covered stays covered.
// Resellers always use sync_seen (a short list).

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// syncPerm is the permission each kind's sync needs.
var syncPerm = map[workspace.SyncKind]domain.Permission{
	workspace.SyncCustomers:     domain.PermWriteCustomers,
	workspace.SyncResellers:     domain.PermManageResellers,
	workspace.SyncSubscriptions: domain.PermSubscriptions,
	workspace.SyncDeals:         domain.PermDeals,
	workspace.SyncRequests:      domain.PermServiceRequests,
}

func (s *Session) SyncState(ctx context.Context) (workspace.SyncState, error) {
	st := workspace.SyncState{Passes: map[workspace.SyncKind]workspace.SyncPass{}, Last: map[workspace.SyncKind]time.Time{}}
	if err := s.Who.Require(domain.PermReadCustomers); err != nil {
		return st, err
	}
	var linked string
	err := s.Pool.QueryRowContext(ctx, `SELECT tenant, tenant_name, linked_at FROM sync_link`).Scan(&st.Tenant, &st.TenantName, &linked)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, err
	}
	st.LinkedAt = ParseTime(linked)
	rows, err := s.Pool.QueryContext(ctx, `SELECT kind, started_at, resume, counts, active, last_at FROM sync_passes`)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, started, resume, counts, last string
		var active bool
		if err := rows.Scan(&kind, &started, &resume, &counts, &active, &last); err != nil {
			return st, err
		}
		if last != "" {
			st.Last[workspace.SyncKind(kind)] = ParseTime(last)
		}
		if active {
			p := workspace.SyncPass{StartedAt: ParseTime(started), Resume: resume}
			_ = json.Unmarshal([]byte(counts), &p.Counts)
			st.Passes[workspace.SyncKind(kind)] = p
		}
	}
	return st, rows.Err()
}

func (s *Session) ApplySync(ctx context.Context, step workspace.SyncStep) (workspace.SyncCounts, error) {
	var out workspace.SyncCounts
	perm, ok := syncPerm[step.Kind]
	if !ok {
		return out, &domain.InvalidError{Field: "kind", Value: string(step.Kind), Reason: "is not a kind a sync brings"}
	}
	if err := s.Who.Require(perm); err != nil {
		return out, err
	}
	if step.Tenant == "" {
		return out, &domain.InvalidError{Field: "tenant", Reason: "is empty: a sync names the partner tenant it reads"}
	}
	now := FormatTime(s.now())
	err := s.SyncTx(ctx, func(tx Tx) error {
		out = workspace.SyncCounts{}
		if err := s.syncLink(ctx, tx, step, now); err != nil {
			return err
		}
		pass, cov, err := s.syncPass(ctx, tx, step, now)
		if err != nil {
			return err
		}
		w := &syncWriter{s: s, tx: tx, step: step, now: now, out: &out, cov: cov, json: s.Dialect.JSONEach()}
		switch step.Kind {
		case workspace.SyncCustomers:
			err = w.customers(ctx)
		case workspace.SyncResellers:
			err = w.resellers(ctx)
		case workspace.SyncSubscriptions:
			err = w.subscriptions(ctx)
		case workspace.SyncDeals:
			err = w.deals(ctx)
		case workspace.SyncRequests:
			err = w.requests(ctx)
		}
		if err != nil {
			return err
		}
		if step.Finish {
			if err := w.finish(ctx); err != nil {
				return err
			}
		}
		pass.Add(out)
		if err := s.savePass(ctx, tx, step, pass, w.cov, now); err != nil {
			return err
		}
		if step.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return out, err
}

// syncLink links the workspace to the step's tenant on the first sync and refuses
// another tenant's.
func (s *Session) syncLink(ctx context.Context, tx Tx, step workspace.SyncStep, now string) error {
	var tenant, name string
	err := tx.QueryRowContext(ctx, `SELECT tenant, tenant_name FROM sync_link`).Scan(&tenant, &name)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO sync_link(id, tenant, tenant_name, linked_at) VALUES (1, ?, ?, ?)`, step.Tenant, step.TenantName, now)
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, "workspace.link", "workspace", step.Tenant, nil, State{{"partnerTenant", step.Tenant}, {"partnerName", step.TenantName}})
	case err != nil:
		return err
	case !strings.EqualFold(tenant, step.Tenant):
		who := tenant
		if name != "" {
			who = fmt.Sprintf("%s (%s)", tenant, name)
		}
		return &domain.RuleError{Rule: "one-partner-tenant", Msg: fmt.Sprintf(
			"this workspace is linked to the partner tenant %s, and you are signed in to %s: a workspace holds one partner's data; sign in to %s, or sync into another workspace (--workspace)",
			who, step.Tenant, tenant)}
	}
	return nil
}

// syncCoverage is how far a pass reading customers in ID order has accounted for every
// customer: all IDs up to Covered (none when empty), while Ordered.
type syncCoverage struct {
	Covered string
	Ordered bool
}

// syncPass is the counts and coverage of the pass under way, starting one when asked or
// when none is. A dry run covers nothing (its steps are rolled back: it hands the IDs it
// saw to its last step).
func (s *Session) syncPass(ctx context.Context, tx Tx, step workspace.SyncStep, now string) (*workspace.SyncCounts, *syncCoverage, error) {
	var counts string
	var active bool
	cov := &syncCoverage{}
	err := tx.QueryRowContext(ctx, `SELECT counts, active, covered, ordered FROM sync_passes WHERE kind = ?`, string(step.Kind)).Scan(&counts, &active, &cov.Covered, &cov.Ordered)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, err
	}
	c := &workspace.SyncCounts{}
	if step.Start || !active {
		for _, t := range []string{"sync_seen", "sync_missing"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE kind = ?`, string(step.Kind)); err != nil {
				return nil, nil, err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sync_passes(kind, started_at, resume, counts, active, covered, ordered) VALUES (?, ?, '', '{}', 1, '', 1)
			ON CONFLICT(kind) DO UPDATE SET started_at = excluded.started_at, resume = '', counts = '{}', active = 1, covered = '', ordered = 1`, string(step.Kind), now)
		cov = &syncCoverage{Ordered: !step.DryRun}
		return c, cov, err
	}
	_ = json.Unmarshal([]byte(counts), c)
	c.EndedIDs, c.Problems = nil, nil
	if step.DryRun {
		cov = &syncCoverage{}
	}
	return c, cov, nil
}

func (s *Session) savePass(ctx context.Context, tx Tx, step workspace.SyncStep, pass *workspace.SyncCounts, cov *syncCoverage, now string) error {
	if step.Finish {
		if err := s.Audit(ctx, tx, string(step.Kind)+".sync", string(step.Kind), "", nil, syncState(*pass)); err != nil {
			return err
		}
		for _, t := range []string{"sync_seen", "sync_missing"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE kind = ?`, string(step.Kind)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE sync_passes SET active = 0, resume = '', counts = '{}', covered = '', ordered = 1, last_at = ? WHERE kind = ?`, now, string(step.Kind))
		return err
	}
	c := *pass
	c.EndedIDs, c.Problems = nil, nil
	b, _ := json.Marshal(c)
	_, err := tx.ExecContext(ctx, `UPDATE sync_passes SET resume = ?, counts = ?, covered = ?, ordered = ? WHERE kind = ?`,
		step.Resume, string(b), cov.Covered, boolInt(cov.Ordered), string(step.Kind))
	return err
}

// syncState is what a pass did, for its audit record.
func syncState(c workspace.SyncCounts) State {
	ended := c.EndedIDs
	if len(ended) > 100 {
		ended = append(ended[:100:100], fmt.Sprintf("… %d more", len(c.EndedIDs)-100))
	}
	st := State{{"fetched", Count(c.Fetched)}, {"created", Count(c.Created)}, {"updated", Count(c.Updated)},
		{"unchanged", Count(c.Unchanged)}, {"ended", Count(c.Ended)}, {"skipped", Count(c.Skipped)}}
	if len(ended) > 0 {
		st = append(st, Field{"endedIds", ended})
	}
	return st
}

type syncWriter struct {
	s    *Session
	tx   Tx
	step workspace.SyncStep
	now  string
	out  *workspace.SyncCounts
	cov  *syncCoverage
	json string // Dialect.JSONEach
}

func (w *syncWriter) problem(format string, a ...any) {
	w.out.Skipped++
	if len(w.out.Problems) < 20 {
		w.out.Problems = append(w.out.Problems, fmt.Sprintf(format, a...))
	}
}

// fingerprint identifies the values Partner Center owns of a record.
func fingerprint(vals ...string) string {
	h := fnv.New64a()
	for _, v := range vals {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func jsonList(ids []string) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// seen records IDs the pass saw (multi-row inserts).
func (w *syncWriter) seen(ctx context.Context, ids []string) error {
	if w.step.DryRun || len(ids) == 0 {
		return nil
	}
	_, err := w.tx.ExecContext(ctx, `INSERT OR IGNORE INTO sync_seen(kind, id) SELECT ?, value FROM `+w.json, string(w.step.Kind), jsonList(ids))
	return err
}

type pcCustomer struct {
	pk                                       int64
	id, name, dom, country, relationship, fp string
	ended                                    bool
}

func (w *syncWriter) customers(ctx context.Context) error {
	tx := w.tx
	in := make([]domain.Customer, 0, len(w.step.Customers))
	ids := make([]string, 0, len(w.step.Customers))
	for _, c := range w.step.Customers {
		w.out.Fetched++
		n, err := domain.NormalizeCustomer(c)
		if err == nil && n.ID == "" {
			err = &domain.InvalidError{Field: "id", Reason: "is empty"}
		}
		if err != nil {
			w.problem("customer %s (%s): %v", c.ID, c.CompanyName, err)
			continue
		}
		in = append(in, n)
		ids = append(ids, n.ID)
	}
	// The customers held: in one range scan when the step goes on in ID order, else
	// looked up by ID (customers_sync covers both: an unchanged customer is read from the
	// index alone).
	inOrder := w.cov.Ordered && ascending(ids, w.cov.Covered)
	var rows *sql.Rows
	var err error
	switch {
	case inOrder && len(ids) == 0 && !w.step.Finish:
		// Nothing to read: an empty page (or one of records pcctl cannot hold) covers
		// nothing more.
	case !inOrder:
		w.cov.Ordered = false
		rows, err = tx.QueryContext(ctx, `SELECT pk, id, pc_fingerprint, ended_at <> '' FROM customers
			WHERE id IN (SELECT value FROM `+w.json+`)`, jsonList(ids))
	case w.step.Finish:
		rows, err = tx.QueryContext(ctx, `SELECT pk, id, pc_fingerprint, ended_at <> '' FROM customers WHERE id > ?`, w.cov.Covered)
	default:
		rows, err = tx.QueryContext(ctx, `SELECT pk, id, pc_fingerprint, ended_at <> '' FROM customers WHERE id > ? AND id <= ?`,
			w.cov.Covered, ids[len(ids)-1])
	}
	if err != nil {
		return err
	}
	existing := make(map[string]*pcCustomer, len(in))
	for rows != nil && rows.Next() {
		var c pcCustomer
		if err := rows.Scan(&c.pk, &c.id, &c.fp, &c.ended); err != nil {
			rows.Close()
			return err
		}
		existing[c.id] = &c
	}
	if rows != nil {
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if inOrder {
		// The range is accounted for: the held customers from Partner Center in it that
		// the step does not list are missing from Partner Center.
		listed := make(map[string]bool, len(ids))
		for _, id := range ids {
			listed[id] = true
		}
		var missing []string
		for id, c := range existing {
			if !listed[id] && c.fp != "" && !c.ended {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 && !w.step.DryRun {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO sync_missing(kind, id) SELECT ?, value FROM `+w.json,
				string(w.step.Kind), jsonList(missing)); err != nil {
				return err
			}
		}
		if len(ids) > 0 {
			w.cov.Covered = ids[len(ids)-1]
		}
	}
	var fresh []domain.Customer
	for _, c := range in {
		fp := fingerprint(c.CompanyName, c.Domain, c.Country, c.Relationship)
		old := existing[c.ID]
		if old == nil {
			fresh = append(fresh, c)
			continue
		}
		if old.fp == fp && !old.ended {
			w.out.Unchanged++
			continue
		}
		if err := tx.QueryRowContext(ctx, `SELECT company_name, domain, country, relationship FROM customers WHERE pk = ?`, old.pk).Scan(
			&old.name, &old.dom, &old.country, &old.relationship); err != nil {
			return err
		}
		changed := old.name != c.CompanyName || old.dom != c.Domain || old.country != c.Country || old.relationship != c.Relationship || old.ended
		if changed && old.dom != c.Domain {
			var other string
			err := tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE domain = ? AND id <> ?`, c.Domain, c.ID).Scan(&other)
			if err == nil {
				w.problem("customer %s (%s): its domain %s is another customer's (%s)", c.ID, c.CompanyName, c.Domain, other)
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := w.updateCustomer(ctx, old, c, fp, changed); err != nil {
			return err
		}
	}
	if err := w.createCustomers(ctx, fresh); err != nil {
		return err
	}
	if inOrder {
		return nil
	}
	return w.seen(ctx, ids)
}

// ascending tells whether ids ascend strictly (byte order, the order of the ID index),
// all above after.
func ascending(ids []string, after string) bool {
	prev := after
	for i, id := range ids {
		if (i > 0 || after != "") && id <= prev {
			return false
		}
		prev = id
	}
	return true
}

// updateCustomer applies Partner Center's fields to a customer held already; a changed
// name or domain changes its search keys.
func (w *syncWriter) updateCustomer(ctx context.Context, old *pcCustomer, c domain.Customer, fp string, changed bool) error {
	tx := w.tx
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET company_name = ?, name_key = ?, domain = ?, country = ?,
		relationship = ?, pc_fingerprint = ?, ended_at = '' WHERE pk = ?`,
		c.CompanyName, domain.Fold(c.CompanyName), c.Domain, c.Country, c.Relationship, fp, old.pk); err != nil {
		return err
	}
	if !changed {
		w.out.Unchanged++ // held already with the same values: now known to come from Partner Center
		return nil
	}
	w.out.Updated++
	if (old.relationship == domain.RelationshipNone || old.ended) && c.Relationship != domain.RelationshipNone {
		// The relationship is back: the customer accepted a request in Partner Center,
		// which the workspace had recorded as pending.
		if _, err := tx.ExecContext(ctx, `UPDATE relationship_requests SET accepted_at = ? WHERE customer = ? AND accepted_at = ''`,
			w.now, old.pk); err != nil {
			return err
		}
	}
	if old.name != c.CompanyName || old.dom != c.Domain {
		oldKey := domain.Fold(old.name)
		for _, k := range domain.SearchKeys(oldKey, old.dom) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM customer_search WHERE prefix = ? AND name_key = ? AND customer = ? AND key = ?`,
				domain.KeyPrefix(k), oldKey, old.pk, k); err != nil {
				return err
			}
		}
		if err := InsertKeys(ctx, tx, old.pk, c); err != nil {
			return err
		}
	}
	return nil
}

// createCustomers adds customers new to the workspace with multi-row inserts. A domain
// held by a customer added in pcctl (never synced) makes that customer this one: it takes
// Partner Center's ID and fields and keeps its own state.
func (w *syncWriter) createCustomers(ctx context.Context, fresh []domain.Customer) error {
	if len(fresh) == 0 {
		return nil
	}
	tx := w.tx
	doms := make([]string, len(fresh))
	for i, c := range fresh {
		doms[i] = c.Domain
	}
	taken := map[string]*pcCustomer{}
	rows, err := tx.QueryContext(ctx, `SELECT pk, id, company_name, domain, country, relationship, pc_fingerprint, ended_at <> ''
		FROM customers WHERE domain IN (SELECT value FROM `+w.json+`)`, jsonList(doms))
	if err != nil {
		return err
	}
	for rows.Next() {
		var c pcCustomer
		if err := rows.Scan(&c.pk, &c.id, &c.name, &c.dom, &c.country, &c.relationship, &c.fp, &c.ended); err != nil {
			rows.Close()
			return err
		}
		taken[c.dom] = &c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var maxPK int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(pk), 0) FROM customers`).Scan(&maxPK); err != nil {
		return err
	}
	quiet := context.WithoutCancel(ctx)
	ins, err := NewBatch(ctx, w.s.Dialect, tx, `INSERT INTO customers(pk, id, company_name, name_key, domain, country, relationship, created_at, pc_fingerprint) VALUES`, 9, 100)
	if err != nil {
		return err
	}
	defer ins.Close()
	keys, err := NewBatch(ctx, w.s.Dialect, tx, `INSERT OR IGNORE INTO customer_search(prefix, name_key, customer, key) VALUES`, 4, 200)
	if err != nil {
		return err
	}
	defer keys.Close()
	if w.s.Dialect.ForeignKeysInBulk() {
		keys.Parents = []*Batch{ins} // the keys refer to customers still queued
	}
	inPage := map[string]bool{}
	for _, c := range fresh {
		fp := fingerprint(c.CompanyName, c.Domain, c.Country, c.Relationship)
		if old := taken[c.Domain]; old != nil {
			if old.fp != "" {
				w.problem("customer %s (%s): its domain %s is another customer's (%s)", c.ID, c.CompanyName, c.Domain, old.id)
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customers SET id = ? WHERE pk = ?`, c.ID, old.pk); err != nil {
				return err
			}
			delete(taken, c.Domain)
			if err := w.updateCustomer(ctx, old, c, fp, true); err != nil {
				return err
			}
			continue
		}
		if inPage[c.Domain] || inPage[c.ID] {
			w.problem("customer %s (%s): its ID or domain %s appears twice in the page", c.ID, c.CompanyName, c.Domain)
			continue
		}
		inPage[c.Domain], inPage[c.ID] = true, true
		maxPK++
		nameKey := domain.Fold(c.CompanyName)
		if err := ins.Add(quiet, maxPK, c.ID, c.CompanyName, nameKey, c.Domain, c.Country, c.Relationship, w.now, fp); err != nil {
			return err
		}
		for _, k := range domain.SearchKeys(nameKey, c.Domain) {
			if err := keys.Add(quiet, domain.KeyPrefix(k), nameKey, maxPK, k); err != nil {
				return err
			}
		}
		w.out.Created++
	}
	if err := ins.Flush(quiet); err != nil {
		return err
	}
	if err := keys.Flush(quiet); err != nil {
		return err
	}
	// The customers were inserted with their keys: new ones without go on after them.
	return w.s.Dialect.NextPK(ctx, tx, "customers", maxPK+1)
}

func (w *syncWriter) resellers(ctx context.Context) error {
	tx := w.tx
	type held struct {
		name, status, fp string
	}
	var ids []string
	for _, r := range w.step.Resellers {
		ids = append(ids, r.MPNID)
	}
	existing := map[string]held{}
	rows, err := tx.QueryContext(ctx, `SELECT mpn_id, name, status, pc_fingerprint FROM resellers WHERE mpn_id IN (SELECT value FROM `+w.json+`)`, jsonList(ids))
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var h held
		if err := rows.Scan(&id, &h.name, &h.status, &h.fp); err != nil {
			rows.Close()
			return err
		}
		existing[id] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var seen []string
	for _, r := range w.step.Resellers {
		w.out.Fetched++
		mpn, err := domain.ParseMPNID(r.MPNID)
		name := strings.TrimSpace(r.Name)
		if err == nil && name == "" {
			err = &domain.InvalidError{Field: "name", Reason: "is empty"}
		}
		if err != nil {
			w.problem("reseller %s (%s): %v", r.MPNID, r.Name, err)
			continue
		}
		seen = append(seen, mpn)
		fp := fingerprint(name)
		old, ok := existing[mpn]
		switch {
		case !ok:
			if _, err := tx.ExecContext(ctx, `INSERT INTO resellers(mpn_id, name, email, status, invited_at, accepted_at, pc_fingerprint)
				VALUES (?, ?, '', 'active', ?, ?, ?)`, mpn, name, w.now, w.now, fp); err != nil {
				return err
			}
			w.out.Created++
		case old.fp == fp && old.status == string(domain.ResellerActive):
			w.out.Unchanged++
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE resellers SET name = ?, status = 'active', removed_at = '', pc_fingerprint = ? WHERE mpn_id = ?`,
				name, fp, mpn); err != nil {
				return err
			}
			if old.name == name && old.status == string(domain.ResellerActive) {
				w.out.Unchanged++
				continue
			}
			w.out.Updated++
		}
	}
	return w.seen(ctx, seen)
}

// subscriptions applies the subscriptions of the customers named: each is created or
// updated by ID; one of theirs Partner Center had and no longer lists is marked deleted.
func (w *syncWriter) subscriptions(ctx context.Context) error {
	tx := w.tx
	pks := map[string]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT id, pk FROM customers WHERE id IN (SELECT value FROM `+w.json+`)`, jsonList(w.step.SubscriptionsOf))
	if err != nil {
		return err
	}
	var pkList []int64
	for rows.Next() {
		var id string
		var pk int64
		if err := rows.Scan(&id, &pk); err != nil {
			rows.Close()
			return err
		}
		pks[id] = pk
		pkList = append(pkList, pk)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	type held struct {
		pk       int64
		customer int64
		fp       string
		status   string
	}
	existing := map[string]held{}
	pkJSON, _ := json.Marshal(pkList)
	rows, err = tx.QueryContext(ctx, `SELECT id, pk, customer, pc_fingerprint, status FROM subscriptions WHERE customer IN (SELECT `+w.s.Dialect.CastInt("value")+` FROM `+w.json+`)`, string(pkJSON))
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var h held
		if err := rows.Scan(&id, &h.pk, &h.customer, &h.fp, &h.status); err != nil {
			rows.Close()
			return err
		}
		existing[id] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	quiet := context.WithoutCancel(ctx)
	ins, err := NewBatch(ctx, w.s.Dialect, tx, `INSERT INTO subscriptions(id, customer, offer, quantity, status, reseller_mpn_id, term_end, created_at, pc_fingerprint) VALUES`, 9, 100)
	if err != nil {
		return err
	}
	defer ins.Close()
	listed := map[string]bool{}
	for _, sub := range w.step.Subscriptions {
		w.out.Fetched++
		cpk, ok := pks[sub.CustomerID]
		offer := strings.TrimSpace(sub.Offer)
		switch {
		case !ok:
			w.problem("subscription %s: its customer %s is not in the workspace", sub.ID, sub.CustomerID)
			continue
		case sub.ID == "" || offer == "":
			w.problem("subscription %q of customer %s: no ID or offer", sub.ID, sub.CustomerID)
			continue
		case sub.Quantity < 1:
			w.problem("subscription %s (%s): quantity %d (pcctl holds subscriptions of at least 1)", sub.ID, offer, sub.Quantity)
			continue
		}
		status := strings.ToLower(strings.TrimSpace(sub.Status))
		if status == "" {
			status = "active"
		}
		termEnd := ""
		if !sub.TermEnd.IsZero() {
			termEnd = FormatTime(sub.TermEnd)
		}
		created := w.now
		if !sub.CreatedAt.IsZero() {
			created = FormatTime(sub.CreatedAt)
		}
		fp := fingerprint(sub.CustomerID, offer, fmt.Sprint(sub.Quantity), status, sub.ResellerMPNID, termEnd, created)
		listed[sub.ID] = true
		old, ok := existing[sub.ID]
		switch {
		case !ok:
			if err := ins.Add(quiet, sub.ID, cpk, offer, sub.Quantity, status, sub.ResellerMPNID, termEnd, created, fp); err != nil {
				return err
			}
			w.out.Created++
		case old.fp == fp:
			w.out.Unchanged++
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET customer = ?, offer = ?, quantity = ?, status = ?, reseller_mpn_id = ?,
				term_end = ?, created_at = ?, pc_fingerprint = ? WHERE pk = ?`, cpk, offer, sub.Quantity, status, sub.ResellerMPNID, termEnd, created, fp, old.pk); err != nil {
				return err
			}
			w.out.Updated++
		}
	}
	if err := ins.Flush(quiet); err != nil {
		return err
	}
	for id, h := range existing {
		if listed[id] || h.fp == "" || h.status == "deleted" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'deleted' WHERE pk = ?`, h.pk); err != nil {
			return err
		}
		w.out.Ended++
		w.out.EndedIDs = append(w.out.EndedIDs, id)
	}
	return nil
}

// finish marks ended what Partner Center had before and the pass did not see.
func (w *syncWriter) finish(ctx context.Context) error {
	tx := w.tx
	kind := string(w.step.Kind)
	var table, col, cond, set string
	switch w.step.Kind {
	case workspace.SyncCustomers:
		// A customer no longer in Partner Center: its relationship has ended (relationship
		// none: out of the default views, in --view ended), its history kept.
		table, col, cond, set = "customers", "id", "ended_at = ''", "ended_at = :now, relationship = 'none'"
	case workspace.SyncResellers:
		table, col, cond, set = "resellers", "mpn_id", "status = 'active'", "status = 'removed', removed_at = :now"
	default:
		return nil
	}
	notSeen := `NOT EXISTS (SELECT 1 FROM sync_seen s WHERE s.kind = :kind AND s.id = t.` + col + `)`
	if w.step.Kind == workspace.SyncCustomers {
		// Up to covered, only the missing ones (all of them after a pass in ID order).
		missing := `t.id IN (SELECT m.id FROM sync_missing m WHERE m.kind = :kind)`
		if w.cov.Ordered {
			notSeen = missing
		} else {
			notSeen += ` AND (t.id > :covered OR ` + missing + `)`
		}
	}
	if w.step.DryRun {
		// In batches: the IDs come one by one, never all held as strings.
		batch := make([]string, 0, 10000)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO sync_seen(kind, id) SELECT ?, value FROM `+w.json, kind, jsonList(batch))
			batch = batch[:0]
			return err
		}
		if w.step.Seen != nil {
			for id := range w.step.Seen {
				if batch = append(batch, id); len(batch) == cap(batch) {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
	}
	args := []any{sql.Named("now", w.now), sql.Named("kind", kind)}
	if strings.Contains(notSeen, ":covered") {
		args = append(args, sql.Named("covered", w.cov.Covered))
	}
	rows, err := tx.QueryContext(ctx, `UPDATE `+table+` AS t SET `+set+` WHERE pc_fingerprint <> '' AND `+cond+` AND `+notSeen+` RETURNING `+col, args...)
	if err != nil {
		return err
	}
	var ended []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ended = append(ended, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	w.out.Ended += len(ended)
	w.out.EndedIDs = append(w.out.EndedIDs, ended...)
	return nil
}

// existingByID maps the IDs of rows of table (by column col) that exist to their pk and
// fingerprint.
func (w *syncWriter) existingByID(ctx context.Context, table, col string, ids []string) (map[string][2]string, error) {
	out := map[string][2]string{}
	rows, err := w.tx.QueryContext(ctx, `SELECT `+col+`, pk, pc_fingerprint FROM `+table+` WHERE `+col+` IN (SELECT value FROM `+w.json+`)`, jsonList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, pk, fp string
		if err := rows.Scan(&id, &pk, &fp); err != nil {
			return nil, err
		}
		out[id] = [2]string{pk, fp}
	}
	return out, rows.Err()
}

// publishedDeals maps the referral IDs among ids that pcctl deal publish created to their
// deals' IDs.
func (w *syncWriter) publishedDeals(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	rows, err := w.tx.QueryContext(ctx, `SELECT p.referral_id, d.id FROM deal_publications p JOIN deals d ON d.pk = p.deal
		WHERE p.state = 'published' AND p.referral_id IN (SELECT value FROM `+w.json+`)`, jsonList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ref, id string
		if err := rows.Scan(&ref, &id); err != nil {
			return nil, err
		}
		out[ref] = id
	}
	return out, rows.Err()
}

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatTime(t)
}

// deals applies Partner Center's referrals: each created or updated by ID (its notes not
// yet held appended, local favorites and notes kept); a customer organisation is the
// customer of that tenant ID, else a prospect organisation found or created.
func (w *syncWriter) deals(ctx context.Context) error {
	tx := w.tx
	ids := make([]string, 0, len(w.step.Deals))
	for _, d := range w.step.Deals {
		ids = append(ids, d.ID)
	}
	// A referral pcctl deal publish created is the deal it was published from (its ID
	// stays the workspace's): Partner Center's fields update that deal.
	published, err := w.publishedDeals(ctx, ids)
	if err != nil {
		return err
	}
	for i := range w.step.Deals {
		if local, ok := published[w.step.Deals[i].ID]; ok {
			w.step.Deals[i].ID = local
			ids[i] = local
		}
	}
	existing, err := w.existingByID(ctx, "deals", "id", ids)
	if err != nil {
		return err
	}
	for _, d := range w.step.Deals {
		w.out.Fetched++
		d.ID = strings.TrimSpace(d.ID)
		if d.CreatedAt.IsZero() {
			d.CreatedAt = w.s.now().UTC().Truncate(time.Second)
		}
		if d.UpdatedAt.IsZero() {
			d.UpdatedAt = d.CreatedAt
		}
		if d.EngagementID == "" {
			d.EngagementID = EngagementID(d.ID)
		}
		if d.Currency == "" {
			d.Currency = "USD"
		}
		if d.Value == "" {
			d.Value = "0"
		}
		err := NormalizeDeal(&d)
		if err == nil && d.ID == "" {
			err = &domain.InvalidError{Field: "id", Reason: "is empty"}
		}
		if err != nil {
			w.problem("deal %s (%s): %v", d.ID, d.Name, err)
			continue
		}
		fpJSON, _ := json.Marshal(struct {
			N, Dir, Ty, St, Sub, Cust, Org, Ctry, V, Cur, Reason, Eng string
			C                                                         domain.Contact
			Consent                                                   bool
			Created, Updated, Expires, Close                          string
			Sol                                                       []domain.Solution
			Team                                                      []string
			Notes                                                     []domain.Note
		}{d.Name, string(d.Direction), string(d.Type), string(d.Status), string(d.Substatus), d.CustomerID, d.Organization, d.OrgCountry,
			d.Value, d.Currency, d.StatusReason, d.EngagementID, d.Contact, d.Consent, optTime(d.CreatedAt), optTime(d.UpdatedAt),
			optTime(d.ExpiresAt), optTime(d.CloseDate), d.Solutions, d.Team, d.Notes})
		fp := fingerprint(string(fpJSON))
		old, held := existing[d.ID]
		if held && old[1] == fp {
			w.out.Unchanged++
			continue
		}
		customer, org, err := w.s.Organization(ctx, tx, &d)
		if err != nil {
			w.problem("deal %s (%s): %v", d.ID, d.Name, err)
			continue
		}
		var pk int64
		if held {
			fmt.Sscan(old[0], &pk)
			if _, err := tx.ExecContext(ctx, `UPDATE deals SET name = ?, direction = ?, type = ?, status = ?, substatus = ?, customer = ?,
				organization = ?, value = ?, currency = ?, contact_name = ?, contact_email = ?, contact_phone = ?, consent = ?,
				close_date = ?, status_reason = ?, created_at = ?, updated_at = ?, expires_at = ?, engagement_id = ?,
				pc_fingerprint = ?, version = version + 1 WHERE pk = ?`,
				d.Name, d.Direction, d.Type, d.Status, d.Substatus, customer, org, d.Value, d.Currency, d.Contact.Name, d.Contact.Email,
				d.Contact.Phone, d.Consent, optTime(d.CloseDate), d.StatusReason, FormatTime(d.CreatedAt), FormatTime(d.UpdatedAt),
				optTime(d.ExpiresAt), d.EngagementID, fp, pk); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM deal_team WHERE deal = ?`, pk); err != nil {
				return err
			}
			w.out.Updated++
		} else {
			var err error
			pk, err = w.s.Dialect.InsertPK(ctx, tx, `INSERT INTO deals(id, name, direction, type, status, substatus, customer, organization,
				value, currency, contact_name, contact_email, contact_phone, consent, close_date, status_reason, created_at, updated_at,
				expires_at, engagement_id, pc_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				d.ID, d.Name, d.Direction, d.Type, d.Status, d.Substatus, customer, org, d.Value, d.Currency, d.Contact.Name,
				d.Contact.Email, d.Contact.Phone, d.Consent, optTime(d.CloseDate), d.StatusReason, FormatTime(d.CreatedAt),
				FormatTime(d.UpdatedAt), optTime(d.ExpiresAt), d.EngagementID, fp)
			if err != nil {
				return err
			}
			w.out.Created++
		}
		if err := WriteSolutions(ctx, tx, pk, d.Solutions); err != nil {
			return err
		}
		for _, e := range d.Team {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO deal_team(deal, email) VALUES (?, ?)`, pk, e); err != nil {
				return err
			}
		}
		if err := syncNotes(ctx, tx, "deal_notes", "deal", pk, d.Notes, d.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

// requests applies Partner Center's service requests, each created or updated by its
// reference number (notes not yet held appended, favorites kept). A request for a
// customer the workspace does not hold is skipped.
func (w *syncWriter) requests(ctx context.Context) error {
	tx := w.tx
	ids := make([]string, 0, len(w.step.Requests))
	custIDs := make([]string, 0, len(w.step.Requests))
	for _, r := range w.step.Requests {
		ids = append(ids, r.Ref)
		custIDs = append(custIDs, strings.ToLower(r.CustomerID))
	}
	existing, err := w.existingByID(ctx, "service_requests", "ref", ids)
	if err != nil {
		return err
	}
	customers, err := w.existingByID(ctx, "customers", "id", custIDs)
	if err != nil {
		return err
	}
	for _, r := range w.step.Requests {
		w.out.Fetched++
		cust, ok := customers[strings.ToLower(r.CustomerID)]
		var problem string
		switch {
		case len(r.Ref) != 15:
			problem = "its reference number is not 15 digits"
		case !ok:
			problem = fmt.Sprintf("its customer %s is not in the workspace", r.CustomerID)
		case r.Severity != domain.SeverityCritical && r.Severity != domain.SeverityModerate && r.Severity != domain.SeverityMinimal:
			problem = fmt.Sprintf("severity %q is not critical, moderate or minimal", r.Severity)
		case r.Status != domain.RequestOpen && r.Status != domain.RequestClosed && r.Status != domain.RequestAttentionNeeded:
			problem = fmt.Sprintf("status %q is not open, attention_needed or closed", r.Status)
		case strings.TrimSpace(r.Title) == "":
			problem = "it has no title"
		}
		if problem != "" {
			w.problem("service request %s: %s", r.Ref, problem)
			continue
		}
		if r.CreatedAt.IsZero() {
			r.CreatedAt = w.s.now().UTC().Truncate(time.Second)
		}
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = r.CreatedAt
		}
		closed := ""
		if r.ClosedAt.Year() > 1 {
			closed = FormatTime(r.ClosedAt)
		}
		fpJSON, _ := json.Marshal([]any{r.CustomerID, r.Title, r.Description, r.Severity, r.Status, r.Topic, r.ContactEmail,
			FormatTime(r.CreatedAt), FormatTime(r.UpdatedAt), closed, r.Notes})
		fp := fingerprint(string(fpJSON))
		old, held := existing[r.Ref]
		if held && old[1] == fp {
			w.out.Unchanged++
			continue
		}
		var pk int64
		if held {
			fmt.Sscan(old[0], &pk)
			if _, err := tx.ExecContext(ctx, `UPDATE service_requests SET customer = ?, title = ?, description = ?, severity = ?, status = ?,
				topic = ?, contact_email = ?, created_at = ?, updated_at = ?, closed_at = ?, pc_fingerprint = ? WHERE pk = ?`,
				cust[0], r.Title, r.Description, r.Severity, r.Status, r.Topic, r.ContactEmail, FormatTime(r.CreatedAt),
				FormatTime(r.UpdatedAt), closed, fp, pk); err != nil {
				return err
			}
			w.out.Updated++
		} else {
			var err error
			pk, err = w.s.Dialect.InsertPK(ctx, tx, `INSERT INTO service_requests(ref, customer, title, description, severity, status, topic,
				contact_email, created_at, updated_at, closed_at, pc_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.Ref, cust[0], r.Title, r.Description, r.Severity, r.Status, r.Topic, r.ContactEmail, FormatTime(r.CreatedAt),
				FormatTime(r.UpdatedAt), closed, fp)
			if err != nil {
				return err
			}
			w.out.Created++
		}
		if err := syncNotes(ctx, tx, "request_notes", "request", pk, r.Notes, r.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// syncNotes appends Partner Center's notes of a deal or service request (table deal_notes
// or request_notes, whose record column is col) that the record does not hold yet, by
// their text; a note without author is Partner Center's, one without date the record's.
func syncNotes(ctx context.Context, tx Tx, table, col string, pk int64, notes []domain.Note, created time.Time) error {
	for _, n := range notes {
		text := strings.TrimSpace(n.Text)
		if text == "" {
			continue
		}
		author, at := n.Author, n.CreatedAt
		if author == "" {
			author = "Partner Center"
		}
		if at.IsZero() {
			at = created
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+`(`+col+`, author, created_at, text)
			SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM `+table+` WHERE `+col+` = ? AND text = ?)`,
			pk, author, FormatTime(at), text, pk, text); err != nil {
			return err
		}
	}
	return nil
}
