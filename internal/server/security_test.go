package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

func newJSONLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// TestGrantEscalation (issue 14, item 1): a user-admin cannot make itself global-admin, an
// account-admin cannot mint a token for a global-admin; both are answered 403 with the
// rule, nothing changes; a change made through a token is logged with the token and who
// created it.
func TestGrantEscalation(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	ua := "Bearer " + env.Token("ua@partner.test", domain.RoleUserAdmin)
	acc := "Bearer " + env.Token("acc@partner.test", domain.RoleAccountAdmin)
	env.Token("root@partner.test", domain.RoleGlobalAdmin)
	before := admState(t, env)
	a := admDo(t, env, http.MethodPost, api.UsersPath, ua, nil, `{"email":"ua@partner.test","roles":["global-admin"]}`)
	if e := a.err(t); a.status != http.StatusForbidden || e.Description != "ua@partner.test may not grant or remove the role global-admin: only a global-admin grants global-admin" {
		t.Errorf("user-admin granting itself global-admin: %d %s", a.status, a.body)
	}
	a = admDo(t, env, http.MethodPost, api.TokensPath, acc, nil, `{"user":"root@partner.test","ttlSeconds":0}`)
	if a.status != http.StatusForbidden || !strings.Contains(string(a.body), "may not create an access token for root@partner.test") {
		t.Errorf("account-admin minting a token for a global-admin: %d %s", a.status, a.body)
	}
	if after := admState(t, env); after != before {
		t.Errorf("refused requests changed the workspace:\n%s\nthen\n%s", before, after)
	}
	a = admDo(t, env, http.MethodPost, api.UsersPath, ua, nil, `{"email":"ua2@partner.test","roles":["user-admin"]}`)
	if a.status != http.StatusOK && a.status != http.StatusCreated {
		t.Fatalf("user-admin adding a user-admin: %d %s", a.status, a.body)
	}
	var last workspace.AuditRecord
	if err := env.Local("observer@pcctl.test").AuditLog(context.Background(), workspace.AuditQuery{Limit: 1}, func(r workspace.AuditRecord) error { last = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if last.User != "ua@partner.test" || last.Token == "" || last.TokenCreatedBy != "setup@pcctl.test" {
		t.Errorf("audit record %+v: want the user, the token and its creator setup@pcctl.test", last)
	}
}

// stalledImport starts an import whose body sends one row and then nothing, on route, and
// returns its answer's channel and the pipe to end it.
func stalledImport(t *testing.T, url, token, route string) (<-chan *http.Response, *io.PipeWriter) {
	t.Helper()
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, url+route, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	answers := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answers <- nil
			return
		}
		answers <- resp
	}()
	row := workspace.CustomerRow{Line: 2, Customer: domain.Customer{CompanyName: "Stalled", Domain: "stalled.example", Country: "FR"}}
	if _, err := pw.Write(api.AppendImportRow(nil, &row)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pw.Close() })
	return answers, pw
}

