package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Deals (docs/api/deals.md): Partner Center's referrals, and pcctl's additions under
// api.Prefix (notes, team, favorites, the PSC import). Every answer that is one referral
// carries its ETag (api.DealETag: the deal's version); the writes that take an expected
// version read it from If-Match, and a stale one is answered 412 as the workspace refuses
// it (RuleError "stale").

// dealRoutes registers the routes of this resource (docs/api.md).
func (s *Server) dealRoutes() {
	s.handle("GET "+api.ReferralsPath, s.listDeals)
	s.handle("POST "+api.ReferralsPath, s.createDeal)
	s.handle("GET "+api.ReferralsPath+"/{id}", s.getDeal)
	s.handle("PATCH "+api.ReferralsPath+"/{id}", s.updateDeal)
	s.handle("PUT "+api.ReferralsPath+"/{id}", s.updateDeal)
	s.handle("POST "+api.DealsPath+"/{id}/notes", s.addDealNote)
	s.handle("PUT "+api.DealsPath+"/{id}/team/{email}", s.setDealTeamMember(true))
	s.handle("DELETE "+api.DealsPath+"/{id}/team/{email}", s.setDealTeamMember(false))
	s.handle("PUT "+api.DealsPath+"/{id}/favorite", s.setDealFavorite(true))
	s.handle("DELETE "+api.DealsPath+"/{id}/favorite", s.setDealFavorite(false))
	s.handle("POST "+api.DealImportPath, s.importDeals)
}

// writeReferral answers one deal, with its ETag.
func writeReferral(w http.ResponseWriter, status int, rec workspace.DealRecord) {
	w.Header().Set("ETag", api.DealETag(rec.Version))
	writeJSON(w, status, api.FromDealRecord(rec))
}

// ifMatch is the version the request expects (If-Match), 0 for any.
func ifMatch(r *http.Request) (int, error) {
	return api.ParseDealETag(r.Header.Get("If-Match"))
}

// POST /v1.0/engagements/referrals: a referral; direction Incoming records an inbound
// deal (ReceiveDeal), anything else creates an outbound one (CreateDeal).
func (s *Server) createDeal(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var ref api.Referral
	if err := s.decodeJSON(w, r, &ref); err != nil {
		return err
	}
	inbound := false
	if ref.Direction.Set {
		dir, err := api.ParseDealDirection("direction", ref.Direction)
		if err != nil {
			return err
		}
		inbound = dir == domain.Inbound
	}
	rec, err := ref.Record()
	if err != nil {
		return err
	}
	if inbound {
		rec, err = ws.ReceiveDeal(r.Context(), rec.Deal)
	} else {
		rec, err = ws.CreateDeal(r.Context(), rec.Deal)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.baseURL(r)+api.ReferralURI(rec.ID))
	writeReferral(w, http.StatusCreated, rec)
	return nil
}

// GET /v1.0/engagements/referrals/{id}
func (s *Server) getDeal(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	rec, err := ws.Deal(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeReferral(w, http.StatusOK, rec)
	return nil
}

// PATCH (or PUT) /v1.0/engagements/referrals/{id}: a status change or a change of content
// (api.ReferralUpdate), If-Match the version it applies to.
func (s *Server) updateDeal(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var u api.ReferralUpdate
	if err := s.decodeJSON(w, r, &u); err != nil {
		return err
	}
	expect, err := ifMatch(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	var rec workspace.DealRecord
	if u.IsStatusChange() {
		action, ambiguous, err := u.Action()
		if err != nil {
			return err
		}
		if ambiguous {
			// Active/Accepted: the partner accepts an inbound deal; the Microsoft seller
			// takes an outbound co-sell invitation.
			cur, err := ws.Deal(r.Context(), id)
			if err != nil {
				return err
			}
			if cur.Direction == domain.Outbound {
				action = domain.ActSellerAccept
			}
		}
		rec, err = ws.ActOnDeal(r.Context(), id, action, u.StatusReason, expect)
		if err != nil {
			return err
		}
	} else {
		if rec, err = ws.UpdateDeal(r.Context(), id, u.Change(), expect); err != nil {
			return err
		}
	}
	writeReferral(w, http.StatusOK, rec)
	return nil
}

// POST /pcctl/v1/deals/{id}/notes {"text": "…"}, If-Match the version.
func (s *Server) addDealNote(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var n api.DealNoteRequest
	if err := s.decodeJSON(w, r, &n); err != nil {
		return err
	}
	expect, err := ifMatch(r)
	if err != nil {
		return err
	}
	rec, err := ws.AddDealNote(r.Context(), r.PathValue("id"), n.Text, expect)
	if err != nil {
		return err
	}
	writeReferral(w, http.StatusOK, rec)
	return nil
}

// PUT and DELETE /pcctl/v1/deals/{id}/team/{email}, If-Match the version.
func (s *Server) setDealTeamMember(member bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
		expect, err := ifMatch(r)
		if err != nil {
			return err
		}
		rec, err := ws.SetDealTeamMember(r.Context(), r.PathValue("id"), r.PathValue("email"), member, expect)
		if err != nil {
			return err
		}
		writeReferral(w, http.StatusOK, rec)
		return nil
	}
}

// PUT and DELETE /pcctl/v1/deals/{id}/favorite: the caller's favorites, not the deal (no
// version).
func (s *Server) setDealFavorite(favorite bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
		rec, err := ws.SetDealFavorite(r.Context(), r.PathValue("id"), favorite)
		if err != nil {
			return err
		}
		writeReferral(w, http.StatusOK, rec)
		return nil
	}
}

