package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pcctl/pcctl/internal/api"
)

// pageReq is the paging a request asks of a collection Partner Center pages (api's
// paging.go): size items (0: the whole list, streamed), resuming after the item with key
// after ("" from the start).
type pageReq struct {
	size  int
	after string
}

// pagingParams are the query parameters of paging, allowed on every paged route.
var pagingParams = []string{"size", api.SeekOperationParam}

// parsePage reads size, seekOperation and the MS-ContinuationToken header.
func parsePage(r *http.Request) (pageReq, error) {
	var p pageReq
	q := r.URL.Query()
	for _, k := range pagingParams {
		if len(q[k]) > 1 {
			return p, api.NewError(api.CodeBadRequest, fmt.Sprintf("the query parameter %s is given %d times: give it once", k, len(q[k])))
		}
	}
	var err error
	if p.size, err = api.ParseListPageSize(q.Get("size")); err != nil {
		return p, err
	}
	tok := strings.TrimSpace(r.Header.Get(api.ContinuationHeader))
	if op := q.Get(api.SeekOperationParam); op != "" {
		if !strings.EqualFold(op, api.SeekNext) {
			return p, api.NewError(api.CodeBadRequest, fmt.Sprintf("the parameter %s must be %s, not %q", api.SeekOperationParam, api.SeekNext, op))
		}
		if tok == "" {
			return p, api.NewError(api.CodeBadRequest, fmt.Sprintf("%s=%s needs the %s header of the previous page's links.next", api.SeekOperationParam, api.SeekNext, api.ContinuationHeader))
		}
	}
	if tok != "" {
		if p.after, err = api.ParseSeekToken(tok); err != nil {
			return p, err
		}
	}
	return p, nil
}

// pager writes a page of a collection: the items up to the page's size, then links.next
// with a seek token of the last item sent when the list goes on. errPageFull (admin.go)
// stops the workspace's list once the page is full and one more item was read: a next
// page exists.
type pager struct {
	lw   *listWriter
	size int
	n    int
	last string // key of the last item sent
}

func newPager(w http.ResponseWriter, r *http.Request, size int) *pager {
	return &pager{lw: newListWriter(w, r), size: size}
}

func (p *pager) release() { p.lw.release() }

// add sends an item whose key (what its next page resumes after) is key, or stops the
// list with errPageFull when the page is full.
func (p *pager) add(key string, item func([]byte) []byte) error {
	if p.size > 0 && p.n == p.size {
		return errPageFull
	}
	p.n++
	p.last = key
	return p.lw.add(item)
}

// addJSON is add for an item encoding/json writes.
func (p *pager) addJSON(key string, v any) error {
	return p.add(key, func(b []byte) []byte { return appendJSONValue(b, v) })
}

// end finishes the page: with links.next when the list was stopped on a full page; as
// listWriter.end otherwise.
func (p *pager) end(s *Server, err error) error {
	if errors.Is(err, errPageFull) {
		return p.lw.finish(api.SeekToken(p.last))
	}
	return p.lw.end(s, err)
}
