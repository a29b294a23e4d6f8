package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// customerRoutes registers the routes of this resource (docs/api/customers.md).
func (s *Server) customerRoutes() {
	s.handle("GET "+api.CustomersPath, s.listCustomers)
	s.handle("POST "+api.CustomersPath, s.addCustomer)
	s.handle("GET "+api.CustomersPath+"/{id}", s.getCustomer)

	s.handle("GET "+api.CustomerViewsPath, s.customerView)
	s.handle("GET "+api.CustomerCountPath, s.countCustomers)
	s.handle("POST "+api.CustomerViewsPath+"/{id}/opens", s.openCustomer)
	s.handle("PUT "+api.CustomerViewsPath+"/{id}/flag", s.flagCustomer)
	s.handle("DELETE "+api.CustomerViewsPath+"/{id}/flag", s.toggleCustomer(workspace.Workspace.UnflagCustomer))
	s.handle("PUT "+api.CustomerViewsPath+"/{id}/pin", s.toggleCustomer(workspace.Workspace.PinCustomer))
	s.handle("DELETE "+api.CustomerViewsPath+"/{id}/pin", s.toggleCustomer(workspace.Workspace.UnpinCustomer))
	s.handle("POST "+api.CustomerImportPath, s.importCustomers)
	s.handle("GET "+api.CustomerExportPath, s.exportCustomers)
	s.handle("GET "+api.CompletePath+"/{kind}", s.complete)
}

// bufPool holds the buffers answers are written into.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) <= 1<<20 {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

// flushAt is how much of a streamed answer is gathered before it is written.
const flushAt = 32 << 10

// GET /v1/customers: the customers, a reseller's (filter IndirectReseller), or a search
// (filter CompanyName or Domain), as a Partner Center collection.
func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	q := r.URL.Query()
	raw := q.Get("filter")
	if raw == "" {
		return s.pageCustomers(w, r, ws, workspace.ListQuery{View: domain.ViewAll})
	}
	f, err := api.ParseCustomerFilter(raw)
	if err != nil {
		return err
	}
	if f.Field == api.FilterIndirectReseller {
		return s.pageCustomers(w, r, ws, workspace.ListQuery{View: domain.ViewAll, Reseller: f.Value})
	}
	size, err := api.ParsePageSize(q.Get("size"))
	if err != nil {
		return err
	}
	// A search: ranked, so a page after the first is the search to its end, cut (a
	// search rarely needs more than one page: it returns 100 customers by default).
	offset := 0
	if tok := r.Header.Get(api.ContinuationHeader); tok != "" {
		if offset, err = strconv.Atoi(tok); err != nil || offset < 0 {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the %s header %q is not a continuation token this server gave", api.ContinuationHeader, tok))
		}
	}
	found, err := ws.SearchCustomers(r.Context(), f.Value, offset+size)
	if err != nil {
		return err
	}
	next := ""
	if len(found) == offset+size {
		next = strconv.Itoa(offset + size)
	}
	found = found[min(offset, len(found)):]
	lw := newListWriter(w, r)
	defer lw.release()
	for i := range found {
		if err := lw.add(customerItem(&found[i])); err != nil {
			return err
		}
	}
	return lw.finish(next)
}

// GET /pcctl/v1/customers?view=&sort=&reseller=&limit=: a view of the list, streamed as
// one collection.
func (s *Server) customerView(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	q := r.URL.Query()
	var lq workspace.ListQuery
	if v := q.Get("view"); v != "" {
		view, err := domain.ParseView(v)
		if err != nil {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the view parameter must be one of %s, not %q", listOf(domain.Views), v))
		}
		lq.View = view
	}
	if v := q.Get("sort"); v != "" {
		sort, err := domain.ParseListSort(v)
		if err != nil {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the sort parameter must be name or created, not %q", v))
		}
		lq.Sort = sort
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the limit parameter must be a whole number, 0 or more (0: no limit), not %q", v))
		}
		lq.Limit = n
	}
	lq.Reseller = q.Get("reseller")
	return s.pageCustomers(w, r, ws, lq)
}

func listOf[T ~string](vs []T) string {
	out := ""
	for i, v := range vs {
		if i > 0 {
			out += ", "
		}
		out += string(v)
	}
	return out
}

// pageCustomers answers the customers q selects as Partner Center pages them: size of them
// from after the customer of the continuation token, in name order (keyset paging), or
// every one, streamed, without size.
func (s *Server) pageCustomers(w http.ResponseWriter, r *http.Request, ws workspace.Workspace, q workspace.ListQuery) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q.After = pg.after
	if q.View == domain.ViewRecent {
		pg.size = 0 // ranked, and at most domain.RecentLimit customers: always one page
	}
	if pg.size == 0 {
		longRunning(w)
	}
	p := newPager(w, r, pg.size)
	defer p.release()
	return p.end(s, ws.ListCustomers(r.Context(), q, func(c workspace.CustomerRecord) error { return p.add(c.ID, customerItem(&c)) }))
}

