package linked

import (
	"context"
	"fmt"
	"net/http"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Customer relationships (issue 19) in a linked workspace:
//
//   - ending one is Partner Center's customer PATCH with relationshipToPartner none, then
//     the workspace's (Partner Center refuses while the customer has an active
//     subscription or an Azure reserved VM instance order, as the workspace does);
//   - a relationship request's link is Partner Center's (GET
//     /v1/customers/relationshiprequests, with the indirect reseller's tenant ID when on
//     its behalf); the request is recorded as pending, and the relationship arrives with
//     the next sync of customers once the customer's admin accepted it in Partner Center;
//     pcctl's own acceptance (AcceptRelationship) is refused;
//   - the customer's permission to buy its own products has no Partner Center API (it is
//     set on the customer's account page there): it stays the workspace's.

// UpdateCustomer ends the relationship in Partner Center first, then in the workspace;
// the purchase permission alone is the workspace's.
func (w *Workspace) UpdateCustomer(ctx context.Context, ref string, ch workspace.CustomerChange) (workspace.CustomerRecord, bool, error) {
	if ch.Relationship == nil || *ch.Relationship != domain.RelationshipNone {
		// The purchase permission (no API), or a change the workspace refuses.
		return w.Workspace.UpdateCustomer(ctx, ref, ch)
	}
	// 1. What the workspace would refuse is never sent.
	c, err := w.Workspace.Customer(ctx, ref)
	if err != nil {
		return c, false, err
	}
	var subs []domain.Subscription
	if err := w.Workspace.Subscriptions(ctx, workspace.SubscriptionQuery{Customer: c.ID}, func(s domain.Subscription) error {
		subs = append(subs, s)
		return nil
	}); err != nil {
		return c, false, err
	}
	if err := domain.CheckEndRelationship(c.Customer, subs); err != nil {
		return c, false, err
	}
	// 2. Partner Center.
	pc, err := w.client(ctx)
	if err != nil {
		return c, false, err
	}
	// 3. Ended there first.
	ended, err := pc.EndRelationship(ctx, c.ID)
	if err != nil {
		err = refused(err, fmt.Sprintf("end the relationship with %s (%s)", c.CompanyName, c.Domain), "")
		err = notFoundHint(err, "Partner Center has no such customer: it exists only in this workspace (added before the workspace was linked?)")
		return c, false, refusalHint(err, http.StatusBadRequest,
			"the workspace's copy may be behind Partner Center's: pcctl sync subscriptions brings the customer's subscriptions as Partner Center has them")
	}
	// 4. Then in the workspace.
	ctx = context.WithoutCancel(ctx)
	out, changed, err := w.Workspace.UpdateCustomer(ctx, c.ID, ch)
	if err != nil {
		return out, changed, &UnrecordedError{What: fmt.Sprintf("ended the relationship with %s (%s)", c.CompanyName, c.Domain),
			RequestID: ended.RequestID, Sync: workspace.SyncCustomers, Err: err}
	}
	return out, changed, nil
}

// refusalHint adds hint to a refusal of that status that has none.
func refusalHint(err error, status int, hint string) error {
	if e, ok := err.(*RefusedError); ok && e.Err.Status == status && e.Hint == "" {
		e.Hint = hint
	}
	return err
}

// RequestRelationship asks Partner Center for the link that establishes the relationship
// (on behalf of the indirect reseller r.ResellerMPNID when set), then records the request
// as pending in the workspace; the request returned carries Partner Center's link.
func (w *Workspace) RequestRelationship(ctx context.Context, r domain.RelationshipRequest) (domain.RelationshipRequest, bool, error) {
	// 1. What the workspace would refuse is not asked.
	c, err := w.Workspace.Customer(ctx, r.CustomerID)
	if err != nil {
		return r, false, err
	}
	if r.ResellerMPNID != "" {
		if r.ResellerMPNID, err = domain.ParseMPNID(r.ResellerMPNID); err != nil {
			return r, false, err
		}
		rs, err := w.Workspace.Reseller(ctx, r.ResellerMPNID)
		if err := domain.CheckActiveReseller(rs, err == nil, r.ResellerMPNID, "the one a relationship request is made on behalf of"); err != nil {
			return r, false, err
		}
	}
	if err := domain.CheckRelationshipRequest(c.Customer, r.ResellerMPNID); err != nil {
		return r, false, err
	}
	// 2. Partner Center.
	pc, err := w.client(ctx)
	if err != nil {
		return r, false, err
	}
	// 3. Its link (a read: nothing changes there until the customer accepts).
	tenant := ""
	if r.ResellerMPNID != "" {
		if tenant, err = pc.ResellerTenantID(ctx, r.ResellerMPNID); err != nil {
			return r, false, readRefused(err, "list its indirect resellers")
		}
		if tenant == "" {
			return r, false, &domain.RuleError{Rule: "reseller-not-in-partner-center", Msg: fmt.Sprintf(
				"the indirect reseller %s is not one of Partner Center's active indirect resellers of this partner: pcctl sync resellers shows them", r.ResellerMPNID)}
		}
	}
	link, err := pc.RelationshipRequestLink(ctx, tenant)
	if err != nil {
		return r, false, readRefused(err, "give the relationship request link")
	}
	// 4. Recorded as pending, with Partner Center's link.
	saved, existing, err := w.Workspace.RequestRelationship(ctx, r)
	if err != nil {
		return saved, existing, err
	}
	saved.Link = link.Value.URL
	return saved, existing, nil
}

// AcceptRelationship is refused: in a linked workspace the customer accepts in Partner
// Center, through its link, and the relationship arrives with the next sync.
func (w *Workspace) AcceptRelationship(ctx context.Context, token string) (workspace.CustomerRecord, error) {
	return workspace.CustomerRecord{}, &domain.RuleError{Rule: "partner-center-relationship", Msg: fmt.Sprintf(
		"this workspace is linked to the partner tenant %s (%s): the customer accepts a relationship request in Partner Center, through its link, and the relationship arrives with the next pcctl sync customers; pcctl records no acceptance of its own",
		w.opts.Tenant, w.opts.TenantName)}
}
