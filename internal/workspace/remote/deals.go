package remote

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Deals: Partner Center's referrals and pcctl's additions (docs/api/deals.md). Writes
// that take an expected version send it as If-Match (the deal's ETag); the server refuses
// a stale one as the local workspace does.

// dealReferral sends a request answered by one referral.
func (c *Client) dealReferral(ctx context.Context, method, path string, body any, expectVersion int) (workspace.DealRecord, error) {
	req := &request{method: method, path: path, body: body}
	if expectVersion != 0 {
		req.header = http.Header{"If-Match": {api.DealETag(expectVersion)}}
	}
	resp, err := c.send(ctx, req)
	if err != nil {
		return workspace.DealRecord{}, err
	}
	defer resp.Body.Close()
	var ref api.Referral
	if err := c.decode(resp, &ref); err != nil {
		return workspace.DealRecord{}, err
	}
	return c.dealRecordOf(resp, ref)
}

// dealRecordOf is the deal of a referral the server sent.
func (c *Client) dealRecordOf(resp *http.Response, ref api.Referral) (workspace.DealRecord, error) {
	rec, err := ref.Record()
	if err != nil {
		return rec, fmt.Errorf("the pcctl server at %s sent a referral pcctl cannot read (%s %s): %v", c.Endpoint(), resp.Request.Method, resp.Request.URL.Path, err)
	}
	return rec, nil
}

func dealPath(id string) string { return api.DealsPath + "/" + PathEscape(id) }

// dealEmptyID is what a local workspace answers for an empty deal ID. An empty path
// segment cannot name a resource, so the client answers it.
func dealEmptyID(id string) error {
	if id == "" {
		return &domain.NotFoundError{Kind: "deal", Ref: id}
	}
	return nil
}

func (c *Client) CreateDeal(ctx context.Context, d domain.Deal) (workspace.DealRecord, error) {
	d.Direction = domain.Outbound // as locally, whatever it was; Incoming would receive it
	ref := api.FromDealRecord(workspace.DealRecord{Deal: d})
	ref.Links, ref.Attributes = nil, nil
	return c.dealReferral(ctx, http.MethodPost, api.ReferralsPath, ref, 0)
}

func (c *Client) ReceiveDeal(ctx context.Context, d domain.Deal) (workspace.DealRecord, error) {
	d.Direction = domain.Inbound // the server records an Incoming referral as received
	ref := api.FromDealRecord(workspace.DealRecord{Deal: d})
	ref.Links, ref.Attributes = nil, nil
	return c.dealReferral(ctx, http.MethodPost, api.ReferralsPath, ref, 0)
}

func (c *Client) Deal(ctx context.Context, id string) (workspace.DealRecord, error) {
	if err := dealEmptyID(id); err != nil {
		return workspace.DealRecord{}, err
	}
	return c.dealReferral(ctx, http.MethodGet, api.ReferralURI(id), nil, 0)
}

func (c *Client) ListDeals(ctx context.Context, q workspace.DealQuery, each func(workspace.DealRecord) error) error {
	v := url.Values{}
	if q.Status != "" {
		v.Set("status", string(q.Status))
	}
	if q.Substatus != "" {
		v.Set("substatus", string(q.Substatus))
	}
	if q.Direction != "" {
		v.Set("direction", string(q.Direction))
	}
	if q.Type != "" {
		v.Set("type", string(q.Type))
	}
	if q.Customer != "" {
		v.Set("customer", q.Customer)
	}
	if q.Favorites {
		v.Set("favorites", "true")
	}
	if q.ExpiringWithin != nil {
		v.Set("expiring_within", q.ExpiringWithin.String())
	}
	if q.Sort == "updated" { // anything else is the default order, as locally
		v.Set("sort", "updated")
	}
	req := &request{method: http.MethodGet, path: api.ReferralsPath, query: v, header: seekAfter(q.After), long: true}
	return collect(ctx, c, req, func(ref *api.Referral) error {
		rec, err := ref.Record()
		if err != nil {
			return fmt.Errorf("the pcctl server at %s sent a referral pcctl cannot read (GET %s): %v", c.Endpoint(), api.ReferralsPath, err)
		}
		return each(rec)
	})
}

func (c *Client) ActOnDeal(ctx context.Context, id string, action domain.DealAction, reason string, expectVersion int) (workspace.DealRecord, error) {
	if action == domain.ActEdit || action == domain.ActExpire {
		return workspace.DealRecord{}, fmt.Errorf("ActOnDeal: %s is not an action a user takes", action)
	}
	if err := dealEmptyID(id); err != nil {
		return workspace.DealRecord{}, err
	}
	return c.dealReferral(ctx, http.MethodPatch, api.ReferralURI(id), api.DealStatusUpdate(action, reason), expectVersion)
}

