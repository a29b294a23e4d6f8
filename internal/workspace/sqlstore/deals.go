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

// Deals. Expiry (domain.ApplyExpiry) is applied in the database before any deal is read or
// written, so a deal is never seen New past its 14 days, and no background process is
// needed. Every write bumps the deal's version and updated_at; a caller that read version
// N may ask for its change to apply only to version N (optimistic concurrency).

// closeExpired closes the New deals whose expiry has passed, as domain.ApplyExpiry does.
func (s *Session) closeExpired(ctx context.Context, tx Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE deals SET status = 'Closed', substatus = 'Expired',
		updated_at = expires_at, version = version + 1
		WHERE status = 'New' AND expires_at <> '' AND expires_at <= ?`, FormatTime(s.now()))
	return err
}

const dealCols = `d.pk, d.id, d.name, d.direction, d.type, d.status, d.substatus,
	coalesce(c.id, ''), coalesce(c.company_name, o.name), coalesce(o.country, ''),
	d.value, d.currency, d.contact_name, d.contact_email, d.contact_phone, d.consent,
	d.seller_name, d.seller_email, d.seller_accepted, d.iot_oem, d.close_date, d.status_reason,
	d.created_at, d.updated_at, d.expires_at, d.version, d.engagement_id,
	EXISTS (SELECT 1 FROM deal_favorites f WHERE f.deal = d.pk AND f.user = :user)`

const dealFrom = ` FROM deals d LEFT JOIN customers c ON c.pk = d.customer LEFT JOIN organizations o ON o.pk = d.organization`

func scanDeal(sc Scanner) (int64, workspace.DealRecord, error) {
	var pk int64
	var r workspace.DealRecord
	d := &r.Deal
	var direction, typ, status, substatus, closeDate, created, updated, expires string
	err := sc.Scan(&pk, &d.ID, &d.Name, &direction, &typ, &status, &substatus, &d.CustomerID, &d.Organization,
		&d.OrgCountry, &d.Value, &d.Currency, &d.Contact.Name, &d.Contact.Email, &d.Contact.Phone, &d.Consent,
		&d.SellerName, &d.SellerEmail, &d.SellerAccepted, &d.IoTOEM, &closeDate, &d.StatusReason,
		&created, &updated, &expires, &d.Version, &d.EngagementID, &r.Favorite)
	d.Direction, d.Type = domain.DealDirection(direction), domain.DealType(typ)
	d.Status, d.Substatus = domain.DealStatus(status), domain.DealSubstatus(substatus)
	d.CloseDate, d.CreatedAt, d.UpdatedAt, d.ExpiresAt = ParseTime(closeDate), ParseTime(created), ParseTime(updated), ParseTime(expires)
	return pk, r, err
}

// loadDeal reads a deal with its solutions, team and notes.
func (s *Session) loadDeal(ctx context.Context, q Reader, id string) (int64, workspace.DealRecord, error) {
	pk, r, err := scanDeal(q.QueryRowContext(ctx, `SELECT `+dealCols+dealFrom+` WHERE d.id = :id`,
		sql.Named("user", s.Who.User), sql.Named("id", strings.TrimSpace(id))))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, r, &domain.NotFoundError{Kind: "deal", Ref: id}
	}
	if err != nil {
		return 0, r, err
	}
	rows, err := q.QueryContext(ctx, `SELECT source, id, quantity, unit_price FROM deal_solutions WHERE deal = ? ORDER BY position`, pk)
	if err != nil {
		return 0, r, err
	}
	for rows.Next() {
		var sol domain.Solution
		var src string
		if err := rows.Scan(&src, &sol.ID, &sol.Quantity, &sol.UnitPrice); err != nil {
			rows.Close()
			return 0, r, err
		}
		sol.Source = domain.SolutionSource(src)
		r.Solutions = append(r.Solutions, sol)
	}
	rows.Close()
	team, err := q.QueryContext(ctx, `SELECT email FROM deal_team WHERE deal = ? ORDER BY email`, pk)
	if err != nil {
		return 0, r, err
	}
	for team.Next() {
		var e string
		if err := team.Scan(&e); err != nil {
			team.Close()
			return 0, r, err
		}
		r.Team = append(r.Team, e)
	}
	team.Close()
	notes, err := q.QueryContext(ctx, `SELECT author, created_at, text FROM deal_notes WHERE deal = ? ORDER BY seq`, pk)
	if err != nil {
		return 0, r, err
	}
	defer notes.Close()
	for notes.Next() {
		var n domain.Note
		var at string
		if err := notes.Scan(&n.Author, &at, &n.Text); err != nil {
			return 0, r, err
		}
		n.CreatedAt = ParseTime(at)
		r.Notes = append(r.Notes, n)
	}
	return pk, r, notes.Err()
}

// Organization resolves the deal's organisation: a customer, or a prospect organisation
// found by name and country or created (kept and reused, issue 4).
func (s *Session) Organization(ctx context.Context, tx Tx, d *domain.Deal) (customer, org sql.NullInt64, err error) {
	if d.CustomerID != "" {
		pk, c, err := s.FindCustomer(ctx, tx, d.CustomerID)
		if err != nil {
			return customer, org, err
		}
		d.CustomerID, d.Organization, d.OrgCountry = c.ID, c.CompanyName, ""
		return sql.NullInt64{Int64: pk, Valid: true}, org, nil
	}
	name := strings.TrimSpace(d.Organization)
	if name == "" {
		return customer, org, &domain.InvalidError{Field: "organization", Reason: "is missing: name a customer, or a prospect organisation and its country"}
	}
	country, err := domain.ParseCountry(d.OrgCountry, false)
	if err != nil {
		return customer, org, err
	}
	key := domain.Fold(name)
	var pk int64
	err = tx.QueryRowContext(ctx, `SELECT pk, name FROM organizations WHERE name_key = ? AND country = ?`, key, country).Scan(&pk, &d.Organization)
	if errors.Is(err, sql.ErrNoRows) {
		pk, err = s.Dialect.InsertPK(ctx, tx, `INSERT INTO organizations(name, name_key, country, created_at) VALUES (?, ?, ?, ?)`,
			name, key, country, FormatTime(s.now()))
		if err != nil {
			return customer, org, err
		}
		d.Organization = name
	} else if err != nil {
		return customer, org, err
	}
	d.OrgCountry = country
	return customer, sql.NullInt64{Int64: pk, Valid: true}, nil
}

// NormalizeDeal checks and canonicalises the fields every deal has.
func NormalizeDeal(d *domain.Deal) error {
	d.Name = strings.TrimSpace(d.Name)
	var err error
	if d.Value, err = domain.ParseAmount(d.Value); err != nil {
		return err
	}
	if d.Currency, err = domain.ParseCurrency(d.Currency); err != nil {
		return err
	}
	for i, e := range d.Team {
		if d.Team[i], err = domain.ParseEmail(e); err != nil {
			return err
		}
	}
	if d.Contact.Email != "" {
		if d.Contact.Email, err = domain.ParseEmail(d.Contact.Email); err != nil {
			return &domain.InvalidError{Field: "contactEmail", Value: d.Contact.Email, Reason: "is not an email address"}
		}
	}
	return domain.CheckDeal(*d)
}

func (s *Session) CreateDeal(ctx context.Context, d domain.Deal) (workspace.DealRecord, error) {
	return s.insertDeal(ctx, "deal.create", domain.NewOutboundDeal(d, s.now().UTC().Truncate(time.Second)))
}

func (s *Session) ReceiveDeal(ctx context.Context, d domain.Deal) (workspace.DealRecord, error) {
	if strings.TrimSpace(d.SellerName) == "" {
		return workspace.DealRecord{}, &domain.InvalidError{Field: "sellerName", Reason: "is missing: an inbound deal comes from a Microsoft seller"}
	}
	email, err := domain.ParseEmail(d.SellerEmail)
	if err != nil {
		return workspace.DealRecord{}, &domain.InvalidError{Field: "sellerEmail", Value: d.SellerEmail, Reason: "is not an email address"}
	}
	d.SellerEmail = email
	return s.insertDeal(ctx, "deal.receive", domain.NewInboundDeal(d, s.now().UTC().Truncate(time.Second)))
}

func (s *Session) insertDeal(ctx context.Context, action string, d domain.Deal) (workspace.DealRecord, error) {
	var out workspace.DealRecord
	if err := s.Who.Require(domain.PermDeals); err != nil {
		return out, err
	}
	if err := NormalizeDeal(&d); err != nil {
		return out, err
	}
	d.ID = strings.TrimSpace(d.ID)
	if d.ID == "" {
		id, err := uuid.NewRandomFromReader(s.Random)
		if err != nil {
			return out, err
		}
		d.ID = id.String()
	}
	d.EngagementID = EngagementID(d.ID)
	err := s.WriteTx(ctx, func(tx Tx) error {
		customer, org, err := s.Organization(ctx, tx, &d)
		if err != nil {
			return err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM deals WHERE id = ?`, d.ID).Scan(&exists); err != nil {
			return err
		}
		if exists > 0 {
			return &domain.RuleError{Rule: "unique-deal-id", Msg: fmt.Sprintf("a deal with ID %s already exists", d.ID)}
		}
		closeDate, expires := "", ""
		if !d.CloseDate.IsZero() {
			closeDate = FormatTime(d.CloseDate)
		}
		if !d.ExpiresAt.IsZero() {
			expires = FormatTime(d.ExpiresAt)
		}
		pk, err := s.Dialect.InsertPK(ctx, tx, `INSERT INTO deals(id, name, direction, type, status, substatus, customer, organization,
			value, currency, contact_name, contact_email, contact_phone, consent, seller_name, seller_email, seller_accepted,
			iot_oem, close_date, created_at, updated_at, expires_at, engagement_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.Name, d.Direction, d.Type, d.Status, d.Substatus, customer, org, d.Value, d.Currency,
			d.Contact.Name, d.Contact.Email, d.Contact.Phone, d.Consent, d.SellerName, d.SellerEmail, d.SellerAccepted,
			d.IoTOEM, closeDate, FormatTime(d.CreatedAt), FormatTime(d.CreatedAt), expires, d.EngagementID)
		if err != nil {
			return err
		}
		if err := WriteSolutions(ctx, tx, pk, d.Solutions); err != nil {
			return err
		}
		for _, e := range d.Team {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO deal_team(deal, email) VALUES (?, ?)`, pk, e); err != nil {
				return err
			}
		}
		for _, n := range d.Notes {
			if err := s.insertNote(ctx, tx, pk, n.Text, d.CreatedAt); err != nil {
				return err
			}
		}
		if _, out, err = s.loadDeal(ctx, tx, d.ID); err != nil {
			return err
		}
		return s.Audit(ctx, tx, action, AuditDeal, out.ID, nil, DealState(out.Deal).With(Field{"notes", NoteTexts(out.Notes)}))
	})
	return out, err
}

