package postgres

import (
	"context"
	"database/sql"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"

	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// The names this package's own files (sync, search) use of the shared layer.

type (
	field = sqlstore.Field
	state = sqlstore.State
	count = sqlstore.Count
)

// audit records a change in tx (sqlstore.Session.Audit).
func (s *session) audit(ctx context.Context, tx sqlstore.Tx, action, entity, id string, before, after state) error {
	return s.Audit(ctx, tx, action, entity, id, before, after)
}

const (
	auditCustomer     = sqlstore.AuditCustomer
	auditCustomers    = sqlstore.AuditCustomers
	auditReseller     = sqlstore.AuditReseller
	auditSubscription = sqlstore.AuditSubscription
	auditDeal         = sqlstore.AuditDeal
	auditDeals        = sqlstore.AuditDeals
	auditRequest      = sqlstore.AuditRequest
	auditUser         = sqlstore.AuditUser
)

var (
	customerState     = sqlstore.CustomerState
	flagState         = sqlstore.FlagState
	importState       = sqlstore.ImportState
	pinState          = sqlstore.PinState
	invitationState   = sqlstore.InvitationState
	resellerState     = sqlstore.ResellerState
	subscriptionState = sqlstore.SubscriptionState
	dealState         = sqlstore.DealState
	noteTexts         = sqlstore.NoteTexts
	tokenState        = sqlstore.TokenState
	favoriteState     = sqlstore.FavoriteState
	requestState      = sqlstore.RequestState
	userState         = sqlstore.UserState
)

func (s *session) auditDealImport(ctx context.Context, tx sqlstore.Tx, res *workspace.DealImportResult) error {
	return s.AuditDealImport(ctx, tx, res)
}

type (
	querier = sqlstore.Reader
	scanner = sqlstore.Scanner
)

func (s *session) findCustomer(ctx context.Context, q querier, ref string) (int64, workspace.CustomerRecord, error) {
	return s.FindCustomer(ctx, q, ref)
}

func afterKeys(ctx context.Context, q querier, kind, after, query string, keys ...any) error {
	return sqlstore.AfterKeys(ctx, q, kind, after, query, keys...)
}

// insertKeys writes a customer's search keys (sqlstore.InsertKeys).
func insertKeys(ctx context.Context, tx sqlstore.Tx, pk int64, c domain.Customer) error {
	return sqlstore.InsertKeys(ctx, tx, pk, c)
}

func insertCustomer(ctx context.Context, tx sqlstore.Tx, c domain.Customer, passwordHash string) (int64, error) {
	return sqlstore.InsertCustomer(ctx, dialect{}, tx, c, passwordHash)
}

func scanCustomer(r scanner, extra ...any) (int64, workspace.CustomerRecord, error) {
	return sqlstore.ScanCustomer(r, extra...)
}

func loadUser(ctx context.Context, q querier, email string) (domain.User, error) {
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

const (
	customerCols = sqlstore.CustomerCols
	userCols     = sqlstore.UserCols
)

func engagementID(dealID string) string  { return sqlstore.EngagementID(dealID) }
func normalizeDeal(d *domain.Deal) error { return sqlstore.NormalizeDeal(d) }

func writeSolutions(ctx context.Context, tx sqlstore.Tx, pk int64, sols []domain.Solution) error {
	return sqlstore.WriteSolutions(ctx, tx, pk, sols)
}

func (s *session) organization(ctx context.Context, tx sqlstore.Tx, d *domain.Deal) (customer, org sql.NullInt64, err error) {
	return s.Organization(ctx, tx, d)
}
