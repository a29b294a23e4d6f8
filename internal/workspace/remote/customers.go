package remote

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// customerPath is the path of one customer under base; a ref that no path segment can
// carry ("", ".", "..") names no customer.
func customerPath(base, ref, sub string) (string, bool) {
	switch ref {
	case "", ".", "..":
		return "", false
	}
	return base + "/" + PathEscape(ref) + sub, true
}

func notFound(ref string) error { return &domain.NotFoundError{Kind: "customer", Ref: ref} }

func (c *Client) AddCustomer(ctx context.Context, cust domain.Customer, passwordHash string) (workspace.CustomerRecord, error) {
	in := api.FromCustomerRecord(workspace.CustomerRecord{Customer: cust})
	in.Pcctl.AdminPasswordHash = passwordHash
	return c.customer(ctx, http.MethodPost, api.CustomersPath, &in)
}

func (c *Client) Customer(ctx context.Context, ref string) (workspace.CustomerRecord, error) {
	path, ok := customerPath(api.CustomersPath, ref, "")
	if !ok {
		return workspace.CustomerRecord{}, notFound(ref)
	}
	return c.customer(ctx, http.MethodGet, path, nil)
}

func (c *Client) OpenCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, error) {
	path, ok := customerPath(api.CustomerViewsPath, ref, "/opens")
	if !ok {
		return workspace.CustomerRecord{}, notFound(ref)
	}
	return c.customer(ctx, http.MethodPost, path, nil)
}

// customer makes a request answered with one customer.
func (c *Client) customer(ctx context.Context, method, path string, in any) (workspace.CustomerRecord, error) {
	var out api.Customer
	if err := c.call(ctx, method, path, nil, in, &out); err != nil {
		return workspace.CustomerRecord{}, err
	}
	return c.record(&out)
}

// record reads a customer of an answer.
func (c *Client) record(ac *api.Customer) (workspace.CustomerRecord, error) {
	r, err := ac.Record()
	if err != nil {
		return r, fmt.Errorf("the pcctl server at %s sent a customer pcctl cannot read: %v", c.Endpoint(), err)
	}
	return r, nil
}

func (c *Client) CountCustomers(ctx context.Context) (int, error) {
	var out api.CountAnswer
	err := c.call(ctx, http.MethodGet, api.CustomerCountPath, nil, nil, &out)
	return out.Count, err
}

func (c *Client) ListCustomers(ctx context.Context, q workspace.ListQuery, each func(workspace.CustomerRecord) error) error {
	v := url.Values{}
	if q.View != "" {
		v.Set("view", string(q.View))
	}
	if q.Sort != "" {
		v.Set("sort", string(q.Sort))
	}
	if q.Reseller != "" {
		v.Set("reseller", q.Reseller)
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return c.customerPages(ctx, &request{method: http.MethodGet, path: api.CustomerViewsPath, query: v, header: seekAfter(q.After), long: true}, each)
}

// errEnough stops reading a collection once enough items are read.
var errEnough = errors.New("enough")

func (c *Client) SearchCustomers(ctx context.Context, term string, limit int) ([]workspace.CustomerRecord, error) {
	if limit <= 0 {
		limit = domain.SearchLimit
	}
	f := api.CustomerFilter{Field: api.FilterCompanyName, Value: term, Operator: api.FilterStartsWith}
	v := url.Values{"size": {strconv.Itoa(min(limit, api.MaxCustomerPageSize))}, "filter": {f.String()}}
	out := []workspace.CustomerRecord{}
	err := c.customerPages(ctx, &request{method: http.MethodGet, path: api.CustomersPath, query: v}, func(r workspace.CustomerRecord) error {
		out = append(out, r)
		if len(out) >= limit {
			return errEnough
		}
		return nil
	})
	if err != nil && err != errEnough {
		return nil, err
	}
	return out, nil
}

// customerPages gets a collection of customers (collect).
func (c *Client) customerPages(ctx context.Context, req *request, each func(workspace.CustomerRecord) error) error {
	return collect(ctx, c, req, func(item *api.Customer) error {
		r, err := c.record(item)
		if err != nil {
			return err
		}
		return each(r)
	})
}

func (c *Client) FlagCustomer(ctx context.Context, ref string) (workspace.FlagResult, error) {
	path, ok := customerPath(api.CustomerViewsPath, ref, "/flag")
	if !ok {
		return workspace.FlagResult{}, notFound(ref)
	}
	var out api.FlagAnswer
	if err := c.call(ctx, http.MethodPut, path, nil, nil, &out); err != nil {
		return workspace.FlagResult{}, err
	}
	res := workspace.FlagResult{AlreadyFlagged: out.AlreadyFlagged}
	var err error
	if res.Customer, err = c.record(&out.Customer); err != nil {
		return workspace.FlagResult{}, err
	}
	if out.Unflagged != nil {
		u, err := c.record(out.Unflagged)
		if err != nil {
			return workspace.FlagResult{}, err
		}
		res.Unflagged = &u
	}
	return res, nil
}

func (c *Client) UnflagCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, bool, error) {
	return c.change(ctx, http.MethodDelete, ref, "/flag")
}

