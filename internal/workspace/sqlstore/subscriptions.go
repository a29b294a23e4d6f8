package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

const subscriptionCols = `s.id, c.id, c.company_name, s.offer, s.quantity, s.status, s.reseller_mpn_id,
	s.support_contact, s.term_end, s.created_at`

func ScanSubscription(sc Scanner) (domain.Subscription, error) {
	var s domain.Subscription
	var termEnd, created string
	err := sc.Scan(&s.ID, &s.CustomerID, &s.CustomerName, &s.Offer, &s.Quantity, &s.Status, &s.ResellerMPNID,
		&s.SupportContact, &termEnd, &created)
	s.TermEnd, s.CreatedAt = ParseTime(termEnd), ParseTime(created)
	return s, err
}

func (s *Session) AddSubscription(ctx context.Context, sub domain.Subscription) (domain.Subscription, error) {
	if err := s.Who.Require(domain.PermSubscriptions); err != nil {
		return sub, err
	}
	if sub.Offer = strings.TrimSpace(sub.Offer); sub.Offer == "" {
		return sub, &domain.InvalidError{Field: "offer", Reason: "is empty"}
	}
	if err := domain.CheckQuantity(sub.Quantity); err != nil {
		return sub, err
	}
	id, err := uuid.NewRandomFromReader(s.Random)
	if err != nil {
		return sub, err
	}
	sub.ID, sub.Status = id.String(), "active"
	sub.CreatedAt = s.now().UTC().Truncate(1e9)
	err = s.WriteTx(ctx, func(tx Tx) error {
		pk, c, err := s.FindCustomer(ctx, tx, sub.CustomerID)
		if err != nil {
			return err
		}
		sub.CustomerID, sub.CustomerName = c.ID, c.CompanyName
		if sub.ResellerMPNID != "" {
			if err := s.ActiveReseller(ctx, tx, sub.ResellerMPNID, "credited for this subscription"); err != nil {
				return err
			}
			sub.ResellerMPNID = strings.TrimSpace(sub.ResellerMPNID)
		}
		termEnd := ""
		if !sub.TermEnd.IsZero() {
			termEnd = FormatTime(sub.TermEnd)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO subscriptions(id, customer, offer, quantity, reseller_mpn_id, term_end, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, sub.ID, pk, sub.Offer, sub.Quantity, sub.ResellerMPNID, termEnd, FormatTime(sub.CreatedAt))
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, "subscription.add", AuditSubscription, sub.ID, nil, SubscriptionState(sub))
	})
	return sub, err
}