func (c *Client) UpdateDeal(ctx context.Context, id string, ch workspace.DealChange, expectVersion int) (workspace.DealRecord, error) {
	if err := dealEmptyID(id); err != nil {
		return workspace.DealRecord{}, err
	}
	return c.dealReferral(ctx, http.MethodPatch, api.ReferralURI(id), api.DealContentUpdate(ch), expectVersion)
}

func (c *Client) AddDealNote(ctx context.Context, id, text string, expectVersion int) (workspace.DealRecord, error) {
	if err := dealEmptyID(id); err != nil {
		return workspace.DealRecord{}, err
	}
	return c.dealReferral(ctx, http.MethodPost, dealPath(id)+"/notes", api.DealNoteRequest{Text: text}, expectVersion)
}

func (c *Client) SetDealTeamMember(ctx context.Context, id, email string, member bool, expectVersion int) (workspace.DealRecord, error) {
	// As locally, the address is checked first (an empty one cannot be a path segment).
	if _, err := domain.ParseEmail(email); err != nil {
		return workspace.DealRecord{}, err
	}
	if err := dealEmptyID(id); err != nil {
		return workspace.DealRecord{}, err
	}
	method := http.MethodPut
	if !member {
		method = http.MethodDelete
	}
	return c.dealReferral(ctx, method, dealPath(id)+"/team/"+PathEscape(email), nil, expectVersion)
}

func (c *Client) SetDealFavorite(ctx context.Context, id string, favorite bool) (workspace.DealRecord, error) {
	if err := dealEmptyID(id); err != nil {
		return workspace.DealRecord{}, err
	}
	method := http.MethodPut
	if !favorite {
		method = http.MethodDelete
	}
	return c.dealReferral(ctx, method, dealPath(id)+"/favorite", nil, 0)
}

// importProgressEvery is how many rows are sent between calls of opts.Progress.
const importProgressEvery = 1024

// ImportDeals streams the rows to the server as NDJSON, written by a goroutine through a
// pipe as rows.Next yields them (the rows are never all in memory), then {"end": N}. An
// error of rows.Next closes the pipe with it: the body is cut short, the server aborts
// the import without writing anything, and that error is returned, as locally.
func (c *Client) ImportDeals(ctx context.Context, rows workspace.DealRows, opts workspace.DealImportOptions) (workspace.DealImportResult, error) {
	var res workspace.DealImportResult
	q := url.Values{}
	if opts.DryRun {
		q.Set("dryRun", "true")
	}
	if opts.SkipFailed {
		q.Set("skipFailed", "true")
	}
	if opts.CreateMissingOrgs {
		q.Set("createMissingOrgs", "true")
	}
	if opts.ExpectedRows > 0 {
		q.Set("expectedRows", strconv.Itoa(opts.ExpectedRows))
	}
	pr, pw := io.Pipe()
	var rowsErr error // set by the goroutine when rows.Next fails; read after done
	done := make(chan struct{})
	go func() {
		defer close(done)
		bw := bufio.NewWriterSize(pw, 64<<10)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		n := 0
		for {
			row, err := rows.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rowsErr = err
				pw.CloseWithError(err)
				return
			}
			if err := enc.Encode(api.FromDealImportRow(row)); err != nil {
				pw.CloseWithError(err) // the request ended (its error is send's)
				return
			}
			n++
			if opts.Progress != nil && n%importProgressEvery == 0 {
				opts.Progress(n)
			}
		}
		err := enc.Encode(api.DealImportItem{End: &n})
		if err == nil {
			err = bw.Flush()
		}
		if opts.Progress != nil && n%importProgressEvery != 0 {
			opts.Progress(n)
		}
		pw.CloseWithError(err) // nil: EOF
	}()
	finish := func() error {
		pr.CloseWithError(errors.New("the import request ended")) // unblocks the goroutine
		<-done
		return rowsErr
	}
	resp, err := c.send(ctx, &request{method: http.MethodPost, path: api.DealImportPath, query: q, stream: pr, contentType: "application/x-ndjson"})
	if rerr := dealFinishIfFailed(err, finish); rerr != nil {
		return res, rerr
	}
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	if rerr := finish(); rerr != nil {
		return res, rerr
	}
	dec := json.NewDecoder(resp.Body)
	err = readObject(dec, func(key string) error {
		switch strings.ToLower(key) {
		case "rows":
			return readArray(dec, func() error {
				var row api.DealImportRowResult
				if err := dec.Decode(&row); err != nil {
					return err
				}
				res.Rows = append(res.Rows, row.Result())
				return nil
			})
		case "written":
			return dec.Decode(&res.Written)
		case "orgscreated":
			return dec.Decode(&res.OrgsCreated)
		}
		var skip json.RawMessage
		return dec.Decode(&skip)
	})
	if err != nil {
		return workspace.DealImportResult{}, c.streamError(resp, err)
	}
	return res, nil
}

// dealFinishIfFailed waits for the rows' goroutine when the request failed, and returns the
// error of rows.Next that made it fail, if any.
func dealFinishIfFailed(err error, finish func() error) error {
	if err == nil {
		return nil
	}
	return finish()
}
