package remote_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func TestRemoteInfo(t *testing.T) {
	e := startSrq(t)
	ctx := context.Background()
	r, err := e.remote.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l, err := e.local.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Location != e.remote.Endpoint() || r.Kind != "remote" || r.SizeBytes <= 0 {
		t.Errorf("remote info: %+v", r)
	}
	if r.SchemaVersion != l.SchemaVersion || r.LatestSchema != l.LatestSchema || r.User != srqUser || r.User != l.User ||
		!reflect.DeepEqual(r.Counts, l.Counts) || r.Counts["customers"] != 2 {
		t.Errorf("info:\n remote %+v\n local  %+v", r, l)
	}
	if strings.Contains(fmt.Sprint(r), l.Location) {
		t.Errorf("the server's file path is sent: %+v", r)
	}
}

func TestRemoteUsersMatchLocal(t *testing.T) {
	e := startSrq(t)
	ctx := context.Background()
	sameUsers := func(what string) {
		t.Helper()
		r, rerr := e.remote.Users(ctx)
		l, lerr := e.local.Users(ctx)
		if rerr != nil || lerr != nil || !reflect.DeepEqual(r, l) {
			t.Errorf("%s: Users:\n remote %+v %v\n local  %+v %v", what, r, rerr, l, lerr)
		}
	}
	sameUsers("start")

	e.clock.Add(time.Minute)
	u, created, changed, err := e.remote.AddUser(ctx, domain.User{Email: " Sue@Partner.Test ", Name: "Sue  Smith", Roles: []domain.Role{domain.RoleSalesAgent}})
	if err != nil || !created || !changed {
		t.Fatalf("AddUser: %+v %v %v %v", u, created, changed, err)
	}
	if l, _ := e.local.User(ctx, "sue@partner.test"); !reflect.DeepEqual(u, l) || u.Name != "Sue Smith" {
		t.Fatalf("AddUser:\n remote %+v\n local  %+v", u, l)
	}
	u, created, changed, err = e.remote.AddUser(ctx, domain.User{Email: "sue@partner.test", Roles: []domain.Role{domain.RoleSalesAgent}})
	if err != nil || created || changed {
		t.Fatalf("AddUser again: %+v %v %v %v", u, created, changed, err)
	}
	e.clock.Add(time.Minute)
	u, created, changed, err = e.remote.AddUser(ctx, domain.User{Email: "sue@partner.test", Roles: []domain.Role{domain.RoleHelpdeskAgent, domain.RoleAdminAgent}})
	if err != nil || created || !changed || !reflect.DeepEqual(u.Roles, []domain.Role{domain.RoleAdminAgent, domain.RoleSalesAgent, domain.RoleHelpdeskAgent}) {
		t.Fatalf("AddUser roles: %+v %v %v %v", u, created, changed, err)
	}
	sameUsers("added")
	for _, email := range []string{"sue@partner.test", "SUE@partner.test", "nobody@partner.test", ""} {
		r, rerr := e.remote.User(ctx, email)
		l, lerr := e.local.User(ctx, email)
		if lerr != nil {
			srqSameError(t, "User "+email, rerr, lerr)
		} else if rerr != nil || !reflect.DeepEqual(r, l) {
			t.Errorf("User(%q):\n remote %+v %v\n local  %+v", email, r, rerr, l)
		}
	}

	// Refusals of form, the same words.
	for name, u := range map[string]domain.User{
		"bad address": {Email: "sue", Roles: []domain.Role{domain.RoleSalesAgent}},
		"no role":     {Email: "bob@partner.test"},
		"bad name":    {Email: "bob@partner.test", Name: "a\nb", Roles: []domain.Role{domain.RoleSalesAgent}},
	} {
		_, _, _, rerr := e.remote.AddUser(ctx, u)
		_, _, _, lerr := e.local.AddUser(ctx, u)
		srqSameError(t, "AddUser "+name, rerr, lerr)
	}

	// RemoveUser: a role, a role not held, the user.
	e.clock.Add(time.Minute)
	r, err := e.remote.RemoveUser(ctx, "sue@partner.test", []domain.Role{domain.RoleSalesAgent})
	if l, _ := e.local.User(ctx, "sue@partner.test"); err != nil || !reflect.DeepEqual(r, l) {
		t.Fatalf("RemoveUser role:\n remote %+v %v\n local  %+v", r, err, l)
	}
	_, rerr := e.remote.RemoveUser(ctx, "sue@partner.test", []domain.Role{domain.RoleSalesAgent})
	_, lerr := e.local.RemoveUser(ctx, "sue@partner.test", []domain.Role{domain.RoleSalesAgent})
	srqSameError(t, "RemoveUser role not held", rerr, lerr)
	_, rerr = e.remote.RemoveUser(ctx, "nobody@partner.test", nil)
	_, lerr = e.local.RemoveUser(ctx, "nobody@partner.test", nil)
	srqSameError(t, "RemoveUser nobody", rerr, lerr)
	_, rerr = e.remote.RemoveUser(ctx, "", nil)
	_, lerr = e.local.RemoveUser(ctx, "", nil)
	srqSameError(t, "RemoveUser empty", rerr, lerr)
	r, err = e.remote.RemoveUser(ctx, "sue@partner.test", nil)
	if err != nil || r.Email != "sue@partner.test" || r.Roles != nil {
		t.Fatalf("RemoveUser: %+v %v", r, err)
	}
	if _, err := e.local.User(ctx, "sue@partner.test"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("removed user: %v", err)
	}
	sameUsers("removed")

	// ImportUsers: a dry run remotely and locally gives the same outcomes, and writes
	// nothing; then the import itself.
	batch := func() []domain.User {
		return []domain.User{
			{Email: "a@partner.test", Name: "A", Roles: []domain.Role{domain.RoleReferralsAdmin}},
			{Email: srqUser, Roles: []domain.Role{domain.RoleGlobalAdmin}},
			{Email: "B@partner.test", Roles: []domain.Role{domain.RoleHelpdeskAgent, domain.RoleAdminAgent}},
		}
	}
	rdry, rerr := e.remote.ImportUsers(ctx, batch(), true)
	ldry, lerr := e.local.ImportUsers(ctx, batch(), true)
	if rerr != nil || lerr != nil || !reflect.DeepEqual(rdry, ldry) || len(rdry) != 3 || !rdry[0].Created {
		t.Fatalf("ImportUsers dry run:\n remote %+v %v\n local  %+v %v", rdry, rerr, ldry, lerr)
	}
	sameUsers("dry run")
	if _, err := e.local.User(ctx, "a@partner.test"); err == nil {
		t.Fatal("a dry run wrote")
	}
	res, err := e.remote.ImportUsers(ctx, batch(), false)
	if err != nil || len(res) != 3 || !res[0].Created || res[1].Created || !res[2].Created {
		t.Fatalf("ImportUsers: %+v %v", res, err)
	}
	for _, o := range res {
		if l, err := e.local.User(ctx, o.User.Email); err != nil || !reflect.DeepEqual(o.User, l) {
			t.Errorf("imported %s:\n remote %+v\n local  %+v %v", o.User.Email, o.User, l, err)
		}
	}
	_, rerr = e.remote.ImportUsers(ctx, []domain.User{{Email: "c@partner.test", Roles: []domain.Role{domain.RoleSalesAgent}}, {Email: "bad"}}, false)
	_, lerr = e.local.ImportUsers(ctx, []domain.User{{Email: "c@partner.test", Roles: []domain.Role{domain.RoleSalesAgent}}, {Email: "bad"}}, false)
	srqSameError(t, "ImportUsers bad row", rerr, lerr)
	if r, err := e.remote.ImportUsers(ctx, nil, false); err != nil || len(r) != 0 {
		t.Errorf("ImportUsers nothing: %v %v", r, err)
	}
	sameUsers("imported")

	// Without the role to manage users: the same refusal, nothing written.
	agent := e.env.Client("helpdesk@partner.test", domain.RoleHelpdeskAgent)
	agentLocal := e.localAs("helpdesk@partner.test", domain.RoleHelpdeskAgent)
	before := srqAudit(t, e.local, workspace.AuditQuery{})
	for name, call := range map[string]func(ws workspace.Workspace) error{
		"Users": func(ws workspace.Workspace) error { _, err := ws.Users(ctx); return err },
		"User":  func(ws workspace.Workspace) error { _, err := ws.User(ctx, srqUser); return err },
		"AddUser": func(ws workspace.Workspace) error {
			_, _, _, err := ws.AddUser(ctx, domain.User{Email: "helpdesk@partner.test", Roles: []domain.Role{domain.RoleGlobalAdmin}})
			return err
		},
		"RemoveUser":  func(ws workspace.Workspace) error { _, err := ws.RemoveUser(ctx, srqUser, nil); return err },
		"ImportUsers": func(ws workspace.Workspace) error { _, err := ws.ImportUsers(ctx, batch(), false); return err },
		"CreateToken": func(ws workspace.Workspace) error {
			_, _, err := ws.CreateToken(ctx, "helpdesk@partner.test", "mine", domain.NeverExpires)
			return err
		},
		"Tokens":      func(ws workspace.Workspace) error { _, err := ws.Tokens(ctx, ""); return err },
		"RevokeToken": func(ws workspace.Workspace) error { _, err := ws.RevokeToken(ctx, "x"); return err },
		"AuditLog": func(ws workspace.Workspace) error {
			return ws.AuditLog(ctx, workspace.AuditQuery{}, func(workspace.AuditRecord) error { return nil })
		},
	} {
		rerr, lerr := call(agent), call(agentLocal)
		srqSameError(t, name+" without the role", rerr, lerr)
		var fb *domain.ForbiddenError
		if !errors.As(rerr, &fb) {
			t.Errorf("%s: %v", name, rerr)
		}
	}
	if after := srqAudit(t, e.local, workspace.AuditQuery{}); !reflect.DeepEqual(after, before) {
		t.Errorf("refused calls were recorded: %d records, then %d", len(before), len(after))
	}
}