func (c *Client) PinCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, bool, error) {
	return c.change(ctx, http.MethodPut, ref, "/pin")
}

func (c *Client) UnpinCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, bool, error) {
	return c.change(ctx, http.MethodDelete, ref, "/pin")
}

func (c *Client) change(ctx context.Context, method, ref, sub string) (workspace.CustomerRecord, bool, error) {
	path, ok := customerPath(api.CustomerViewsPath, ref, sub)
	if !ok {
		return workspace.CustomerRecord{}, false, notFound(ref)
	}
	var out api.ChangeAnswer
	if err := c.call(ctx, method, path, nil, nil, &out); err != nil {
		return workspace.CustomerRecord{}, false, err
	}
	r, err := c.record(&out.Customer)
	if err != nil {
		return workspace.CustomerRecord{}, false, err
	}
	return r, out.Changed, nil
}

func (c *Client) Complete(ctx context.Context, kind workspace.CompleteKind, prefix string, limit int) ([]workspace.Candidate, error) {
	if limit <= 0 {
		return nil, nil // as the local workspace: nothing asked, nothing checked
	}
	if kind == "" {
		return nil, fmt.Errorf("unknown completion kind %q", kind)
	}
	v := url.Values{"prefix": {prefix}, "limit": {strconv.Itoa(limit)}}
	var out api.Collection[api.Candidate]
	if err := c.call(ctx, http.MethodGet, api.CompletePath+"/"+PathEscape(string(kind)), v, nil, &out); err != nil {
		return nil, err
	}
	var found []workspace.Candidate
	for _, it := range out.Items {
		found = append(found, workspace.Candidate{Value: it.Value, Description: it.Description})
	}
	return found, nil
}

