package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
)

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
