package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// relationshipRoutes registers the routes of customer relationships
// (docs/api/relationships.md): Partner Center's paths where it has them.
func (s *Server) relationshipRoutes() {
	s.handle("GET "+api.RelationshipRequestsPath, s.relationshipRequests)
	s.handle("PATCH "+api.CustomersPath+"/{id}", s.updateCustomer)
	s.handle("POST "+api.CustomerViewsPath+"/{id}/relationshiprequests", s.requestRelationship)
	// The link of a relationship request: opened by the customer's admin, who has no token.
	s.handlePublic("GET "+api.RelationshipRequestLinkPath+"/{token}", s.relationshipPage)
	s.handlePublic("POST "+api.RelationshipRequestLinkPath+"/{token}", s.acceptRelationship)
}

// relationshipRequests lists the pending requests as one page: requests last 30 days.
func (s *Server) relationshipRequests(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	rs, err := ws.RelationshipRequests(r.Context())
	if err != nil {
		return err
	}
	items := make([]api.RelationshipRequest, len(rs))
	for i, x := range rs {
		items[i] = api.FromRelationshipRequest(x, s.relationshipLink(r, x.Token), false)
	}
	writeJSON(w, http.StatusOK, api.NewCollection(items, r.URL.RequestURI(), "", ""))
	return nil
}

func (s *Server) relationshipLink(r *http.Request, token string) string {
	return s.baseURL(r) + api.RelationshipRequestLinkPath + "/" + url.PathEscape(token)
}

// requestRelationship records a request: 201 when new, 200 when the customer already had
// a pending one for the same reseller (returned instead, existing true). The workspace
// draws the token: one in the body is ignored.
func (s *Server) requestRelationship(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var in api.RelationshipRequest
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	req := domain.RelationshipRequest{CustomerID: r.PathValue("id"), ResellerMPNID: in.IndirectResellerID,
		Email: in.Email, Subject: in.Subject, Body: in.Body}
	saved, existing, err := ws.RequestRelationship(r.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
	}
	writeJSON(w, status, api.FromRelationshipRequest(saved, s.relationshipLink(r, saved.Token), existing))
	return nil
}

// updateCustomer is Partner Center's customer PATCH: the relationship set to none, or
// pcctl's purchase permission; the answer says whether anything changed.
func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var p api.CustomerPatch
	if err := s.decodeJSON(w, r, &p); err != nil {
		return err
	}
	c, changed, err := ws.UpdateCustomer(r.Context(), r.PathValue("id"), p.Change())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.ChangeAnswer{Customer: api.FromCustomerRecord(c), Changed: changed,
		Attributes: api.Attributes{ObjectType: "CustomerChange"}})
	return nil
}

// The relationship request link.
//
// The customer's admin opens <base>/pcctl/v1/relationshiprequests/<token>: GET shows the
// request and a button; the form POSTs back to the same address, which accepts
// (Workspace.AcceptRelationship). A script (or `pcctl customers accept-relationship`
// against a server) POSTs JSON instead. As with the invitation page, the token is never
// logged nor written into a page.

// relationshipPage shows the request with its button, or why it can no longer be
// accepted.
func (s *Server) relationshipPage(w http.ResponseWriter, r *http.Request) error {
	req, err := s.db.RelationshipRequest(r.Context(), r.PathValue("token"))
	if err != nil {
		return s.relationshipError(w, r, err)
	}
	if t := strings.TrimSpace(req.Token); t != "" {
		req.Body = strings.ReplaceAll(req.Body, t, "…")
	}
	// The link, which the admin followed to get here, is left out of the message shown.
	req.Body = strings.ReplaceAll(req.Body, domain.LinkPlaceholder, "…")
	req.Token = ""
	return writeTemplate(w, http.StatusOK, relationshipTemplate, relationshipPageData{Request: &req})
}

