package sqlite

import (
	"context"
	"database/sql"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// The names of the shared layer (sqlstore) that this package's own files use, the sync
// and the search above all: short ones, as the shared code had them when it was here.

type (
	field = sqlstore.Field
	state = sqlstore.State
	count = sqlstore.Count
)

const customerCols = sqlstore.CustomerCols

// audit records a change in tx (sqlstore.Session.Audit).
func (s *session) audit(ctx context.Context, tx sqlstore.Tx, action, entity, id string, before, after state) error {
	return s.Audit(ctx, tx, action, entity, id, before, after)
}

func (s *session) organization(ctx context.Context, tx sqlstore.Tx, d *domain.Deal) (customer, org sql.NullInt64, err error) {
	return s.Organization(ctx, tx, d)
}

func engagementID(dealID string) string  { return sqlstore.EngagementID(dealID) }
func normalizeDeal(d *domain.Deal) error { return sqlstore.NormalizeDeal(d) }

func writeSolutions(ctx context.Context, tx sqlstore.Tx, pk int64, sols []domain.Solution) error {
	return sqlstore.WriteSolutions(ctx, tx, pk, sols)
}

// insertKeys writes a customer's search keys.
func insertKeys(ctx context.Context, tx sqlstore.Tx, pk int64, c domain.Customer) error {
	return sqlstore.InsertKeys(ctx, tx, pk, c)
}

func scanCustomer(r sqlstore.Scanner, extra ...any) (int64, workspace.CustomerRecord, error) {
	return sqlstore.ScanCustomer(r, extra...)
}

func loadUser(ctx context.Context, q sqlstore.Reader, email string) (domain.User, error) {
	return sqlstore.LoadUser(ctx, dialect{}, q, email)
}

// Invitation reads a partnership request by its token (sqlstore.Core.Invitation).
func (d *DB) Invitation(ctx context.Context, token string) (domain.Invitation, error) {
	return d.core.Invitation(ctx, token)
}

// RelationshipRequest reads a relationship request by its token.
func (d *DB) RelationshipRequest(ctx context.Context, token string) (domain.RelationshipRequest, error) {
	return d.core.RelationshipRequest(ctx, token)
}
