package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
)

// testClient is a client of h that records its waits instead of sleeping.
func testClient(t *testing.T, h http.Handler, opts Options) (*Client, *[]time.Duration) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	var waits []time.Duration
	if opts.Sleep == nil {
		opts.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	}
	c, err := New(srv.URL+"/base/", opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, &waits
}

func TestParseEndpoint(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8787", "https://pcctl.contoso.com/", "http://[::1]:80/prefix"} {
		if _, err := ParseEndpoint(ok); err != nil {
			t.Errorf("ParseEndpoint(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "127.0.0.1:8787", "ftp://x", "http://", "http://h/?q=1", "http://u:p@h", "http://h/#f"} {
		if _, err := ParseEndpoint(bad); err == nil || !strings.Contains(err.Error(), "invalid endpoint") {
			t.Errorf("ParseEndpoint(%q) = %v, want invalid endpoint", bad, err)
		}
	}
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	var n atomic.Int32
	c, waits := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/base/x" || r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("got %s with %q", r.URL.Path, r.Header.Get("Authorization"))
		}
		switch n.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.Header().Set("Retry-After", time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		case 3:
			w.WriteHeader(http.StatusServiceUnavailable) // no Retry-After: backoff
		default:
			fmt.Fprint(w, `{"a":1}`)
		}
	}), Options{Token: "tok"})
	var out struct{ A int }
	if err := c.call(context.Background(), http.MethodGet, "/x", nil, nil, &out); err != nil || out.A != 1 {
		t.Fatalf("call = %v, %+v", err, out)
	}
	if n.Load() != 4 || len(*waits) != 3 {
		t.Fatalf("%d requests, waits %v; want 4 and 3", n.Load(), *waits)
	}
	w := *waits
	if w[0] != 2*time.Second || w[1] < time.Second || w[1] > 3*time.Second || w[2] < 500*time.Millisecond || w[2] > time.Second {
		t.Errorf("waits = %v, want 2s, ~3s (a date), then a third backoff of 0.5-1s", w)
	}
}

func TestNoRetryForPostOrLongWaits(t *testing.T) {
	var n atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Method == http.MethodGet {
			w.Header().Set("Retry-After", "3600")
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c, waits := testClient(t, h, Options{})
	err := c.call(context.Background(), http.MethodPost, "/x", nil, map[string]int{"a": 1}, nil)
	if err == nil || n.Load() != 1 || len(*waits) != 0 {
		t.Fatalf("POST: err %v after %d requests, waits %v; want one request, not retried", err, n.Load(), *waits)
	}
	if !strings.Contains(err.Error(), "answered 503 Service Unavailable") {
		t.Errorf("POST error = %v", err)
	}
	n.Store(0)
	err = c.call(context.Background(), http.MethodGet, "/x", nil, nil, nil)
	if err == nil || n.Load() != 1 {
		t.Fatalf("GET asked to wait an hour: err %v after %d requests; want no retry", err, n.Load())
	}
}

func TestRetriesAreBounded(t *testing.T) {
	var n atomic.Int32
	c, _ := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
	}), Options{MaxRetries: 2})
	if err := c.call(context.Background(), http.MethodGet, "/x", nil, nil, nil); err == nil {
		t.Fatal("no error after the retries")
	}
	if n.Load() != 3 {
		t.Errorf("%d requests, want 3 (one and two retries)", n.Load())
	}
}

func TestErrorsComeBackTyped(t *testing.T) {
	answers := map[string]error{
		"/nf":     &domain.NotFoundError{Kind: "customer", Ref: "x"},
		"/rule":   &domain.RuleError{Rule: "flag-cap", Msg: "too many"},
		"/stale":  &domain.RuleError{Rule: "stale", Msg: "changed since"},
		"/forbid": &domain.ForbiddenError{User: "u", Permission: domain.PermDeals, Roles: []domain.Role{domain.RoleGlobalAdmin, domain.RoleReferralsAdmin}},
		"/auth":   &domain.AuthError{Code: domain.AuthRevoked, Reason: "the token was revoked"},
		"/inv":    fmt.Errorf("line 3: %w", &domain.InvalidError{Field: "domain", Value: "x y", Reason: "is not a domain"}),
	}
	c, _ := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := api.ErrorFrom(answers[strings.TrimPrefix(r.URL.Path, "/base")])
		w.WriteHeader(e.Status())
		json.NewEncoder(w).Encode(e)
	}), Options{MaxRetries: -1})
	for path, want := range answers {
		err := c.call(context.Background(), http.MethodGet, path, nil, nil, nil)
		if err == nil || err.Error() != want.Error() {
			t.Errorf("%s: error %v, want %v", path, err, want)
			continue
		}
		var (
			nf     *domain.NotFoundError
			rule   *domain.RuleError
			forbid *domain.ForbiddenError
			auth   *domain.AuthError
			inv    *domain.InvalidError
		)
		ok := map[string]bool{
			"/nf":   errors.As(err, &nf) && nf.Kind == "customer" && errors.Is(err, domain.ErrNotFound),
			"/rule": errors.As(err, &rule) && rule.Rule == "flag-cap", "/stale": errors.As(err, &rule) && rule.Rule == "stale",
			"/forbid": errors.As(err, &forbid) && len(forbid.Roles) == 2 && errors.As(err, &rule),
			"/auth":   errors.As(err, &auth) && auth.Code == domain.AuthRevoked,
			"/inv":    errors.As(err, &inv) && inv.Field == "domain",
		}[path]
		if !ok {
			t.Errorf("%s: %T %v is not the typed error", path, err, err)
		}
	}
}

