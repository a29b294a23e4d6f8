package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

const requestCols = `r.pk, r.ref, c.id, c.company_name, r.title, r.description, r.severity, r.status, r.topic,
	r.contact_email, r.created_at, r.updated_at, r.closed_at,
	EXISTS (SELECT 1 FROM request_favorites f WHERE f.request = r.pk AND f.user = :user)`

const requestFrom = ` FROM service_requests r JOIN customers c ON c.pk = r.customer`

func scanRequest(sc Scanner) (int64, workspace.RequestRecord, error) {
	var pk int64
	var rec workspace.RequestRecord
	r := &rec.ServiceRequest
	var sev, status, created, updated, closed string
	err := sc.Scan(&pk, &r.Ref, &r.CustomerID, &r.CustomerName, &r.Title, &r.Description, &sev, &status, &r.Topic,
		&r.ContactEmail, &created, &updated, &closed, &rec.Favorite)
	r.Severity, r.Status = domain.Severity(sev), domain.RequestStatus(status)
	r.CreatedAt, r.UpdatedAt, r.ClosedAt = ParseTime(created), ParseTime(updated), ParseTime(closed)
	return pk, rec, err
}

func (s *Session) loadRequest(ctx context.Context, q Reader, ref string) (int64, workspace.RequestRecord, error) {
	ref = strings.ReplaceAll(strings.TrimSpace(ref), " ", "")
	pk, rec, err := scanRequest(q.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.ref = :ref`,
		sql.Named("user", s.Who.User), sql.Named("ref", ref)))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, rec, &domain.NotFoundError{Kind: "service request", Ref: ref}
	}
	if err != nil {
		return 0, rec, err
	}
	rows, err := q.QueryContext(ctx, `SELECT author, created_at, text FROM request_notes WHERE request = ? ORDER BY seq`, pk)
	if err != nil {
		return 0, rec, err
	}
	defer rows.Close()
	for rows.Next() {
		var n domain.Note
		var at string
		if err := rows.Scan(&n.Author, &at, &n.Text); err != nil {
			return 0, rec, err
		}
		n.CreatedAt = ParseTime(at)
		rec.Notes = append(rec.Notes, n)
	}
	return pk, rec, rows.Err()
}

func (s *Session) CreateRequest(ctx context.Context, r domain.ServiceRequest) (workspace.RequestRecord, error) {
	var out workspace.RequestRecord
	if err := s.Who.Require(domain.PermServiceRequests); err != nil {
		return out, err
	}
	if r.Title = strings.TrimSpace(r.Title); r.Title == "" {
		return out, &domain.InvalidError{Field: "title", Reason: "is empty"}
	}
	if err := domain.CheckRequestText(r); err != nil {
		return out, err
	}
	sev, err := domain.ParseSeverity(string(r.Severity))
	if err != nil {
		return out, err
	}
	r.Severity = sev
	if r.ContactEmail != "" {
		if r.ContactEmail, err = domain.ParseEmail(r.ContactEmail); err != nil {
			return out, err
		}
	}
	// A reference given (Partner Center's, in a workspace linked to it) is kept, with the
	// creation date given; otherwise both are the workspace's.
	given := strings.TrimSpace(r.Ref)
	if given != "" {
		if err := domain.CheckReference(given); err != nil {
			return out, err
		}
	}
	now := s.now().UTC().Truncate(time.Second)
	created := now
	if !r.CreatedAt.IsZero() {
		created = r.CreatedAt.UTC().Truncate(time.Second)
	}
	err = s.WriteTx(ctx, func(tx Tx) error {
		pk, _, err := s.FindCustomer(ctx, tx, r.CustomerID)
		if err != nil {
			return err
		}
		// A clash of two random 15-digit numbers is rare; draw again when it happens.
		for attempt := 0; ; attempt++ {
			ref := given
			if ref == "" {
				if ref, err = domain.NewReference(s.Random); err != nil {
					return err
				}
			}
			// ON CONFLICT: a clash must not abort the transaction (as an error does in
			// PostgreSQL), and is told by no row inserted.
			var res sql.Result
			res, err = tx.ExecContext(ctx, `INSERT INTO service_requests(ref, customer, title, description, severity, status,
				topic, contact_email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) ON CONFLICT (ref) DO NOTHING`,
				ref, pk, r.Title, strings.TrimSpace(r.Description), r.Severity, strings.TrimSpace(r.Topic), r.ContactEmail,
				FormatTime(created), FormatTime(created))
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					if given != "" {
						return &domain.RuleError{Rule: "unique-request-ref", Msg: fmt.Sprintf("a service request with reference %s already exists", given)}
					}
					if attempt < 5 {
						continue
					}
					return fmt.Errorf("could not draw a unique reference number")
				}
			}
			if err != nil {
				return err
			}
			if _, out, err = s.loadRequest(ctx, tx, ref); err != nil {
				return err
			}
			return s.Audit(ctx, tx, "request.new", AuditRequest, out.Ref, nil, RequestState(out.ServiceRequest))
		}
	})
	return out, err
}

func (s *Session) Request(ctx context.Context, ref string) (workspace.RequestRecord, error) {
	if err := s.Who.Require(domain.PermServiceRequests); err != nil {
		return workspace.RequestRecord{}, err
	}
	_, r, err := s.loadRequest(ctx, s.Pool, ref)
	return r, err
}

func (s *Session) ListRequests(ctx context.Context, q workspace.RequestQuery, each func(workspace.RequestRecord) error) error {
	if err := s.Who.Require(domain.PermServiceRequests); err != nil {
		return err
	}
	where := []string{s.Dialect.True()}
	args := []any{sql.Named("user", s.Who.User)}
	if q.Customer != "" {
		pk, _, err := s.FindCustomer(ctx, s.Pool, q.Customer)
		if err != nil {
			return err
		}
		where, args = append(where, "r.customer = :customer"), append(args, sql.Named("customer", pk))
	}
	if len(q.Statuses) > 0 {
		var in []string
		for i, st := range q.Statuses {
			in = append(in, fmt.Sprintf(":st%d", i))
			args = append(args, sql.Named(fmt.Sprintf("st%d", i), string(st)))
		}
		where = append(where, "r.status IN ("+strings.Join(in, ", ")+")")
	}
	if q.Severity != "" {
		where, args = append(where, "r.severity = :severity"), append(args, sql.Named("severity", string(q.Severity)))
	}
	if q.Favorites {
		where = append(where, "EXISTS (SELECT 1 FROM request_favorites f WHERE f.request = r.pk AND f.user = :user)")
	}
	if q.After != "" {
		var at string
		var pk int64
		if err := AfterKeys(ctx, s.Pool, "service request", q.After, `SELECT created_at, pk FROM service_requests WHERE ref = ?`, &at, &pk); err != nil {
			return err
		}
		where = append(where, "r.created_at <= :a1 AND (r.created_at, r.pk) < (:a1, :a2)")
		args = append(args, sql.Named("a1", at), sql.Named("a2", pk))
	}
	rows, err := s.Pool.QueryContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY r.created_at DESC, r.pk DESC`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		_, r, err := scanRequest(rows)
		if err != nil {
			return err
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *Session) SearchRequests(ctx context.Context, term string, limit int) ([]workspace.RequestRecord, error) {
	if err := s.Who.Require(domain.PermServiceRequests); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = domain.SearchLimit
	}
	found := map[string]workspace.RequestRecord{}
	collect := func(query string, args ...any) error {
		rows, err := s.Pool.QueryContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE `+query+
			` ORDER BY r.created_at DESC, r.pk DESC LIMIT :limit`, append(args, sql.Named("user", s.Who.User), sql.Named("limit", limit))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			_, r, err := scanRequest(rows)
			if err != nil {
				return err
			}
			found[r.Ref] = r
		}
		return rows.Err()
	}
	if domain.IsReferencePrefix(term) {
		p := strings.ReplaceAll(strings.TrimSpace(term), " ", "")
		if err := collect(`r.ref >= :lo AND r.ref < :hi`, sql.Named("lo", p), sql.Named("hi", p+s.Dialect.PrefixEnd())); err != nil {
			return nil, err
		}
	}
	if folded, err := domain.SearchTerm(term); err == nil {
		// The customers whose name (or a word of it) begins with the term.
		customers, err := s.Search.SearchCustomers(ctx, term, domain.SearchLimit)
		if err != nil {
			return nil, err
		}
		for _, c := range customers {
			if m, _ := domain.Matches(folded, domain.Customer{CompanyName: c.CompanyName}); !m {
				continue // matched by its domain only
			}
			if err := collect(`c.id = :id`, sql.Named("id", c.ID)); err != nil {
				return nil, err
			}
		}
	}
	out := make([]workspace.RequestRecord, 0, len(found))
	for _, r := range found {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].Ref > out[j].Ref
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *Session) UpdateRequest(ctx context.Context, ref string, ch domain.RequestChange) (workspace.RequestRecord, error) {
	var out workspace.RequestRecord
	if err := s.Who.Require(domain.PermServiceRequests); err != nil {
		return out, err
	}
	err := s.WriteTx(ctx, func(tx Tx) error {
		pk, cur, err := s.loadRequest(ctx, tx, ref)
		if err != nil {
			return err
		}
		next, reopen, err := domain.PlanRequestUpdate(cur.ServiceRequest, ch, s.Who.User)
		if err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Second)
		closedAt := FormatTime(next.ClosedAt)
		switch {
		case next.Status == domain.RequestClosed && cur.Status != domain.RequestClosed:
			closedAt = FormatTime(now)
		case next.Status != domain.RequestClosed:
			closedAt = ""
		}
		if _, err := tx.ExecContext(ctx, `UPDATE service_requests SET status = ?, severity = ?, updated_at = ?, closed_at = ?,
			pc_fingerprint = CASE WHEN pc_fingerprint = '' THEN '' ELSE 'changed here' END WHERE pk = ?`,
			next.Status, next.Severity, FormatTime(now), closedAt, pk); err != nil {
			return err
		}
		for _, text := range []string{reopen, strings.TrimSpace(ch.Note)} {
			if text == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO request_notes(request, author, created_at, text) VALUES (?, ?, ?, ?)`,
				pk, s.Who.User, FormatTime(now), text); err != nil {
				return err
			}
		}
		if _, out, err = s.loadRequest(ctx, tx, ref); err != nil {
			return err
		}
		action := "request.update"
		switch {
		case out.Status == domain.RequestClosed && cur.Status != domain.RequestClosed:
			action = "request.close"
		case out.Status != domain.RequestClosed && cur.Status == domain.RequestClosed:
			action = "request.reopen"
		}
		var note []Field
		if text := strings.TrimSpace(ch.Note); text != "" {
			note = append(note, Field{"note", text})
		}
		return s.Audit(ctx, tx, action, AuditRequest, out.Ref, RequestState(cur.ServiceRequest), RequestState(out.ServiceRequest).With(note...))
	})
	return out, err
}

