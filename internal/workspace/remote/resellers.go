package remote

import (
	"context"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func (c *Client) InviteReseller(ctx context.Context, inv domain.Invitation) (saved domain.Invitation, existing bool, err error) {
	err = errNotImplemented
	return
}

func (c *Client) AcceptInvitation(ctx context.Context, token, mpnID, name string) (_ domain.Reseller, err error) {
	err = errNotImplemented
	return
}

func (c *Client) Resellers(ctx context.Context, statuses []domain.ResellerStatus) (_ []domain.Reseller, err error) {
	err = errNotImplemented
	return
}

func (c *Client) Reseller(ctx context.Context, mpnID string) (_ domain.Reseller, err error) {
	err = errNotImplemented
	return
}

func (c *Client) RemoveReseller(ctx context.Context, mpnID string) (_ domain.Reseller, err error) {
	err = errNotImplemented
	return
}

func (c *Client) AddSubscription(ctx context.Context, s domain.Subscription) (_ domain.Subscription, err error) {
	err = errNotImplemented
	return
}

func (c *Client) Subscriptions(ctx context.Context, q workspace.SubscriptionQuery, each func(domain.Subscription) error) (err error) {
	err = errNotImplemented
	return
}

func (c *Client) UpdateSubscription(ctx context.Context, id string, ch workspace.SubscriptionChange) (_ domain.Subscription, err error) {
	err = errNotImplemented
	return
}
