package sqlstore

import (
	"context"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Publishing deals to Partner Center (pcctl deal publish): deal_publications holds one
// row per deal sent or being sent (SQLite migration 10, PostgreSQL 5).

// publicationsQuery reads deals' publishing states (a deal never sent has none).
const publicationsQuery = `SELECT d.id, d.name, d.psc_fingerprint <> '', d.pc_fingerprint <> '',
		COALESCE(p.state, ''), COALESCE(p.referral_id, ''), COALESCE(p.engagement_id, ''), COALESCE(p.etag, ''),
		COALESCE(p.error, ''), COALESCE(p.at, '')
		FROM deals d LEFT JOIN deal_publications p ON p.deal = d.pk`

func (s *Session) DealPublications(ctx context.Context) ([]workspace.DealPublication, error) {
	if err := s.Who.Require(domain.PermDeals); err != nil {
		return nil, err
	}
	return s.publications(ctx, publicationsQuery+` ORDER BY d.pk`)
}

// DealPublication is the publishing state of one deal, in one lookup
// (workspace.DealPublicationOf).
func (s *Session) DealPublication(ctx context.Context, id string) (workspace.DealPublication, error) {
	if err := s.Who.Require(domain.PermDeals); err != nil {
		return workspace.DealPublication{}, err
	}
	ps, err := s.publications(ctx, publicationsQuery+` WHERE d.id = ?`, id)
	if err != nil {
		return workspace.DealPublication{}, err
	}
	if len(ps) == 0 {
		return workspace.DealPublication{}, &domain.NotFoundError{Kind: "deal", Ref: id}
	}
	return ps[0], nil
}

func (s *Session) publications(ctx context.Context, query string, args ...any) ([]workspace.DealPublication, error) {
	rows, err := s.Pool.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []workspace.DealPublication
	for rows.Next() {
		var p workspace.DealPublication
		var synced bool
		var State, at string
		if err := rows.Scan(&p.DealID, &p.Name, &p.PSC, &synced, &State, &p.ReferralID, &p.EngagementID, &p.ETag, &p.Error, &at); err != nil {
			return nil, err
		}
		p.State, p.At = workspace.PublishState(State), ParseTime(at)
		if synced && p.State == "" {
			p.State, p.ReferralID = workspace.PublishSynced, p.DealID
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Session) RecordPublications(ctx context.Context, ps []workspace.DealPublication) error {
	if err := s.Who.Require(domain.PermDeals); err != nil {
		return err
	}
	for _, p := range ps {
		switch p.State {
		case workspace.PublishSending, workspace.PublishPublished, workspace.PublishRefused:
		default:
			return &domain.InvalidError{Field: "state", Value: string(p.State), Reason: "is not a publishing state (sending, published, refused)"}
		}
	}
	now := FormatTime(s.now())
	return s.WriteTx(ctx, func(tx Tx) error {
		st, err := s.Dialect.Prepare(ctx, tx, `INSERT INTO deal_publications(deal, state, referral_id, engagement_id, etag, error, at)
			SELECT pk, ?, ?, ?, ?, ?, ? FROM deals WHERE id = ?
			ON CONFLICT (deal) DO UPDATE SET state = excluded.state, referral_id = excluded.referral_id,
			engagement_id = excluded.engagement_id, etag = excluded.etag, error = excluded.error, at = excluded.at`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, p := range ps {
			res, err := st.ExecContext(ctx, string(p.State), p.ReferralID, p.EngagementID, p.ETag, p.Error, now, p.DealID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return &domain.NotFoundError{Kind: "deal", Ref: p.DealID}
			}
		}
		return nil
	})
}