// TestStalledImport (issue 14, item 3): an import whose body stops coming never holds the
// workspace's write lock: other writes go through at once, and the import is dropped
// after the idle timeout (408), nothing written. The same for the deal import.
func TestStalledImport(t *testing.T) {
	env := servertest.Start(t, servertest.Options{Server: server.Options{ImportIdleTimeout: 2 * time.Second}})
	token := env.Token("admin@partner.test", domain.AllRoles...)
	writer := env.Client("writer@partner.test")
	ctx := context.Background()
	for _, route := range []string{api.CustomerImportPath + "?onRowError=ask", api.DealImportPath} {
		answers, _ := stalledImport(t, env.URL, token, route)
		time.Sleep(200 * time.Millisecond) // the import is waiting for its body
		start := time.Now()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := writer.AddCustomer(wctx, domain.Customer{CompanyName: "Writer", Domain: "w" + strconv.Itoa(len(route)) + ".example", Country: "FR"}, "")
		cancel()
		if err != nil || time.Since(start) > time.Second {
			t.Errorf("%s: a write during a stalled import: %v after %s", route, err, time.Since(start))
		}
		select {
		case resp := <-answers:
			if resp == nil {
				t.Fatalf("%s: no answer", route)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "the import's body sent nothing for 2s") {
				t.Errorf("%s: a stalled import answered %d %s", route, resp.StatusCode, b)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the stalled import was never dropped", route)
		}
	}
	if _, err := env.Local("x@partner.test").OpenCustomer(ctx, "stalled.example"); err == nil {
		t.Errorf("the stalled import wrote its row")
	}
}

// TestImportLineBound (issue 14, item 4): a line over 1 MiB is answered 413 and nothing is
// written; the server never holds more than a line of it.
func TestImportLineBound(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	token := "Bearer " + env.Token("admin@partner.test", domain.AllRoles...)
	long := `["` + strings.Repeat("a", 2<<20) + `"]` + "\n"
	for _, route := range []string{api.CustomerImportPath, api.DealImportPath} {
		a := admDo(t, env, http.MethodPost, route, token, nil, long+`{"end":1}`+"\n")
		if a.status != http.StatusRequestEntityTooLarge || a.err(t).Description != "line 1 of the import's body is longer than 1048576 bytes (1 MiB): nothing was imported" {
			t.Errorf("%s: a 2 MiB line: %d %.300s", route, a.status, a.body)
		}
	}
}

// TestForbiddenImportNoPanic (issue 14, item 11): an import by a helpdesk agent is refused
// (403) before the server reads its body: no net/http panic, no stack in any log.
func TestForbiddenImportNoPanic(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ws.db"), sqlite.ForServer(sqlite.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var slogBuf, errlog servertest.SyncBuffer
	hs := httptest.NewUnstartedServer(server.New(db, server.Options{Logger: newJSONLogger(&slogBuf)}))
	hs.Config.ErrorLog = log.New(&errlog, "", 0)
	hs.Start()
	defer hs.Close()
	owner := db.As(domain.Owner("setup@pcctl.test"))
	if _, _, _, err := owner.AddUser(context.Background(), domain.User{Email: "desk@partner.test", Roles: []domain.Role{domain.RoleHelpdeskAgent}}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := owner.CreateToken(context.Background(), "desk@partner.test", "", domain.NeverExpires)
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range []string{api.CustomerImportPath + "?onRowError=ask", api.DealImportPath} {
		answers, pw := stalledImport(t, hs.URL, secret, route)
		var resp *http.Response
		select {
		case resp = <-answers:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no answer to a forbidden import", route)
		}
		pw.Close()
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: %v", route, resp)
		}
		resp.Body.Close()
	}
	time.Sleep(100 * time.Millisecond)
	for name, l := range map[string]string{"net/http's log": errlog.String(), "the server's log": slogBuf.String()} {
		if strings.Contains(l, "panic") || strings.Contains(l, "goroutine") {
			t.Errorf("%s holds a panic or a stack:\n%s", name, l)
		}
	}
}

// TestInvitationTokenChosen (issue 14, item 6): POST /invitations with a token of the
// caller's choosing ("a", "", "../../x") is refused or draws its own; the token answered is
// the server's, 200 random bits.
func TestInvitationTokenChosen(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	token := "Bearer " + env.Token("admin@partner.test", domain.AllRoles...)
	for _, tok := range []string{"a", "../../x"} {
		a := admDo(t, env, http.MethodPost, api.InvitationsPath, token, nil, `{"token":"`+tok+`","email":"sales@fabrikam.com","subject":"s","body":"b"}`)
		if e := a.err(t); a.status != http.StatusBadRequest || e.Field != "token" || strings.Contains(e.Description, "../../x") {
			t.Errorf("token %q: %d %s", tok, a.status, a.body)
		}
	}
	a := admDo(t, env, http.MethodPost, api.InvitationsPath, token, nil, `{"token":"","email":"sales@fabrikam.com","subject":"s","body":"at /{{token}}"}`)
	var inv api.Invitation
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &inv) != nil || len(inv.Token) != 40 || inv.Body != "at /"+inv.Token {
		t.Errorf("no token given: %d %s", a.status, a.body)
	}
}

// TestPlainPasswordRefused (issue 14, item 12): POST /v1/customers with a plain password
// as adminPasswordHash is refused (400, field adminPasswordHash), nothing stored.
func TestPlainPasswordRefused(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	token := "Bearer " + env.Token("admin@partner.test", domain.AllRoles...)
	a := admDo(t, env, http.MethodPost, api.CustomersPath, token, nil,
		`{"companyProfile":{"companyName":"Contoso","domain":"contoso.example"},"billingProfile":{"defaultAddress":{"country":"FR"}},"pcctl":{"adminPasswordHash":"Summer2026!"}}`)
	if e := a.err(t); a.status != http.StatusBadRequest || e.Field != "adminPasswordHash" || strings.Contains(string(a.body), "Summer2026") {
		t.Errorf("a plain password: %d %s", a.status, a.body)
	}
	if _, err := env.Local("x@partner.test").OpenCustomer(context.Background(), "contoso.example"); err == nil {
		t.Errorf("the customer was stored")
	}
}
