package sqlite

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/workspace/conformance"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// harness runs the conformance suite on workspace files.
func harness() conformance.Harness {
	return conformance.Harness{
		Open: func(t *testing.T, now func() time.Time) conformance.Store {
			path := filepath.Join(t.TempDir(), "ws.db")
			db, err := Open(context.Background(), path, Options{Now: now})
			if err != nil {
				t.Fatalf("Open(%s): %v", path, err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		Reopen: func(s conformance.Store) (conformance.Store, error) {
			return Open(context.Background(), s.(*DB).path, Options{})
		},
		QueryRow: func(s conformance.Store, q string, args ...any) *sql.Row { return s.(*DB).db.QueryRow(q, args...) },
		Query: func(s conformance.Store, q string, args ...any) (*sql.Rows, error) {
			return s.(*DB).db.Query(q, args...)
		},
		Exec: func(s conformance.Store, q string, args ...any) error {
			_, err := s.(*DB).db.Exec(q, args...)
			return err
		},
		Check: func(s conformance.Store) ([]string, error) { return s.(*DB).Check(context.Background()) },
		HasIndex: func(s conformance.Store, name string) bool {
			var n int
			err := s.(*DB).db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?`, name).Scan(&n)
			return err == nil && n == 1
		},
		SetImportChunk: sqlstore.SetImportChunk,
		SetRandom:      func(s conformance.Store, r io.Reader) { s.(*DB).core.Random = r },
		FlushUses:      func(s conformance.Store) error { return s.(*DB).uses.flush(context.Background()) },
	}
}

// TestConformance runs the behaviour every workspace shares on a workspace file.
func TestConformance(t *testing.T) { conformance.Run(t, harness()) }
