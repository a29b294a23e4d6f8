// Package server is `pcctl serve`: the remote workspace API (docs/api.md) over a local
// SQLite workspace. Every request but /healthz and the reseller's invitation page carries
// an access token (Authorization: Bearer pcctl_…); the server authenticates it, binds the
// workspace to the token's user (Store.As: sqlite.DB or postgres.DB) and lets the workspace apply the role table
// of domain.md, so a remote command meets exactly the rules and errors of a local one.
//
// Handlers live one file per resource (customers.go, resellers.go, deals.go,
// requests.go, admin.go); this file holds what they share: authentication, JSON bodies
// within limits, error answers and the access log.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Options tune a Server; zero values take the defaults.
type Options struct {
	// Logger receives the access log and the errors behind 500 answers (default: discard).
	Logger *slog.Logger
	// MaxBodyBytes bounds a JSON request body (default 1 MiB).
	MaxBodyBytes int64
	// MaxImportBytes bounds an import's streamed body (default 2 GiB).
	MaxImportBytes int64
	// ImportIdleTimeout drops an import whose body sends nothing for that long (default
	// DefaultImportIdleTimeout).
	ImportIdleTimeout time.Duration
	// StreamProgressTimeout ends a streamed answer (a whole list, an import's answer)
	// when one of its writes makes no progress for that long (default
	// DefaultStreamProgressTimeout): a client that reads nothing no longer holds its
	// connection and its snapshot of the workspace.
	StreamProgressTimeout time.Duration
	// MaxConns caps the connections Serve keeps open at once (default DefaultMaxConns):
	// a request on a connection over the cap is answered 503 and the connection closed.
	MaxConns int
	// BaseURL is the server's public address, for the links it gives (default: taken from
	// each request's Host).
	BaseURL string
	// TestClock makes each request's workspace use the time its api.TestNowHeader says:
	// for acceptance tests whose clock moves between commands. Never set by pcctl serve.
	TestClock bool
}

// Default limits.
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultMaxImportBytes = 2 << 30
	// DefaultStreamProgressTimeout is how long a write of a streamed answer may make no
	// progress before the answer is cut.
	DefaultStreamProgressTimeout = 30 * time.Second
	// DefaultMaxConns is how many connections Serve keeps open at once.
	DefaultMaxConns = 128
)

// Store is what a server answers over: a workspace file (sqlite.DB) or a PostgreSQL
// database (postgres.DB), bound to each request's principal.
type Store interface {
	As(domain.Principal) workspace.Workspace
	// AsAt is As with the session's clock fixed (Options.TestClock).
	AsAt(p domain.Principal, now time.Time) workspace.Workspace
	// Now is the workspace's clock.
	Now() time.Time
	// Authenticate turns a request's access token into its principal (no principal yet).
	Authenticate(ctx context.Context, secret string) (domain.Principal, domain.Token, error)
	// Invitation finds a partnership request by its token, for the public acceptance page.
	Invitation(ctx context.Context, token string) (domain.Invitation, error)
	// RelationshipRequest finds a relationship request by its token, for the public
	// acceptance page.
	RelationshipRequest(ctx context.Context, token string) (domain.RelationshipRequest, error)
	// ChangeVersion is a number that changes whenever anyone commits a change, as read
	// since the time given; ok is false when the store keeps none (then the server checks
	// every token against the store).
	ChangeVersion(ctx context.Context, since time.Time) (v int64, ok bool, err error)
}

// SharedStore is a Store that other servers change too (a database): the server cannot
// know when their changes to tokens, users and roles happen, so it checks every request's
// token against the store rather than trusting its authentication cache.
type SharedStore interface {
	Store
	Shared() bool
}

// unavailable tells whether the store says err is its storage out of reach.
func (s *Server) unavailable(err error) bool {
	u, ok := s.db.(interface{ Unavailable(error) bool })
	return ok && u.Unavailable(err)
}

// Server answers the API over one workspace.
type Server struct {
	db       Store
	log      *slog.Logger
	opts     Options
	mux      *http.ServeMux
	draining atomic.Bool
	auth     authCache
	conns    atomic.Int64 // open connections (Serve)
}

