// Package partnercenter is the client of Partner Center's REST API
// (api.partnercenter.microsoft.com) and of the Referrals API (api.partner.microsoft.com):
// requests with their MS-RequestId and MS-CorrelationId, seek paging (links.next with its
// MS-ContinuationToken header; the Referrals API's @odata.nextLink), 429 with Retry-After,
// 5xx and timeouts retried with backoff for reads, a bounded number of requests in flight,
// a 401 answered by refreshing the token once. Payloads are read through internal/api's
// Partner Center shapes. It knows nothing of workspaces.
package partnercenter

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
)

// Default endpoints (settings partner_center_url and referrals_url).
const (
	DefaultPartnerCenterURL = "https://api.partnercenter.microsoft.com"
	DefaultReferralsURL     = "https://api.partner.microsoft.com"
)

// API names one of the two services: each has its own endpoint and its own token audience.
type API int

// The APIs.
const (
	PartnerCenter API = iota // the REST API: customers, relationships, subscriptions, service requests
	Referrals                // the Referrals API: engagements/referrals (App+User only)
)

func (a API) String() string {
	if a == Referrals {
		return "Referrals API"
	}
	return "Partner Center"
}

// TokenRequest asks a TokenSource for an access token to api. Refresh is true after the
// service answered 401 with the token given before: a cached token must not be given again.
type TokenRequest struct {
	API     API
	Refresh bool
}

// TokenSource gives access tokens. Tests use a fixed one; partnercenter/auth has MSAL's.
type TokenSource interface {
	Token(ctx context.Context, req TokenRequest) (string, error)
}

// StaticToken is a TokenSource giving the same token for every API, never refreshed.
type StaticToken string

// Token returns the token; a refresh is refused: the token was given as it is.
func (t StaticToken) Token(_ context.Context, req TokenRequest) (string, error) {
	if req.Refresh {
		return "", &domain.AuthError{Code: domain.AuthExpired, Reason: "the access token given was refused (expired?); run pcctl auth login"}
	}
	return string(t), nil
}

// Options configure a Client. Zero values take the defaults.
type Options struct {
	PartnerCenterURL string // default DefaultPartnerCenterURL
	ReferralsURL     string // default DefaultReferralsURL
	Tokens           TokenSource
	HTTPClient       *http.Client // default: a client with no overall timeout (RequestTimeout bounds each try)
	// Concurrency bounds the requests in flight through this Client (default 4).
	Concurrency int
	// RequestTimeout bounds one try of a request, its body read (default 100 s).
	RequestTimeout time.Duration
	// MaxRetries is how many times a read is tried again after a 429, 5xx or timeout
	// (default 6).
	MaxRetries int
	// Backoff is the first wait before trying a 5xx or timeout again; it doubles each
	// time, with jitter, up to MaxBackoff (defaults 1 s and 30 s).
	Backoff, MaxBackoff time.Duration
	// MaxRetryAfter caps a Retry-After honoured (default 5 minutes).
	MaxRetryAfter time.Duration
	// CorrelationID is sent as MS-CorrelationId with every request (default: a new GUID).
	CorrelationID string
	// OnRetry, when set, is told of each wait before a try again (for progress and logs).
	OnRetry func(RetryEvent)
}

// RetryEvent describes a wait before a request is tried again.
type RetryEvent struct {
	Method, Path string
	Status       int // 0 for a transport error or timeout
	Wait         time.Duration
	Attempt      int // the try about to be made, from 2
	RequestID    string
}

// Client talks to Partner Center. It is safe for concurrent use.
type Client struct {
	opts  Options
	pcURL *url.URL
	rfURL *url.URL
	sem   chan struct{}
}