func WriteSolutions(ctx context.Context, tx Tx, pk int64, sols []domain.Solution) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM deal_solutions WHERE deal = ?`, pk); err != nil {
		return err
	}
	for i, sol := range sols {
		if _, err := tx.ExecContext(ctx, `INSERT INTO deal_solutions(deal, position, source, id, quantity, unit_price) VALUES (?, ?, ?, ?, ?, ?)`,
			pk, i+1, sol.Source, sol.ID, sol.Quantity, sol.UnitPrice); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) insertNote(ctx context.Context, tx Tx, pk int64, text string, at time.Time) error {
	text = strings.TrimSpace(text)
	if err := domain.CheckMultilineText("note", text); err != nil {
		return err
	}
	if text == "" {
		return &domain.InvalidError{Field: "note", Reason: "is empty"}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO deal_notes(deal, author, created_at, text) VALUES (?, ?, ?, ?)`,
		pk, s.Who.User, FormatTime(at), text)
	return err
}

func (s *Session) Deal(ctx context.Context, id string) (workspace.DealRecord, error) {
	var out workspace.DealRecord
	if err := s.Who.Require(domain.PermDeals); err != nil {
		return out, err
	}
	err := s.WriteTx(ctx, func(tx Tx) error {
		if err := s.closeExpired(ctx, tx); err != nil {
			return err
		}
		var err error
		_, out, err = s.loadDeal(ctx, tx, id)
		return err
	})
	return out, err
}