// dealListParams are the query parameters of the referrals list.
const dealListParams = "status, substatus, direction, type, customer, favorites, expiring_within, sort, and size and seekOperation for paging"

// dealQuery reads the referrals list's query parameters.
func dealQuery(r *http.Request) (workspace.DealQuery, error) {
	var q workspace.DealQuery
	values := r.URL.Query()
	for k, vs := range values {
		if len(vs) > 1 {
			return q, api.NewError(api.CodeBadRequest, fmt.Sprintf("the query parameter %s is given %d times: give it once", k, len(vs)))
		}
		v := vs[0]
		var err error
		switch k {
		case "status":
			q.Status, err = api.ParseDealStatus("status", api.DealEnumParam(v))
		case "substatus":
			q.Substatus, err = api.ParseDealSubstatus("substatus", api.DealEnumParam(v))
		case "direction":
			q.Direction, err = api.ParseDealDirection("direction", api.DealEnumParam(v))
		case "type":
			q.Type, err = api.ParseDealType("type", api.DealEnumParam(v))
		case "customer":
			q.Customer = v
		case "favorites":
			if q.Favorites, err = strconv.ParseBool(v); err != nil {
				err = api.NewError(api.CodeBadRequest, fmt.Sprintf("invalid favorites %q: expected true or false", v))
			}
		case "expiring_within":
			var d time.Duration
			if d, err = api.ParseExpiringWithin(v); err == nil {
				q.ExpiringWithin = &d
			}
		case "sort":
			switch v {
			case "created", "updated":
				q.Sort = v
			default:
				err = api.NewError(api.CodeBadRequest, fmt.Sprintf("invalid sort %q: expected created (the default: newest created or received first) or updated (last changed first)", v))
			}
		case "size", api.SeekOperationParam: // paging (parsePage)
		default:
			err = api.NewError(api.CodeBadRequest, fmt.Sprintf("unknown query parameter %q: the referrals list takes %s", k, dealListParams))
		}
		if err != nil {
			return q, err
		}
	}
	return q, nil
}

// GET /v1.0/engagements/referrals?…: every deal selected, in one collection written item
// by item as the workspace reads them (no next page: the server holds no list, and a
// client reads it as it comes). Nothing is written before the first item, so an error
// met before it (a missing role, an unknown customer) is an ordinary error answer; one
// met after it ends the collection with an "error" member (an api.Error) in place of
// totalCount, which the client returns.
func (s *Server) listDeals(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	q, err := dealQuery(r)
	if err != nil {
		return err
	}
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
	return p.end(s, ws.ListDeals(r.Context(), q, func(rec workspace.DealRecord) error { return p.addJSON(rec.ID, api.FromDealRecord(rec)) }))
}