// customerItem writes a customer as an item of a collection.
func customerItem(rec *workspace.CustomerRecord) func([]byte) []byte {
	return func(b []byte) []byte {
		c := api.FromCustomerRecord(*rec)
		return c.AppendJSON(b)
	}
}

// GET /v1/customers/{id}
func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	c, err := ws.Customer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeCustomer(w, http.StatusOK, c)
	return nil
}

func writeCustomer(w http.ResponseWriter, status int, c workspace.CustomerRecord) {
	buf := getBuf()
	defer putBuf(buf)
	ac := api.FromCustomerRecord(c)
	*buf = append(ac.AppendJSON(*buf), '\n')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(*buf)
}

// POST /v1/customers
func (s *Server) addCustomer(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	var in api.Customer
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	rec, err := in.Record()
	if err != nil {
		return api.NewError(api.CodeBadRequest, "the request body is not a customer: "+err.Error())
	}
	hash := ""
	if in.Pcctl != nil {
		hash = in.Pcctl.AdminPasswordHash
	}
	c, err := ws.AddCustomer(r.Context(), rec.Customer, hash)
	if err != nil {
		return err
	}
	w.Header().Set("Location", api.CustomersPath+"/"+c.ID)
	writeCustomer(w, http.StatusCreated, c)
	return nil
}

// POST /pcctl/v1/customers/{id}/opens: records an access, answers the customer.
func (s *Server) openCustomer(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	c, err := ws.OpenCustomer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeCustomer(w, http.StatusOK, c)
	return nil
}

// GET /pcctl/v1/customers/count
func (s *Server) countCustomers(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	n, err := ws.CountCustomers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.CountAnswer{Count: n})
	return nil
}

// PUT /pcctl/v1/customers/{id}/flag
func (s *Server) flagCustomer(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	res, err := ws.FlagCustomer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := api.FlagAnswer{Customer: api.FromCustomerRecord(res.Customer), AlreadyFlagged: res.AlreadyFlagged,
		Attributes: api.Attributes{ObjectType: "CustomerFlag"}}
	if res.Unflagged != nil {
		u := api.FromCustomerRecord(*res.Unflagged)
		out.Unflagged = &u
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// DELETE …/flag, PUT and DELETE …/pin
func (s *Server) toggleCustomer(do func(workspace.Workspace, context.Context, string) (workspace.CustomerRecord, bool, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
		c, changed, err := do(ws, r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, api.ChangeAnswer{Customer: api.FromCustomerRecord(c), Changed: changed,
			Attributes: api.Attributes{ObjectType: "CustomerChange"}})
		return nil
	}
}

// GET /pcctl/v1/complete/{kind}?prefix=&limit=
func (s *Server) complete(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	kind := workspace.CompleteKind(r.PathValue("kind"))
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		var err error
		if limit, err = strconv.Atoi(v); err != nil {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the limit parameter must be a whole number, not %q", v))
		}
	}
	switch kind {
	case workspace.CompleteCustomers, workspace.CompleteResellers, workspace.CompleteAnyResellers, workspace.CompleteSubscriptions,
		workspace.CompleteDeals, workspace.CompleteRequests:
	default:
		if limit > 0 { // the local workspace's words
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("unknown completion kind %q", kind))
		}
	}
	found, err := ws.Complete(r.Context(), kind, q.Get("prefix"), limit)
	if err != nil {
		return err
	}
	items := make([]api.Candidate, len(found))
	for i, c := range found {
		items[i] = api.Candidate{Value: c.Value, Description: c.Description}
	}
	writeJSON(w, http.StatusOK, api.NewCollection(items, r.URL.RequestURI(), "", ""))
	return nil
}

// GET /pcctl/v1/customers/export?reseller=: NDJSON (api.ExportColumns), streamed as the
// workspace reads it, in constant memory.
func (s *Server) exportCustomers(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	longRunning(w)
	buf := getBuf()
	defer putBuf(buf)
	started, n := false, 0
	start := func() {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		started = true
		*buf = append(*buf, exportHeader...)
	}
	err := ws.ExportCustomers(r.Context(), workspace.ExportQuery{Reseller: r.URL.Query().Get("reseller")}, func(c *domain.Customer) error {
		if !started {
			start()
		}
		*buf = api.AppendExportLine(*buf, c)
		n++
		if len(*buf) >= flushAt {
			_, err := w.Write(*buf)
			*buf = (*buf)[:0]
			return err
		}
		return nil
	})
	if err != nil && !started {
		return err
	}
	if !started {
		start()
	}
	end := api.StreamEnd{End: true, Count: n}
	if err != nil {
		end = api.StreamEnd{Error: s.streamError(r, err)}
	}
	*buf = appendLine(*buf, end)
	_, werr := w.Write(*buf)
	if err == nil {
		err = werr
	}
	return err
}