// acceptRelationship accepts the request, from the page's form or as JSON. It needs no
// permission: holding the link is the customer's proof. The workspace records the
// acceptance under the token's user when the request carries one, or else under a
// principal with no role, "customer:<domain>".
func (s *Server) acceptRelationship(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	token := r.PathValue("token")
	p := domain.Principal{User: "customer (relationship request link)"}
	if req, err := s.db.RelationshipRequest(r.Context(), token); err == nil {
		p.User = "customer:" + req.Domain
	}
	if r.Header.Get("Authorization") != "" {
		var err error
		if p, err = s.authenticate(r, time.Now()); err != nil {
			return s.relationshipError(w, r, err)
		}
	} else if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		info.user = p.User + " (relationship request link)"
	}
	c, err := s.workspaceOf(r, p).AcceptRelationship(r.Context(), token)
	if err != nil {
		return s.relationshipError(w, r, err)
	}
	if wantsHTML(r) {
		return writeTemplate(w, http.StatusOK, relationshipTemplate, relationshipPageData{Accepted: &c})
	}
	writeJSON(w, http.StatusOK, api.FromCustomerRecord(c))
	return nil
}

// relationshipError answers err as a page for a browser, as JSON otherwise.
func (s *Server) relationshipError(w http.ResponseWriter, r *http.Request, err error) error {
	if !wantsHTML(r) {
		return err
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = api.NewError(api.CodeTooLarge, fmt.Sprintf("the request body is over the server's limit of %d bytes", tooLarge.Limit))
	}
	e := api.ErrorFrom(err)
	if e.Code == api.CodeInternal {
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			return nil
		}
		s.log.Error("internal error", "route", r.Pattern, "error", err.Error())
	}
	msg := e.Description
	if t := strings.TrimSpace(r.PathValue("token")); t != "" {
		msg = strings.ReplaceAll(msg, t, "…")
	}
	return writeTemplate(w, e.Status(), relationshipTemplate, relationshipPageData{Error: msg})
}

// relationshipPageData is what the page shows: the request and its button, the
// acceptance, or an error.
type relationshipPageData struct {
	Request  *domain.RelationshipRequest
	Accepted *workspace.CustomerRecord
	Error    string
}

func (d relationshipPageData) Title() string {
	if d.Request != nil {
		return d.Request.Subject
	}
	return "Reseller relationship request"
}

var relationshipTemplate = template.Must(template.New("relationship").Funcs(template.FuncMap{
	"date": func(t time.Time) string { return t.UTC().Format("2 January 2006") },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.4rem}
.message{white-space:pre-wrap;background:#f4f4f4;border-left:4px solid #0067b8;padding:.75rem 1rem;font-family:inherit}
button{margin-top:1.25rem;padding:.5rem 1.25rem;font-size:1rem;background:#0067b8;color:#fff;border:0;cursor:pointer}
.problem{color:#a4262c;font-weight:600}
.note{color:#555;font-size:.9rem}
</style>
</head>
<body>
<main>
{{- if .Accepted}}
<h1>Reseller relationship accepted</h1>
<p><strong>{{.Accepted.CompanyName}}</strong> ({{.Accepted.Domain}}) now has a reseller relationship with the partner who sent the request{{if .Accepted.ResellerMPNID}}, through the indirect reseller with MPN ID {{.Accepted.ResellerMPNID}}{{end}}.</p>
<p>You can close this page.</p>
{{- else if .Error}}
<h1>This relationship request cannot be accepted</h1>
<p class="problem">{{.Error}}</p>
<p class="note">Ask the partner who sent it for a new request.</p>
{{- else}}
<h1>{{.Request.Subject}}</h1>
<p>A request for a reseller relationship with <strong>{{.Request.CustomerName}}</strong> ({{.Request.Domain}}){{if .Request.ResellerMPNID}}, on behalf of the indirect reseller with MPN ID {{.Request.ResellerMPNID}}{{end}}, made on {{date .Request.CreatedAt}}. A global administrator of the organisation accepts it, once, until {{date .Request.ExpiresAt}}.</p>
<div class="message">{{.Request.Body}}</div>
<form method="post">
<button type="submit">Accept the reseller relationship</button>
</form>
{{- end}}
</main>
</body>
</html>
`))