// New makes the server of db. The server never closes db.
func New(db Store, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxImportBytes <= 0 {
		opts.MaxImportBytes = DefaultMaxImportBytes
	}
	if opts.ImportIdleTimeout <= 0 {
		opts.ImportIdleTimeout = DefaultImportIdleTimeout
	}
	if opts.StreamProgressTimeout <= 0 {
		opts.StreamProgressTimeout = DefaultStreamProgressTimeout
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns
	}
	s := &Server{db: db, log: opts.Logger, opts: opts, mux: http.NewServeMux()}
	if sh, ok := db.(SharedStore); ok && sh.Shared() {
		s.auth.off = true
	}
	s.mux.HandleFunc("GET "+api.HealthPath, s.health)
	s.customerRoutes()
	s.resellerRoutes()
	s.relationshipRoutes()
	s.dealRoutes()
	s.requestRoutes()
	s.adminRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, api.NewError(api.CodeNotFound, fmt.Sprintf("no resource at %s %s (see docs/api.md)", r.Method, r.URL.Path)))
	})
	return s
}

// Drain makes /healthz answer 503 and new requests be refused with 503, as the server
// shuts down; requests already running finish.
func (s *Server) Drain() { s.draining.Store(true) }

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		s.writeError(w, r, api.NewError(api.CodeUnavailable, "the server is shutting down"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// ServeHTTP is the whole server: access log, panic recovery, then the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get(api.RequestIDHeader)
	if id == "" || len(id) > 64 {
		id = newRequestID()
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK, progress: s.opts.StreamProgressTimeout}
	rec.Header().Set(api.RequestIDHeader, id)
	info := &requestInfo{}
	r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic", "request_id", id, "panic", fmt.Sprint(p))
			if !rec.wrote {
				s.writeError(rec, r, api.NewError(api.CodeInternal, "internal error"))
			}
		}
		// Never the path or the query as sent: a path may hold an invitation token.
		// The route pattern names the resource without its IDs.
		route := r.Pattern
		if route == "" {
			route = r.Method + " (no route)"
		}
		if rec.stall != nil {
			s.log.Warn("stream stalled: the client took nothing for the progress timeout; the answer was cut and its connection closed",
				"request_id", id, "route", route, "bytes", rec.bytes, "progress_timeout", s.opts.StreamProgressTimeout.String())
		}
		s.log.Info("request",
			"request_id", id,
			"correlation_id", truncate(r.Header.Get(api.CorrelationIDHeader), 64),
			"route", route,
			"status", rec.status,
			"bytes", rec.bytes,
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
			"user", info.user,
			"remote", r.RemoteAddr,
		)
	}()
	if over, _ := r.Context().Value(overCapKey{}).(bool); over {
		rec.Header().Set("Connection", "close")
		rec.Header().Set("Retry-After", "1")
		s.writeError(rec, r, api.NewError(api.CodeUnavailable, fmt.Sprintf(
			"the server is serving its limit of %d connections (pcctl serve --max-conns): try again shortly", s.opts.MaxConns)))
		return
	}
	if s.draining.Load() && r.URL.Path != api.HealthPath {
		rec.Header().Set("Connection", "close")
		s.writeError(rec, r, api.NewError(api.CodeUnavailable, "the server is shutting down"))
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// handlerFunc answers an authenticated request on the workspace bound to its user. An
// error it returns becomes the error answer (when nothing was written yet).
type handlerFunc func(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error

// handle registers an authenticated route (a Go 1.22 pattern, "GET /v1/customers/{id}").
func (s *Server) handle(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		arrived := time.Now()
		p, err := s.authenticate(r, arrived)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// The workspace's change checks for this request may share a read made since
		// it arrived (workspace.WithArrival).
		r = r.WithContext(workspace.WithArrival(r.Context(), arrived))
		if changesAccess(r) {
			// Whatever it did, later requests check their token again (before this
			// answer is sent, so the client's next request sees the change).
			defer s.auth.clear()
		}
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		if err := h(w, r, s.workspaceOf(r, p)); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// workspaceOf is the workspace bound to the request's principal.
func (s *Server) workspaceOf(r *http.Request, p domain.Principal) workspace.Workspace {
	if s.opts.TestClock {
		if t, err := time.Parse(time.RFC3339Nano, r.Header.Get(api.TestNowHeader)); err == nil {
			return s.db.AsAt(p, t)
		}
	}
	return s.db.As(p)
}

// handlePublic registers a route that needs no access token.
func (s *Server) handlePublic(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authenticate finds the principal of the request's bearer token.
// A change committed before the request arrived is seen: ChangeVersion reads
// data_version, or shares a read that began since arrived.
func (s *Server) authenticate(r *http.Request, arrived time.Time) (domain.Principal, error) {
	secret := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return domain.Principal{}, &domain.AuthError{Code: domain.AuthMalformed, Reason: "the Authorization header is not 'Bearer TOKEN'"}
		}
		secret = strings.TrimSpace(value)
	}
	hash := ""
	var version int64
	cacheable := false
	if secret != "" && domain.CheckTokenSecret(secret) == nil {
		hash = domain.HashTokenSecret(secret)
		v, ok, err := s.db.ChangeVersion(r.Context(), arrived)
		if err != nil {
			return domain.Principal{}, err
		}
		if ok {
			if p, hit := s.auth.get(hash, v, s.db.Now()); hit {
				if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
					info.user = p.User
				}
				return p, nil
			}
			version, cacheable = v, true
		}
	}
	p, t, err := s.db.Authenticate(r.Context(), secret)
	if err == nil {
		// The audit log names the token acted through and who created it.
		p.Token, p.TokenCreatedBy = t.ID, t.CreatedBy
	}
	if err == nil && cacheable {
		s.auth.put(hash, p, t, version)
	}
	if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		if err == nil {
			info.user = p.User
		} else if t.ID != "" {
			info.user = t.User + " (token " + t.ID + " refused)"
		}
	}
	return p, err
}

