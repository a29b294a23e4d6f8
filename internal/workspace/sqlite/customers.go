package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// customerCols are the columns scanCustomer reads, prefixed with the table alias c.
const customerCols = `c.pk, c.id, c.company_name, c.domain, c.country, c.reseller_mpn_id,
	c.relationship, c.created_at, c.admin_account, c.purchases_allowed`

// userCols adds the principal's state; the query binds the user as :user.
const userCols = customerCols + `,
	(SELECT flagged_at FROM customer_flags f WHERE f.customer = c.pk AND f.user = :user),
	EXISTS (SELECT 1 FROM customer_pins p WHERE p.customer = c.pk AND p.user = :user)`

type scanner interface{ Scan(...any) error }

func scanCustomer(r scanner, extra ...any) (pk int64, c workspace.CustomerRecord, err error) {
	var created string
	var flaggedAt sql.NullString
	dest := []any{&pk, &c.ID, &c.CompanyName, &c.Domain, &c.Country, &c.ResellerMPNID,
		&c.Relationship, &created, &c.AdminAccount, &c.PurchasesAllowed, &flaggedAt, &c.Pinned}
	err = r.Scan(append(dest, extra...)...)
	c.CreatedAt = parseTime(created)
	if flaggedAt.Valid {
		c.Flagged, c.FlaggedAt = true, parseTime(flaggedAt.String)
	}
	return pk, c, err
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// findCustomer looks a customer up by tenant ID or domain.
func (s *session) findCustomer(ctx context.Context, q querier, ref string) (int64, workspace.CustomerRecord, error) {
	col, val := "domain", strings.ToLower(strings.TrimSpace(ref))
	if id, err := domain.ParseTenantID(ref); err == nil {
		col, val = "id", id
	}
	row := q.QueryRowContext(ctx, "SELECT "+userCols+" FROM customers c WHERE c."+col+" = :ref",
		sql.Named("user", s.who.User), sql.Named("ref", val))
	pk, c, err := scanCustomer(row)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, c, &domain.NotFoundError{Kind: "customer", Ref: ref}
	}
	return pk, c, err
}

func (s *session) Customer(ctx context.Context, ref string) (workspace.CustomerRecord, error) {
	if err := s.who.Require(domain.PermReadCustomers); err != nil {
		return workspace.CustomerRecord{}, err
	}
	_, c, err := s.findCustomer(ctx, s.db, ref)
	return c, err
}

func (s *session) OpenCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, error) {
	if err := s.who.Require(domain.PermReadCustomers); err != nil {
		return workspace.CustomerRecord{}, err
	}
	if s.readOnly {
		// On read-only media the customer is shown; the access cannot be recorded.
		return s.Customer(ctx, ref)
	}
	var c workspace.CustomerRecord
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		pk, found, err := s.findCustomer(ctx, tx, ref)
		if err != nil {
			return err
		}
		c = found
		now := s.now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM customer_opens WHERE user = ? AND opened_at < ?`,
			s.who.User, formatTime(domain.RecentSince(now))); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO customer_opens(user, customer, opened_at) VALUES (?, ?, ?)`,
			s.who.User, pk, formatTime(now))
		return err
	})
	return c, err
}

func (s *session) CountCustomers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM customers").Scan(&n)
	return n, err
}

