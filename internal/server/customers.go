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
	size, err := api.ParsePageSize(q.Get("size"))
	if err != nil {
		return err
	}
	raw := q.Get("filter")
	if raw == "" {
		return s.streamView(w, r, ws, workspace.ListQuery{View: domain.ViewAll})
	}
	f, err := api.ParseCustomerFilter(raw)
	if err != nil {
		return err
	}
	if f.Field == api.FilterIndirectReseller {
		return s.streamView(w, r, ws, workspace.ListQuery{View: domain.ViewAll, Reseller: f.Value})
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
	return s.streamView(w, r, ws, lq)
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

// streamView writes a view as one collection, item by item as the workspace reads them:
// the server never holds the list, and the collection has no next page.
func (s *Server) streamView(w http.ResponseWriter, r *http.Request, ws workspace.Workspace, q workspace.ListQuery) error {
	longRunning(w)
	lw := newListWriter(w, r)
	defer lw.release()
	return lw.end(s, ws.ListCustomers(r.Context(), q, func(c workspace.CustomerRecord) error { return lw.add(customerItem(&c)) }))
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
// NDJSON (api.AppendImportRow and api.ImportItem), answered with NDJSON: the refused rows,
// then the result or the error. In ask mode the server waits, at each refused row, for
// the client's decision in the body (the client runs OnRowError): the request and the
// answer stream both ways at once (full duplex).
func (s *Server) importCustomers(w http.ResponseWriter, r *http.Request, ws workspace.Workspace) error {
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
	rows := &bodyRows{r: bufio.NewReaderSize(http.MaxBytesReader(w, r.Body, s.opts.MaxImportBytes), 64<<10)}
	started := false
	send := func(v any) error {
		if !started {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		if _, err := w.Write(appendLine(nil, v)); err != nil {
			return err
		}
		return rc.Flush()
	}
	opts.OnRowError = func(e *workspace.RowError) error {
		switch mode {
		case api.OnRowErrorAbort:
			return e
		case api.OnRowErrorSkip:
			return send(api.ImportItem{RowError: api.FromRowError(e)})
		}
		if err := send(api.ImportItem{RowError: api.FromRowError(e)}); err != nil {
			return err
		}
		d, err := rows.decision()
		if err != nil {
			return err
		}
		if d == api.OnRowErrorSkip {
			return nil
		}
		return e
	}
	res, err := ws.ImportCustomers(r.Context(), rows, opts)
	if !started {
		if err != nil {
			return err
		}
		return send(api.StreamEnd{Result: &res})
	}
	if err != nil { // with what was done before the error, as a local import returns it
		return send(api.StreamEnd{Result: &res, Error: s.streamError(r, err)})
	}
	return send(api.StreamEnd{Result: &res})
}

// bodyRows yields the rows of an import's body. Rows read ahead while waiting for a
// decision are queued.
type bodyRows struct {
	r       *bufio.Reader
	line    []byte
	queue   []queued
	items   int
	ended   bool
	pending error // the body's failure, returned by every later Next
}

type queued struct {
	row workspace.CustomerRow
	err error
}

func (b *bodyRows) Next() (workspace.CustomerRow, error) {
	if len(b.queue) > 0 {
		q := b.queue[0]
		b.queue[0] = queued{}
		b.queue = b.queue[1:]
		return q.row, q.err
	}
	if b.ended {
		return workspace.CustomerRow{}, io.EOF
	}
	row, err, d := b.read()
	if d != "" {
		return row, api.NewError(api.CodeBadRequest, "the import's body holds a decision where no row error was sent")
	}
	return row, err
}

// decision reads on to the client's next decision, queuing the rows before it.
func (b *bodyRows) decision() (string, error) {
	for {
		row, err, d := b.read()
		if d != "" {
			return d, nil
		}
		var re *workspace.RowError
		if err != nil && err != io.EOF && !errors.As(err, &re) {
			return "", err
		}
		if err == io.EOF {
			if !b.ended {
				return "", err
			}
			continue // the end line: the decision follows
		}
		b.queue = append(b.queue, queued{row, err})
	}
}

// read reads one line: a row, a client's row error, the end (io.EOF) or a decision.
func (b *bodyRows) read() (row workspace.CustomerRow, err error, decision string) {
	if b.pending != nil {
		return row, b.pending, ""
	}
	line, err := b.readLine()
	if err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case err == io.EOF:
			err = api.NewError(api.CodeBadRequest, "the import's body ended before its end line {\"end\":N}: the client stopped sending")
		case !errors.As(err, &tooLarge):
			err = api.NewError(api.CodeBadRequest, fmt.Sprintf("the import's body was cut short (%v): nothing was imported", err))
		}
		b.pending = err
		return row, err, ""
	}
	fail := func(err error) (workspace.CustomerRow, error, string) {
		b.pending = api.NewError(api.CodeBadRequest, fmt.Sprintf("the import's item %d cannot be read: %v", b.items+1, err))
		return row, b.pending, ""
	}
	switch {
	case len(line) > 0 && line[0] == '[':
		if b.ended {
			return fail(errors.New("a row after the end line"))
		}
		b.items++
		row, err := api.ParseImportRow(line)
		if err != nil {
			return fail(err)
		}
		return row, nil, ""
	case len(line) > 0 && line[0] == '{':
		var it api.ImportItem
		if err := json.Unmarshal(line, &it); err != nil {
			return fail(err)
		}
		switch {
		case it.RowError != nil && !b.ended:
			b.items++
			return row, it.RowError.Err(), ""
		case it.End != nil && !b.ended:
			if *it.End != b.items {
				return fail(fmt.Errorf("the end line counts %d items, %d were sent", *it.End, b.items))
			}
			b.ended = true
			return row, io.EOF, ""
		case it.Decision == api.OnRowErrorSkip || it.Decision == api.OnRowErrorAbort:
			return row, nil, it.Decision
		}
		return fail(errors.New(`expected a row, {"rowError":…}, {"end":N} or {"decision":"skip"|"abort"}`))
	}
	return fail(errors.New("not a JSON array or object"))
}

func (b *bodyRows) readLine() ([]byte, error) {
	for {
		line, err := b.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			b.line = append(b.line[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = b.r.ReadSlice('\n')
				b.line = append(b.line, line...)
			}
			line = b.line
		}
		if err != nil && !(err == io.EOF && len(bytes.TrimSpace(line)) > 0) {
			return nil, err
		}
		line = bytes.TrimSpace(line)
		if len(line) > 0 {
			return line, nil
		}
	}
}