func (s *Session) ListDeals(ctx context.Context, q workspace.DealQuery, each func(workspace.DealRecord) error) error {
	if err := s.Who.Require(domain.PermDeals); err != nil {
		return err
	}
	if err := s.WriteTx(ctx, func(tx Tx) error { return s.closeExpired(ctx, tx) }); err != nil {
		return err
	}
	where := []string{s.Dialect.True()}
	args := []any{sql.Named("user", s.Who.User)}
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if q.Status != "" {
		add("d.status = :status", sql.Named("status", string(q.Status)))
	}
	if q.Substatus != "" {
		add("d.substatus = :substatus", sql.Named("substatus", string(q.Substatus)))
	}
	if q.Direction != "" {
		add("d.direction = :direction", sql.Named("direction", string(q.Direction)))
	}
	if q.Type != "" {
		add("d.type = :type", sql.Named("type", string(q.Type)))
	}
	if q.Customer != "" {
		pk, _, err := s.FindCustomer(ctx, s.Pool, q.Customer)
		if err != nil {
			return err
		}
		add("d.customer = :customer", sql.Named("customer", pk))
	}
	if q.Favorites {
		where = append(where, "EXISTS (SELECT 1 FROM deal_favorites f WHERE f.deal = d.pk AND f.user = :user)")
	}
	if q.ExpiringWithin != nil {
		now := s.now()
		where = append(where, "d.status = 'New' AND d.expires_at <> '' AND d.expires_at > :now AND d.expires_at <= :until")
		args = append(args, sql.Named("now", FormatTime(now)), sql.Named("until", FormatTime(now.Add(*q.ExpiringWithin))))
	}
	order, col := "d.created_at DESC, d.pk DESC", "created_at"
	if q.Sort == "updated" {
		order, col = "d.updated_at DESC, d.pk DESC", "updated_at"
	}
	if q.After != "" {
		var at string
		var pk int64
		if err := AfterKeys(ctx, s.Pool, "deal", q.After, `SELECT `+col+`, pk FROM deals WHERE id = ?`, &at, &pk); err != nil {
			return err
		}
		where = append(where, "d."+col+" <= :a1 AND (d."+col+", d.pk) < (:a1, :a2)")
		args = append(args, sql.Named("a1", at), sql.Named("a2", pk))
	}
	rows, err := s.Pool.QueryContext(ctx, `SELECT `+dealCols+dealFrom+` WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		_, r, err := scanDeal(rows)
		if err != nil {
			return err
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// changeDeal runs a change of one deal in a write transaction: expiry first, then the
// version check, then the rule of the status model for action, then apply, which writes
// the deal's content; the version and updated_at are bumped here. The change is recorded
// in the audit log as auditAction, with the fields of extra (a note added) after it.
func (s *Session) changeDeal(ctx context.Context, id string, action domain.DealAction, auditAction string, expectVersion int,
	apply func(tx Tx, pk int64, before, after *domain.Deal) error, extra ...Field) (workspace.DealRecord, error) {
	var out workspace.DealRecord
	if err := s.Who.Require(domain.PermDeals); err != nil {
		return out, err
	}
	err := s.WriteTx(ctx, func(tx Tx) error {
		if err := s.closeExpired(ctx, tx); err != nil {
			return err
		}
		pk, cur, err := s.loadDeal(ctx, tx, id)
		if err != nil {
			return err
		}
		if expectVersion != 0 && cur.Version != expectVersion {
			return &domain.RuleError{Rule: "stale", Msg: fmt.Sprintf(
				"deal %s changed since version %d (it is at version %d): show it again and retry", cur.ID, expectVersion, cur.Version)}
		}
		now := s.now().UTC().Truncate(time.Second)
		next, err := domain.Transition(cur.Deal, action, now)
		if err != nil {
			return err
		}
		before := DealState(cur.Deal)
		if err := apply(tx, pk, &cur.Deal, &next); err != nil {
			return err
		}
		expires := ""
		if !next.ExpiresAt.IsZero() {
			expires = FormatTime(next.ExpiresAt)
		}
		// A deal from Partner Center changed here is compared again by the next sync, even
		// if Partner Center is back at the values it last synced (see UpdateRequest).
		if _, err := tx.ExecContext(ctx, `UPDATE deals SET status = ?, substatus = ?, seller_accepted = ?, expires_at = ?,
			status_reason = ?, updated_at = ?, version = version + 1,
			pc_fingerprint = CASE WHEN pc_fingerprint = '' THEN '' ELSE 'changed here' END WHERE pk = ?`,
			next.Status, next.Substatus, next.SellerAccepted, expires, next.StatusReason, FormatTime(now), pk); err != nil {
			return err
		}
		if _, out, err = s.loadDeal(ctx, tx, id); err != nil {
			return err
		}
		return s.Audit(ctx, tx, auditAction, AuditDeal, out.ID, before, DealState(out.Deal).With(extra...))
	})
	return out, err
}

func (s *Session) ActOnDeal(ctx context.Context, id string, action domain.DealAction, reason string, expectVersion int) (workspace.DealRecord, error) {
	if action == domain.ActEdit || action == domain.ActExpire {
		return workspace.DealRecord{}, fmt.Errorf("ActOnDeal: %s is not an action a user takes", action)
	}
	return s.changeDeal(ctx, id, action, "deal."+string(action), expectVersion, func(tx Tx, pk int64, before, after *domain.Deal) error {
		if r := strings.TrimSpace(reason); r != "" {
			if err := domain.CheckText("reason", r); err != nil {
				return err
			}
			after.StatusReason = r
		}
		return nil
	})
}

func (s *Session) UpdateDeal(ctx context.Context, id string, ch workspace.DealChange, expectVersion int) (workspace.DealRecord, error) {
	return s.changeDeal(ctx, id, domain.ActEdit, "deal.update", expectVersion, func(tx Tx, pk int64, before, after *domain.Deal) error {
		if ch.Name != nil {
			after.Name = *ch.Name
		}
		if ch.Value != nil {
			after.Value = *ch.Value
		}
		if ch.Currency != nil {
			after.Currency = *ch.Currency
		}
		if ch.Contact != nil {
			after.Contact = *ch.Contact
		}
		for _, rm := range ch.RemoveSolutions {
			kept := after.Solutions[:0:0]
			for _, sol := range after.Solutions {
				if sol.ID != rm {
					kept = append(kept, sol)
				}
			}
			if len(kept) == len(after.Solutions) {
				return &domain.InvalidError{Field: "solution", Value: rm, Reason: "is not on the deal"}
			}
			after.Solutions = kept
		}
		after.Solutions = append(after.Solutions, ch.AddSolutions...)
		if err := NormalizeDeal(after); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deals SET name = ?, value = ?, currency = ?, contact_name = ?, contact_email = ?,
			contact_phone = ? WHERE pk = ?`, after.Name, after.Value, after.Currency, after.Contact.Name, after.Contact.Email,
			after.Contact.Phone, pk); err != nil {
			return err
		}
		return WriteSolutions(ctx, tx, pk, after.Solutions)
	})
}