// POST /pcctl/v1/deals/import?dryRun=&skipFailed=&createMissingOrgs=&expectedRows=: the
// rows as NDJSON (api.DealImportRow, one a line), then {"end": N} after the last of N
// rows; a body that stops before that line (the client met an error reading its file) is
// an aborted import: nothing is written. The answer is the api.DealImportResult, its rows
// written one at a time.
//
// The body is spooled to a temporary file before the import's write transaction begins:
// the write lock is never held while the server waits on the network (issue 14, item 3);
// each line is at most MaxImportLine bytes (item 4).
func (s *Server) importDeals(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	if err := principalOf(r).Require(domain.PermDeals); err != nil {
		refuseUnread(w)
		return err
	}
	var opts workspace.DealImportOptions
	for k, vs := range r.URL.Query() {
		if len(vs) > 1 {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the query parameter %s is given %d times: give it once", k, len(vs)))
		}
		v := vs[0]
		var flag *bool
		switch k {
		case "dryRun":
			flag = &opts.DryRun
		case "skipFailed":
			flag = &opts.SkipFailed
		case "createMissingOrgs":
			flag = &opts.CreateMissingOrgs
		case "expectedRows":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return api.NewError(api.CodeBadRequest, fmt.Sprintf("invalid expectedRows %q: expected how many rows the body holds, a whole number of 0 or more", v))
			}
			opts.ExpectedRows = n
			continue
		default:
			return api.NewError(api.CodeBadRequest, fmt.Sprintf(
				"unknown query parameter %q: the deal import takes dryRun, skipFailed, createMissingOrgs (true or false) and expectedRows", k))
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("invalid %s %q: expected true or false", k, v))
		}
		*flag = b
	}
	longRunning(w)
	rc := http.NewResponseController(w)
	// Full duplex: an answer sent before the whole body is read (413, 408) does not wait
	// for the rest of it.
	_ = rc.EnableFullDuplex()
	// In full duplex, a handler that returns before the body is read to its end leaves
	// net/http reading it when it looks for the connection's next request, which panics
	// ("invalid concurrent Body.Read call", golang/go#68560): closing the body first ends
	// the connection cleanly instead.
	defer r.Body.Close()
	f, err := spool(s.importBody(w, r, rc))
	if err != nil {
		return err
	}
	defer closeSpool(f)
	rows := &dealBodyRows{dec: json.NewDecoder(bufio.NewReaderSize(f, 64<<10))}
	res, err := ws.ImportDeals(r.Context(), rows, opts)
	if err != nil {
		return err
	}
	return writeDealImportResult(w, res)
}

// writeDealImportResult writes the result a row at a time: a large import's result is
// not encoded twice in memory.
func writeDealImportResult(w http.ResponseWriter, res workspace.DealImportResult) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	fmt.Fprintf(bw, `{"written":%t,"orgsCreated":%d,"attributes":{"objectType":"DealImportResult"},"rows":[`, res.Written, res.OrgsCreated)
	for i, row := range res.Rows {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := enc.Encode(api.FromDealImportRowResult(row)); err != nil {
			return err
		}
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

// dealBodyRows reads the rows of an import's body.
type dealBodyRows struct {
	dec   *json.Decoder
	n     int
	ended bool
}

func (b *dealBodyRows) Next() (workspace.DealImportRow, error) {
	if b.ended {
		return workspace.DealImportRow{}, io.EOF
	}
	var item api.DealImportItem
	err := b.dec.Decode(&item)
	switch {
	case errors.Is(err, io.EOF):
		return workspace.DealImportRow{}, api.NewError(api.CodeBadRequest, fmt.Sprintf(
			`the import body ended after %d rows without its end line ({"end": N}): the import was aborted and nothing was written`, b.n))
	case err != nil:
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return workspace.DealImportRow{}, err
		case errors.Is(err, io.ErrUnexpectedEOF):
			return workspace.DealImportRow{}, api.NewError(api.CodeBadRequest, fmt.Sprintf(
				"the import body was cut short after %d rows (the client stopped sending): the import was aborted and nothing was written", b.n))
		case errors.As(err, &syntax), errors.As(err, &typeErr):
			return workspace.DealImportRow{}, api.NewError(api.CodeBadRequest, fmt.Sprintf("item %d of the import body is not a row: %v", b.n+1, err))
		}
		return workspace.DealImportRow{}, fmt.Errorf("reading the import body after %d rows: %w", b.n, err)
	}
	if item.End != nil {
		if *item.End != b.n {
			return workspace.DealImportRow{}, api.NewError(api.CodeBadRequest, fmt.Sprintf(
				"the import body's end line counts %d rows, but %d were sent: nothing was written", *item.End, b.n))
		}
		if b.dec.More() {
			return workspace.DealImportRow{}, api.NewError(api.CodeBadRequest, "the import body goes on after its end line")
		}
		b.ended = true
		return workspace.DealImportRow{}, io.EOF
	}
	b.n++
	row, err := item.DealImportRow.Row()
	if err != nil {
		var e *api.Error
		if errors.As(err, &e) {
			return row, api.NewError(api.CodeBadRequest, fmt.Sprintf("row %d of the import body (line %d): %s", b.n, item.Line, strings.TrimSpace(e.Description)))
		}
		return row, err
	}
	return row, nil
}