func TestAnswersFromSomethingElse(t *testing.T) {
	c, _ := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/base/proxy":
			http.Error(w, "bad gateway", http.StatusBadGateway)
		case "/base/401":
			w.WriteHeader(http.StatusUnauthorized)
		case "/base/garbage":
			fmt.Fprint(w, "<html>")
		}
	}), Options{MaxRetries: -1})
	err := c.call(context.Background(), http.MethodGet, "/proxy", nil, nil, nil)
	if err == nil || !strings.HasSuffix(err.Error(), "answered 502 Bad Gateway: bad gateway") {
		t.Errorf("proxy: %v", err)
	}
	err = c.call(context.Background(), http.MethodGet, "/401", nil, nil, nil)
	var auth *domain.AuthError
	if !errors.As(err, &auth) {
		t.Errorf("401 without a body: %v, want an AuthError (exit 5)", err)
	}
	var v map[string]any
	err = c.call(context.Background(), http.MethodGet, "/garbage", nil, nil, &v)
	if err == nil || !strings.Contains(err.Error(), "sent an answer pcctl cannot read (GET /base/garbage)") {
		t.Errorf("garbage: %v", err)
	}
}

func TestUnreachableAndTimeout(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, err := New(url, Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	err = c.call(context.Background(), http.MethodGet, "/x", nil, nil, nil)
	if err == nil || err.Error() != "cannot reach the pcctl server at "+url+": connection refused (is 'pcctl serve' running there?)" {
		t.Errorf("closed server: %v", err)
	}

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	c, _ = New(slow.URL, Options{Timeout: 100 * time.Millisecond, MaxRetries: -1})
	err = c.call(context.Background(), http.MethodGet, "/x", nil, nil, nil)
	if err == nil || err.Error() != "the pcctl server at "+slow.URL+" did not answer within 100ms" {
		t.Errorf("slow server: %v", err)
	}
}

func TestPagesFollowNextLinks(t *testing.T) {
	var seen []string
	c, _ := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get(api.ContinuationHeader)
		seen = append(seen, r.URL.RequestURI()+" "+tok)
		var page api.Collection[int]
		switch tok {
		case "":
			page = api.NewCollection([]int{1, 2}, "/base/items?size=2", "/base/items?size=2&seekOperation=next", "t1")
		case "t1":
			page = api.NewCollection([]int{3, 4}, "", "/items?size=2&seekOperation=next", "t2") // without the base path
		case "t2":
			page = api.NewCollection([]int{5}, "", "", "")
		}
		json.NewEncoder(w).Encode(page)
	}), Options{})
	var got []string
	err := c.pages(context.Background(), "/items", map[string][]string{"size": {"2"}}, func(m json.RawMessage) error {
		got = append(got, string(m))
		return nil
	})
	if err != nil || strings.Join(got, ",") != "1,2,3,4,5" {
		t.Fatalf("pages = %v, %v", got, err)
	}
	want := "/base/items?size=2 |/base/items?seekOperation=next&size=2 t1|/base/items?seekOperation=next&size=2 t2"
	if strings.Join(seen, "|") != want {
		t.Errorf("requests:\n%s\nwant\n%s", strings.Join(seen, "|"), want)
	}
	stop := errors.New("stop")
	n := 0
	err = c.pages(context.Background(), "/items", nil, func(json.RawMessage) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("a callback's error: %v after %d items", err, n)
	}
}

func TestNextLinkToAnotherHostRefused(t *testing.T) {
	c, _ := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(api.NewCollection([]int{1}, "", "http://evil.example/steal", "t"))
	}), Options{})
	err := c.pages(context.Background(), "/items", nil, func(json.RawMessage) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "next-page link pcctl will not follow") {
		t.Errorf("err = %v", err)
	}
}
