package partnercenter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/pcctl/pcctl/internal/api"
)

// Created is a referral Partner Center created (or found): its answer and ETag.
type Created struct {
	Referral  api.Referral
	ETag      string
	RequestID string
}

// CreateReferral sends POST /v1.0/engagements/referrals. A 429 is waited out and sent
// again (Partner Center did not act on it); any other failure is an *Error, and after a
// failure without an answer (a 5xx, a timeout) the referral may exist: look it up with
// ReferralsByExternalID before sending it again.
func (c *Client) CreateReferral(ctx context.Context, ref api.Referral) (Created, error) {
	resp, err := c.Do(ctx, Request{API: Referrals, Method: http.MethodPost, Path: api.ReferralsPath, Body: ref})
	if err != nil {
		return Created{}, err
	}
	var out Created
	if err := json.Unmarshal(resp.Body, &out.Referral); err != nil || out.Referral.ID == "" {
		if err == nil {
			err = fmt.Errorf("no id")
		}
		return out, &Error{API: Referrals, Method: http.MethodPost, Path: api.ReferralsPath, Status: resp.Status, RequestID: resp.RequestID,
			CorrelationID: c.opts.CorrelationID, Err: fmt.Errorf("the created referral cannot be read: %w", err)}
	}
	out.ETag, out.RequestID = resp.Header.Get("ETag"), resp.RequestID
	return out, nil
}

// ReferralsByExternalID lists the referrals whose externalReferenceId is id
// ($filter=externalReferenceId eq 'id'), every page.
func (c *Client) ReferralsByExternalID(ctx context.Context, id string) ([]api.Referral, error) {
	filter := "externalReferenceId eq '" + strings.ReplaceAll(id, "'", "''") + "'"
	cur := Cursor{Path: api.ReferralsPath + "?" + url.Values{"$filter": {filter}}.Encode()}
	var out []api.Referral
	err := walk(ctx, c, Referrals, odataCollection, cur, func(p Page[api.Referral]) error {
		for _, r := range p.Items {
			if r.ExternalReferenceID == id { // a service that ignored the filter lists others
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// PatchOp is one operation of the Referrals API's PATCH body, a JSON Patch document
// (RFC 6902) of which the API takes replace and add only.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// Replace is the operation replacing the property at path (a JSON pointer) with value.
func Replace(path string, value any) PatchOp { return PatchOp{Op: "replace", Path: path, Value: value} }

// Add is the operation adding value at path ("/team/-" appends to the team).
func Add(path string, value any) PatchOp { return PatchOp{Op: "add", Path: path, Value: value} }

// Referral reads one referral (GET /v1.0/engagements/referrals/{id}) with its ETag.
func (c *Client) Referral(ctx context.Context, id string) (Created, error) {
	resp, err := c.Do(ctx, Request{API: Referrals, Path: api.ReferralURI(id)})
	if err != nil {
		return Created{}, err
	}
	return c.readReferral(resp, http.MethodGet, api.ReferralURI(id))
}

// UpdateReferral sends PATCH /v1.0/engagements/referrals/{id} with If-Match: etag (a
// stale one is an *Error of status 412) and returns the referral as Partner Center now
// has it, with its new ETag. A 429 is waited out and sent again; nothing else is.
func (c *Client) UpdateReferral(ctx context.Context, id, etag string, ops []PatchOp) (Created, error) {
	if etag == "" {
		etag = "*"
	}
	path := api.ReferralURI(id)
	resp, err := c.Do(ctx, Request{API: Referrals, Method: http.MethodPatch, Path: path,
		Header: http.Header{"If-Match": {etag}, "Prefer": {"return=representation"}}, Body: ops})
	if err != nil {
		return Created{}, err
	}
	return c.readReferral(resp, http.MethodPatch, path)
}

func (c *Client) readReferral(resp *Response, method, path string) (Created, error) {
	var out Created
	if err := json.Unmarshal(resp.Body, &out.Referral); err != nil || out.Referral.ID == "" {
		if err == nil {
			err = fmt.Errorf("no id")
		}
		return out, &Error{API: Referrals, Method: method, Path: path, Status: resp.Status, RequestID: resp.RequestID,
			CorrelationID: c.opts.CorrelationID, Err: fmt.Errorf("the referral answered cannot be read: %w", err)}
	}
	out.ETag, out.RequestID = resp.Header.Get("ETag"), resp.RequestID
	return out, nil
}
