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
