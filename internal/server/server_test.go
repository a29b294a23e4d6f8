package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
)

// do sends a request and returns the status, the error body (when JSON) and the headers.
func do(t *testing.T, method, url, token string, body io.Reader) (int, api.Error, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e api.Error
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &e)
	return resp.StatusCode, e, resp.Header
}

func TestHealthAndUnknownRoutes(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	if code, _, _ := do(t, "GET", env.URL+"/healthz", "", nil); code != 200 {
		t.Errorf("/healthz: %d", code)
	}
	code, e, _ := do(t, "GET", env.URL+"/v2/nothing", "", nil)
	if code != 404 || e.Code != api.CodeNotFound || e.Description != "no resource at GET /v2/nothing (see docs/api.md)" {
		t.Errorf("unknown route: %d %+v", code, e)
	}
	code, e, h := do(t, "GET", env.URL+"/pcctl/v1/resellers", "", nil)
	if code != 401 || e.Code != api.CodeUnauthenticated || e.AuthCode != domain.AuthMissing || h.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %+v %v", code, e, h)
	}
	if h.Get(api.RequestIDHeader) == "" {
		t.Errorf("no %s header", api.RequestIDHeader)
	}
}

func TestBodyLimitsAndMalformedBodies(t *testing.T) {
	env := servertest.Start(t, servertest.Options{Server: server.Options{MaxBodyBytes: 2048}})
	tok := env.Token("admin@contoso.com", domain.RoleGlobalAdmin)
	big := `{"email":"a@fabrikam.com","subject":"s","body":"` + strings.Repeat("x", 4096) + `"}`
	code, e, _ := do(t, "POST", env.URL+"/pcctl/v1/invitations", tok, strings.NewReader(big))
	if code != 413 || e.Code != api.CodeTooLarge || e.Description != "the request body is over the server's limit of 2048 bytes" {
		t.Errorf("big body: %d %+v", code, e)
	}
	for body, want := range map[string]string{
		``:                "the request needs a JSON body",
		`{"email": 3}`:    `the request body's field "email" should be string, not a JSON number`,
		`{"email":"a"}{}`: "the request body holds more than one JSON value",
		`{"email":`:       "the request body is not valid JSON",
	} {
		code, e, _ := do(t, "POST", env.URL+"/pcctl/v1/invitations", tok, strings.NewReader(body))
		if code != 400 || e.Code != api.CodeBadRequest || !strings.HasPrefix(e.Description, want) {
			t.Errorf("body %q: %d %+v, want 400 %q", body, code, e, want)
		}
	}
	var n int
	_ = env.Local("x@contoso.com").AuditLog(context.Background(), workspace.AuditQuery{}, func(workspace.AuditRecord) error { n++; return nil })
	if n != 2 { // the user and the token of the setup
		t.Errorf("%d audit records after refused requests, want 2 (setup only)", n)
	}
}

// TestGracefulShutdown: a request in flight when the server is told to stop finishes and
// its change is kept; new connections are refused; /healthz said 503 meanwhile.
func TestGracefulShutdown(t *testing.T) {
	// A workspace of the test's own, with an administrator's token; this test serves it.
	env := servertest.Start(t, servertest.Options{})
	db, tok := env.DB, env.Token("a@contoso.com", domain.RoleGlobalAdmin)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	srv := server.New(db, server.Options{})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, "", "") }()

	// A request whose body arrives slowly: the server is stopped while it is in flight.
	pr, pw := io.Pipe()
	result := make(chan int, 1)
	go func() {
		code, e, _ := do(t, "POST", url+"/pcctl/v1/invitations", tok, pr)
		if code != 201 {
			t.Errorf("in-flight request: %d %+v", code, e)
		}
		result <- code
	}()
	io.WriteString(pw, `{"email":"sales@fabrikam.com",`)
	time.Sleep(100 * time.Millisecond) // the request has reached the handler
	stop()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 100*time.Millisecond)
		if err != nil {
			break // no longer accepting
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 5 s after being stopped")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) before the request in flight finished", err)
	default:
	}
	io.WriteString(pw, `"subject":"Partnership","body":"Join us: {{link}}"}`)
	pw.Close()
	if code := <-result; code != 201 {
		return
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	rs, err := env.Local("check@contoso.com").Resellers(context.Background(), []domain.ResellerStatus{domain.ResellerPending})
	if err != nil || len(rs) != 1 {
		t.Errorf("after shutdown: %d pending requests (%v), want the one in flight", len(rs), err)
	}
}

func TestDrainAnswers503(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	env.Server.Drain()
	code, e, _ := do(t, "GET", env.URL+"/healthz", "", nil)
	if code != 503 || e.Code != api.CodeUnavailable {
		t.Errorf("/healthz while draining: %d %+v", code, e)
	}
	code, e, _ = do(t, "GET", env.URL+"/pcctl/v1/resellers", "x", nil)
	if code != 503 || e.Description != "the server is shutting down" {
		t.Errorf("a request while draining: %d %+v", code, e)
	}
}

func TestAccessLog(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	tok := env.Token("admin@contoso.com", domain.RoleGlobalAdmin)
	req, _ := http.NewRequest("GET", env.URL+"/pcctl/v1/invitations/secret-invitation-token-123", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set(api.CorrelationIDHeader, "corr-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	do(t, "GET", env.URL+"/pcctl/v1/resellers", tok, nil)
	log := env.Log.String()
	for _, secret := range []string{tok, "secret-invitation-token-123"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds a secret %q:\n%s", secret, log)
		}
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2:\n%s", len(lines), log)
	}
	if lines[0]["route"] != "GET /pcctl/v1/invitations/{token}" || lines[0]["correlation_id"] != "corr-1" {
		t.Errorf("line 1: %v", lines[0])
	}
	if lines[1]["route"] != "GET /pcctl/v1/resellers" || lines[1]["status"] != float64(200) || lines[1]["user"] != "admin@contoso.com" {
		t.Errorf("line 2: %v", lines[1])
	}
}