func (s *Session) SetRequestFavorite(ctx context.Context, ref string, favorite bool) (workspace.RequestRecord, error) {
	var out workspace.RequestRecord
	if err := s.Who.Require(domain.PermServiceRequests); err != nil {
		return out, err
	}
	err := s.WriteTx(ctx, func(tx Tx) error {
		pk, _, err := s.loadRequest(ctx, tx, ref)
		if err != nil {
			return err
		}
		stmt, action := `INSERT OR IGNORE INTO request_favorites(user, request) VALUES (?, ?)`, "request.favorite"
		if !favorite {
			stmt, action = `DELETE FROM request_favorites WHERE user = ? AND request = ?`, "request.unfavorite"
		}
		res, err := tx.ExecContext(ctx, stmt, s.Who.User, pk)
		if err != nil {
			return err
		}
		if _, out, err = s.loadRequest(ctx, tx, ref); err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // already as asked: nothing to record
		}
		return s.Audit(ctx, tx, action, AuditRequest, out.Ref, FavoriteState(!favorite), FavoriteState(favorite))
	})
	return out, err
}

// Home gathers the overview with the queries the commands use; each section needs the
// role that reads it, and is left empty otherwise.
func (s *Session) Home(ctx context.Context) (workspace.HomeOverview, error) {
	var h workspace.HomeOverview
	if s.Who.Can(domain.PermReadCustomers) {
		rows, err := s.Pool.QueryContext(ctx, `SELECT `+UserCols+`, 0 FROM customer_pins p JOIN customers c ON c.pk = p.customer
			WHERE p.user = :user ORDER BY c.name_key, c.id`, sql.Named("user", s.Who.User))
		if err != nil {
			return h, err
		}
		for rows.Next() {
			var opens int
			_, c, err := ScanCustomer(rows, &opens)
			if err != nil {
				rows.Close()
				return h, err
			}
			h.Pinned = append(h.Pinned, c)
		}
		rows.Close()
		if err := s.Pool.QueryRowContext(ctx, `SELECT count(*) FROM customer_flags WHERE user = ?`, s.Who.User).Scan(&h.Flagged); err != nil {
			return h, err
		}
		if err := s.Pool.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions)`).Scan(&h.HasSubscriptions); err != nil {
			return h, err
		}
		month := 30 * 24 * time.Hour
		if err := s.Subscriptions(ctx, workspace.SubscriptionQuery{ExpiringWithin: &month}, func(sub domain.Subscription) error {
			h.ExpiringSubscriptions = append(h.ExpiringSubscriptions, sub)
			return nil
		}); err != nil {
			return h, err
		}
	}
	if s.Who.Can(domain.PermRelationships) {
		var err error
		if h.PendingRelationships, err = s.PendingRelationships(ctx); err != nil {
			return h, err
		}
	}
	if s.Who.Can(domain.PermServiceRequests) {
		if err := s.ListRequests(ctx, workspace.RequestQuery{Statuses: []domain.RequestStatus{domain.RequestOpen, domain.RequestAttentionNeeded}},
			func(r workspace.RequestRecord) error { h.OpenRequests = append(h.OpenRequests, r); return nil }); err != nil {
			return h, err
		}
	}
	if s.Who.Can(domain.PermDeals) {
		threeDays := 3 * 24 * time.Hour
		if err := s.ListDeals(ctx, workspace.DealQuery{ExpiringWithin: &threeDays}, func(d workspace.DealRecord) error {
			h.ExpiringDeals = append(h.ExpiringDeals, d)
			return nil
		}); err != nil {
			return h, err
		}
		if err := s.ListDeals(ctx, workspace.DealQuery{Direction: domain.Inbound, Status: domain.DealNew, Substatus: domain.SubReceived},
			func(d workspace.DealRecord) error { h.AwaitingDeals = append(h.AwaitingDeals, d); return nil }); err != nil {
			return h, err
		}
		if err := s.Pool.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deals)`).Scan(&h.HasDeals); err != nil {
			return h, err
		}
	}
	return h, nil
}
