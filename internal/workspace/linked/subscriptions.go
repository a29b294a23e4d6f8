package linked

import (
	"context"
	"errors"
	"strings"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Subscriptions (issue 19): suspending and reactivating one is Partner Center's
// subscription PATCH with the status (the subscription read, its status changed, sent
// back whole), then the workspace's. The other changes of 'subscription set' (quantity,
// credited reseller, support contact) stay the workspace's.

// UpdateSubscription suspends or reactivates the subscription in Partner Center first.
func (w *Workspace) UpdateSubscription(ctx context.Context, id string, ch workspace.SubscriptionChange) (domain.Subscription, error) {
	if ch.Status == nil || ch.Reseller != nil || ch.SupportContact != nil || ch.Quantity != nil {
		// Not a status change, or one the workspace refuses (the status changes alone).
		return w.Workspace.UpdateSubscription(ctx, id, ch)
	}
	// 1. What the workspace would refuse is never sent.
	sub, err := w.subscription(ctx, id)
	if err != nil {
		return sub, err
	}
	c, err := w.Workspace.Customer(ctx, sub.CustomerID)
	if err != nil {
		return sub, err
	}
	to := strings.ToLower(strings.TrimSpace(*ch.Status))
	if err := domain.CheckSubscriptionStatus(sub, c.Customer, to); err != nil {
		return sub, err
	}
	// 2. Partner Center.
	pc, err := w.client(ctx)
	if err != nil {
		return sub, err
	}
	// 3. The status there first.
	verb, did := "suspend", "suspended"
	if to == domain.SubscriptionActive {
		verb, did = "reactivate", "reactivated"
	}
	done, err := pc.SetSubscriptionStatus(ctx, sub.CustomerID, sub.ID, to)
	if err != nil {
		return sub, notFoundHint(refused(err, verb+" subscription "+sub.ID, ""),
			"Partner Center has no such subscription or customer: it exists only in this workspace (added before the workspace was linked?)")
	}
	// 4. Then in the workspace.
	ctx = context.WithoutCancel(ctx)
	out, err := w.Workspace.UpdateSubscription(ctx, sub.ID, ch)
	if err != nil {
		return out, &UnrecordedError{What: did + " subscription " + sub.ID, RequestID: done.RequestID, Sync: workspace.SyncSubscriptions, Err: err}
	}
	return out, nil
}

var errFound = errors.New("found")

// subscription finds a subscription by its ID.
func (w *Workspace) subscription(ctx context.Context, id string) (domain.Subscription, error) {
	want := strings.ToLower(strings.TrimSpace(id))
	var found domain.Subscription
	err := w.Workspace.Subscriptions(ctx, workspace.SubscriptionQuery{ID: want}, func(s domain.Subscription) error {
		if strings.EqualFold(s.ID, want) {
			found = s
			return errFound
		}
		return nil
	})
	switch {
	case errors.Is(err, errFound):
		return found, nil
	case err != nil:
		return found, err
	}
	return found, &domain.NotFoundError{Kind: "subscription", Ref: id}
}
