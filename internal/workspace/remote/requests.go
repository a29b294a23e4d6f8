package remote

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Service requests (docs/api/requests.md).

// requestPath is the path of a request by reference number.
func requestPath(ref string) string { return "/v1/servicerequests/" + PathEscape(ref) }

// requestRef is a reference number as the workspace reads it, spaces removed (it names
// it so in its errors); "" cannot be sent in a path, and is no request.
func requestRef(ref string) (string, error) {
	ref = strings.ReplaceAll(strings.TrimSpace(ref), " ", "")
	if ref == "" {
		return "", &domain.NotFoundError{Kind: "service request", Ref: ""}
	}
	return ref, nil
}

// callRequest makes a call answered by one service request.
func (c *Client) callRequest(ctx context.Context, method, path string, in any) (workspace.RequestRecord, error) {
	var out api.ServiceRequest
	if err := c.call(ctx, method, path, nil, in, &out); err != nil {
		return workspace.RequestRecord{}, err
	}
	return out.Record()
}

func (c *Client) CreateRequest(ctx context.Context, r domain.ServiceRequest) (workspace.RequestRecord, error) {
	if strings.TrimSpace(r.CustomerID) == "" {
		return workspace.RequestRecord{}, &domain.NotFoundError{Kind: "customer", Ref: r.CustomerID}
	}
	body := api.FromRequestRecord(workspace.RequestRecord{ServiceRequest: r})
	body.ID, body.Organization, body.PCCTL = "", nil, nil
	body.Severity = api.Named(string(r.Severity)) // sent even when empty: the server refuses it as a local workspace does
	return c.callRequest(ctx, http.MethodPost, "/v1/customers/"+PathEscape(r.CustomerID)+"/servicerequests", body)
}

func (c *Client) Request(ctx context.Context, ref string) (workspace.RequestRecord, error) {
	ref, err := requestRef(ref)
	if err != nil {
		return workspace.RequestRecord{}, err
	}
	return c.callRequest(ctx, http.MethodGet, requestPath(ref), nil)
}

func (c *Client) ListRequests(ctx context.Context, q workspace.RequestQuery, each func(workspace.RequestRecord) error) error {
	v := url.Values{}
	if q.Customer != "" {
		v.Set("customer", q.Customer)
	}
	for _, st := range q.Statuses {
		v.Add("status", string(st))
	}
	if q.Severity != "" {
		v.Set("severity", string(q.Severity))
	}
	if q.Favorites {
		v.Set("favorites", "true")
	}
	req := &request{method: http.MethodGet, path: "/v1/servicerequests", query: v, header: seekAfter(q.After)}
	return collect(ctx, c, req, func(raw *json.RawMessage) error {
		rec, err := decodeRequest(*raw)
		if err != nil {
			return err
		}
		return each(rec)
	})
}

func decodeRequest(raw json.RawMessage) (workspace.RequestRecord, error) {
	var r api.ServiceRequest
	if err := json.Unmarshal(raw, &r); err != nil {
		return workspace.RequestRecord{}, err
	}
	return r.Record()
}

func (c *Client) SearchRequests(ctx context.Context, term string, limit int) ([]workspace.RequestRecord, error) {
	v := url.Values{"term": {term}}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out []workspace.RequestRecord
	err := c.pages(ctx, api.Prefix+"/servicerequests/search", v, func(raw json.RawMessage) error {
		rec, err := decodeRequest(raw)
		if err != nil {
			return err
		}
		out = append(out, rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []workspace.RequestRecord{}
	}
	return out, nil
}

func (c *Client) UpdateRequest(ctx context.Context, ref string, ch domain.RequestChange) (workspace.RequestRecord, error) {
	ref, err := requestRef(ref)
	if err != nil {
		return workspace.RequestRecord{}, err
	}
	return c.callRequest(ctx, http.MethodPatch, requestPath(ref), api.FromRequestChange(ch))
}

func (c *Client) SetRequestFavorite(ctx context.Context, ref string, favorite bool) (workspace.RequestRecord, error) {
	ref, err := requestRef(ref)
	if err != nil {
		return workspace.RequestRecord{}, err
	}
	method := http.MethodPut
	if !favorite {
		method = http.MethodDelete
	}
	return c.callRequest(ctx, method, api.Prefix+"/servicerequests/"+PathEscape(ref)+"/favorite", nil)
}

// Home is the principal's home overview, in one request.
func (c *Client) Home(ctx context.Context) (workspace.HomeOverview, error) {
	var out api.Home
	if err := c.call(ctx, http.MethodGet, api.HomePath, nil, nil, &out); err != nil {
		return workspace.HomeOverview{}, err
	}
	return out.Overview()
}
