package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// resellerRoutes registers the routes of this resource (docs/api/resellers.md).
func (s *Server) resellerRoutes() {
	s.handle("GET "+api.RelationshipsPath, s.relationships)
	s.handle("GET "+api.ResellersPath, s.listResellers)
	s.handle("GET "+api.ResellersPath+"/{mpnId}", s.getReseller)
	s.handle("DELETE "+api.ResellersPath+"/{mpnId}", s.removeReseller)

	s.handle("POST "+api.InvitationsPath, s.invite)
	// The link of a partnership request: opened by the reseller, who has no token.
	s.handlePublic("GET "+api.InvitationsPath+"/{token}", s.invitationPage)
	s.handlePublic("POST "+api.InvitationsPath+"/{token}", s.acceptInvitation)

	s.handle("GET /v1/customers/{customer}/subscriptions", s.customerSubscriptions)
	s.handle("POST /v1/customers/{customer}/subscriptions", s.addSubscription)
	s.handle("GET "+api.SubscriptionsPath, s.listSubscriptions)
	s.handle("POST "+api.SubscriptionsPath, s.addSubscription)
	s.handle("PATCH "+api.SubscriptionsPath+"/{id}", s.updateSubscription)
}

// relationships is Partner Center's list of the active indirect resellers.
func (s *Server) relationships(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	if t := r.URL.Query().Get(api.RelationshipTypeParam); !strings.EqualFold(t, api.IndirectResellersType) {
		return api.NewError(api.CodeBadRequest, fmt.Sprintf("%s must be %s (the only partner relationship pcctl keeps: your indirect resellers), not %q",
			api.RelationshipTypeParam, api.IndirectResellersType, t))
	}
	return s.writeResellers(w, r, ws, []domain.ResellerStatus{domain.ResellerActive})
}

// listResellers lists resellers and requests of the statuses of ?status=.
func (s *Server) listResellers(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	statuses, err := api.ParseResellerStatuses(r.URL.Query()["status"])
	if err != nil {
		return err
	}
	return s.writeResellers(w, r, ws, statuses)
}

// writeResellers answers the resellers, by name then MPN ID (the workspace's order):
// size of them from after the one of the continuation token, or all without size. The
// workspace reads them whole (a provider's partners, a few hundred at most); a page is
// still resumed by the last reseller's key, not by a count.
func (s *Server) writeResellers(w http.ResponseWriter, r *http.Request, ws workspace.Workspace, statuses []domain.ResellerStatus) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	rs, err := ws.Resellers(r.Context(), statuses)
	if err != nil {
		return err
	}
	if pg.after != "" {
		i := slices.IndexFunc(rs, func(x domain.Reseller) bool { return resellerKey(x) == pg.after })
		if i < 0 {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the %s header names no reseller (removed since the page before?): start again from the first page", api.ContinuationHeader))
		}
		rs = rs[i+1:]
	}
	p := newPager(w, r, pg.size)
	defer p.release()
	for _, x := range rs {
		if err := p.addJSON(resellerKey(x), api.FromReseller(x)); err != nil {
			return p.end(s, err)
		}
	}
	return p.end(s, nil)
}

// resellerKey identifies a reseller or a pending request in the list: its MPN ID, or the
// invited address while it has none.
func resellerKey(x domain.Reseller) string {
	if x.MPNID != "" {
		return "mpn:" + x.MPNID
	}
	return "email:" + x.Email
}

