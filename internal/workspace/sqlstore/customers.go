package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// CustomerCols are the columns ScanCustomer reads, prefixed with the table alias c.
const CustomerCols = `c.pk, c.id, c.company_name, c.domain, c.country, c.reseller_mpn_id,
	c.relationship, c.created_at, c.admin_account, c.purchases_allowed`

// UserCols adds the principal's state; the query binds the user as :user.
const UserCols = CustomerCols + `,
	(SELECT flagged_at FROM customer_flags f WHERE f.customer = c.pk AND f.user = :user),
	EXISTS (SELECT 1 FROM customer_pins p WHERE p.customer = c.pk AND p.user = :user)`

type Scanner interface{ Scan(...any) error }

func ScanCustomer(r Scanner, extra ...any) (pk int64, c workspace.CustomerRecord, err error) {
	var created string
	var flaggedAt sql.NullString
	dest := []any{&pk, &c.ID, &c.CompanyName, &c.Domain, &c.Country, &c.ResellerMPNID,
		&c.Relationship, &created, &c.AdminAccount, &c.PurchasesAllowed, &flaggedAt, &c.Pinned}
	err = r.Scan(append(dest, extra...)...)
	c.CreatedAt = ParseTime(created)
	if flaggedAt.Valid {
		c.Flagged, c.FlaggedAt = true, ParseTime(flaggedAt.String)
	}
	return pk, c, err
}

// FindCustomer looks a customer up by tenant ID or domain.
func (s *Session) FindCustomer(ctx context.Context, q Reader, ref string) (int64, workspace.CustomerRecord, error) {
	col, val := "domain", strings.ToLower(strings.TrimSpace(ref))
	if id, err := domain.ParseTenantID(ref); err == nil {
		col, val = "id", id
	}
	row := q.QueryRowContext(ctx, "SELECT "+UserCols+" FROM customers c WHERE c."+col+" = :ref",
		sql.Named("user", s.Who.User), sql.Named("ref", val))
	pk, c, err := ScanCustomer(row)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, c, &domain.NotFoundError{Kind: "customer", Ref: ref}
	}
	return pk, c, err
}

func (s *Session) Customer(ctx context.Context, ref string) (workspace.CustomerRecord, error) {
	if err := s.Who.Require(domain.PermReadCustomers); err != nil {
		return workspace.CustomerRecord{}, err
	}
	_, c, err := s.FindCustomer(ctx, s.Pool, ref)
	return c, err
}

func (s *Session) OpenCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, error) {
	if err := s.Who.Require(domain.PermReadCustomers); err != nil {
		return workspace.CustomerRecord{}, err
	}
	var c workspace.CustomerRecord
	err := s.WriteTx(ctx, func(tx Tx) error {
		pk, found, err := s.FindCustomer(ctx, tx, ref)
		if err != nil {
			return err
		}
		c = found
		now := s.now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM customer_opens WHERE user = ? AND opened_at < ?`,
			s.Who.User, FormatTime(domain.RecentSince(now))); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO customer_opens(user, customer, opened_at) VALUES (?, ?, ?)`,
			s.Who.User, pk, FormatTime(now))
		return err
	})
	return c, err
}

func (s *Session) CountCustomers(ctx context.Context) (int, error) {
	var n int
	err := s.Pool.QueryRowContext(ctx, "SELECT count(*) FROM customers").Scan(&n)
	return n, err
}

