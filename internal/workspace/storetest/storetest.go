// Package storetest opens the workspace stores for the tests of the packages that work on
// any of them (sync, publishing, write-through): a workspace file, or a PostgreSQL
// database in a schema of its own (PCCTL_TEST_DATABASE_URL; see pgtest). Only tests
// import it.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/postgres"
	"github.com/pcctl/pcctl/internal/workspace/postgres/pgtest"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// Store is an open workspace before it is bound to a principal.
type Store interface {
	As(domain.Principal) workspace.Workspace
	Close() error
}

// Opener opens a store for one test; it is closed when the test ends.
type Opener func(t *testing.T) Store

// SQLite opens a new workspace file in the test's temporary folder.
func SQLite(t *testing.T) Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ws.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var schemas atomic.Int64

// Postgres gives an Opener of workspaces on the test database, each in a new schema named
// after prefix (dropped when its test ends); it skips the calling test, loudly, when there
// is no test database.
func Postgres(t *testing.T, prefix string) Opener {
	t.Helper()
	url := pgtest.Require(t)
	return func(t *testing.T) Store {
		t.Helper()
		dsn := pgtest.WithSchema(t, url, fmt.Sprintf("%s%d_%d", prefix, os.Getpid(), schemas.Add(1)))
		db, err := postgres.Open(context.Background(), dsn, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
}