func (s *Server) getReseller(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	x, err := ws.Reseller(r.Context(), r.PathValue("mpnId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromReseller(x))
	return nil
}

func (s *Server) removeReseller(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	x, err := ws.RemoveReseller(r.Context(), r.PathValue("mpnId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromReseller(x))
	return nil
}

// invite records a partnership request: 201 when new, 200 when the address already had
// a pending one (returned instead, existing true).
func (s *Server) invite(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var in api.Invitation
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	inv := in.Domain()
	inv.CreatedAt, inv.AcceptedAt, inv.MPNID = time.Time{}, time.Time{}, ""
	saved, existing, err := ws.InviteReseller(r.Context(), inv)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
	}
	writeJSON(w, status, api.FromInvitation(saved, s.baseURL(r)+api.InvitationsPath+"/"+url.PathEscape(saved.Token), existing))
	return nil
}

// Subscriptions

func (s *Server) customerSubscriptions(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	return s.writeSubscriptions(w, r, ws, workspace.SubscriptionQuery{Customer: r.PathValue("customer")})
}

// listSubscriptions selects subscriptions across customers: ?id= (one subscription),
// ?customer=, ?reseller= (the reseller credited or support contact), ?expiring_within= (a
// duration: 30d, 720h).
func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	v := r.URL.Query()
	q := workspace.SubscriptionQuery{ID: v.Get("id"), Customer: v.Get("customer"), Reseller: v.Get("reseller")}
	if e := v.Get("expiring_within"); e != "" {
		d, err := api.ParseExpiringWithin(e)
		if err != nil {
			return err
		}
		q.ExpiringWithin = &d
	}
	return s.writeSubscriptions(w, r, ws, q)
}

// writeSubscriptions answers the subscriptions q selects, item by item as the workspace
// yields them: size of them from after the subscription of the continuation token
// (keyset paging), or every one without size. The answer starts with the first one (an
// error before it is an error answer; one after it cuts the answer short, which the
// client reports).
func (s *Server) writeSubscriptions(w http.ResponseWriter, r *http.Request, ws workspace.Workspace, q workspace.SubscriptionQuery) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q.After = pg.after
	if pg.size == 0 {
		longRunning(w)
	}
	p := newPager(w, r, pg.size)
	defer p.release()
	return p.end(s, ws.Subscriptions(r.Context(), q, func(sub domain.Subscription) error { return p.addJSON(sub.ID, api.FromSubscription(sub)) }))
}

// addSubscription adds a subscription for the customer of the path (Partner Center's
// collection) or of pcctl.customerId (POST api.SubscriptionsPath): 201.
func (s *Server) addSubscription(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var in api.Subscription
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	sub, err := in.Domain()
	if err != nil {
		return err
	}
	if c := r.PathValue("customer"); c != "" {
		sub.CustomerID = c
	}
	// What the workspace sets, a client does not choose.
	sub.ID, sub.Status, sub.CustomerName, sub.SupportContact, sub.CreatedAt = "", "", "", "", time.Time{}
	saved, err := ws.AddSubscription(r.Context(), sub)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.FromSubscription(saved))
	return nil
}

func (s *Server) updateSubscription(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var p api.SubscriptionPatch
	if err := s.decodeJSON(w, r, &p); err != nil {
		return err
	}
	sub, err := ws.UpdateSubscription(r.Context(), r.PathValue("id"), p.Change())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromSubscription(sub))
	return nil
}

// The invitation link.
//
// The reseller opens <base>/pcctl/v1/invitations/<token> in a browser: GET shows the
// request and a form asking the MPN ID and the company name; the form POSTs back to the
// same address, which accepts (Workspace.AcceptInvitation). A script (or `pcctl reseller
// accept` against a server) POSTs api.Acceptance as JSON instead. The token is the only
// secret: it is never logged (the access log names the route pattern), never written
// into a page (the form posts to the page's own address, the message shown leaves it
// out of its link), and the pages ask browsers not to cache them, not to send the
// address on as a referrer and not to frame them.

// invitationPage shows the request with its form, or why it can no longer be accepted.
func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.findInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		return s.invitationError(w, r, err)
	}
	return writePage(w, http.StatusOK, pageData{Invitation: shown(inv), Name: inv.Name})
}

// shown is the request as its page shows it: the token in the message's link is left
// out (the reseller already holds it; a page is printed, captured, pasted).
func shown(inv domain.Invitation) *domain.Invitation {
	if t := strings.TrimSpace(inv.Token); t != "" {
		inv.Body = strings.ReplaceAll(inv.Body, t, "…")
	}
	inv.Token = ""
	return &inv
}

// acceptInvitation accepts the request, from the page's form or as JSON.
//
// AcceptInvitation needs no permission: holding the link is the reseller's proof, as
// with Partner Center's own link. The workspace still records who accepted in the audit
// log, so it runs bound to a principal: the token's user when the request carries one
// (`pcctl reseller accept` against a server, recorded as locally under the operator), or
// else a principal with no role at all named after the reseller, "reseller:<MPN ID>":
// it can do nothing but what needs no permission.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	var in api.Acceptance
	form := false
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		form = true
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
		if err := r.ParseForm(); err != nil {
			var tooLarge *http.MaxBytesError
			if !errors.As(err, &tooLarge) {
				err = api.NewError(api.CodeBadRequest, "the request body is not a valid form: "+err.Error())
			}
			return s.invitationError(w, r, err)
		}
		in.MPNID, in.Name = r.PostForm.Get("mpnId"), r.PostForm.Get("name")
	} else if err := s.decodeJSON(w, r, &in); err != nil {
		return s.invitationError(w, r, err)
	}
	p := domain.Principal{User: "reseller:" + strings.TrimSpace(in.MPNID)}
	if r.Header.Get("Authorization") != "" {
		var err error
		if p, err = s.authenticate(r, time.Now()); err != nil {
			return s.invitationError(w, r, err)
		}
	} else if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		info.user = p.User + " (invitation link)"
	}
	res, err := s.workspaceOf(r, p).AcceptInvitation(r.Context(), r.PathValue("token"), in.MPNID, in.Name)
	if err != nil {
		var invalid *domain.InvalidError
		if form && wantsHTML(r) && errors.As(err, &invalid) {
			// The form again, with what was typed and what is wrong with it.
			inv, ferr := s.findInvitation(r.Context(), r.PathValue("token"))
			if ferr != nil {
				return s.invitationError(w, r, ferr)
			}
			return writePage(w, http.StatusBadRequest, pageData{Invitation: shown(inv), MPNID: in.MPNID, Name: in.Name, Problem: err.Error()})
		}
		return s.invitationError(w, r, err)
	}
	if wantsHTML(r) {
		return writePage(w, http.StatusOK, pageData{Accepted: &res})
	}
	writeJSON(w, http.StatusOK, api.FromReseller(res))
	return nil
}

