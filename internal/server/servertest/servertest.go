// Package servertest starts a pcctl server over a temporary workspace for tests, and
// gives clients of it acting as chosen users.
package servertest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/remote"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// Env is a running server and its workspace.
type Env struct {
	T      testing.TB
	DB     *sqlite.DB
	Server *server.Server
	URL    string
	// Log holds the server's log lines (JSON), for tests that read them.
	Log *SyncBuffer
}

// Options tune Start.
type Options struct {
	Now    func() time.Time // the workspace clock (default: time.Now)
	Server server.Options   // Logger is set to Env.Log when nil
}

// Start opens a new workspace in a temporary folder and serves it on a loopback port
// until the test ends.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ws.db"), sqlite.ForServer(sqlite.Options{Now: opts.Now}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := &SyncBuffer{}
	if opts.Server.Logger == nil {
		opts.Server.Logger = slog.New(slog.NewJSONHandler(log, nil))
	}
	s := server.New(db, opts.Server)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &Env{T: t, DB: db, Server: s, URL: hs.URL, Log: log}
}

// Local is the workspace as user with every role, without the server (to set up data
// or to look at what a request did).
func (e *Env) Local(user string) workspace.Workspace { return e.DB.As(domain.Owner(user)) }

// Token creates user (when missing) with roles and returns a new token of theirs.
func (e *Env) Token(user string, roles ...domain.Role) string {
	e.T.Helper()
	ctx := context.Background()
	admin := e.DB.As(domain.Owner("setup@pcctl.test"))
	if len(roles) > 0 {
		if _, _, _, err := admin.AddUser(ctx, domain.User{Email: user, Roles: roles}); err != nil {
			e.T.Fatal(err)
		}
	}
	secret, _, err := admin.CreateToken(ctx, user, "test", domain.NeverExpires)
	if err != nil {
		e.T.Fatal(err)
	}
	return secret
}

// Client is a remote workspace acting as user, who is given roles (every role when none
// are given).
func (e *Env) Client(user string, roles ...domain.Role) *remote.Client {
	e.T.Helper()
	if len(roles) == 0 {
		roles = domain.AllRoles
	}
	return e.ClientWithToken(e.Token(user, roles...))
}

// ClientWithToken is a remote workspace sending token.
func (e *Env) ClientWithToken(token string) *remote.Client {
	e.T.Helper()
	c, err := remote.New(e.URL, remote.Options{Token: token, Timeout: 30 * time.Second})
	if err != nil {
		e.T.Fatal(err)
	}
	e.T.Cleanup(func() { c.Close() })
	return c
}
