package app_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// scriptUsers are the users a remote script may act as (`as USER`): each holds
// global-admin, as a local workspace's owner holds every role.
var scriptUsers = []string{"alice@contoso.com", "bob@contoso.com"}

// setupRemote serves the script's workspace file ($PCCTL_WORKSPACE) on a loopback port
// for the script's life, with the script's fixed clock, and points pcctl at it:
// PCCTL_ENDPOINT, and PCCTL_TOKEN a token of alice's ($TOKEN_alice and $TOKEN_bob hold
// both). The users and tokens are written straight into the file, as an operator would
// have provisioned them before: they leave no record in the audit log.
func setupRemote(env *testscript.Env) error {
	now, err := time.Parse(time.RFC3339, env.Getenv("PCCTL_NOW"))
	if err != nil {
		return err
	}
	path := env.Getenv("PCCTL_WORKSPACE")
	db, err := sqlite.Open(context.Background(), path, sqlite.ForServer(sqlite.Options{Now: func() time.Time { return now }}))
	if err != nil {
		return err
	}
	if err := provision(path, now, env); err != nil {
		db.Close()
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return err
	}
	logFile, err := os.Create(filepath.Join(env.WorkDir, "..", filepath.Base(env.WorkDir)+"-server.log"))
	if err != nil {
		db.Close()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := server.New(db, server.Options{Logger: newLogger(logFile), TestClock: true})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, "", "") }()
	env.Defer(func() {
		cancel()
		if err := <-done; err != nil {
			env.T().Fatal("server: " + err.Error())
		}
		db.Close()
		logFile.Close()
	})
	env.Setenv("PCCTL_ENDPOINT", "http://"+ln.Addr().String())
	env.Setenv("PCCTL_TOKEN", env.Getenv("TOKEN_alice"))
	return nil
}

// provision writes the script users, each with global-admin and a token that never
// expires, into the workspace file at path.
func provision(path string, now time.Time, env *testscript.Env) error {
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer raw.Close()
	at := now.UTC().Format(time.RFC3339)
	for i, u := range scriptUsers {
		secret, err := domain.NewTokenSecret(rand.Reader)
		if err != nil {
			return err
		}
		for _, stmt := range []struct {
			q    string
			args []any
		}{
			{`INSERT INTO users(email, name, created_at, updated_at) VALUES (?, '', ?, ?)`, []any{u, at, at}},
			{`INSERT INTO user_roles(email, role) VALUES (?, ?)`, []any{u, string(domain.RoleGlobalAdmin)}},
			{`INSERT INTO tokens(id, email, name, secret_hash, created_at, expires_at) VALUES (?, ?, 'script', ?, ?, '')`,
				[]any{fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1), u, domain.HashTokenSecret(secret), at}},
		} {
			if _, err := raw.Exec(stmt.q, stmt.args...); err != nil {
				return fmt.Errorf("provisioning %s: %w", u, err)
			}
		}
		env.Setenv("TOKEN_"+strings.Split(u, "@")[0], secret)
	}
	return nil
}

func newLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// as USER acts as USER from now on: PCCTL_USER for a local workspace, and that user's
// token for a server.
func cmdAs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: as USER")
	}
	ts.Setenv("PCCTL_USER", args[0])
	if ts.Getenv("PCCTL_ENDPOINT") != "" {
		tok := ts.Getenv("TOKEN_" + strings.Split(args[0], "@")[0])
		if tok == "" {
			ts.Fatalf("as %s: no token for that user in remote scripts (see scriptUsers)", args[0])
		}
		ts.Setenv("PCCTL_TOKEN", tok)
	}
}