// New makes a Client; the URLs must be absolute http(s) URLs.
func New(opts Options) (*Client, error) {
	if opts.PartnerCenterURL == "" {
		opts.PartnerCenterURL = DefaultPartnerCenterURL
	}
	if opts.ReferralsURL == "" {
		opts.ReferralsURL = DefaultReferralsURL
	}
	if opts.Tokens == nil {
		return nil, errors.New("partnercenter: no token source")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.HTTPClient == nil {
		// Keep a connection per request in flight: the default transport keeps 2 per
		// host, so with 4 in flight (a sync reading subscriptions, a request per customer)
		// it closed and opened connections all the time.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = max(opts.Concurrency, t.MaxIdleConnsPerHost)
		opts.HTTPClient = &http.Client{Transport: t}
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 100 * time.Second
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 6
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = 5 * time.Minute
	}
	if opts.CorrelationID == "" {
		opts.CorrelationID = NewID()
	}
	pc, err := parseBase("partner_center_url", opts.PartnerCenterURL)
	if err != nil {
		return nil, err
	}
	rf, err := parseBase("referrals_url", opts.ReferralsURL)
	if err != nil {
		return nil, err
	}
	return &Client{opts: opts, pcURL: pc, rfURL: rf, sem: make(chan struct{}, opts.Concurrency)}, nil
}

func parseBase(setting, s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &domain.InvalidError{Field: setting, Value: s, Reason: "is not an http(s) URL such as " + DefaultPartnerCenterURL}
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// CorrelationID is the MS-CorrelationId sent with every request of this Client.
func (c *Client) CorrelationID() string { return c.opts.CorrelationID }

// NewID is a new random GUID (version 4), as Partner Center's request IDs are.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Error is a request Partner Center refused or that could not be made. It names the
// request and its IDs, which Partner Center's support asks for.
type Error struct {
	API           API
	Method        string
	Path          string // path and query, without the host
	Status        int    // 0 when no answer came
	Code          string // Partner Center's error code, when it sent one
	Description   string
	RequestID     string
	CorrelationID string
	Err           error // the cause: a transport error, a decoding error, an *domain.AuthError
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.API.String())
	b.WriteString(": ")
	b.WriteString(e.Method + " " + e.Path)
	switch {
	case e.Status != 0 && e.Err != nil && e.Status < 300:
		b.WriteString(": " + e.Err.Error())
	case e.Status != 0:
		fmt.Fprintf(&b, ": %d %s", e.Status, http.StatusText(e.Status))
		if e.Code != "" {
			b.WriteString(" (code " + e.Code + ")")
		}
		if e.Description != "" {
			b.WriteString(": " + e.Description)
		}
		var auth *domain.AuthError
		if errors.As(e.Err, &auth) {
			b.WriteString("; run pcctl auth login")
		}
	case e.Err != nil:
		b.WriteString(": " + e.Err.Error())
	}
	fmt.Fprintf(&b, " [MS-RequestId: %s, MS-CorrelationId: %s]", e.RequestID, e.CorrelationID)
	return b.String()
}

// Unwrap is the cause: a 401 (after one refresh) or a 403 unwraps to a *domain.AuthError
// (exit code 5), a page that cannot be read to its decoding error.
func (e *Error) Unwrap() error { return e.Err }

// Request is one call to make.
type Request struct {
	API    API
	Method string // default GET
	// Path is the path and query, absolute ("/v1/customers?size=10") or a full URL from
	// a link, of which only the path and query are used: the host is always the
	// configured endpoint's (Partner Center's links may name another scheme or omit /v1).
	Path   string
	Header http.Header // extra headers (MS-ContinuationToken…)
	Body   any         // JSON-encoded when not nil
}

// Response is an answer read whole.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	RequestID string
}

// maxBody bounds an answer read into memory.
const maxBody = 256 << 20

