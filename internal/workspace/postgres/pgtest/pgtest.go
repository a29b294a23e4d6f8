// Package pgtest gives tests the PostgreSQL database they run against: the URL in
// PCCTL_TEST_DATABASE_URL (.ci/run starts a throwaway cluster and sets it). Without it,
// the PostgreSQL tests are skipped, and said so loudly.
package pgtest

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Env names the variable holding the test database's URL.
const Env = "PCCTL_TEST_DATABASE_URL"

// SkipMessage is what a run without a database says.
const SkipMessage = "\n*** PostgreSQL tests SKIPPED: " + Env + " is not set. Run .ci/run, or set it to a\n" +
	"*** database the tests may create and drop schemas in (postgres://user@host:port/db). ***\n"

// URL is the test database's URL, "" when there is none.
func URL() string { return os.Getenv(Env) }

// Require returns the test database's URL, or skips the test.
func Require(t testing.TB) string {
	t.Helper()
	u := URL()
	if u == "" {
		t.Skip(SkipMessage)
	}
	return u
}

// WithSchema creates a schema of that name on the database (dropped when the test ends)
// and returns the URL of a connection that works in it.
func WithSchema(t testing.TB, dbURL, name string) string {
	t.Helper()
	dsn, drop, err := CreateSchema(dbURL, name)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	t.Cleanup(drop)
	return dsn
}

// CreateSchema creates a schema of that name on the database and returns the URL of a
// connection that works in it, and what drops it.
func CreateSchema(dbURL, name string) (dsn string, drop func(), err error) {
	ctx := context.Background()
	id := pgx.Identifier{name}.Sanitize()
	exec := func(stmt string) error {
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, stmt)
		return err
	}
	if err := exec(`DROP SCHEMA IF EXISTS ` + id + ` CASCADE; CREATE SCHEMA ` + id); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), func() { _ = exec(`DROP SCHEMA IF EXISTS ` + id + ` CASCADE`) }, nil
}
