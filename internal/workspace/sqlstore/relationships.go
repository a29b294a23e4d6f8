package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base32"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Customer relationships (003, 004): relationship requests, ending a relationship, the
// purchase permission. Subscription suspension is in subscriptions.go.

const relationshipRequestCols = `r.token, c.id, c.company_name, c.domain, r.reseller_mpn_id, r.email, r.subject, r.body,
	r.created_at, r.accepted_at`

func scanRelationshipRequest(sc Scanner) (domain.RelationshipRequest, error) {
	var r domain.RelationshipRequest
	var created, accepted string
	err := sc.Scan(&r.Token, &r.CustomerID, &r.CustomerName, &r.Domain, &r.ResellerMPNID, &r.Email, &r.Subject, &r.Body,
		&created, &accepted)
	r.CreatedAt, r.AcceptedAt = ParseTime(created), ParseTime(accepted)
	return r, err
}

// drawToken draws the secret of a link: 200 random bits in lower-case base32 (letters and
// digits only: it never starts with '-', where it would read as a flag, and survives
// being typed or mailed).
func (s *Session) drawToken() (string, error) {
	raw := make([]byte, 25)
	if _, err := io.ReadFull(s.Random, raw); err != nil {
		return "", err
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)), nil
}

func (s *Session) RequestRelationship(ctx context.Context, r domain.RelationshipRequest) (domain.RelationshipRequest, bool, error) {
	if err := s.Who.Require(domain.PermRelationships); err != nil {
		return r, false, err
	}
	if r.Email != "" {
		email, err := domain.ParseEmail(r.Email)
		if err != nil {
			return r, false, err
		}
		r.Email = email
	}
	if r.ResellerMPNID != "" {
		id, err := domain.ParseMPNID(r.ResellerMPNID)
		if err != nil {
			return r, false, err
		}
		r.ResellerMPNID = id
	}
	for _, f := range []struct{ name, text string }{{"subject", r.Subject}, {"message", r.Body}} {
		if err := domain.CheckMessageText(f.name, f.text); err != nil {
			return r, false, err
		}
	}
	if strings.ContainsAny(r.Subject, "\r\n") {
		return r, false, &domain.InvalidError{Field: "subject", Reason: "is on more than one line"}
	}
	if !strings.Contains(r.Body, domain.LinkPlaceholder) {
		return r, false, &domain.InvalidError{Field: "message", Reason: "does not hold " + domain.LinkPlaceholder + " where the acceptance link goes"}
	}
	now := s.now().UTC().Truncate(1e9)
	var existing bool
	err := s.WriteTx(ctx, func(tx Tx) error {
		pk, c, err := s.FindCustomer(ctx, tx, r.CustomerID)
		if err != nil {
			return err
		}
		r.CustomerID, r.CustomerName, r.Domain = c.ID, c.CompanyName, c.Domain
		if r.ResellerMPNID != "" {
			if err := s.ActiveReseller(ctx, tx, r.ResellerMPNID, "the one a relationship request is made on behalf of"); err != nil {
				return err
			}
		}
		if err := domain.CheckRelationshipRequest(c.Customer, r.ResellerMPNID); err != nil {
			return err
		}
		found, err := scanRelationshipRequest(tx.QueryRowContext(ctx, `SELECT `+relationshipRequestCols+`
			FROM relationship_requests r JOIN customers c ON c.pk = r.customer
			WHERE r.customer = ? AND r.reseller_mpn_id = ? AND r.accepted_at = '' AND r.created_at > ?
			ORDER BY r.created_at DESC LIMIT 1`, pk, r.ResellerMPNID, FormatTime(now.Add(-domain.InvitationTTL))))
		if err == nil {
			r, existing = found, true
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The token is drawn here, never chosen by a client. 200 bits never collide;
		// should they, the primary key refuses the insert and nothing is written.
		if r.Token, err = s.drawToken(); err != nil {
			return err
		}
		r.CreatedAt, r.AcceptedAt = now, time.Time{}
		if _, err := tx.ExecContext(ctx, `INSERT INTO relationship_requests(token, customer, reseller_mpn_id, email, subject, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.Token, pk, r.ResellerMPNID, r.Email, r.Subject, r.Body, FormatTime(now)); err != nil {
			return err
		}
		return s.Audit(ctx, tx, "customer.request-relationship", AuditCustomer, c.ID, nil, relationshipRequestState(r))
	})
	return r, existing, err
}

// relationshipRequestState is a relationship request in the audit log: never its token.
func relationshipRequestState(r domain.RelationshipRequest) State {
	return State{{"relationshipRequest", "pending"}, {"resellerMpnId", r.ResellerMPNID}, {"email", r.Email},
		{"requestedAt", r.CreatedAt}, {"expiresAt", r.ExpiresAt()}}
}

// relationshipState is the part of a customer a relationship change concerns.
func relationshipState(c domain.Customer) State {
	return State{{"relationship", c.Relationship}, {"resellerMpnId", c.ResellerMPNID}}
}

func (s *Session) RelationshipRequests(ctx context.Context) ([]domain.RelationshipRequest, error) {
	if err := s.Who.Require(domain.PermRelationships); err != nil {
		return nil, err
	}
	return s.PendingRelationships(ctx)
}

func (s *Session) PendingRelationships(ctx context.Context) ([]domain.RelationshipRequest, error) {
	rows, err := s.Pool.QueryContext(ctx, `SELECT `+relationshipRequestCols+`
		FROM relationship_requests r JOIN customers c ON c.pk = r.customer
		WHERE r.accepted_at = '' AND r.created_at > ? ORDER BY r.created_at DESC, c.name_key, r.token`,
		FormatTime(s.now().UTC().Add(-domain.InvitationTTL)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.RelationshipRequest
	for rows.Next() {
		r, err := scanRelationshipRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Session) AcceptRelationship(ctx context.Context, token string) (workspace.CustomerRecord, error) {
	var c workspace.CustomerRecord
	now := s.now().UTC().Truncate(1e9)
	err := s.WriteTx(ctx, func(tx Tx) error {
		r, err := relationshipRequest(ctx, tx, token)
		if err != nil {
			return err
		}
		if err := domain.CheckRelationshipAcceptance(r, now); err != nil {
			return err
		}
		if r.ResellerMPNID != "" {
			if err := s.ActiveReseller(ctx, tx, r.ResellerMPNID, "the one this relationship request was made on behalf of"); err != nil {
				return err
			}
		}
		_, found, err := s.FindCustomer(ctx, tx, r.CustomerID)
		if err != nil {
			return err
		}
		before := relationshipState(found.Customer)
		c = found
		c.Customer = r.Accept(found.Customer)
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET relationship = ?, reseller_mpn_id = ? WHERE id = ?`,
			c.Relationship, c.ResellerMPNID, c.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE relationship_requests SET accepted_at = ? WHERE token = ?`,
			FormatTime(now), r.Token); err != nil {
			return err
		}
		return s.Audit(ctx, tx, "customer.accept-relationship", AuditCustomer, c.ID, before, relationshipState(c.Customer))
	})
	return c, err
}

// relationshipRequest is the request with that token, or a *domain.NotFoundError.
func relationshipRequest(ctx context.Context, q Reader, token string) (domain.RelationshipRequest, error) {
	r, err := scanRelationshipRequest(q.QueryRowContext(ctx, `SELECT `+relationshipRequestCols+`
		FROM relationship_requests r JOIN customers c ON c.pk = r.customer WHERE r.token = ?`, strings.TrimSpace(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, &domain.NotFoundError{Kind: "relationship request", Ref: token}
	}
	return r, err
}

// RelationshipRequest finds the relationship request with that token, for the server's
// acceptance page, which the customer's admin opens without an access token (the token
// is the proof): a *domain.NotFoundError when there is none; the request with
// domain.CheckRelationshipAcceptance's error when it can no longer be accepted.
func (d *Core) RelationshipRequest(ctx context.Context, token string) (domain.RelationshipRequest, error) {
	r, err := relationshipRequest(ctx, d.Pool, token)
	if err != nil {
		return r, err
	}
	return r, domain.CheckRelationshipAcceptance(r, d.Clock().UTC().Truncate(1e9))
}

func (s *Session) UpdateCustomer(ctx context.Context, ref string, ch workspace.CustomerChange) (workspace.CustomerRecord, bool, error) {
	var c workspace.CustomerRecord
	if err := s.Who.Require(domain.PermRelationships); err != nil {
		return c, false, err
	}
	if ch.Relationship != nil && *ch.Relationship != domain.RelationshipNone {
		return c, false, &domain.InvalidError{Field: "relationship", Value: *ch.Relationship,
			Reason: "can only be set to none (ending it); a relationship request reinstates one"}
	}
	if ch.Relationship == nil && ch.PurchasesAllowed == nil {
		return c, false, &domain.InvalidError{Field: "change", Reason: "is empty: give relationship or purchasesAllowed"}
	}
	var changed bool
	err := s.WriteTx(ctx, func(tx Tx) error {
		pk, found, err := s.FindCustomer(ctx, tx, ref)
		if err != nil {
			return err
		}
		c = found
		if ch.Relationship != nil {
			var subs []domain.Subscription
			rows, err := tx.QueryContext(ctx, `SELECT `+subscriptionCols+` FROM subscriptions s JOIN customers c ON c.pk = s.customer
				WHERE s.customer = ? ORDER BY s.offer, s.pk`, pk)
			if err != nil {
				return err
			}
			for rows.Next() {
				sub, err := ScanSubscription(rows)
				if err != nil {
					rows.Close()
					return err
				}
				subs = append(subs, sub)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if err := domain.CheckEndRelationship(c.Customer, subs); err != nil {
				return err
			}
			before := relationshipState(c.Customer)
			c.Relationship = domain.RelationshipNone
			// Delegated admin access ends with the relationship: pcctl keeps no more of it
			// than the relationship itself. The customer, its reseller, flags, pins,
			// subscriptions and history stay.
			if _, err := tx.ExecContext(ctx, `UPDATE customers SET relationship = 'none', pc_fingerprint = CASE WHEN pc_fingerprint = '' THEN '' ELSE 'changed here' END WHERE pk = ?`, pk); err != nil {
				return err
			}
			changed = true
			if err := s.Audit(ctx, tx, "customer.end-relationship", AuditCustomer, c.ID, before, relationshipState(c.Customer)); err != nil {
				return err
			}
		}
		if ch.PurchasesAllowed != nil {
			if err := domain.CheckPurchasePermission(c.Customer); err != nil {
				return err
			}
			if c.PurchasesAllowed == *ch.PurchasesAllowed {
				return nil
			}
			before := State{{"purchasesAllowed", c.PurchasesAllowed}}
			c.PurchasesAllowed = *ch.PurchasesAllowed
			if _, err := tx.ExecContext(ctx, `UPDATE customers SET purchases_allowed = ? WHERE pk = ?`, c.PurchasesAllowed, pk); err != nil {
				return err
			}
			changed = true
			action := "customer.deny-purchases"
			if c.PurchasesAllowed {
				action = "customer.allow-purchases"
			}
			return s.Audit(ctx, tx, action, AuditCustomer, c.ID, before, State{{"purchasesAllowed", c.PurchasesAllowed}})
		}
		return nil
	})
	return c, changed, err
}
