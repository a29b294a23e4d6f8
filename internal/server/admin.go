package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// adminRoutes registers the routes of this resource (docs/api/admin.md): the workspace,
// users, access tokens, the token's principal and the audit log. The audit log has no
// route that writes: only GET.
func (s *Server) adminRoutes() {
	s.handle("GET "+api.WorkspacePath, s.info)
	s.handle("GET "+api.UsersPath, s.users)
	s.handle("POST "+api.UsersPath, s.addUser)
	s.handle("POST "+api.UsersPath+"/import", s.importUsers)
	s.handle("GET "+api.UsersPath+"/{email}", s.user)
	s.handle("DELETE "+api.UsersPath+"/{email}", s.removeUser)
	s.handle("POST "+api.TokensPath, s.createToken)
	s.handle("GET "+api.TokensPath, s.tokens)
	s.handle("DELETE "+api.TokensPath+"/{id}", s.revokeToken)
	s.handle("POST "+api.TokensPath+"/{id}/revoke", s.revokeToken)
	s.handle("GET "+api.MePath, s.me)
	s.handle("GET "+api.AuditPath, s.auditLog)
}

func (s *Server) info(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	info, err := ws.Info(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromInfo(info))
	return nil
}

func (s *Server) users(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	users, err := ws.Users(r.Context())
	if err != nil {
		return err
	}
	items := make([]api.User, len(users))
	for i, u := range users {
		items[i] = api.FromUser(u)
	}
	writeJSON(w, http.StatusOK, api.NewCollection(items, r.URL.RequestURI(), "", ""))
	return nil
}

func (s *Server) user(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	u, err := ws.User(r.Context(), r.PathValue("email"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromUser(u))
	return nil
}

// addUser creates a user (201) or gives an existing one the roles it lacks (200).
func (s *Server) addUser(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var body api.User
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	u, err := body.Domain()
	if err != nil {
		return err
	}
	saved, created, changed, err := ws.AddUser(r.Context(), u)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, api.UserOutcome{User: api.FromUser(saved), Created: created, Changed: changed})
	return nil
}

// removeUser removes the roles given as role parameters (repeated or comma-separated)
// from the user, or the user when none is given.
func (s *Server) removeUser(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	v := r.URL.Query()
	if err := srParamsOnly(v, "role"); err != nil {
		return err
	}
	var names []string
	for _, list := range v["role"] {
		for _, n := range strings.Split(list, ",") {
			if strings.TrimSpace(n) != "" {
				names = append(names, n)
			}
		}
	}
	roles, err := api.ParseRoleNames(names)
	if err != nil {
		return err
	}
	u, err := ws.RemoveUser(r.Context(), r.PathValue("email"), roles)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromUser(u))
	return nil
}

func (s *Server) importUsers(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var body api.UserImport
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	users := make([]domain.User, 0, len(body.Users))
	for _, u := range body.Users {
		du, err := u.Domain()
		if err != nil {
			return err
		}
		users = append(users, du)
	}
	res, err := ws.ImportUsers(r.Context(), users, body.DryRun)
	if err != nil {
		return err
	}
	items := make([]api.UserOutcome, len(res))
	for i, o := range res {
		items[i] = api.UserOutcome{User: api.FromUser(o.User), Created: o.Created, Changed: o.Changed}
	}
	writeJSON(w, http.StatusOK, api.NewCollection(items, r.URL.RequestURI(), "", ""))
	return nil
}

// createToken issues a token: the one answer that holds its secret, never cached.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var body api.TokenCreate
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	if body.TTLSeconds == nil {
		return api.NewError(api.CodeBadRequest, "the request body needs ttlSeconds: the token's lifetime in seconds (3600 to 31622400), or 0 for a token that never expires")
	}
	const maxSeconds = int64(1<<63-1) / int64(time.Second)
	if *body.TTLSeconds < -maxSeconds || *body.TTLSeconds > maxSeconds {
		// Any other value goes to the workspace, which refuses one out of range in its
		// own words, as it would a local caller.
		return api.NewError(api.CodeBadRequest, fmt.Sprintf("the request body's ttlSeconds must be 3600 to 31622400, or 0 for a token that never expires, not %d", *body.TTLSeconds))
	}
	secret, t, err := ws.CreateToken(r.Context(), body.User, body.Name, time.Duration(*body.TTLSeconds)*time.Second)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, api.CreatedToken{Secret: secret, Token: api.FromToken(t)})
	return nil
}