func (s *session) AddCustomer(ctx context.Context, c domain.Customer, passwordHash string) (workspace.CustomerRecord, error) {
	if err := s.who.Require(domain.PermWriteCustomers); err != nil {
		return workspace.CustomerRecord{}, err
	}
	c, err := domain.NormalizeCustomer(c)
	if err != nil {
		return workspace.CustomerRecord{}, err
	}
	if err := domain.CheckPasswordHash(passwordHash); err != nil {
		return workspace.CustomerRecord{}, err
	}
	if c.ID == "" {
		id, err := uuid.NewRandomFromReader(s.core.Random)
		if err != nil {
			return workspace.CustomerRecord{}, fmt.Errorf("generating the tenant ID: %w", err)
		}
		c.ID = id.String()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now().UTC().Truncate(1e9)
	}
	var out workspace.CustomerRecord
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		if c.ResellerMPNID != "" {
			// Customers are added on behalf of active resellers only (004).
			if err := s.activeReseller(ctx, tx, c.ResellerMPNID, "given customers"); err != nil {
				return err
			}
		}
		var other string
		err := tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE id = ? OR domain = ?`, c.ID, c.Domain).Scan(&other)
		if err == nil {
			if other == c.ID {
				return &domain.RuleError{Rule: "unique-id", Msg: fmt.Sprintf("a customer with ID %s already exists", c.ID)}
			}
			return &domain.RuleError{Rule: "unique-domain", Msg: fmt.Sprintf("domain %s is already the primary domain of customer %s", c.Domain, other)}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		pk, err := insertCustomer(ctx, tx, c, passwordHash)
		if err != nil {
			return err
		}
		if err := insertKeys(ctx, tx, pk, c); err != nil {
			return err
		}
		out = workspace.CustomerRecord{Customer: c}
		return s.audit(ctx, tx, "customer.add", auditCustomer, c.ID, nil, customerState(c))
	})
	return out, err
}

func insertCustomer(ctx context.Context, tx *sql.Tx, c domain.Customer, passwordHash string) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO customers(id, company_name, name_key, domain, country,
		reseller_mpn_id, relationship, created_at, admin_account, admin_password_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.CompanyName, domain.Fold(c.CompanyName), c.Domain, c.Country, c.ResellerMPNID,
		c.Relationship, formatTime(c.CreatedAt), c.AdminAccount, passwordHash)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// insertKeys writes the search keys of a customer (see domain.SearchKeys).
func insertKeys(ctx context.Context, tx *sql.Tx, pk int64, c domain.Customer) error {
	nameKey := domain.Fold(c.CompanyName)
	for _, k := range domain.SearchKeys(nameKey, c.Domain) {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO customer_search(prefix, name_key, customer, key) VALUES (?, ?, ?, ?)`,
			domain.KeyPrefix(k), nameKey, pk, k); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) ListCustomers(ctx context.Context, q workspace.ListQuery, each func(workspace.CustomerRecord) error) error {
	if err := s.who.Require(domain.PermReadCustomers); err != nil {
		return err
	}
	var from, order string
	args := []any{sql.Named("user", s.who.User)}
	switch q.View {
	case domain.ViewFlagged:
		from = "customer_flags v JOIN customers c ON c.pk = v.customer AND v.user = :user"
	case domain.ViewRecent:
		from = `(SELECT customer, count(*) AS opens, max(opened_at) AS last FROM customer_opens
			WHERE user = :user AND opened_at >= :since GROUP BY customer
			ORDER BY opens DESC, last DESC, customer LIMIT :recent) v JOIN customers c ON c.pk = v.customer`
		args = append(args, sql.Named("since", formatTime(domain.RecentSince(s.now()))),
			sql.Named("recent", domain.RecentLimit))
	default:
		from = "customers c"
	}
	// An ended relationship (relationship "none") shows only in its own view.
	ended := "c.relationship <> 'none'"
	if q.View == domain.ViewEnded {
		ended = "c.relationship = 'none'"
	}
	cols := userCols
	if q.View == domain.ViewRecent {
		cols += ", v.opens"
	} else {
		cols += ", 0"
	}
	conds := []string{ended}
	if q.Reseller != "" {
		conds = append(conds, "c.reseller_mpn_id = :reseller")
		args = append(args, sql.Named("reseller", q.Reseller))
	}
	byCreated := q.Sort == domain.SortCreated
	switch {
	case byCreated:
		order = "c.created_at DESC, c.pk DESC"
	case q.Sort == "" && q.View == domain.ViewRecent:
		order = "v.opens DESC, v.last DESC, c.pk"
	default:
		order = "c.name_key, c.company_name, c.id"
	}
	if q.After != "" {
		if q.View == domain.ViewRecent {
			return &domain.InvalidError{Field: "after", Value: q.After, Reason: "cannot resume the recent view, which is ranked: ask for it whole"}
		}
		if byCreated {
			var at string
			var pk int64
			if err := afterKeys(ctx, s.db, "customer", q.After, `SELECT created_at, pk FROM customers WHERE id = ?`, &at, &pk); err != nil {
				return err
			}
			conds = append(conds, "c.created_at <= :a1 AND (c.created_at, c.pk) < (:a1, :a2)")
			args = append(args, sql.Named("a1", at), sql.Named("a2", pk))
		} else {
			var key, name, id string
			if err := afterKeys(ctx, s.db, "customer", q.After, `SELECT name_key, company_name, id FROM customers WHERE id = ?`, &key, &name, &id); err != nil {
				return err
			}
			conds = append(conds, "c.name_key >= :a1 AND (c.name_key, c.company_name, c.id) > (:a1, :a2, :a3)")
			args = append(args, sql.Named("a1", key), sql.Named("a2", name), sql.Named("a3", id))
		}
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	query := "SELECT " + cols + " FROM " + from + where + " ORDER BY " + order
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var opens int
		_, c, err := scanCustomer(rows, &opens)
		if err != nil {
			return err
		}
		c.Opens = opens
		if err := each(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *session) FlagCustomer(ctx context.Context, ref string) (workspace.FlagResult, error) {
	if err := s.who.Require(domain.PermFlagCustomers); err != nil {
		return workspace.FlagResult{}, err
	}
	var res workspace.FlagResult
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		pk, c, err := s.findCustomer(ctx, tx, ref)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT f.seq, c.id, f.flagged_at FROM customer_flags f
			JOIN customers c ON c.pk = f.customer WHERE f.user = ?`, s.who.User)
		if err != nil {
			return err
		}
		var current []domain.Flag
		for rows.Next() {
			var f domain.Flag
			var at string
			if err := rows.Scan(&f.Seq, &f.CustomerID, &at); err != nil {
				rows.Close()
				return err
			}
			f.FlaggedAt = parseTime(at)
			current = append(current, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		plan := domain.PlanFlag(current, c.ID)
		if plan.AlreadyFlagged {
			res = workspace.FlagResult{Customer: c, AlreadyFlagged: true}
			return nil
		}
		if plan.Evict != nil {
			epk, evicted, err := s.findCustomer(ctx, tx, plan.Evict.CustomerID)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM customer_flags WHERE user = ? AND customer = ?`, s.who.User, epk); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, "customer.unflag", auditCustomer, evicted.ID, flagState(evicted),
				state{{"flagged", false}, {"flaggedAt", time.Time{}},
					{"reason", fmt.Sprintf("at most %d flags: unflagged to flag %s", domain.MaxFlags, c.ID)}}); err != nil {
				return err
			}
			evicted.Flagged = false // FlaggedAt still says when it was flagged
			res.Unflagged = &evicted
		}
		now := s.now().UTC().Truncate(1e9)
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_flags(user, customer, flagged_at) VALUES (?, ?, ?)`,
			s.who.User, pk, formatTime(now)); err != nil {
			return err
		}
		before := flagState(c)
		c.Flagged, c.FlaggedAt = true, now
		res.Customer = c
		return s.audit(ctx, tx, "customer.flag", auditCustomer, c.ID, before, flagState(c))
	})
	return res, err
}

func (s *session) UnflagCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, bool, error) {
	if err := s.who.Require(domain.PermFlagCustomers); err != nil {
		return workspace.CustomerRecord{}, false, err
	}
	return s.toggle(ctx, ref, "customer.unflag", flagState, `DELETE FROM customer_flags WHERE user = ? AND customer = ?`,
		func(c *workspace.CustomerRecord) { c.Flagged = false })
}

func (s *session) PinCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, bool, error) {
	if err := s.who.Require(domain.PermReadCustomers); err != nil {
		return workspace.CustomerRecord{}, false, err
	}
	now := formatTime(s.now())
	return s.toggle(ctx, ref, "customer.pin", pinState, `INSERT OR IGNORE INTO customer_pins(user, customer, pinned_at) VALUES (?, ?, '`+now+`')`,
		func(c *workspace.CustomerRecord) { c.Pinned = true })
}

func (s *session) UnpinCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, bool, error) {
	if err := s.who.Require(domain.PermReadCustomers); err != nil {
		return workspace.CustomerRecord{}, false, err
	}
	return s.toggle(ctx, ref, "customer.unpin", pinState, `DELETE FROM customer_pins WHERE user = ? AND customer = ?`,
		func(c *workspace.CustomerRecord) { c.Pinned = false })
}

// toggle runs a one-row change of the principal's state on a customer and reports whether
// it changed anything; a change is recorded as action, with the states st gives.
func (s *session) toggle(ctx context.Context, ref, action string, st func(workspace.CustomerRecord) state, stmt string,
	apply func(*workspace.CustomerRecord)) (workspace.CustomerRecord, bool, error) {
	var c workspace.CustomerRecord
	var changed bool
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		pk, found, err := s.findCustomer(ctx, tx, ref)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, stmt, s.who.User, pk)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		changed = n > 0
		c = found
		apply(&c)
		if !changed {
			return nil
		}
		return s.audit(ctx, tx, action, auditCustomer, c.ID, st(found), st(c))
	})
	return c, changed, err
}

func (s *session) Info(ctx context.Context) (workspace.Info, error) {
	info := workspace.Info{
		Location: s.path, Kind: "local", SchemaVersion: s.version, LatestSchema: LatestSchema,
		User: s.who.User, Counts: map[string]int{},
	}
	if st, err := os.Stat(s.path); err == nil {
		info.SizeBytes = st.Size()
		if wal, err := os.Stat(s.path + "-wal"); err == nil {
			info.SizeBytes += wal.Size()
		}
	}
	if s.version < LatestSchema {
		return info, nil // an older schema may lack tables: migrate first
	}
	counts := []struct{ name, query string }{
		{"customers", "SELECT count(*) FROM customers"},
		{"flagged", "SELECT count(*) FROM customer_flags WHERE user = ?"},
		{"pinned", "SELECT count(*) FROM customer_pins WHERE user = ?"},
		{"resellers", "SELECT count(*) FROM resellers WHERE status = 'active'"},
		{"subscriptions", "SELECT count(*) FROM subscriptions"},
	}
	for _, c := range counts {
		var n int
		var args []any
		if strings.Contains(c.query, "?") {
			args = append(args, s.who.User)
		}
		if err := s.db.QueryRowContext(ctx, c.query, args...).Scan(&n); err != nil {
			return info, err
		}
		info.Counts[c.name] = n
	}
	err := s.db.QueryRowContext(ctx, `SELECT tenant, tenant_name FROM sync_link`).Scan(&info.PartnerTenant, &info.PartnerName)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return info, err
	}
	return info, nil
}