func TestRemoteTokensMatchLocal(t *testing.T) {
	e := startSrq(t)
	ctx := context.Background()
	if _, _, _, err := e.local.AddUser(ctx, domain.User{Email: "bot@partner.test", Roles: []domain.Role{domain.RoleHelpdeskAgent}}); err != nil {
		t.Fatal(err)
	}
	sameTokens := func(what, email string) []domain.Token {
		t.Helper()
		r, rerr := e.remote.Tokens(ctx, email)
		l, lerr := e.local.Tokens(ctx, email)
		// last_used_at is written off the request's path (coalesced, after the answer):
		// a use by this very client may land between the two reads, so it is not compared.
		unused := func(ts []domain.Token) []domain.Token {
			out := slices.Clone(ts)
			for i := range out {
				out[i].LastUsedAt = time.Time{}
			}
			return out
		}
		if rerr != nil || lerr != nil || !reflect.DeepEqual(unused(r), unused(l)) {
			t.Errorf("%s: Tokens(%q):\n remote %+v %v\n local  %+v %v", what, email, r, rerr, l, lerr)
		}
		return r
	}
	secret, tok, err := e.remote.CreateToken(ctx, "Bot@Partner.test", " ci  job ", 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if domain.CheckTokenSecret(secret) != nil || tok.User != "bot@partner.test" || tok.Name != "ci job" ||
		!tok.ExpiresAt.Equal(e.clock.Now().Add(30*24*time.Hour)) {
		t.Fatalf("CreateToken: %q %+v", secret, tok)
	}
	list := sameTokens("created", "bot@partner.test")
	if len(list) != 1 || !reflect.DeepEqual(list[0], tok) {
		t.Fatalf("Tokens: %+v, created %+v", list, tok)
	}
	never, _, err := e.remote.CreateToken(ctx, "bot@partner.test", "", domain.NeverExpires)
	if err != nil {
		t.Fatal(err)
	}
	sameTokens("two", "")
	sameTokens("two", "bot@partner.test")
	_, rerr := e.remote.Tokens(ctx, "nobody@partner.test")
	_, lerr := e.local.Tokens(ctx, "nobody@partner.test")
	srqSameError(t, "Tokens nobody", rerr, lerr)
	for name, ttl := range map[string]time.Duration{"too short": time.Minute, "too long": 400 * 24 * time.Hour, "negative": -time.Hour} {
		_, _, rerr := e.remote.CreateToken(ctx, "bot@partner.test", "", ttl)
		_, _, lerr := e.local.CreateToken(ctx, "bot@partner.test", "", ttl)
		srqSameError(t, "CreateToken "+name, rerr, lerr)
	}
	_, _, rerr = e.remote.CreateToken(ctx, "nobody@partner.test", "", time.Hour)
	_, _, lerr = e.local.CreateToken(ctx, "nobody@partner.test", "", time.Hour)
	srqSameError(t, "CreateToken nobody", rerr, lerr)
	_, _, rerr = e.remote.CreateToken(ctx, "bot@partner.test", strings.Repeat("n", 101), time.Hour)
	_, _, lerr = e.local.CreateToken(ctx, "bot@partner.test", strings.Repeat("n", 101), time.Hour)
	srqSameError(t, "CreateToken long name", rerr, lerr)

	// Authenticate: the principal and token, remotely as locally.
	e.clock.Add(time.Hour)
	lp, lt, lerr := e.local.Authenticate(ctx, secret) // records the use
	rp, rt, rerr := e.remote.Authenticate(ctx, secret)
	if lerr != nil || rerr != nil || !reflect.DeepEqual(rp, lp) || !reflect.DeepEqual(rt, lt) ||
		rp.User != "bot@partner.test" || !reflect.DeepEqual(rp.Roles, []domain.Role{domain.RoleHelpdeskAgent}) || !rt.LastUsedAt.Equal(e.clock.Now()) {
		t.Fatalf("Authenticate:\n remote %+v %+v %v\n local  %+v %+v %v", rp, rt, rerr, lp, lt, lerr)
	}

	// RevokeToken, then the same refusals.
	e.clock.Add(time.Minute)
	rev, err := e.remote.RevokeToken(ctx, " "+strings.ToUpper(tok.ID)+" ")
	if err != nil || !rev.RevokedAt.Equal(e.clock.Now()) || rev.ID != tok.ID {
		t.Fatalf("RevokeToken: %+v %v", rev, err)
	}
	for _, listed := range sameTokens("revoked", "bot@partner.test") {
		if listed.ID == rev.ID && !reflect.DeepEqual(listed, rev) {
			t.Errorf("revoked: listed %+v, answered %+v", listed, rev)
		}
	}
	for _, id := range []string{tok.ID, "nope", "", never, strings.ToUpper(never)} {
		_, rerr := e.remote.RevokeToken(ctx, id)
		_, lerr := e.local.RevokeToken(ctx, id)
		srqSameError(t, "RevokeToken "+id, rerr, lerr)
	}

	// Refused secrets: missing, malformed, unknown, revoked, expired.
	expiring, _, err := e.local.CreateToken(ctx, "bot@partner.test", "short", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	unknown, _ := domain.NewTokenSecret(strings.NewReader(strings.Repeat("u", 64)))
	for name, s := range map[string]string{
		"missing": "", "malformed": "pcctl_nope", "with a newline": "pcctl_a\nb", "unknown": unknown, "revoked": secret, "expired": expiring,
	} {
		_, _, rerr := e.remote.Authenticate(ctx, s)
		_, _, lerr := e.local.Authenticate(ctx, s)
		srqSameError(t, "Authenticate "+name, rerr, lerr)
		var au *domain.AuthError
		if !errors.As(rerr, &au) {
			t.Errorf("Authenticate %s: %v", name, rerr)
		}
	}
	if p, _, err := e.remote.Authenticate(ctx, never); err != nil || p.User != "bot@partner.test" {
		t.Errorf("Authenticate never-expiring: %+v %v", p, err)
	}

	// Secrets are in no answer but the creation's, and never in the server's log.
	log := e.env.Log.String()
	for _, s := range []string{secret, never, expiring, unknown} {
		if strings.Contains(log, s) {
			t.Errorf("a secret is in the server's log:\n%s", log)
		}
	}
}

func srqAudit(t *testing.T, ws workspace.Workspace, q workspace.AuditQuery) []workspace.AuditRecord {
	t.Helper()
	var out []workspace.AuditRecord
	if err := ws.AuditLog(context.Background(), q, func(r workspace.AuditRecord) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRemoteAuditLogMatchesLocal(t *testing.T) {
	e := startSrq(t)
	ctx := context.Background()
	rec, err := e.remote.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.com", Title: "A <b> & \"c\" é \u2028", Severity: domain.SeverityMinimal})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	since := e.clock.Now()
	// More than a page of records: one per user imported.
	users := make([]domain.User, 1010)
	for i := range users {
		users[i] = domain.User{Email: fmt.Sprintf("u%04d@partner.test", i), Roles: []domain.Role{domain.RoleSalesAgent}}
	}
	if _, err := e.remote.ImportUsers(ctx, users, false); err != nil {
		t.Fatal(err)
	}
	other := e.env.Client("other@partner.test")
	if _, err := other.UpdateRequest(ctx, rec.Ref, domain.RequestChange{Status: domain.RequestClosed, Note: "done"}); err != nil {
		t.Fatal(err)
	}
	all := srqAudit(t, e.local, workspace.AuditQuery{})
	if len(all) < 1015 {
		t.Fatalf("%d records", len(all))
	}
	for _, q := range []workspace.AuditQuery{
		{},
		{Limit: 1},
		{Limit: 1001},
		{Since: since},
		{User: "OTHER@partner.test"},
		{User: srqUser, Limit: 5},
		{Entity: "request"},
		{Entity: "request", EntityID: rec.Ref},
		{EntityID: "u0042@partner.test"},
		{Entity: "user", Limit: 1001},
		{Entity: "nothing"},
	} {
		r := srqAudit(t, e.remote, q)
		l := srqAudit(t, e.local, q)
		if !reflect.DeepEqual(r, l) {
			t.Errorf("AuditLog(%+v): remote %d records, local %d", q, len(r), len(l))
			for i := range min(len(r), len(l)) {
				if !reflect.DeepEqual(r[i], l[i]) {
					t.Errorf("first difference:\n remote %+v\n local  %+v", r[i], l[i])
					break
				}
			}
		}
	}
	// Newest first, each once.
	r := srqAudit(t, e.remote, workspace.AuditQuery{})
	for i := 1; i < len(r); i++ {
		if r[i].Seq >= r[i-1].Seq {
			t.Fatalf("record %d: seq %d after %d", i, r[i].Seq, r[i-1].Seq)
		}
	}
	if r[0].Action != "request.close" || !strings.Contains(r[0].After, `"note":"done"`) || r[len(r)-1].Before != "" {
		t.Errorf("records: first %+v, last %+v", r[0], r[len(r)-1])
	}

	// A callback's error stops the paging.
	stop := errors.New("stop")
	n := 0
	if err := e.remote.AuditLog(ctx, workspace.AuditQuery{}, func(workspace.AuditRecord) error {
		n++
		if n == 1001 {
			return stop // on the second page
		}
		return nil
	}); err != stop || n != 1001 {
		t.Fatalf("AuditLog with a failing callback: %v after %d", err, n)
	}
}
