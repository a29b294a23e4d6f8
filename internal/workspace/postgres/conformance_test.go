package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/workspace/conformance"
	"github.com/pcctl/pcctl/internal/workspace/postgres/pgtest"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

func TestMain(m *testing.M) {
	if pgtest.URL() == "" {
		fmt.Fprint(os.Stderr, pgtest.SkipMessage)
	}
	os.Exit(m.Run())
}

var schemas atomic.Int64

// openTest opens a workspace in a schema of its own on the test database, dropped when
// the test ends.
func openTest(t *testing.T, now func() time.Time) *DB {
	t.Helper()
	url := pgtest.Require(t)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), schemas.Add(1))
	dsn := pgtest.WithSchema(t, url, name)
	db, err := Open(context.Background(), dsn, Options{Now: now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	db.dsn = dsn
	return db
}

func harness() conformance.Harness {
	return conformance.Harness{
		Open: func(t *testing.T, now func() time.Time) conformance.Store { return openTest(t, now) },
		Reopen: func(s conformance.Store) (conformance.Store, error) {
			return Open(context.Background(), s.(*DB).dsn, Options{})
		},
		QueryRow: func(s conformance.Store, q string, args ...any) *sql.Row {
			return s.(*DB).db.QueryRowContext(context.Background(), q, args...)
		},
		Query: func(s conformance.Store, q string, args ...any) (*sql.Rows, error) {
			return s.(*DB).db.QueryContext(context.Background(), q, args...)
		},
		Exec: func(s conformance.Store, q string, args ...any) error {
			_, err := s.(*DB).db.ExecContext(context.Background(), q, args...)
			return err
		},
		Check: func(s conformance.Store) ([]string, error) { return s.(*DB).Check(context.Background()) },
		HasIndex: func(s conformance.Store, name string) bool {
			var ok bool
			err := s.(*DB).db.QueryRowContext(context.Background(), `SELECT to_regclass(?) IS NOT NULL`, name).Scan(&ok)
			return err == nil && ok
		},
		SetImportChunk: sqlstore.SetImportChunk,
		SetRandom:      func(s conformance.Store, r io.Reader) { s.(*DB).core.Random = r },
	}
}

// TestConformance runs the behaviour every workspace shares on a PostgreSQL database.
func TestConformance(t *testing.T) { conformance.Run(t, harness()) }

var _ = strings.TrimSpace
