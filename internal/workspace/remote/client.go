// Package remote is the Workspace of a pcctl server (`pcctl serve`, docs/api.md), reached
// over HTTP with an access token. Every method is one or a few requests; errors come back
// as the types a local workspace returns (api.Error.Err), so commands print the same
// messages and exit with the same codes against either.
//
// The client follows links.next paging, streams imports and exports, retries idempotent
// requests answered 429 or 503 (honouring Retry-After) and bounds every request in time.
package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/buildinfo"
	"github.com/pcctl/pcctl/internal/domain"
)

// Options tune a Client; zero values take the defaults.
type Options struct {
	// Token is the access token (pcctl token create) sent with every request.
	Token string
	// HTTPClient replaces the default client (tests). Its Timeout should be 0: the client
	// bounds each request itself.
	HTTPClient *http.Client
	// Timeout bounds a request and its answer, streams excepted, which are bounded by
	// the time to the answer's headers and between reads (default 30 s).
	Timeout time.Duration
	// MaxRetries is how many times an idempotent request answered 429 or 503 (or cut
	// before any answer) is sent again (default 4).
	MaxRetries int
	// MaxRetryWait caps one wait between attempts: a server asking for longer is not
	// retried (default 30 s).
	MaxRetryWait time.Duration
	// Sleep waits between attempts (tests replace it).
	Sleep func(ctx context.Context, d time.Duration) error
	// TestNow, when set, is sent with every request (api.TestNowHeader): pcctl's fixed
	// clock (PCCTL_NOW), which a server started for tests uses and any other ignores.
	TestNow time.Time
}

// Defaults of Options.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRetries   = 4
	DefaultMaxRetryWait = 30 * time.Second
)

// Client is a remote workspace.
type Client struct {
	base *url.URL
	opts Options
	hc   *http.Client
}

// New makes the client of the server at endpoint (http or https URL, optionally with a
// base path). It does not contact the server.
func New(endpoint string, opts Options) (*Client, error) {
	u, err := ParseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	if opts.MaxRetryWait <= 0 {
		opts.MaxRetryWait = DefaultMaxRetryWait
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	hc := opts.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		tr.TLSHandshakeTimeout = 10 * time.Second
		tr.ResponseHeaderTimeout = opts.Timeout
		tr.MaxIdleConnsPerHost = 8
		hc = &http.Client{Transport: tr}
	}
	return &Client{base: u, opts: opts, hc: hc}, nil
}

// ParseEndpoint checks a server address: an http or https URL with a host, no query.
func ParseEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(endpoint))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("invalid endpoint %q: expected the address of a pcctl server, such as http://127.0.0.1:8787 or https://pcctl.example.com", endpoint)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Endpoint is the server's address.
func (c *Client) Endpoint() string { return c.base.String() }

// Close releases idle connections.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// request is one API call.
type request struct {
	method string
	path   string     // under the endpoint, with its IDs escaped (PathEscape)
	query  url.Values // may be nil
	header http.Header
	// body is sent as JSON; it can be sent again on a retry.
	body any
	// stream is sent as is, with contentType; a request with a stream is never retried
	// and has no overall time limit.
	stream      io.Reader
	contentType string
	// long marks an answer that streams (an export): no overall time limit.
	long bool
}

// idempotent requests may be sent again.
func (r *request) idempotent() bool {
	if r.stream != nil {
		return false
	}
	switch r.method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// PathEscape escapes one path segment (an ID, a domain, an address).
func PathEscape(s string) string { return url.PathEscape(s) }

// send makes the request, retrying as Options says, and returns a 2xx answer whose body
// the caller closes (its context's cancel runs when the body is closed). Any other
// answer becomes its error (api.Error.Err).
func (c *Client) send(ctx context.Context, req *request) (*http.Response, error) {
	var payload []byte
	if req.body != nil {
		var err error
		if payload, err = json.Marshal(req.body); err != nil {
			return nil, err
		}
	}
	u := *c.base
	u.RawPath = c.base.EscapedPath() + req.path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, fmt.Errorf("bad request path %q: %w", req.path, err)
	}
	u.Path = p
	if req.query != nil {
		u.RawQuery = req.query.Encode()
	}
	for attempt := 0; ; attempt++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if req.stream == nil && !req.long {
			actx, cancel = context.WithTimeout(ctx, c.opts.Timeout)
		}
		var body io.Reader
		switch {
		case payload != nil:
			body = bytes.NewReader(payload)
		case req.stream != nil:
			body = req.stream
		}
		hr, err := http.NewRequestWithContext(actx, req.method, u.String(), body)
		if err != nil {
			cancel()
			return nil, err
		}
		for k, v := range req.header {
			hr.Header[k] = v
		}
		hr.Header.Set("Accept", "application/json")
		hr.Header.Set("User-Agent", userAgent())
		if payload != nil {
			hr.Header.Set("Content-Type", "application/json")
		} else if req.stream != nil {
			hr.Header.Set("Content-Type", req.contentType)
		}
		if c.opts.Token != "" {
			hr.Header.Set("Authorization", "Bearer "+c.opts.Token)
		}
		if !c.opts.TestNow.IsZero() {
			hr.Header.Set(api.TestNowHeader, c.opts.TestNow.UTC().Format(time.RFC3339Nano))
		}
		resp, err := c.hc.Do(hr)
		if err != nil {
			cancel()
			err = c.transportError(ctx, err)
			if req.idempotent() && attempt < c.opts.MaxRetries && retryableTransport(err) {
				if werr := c.opts.Sleep(ctx, backoff(attempt)); werr != nil {
					return nil, werr
				}
				continue
			}
			return nil, err
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		apiErr := c.readError(resp)
		resp.Body.Close()
		cancel()
		if (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) &&
			req.idempotent() && attempt < c.opts.MaxRetries {
			wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
			if !ok {
				wait = backoff(attempt)
			}
			if wait <= c.opts.MaxRetryWait {
				if werr := c.opts.Sleep(ctx, wait); werr != nil {
					return nil, werr
				}
				continue
			}
		}
		return nil, apiErr
	}
}

