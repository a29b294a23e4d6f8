package remote

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Customer relationships (docs/api/relationships.md).

func (c *Client) RequestRelationship(ctx context.Context, r domain.RelationshipRequest) (_ domain.RelationshipRequest, existing bool, err error) {
	ref := strings.TrimSpace(r.CustomerID)
	path, ok := customerPath(api.CustomerViewsPath, ref, "/relationshiprequests")
	if !ok {
		return r, false, notFound(r.CustomerID)
	}
	r.Token = "" // the server draws it
	var out api.RelationshipRequest
	if err := c.call(ctx, http.MethodPost, path, nil, api.FromRelationshipRequest(r, "", false), &out); err != nil {
		return r, false, err
	}
	return out.Domain(), out.Existing, nil
}

func (c *Client) RelationshipRequests(ctx context.Context) ([]domain.RelationshipRequest, error) {
	var out []domain.RelationshipRequest
	err := c.pages(ctx, api.RelationshipRequestsPath, nil, func(raw json.RawMessage) error {
		var r api.RelationshipRequest
		if err := json.Unmarshal(raw, &r); err != nil {
			return c.unreadable(api.RelationshipRequestsPath, err)
		}
		out = append(out, r.Domain())
		return nil
	})
	return out, err
}

// AcceptRelationship posts the acceptance as the customer's page does, in JSON.
func (c *Client) AcceptRelationship(ctx context.Context, token string) (workspace.CustomerRecord, error) {
	if strings.TrimSpace(token) == "" {
		// No path holds an empty token: refuse it as the workspace does.
		return workspace.CustomerRecord{}, &domain.NotFoundError{Kind: "relationship request", Ref: token}
	}
	return c.customer(ctx, http.MethodPost, api.RelationshipRequestLinkPath+"/"+PathEscape(token), struct{}{})
}

func (c *Client) UpdateCustomer(ctx context.Context, ref string, ch workspace.CustomerChange) (workspace.CustomerRecord, bool, error) {
	path, ok := customerPath(api.CustomersPath, ref, "")
	if !ok {
		return workspace.CustomerRecord{}, false, notFound(ref)
	}
	var out api.ChangeAnswer
	if err := c.call(ctx, http.MethodPatch, path, nil, api.FromCustomerChange(ch), &out); err != nil {
		return workspace.CustomerRecord{}, false, err
	}
	r, err := c.record(&out.Customer)
	return r, out.Changed, err
}
