package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Indirect resellers and subscriptions (docs/api/resellers.md).

func (c *Client) InviteReseller(ctx context.Context, inv domain.Invitation) (saved domain.Invitation, existing bool, err error) {
	var out api.Invitation
	if err = c.call(ctx, http.MethodPost, api.InvitationsPath, nil, api.FromInvitation(inv, "", false), &out); err != nil {
		return
	}
	return out.Domain(), out.Existing, nil
}

// AcceptInvitation posts the acceptance as the reseller's page does, in JSON.
func (c *Client) AcceptInvitation(ctx context.Context, token, mpnID, name string) (_ domain.Reseller, err error) {
	if token == "" {
		// No path holds an empty token: refuse it as the workspace does, in its order.
		if _, err := domain.ParseMPNID(mpnID); err != nil {
			return domain.Reseller{}, err
		}
		if strings.TrimSpace(name) == "" {
			return domain.Reseller{}, &domain.InvalidError{Field: "name", Reason: "is empty"}
		}
		return domain.Reseller{}, &domain.NotFoundError{Kind: "partnership request", Ref: token}
	}
	return c.reseller(ctx, http.MethodPost, api.InvitationsPath+"/"+PathEscape(token), api.Acceptance{MPNID: mpnID, Name: name})
}

func (c *Client) Resellers(ctx context.Context, statuses []domain.ResellerStatus) (_ []domain.Reseller, err error) {
	names := make([]string, len(statuses))
	for i, st := range statuses {
		names[i] = string(st)
	}
	query := url.Values{"status": {strings.Join(names, ",")}}
	if len(statuses) == 0 {
		// The server takes no status as active: ask for those, for the same refusal
		// as a local workspace's, and return none.
		query.Set("status", string(domain.ResellerActive))
	}
	var out []domain.Reseller
	err = c.pages(ctx, api.ResellersPath, query, func(raw json.RawMessage) error {
		var r api.Reseller
		if err := json.Unmarshal(raw, &r); err != nil {
			return c.unreadable(api.ResellersPath, err)
		}
		d, err := r.Domain()
		if err != nil {
			return c.unreadable(api.ResellersPath, err)
		}
		out = append(out, d)
		return nil
	})
	if err != nil || len(statuses) == 0 {
		return nil, err
	}
	return out, nil
}

func (c *Client) Reseller(ctx context.Context, mpnID string) (_ domain.Reseller, err error) {
	if mpnID == "" {
		return domain.Reseller{}, &domain.NotFoundError{Kind: "indirect reseller", Ref: mpnID}
	}
	return c.reseller(ctx, http.MethodGet, api.ResellersPath+"/"+PathEscape(mpnID), nil)
}

func (c *Client) RemoveReseller(ctx context.Context, mpnID string) (_ domain.Reseller, err error) {
	if mpnID == "" {
		return domain.Reseller{}, &domain.NotFoundError{Kind: "indirect reseller", Ref: mpnID}
	}
	return c.reseller(ctx, http.MethodDelete, api.ResellersPath+"/"+PathEscape(mpnID), nil)
}

// reseller makes a request answered with one reseller.
func (c *Client) reseller(ctx context.Context, method, path string, in any) (domain.Reseller, error) {
	var out api.Reseller
	if err := c.call(ctx, method, path, nil, in, &out); err != nil {
		return domain.Reseller{}, err
	}
	r, err := out.Domain()
	if err != nil {
		return r, c.unreadable(path, err)
	}
	return r, nil
}

// AddSubscription posts to Partner Center's collection of the customer's subscriptions
// (to pcctl's own collection, with the customer in the body, when the reference is empty:
// no path holds it).
func (c *Client) AddSubscription(ctx context.Context, s domain.Subscription) (_ domain.Subscription, err error) {
	path := api.SubscriptionsPath
	if s.CustomerID != "" {
		path = api.CustomerSubscriptionsPath(PathEscape(s.CustomerID))
	}
	return c.subscription(ctx, http.MethodPost, path, api.FromSubscription(s))
}

// Subscriptions reads one customer's from Partner Center's collection, any other
// selection from pcctl's. The answer is read item by item as it comes.
func (c *Client) Subscriptions(ctx context.Context, q workspace.SubscriptionQuery, each func(domain.Subscription) error) (err error) {
	req := &request{method: http.MethodGet, path: api.SubscriptionsPath, query: url.Values{}, long: true}
	switch {
	case q.Customer != "" && q.Reseller == "" && q.ExpiringWithin == nil && q.ID == "":
		req.path, req.query = api.CustomerSubscriptionsPath(PathEscape(q.Customer)), nil
	default:
		if q.ID != "" {
			req.query.Set("id", q.ID)
		}
		if q.Customer != "" {
			req.query.Set("customer", q.Customer)
		}
		if q.Reseller != "" {
			req.query.Set("reseller", q.Reseller)
		}
		if q.ExpiringWithin != nil {
			req.query.Set("expiring_within", q.ExpiringWithin.String())
		}
	}
	req.header = seekAfter(q.After)
	return collect(ctx, c, req, func(s *api.Subscription) error {
		d, err := s.Domain()
		if err != nil {
			return c.unreadable(req.path, err)
		}
		return each(d)
	})
}

func (c *Client) UpdateSubscription(ctx context.Context, id string, ch workspace.SubscriptionChange) (_ domain.Subscription, err error) {
	if id == "" {
		return domain.Subscription{}, &domain.NotFoundError{Kind: "subscription", Ref: id}
	}
	return c.subscription(ctx, http.MethodPatch, api.SubscriptionsPath+"/"+PathEscape(id), api.FromSubscriptionChange(ch))
}

// subscription makes a request answered with one subscription.
func (c *Client) subscription(ctx context.Context, method, path string, in any) (domain.Subscription, error) {
	var out api.Subscription
	if err := c.call(ctx, method, path, nil, in, &out); err != nil {
		return domain.Subscription{}, err
	}
	s, err := out.Domain()
	if err != nil {
		return s, c.unreadable(path, err)
	}
	return s, nil
}

// unreadable words an answer pcctl cannot read.
func (c *Client) unreadable(path string, err error) error {
	return fmt.Errorf("the pcctl server at %s sent an answer pcctl cannot read (%s): %v", c.Endpoint(), path, err)
}
