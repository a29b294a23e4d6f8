package sqlite

import (
	"context"

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