// writeError answers err as JSON (api.Error), logging what an internal error hides.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = api.NewError(api.CodeTooLarge, fmt.Sprintf("the request body is over the server's limit of %d bytes", tooLarge.Limit))
	}
	e := api.ErrorFrom(err)
	if e.Code == api.CodeInternal && (errors.Is(err, workspace.ErrUnavailable) || s.unavailable(err)) {
		// The database is out of reach (restarting, failing over): the client retries.
		s.log.Warn("workspace unavailable", "route", r.Pattern, "error", err.Error())
		e = api.NewError(api.CodeUnavailable, "the workspace database cannot be reached just now; retry shortly")
	}
	if e.Code == api.CodeInternal {
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			return // the client went away
		}
		s.log.Error("internal error", "route", r.Pattern, "error", err.Error())
	}
	if rec, ok := w.(*recorder); ok && rec.wrote {
		return // a stream already started: the client sees it cut short
	}
	if e.Code == api.CodeUnauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="pcctl"`)
	}
	if e.Code == api.CodeUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, e.Status(), e)
}

// writeJSON answers v as JSON with a status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// decodeJSON reads the request's JSON body into v, within the server's body limit.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooLarge):
			return err
		case errors.Is(err, io.EOF):
			return api.NewError(api.CodeBadRequest, "the request needs a JSON body")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return api.NewError(api.CodeBadRequest, "the request body is not valid JSON: it ends too early")
		case errors.As(err, &syntax):
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the request body is not valid JSON at byte %d: %s", syntax.Offset, syntax.Error()))
		case errors.As(err, &typeErr):
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the request body's field %q should be %s, not a JSON %s", typeErr.Field, typeErr.Type, typeErr.Value))
		}
		return api.NewError(api.CodeBadRequest, "the request body cannot be read: "+err.Error())
	}
	if dec.More() {
		return api.NewError(api.CodeBadRequest, "the request body holds more than one JSON value")
	}
	return nil
}

// baseURL is the server's address as the client reached it.
func (s *Server) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return strings.TrimRight(s.opts.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// longRunning lifts the server's read and write deadlines for a request that streams
// (an import, an export): it may take minutes. The idle timeout still applies between
// requests, and each write of the answer must make progress within the progress timeout
// (Options.StreamProgressTimeout, recorder.Write).
func longRunning(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	if rec, ok := w.(*recorder); ok {
		rec.streaming = true
	}
}

type infoKey struct{}

// requestInfo is what handlers tell the access log.
type requestInfo struct{ user string }

// recorder remembers the status and size of an answer. When the answer streams
// (longRunning), each write and flush gets a write deadline of progress from its start:
// one that makes no progress for that long fails, and so does every later one (stall),
// so the handler stops, releasing its snapshot, and ServeHTTP logs it.
type recorder struct {
	http.ResponseWriter
	status    int
	bytes     int64
	wrote     bool
	streaming bool
	progress  time.Duration
	stall     error
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	if r.stall != nil {
		return 0, r.stall
	}
	r.deadline()
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	r.noteStall(err)
	return n, err
}

// FlushError flushes the answer (http.ResponseController.Flush), under the progress
// deadline when it streams.
func (r *recorder) FlushError() error {
	if r.stall != nil {
		return r.stall
	}
	r.deadline()
	err := http.NewResponseController(r.ResponseWriter).Flush()
	r.noteStall(err)
	return err
}

func (r *recorder) deadline() {
	if r.streaming {
		_ = http.NewResponseController(r.ResponseWriter).SetWriteDeadline(time.Now().Add(r.progress))
	}
}

func (r *recorder) noteStall(err error) {
	if r.streaming && errors.Is(err, os.ErrDeadlineExceeded) {
		r.stall = err
	}
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