func (s *Session) AddCustomer(ctx context.Context, c domain.Customer, passwordHash string) (workspace.CustomerRecord, error) {
	if err := s.Who.Require(domain.PermWriteCustomers); err != nil {
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
		id, err := uuid.NewRandomFromReader(s.Random)
		if err != nil {
			return workspace.CustomerRecord{}, fmt.Errorf("generating the tenant ID: %w", err)
		}
		c.ID = id.String()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now().UTC().Truncate(1e9)
	}
	var out workspace.CustomerRecord
	err = s.WriteTx(ctx, func(tx Tx) error {
		if c.ResellerMPNID != "" {
			// Customers are added on behalf of active resellers only (004).
			if err := s.ActiveReseller(ctx, tx, c.ResellerMPNID, "given customers"); err != nil {
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
		pk, err := InsertCustomer(ctx, s.Dialect, tx, c, passwordHash)
		if err != nil {
			return err
		}
		if err := InsertKeys(ctx, tx, pk, c); err != nil {
			return err
		}
		out = workspace.CustomerRecord{Customer: c}
		return s.Audit(ctx, tx, "customer.add", AuditCustomer, c.ID, nil, CustomerState(c))
	})
	return out, err
}

// InsertCustomer writes a new customer row and returns its pk.
func InsertCustomer(ctx context.Context, d Dialect, tx Tx, c domain.Customer, passwordHash string) (int64, error) {
	return d.InsertPK(ctx, tx, `INSERT INTO customers(id, company_name, name_key, domain, country,
		reseller_mpn_id, relationship, created_at, admin_account, admin_password_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.CompanyName, domain.Fold(c.CompanyName), c.Domain, c.Country, c.ResellerMPNID,
		c.Relationship, FormatTime(c.CreatedAt), c.AdminAccount, passwordHash)
}

// InsertKeys writes the search keys of a customer (see domain.SearchKeys).
func InsertKeys(ctx context.Context, tx Tx, pk int64, c domain.Customer) error {
	nameKey := domain.Fold(c.CompanyName)
	for _, k := range domain.SearchKeys(nameKey, c.Domain) {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO customer_search(prefix, name_key, customer, key) VALUES (?, ?, ?, ?)`,
			domain.KeyPrefix(k), nameKey, pk, k); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) ListCustomers(ctx context.Context, q workspace.ListQuery, each func(workspace.CustomerRecord) error) error {
	if err := s.Who.Require(domain.PermReadCustomers); err != nil {
		return err
	}
	var from, order string
	args := []any{sql.Named("user", s.Who.User)}
	switch q.View {
	case domain.ViewFlagged:
		from = "customer_flags v JOIN customers c ON c.pk = v.customer AND v.user = :user"
	case domain.ViewRecent:
		from = `(SELECT customer, count(*) AS opens, max(opened_at) AS last FROM customer_opens
			WHERE user = :user AND opened_at >= :since GROUP BY customer
			ORDER BY opens DESC, last DESC, customer LIMIT :recent) v JOIN customers c ON c.pk = v.customer`
		args = append(args, sql.Named("since", FormatTime(domain.RecentSince(s.now()))),
			sql.Named("recent", domain.RecentLimit))
	default:
		from = "customers c"
	}
	// An ended relationship (relationship "none") shows only in its own view.
	ended := "c.relationship <> 'none'"
	if q.View == domain.ViewEnded {
		ended = "c.relationship = 'none'"
	}
	cols := UserCols
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
			if err := AfterKeys(ctx, s.Pool, "customer", q.After, `SELECT created_at, pk FROM customers WHERE id = ?`, &at, &pk); err != nil {
				return err
			}
			conds = append(conds, "c.created_at <= :a1 AND (c.created_at, c.pk) < (:a1, :a2)")
			args = append(args, sql.Named("a1", at), sql.Named("a2", pk))
		} else {
			var key, name, id string
			if err := AfterKeys(ctx, s.Pool, "customer", q.After, `SELECT name_key, company_name, id FROM customers WHERE id = ?`, &key, &name, &id); err != nil {
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
	rows, err := s.Pool.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var opens int
		_, c, err := ScanCustomer(rows, &opens)
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

func (s *Session) FlagCustomer(ctx context.Context, ref string) (workspace.FlagResult, error) {
	if err := s.Who.Require(domain.PermFlagCustomers); err != nil {
		return workspace.FlagResult{}, err
	}
	var res workspace.FlagResult
	err := s.WriteTx(ctx, func(tx Tx) error {
		pk, c, err := s.FindCustomer(ctx, tx, ref)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT f.seq, c.id, f.flagged_at FROM customer_flags f
			JOIN customers c ON c.pk = f.customer WHERE f.user = ?`, s.Who.User)
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
			f.FlaggedAt = ParseTime(at)
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
			epk, evicted, err := s.FindCustomer(ctx, tx, plan.Evict.CustomerID)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM customer_flags WHERE user = ? AND customer = ?`, s.Who.User, epk); err != nil {
				return err
			}
			if err := s.Audit(ctx, tx, "customer.unflag", AuditCustomer, evicted.ID, FlagState(evicted),
				State{{"flagged", false}, {"flaggedAt", time.Time{}},
					{"reason", fmt.Sprintf("at most %d flags: unflagged to flag %s", domain.MaxFlags, c.ID)}}); err != nil {
				return err
			}
			evicted.Flagged = false // FlaggedAt still says when it was flagged
			res.Unflagged = &evicted
		}
		now := s.now().UTC().Truncate(1e9)
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_flags(user, customer, flagged_at) VALUES (?, ?, ?)`,
			s.Who.User, pk, FormatTime(now)); err != nil {
			return err
		}
		before := FlagState(c)
		c.Flagged, c.FlaggedAt = true, now
		res.Customer = c
		return s.Audit(ctx, tx, "customer.flag", AuditCustomer, c.ID, before, FlagState(c))
	})
	return res, err
}

func (s *Session) UnflagCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, bool, error) {
	if err := s.Who.Require(domain.PermFlagCustomers); err != nil {
		return workspace.CustomerRecord{}, false, err
	}
	return s.toggle(ctx, ref, "customer.unflag", FlagState, `DELETE FROM customer_flags WHERE user = ? AND customer = ?`,
		func(c *workspace.CustomerRecord) { c.Flagged = false })
}

func (s *Session) PinCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, bool, error) {
	if err := s.Who.Require(domain.PermReadCustomers); err != nil {
		return workspace.CustomerRecord{}, false, err
	}
	now := FormatTime(s.now())
	return s.toggle(ctx, ref, "customer.pin", PinState, `INSERT OR IGNORE INTO customer_pins(user, customer, pinned_at) VALUES (?, ?, '`+now+`')`,
		func(c *workspace.CustomerRecord) { c.Pinned = true })
}

func (s *Session) UnpinCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, bool, error) {
	if err := s.Who.Require(domain.PermReadCustomers); err != nil {
		return workspace.CustomerRecord{}, false, err
	}
	return s.toggle(ctx, ref, "customer.unpin", PinState, `DELETE FROM customer_pins WHERE user = ? AND customer = ?`,
		func(c *workspace.CustomerRecord) { c.Pinned = false })
}

// toggle runs a one-row change of the principal's state on a customer and reports whether
// it changed anything; a change is recorded as action, with the states st gives.
func (s *Session) toggle(ctx context.Context, ref, action string, st func(workspace.CustomerRecord) State, stmt string,
	apply func(*workspace.CustomerRecord)) (workspace.CustomerRecord, bool, error) {
	var c workspace.CustomerRecord
	var changed bool
	err := s.WriteTx(ctx, func(tx Tx) error {
		pk, found, err := s.FindCustomer(ctx, tx, ref)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, stmt, s.Who.User, pk)
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
		return s.Audit(ctx, tx, action, AuditCustomer, c.ID, st(found), st(c))
	})
	return c, changed, err
}

// InfoCounts fills in what workspace.Info counts, and the Partner Center tenant the
// workspace is linked to; the store gives the rest (location, size, versions).
func (s *Session) InfoCounts(ctx context.Context, info *workspace.Info) error {
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
			args = append(args, s.Who.User)
		}
		if err := s.Pool.QueryRowContext(ctx, c.query, args...).Scan(&n); err != nil {
			return err
		}
		info.Counts[c.name] = n
	}
	err := s.Pool.QueryRowContext(ctx, `SELECT tenant, tenant_name FROM sync_link`).Scan(&info.PartnerTenant, &info.PartnerName)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}