// wantsHTML tells a browser (Accept: text/html) from a script.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(strings.ToLower(r.Header.Get("Accept")), "text/html")
}

// invitationError answers err as a page for a browser, as JSON (writeError) otherwise.
func (s *Server) invitationError(w http.ResponseWriter, r *http.Request, err error) error {
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
		msg = strings.ReplaceAll(msg, t, "…") // "no partnership request matches …"
	}
	return writePage(w, e.Status(), pageData{Error: msg})
}

// findInvitation is the request of the token, or the error accepting it would meet
// (unknown: 404; used or expired: 409), as AcceptInvitation words them.
func (s *Server) findInvitation(ctx context.Context, token string) (domain.Invitation, error) {
	return s.db.Invitation(ctx, token)
}

// pageData is what the invitation page shows: the request and its form (with what was
// typed and a problem with it), the acceptance, or an error.
type pageData struct {
	Invitation *domain.Invitation
	MPNID      string
	Name       string
	Problem    string
	Accepted   *domain.Reseller
	Error      string // why the request cannot be accepted
}

func (d pageData) Title() string {
	switch {
	case d.Accepted != nil:
		return "Partnership request accepted"
	case d.Error != "":
		return "Partnership request"
	}
	return d.Invitation.Subject
}

func writePage(w http.ResponseWriter, status int, d pageData) error {
	return writeTemplate(w, status, invitationTemplate, d)
}

// writeTemplate answers a page of a link opened without an access token (a partnership or
// relationship request's): not cached, not framed, not passed on as a referrer.
func writeTemplate(w http.ResponseWriter, status int, t *template.Template, d any) error {
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // the address holds the token
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write([]byte(b.String()))
	return err
}

var invitationTemplate = template.Must(template.New("invitation").Funcs(template.FuncMap{
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
label{display:block;margin-top:1rem;font-weight:600}
input[type=text]{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.25rem;padding:.5rem 1.25rem;font-size:1rem;background:#0067b8;color:#fff;border:0;cursor:pointer}
.problem{color:#a4262c;font-weight:600}
.note{color:#555;font-size:.9rem}
</style>
</head>
<body>
<main>
{{- if .Accepted}}
<h1>Partnership request accepted</h1>
<p><strong>{{.Accepted.Name}}</strong> (MPN ID {{.Accepted.MPNID}}) is now an indirect reseller of the partner who sent the request.</p>
<p>You can close this page.</p>
{{- else if .Error}}
<h1>This partnership request cannot be accepted</h1>
<p class="problem">{{.Error}}</p>
<p class="note">Ask the partner who sent it for a new request.</p>
{{- else}}
<h1>{{.Invitation.Subject}}</h1>
<p>A partnership request to work together as an indirect reseller in the Microsoft Cloud Solution Provider program, sent to <strong>{{.Invitation.Email}}</strong> on {{date .Invitation.CreatedAt}}. It can be accepted once, until {{date .Invitation.ExpiresAt}}.</p>
<div class="message">{{.Invitation.Body}}</div>
<form method="post">
{{- if .Problem}}
<p class="problem">{{.Problem}}</p>
{{- end}}
<label for="mpnId">MPN ID of your partner location account</label>
<input type="text" id="mpnId" name="mpnId" value="{{.MPNID}}" required inputmode="numeric" pattern="[0-9]{6,10}" maxlength="10" autocomplete="off" placeholder="4847383">
<label for="name">Company name</label>
<input type="text" id="name" name="name" value="{{.Name}}" required maxlength="200" autocomplete="organization">
<button type="submit">Accept the partnership request</button>
</form>
{{- end}}
</main>
</body>
</html>
`))
