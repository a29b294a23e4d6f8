package server

import (
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

// requestRoutes registers the routes of this resource (docs/api/requests.md): Partner
// Center's service requests, and pcctl's search, favorites and home overview.
func (s *Server) requestRoutes() {
	s.handle("POST /v1/customers/{customer}/servicerequests", s.createRequest)
	s.handle("GET /v1/customers/{customer}/servicerequests", s.listRequests)
	s.handle("GET /v1/servicerequests", s.listRequests)
	s.handle("GET /v1/servicerequests/{id}", s.getRequest)
	s.handle("PATCH /v1/servicerequests/{id}", s.updateRequest)
	s.handle("GET "+api.Prefix+"/servicerequests/search", s.searchRequests)
	s.handle("PUT "+api.Prefix+"/servicerequests/{id}/favorite", s.favoriteRequest(true))
	s.handle("DELETE "+api.Prefix+"/servicerequests/{id}/favorite", s.favoriteRequest(false))
	s.handle("GET "+api.HomePath, s.home)
}

func (s *Server) createRequest(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var body api.ServiceRequest
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	rec, err := body.Record()
	if err != nil {
		return err
	}
	in := rec.ServiceRequest
	in.CustomerID = r.PathValue("customer")
	// The workspace draws the reference and dates the request: a client chooses neither.
	in.Ref, in.CreatedAt = "", time.Time{}
	out, err := ws.CreateRequest(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/servicerequests/"+url.PathEscape(out.Ref))
	writeJSON(w, http.StatusCreated, api.FromRequestRecord(out))
	return nil
}

func (s *Server) getRequest(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	out, err := ws.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromRequestRecord(out))
	return nil
}

// listRequests answers the requests the query parameters select, newest first, in one
// page. The route under a customer takes the customer from its path.
func (s *Server) listRequests(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	q, err := requestQuery(r.URL.Query())
	if err != nil {
		return err
	}
	if c := r.PathValue("customer"); c != "" {
		if r.URL.Query().Has("customer") {
			return api.NewError(api.CodeBadRequest, "the parameter customer is not allowed here: the customer is in the path")
		}
		q.Customer = c
	}
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q.After = pg.after
	p := newPager(w, r, pg.size)
	defer p.release()
	return p.end(s, ws.ListRequests(r.Context(), q, func(rec workspace.RequestRecord) error { return p.addJSON(rec.Ref, api.FromRequestRecord(rec)) }))
}

// requestQuery reads the filters of a list of requests.
func requestQuery(v url.Values) (workspace.RequestQuery, error) {
	var q workspace.RequestQuery
	if err := srParamsOnly(v, "customer", "status", "severity", "favorites", "size", api.SeekOperationParam); err != nil {
		return q, err
	}
	q.Customer = v.Get("customer")
	for _, list := range v["status"] {
		for _, s := range strings.Split(list, ",") {
			st, ok := srParamEnum(s, api.RequestStatusNames)
			if !ok {
				return q, api.NewError(api.CodeBadRequest, fmt.Sprintf(
					"the parameter status must be open, attention_needed or closed (or their numbers 1, 3, 2; several may be given, comma-separated or repeated), not %q", s))
			}
			q.Statuses = append(q.Statuses, domain.RequestStatus(st))
		}
	}
	if v.Has("severity") {
		sev, ok := srParamEnum(v.Get("severity"), api.SeverityNames)
		if !ok || len(v["severity"]) > 1 {
			return q, api.NewError(api.CodeBadRequest, fmt.Sprintf(
				"the parameter severity must be one of critical, moderate or minimal (or their numbers 1, 2, 3), not %q", strings.Join(v["severity"], ",")))
		}
		q.Severity = domain.Severity(sev)
	}
	fav, err := srParamBool(v, "favorites")
	if err != nil {
		return q, err
	}
	q.Favorites = fav
	return q, nil
}

// srParamEnum reads an enumerated query parameter: a name (in any case, - for _) or its
// number; the enumeration's first value (unknown, none) is refused.
func srParamEnum(s string, names []string) (string, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n >= len(names) {
			return "", false
		}
		return names[n], true
	}
	t := strings.ReplaceAll(strings.ToLower(s), "-", "_")
	for _, n := range names[1:] {
		if n == t || strings.ReplaceAll(n, "_", "") == t {
			return n, true
		}
	}
	return "", false
}

// srParamBool reads a true/false query parameter; absent is false.
func srParamBool(v url.Values, name string) (bool, error) {
	if !v.Has(name) {
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(v.Get(name))) {
	case "", "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, api.NewError(api.CodeBadRequest, fmt.Sprintf("the parameter %s must be true or false, not %q", name, v.Get(name)))
}

// srParamsOnly refuses a query parameter that is not one of names: a typo must not widen
// a selection silently.
func srParamsOnly(v url.Values, names ...string) error {
	for k := range v {
		known := false
		for _, n := range names {
			known = known || k == n
		}
		if !known {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("unknown query parameter %q (allowed: %s)", k, strings.Join(names, ", ")))
		}
	}
	return nil
}

func (s *Server) updateRequest(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var body api.ServiceRequest
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	ch, err := body.RequestChange()
	if err != nil {
		return err
	}
	out, err := ws.UpdateRequest(r.Context(), r.PathValue("id"), ch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromRequestRecord(out))
	return nil
}

func (s *Server) searchRequests(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	v := r.URL.Query()
	if err := srParamsOnly(v, "term", "limit"); err != nil {
		return err
	}
	if !v.Has("term") {
		return api.NewError(api.CodeBadRequest, "the parameter term is required: a reference number (or its first digits) or the beginning of a customer's name")
	}
	limit, err := srParamLimit(v)
	if err != nil {
		return err
	}
	found, err := ws.SearchRequests(r.Context(), v.Get("term"), limit)
	if err != nil {
		return err
	}
	items := make([]api.ServiceRequest, len(found))
	for i, rec := range found {
		items[i] = api.FromRequestRecord(rec)
	}
	writeJSON(w, http.StatusOK, api.NewCollection(items, r.URL.RequestURI(), "", ""))
	return nil
}

// srParamLimit reads the parameter limit: a whole number, 0 or more; absent is 0.
func srParamLimit(v url.Values) (int, error) {
	if !v.Has("limit") {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v.Get("limit")))
	if err != nil || n < 0 {
		return 0, api.NewError(api.CodeBadRequest, fmt.Sprintf("the parameter limit must be a whole number, 0 (no limit) or more, not %q", v.Get("limit")))
	}
	return n, nil
}

func (s *Server) favoriteRequest(favorite bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
		out, err := ws.SetRequestFavorite(r.Context(), r.PathValue("id"), favorite)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, api.FromRequestRecord(out))
		return nil
	}
}

// home answers the principal's home overview.
func (s *Server) home(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	h, err := ws.Home(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.FromHome(h))
	return nil
}
