package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/server/servertest"
)

// TestSecurityServer backs the rows of docs/bad-input.md ("Security findings") that only
// a client of the HTTP API can show (issue 14): each request is answered with the error
// the row gives, and the workspace is left as it was. The server's own suite
// (internal/server/security_test.go) pins the same and more.
func TestSecurityServer(t *testing.T) {
	env := servertest.Start(t, servertest.Options{Server: server.Options{ImportIdleTimeout: time.Second}})
	admin := env.Token("admin@contoso.com", domain.AllRoles...)
	desk := env.Token("desk@contoso.com", domain.RoleHelpdeskAgent)
	send := func(t *testing.T, token, path string, body io.Reader) (int, api.Error) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, env.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e api.Error
		b, _ := io.ReadAll(resp.Body)
		json.Unmarshal(b, &e)
		return resp.StatusCode, e
	}
	want := func(t *testing.T, code int, e api.Error, status int, msg string) {
		t.Helper()
		if code != status || e.Description != msg {
			t.Errorf("answered %d %q\nwant %d %q", code, e.Description, status, msg)
		}
	}
	t.Run("a token chosen by the client", func(t *testing.T) {
		code, e := send(t, admin, api.InvitationsPath, strings.NewReader(`{"token":"../../x","email":"sales@fabrikam.com","subject":"s","body":"b"}`))
		want(t, code, e, 400, "token is drawn by the workspace: a partnership request's token is never given (leave it out, and write {{token}} where the body's link needs it)")
	})
	t.Run("a stalled import", func(t *testing.T) {
		pr, pw := io.Pipe()
		defer pw.Close()
		go io.WriteString(pw, `[2,"","Stalled","stalled.example","FR","","","",""]`+"\n")
		code, e := send(t, admin, api.CustomerImportPath+"?onRowError=ask", pr)
		want(t, code, e, 408, "the import's body sent nothing for 1s: the server stopped waiting, nothing was imported")
	})
	t.Run("a 2 MiB line", func(t *testing.T) {
		code, e := send(t, admin, api.CustomerImportPath, strings.NewReader(`["`+strings.Repeat("a", 2<<20)+`"]`+"\n"))
		want(t, code, e, 413, "line 1 of the import's body is longer than 1048576 bytes (1 MiB): nothing was imported")
	})
	t.Run("a forbidden import", func(t *testing.T) {
		pr, pw := io.Pipe()
		defer pw.Close()
		go io.WriteString(pw, "[2]\n") // and nothing more: the refusal does not wait for it
		code, e := send(t, desk, api.CustomerImportPath+"?onRowError=ask", pr)
		want(t, code, e, 403, "desk@contoso.com may not add and change customers: that needs the role global-admin or admin-agent or sales-agent")
		if l := env.Log.String(); strings.Contains(l, "panic") || strings.Contains(l, "goroutine") {
			t.Errorf("the server's log holds a panic or a stack:\n%s", l)
		}
	})
	t.Run("a plain password as the admin's password hash", func(t *testing.T) {
		code, e := send(t, admin, api.CustomersPath, strings.NewReader(`{"companyProfile":{"companyName":"Contoso","domain":"contoso.example"},"billingProfile":{"defaultAddress":{"country":"FR"}},"pcctl":{"adminPasswordHash":"Summer2026!"}}`))
		want(t, code, e, 400, "adminPasswordHash is not a bcrypt hash of cost 10 ($2b$10$ and 53 characters): pcctl stores only the hash of the admin's temporary password, never the password")
	})
	if _, err := env.Local("observer@contoso.com").OpenCustomer(context.Background(), "stalled.example"); err == nil {
		t.Errorf("the stalled import wrote its row")
	}
}