// tokens lists the tokens of the user given as parameter user, or everyone's.
func (s *Server) tokens(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	v := r.URL.Query()
	if err := srParamsOnly(v, "user"); err != nil {
		return err
	}
	list, err := ws.Tokens(r.Context(), v.Get("user"))
	if err != nil {
		return err
	}
	items := make([]api.Token, len(list))
	for i, t := range list {
		items[i] = api.FromToken(t)
	}
	writeJSON(w, http.StatusOK, api.NewCollection(items, r.URL.RequestURI(), "", ""))
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	t, err := ws.RevokeToken(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromToken(t))
	return nil
}

// me answers the principal and token of the request's own token (already checked by
// handle: it is well formed and valid).
func (s *Server) me(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	_, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	p, t, err := ws.Authenticate(r.Context(), strings.TrimSpace(secret))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, api.FromPrincipal(p, t))
	return nil
}

// Audit log pages.
const (
	// AuditPageSize is the number of records of a page of the audit log, unless the
	// parameter size asks for fewer.
	AuditPageSize = 1000
)

var errPageFull = errors.New("page full")

// auditLog answers a page of the audit log, newest first. The next page is asked for
// with links.next: the same filters, limit less what was sent, and the header
// MS-ContinuationToken holding the seq of the last record sent (the next page has the
// records below it).
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	v := r.URL.Query()
	if err := srParamsOnly(v, "since", "user", "entity", "entityId", "limit", "size"); err != nil {
		return err
	}
	var q workspace.AuditQuery
	if since := strings.TrimSpace(v.Get("since")); since != "" {
		t, err := time.Parse(time.RFC3339Nano, since)
		if err != nil {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the parameter since must be a date and time in RFC 3339 form, such as 2024-05-01T00:00:00Z, not %q", v.Get("since")))
		}
		q.Since = t
	}
	q.User, q.Entity, q.EntityID = v.Get("user"), v.Get("entity"), v.Get("entityId")
	limit, err := srParamLimit(v)
	if err != nil {
		return err
	}
	size := AuditPageSize
	if v.Has("size") {
		n, err := strconv.Atoi(strings.TrimSpace(v.Get("size")))
		if err != nil || n < 1 || n > AuditPageSize {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the parameter size must be a whole number from 1 to %d, not %q", AuditPageSize, v.Get("size")))
		}
		size = n
	}
	var before int64
	if tok := strings.TrimSpace(r.Header.Get(api.ContinuationHeader)); tok != "" {
		n, err := strconv.ParseInt(tok, 10, 64)
		if err != nil || n < 1 {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the %s header must be the continuation token of links.next (a whole number), not %q",
				api.ContinuationHeader, truncate(tok, 40)))
		}
		before = n
	}
	page := size
	if limit > 0 && limit < page {
		page = limit
	}
	q.Before = before
	q.Limit = page + 1 // one more tells whether there is a next page
	items := make([]api.AuditRecord, 0, min(page, 64))
	more := false
	err = ws.AuditLog(r.Context(), q, func(rec workspace.AuditRecord) error {
		if len(items) == page {
			more = true
			return errPageFull
		}
		items = append(items, api.FromAuditRecord(rec))
		return nil
	})
	if err != nil && !errors.Is(err, errPageFull) {
		return err
	}
	nextURI, next := "", ""
	if more && len(items) > 0 && (limit == 0 || limit > len(items)) {
		nv := url.Values{}
		for _, k := range []string{"since", "user", "entity", "entityId", "size"} {
			if v.Has(k) {
				nv.Set(k, v.Get(k))
			}
		}
		if limit > 0 {
			nv.Set("limit", strconv.Itoa(limit-len(items)))
		}
		nextURI = api.AuditPath
		if len(nv) > 0 {
			nextURI += "?" + nv.Encode()
		}
		next = strconv.FormatInt(items[len(items)-1].Seq, 10)
	}
	writeJSON(w, http.StatusOK, api.NewCollection(items, r.URL.RequestURI(), nextURI, next))
	return nil
}
