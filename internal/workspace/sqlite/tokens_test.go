package sqlite

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func addUser(t *testing.T, ws workspace.Workspace, email string, roles ...domain.Role) {
	t.Helper()
	if _, _, _, err := ws.AddUser(context.Background(), domain.User{Email: email, Roles: roles}); err != nil {
		t.Fatal(err)
	}
}

func wantAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var ae *domain.AuthError
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("err = %v (%T), want an AuthError %q", err, err, code)
	}
}

func tokenIDs(ts []domain.Token) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.User+"/"+t.Name)
	}
	return out
}

// TestTokenLifecycle: create, list, authenticate (roles of the user now, last use
// recorded), revoke, refused; the errors of each step.
func TestTokenLifecycle(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	addUser(t, ws, "sue@fabrikam.com", domain.RoleReferralsAdmin, domain.RoleHelpdeskAgent)
	addUser(t, ws, "bob@fabrikam.com", domain.RoleUserAdmin)

	secret, tok, err := ws.CreateToken(ctx, " Sue@Fabrikam.com ", "  ci   deploy ", domain.DefaultTokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	if domain.CheckTokenSecret(secret) != nil || !isTenantID(tok.ID) || tok.User != "sue@fabrikam.com" || tok.Name != "ci deploy" ||
		!tok.CreatedAt.Equal(testNow) || !tok.ExpiresAt.Equal(testNow.Add(90*24*time.Hour)) || !tok.RevokedAt.IsZero() || !tok.LastUsedAt.IsZero() {
		t.Fatalf("created %q %+v", secret, tok)
	}
	clk.t = testNow.Add(time.Minute)
	bobSecret, bobTok, err := ws.CreateToken(ctx, "bob@fabrikam.com", "", domain.NeverExpires)
	if err != nil || bobSecret == secret || !bobTok.ExpiresAt.IsZero() {
		t.Fatalf("never-expiring token: %+v %v", bobTok, err)
	}
	clk.t = testNow.Add(2 * time.Minute)
	if _, _, err := ws.CreateToken(ctx, "sue@fabrikam.com", "laptop", 12*time.Hour); err != nil {
		t.Fatal(err)
	}

	// Refusals: an unknown user, a lifetime out of bounds, a bad name.
	if _, _, err := ws.CreateToken(ctx, "nobody@fabrikam.com", "", time.Hour); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("token for an unknown user: %v", err)
	}
	for _, ttl := range []time.Duration{time.Minute, -time.Hour, domain.MaxTokenTTL + time.Hour} {
		var ie *domain.InvalidError
		if _, _, err := ws.CreateToken(ctx, "sue@fabrikam.com", "", ttl); !errors.As(err, &ie) || ie.Field != "expires" {
			t.Errorf("ttl %v: %v", ttl, err)
		}
	}
	if _, _, err := ws.CreateToken(ctx, "sue@fabrikam.com", "a\nb", time.Hour); err == nil {
		t.Error("a name with a line break was accepted")
	}

	// List: everyone's by user then creation, or one user's; never a secret.
	all, err := ws.Tokens(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := tokenIDs(all); !slices.Equal(got, []string{"bob@fabrikam.com/", "sue@fabrikam.com/ci deploy", "sue@fabrikam.com/laptop"}) {
		t.Fatalf("Tokens() = %v", got)
	}
	if all[1] != tok {
		t.Errorf("listed %+v, created %+v", all[1], tok)
	}
	sues, err := ws.Tokens(ctx, "SUE@fabrikam.com")
	if err != nil || len(sues) != 2 || sues[0].ID != tok.ID {
		t.Fatalf("Tokens(sue) = %v %v", tokenIDs(sues), err)
	}
	if _, err := ws.Tokens(ctx, "nobody@fabrikam.com"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("tokens of an unknown user: %v", err)
	}

	// Authenticate: the user's principal with the roles held now; the use is recorded.
	clk.t = testNow.Add(time.Hour)
	p, used, err := ws.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if p.User != "sue@fabrikam.com" || !slices.Equal(p.Roles, []domain.Role{domain.RoleHelpdeskAgent, domain.RoleReferralsAdmin}) {
		t.Fatalf("principal %+v", p)
	}
	if used.ID != tok.ID || !used.LastUsedAt.Equal(clk.t) {
		t.Fatalf("authenticated token %+v", used)
	}
	lastUsed := func(id string) string {
		if err := db.uses.flush(ctx); err != nil {
			t.Fatal(err)
		}
		var s string
		if err := db.db.QueryRow(`SELECT last_used_at FROM tokens WHERE id = ?`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := lastUsed(tok.ID); got != "2026-11-21T11:00:00Z" {
		t.Fatalf("last_used_at = %q", got)
	}
	// Within a minute, the use is not written again; after it, it is.
	clk.t = testNow.Add(time.Hour + 59*time.Second)
	if _, used, err := ws.Authenticate(ctx, secret); err != nil || !used.LastUsedAt.Equal(testNow.Add(time.Hour)) {
		t.Fatalf("used again within a minute: %+v %v", used, err)
	}
	clk.t = testNow.Add(time.Hour + time.Minute)
	if _, _, err := ws.Authenticate(ctx, secret); err != nil || lastUsed(tok.ID) != "2026-11-21T11:01:00Z" {
		t.Fatalf("used again a minute later: last_used_at %q, %v", lastUsed(tok.ID), err)
	}
	if got, _ := ws.Tokens(ctx, "sue@fabrikam.com"); !got[0].LastUsedAt.Equal(clk.t) || !got[1].LastUsedAt.IsZero() {
		t.Errorf("listed last uses: %v, %v", got[0].LastUsedAt, got[1].LastUsedAt)
	}
	// The roles are read at each request: a role given since counts.
	addUser(t, ws, "sue@fabrikam.com", domain.RoleAdminAgent)
	if p, _, _ := ws.Authenticate(ctx, secret); !slices.Equal(p.Roles, []domain.Role{domain.RoleAdminAgent, domain.RoleHelpdeskAgent, domain.RoleReferralsAdmin}) {
		t.Errorf("roles after adding one: %v", p.Roles)
	}
	// The principal is what the server binds the workspace to: sue may read customers but
	// not manage users, and the refusal names the roles that would do (exit code 5).
	as := db.As(p)
	if _, err := as.CountCustomers(ctx); err != nil {
		t.Errorf("sue counting customers: %v", err)
	}
	_, err = as.Tokens(ctx, "")
	var fe *domain.ForbiddenError
	if !errors.As(err, &fe) || fe.Permission != domain.PermManageUsers ||
		err.Error() != "sue@fabrikam.com may not manage users: that needs the role global-admin or user-admin or account-admin" {
		t.Errorf("sue listing tokens: %v", err)
	}
	if _, _, err := db.As(domain.Principal{User: "bob@fabrikam.com", Roles: []domain.Role{domain.RoleUserAdmin}}).Authenticate(ctx, bobSecret); err != nil {
		t.Errorf("bob: %v", err)
	}

	// Refused secrets: missing, malformed, unknown; none says which token it might be.
	_, _, err = ws.Authenticate(ctx, "")
	wantAuthError(t, err, domain.AuthMissing)
	_, _, err = ws.Authenticate(ctx, secret+"a")
	wantAuthError(t, err, domain.AuthMalformed)
	_, _, err = ws.Authenticate(ctx, strings.ToUpper(secret))
	wantAuthError(t, err, domain.AuthMalformed)
	_, _, err = ws.Authenticate(ctx, " "+secret)
	wantAuthError(t, err, domain.AuthMalformed)
	other, _ := domain.NewTokenSecret(bytes.NewReader(make([]byte, 32)))
	p, used, err = ws.Authenticate(ctx, other)
	wantAuthError(t, err, domain.AuthUnknown)
	if p.User != "" || used.ID != "" {
		t.Errorf("an unknown token gave %+v %+v", p, used)
	}

	// Revoke: once; again is refused by a rule; an unknown ID is not found; a secret
	// given for an ID is refused without being repeated.
	clk.t = testNow.Add(2 * time.Hour)
	rev, err := ws.RevokeToken(ctx, " "+strings.ToUpper(tok.ID)+" ")
	if err != nil || rev.ID != tok.ID || !rev.RevokedAt.Equal(clk.t) {
		t.Fatalf("revoke: %+v %v", rev, err)
	}
	_, err = ws.RevokeToken(ctx, tok.ID)
	var rule *domain.RuleError
	if !errors.As(err, &rule) || rule.Rule != "token-revoked" || err.Error() != "token "+tok.ID+" was already revoked on 2026-11-21T12:00:00Z" {
		t.Errorf("revoking twice: %v", err)
	}
	if _, err := ws.RevokeToken(ctx, "3f2504e0-4f89-41d3-9a0c-0305e82c3301"); !errors.Is(err, domain.ErrNotFound) ||
		err.Error() != `no token matches "3f2504e0-4f89-41d3-9a0c-0305e82c3301"` {
		t.Errorf("revoking an unknown token: %v", err)
	}
	var ie *domain.InvalidError
	if _, err := ws.RevokeToken(ctx, bobSecret); !errors.As(err, &ie) || strings.Contains(err.Error(), bobSecret[6:]) {
		t.Errorf("revoking by secret: %v", err)
	}

	// A revoked token is refused, and says when it was revoked; it stays listed.
	_, refused, err := ws.Authenticate(ctx, secret)
	wantAuthError(t, err, domain.AuthRevoked)
	if refused.ID != tok.ID || !strings.Contains(err.Error(), "revoked on 2026-11-21T12:00:00Z") {
		t.Errorf("refused %+v: %v", refused, err)
	}
	if got, _ := ws.Tokens(ctx, "sue@fabrikam.com"); got[0].Status(clk.t) != domain.TokenRevoked || got[1].Status(clk.t) != domain.TokenActive {
		t.Errorf("statuses %s, %s; want revoked, active", got[0].Status(clk.t), got[1].Status(clk.t))
	}
	// The other tokens are untouched.
	if _, _, err := ws.Authenticate(ctx, bobSecret); err != nil {
		t.Errorf("bob after sue's revocation: %v", err)
	}
}

// TestTokenExpiry: a token is good until the second before it expires, refused from the
// instant it does; one that never expires is good years later.
func TestTokenExpiry(t *testing.T) {
	db, clk := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	addUser(t, ws, "sue@fabrikam.com", domain.RoleReferralsAdmin)
	short, tok, err := ws.CreateToken(ctx, "sue@fabrikam.com", "short", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	forever, _, err := ws.CreateToken(ctx, "sue@fabrikam.com", "forever", domain.NeverExpires)
	if err != nil {
		t.Fatal(err)
	}
	clk.t = tok.ExpiresAt.Add(-time.Second)
	if _, _, err := ws.Authenticate(ctx, short); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	clk.t = tok.ExpiresAt
	_, refused, err := ws.Authenticate(ctx, short)
	wantAuthError(t, err, domain.AuthExpired)
	if refused.ID != tok.ID || err.Error() != "not authenticated: the access token expired on 2026-11-21T11:00:00Z; ask an administrator for a new one ('pcctl token create')" {
		t.Errorf("at expiry: %+v %v", refused, err)
	}
	clk.t = testNow.Add(10 * 366 * 24 * time.Hour)
	if _, _, err := ws.Authenticate(ctx, forever); err != nil {
		t.Errorf("ten years on: %v", err)
	}
	// An expired token may still be revoked, and then shows as revoked.
	if rev, err := ws.RevokeToken(ctx, tok.ID); err != nil || rev.Status(clk.t) != domain.TokenRevoked {
		t.Errorf("revoking an expired token: %+v %v", rev, err)
	}
}

// TestTokenUserRemoved: removing a role keeps the user's tokens; removing the user removes
// them, and they are then unknown.
func TestTokenUserRemoved(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	addUser(t, ws, "sue@fabrikam.com", domain.RoleReferralsAdmin, domain.RoleHelpdeskAgent)
	addUser(t, ws, "bob@fabrikam.com", domain.RoleUserAdmin)
	secret, _, err := ws.CreateToken(ctx, "sue@fabrikam.com", "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws.CreateToken(ctx, "bob@fabrikam.com", "", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.RemoveUser(ctx, "sue@fabrikam.com", []domain.Role{domain.RoleHelpdeskAgent}); err != nil {
		t.Fatal(err)
	}
	if p, _, err := ws.Authenticate(ctx, secret); err != nil || !slices.Equal(p.Roles, []domain.Role{domain.RoleReferralsAdmin}) {
		t.Fatalf("after removing a role: %+v %v", p, err)
	}
	if _, err := ws.RemoveUser(ctx, "sue@fabrikam.com", nil); err != nil {
		t.Fatal(err)
	}
	all, err := ws.Tokens(ctx, "")
	if err != nil || len(all) != 1 || all[0].User != "bob@fabrikam.com" {
		t.Fatalf("tokens after removing sue: %v %v", tokenIDs(all), err)
	}
	_, _, err = ws.Authenticate(ctx, secret)
	wantAuthError(t, err, domain.AuthUnknown)
	// Added again, sue does not get her old token back.
	addUser(t, ws, "sue@fabrikam.com", domain.RoleReferralsAdmin)
	_, _, err = ws.Authenticate(ctx, secret)
	wantAuthError(t, err, domain.AuthUnknown)
}

// TestTokenSecretNotStored: the file keeps the hash of each secret and nothing else of it:
// no secret, nor its random part, is anywhere in the database, its WAL or shared memory.
func TestTokenSecretNotStored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	db, _ := openTest(t, path)
	ws := alice(db)
	ctx := context.Background()
	addUser(t, ws, "sue@fabrikam.com", domain.RoleReferralsAdmin)
	var secrets []string
	for range 20 {
		s, _, err := ws.CreateToken(ctx, "sue@fabrikam.com", "", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ws.Authenticate(ctx, s); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, s)
	}
	check := func(when string) {
		t.Helper()
		var files [][]byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if b, err := os.ReadFile(path + suffix); err == nil {
				files = append(files, b)
			}
		}
		all := bytes.Join(files, nil)
		for _, s := range secrets {
			if bytes.Contains(all, []byte(s[len(domain.TokenPrefix):])) {
				t.Fatalf("%s: secret %s is in the workspace files", when, s)
			}
		}
		// The search is real: the hashes are there to be found.
		if !bytes.Contains(all, []byte(domain.HashTokenSecret(secrets[0]))) {
			t.Fatalf("%s: the hash of the first secret is not in the files either: the search proves nothing", when)
		}
	}
	check("open")
	db.Close()
	check("closed")
	var hashes int
	db2, _ := openTest(t, path)
	if err := db2.db.QueryRow(`SELECT count(*) FROM tokens WHERE length(secret_hash) = 64 AND secret_hash NOT GLOB '*[^0-9a-f]*'`).Scan(&hashes); err != nil || hashes != len(secrets) {
		t.Fatalf("%d hex hashes stored, want %d (%v)", hashes, len(secrets), err)
	}
}

// TestTokenPermissions: managing tokens needs a role that manages users; authenticating
// needs none.
func TestTokenPermissions(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	addUser(t, ws, "sue@fabrikam.com", domain.RoleReferralsAdmin)
	secret, tok, err := ws.CreateToken(ctx, "sue@fabrikam.com", "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	helpdesk := db.As(domain.Principal{User: "hd@fabrikam.com", Roles: []domain.Role{domain.RoleHelpdeskAgent}})
	isForbidden := func(what string, err error) {
		t.Helper()
		var fe *domain.ForbiddenError
		if !errors.As(err, &fe) || fe.Permission != domain.PermManageUsers {
			t.Errorf("helpdesk agent %s: %v", what, err)
		}
	}
	_, _, err = helpdesk.CreateToken(ctx, "sue@fabrikam.com", "", time.Hour)
	isForbidden("creating a token", err)
	_, err = helpdesk.Tokens(ctx, "")
	isForbidden("listing tokens", err)
	_, err = helpdesk.RevokeToken(ctx, tok.ID)
	isForbidden("revoking a token", err)
	if _, _, err := db.As(domain.Principal{}).Authenticate(ctx, secret); err != nil {
		t.Errorf("authenticating without a principal: %v", err)
	}
	if _, _, err := db.Authenticate(ctx, secret); err != nil {
		t.Errorf("DB.Authenticate: %v", err)
	}
	for _, r := range []domain.Role{domain.RoleGlobalAdmin, domain.RoleUserAdmin, domain.RoleAccountAdmin} {
		admin := db.As(domain.Principal{User: "admin@fabrikam.com", Roles: []domain.Role{r}})
		if _, err := admin.Tokens(ctx, ""); err != nil {
			t.Errorf("%s listing tokens: %v", r, err)
		}
	}
}