// Do sends req, tries it again as the Options say (a read: on 429, 5xx, timeouts and
// transport errors; a write: on 429 only, which Partner Center did not act on), refreshes
// the token once on a 401, and returns a 2xx answer read whole, or an *Error.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	target, display, err := c.resolve(req.API, req.Path)
	if err != nil {
		return nil, err
	}
	var body []byte
	if req.Body != nil {
		if body, err = json.Marshal(req.Body); err != nil {
			return nil, err
		}
	}
	idempotent := req.Method == http.MethodGet || req.Method == http.MethodHead
	refreshed := false
	backoff := c.opts.Backoff
	for attempt := 1; ; attempt++ {
		token, err := c.opts.Tokens.Token(ctx, TokenRequest{API: req.API, Refresh: refreshed})
		if err != nil {
			return nil, err
		}
		reqID := NewID()
		resp, err := c.try(ctx, req, target, body, token, reqID)
		fail := &Error{API: req.API, Method: req.Method, Path: display, RequestID: reqID, CorrelationID: c.opts.CorrelationID}
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			fail.Err = transportError(err)
			if !idempotent || attempt > c.opts.MaxRetries {
				return nil, fail
			}
			wait = c.jitter(backoff)
			backoff = min(backoff*2, c.opts.MaxBackoff)
		case resp.Status >= 200 && resp.Status < 300:
			return resp, nil
		default:
			fail.Status, fail.RequestID = resp.Status, resp.RequestID
			fail.Code, fail.Description = errorBody(resp.Body)
			switch {
			case resp.Status == http.StatusUnauthorized && !refreshed:
				refreshed = true
				continue
			case resp.Status == http.StatusUnauthorized:
				fail.Err = &domain.AuthError{Code: domain.AuthExpired, Reason: req.API.String() + " refused the access token"}
				return nil, fail
			case resp.Status == http.StatusForbidden:
				fail.Err = &domain.AuthError{Code: "forbidden", Reason: "the signed-in account may not use this " + req.API.String() + " resource"}
				return nil, fail
			case resp.Status == http.StatusTooManyRequests && attempt <= c.opts.MaxRetries:
				wait = retryAfter(resp.Header.Get("Retry-After"), c.jitter(backoff), c.opts.MaxRetryAfter)
				backoff = min(backoff*2, c.opts.MaxBackoff)
			case resp.Status >= 500 && idempotent && attempt <= c.opts.MaxRetries:
				wait = c.jitter(backoff)
				if ra := resp.Header.Get("Retry-After"); ra != "" {
					wait = retryAfter(ra, wait, c.opts.MaxRetryAfter)
				}
				backoff = min(backoff*2, c.opts.MaxBackoff)
			default:
				return nil, fail
			}
		}
		if c.opts.OnRetry != nil {
			c.opts.OnRetry(RetryEvent{Method: req.Method, Path: display, Status: fail.Status, Wait: wait, Attempt: attempt + 1, RequestID: fail.RequestID})
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// try makes one request, holding a place among the requests in flight.
func (c *Client) try(ctx context.Context, req Request, target string, body []byte, token, reqID string) (*Response, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, target, rd)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	hr.Header.Set("Authorization", "Bearer "+token)
	hr.Header.Set("Accept", "application/json")
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	hr.Header.Set(api.RequestIDHeader, reqID)
	hr.Header.Set(api.CorrelationIDHeader, c.opts.CorrelationID)
	hr.Header.Set("X-Locale", "en-US")
	resp, err := c.opts.HTTPClient.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("the answer is larger than %d MiB", maxBody>>20)
	}
	id := resp.Header.Get(api.RequestIDHeader)
	if id == "" {
		id = reqID
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, RequestID: id}, nil
}

// resolve is the URL to request for path on api's endpoint, and the path and query to
// name in errors.
func (c *Client) resolve(a API, path string) (target, display string, err error) {
	base := c.pcURL
	if a == Referrals {
		base = c.rfURL
	}
	u, err := url.Parse(path)
	if err != nil {
		return "", "", fmt.Errorf("%s: cannot follow %q: %v", a, path, err)
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	// Partner Center's links sometimes omit the version ("/customers?…" for
	// "/v1/customers?…"); the Referrals API's name it.
	if a == PartnerCenter && !strings.HasPrefix(p, "/v1/") {
		p = "/v1" + p
	}
	display = p
	if u.RawQuery != "" {
		display += "?" + u.RawQuery
	}
	return base.Scheme + "://" + base.Host + base.EscapedPath() + display, display, nil
}

func (c *Client) jitter(d time.Duration) time.Duration {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(d/2)+1))
	if err != nil {
		return d
	}
	return d/2 + time.Duration(n.Int64())
}

// retryAfter reads a Retry-After header: seconds or an HTTP date; def when absent or bad.
func retryAfter(h string, def, limit time.Duration) time.Duration {
	if h == "" {
		return def
	}
	var d time.Duration
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	} else {
		return def
	}
	if d < 0 {
		d = 0
	}
	return min(d, limit)
}

func transportError(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return errors.New("no answer in time")
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("cannot reach the service: %v", ue.Err)
	}
	return err
}

// errorBody reads Partner Center's error answer ({"code":…,"description":…}) or the
// Referrals API's ({"error":{"code":…,"message":…}}).
func errorBody(b []byte) (code, description string) {
	var pc struct {
		Code        json.RawMessage `json:"code"`
		Description string          `json:"description"`
		Message     string          `json:"message"`
		Error       *struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &pc) != nil {
		return "", ""
	}
	raw, desc := pc.Code, pc.Description
	if desc == "" {
		desc = pc.Message
	}
	if pc.Error != nil {
		raw, desc = pc.Error.Code, pc.Error.Message
	}
	code = strings.Trim(string(raw), `"`)
	if code == "null" {
		code = ""
	}
	if len(desc) > 300 {
		desc = desc[:300] + "…"
	}
	return code, desc
}
