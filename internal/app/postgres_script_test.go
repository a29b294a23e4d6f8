package app_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
// PostgreSQL database, half the clients on each: the invariants hold across servers. Half
// the writes of TestConcurrentClients (still about 40 flags per shared user, over the cap):
// it runs beside it in CI.
func TestConcurrentClientsPostgres(t *testing.T) {
	writes := concClientWrites / 2
	if testing.Short() {
		writes = concWritesShort / 4
	}
	dbURL := pgtest.Require(t)
	dsn := pgtest.WithSchema(t, dbURL, fmt.Sprintf("conc%d", os.Getpid()))
	runConcurrentWriters(t, concClients, writes, true, dsn)
}

// TestServersSurviveKillAndCutConnections: two servers on one database under load; one
// is killed (SIGKILL) mid-load, and every connection of both to the database is then cut
// (pg_terminate_backend: what a failover or a proxy in between does to them; a real
// restart of PostgreSQL is TestServersSurviveDatabaseRestart's). Clients of the killed server turn
// to the other, as a load balancer would. Every write a client saw succeed is in the
// database; the writes that failed failed with a clear message (the server unreachable,
// or 503: the database unreachable), never an internal error; the surviving server
// recovers on its own.
func TestServersSurviveKillAndCutConnections(t *testing.T) {
	dbURL := pgtest.Require(t)
	if testing.Short() {
		t.Skip("-short")
	}
	const appName = "pcctl-kill-test"
	dsn := pgtest.WithSchema(t, dbURL, fmt.Sprintf("kill%d", os.Getpid()))
	dsn += "&application_name=" + appName
	p := buildPcctl(t)
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	base := withEnv(p.env, "PCCTL_WORKSPACE="+ws, "PCCTL_USER=admin@contoso.test")
	tokens := provisionTokens(t, ws, []string{"admin@contoso.test"})
	p.expect(t, procOpts{env: base, timeout: time.Minute}, 0, "workspace", "copy", ws, dsn)
	dbEnv := withEnv(base, "PCCTL_DATABASE_URL="+dsn)
	a, b := startServe(t, p, dbEnv), startServe(t, p, dbEnv)

	const clients, each = 6, 15
	var killed, cut atomic.Bool
	type outcome struct {
		domain string
		ok     bool
		msg    string
	}
	results := make([][]outcome, clients)
	var wg sync.WaitGroup
	var done atomic.Int64
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				srv := a
				if c%2 == 1 && !killed.Load() {
					srv = b
				}
				dom := fmt.Sprintf("k%d-%03d.example", c, i)
				env := withEnv(base, "PCCTL_ENDPOINT="+srv.url, "PCCTL_TOKEN="+tokens["admin@contoso.test"])
				r, err := p.runProc(procOpts{env: env, timeout: time.Minute}, "customers", "add", "--name", "K "+dom, "--domain", dom, "--country", "FR")
				if err != nil {
					t.Error(err)
					return
				}
				results[c] = append(results[c], outcome{domain: dom, ok: r.code == 0, msg: r.stderr})
				done.Add(1)
			}
		})
	}
	// Mid-load: kill b, then cut every connection of the servers to the database.
	for done.Load() < clients*each/3 {
		time.Sleep(20 * time.Millisecond)
	}
	b.cmd.Process.Kill()
	killed.Store(true)
	for done.Load() < clients*each/2 {
		time.Sleep(20 * time.Millisecond)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, appName).Scan(&n); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	cut.Store(true)
	t.Logf("cut %d database connections of the servers", n)
	wg.Wait()

	var committed []string
	failures := map[string]int{}
	for _, rs := range results {
		for _, r := range rs {
			if r.ok {
				committed = append(committed, r.domain)
				continue
			}
			msg := strings.TrimSpace(strings.SplitN(r.msg, "\n", 2)[0])
			if strings.Contains(msg, "internal") || !(strings.Contains(msg, "cannot reach") || strings.Contains(msg, "cannot be reached")) {
				t.Errorf("%s failed unclearly: %s", r.domain, r.msg)
			}
			failures[msg]++
		}
	}
	t.Logf("%d adds succeeded; failures: %v", len(committed), failures)
	// The surviving server answers again, and every write a client saw succeed is there.
	env := withEnv(base, "PCCTL_ENDPOINT="+a.url, "PCCTL_TOKEN="+tokens["admin@contoso.test"])
	var out procResult
	for range 50 {
		if out, err = p.runProc(procOpts{env: env}, "customers", "export", "--format", "csv"); err == nil && out.code == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out.code != 0 {
		t.Fatalf("the surviving server did not recover: %s", out)
	}
	for _, d := range committed {
		if !strings.Contains(out.stdout, ","+d+",") {
			t.Errorf("%s was added (exit 0) but is not in the database", d)
		}
	}
	if len(committed) < clients*each/3 {
		t.Errorf("only %d adds succeeded", len(committed))
	}
	a.stop(t, tokens)
}