// call sends a request with an optional JSON body and decodes a JSON answer into out
// (when not nil).
func (c *Client) call(ctx context.Context, method, path string, query url.Values, in, out any) error {
	resp, err := c.send(ctx, &request{method: method, path: path, query: query, body: in})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return c.decode(resp, out)
}

// decode reads a JSON answer into out (nil: discard it).
func (c *Client) decode(resp *http.Response, out any) error {
	if out == nil {
		_, err := io.Copy(io.Discard, resp.Body)
		return c.transportError(context.Background(), err)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &syntax) && !errors.As(err, &typeErr) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return c.transportError(context.Background(), err)
		}
		return fmt.Errorf("the pcctl server at %s sent an answer pcctl cannot read (%s %s): %v", c.Endpoint(), resp.Request.Method, resp.Request.URL.Path, err)
	}
	return nil
}

// pages gets a collection and follows its links.next, calling each for every item.
func (c *Client) pages(ctx context.Context, path string, query url.Values, each func(json.RawMessage) error) error {
	return collect(ctx, c, &request{method: http.MethodGet, path: path, query: query},
		func(raw *json.RawMessage) error { return each(*raw) })
}

// seekAfter is the header that resumes a paged collection after the item with key (a
// query's After; nil for ""): the server's keyset paging (docs/api.md, "Paging").
func seekAfter(key string) http.Header {
	if key == "" {
		return nil
	}
	return http.Header{api.ContinuationHeader: {api.SeekToken(key)}}
}

// collect gets a collection and follows its links.next, decoding the items one at a time
// as they arrive (a list the server streams in one answer is never held whole) and
// calling each for every one. An "error" member is the error that ended the stream on the
// server (server.listWriter); it and the errors of each are returned as they are.
func collect[T any](ctx context.Context, c *Client, req *request, each func(*T) error) error {
	for {
		resp, err := c.send(ctx, req)
		if err != nil {
			return err
		}
		next, err := readCollection(c, resp, each)
		resp.Body.Close()
		if err != nil || next == nil || next.URI == "" {
			return err
		}
		long := req.long
		if req, err = c.follow(next); err != nil {
			return err
		}
		req.long = long
	}
}

// readCollection reads one collection, calling each for every item, and returns its next
// link.
func readCollection[T any](c *Client, resp *http.Response, each func(*T) error) (*api.Link, error) {
	dec := json.NewDecoder(resp.Body)
	var links api.Links
	var passed error // an error of each or of the server: not the stream's
	err := readObject(dec, func(key string) error {
		switch strings.ToLower(key) {
		case "items":
			return readArray(dec, func() error {
				var item T
				if err := dec.Decode(&item); err != nil {
					return err
				}
				if err := each(&item); err != nil {
					passed = err
					return errStop
				}
				return nil
			})
		case "error":
			var e api.Error
			if err := dec.Decode(&e); err != nil {
				return err
			}
			passed = e.Err()
			return errStop
		case "links":
			return dec.Decode(&links)
		}
		var skip json.RawMessage
		return dec.Decode(&skip)
	})
	if passed != nil {
		return nil, passed
	}
	if err != nil {
		return nil, c.streamError(resp, err)
	}
	return links.Next, nil
}

// errStop stops reading a collection: the error to return is kept aside.
var errStop = errors.New("stop")

