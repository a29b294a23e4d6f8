package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/pcctl/pcctl/internal/api"
)

// listWriter writes a Partner Center collection item by item as the workspace yields
// them, so that the server never holds a list: {"items":[…],"totalCount":N,"links":{…},
// "attributes":{"objectType":"Collection"}}. It gathers flushAt bytes before writing, and
// writes nothing before its first flush, so that an error met before is answered as an
// error; an error met after ends the collection with an "error" member (api.Error)
// instead, which the client returns as the error (remote.collect).
type listWriter struct {
	w       http.ResponseWriter
	r       *http.Request
	buf     *[]byte
	n       int
	started bool
}

func newListWriter(w http.ResponseWriter, r *http.Request) *listWriter {
	return &listWriter{w: w, r: r, buf: getBuf()}
}

// release gives the buffer back; the writer is not used after.
func (lw *listWriter) release() { putBuf(lw.buf) }

// add appends one item, written by appendItem.
func (lw *listWriter) add(appendItem func([]byte) []byte) error {
	b := *lw.buf
	if lw.n == 0 {
		b = append(b, `{"items":[`...)
	} else {
		b = append(b, ',')
	}
	b = appendItem(b)
	lw.n++
	*lw.buf = b
	if len(b) >= flushAt {
		return lw.flush()
	}
	return nil
}

// addJSON appends one item as encoding/json writes it (without HTML escaping).
func (lw *listWriter) addJSON(v any) error {
	return lw.add(func(b []byte) []byte { return appendJSONValue(b, v) })
}

func (lw *listWriter) flush() error {
	if !lw.started {
		lw.w.Header().Set("Content-Type", "application/json; charset=utf-8")
		lw.w.WriteHeader(http.StatusOK)
		lw.started = true
	}
	_, err := lw.w.Write(*lw.buf)
	*lw.buf = (*lw.buf)[:0]
	return err
}

// finish ends the collection; next, when not "", is the continuation token of the next
// page (nextURI, the token in MS-ContinuationToken).
func (lw *listWriter) finish(next string) error {
	if lw.n == 0 && next == "" {
		// Nothing streamed: the collection as every other answer writes one.
		writeJSON(lw.w, http.StatusOK, api.NewCollection([]struct{}{}, lw.r.URL.RequestURI(), "", ""))
		return nil
	}
	b := *lw.buf
	if lw.n == 0 {
		b = append(b, `{"items":[`...)
	}
	b = append(b, `],"totalCount":`...)
	b = strconv.AppendInt(b, int64(lw.n), 10)
	uri := lw.r.URL.RequestURI()
	b = append(b, `,"links":{"self":{"uri":`...)
	b = api.AppendString(b, uri)
	b = append(b, `,"method":"GET","headers":[]}`...)
	if next != "" {
		b = append(b, `,"next":{"uri":`...)
		b = api.AppendString(b, nextURI(lw.r))
		b = append(b, `,"method":"GET","headers":[{"key":"`+api.ContinuationHeader+`","value":`...)
		b = api.AppendString(b, next)
		b = append(b, `}]}`...)
	}
	b = append(b, `},"attributes":{"objectType":"Collection"}}`+"\n"...)
	*lw.buf = b
	return lw.flush()
}

// end finishes the collection when err is nil; otherwise it returns err while nothing was
// written (an error answer), or ends what was written with the error (logged as
// writeError logs an internal one) and returns nil.
func (lw *listWriter) end(s *Server, err error) error {
	if err == nil {
		return lw.finish("")
	}
	if !lw.started {
		return err
	}
	b := append(*lw.buf, `],"error":`...)
	b = appendJSONValue(b, s.streamError(lw.r, err))
	*lw.buf = append(b, "}\n"...)
	_ = lw.flush()
	return nil
}

// appendJSONValue appends v as encoding/json writes it, without HTML escaping.
func appendJSONValue(b []byte, v any) []byte {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the API's own types: nothing that cannot be encoded
	return append(b, bytes.TrimSuffix(out.Bytes(), []byte("\n"))...)
}

// nextURI is the URI of the next page: the request's, with seekOperation=Next as Partner
// Center's next links have it.
func nextURI(r *http.Request) string {
	q := r.URL.Query()
	if q.Get(api.SeekOperationParam) != "" {
		return r.URL.RequestURI()
	}
	sep := "?"
	if r.URL.RawQuery != "" {
		sep = "&"
	}
	return r.URL.RequestURI() + sep + api.SeekOperationParam + "=" + api.SeekNext
}
