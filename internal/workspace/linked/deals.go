package linked

import (
	"context"
	"fmt"
	"strings"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/pcpublish"
	"github.com/pcctl/pcctl/internal/workspace"
)

// CreateDeal creates the referral in Partner Center (POST /v1.0/engagements/referrals),
// then the deal in the workspace under Partner Center's referral ID (or d.ID, when given:
// it is then the referral's externalReferenceId), with the referral ID, engagement ID and
// ETag recorded as the deal's publication: a sync maps the referral back to this deal.
func (w *Workspace) CreateDeal(ctx context.Context, d domain.Deal) (workspace.DealRecord, error) {
	d.ID = strings.TrimSpace(d.ID)
	// 1. What the workspace would refuse is never sent.
	if d.ID != "" {
		if _, err := w.Workspace.Deal(ctx, d.ID); err == nil {
			return workspace.DealRecord{}, &domain.RuleError{Rule: "unique-deal-id", Msg: fmt.Sprintf("a deal with ID %s already exists", d.ID)}
		}
	}
	send := domain.NewOutboundDeal(d, w.now())
	if d.CustomerID != "" {
		c, err := w.Workspace.Customer(ctx, d.CustomerID)
		if err != nil {
			return workspace.DealRecord{}, err
		}
		send.CustomerID, send.Organization, send.OrgCountry = c.ID, c.CompanyName, c.Country
	}
	if err := domain.CheckDeal(send); err != nil {
		return workspace.DealRecord{}, err
	}
	// 2. Partner Center, signed in to the workspace's tenant.
	pc, err := w.client(ctx)
	if err != nil {
		return workspace.DealRecord{}, err
	}
	// 3. The change there first.
	created, err := pc.CreateReferral(ctx, pcpublish.Referral(send, false))
	if err != nil {
		return workspace.DealRecord{}, refused(err, "create the deal", "")
	}
	// 4. Recorded with Partner Center's answer, whatever happens to the command now.
	ctx = context.WithoutCancel(ctx)
	ref := created.Referral
	if d.ID == "" {
		d.ID = ref.ID
	}
	what := fmt.Sprintf("created the deal as referral %s", ref.ID)
	rec, err := w.Workspace.CreateDeal(ctx, d)
	if err != nil {
		return rec, &UnrecordedError{What: what, RequestID: created.RequestID, Sync: workspace.SyncDeals, Err: err}
	}
	if err := w.Workspace.RecordPublications(ctx, []workspace.DealPublication{{DealID: rec.ID, State: workspace.PublishPublished,
		ReferralID: ref.ID, EngagementID: ref.EngagementID, ETag: created.ETag}}); err != nil {
		return rec, &UnrecordedError{What: what, RequestID: created.RequestID, Sync: workspace.SyncDeals, Err: err}
	}
	return rec, nil
}