func (s *Session) AddDealNote(ctx context.Context, id, text string, expectVersion int) (workspace.DealRecord, error) {
	return s.changeDeal(ctx, id, domain.ActEdit, "deal.note", expectVersion, func(tx Tx, pk int64, before, after *domain.Deal) error {
		return s.insertNote(ctx, tx, pk, text, s.now())
	}, Field{"note", strings.TrimSpace(text)})
}

func (s *Session) SetDealTeamMember(ctx context.Context, id, email string, member bool, expectVersion int) (workspace.DealRecord, error) {
	addr, err := domain.ParseEmail(email)
	if err != nil {
		return workspace.DealRecord{}, err
	}
	action := "deal.team-add"
	if !member {
		action = "deal.team-remove"
	}
	return s.changeDeal(ctx, id, domain.ActEdit, action, expectVersion, func(tx Tx, pk int64, before, after *domain.Deal) error {
		stmt := `INSERT OR IGNORE INTO deal_team(deal, email) VALUES (?, ?)`
		if !member {
			stmt = `DELETE FROM deal_team WHERE deal = ? AND email = ?`
		}
		_, err := tx.ExecContext(ctx, stmt, pk, addr)
		return err
	})
}

// SetDealFavorite changes the principal's favorites, not the deal: it works on closed
// deals too and leaves the version as it is.
func (s *Session) SetDealFavorite(ctx context.Context, id string, favorite bool) (workspace.DealRecord, error) {
	var out workspace.DealRecord
	if err := s.Who.Require(domain.PermDeals); err != nil {
		return out, err
	}
	err := s.WriteTx(ctx, func(tx Tx) error {
		if err := s.closeExpired(ctx, tx); err != nil {
			return err
		}
		pk, _, err := s.loadDeal(ctx, tx, id)
		if err != nil {
			return err
		}
		stmt, action := `INSERT OR IGNORE INTO deal_favorites(user, deal) VALUES (?, ?)`, "deal.favorite"
		if !favorite {
			stmt, action = `DELETE FROM deal_favorites WHERE user = ? AND deal = ?`, "deal.unfavorite"
		}
		res, err := tx.ExecContext(ctx, stmt, s.Who.User, pk)
		if err != nil {
			return err
		}
		if _, out, err = s.loadDeal(ctx, tx, id); err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // already as asked: nothing to record
		}
		return s.Audit(ctx, tx, action, AuditDeal, out.ID, FavoriteState(!favorite), FavoriteState(favorite))
	})
	return out, err
}