// ExportCustomers reads the NDJSON export (api.ExportColumns) as it arrives, into one
// record reused for every customer, as the local workspace does.
func (c *Client) ExportCustomers(ctx context.Context, q workspace.ExportQuery, each func(*domain.Customer) error) error {
	v := url.Values{}
	if q.Reseller != "" {
		v.Set("reseller", q.Reseller)
	}
	resp, err := c.send(ctx, &request{method: http.MethodGet, path: api.CustomerExportPath, query: v, long: true})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	var cust domain.Customer
	n := 0
	cut := func(err error) error {
		if err == nil || err == io.EOF {
			return fmt.Errorf("the export from the pcctl server at %s was cut short after %d customers", c.Endpoint(), n)
		}
		return c.transportError(ctx, err)
	}
	bad := func(err error) error {
		return fmt.Errorf("the pcctl server at %s sent an export pcctl cannot read (line %d): %v", c.Endpoint(), n+2, err)
	}
	line, err := readLine(br)
	if err != nil {
		return cut(err)
	}
	var cols []string
	if err := json.Unmarshal(line, &cols); err != nil || !equal(cols, api.ExportColumns) {
		return bad(fmt.Errorf("the first line %.200q does not name the columns %q", line, api.ExportColumns))
	}
	for {
		line, err := readLine(br)
		if err != nil {
			return cut(err)
		}
		if line[0] == '{' {
			var end api.StreamEnd
			if err := json.Unmarshal(line, &end); err != nil {
				return bad(err)
			}
			switch {
			case end.Error != nil:
				return end.Error.Err()
			case end.End && end.Count == n:
				return nil
			}
			return bad(fmt.Errorf("the last line %.200q does not end an export of %d customers", line, n))
		}
		if err := api.ParseExportLine(line, &cust); err != nil {
			return bad(err)
		}
		n++
		if err := each(&cust); err != nil {
			return err
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// readLine reads the next line that is not blank, without its newline; the slice is valid
// until the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && (err != io.EOF || len(bytes.TrimSpace(line)) == 0) {
			return nil, err
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			return line, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// importEvent is a line of an import's answer, or the failure to read one.
type importEvent struct {
	rowError *api.RowError
	end      *api.StreamEnd
	err      error
}

// ImportCustomers streams the rows to the server as NDJSON (api.AppendImportRow), rows
// whose Next failed with a *RowError included, while the answer streams back at the same
// time (onRowError=ask): each row the server refuses comes back in order and is handed to
// opts.OnRowError here, on this goroutine, as a local import does; the decision goes back
// in the body (skip), or the body is cut (abort) and the server rolls the import back.
// Any other error of rows.Next cuts the body too: nothing is written.
func (c *Client) ImportCustomers(ctx context.Context, rows workspace.CustomerRows, opts workspace.ImportOptions) (workspace.ImportResult, error) {
	if opts.Probe {
		return workspace.ImportResult{}, errors.New("a remote workspace does not probe an import (ImportOptions.Probe is for the workspace a server runs over)")
	}
	onRowError := opts.OnRowError
	if onRowError == nil {
		onRowError = func(e *workspace.RowError) error { return e }
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	v := url.Values{"onRowError": {api.OnRowErrorAsk}}
	if !opts.Now.IsZero() {
		v.Set("now", string(api.AppendTime(nil, opts.Now)))
	}
	pr, pw := io.Pipe()
	events := make(chan importEvent, 64)
	go func() {
		defer close(events)
		resp, err := c.send(ctx, &request{method: http.MethodPost, path: api.CustomerImportPath, query: v,
			stream: pr, contentType: "application/x-ndjson"})
		if err != nil {
			pr.CloseWithError(err)
			events <- importEvent{err: err}
			return
		}
		defer resp.Body.Close()
		br := bufio.NewReader(resp.Body)
		for {
			line, err := readLine(br)
			if err != nil {
				if err == io.EOF {
					err = fmt.Errorf("the answer of the pcctl server at %s to the import was cut short", c.Endpoint())
				} else {
					err = c.transportError(ctx, err)
				}
				events <- importEvent{err: err}
				return
			}
			var ev struct {
				RowError *api.RowError           `json:"rowError"`
				Result   *workspace.ImportResult `json:"result"`
				Error    *api.Error              `json:"error"`
			}
			if err := json.Unmarshal(line, &ev); err != nil || (ev.RowError == nil && ev.Result == nil && ev.Error == nil) {
				events <- importEvent{err: fmt.Errorf("the pcctl server at %s sent an import answer pcctl cannot read: %.200q", c.Endpoint(), line)}
				return
			}
			if ev.RowError != nil {
				events <- importEvent{rowError: ev.RowError}
				continue
			}
			events <- importEvent{end: &api.StreamEnd{Result: ev.Result, Error: ev.Error}}
			return
		}
	}()
	// finish waits for the sender to end (the body cut: the server rolls back).
	finish := func(err error) (workspace.ImportResult, error) {
		pw.CloseWithError(errImportAborted)
		cancel()
		for range events {
		}
		return workspace.ImportResult{}, err
	}
	bw := bufio.NewWriterSize(pw, 64<<10)
	var buf []byte
	// handle takes one event: a refused row goes to OnRowError, whose decision is sent
	// (abort: the server rolls back and answers what it had done, as a local import
	// returns it with OnRowError's error).
	var aborted error
	handle := func(ev importEvent) (done bool, res workspace.ImportResult, err error) {
		switch {
		case ev.err != nil:
			return true, res, ev.err
		case ev.rowError != nil:
			decision := `{"decision":"skip"}` + "\n"
			if aborted == nil {
				if aborted = onRowError(ev.rowError.Err()); aborted != nil {
					decision = `{"decision":"abort"}` + "\n"
				}
			}
			bw.WriteString(decision)
			bw.Flush() // an error shows as the sender's
			return false, res, nil
		}
		if ev.end.Result != nil {
			res = *ev.end.Result
		}
		switch {
		case aborted != nil:
			return true, res, aborted
		case ev.end.Error != nil:
			return true, res, ev.end.Error.Err()
		}
		return true, res, nil
	}
	items := 0
	for sending := true; sending; {
		select {
		case ev, ok := <-events:
			if !ok {
				return finish(fmt.Errorf("the pcctl server at %s ended the import without an answer", c.Endpoint()))
			}
			if done, res, err := handle(ev); done {
				return c.importDone(pw, events, res, err)
			}
			continue
		default:
		}
		row, err := rows.Next()
		var re *workspace.RowError
		switch {
		case err == io.EOF:
			buf = append(buf[:0], `{"end":`...)
			buf = strconv.AppendInt(buf, int64(items), 10)
			buf = append(buf, "}\n"...)
			sending = false
		case errors.As(err, &re):
			buf = appendItem(buf[:0], api.ImportItem{RowError: api.FromRowError(re)})
			items++
		case err != nil:
			return finish(err)
		default:
			buf = api.AppendImportRow(buf[:0], &row)
			items++
		}
		if _, werr := bw.Write(buf); werr != nil {
			break // the server stopped reading: its answer says why
		}
		if !sending && bw.Flush() != nil {
			break
		}
	}
	// Every row is sent: the body stays open for the decisions until the answer ends.
	for ev := range events {
		if done, res, err := handle(ev); done {
			return c.importDone(pw, events, res, err)
		}
	}
	return finish(fmt.Errorf("the pcctl server at %s ended the import without an answer", c.Endpoint()))
}

// importDone ends the body once the answer is read and waits for the sender.
func (c *Client) importDone(pw *io.PipeWriter, events <-chan importEvent, res workspace.ImportResult, err error) (workspace.ImportResult, error) {
	pw.Close()
	for range events {
	}
	return res, err
}

var errImportAborted = errors.New("import aborted by the client")

func appendItem(b []byte, it api.ImportItem) []byte {
	line, _ := json.Marshal(it)
	return append(append(b, line...), '\n')
}
