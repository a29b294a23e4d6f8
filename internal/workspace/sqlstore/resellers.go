package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pcctl/pcctl/internal/domain"
)

func (s *Session) InviteReseller(ctx context.Context, inv domain.Invitation) (domain.Invitation, bool, error) {
	if err := s.Who.Require(domain.PermManageResellers); err != nil {
		return inv, false, err
	}
	email, err := domain.ParseEmail(inv.Email)
	if err != nil {
		return inv, false, err
	}
	inv.Email = email
	if inv.Token != "" {
		return inv, false, domain.ErrInvitationTokenGiven
	}
	if err := domain.CheckInvitationText(inv); err != nil {
		return inv, false, err
	}
	now := s.now().UTC().Truncate(1e9)
	var existing bool
	err = s.WriteTx(ctx, func(tx Tx) error {
		var name, mpn string
		err := tx.QueryRowContext(ctx, `SELECT name, mpn_id FROM resellers WHERE email = ? AND status = 'active'`, email).Scan(&name, &mpn)
		if err == nil {
			return &domain.RuleError{Rule: "already-partner", Msg: fmt.Sprintf(
				"%s is already the address of your indirect reseller %s (MPN ID %s): no request needed", email, name, mpn)}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var created string
		err = tx.QueryRowContext(ctx, `SELECT token, name, subject, body, created_at FROM reseller_invitations
			WHERE email = ? AND accepted_at = '' AND created_at > ? ORDER BY created_at DESC LIMIT 1`,
			email, FormatTime(now.Add(-domain.InvitationTTL))).Scan(&inv.Token, &inv.Name, &inv.Subject, &inv.Body, &created)
		if err == nil {
			existing = true
			inv.CreatedAt = ParseTime(created)
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The workspace draws the token (200 bits: a collision is never met; one would be
		// drawn again, never reported).
		for {
			if inv.Token, err = domain.NewInvitationToken(s.Random); err != nil {
				return err
			}
			var taken int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM reseller_invitations WHERE token = ?`, inv.Token).Scan(&taken); err != nil {
				return err
			}
			if taken == 0 {
				break
			}
		}
		inv.Body = strings.ReplaceAll(inv.Body, domain.TokenPlaceholder, inv.Token)
		inv.CreatedAt = now
		_, err = tx.ExecContext(ctx, `INSERT INTO reseller_invitations(token, email, name, subject, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, inv.Token, inv.Email, inv.Name, inv.Subject, inv.Body, FormatTime(now))
		if err != nil {
			return err
		}
		// A request has no MPN ID yet: it is recorded under its address.
		return s.Audit(ctx, tx, "reseller.invite", AuditReseller, inv.Email, nil, InvitationState(inv))
	})
	return inv, existing, err
}

func (s *Session) AcceptInvitation(ctx context.Context, token, mpnID, name string) (domain.Reseller, error) {
	var r domain.Reseller
	mpnID, err := domain.ParseMPNID(mpnID)
	if err != nil {
		return r, err
	}
	if name = strings.TrimSpace(name); name == "" {
		return r, &domain.InvalidError{Field: "name", Reason: "is empty"}
	}
	now := s.now().UTC().Truncate(1e9)
	err = s.WriteTx(ctx, func(tx Tx) error {
		var inv domain.Invitation
		var created, accepted string
		err := tx.QueryRowContext(ctx, `SELECT email, created_at, accepted_at, mpn_id FROM reseller_invitations WHERE token = ?`,
			strings.TrimSpace(token)).Scan(&inv.Email, &created, &accepted, &inv.MPNID)
		if errors.Is(err, sql.ErrNoRows) {
			return &domain.NotFoundError{Kind: "partnership request", Ref: token}
		} else if err != nil {
			return err
		}
		inv.CreatedAt, inv.AcceptedAt = ParseTime(created), ParseTime(accepted)
		if err := domain.CheckAcceptance(inv, now); err != nil {
			return err
		}
		old, found, err := s.FindReseller(ctx, tx, mpnID)
		var before State
		switch {
		case err != nil:
		case found && old.Status == domain.ResellerActive:
			return &domain.RuleError{Rule: "already-partner", Msg: fmt.Sprintf("MPN ID %s is already one of your indirect resellers", mpnID)}
		case found: // removed earlier, invited again
			before = ResellerState(old)
			_, err = tx.ExecContext(ctx, `UPDATE resellers SET name = ?, email = ?, status = 'active', invited_at = ?,
				accepted_at = ?, removed_at = '' WHERE mpn_id = ?`, name, inv.Email, created, FormatTime(now), mpnID)
		default:
			_, err = tx.ExecContext(ctx, `INSERT INTO resellers(mpn_id, name, email, status, invited_at, accepted_at)
				VALUES (?, ?, ?, 'active', ?, ?)`, mpnID, name, inv.Email, created, FormatTime(now))
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reseller_invitations SET accepted_at = ?, mpn_id = ? WHERE token = ?`,
			FormatTime(now), mpnID, strings.TrimSpace(token)); err != nil {
			return err
		}
		r = domain.Reseller{MPNID: mpnID, Name: name, Email: inv.Email, Status: domain.ResellerActive,
			InvitedAt: inv.CreatedAt, AcceptedAt: now, ExpiresAt: inv.ExpiresAt()}
		return s.Audit(ctx, tx, "reseller.accept", AuditReseller, mpnID, before, ResellerState(r))
	})
	return r, err
}

const resellerCols = `mpn_id, name, email, status, invited_at, accepted_at, removed_at`

func ScanReseller(sc Scanner) (domain.Reseller, error) {
	var r domain.Reseller
	var status, invited, accepted, removed string
	err := sc.Scan(&r.MPNID, &r.Name, &r.Email, &status, &invited, &accepted, &removed)
	r.Status = domain.ResellerStatus(status)
	r.InvitedAt, r.AcceptedAt, r.RemovedAt = ParseTime(invited), ParseTime(accepted), ParseTime(removed)
	r.ExpiresAt = r.InvitedAt.Add(domain.InvitationTTL)
	return r, err
}

func (s *Session) Reseller(ctx context.Context, mpnID string) (domain.Reseller, error) {
	if err := s.Who.Require(domain.PermManageResellers); err != nil {
		return domain.Reseller{}, err
	}
	r, found, err := s.FindReseller(ctx, s.Pool, mpnID)
	if err == nil && !found {
		err = &domain.NotFoundError{Kind: "indirect reseller", Ref: mpnID}
	}
	return r, err
}

func (s *Session) FindReseller(ctx context.Context, q Reader, mpnID string) (domain.Reseller, bool, error) {
	r, err := ScanReseller(q.QueryRowContext(ctx, `SELECT `+resellerCols+` FROM resellers WHERE mpn_id = ?`, strings.TrimSpace(mpnID)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// ActiveReseller checks that mpnID is an active reseller, for the role it would play.
func (s *Session) ActiveReseller(ctx context.Context, q Reader, mpnID, role string) error {
	id, err := domain.ParseMPNID(mpnID)
	if err != nil {
		return err
	}
	r, found, err := s.FindReseller(ctx, q, id)
	if err != nil {
		return err
	}
	return domain.CheckActiveReseller(r, found, id, role)
}

func (s *Session) Resellers(ctx context.Context, statuses []domain.ResellerStatus) ([]domain.Reseller, error) {
	if err := s.Who.Require(domain.PermManageResellers); err != nil {
		return nil, err
	}
	want := map[domain.ResellerStatus]bool{}
	for _, st := range statuses {
		want[st] = true
	}
	var out []domain.Reseller
	rows, err := s.Pool.QueryContext(ctx, `SELECT `+resellerCols+` FROM resellers ORDER BY name, mpn_id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		r, err := ScanReseller(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if want[r.Status] {
			out = append(out, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !want[domain.ResellerPending] && !want[domain.ResellerExpired] {
		return out, nil
	}
	// Requests not accepted: the latest for each address not already an active reseller's.
	now := s.now()
	rows, err = s.Pool.QueryContext(ctx, s.Dialect.PendingInvitations())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var inv domain.Invitation
		var created string
		if err := rows.Scan(&inv.Email, &inv.Name, &created); err != nil {
			return nil, err
		}
		inv.CreatedAt = ParseTime(created)
		st := inv.Status(now)
		if want[st] {
			out = append(out, domain.Reseller{Name: inv.Name, Email: inv.Email, Status: st, InvitedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt()})
		}
	}
	return out, rows.Err()
}

func (s *Session) RemoveReseller(ctx context.Context, mpnID string) (domain.Reseller, error) {
	var r domain.Reseller
	if err := s.Who.Require(domain.PermManageResellers); err != nil {
		return r, err
	}
	err := s.WriteTx(ctx, func(tx Tx) error {
		found, ok, err := s.FindReseller(ctx, tx, mpnID)
		if err != nil {
			return err
		}
		if !ok {
			return &domain.NotFoundError{Kind: "indirect reseller", Ref: mpnID}
		}
		if found.Status == domain.ResellerRemoved {
			return &domain.RuleError{Rule: "reseller-removed", Msg: fmt.Sprintf("%s (MPN ID %s) was already removed on %s",
				found.Name, found.MPNID, found.RemovedAt.Format("2006-01-02"))}
		}
		now := s.now().UTC().Truncate(1e9)
		// Only the partnership ends: customers, subscriptions and delegated admin state stay.
		if _, err := tx.ExecContext(ctx, `UPDATE resellers SET status = 'removed', removed_at = ? WHERE mpn_id = ?`,
			FormatTime(now), found.MPNID); err != nil {
			return err
		}
		before := ResellerState(found)
		found.Status, found.RemovedAt = domain.ResellerRemoved, now
		r = found
		return s.Audit(ctx, tx, "reseller.remove", AuditReseller, found.MPNID, before, ResellerState(found))
	})
	return r, err
}

// Invitation finds the partnership request with that token, for the server's invitation
// page, which the reseller opens without an access token (the token is the proof): a
// *domain.NotFoundError when there is none; the request with domain.CheckAcceptance's
// error (at the workspace clock) when it can no longer be accepted.
func (d *Core) Invitation(ctx context.Context, token string) (domain.Invitation, error) {
	var inv domain.Invitation
	var created, accepted string
	err := d.Pool.QueryRowContext(ctx, `SELECT token, email, name, subject, body, created_at, accepted_at, mpn_id
		FROM reseller_invitations WHERE token = ?`, strings.TrimSpace(token)).
		Scan(&inv.Token, &inv.Email, &inv.Name, &inv.Subject, &inv.Body, &created, &accepted, &inv.MPNID)
	if errors.Is(err, sql.ErrNoRows) {
		return inv, &domain.NotFoundError{Kind: "partnership request", Ref: token}
	} else if err != nil {
		return inv, err
	}
	inv.CreatedAt, inv.AcceptedAt = ParseTime(created), ParseTime(accepted)
	return inv, domain.CheckAcceptance(inv, d.Clock().UTC().Truncate(1e9))
}
