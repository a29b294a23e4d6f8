package app_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/workspace/postgres"
	"github.com/pcctl/pcctl/internal/workspace/postgres/pgtest"
)

// TestScriptsPostgres runs the scripts a third time, against a pcctl server whose
// workspace is a PostgreSQL database (PCCTL_TEST_DATABASE_URL; skipped loudly without
// one): each script gets a schema of its own, dropped at its end, and a server over it
// as in TestScriptsRemote. The [remote] lines hold for it too.
func TestScriptsPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the scripts run against a local workspace only")
	}
	dbURL := pgtest.Require(t)
	runScriptsOn(t, true, true, func(env *testscript.Env) error { return setupPostgres(env, dbURL) })
}

var scriptSchemas atomic.Int64

// setupPostgres serves a new schema of the test database for the script, as setupRemote
// serves its file.
func setupPostgres(env *testscript.Env, dbURL string) error {
	now, err := time.Parse(time.RFC3339, env.Getenv("PCCTL_NOW"))
	if err != nil {
		return err
	}
	dsn, drop, err := pgtest.CreateSchema(dbURL, fmt.Sprintf("s%d_%d", os.Getpid(), scriptSchemas.Add(1)))
	if err != nil {
		return err
	}
	env.Defer(drop)
	db, err := postgres.Open(context.Background(), dsn, postgres.Options{Now: func() time.Time { return now }, MaxConns: 4})
	if err != nil {
		return err
	}
	if err := provisionPostgres(dsn, now, env); err != nil {
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
	env.Setenv("PCCTL_SCRIPT_DATABASE", dsn)
	env.Setenv("PCCTL_ENDPOINT", "http://"+ln.Addr().String())
	env.Setenv("PCCTL_TOKEN", env.Getenv("TOKEN_alice"))
	return nil
}

// provisionPostgres writes the script users, as provision does into a file.
func provisionPostgres(dsn string, now time.Time, env *testscript.Env) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
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
			{`INSERT INTO users(email, name, created_at, updated_at) VALUES ($1, '', $2, $3)`, []any{u, at, at}},
			{`INSERT INTO user_roles(email, role) VALUES ($1, $2)`, []any{u, string(domain.RoleGlobalAdmin)}},
			{`INSERT INTO tokens(id, email, name, secret_hash, created_at, expires_at) VALUES ($1, $2, 'script', $3, $4, '')`,
				[]any{fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1), u, domain.HashTokenSecret(secret), at}},
		} {
			if _, err := conn.Exec(ctx, stmt.q, stmt.args...); err != nil {
				return fmt.Errorf("provisioning %s: %w", u, err)
			}
		}
		env.Setenv("TOKEN_"+strings.Split(u, "@")[0], secret)
	}
	return nil
}

// sqlOnPostgres runs the statements of `sqlitedb ws.db SQL…` on the script's database.
func sqlOnPostgres(ts *testscript.TestScript, dsn string, stmts []string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	ts.Check(err)
	defer conn.Close(ctx)
	for _, stmt := range stmts {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			ts.Fatalf("sqlitedb (on PostgreSQL): %s: %v", stmt, err)
		}
	}
}

// TestConcurrentClientsPostgres is TestConcurrentClients through two servers on one
// PostgreSQL database, half the clients on each: the invariants hold across servers.
func TestConcurrentClientsPostgres(t *testing.T) {
	writes := concClientWrites
	if testing.Short() {
		writes = concWritesShort / 4
	}
	dbURL := pgtest.Require(t)
	dsn := pgtest.WithSchema(t, dbURL, fmt.Sprintf("conc%d", os.Getpid()))
	runConcurrentWriters(t, concClients, writes, true, dsn)
}