func (s *Session) Subscriptions(ctx context.Context, q workspace.SubscriptionQuery, each func(domain.Subscription) error) error {
	if err := s.Who.Require(domain.PermReadCustomers); err != nil {
		return err
	}
	var where []string
	var args []any
	if q.ID != "" {
		where, args = append(where, "s.id = ?"), append(args, strings.ToLower(strings.TrimSpace(q.ID)))
	}
	if q.Customer != "" {
		pk, _, err := s.FindCustomer(ctx, s.Pool, q.Customer)
		if err != nil {
			return err
		}
		where, args = append(where, "s.customer = ?"), append(args, pk)
	}
	if q.Reseller != "" {
		where, args = append(where, "(s.reseller_mpn_id = ? OR s.support_contact = ?)"), append(args, q.Reseller, q.Reseller)
	}
	if q.ExpiringWithin != nil {
		now := s.now()
		where = append(where, "s.term_end <> '' AND s.term_end >= ? AND s.term_end <= ?")
		args = append(args, FormatTime(now), FormatTime(now.Add(*q.ExpiringWithin)))
	}
	if q.After != "" {
		var key, cid, offer string
		var pk int64
		if err := AfterKeys(ctx, s.Pool, "subscription", q.After, `SELECT c.name_key, c.id, s.offer, s.pk
			FROM subscriptions s JOIN customers c ON c.pk = s.customer WHERE s.id = ?`, &key, &cid, &offer, &pk); err != nil {
			return err
		}
		where = append(where, "c.name_key >= ? AND (c.name_key, c.id, s.offer, s.pk) > (?, ?, ?, ?)")
		args = append(args, key, key, cid, offer, pk)
	}
	query := `SELECT ` + subscriptionCols + ` FROM subscriptions s JOIN customers c ON c.pk = s.customer`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.Pool.QueryContext(ctx, query+" ORDER BY c.name_key, c.id, s.offer, s.pk", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		sub, err := ScanSubscription(rows)
		if err != nil {
			return err
		}
		if err := each(sub); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *Session) UpdateSubscription(ctx context.Context, id string, ch workspace.SubscriptionChange) (domain.Subscription, error) {
	var sub domain.Subscription
	perm := domain.PermSubscriptions
	if ch.Status != nil {
		// Suspending and reactivating are customer relationship tasks (003), alone.
		perm = domain.PermRelationships
		if ch.Reseller != nil || ch.SupportContact != nil || ch.Quantity != nil {
			return sub, &domain.InvalidError{Field: "status", Reason: "is changed alone, without reseller, support contact or quantity"}
		}
	}
	if err := s.Who.Require(perm); err != nil {
		return sub, err
	}
	err := s.WriteTx(ctx, func(tx Tx) error {
		var err error
		sub, err = ScanSubscription(tx.QueryRowContext(ctx, `SELECT `+subscriptionCols+`
			FROM subscriptions s JOIN customers c ON c.pk = s.customer WHERE s.id = ?`, strings.ToLower(strings.TrimSpace(id))))
		if errors.Is(err, sql.ErrNoRows) {
			return &domain.NotFoundError{Kind: "subscription", Ref: id}
		} else if err != nil {
			return err
		}
		before := SubscriptionState(sub)
		if ch.Status != nil {
			_, c, err := s.FindCustomer(ctx, tx, sub.CustomerID)
			if err != nil {
				return err
			}
			to := strings.ToLower(strings.TrimSpace(*ch.Status))
			if err := domain.CheckSubscriptionStatus(sub, c.Customer, to); err != nil {
				return err
			}
			sub.Status = to
			if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = ?, pc_fingerprint = CASE WHEN pc_fingerprint = '' THEN '' ELSE 'changed here' END WHERE id = ?`, sub.Status, sub.ID); err != nil {
				return err
			}
			action := "subscription.suspend"
			if to == domain.SubscriptionActive {
				action = "subscription.reactivate"
			}
			return s.Audit(ctx, tx, action, AuditSubscription, sub.ID, before, SubscriptionState(sub))
		}
		if ch.Quantity != nil {
			if err := domain.CheckQuantity(*ch.Quantity); err != nil {
				return err
			}
			sub.Quantity = *ch.Quantity
		}
		if ch.Reseller != nil {
			if *ch.Reseller != "" {
				if err := s.ActiveReseller(ctx, tx, *ch.Reseller, "credited for this subscription"); err != nil {
					return err
				}
			}
			sub.ResellerMPNID = strings.TrimSpace(*ch.Reseller)
		}
		if ch.SupportContact != nil {
			if *ch.SupportContact != "" {
				if err := s.ActiveReseller(ctx, tx, *ch.SupportContact, "the support contact"); err != nil {
					return err
				}
			}
			sub.SupportContact = strings.TrimSpace(*ch.SupportContact)
		}
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET quantity = ?, reseller_mpn_id = ?, support_contact = ?,
			pc_fingerprint = CASE WHEN pc_fingerprint = '' THEN '' ELSE 'changed here' END WHERE id = ?`,
			sub.Quantity, sub.ResellerMPNID, sub.SupportContact, sub.ID)
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, "subscription.set", AuditSubscription, sub.ID, before, SubscriptionState(sub))
	})
	return sub, err
}