var exportHeader = func() []byte {
	b, _ := json.Marshal(api.ExportColumns)
	return append(b, '\n')
}()

func appendLine(b []byte, v any) []byte {
	line, _ := json.Marshal(v)
	return append(append(b, line...), '\n')
}

// streamError is the error that ends a stream already begun, logged as writeError logs
// an internal one.
func (s *Server) streamError(r *http.Request, err error) *api.Error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = api.NewError(api.CodeTooLarge, fmt.Sprintf("the request body is over the server's limit of %d bytes", tooLarge.Limit))
	}
	e := api.ErrorFrom(err)
	if e.Code == api.CodeInternal && r.Context().Err() == nil {
		s.log.Error("internal error", "route", r.Pattern, "error", err.Error())
	}
	return e
}

// POST /pcctl/v1/customers/import?onRowError=ask|skip|abort&now=RFC3339: the rows as
// NDJSON (api.AppendImportRow and api.ImportItem), then {"end":N}; answered with NDJSON:
// the refused rows, then the result or the error. In ask mode the server waits, at each
// refused row, for the client's decision in the body (the client runs OnRowError): the
// request and the answer stream both ways at once (full duplex).
//
// The server never waits on the client while it holds the workspace's write lock (issue
// 14, item 3): the body is spooled to a temporary file up to its end line first; in skip
// and ask modes a first pass (ImportOptions.Probe) finds the refused rows and rolls back
// when there are any; the server then sends them and reads the decisions with no lock
// held, and imports again with those decisions. An import that refuses no row is written
// by the first pass.
func (s *Server) importCustomers(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
	// Permission first: a refused client is answered before anything is read or the
	// connection switched to full duplex (item 11).
	if err := principalOf(r).Require(domain.PermWriteCustomers); err != nil {
		refuseUnread(w)
		return err
	}
	q := r.URL.Query()
	mode := q.Get("onRowError")
	switch mode {
	case "":
		mode = api.OnRowErrorAbort
	case api.OnRowErrorAsk, api.OnRowErrorSkip, api.OnRowErrorAbort:
	default:
		return api.NewError(api.CodeBadRequest, fmt.Sprintf("the onRowError parameter must be ask, skip or abort, not %q", mode))
	}
	var opts workspace.ImportOptions
	if v := q.Get("now"); v != "" {
		t, err := api.ParseTime(v)
		if err != nil {
			return api.NewError(api.CodeBadRequest, fmt.Sprintf("the now parameter must be an RFC 3339 time, not %q", v))
		}
		opts.Now = t
	}
	longRunning(w)
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex()
	// In full duplex, a handler that returns before the body is read to its end leaves
	// net/http reading it when it looks for the connection's next request, which panics
	// ("invalid concurrent Body.Read call", golang/go#68560): closing the body first ends
	// the connection cleanly instead.
	defer r.Body.Close()
	body := s.importBody(w, r, rc)
	f, err := spool(body)
	if err != nil {
		return err
	}
	defer closeSpool(f)
	rows := func() (*bodyRows, error) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		return &bodyRows{r: &lineReader{r: bufio.NewReaderSize(f, 64<<10)}}, nil
	}
	started := false
	send := func(line []byte) error {
		if !started {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
		return rc.Flush()
	}
	end := func(res workspace.ImportResult, err error) error {
		if err != nil && !started {
			return err
		}
		e := api.StreamEnd{Result: &res}
		if err != nil { // with what was done before the error, as a local import returns it
			e.Error = s.streamError(r, err)
		}
		return send(appendLine(nil, e))
	}
	first, err := rows()
	if err != nil {
		return err
	}
	if mode == api.OnRowErrorAbort {
		opts.OnRowError = func(e *workspace.RowError) error { return e }
		res, err := ws.ImportCustomers(r.Context(), first, opts)
		return end(res, err)
	}

	// The first pass: the refused rows, kept in a second temporary file.
	refused, err := os.CreateTemp("", "pcctl-refused-*.ndjson")
	if err != nil {
		return fmt.Errorf("spooling the refused rows: %w", err)
	}
	os.Remove(refused.Name())
	defer closeSpool(refused)
	rw := bufio.NewWriterSize(refused, 64<<10)
	n := 0
	opts.Probe = true
	opts.OnRowError = func(e *workspace.RowError) error {
		n++
		_, err := rw.Write(appendLine(nil, api.ImportItem{RowError: api.FromRowError(e)}))
		return err
	}
	res, err := ws.ImportCustomers(r.Context(), first, opts)
	if !errors.Is(err, workspace.ErrProbed) {
		return end(res, err) // written (nothing refused), or failed
	}
	if err := rw.Flush(); err != nil {
		return err
	}
	if _, err := refused.Seek(0, io.SeekStart); err != nil {
		return err
	}
	// The refused rows to the client, and its decisions: no lock held.
	skip := 0 // the first skip refused rows are skipped; the next one, if any, aborts
	lr := &lineReader{r: bufio.NewReaderSize(refused, 64<<10)}
	for range n {
		line, err := lr.next()
		if err != nil {
			return end(res, err)
		}
		if err := send(append(line, '\n')); err != nil {
			return err
		}
		if mode == api.OnRowErrorAsk {
			d, err := readDecision(body)
			if err != nil {
				return end(workspace.ImportResult{}, err)
			}
			if d == api.OnRowErrorAbort {
				break
			}
		}
		skip++
	}
	// The import, with those decisions. The rows refused must be those of the first pass
	// (another writer may have changed the workspace meanwhile): the first that is not
	// aborts the import.
	second, err := rows()
	if err != nil {
		return err
	}
	if _, err := refused.Seek(0, io.SeekStart); err != nil {
		return err
	}
	lr = &lineReader{r: bufio.NewReaderSize(refused, 64<<10)}
	i := 0
	opts.Probe = false
	opts.OnRowError = func(e *workspace.RowError) error {
		i++
		if i > skip {
			return e
		}
		line, err := lr.next()
		if err != nil || !bytes.Equal(line, bytes.TrimSpace(appendLine(nil, api.ImportItem{RowError: api.FromRowError(e)}))) {
			return e
		}
		return nil
	}
	res, err = ws.ImportCustomers(r.Context(), second, opts)
	return end(res, err)
}

