package workspace

import (
	"context"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
)

// PublishState is where a deal stands in being published to Partner Center (pcctl deal
// publish).
type PublishState string

// The publishing states. A deal without one was never sent.
const (
	// PublishSending records the intent, written before the referral is sent: a deal
	// found in this state after a run was interrupted may or may not exist in Partner
	// Center, which is asked (by its externalReferenceId) before anything is sent again.
	PublishSending PublishState = "sending"
	// PublishPublished: Partner Center created the referral; ReferralID and ETag say which.
	PublishPublished PublishState = "published"
	// PublishRefused: Partner Center refused to create it (Error says why); nothing exists
	// there, and the next run sends it again.
	PublishRefused PublishState = "refused"
	// PublishSynced: the deal came from Partner Center (a sync): its ID is the referral's.
	PublishSynced PublishState = "synced"
)

// DealPublication is a deal's publishing state.
type DealPublication struct {
	DealID string
	Name   string // the deal's name (read only)
	// PSC is true for a deal imported from Partner Sales Connect (read only).
	PSC                            bool
	State                          PublishState // "" when never sent
	ReferralID, EngagementID, ETag string
	Error                          string // Partner Center's refusal, for PublishRefused
	At                             time.Time
}

// DealPublicationOf is the publishing state of deal id (its exact ID): one lookup in a
// workspace that has one (the SQLite and PostgreSQL stores' DealPublication), else found
// among DealPublications. A deal the workspace does not have is a *domain.NotFoundError.
func DealPublicationOf(ctx context.Context, ws Workspace, id string) (DealPublication, error) {
	if f, ok := ws.(interface {
		DealPublication(ctx context.Context, id string) (DealPublication, error)
	}); ok {
		return f.DealPublication(ctx, id)
	}
	ps, err := ws.DealPublications(ctx)
	if err != nil {
		return DealPublication{}, err
	}
	for _, p := range ps {
		if p.DealID == id {
			return p, nil
		}
	}
	return DealPublication{}, &domain.NotFoundError{Kind: "deal", Ref: id}
}
