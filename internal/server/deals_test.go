package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// dealListWS is a workspace whose ListDeals yields some deals, then fails.
type dealListWS struct {
	workspace.Workspace
	n   int
	err error
}

func (w *dealListWS) ListDeals(ctx context.Context, q workspace.DealQuery, each func(workspace.DealRecord) error) error {
	for i := range w.n {
		if err := each(workspace.DealRecord{Deal: domain.Deal{ID: strconv.Itoa(i), Version: 1}}); err != nil {
			return err
		}
	}
	return w.err
}

func TestListDealsErrorAfterItems(t *testing.T) {
	s := New(nil, Options{})
	rule := &domain.RuleError{Rule: "boom", Msg: "the workspace failed mid-way"}

	// An error before the first item is an ordinary error answer.
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, api.ReferralsPath, nil)
	if err := s.listDeals(rec, r, &dealListWS{err: rule}); !errors.Is(err, rule) || rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("before the first item: %v, %d %q", err, rec.Code, rec.Body)
	}

	// So is one met before anything was written (the items are buffered).
	rec = httptest.NewRecorder()
	if err := s.listDeals(rec, r, &dealListWS{n: 3, err: rule}); !errors.Is(err, rule) || rec.Body.Len() != 0 {
		t.Fatalf("before anything was written: %v, %q", err, rec.Body)
	}

	// After the answer began: the collection ends with an error member.
	rec = httptest.NewRecorder()
	if err := s.listDeals(rec, r, &dealListWS{n: 300, err: rule}); err != nil {
		t.Fatal(err)
	}
	var page struct {
		Items      []api.Referral `json:"items"`
		Error      *api.Error     `json:"error"`
		TotalCount *int           `json:"totalCount"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
		t.Fatalf("%s: %v", rec.Body, err)
	}
	if len(page.Items) != 300 || page.Error == nil || page.Error.Code != api.CodeRule || page.Error.Rule != "boom" ||
		page.Error.Description != rule.Msg || page.TotalCount != nil {
		t.Fatalf("%s", rec.Body)
	}

	// Without error: items, totalCount, links.
	rec = httptest.NewRecorder()
	if err := s.listDeals(rec, r, &dealListWS{n: 2}); err != nil {
		t.Fatal(err)
	}
	var ok api.Collection[api.Referral]
	if err := json.Unmarshal(rec.Body.Bytes(), &ok); err != nil || ok.TotalCount != 2 || len(ok.Items) != 2 || ok.Links.Self == nil ||
		ok.Links.Next != nil || ok.Attributes.ObjectType != "Collection" || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%s %v", rec.Body, err)
	}
	// And an empty list is an empty collection.
	rec = httptest.NewRecorder()
	if err := s.listDeals(rec, r, &dealListWS{}); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ok); err != nil || ok.TotalCount != 0 || ok.Items == nil || len(ok.Items) != 0 {
		t.Fatalf("%s %v", rec.Body, err)
	}
}