// readDecision reads the client's decision on a refused row: skip or abort.
func readDecision(body *lineReader) (string, error) {
	line, err := body.next()
	switch {
	case err == io.EOF:
		return "", api.NewError(api.CodeBadRequest, "the import's body ended before the decision on a refused row: nothing was imported")
	case err != nil:
		return "", err
	}
	var it api.ImportItem
	if json.Unmarshal(line, &it) != nil || (it.Decision != api.OnRowErrorSkip && it.Decision != api.OnRowErrorAbort) {
		return "", api.NewError(api.CodeBadRequest, `the import's body holds something else where a decision on a refused row was expected ({"decision":"skip"|"abort"}): nothing was imported`)
	}
	return it.Decision, nil
}

// bodyRows yields the rows of an import's spooled body.
type bodyRows struct {
	r       *lineReader
	items   int
	ended   bool
	pending error // the body's failure, returned by every later Next
}

func (b *bodyRows) Next() (workspace.CustomerRow, error) {
	var row workspace.CustomerRow
	if b.ended {
		return row, io.EOF
	}
	if b.pending != nil {
		return row, b.pending
	}
	line, err := b.r.next()
	if err != nil {
		switch {
		case err == io.EOF:
			err = api.NewError(api.CodeBadRequest, "the import's body ended before its end line {\"end\":N}: the client stopped sending")
		default:
			err = api.NewError(api.CodeBadRequest, fmt.Sprintf("the import's body cannot be read (%v): nothing was imported", err))
		}
		b.pending = err
		return row, err
	}
	fail := func(err error) (workspace.CustomerRow, error) {
		b.pending = api.NewError(api.CodeBadRequest, fmt.Sprintf("the import's item %d cannot be read: %v", b.items+1, err))
		return row, b.pending
	}
	switch {
	case line[0] == '[':
		b.items++
		row, err := api.ParseImportRow(line)
		if err != nil {
			return fail(err)
		}
		return row, nil
	case line[0] == '{':
		var it api.ImportItem
		if err := json.Unmarshal(line, &it); err != nil {
			return fail(err)
		}
		switch {
		case it.RowError != nil:
			b.items++
			return row, it.RowError.Err()
		case it.End != nil:
			if *it.End != b.items {
				return fail(fmt.Errorf("the end line counts %d items, %d were sent", *it.End, b.items))
			}
			b.ended = true
			return row, io.EOF
		case it.Decision != "":
			b.pending = api.NewError(api.CodeBadRequest, "the import's body holds a decision where no row error was sent")
			return row, b.pending
		}
		return fail(errors.New(`expected a row, {"rowError":…}, {"end":N} or {"decision":"skip"|"abort"}`))
	}
	return fail(errors.New("not a JSON array or object"))
}