// streamError words an answer that could not be read to its end: cut short, or not
// the JSON it should be.
func (c *Client) streamError(resp *http.Response, err error) error {
	if cerr := resp.Request.Context().Err(); cerr != nil {
		return cerr
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	var syntax *json.SyntaxError
	if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &syntax) {
		if te := c.transportError(resp.Request.Context(), err); te != err {
			return te
		}
	}
	return fmt.Errorf("the pcctl server at %s sent an answer pcctl cannot read (%s %s): %v", c.Endpoint(), resp.Request.Method, resp.Request.URL.Path, err)
}

// readObject reads a JSON object, calling member for each key with the decoder at its
// value, which member must read.
func readObject(dec *json.Decoder, member func(key string) error) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := t.(string)
		if !ok {
			return fmt.Errorf("expected a key, got %v", t)
		}
		if err := member(key); err != nil {
			return err
		}
	}
	return expectDelim(dec, '}')
}

// readArray reads a JSON array (or null), calling item with the decoder at each item.
func readArray(dec *json.Decoder, item func() error) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		return nil
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("expected an array, got %v", t)
	}
	for dec.More() {
		if err := item(); err != nil {
			return err
		}
	}
	return expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %v, got %v", want, t)
	}
	return nil
}

// follow turns a link into a request: its URI (relative to the server's root, as
// Partner Center gives it, or absolute on the same server) and headers.
func (c *Client) follow(l *api.Link) (*request, error) {
	u, err := url.Parse(l.URI)
	if err != nil || (u.IsAbs() && u.Host != c.base.Host) {
		return nil, fmt.Errorf("the pcctl server at %s sent a next-page link pcctl will not follow: %q", c.Endpoint(), l.URI)
	}
	path := u.EscapedPath()
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	path = strings.TrimPrefix(path, c.base.Path) // a link may carry the base path
	req := &request{method: http.MethodGet, path: path, query: u.Query(), header: http.Header{}}
	if l.Method != "" && !strings.EqualFold(l.Method, http.MethodGet) {
		return nil, fmt.Errorf("the pcctl server at %s sent a next-page link with method %s (expected GET)", c.Endpoint(), l.Method)
	}
	for _, h := range l.Headers {
		req.header.Set(h.Key, h.Value)
	}
	return req, nil
}

// readError turns an answer that is not 2xx into an error: the server's api.Error as the
// typed error it stands for, or a description of an answer from something else.
func (c *Client) readError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var e api.Error
	if err := json.Unmarshal(b, &e); err == nil && e.Code != "" && e.Description != "" {
		if e.Code == api.CodeUnauthenticated && e.AuthCode == domain.AuthMissing && c.opts.Token == "" {
			e.Reason += ": set PCCTL_TOKEN, --token or the config's token (an administrator makes one with 'pcctl token create')"
			e.Description = (&domain.AuthError{Code: e.AuthCode, Reason: e.Reason}).Error()
		}
		return e.Err()
	}
	text := strings.TrimSpace(string(b))
	if len(text) > 200 || !isPrintable(text) {
		text = ""
	}
	msg := fmt.Sprintf("the pcctl server at %s answered %s", c.Endpoint(), resp.Status)
	if text != "" {
		msg += ": " + text
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return &domain.AuthError{Code: domain.AuthUnknown, Reason: msg}
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return errors.New(msg + " (busy: try again later)")
	}
	return errors.New(msg)
}

// transportError words a failure to reach the server or to read its answer.
func (c *Client) transportError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return &unreachableError{fmt.Sprintf("cannot reach the pcctl server at %s: connection refused (is 'pcctl serve' running there?)", c.Endpoint())}
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return &unreachableError{fmt.Sprintf("the pcctl server at %s did not answer within %s", c.Endpoint(), c.opts.Timeout)}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return &unreachableError{fmt.Sprintf("cannot reach the pcctl server at %s: no such host %q", c.Endpoint(), dnsErr.Name)}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &unreachableError{fmt.Sprintf("cannot reach the pcctl server at %s: %v", c.Endpoint(), err)}
}

// unreachableError is a request that got no answer; it may be retried when idempotent.
type unreachableError struct{ msg string }

func (e *unreachableError) Error() string { return e.msg }

func retryableTransport(err error) bool {
	var u *unreachableError
	return errors.As(err, &u) && !strings.Contains(u.msg, "no such host")
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// backoff is the wait before attempt+1 when the server gave none: 250 ms doubling, with
// jitter.
func backoff(attempt int) time.Duration {
	d := 250 * time.Millisecond << min(attempt, 6)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cancelBody releases the request's context once the answer is read.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func userAgent() string {
	v, _, _ := buildinfo.Get()
	return "pcctl/" + v
}

func isPrintable(s string) bool {
	for _, r := range s {
		if r < ' ' && r != '\n' && r != '\t' {
			return false
		}
	}
	return true
}

var errNotImplemented = errors.New("not implemented yet against a pcctl server")
