// Package conformance is the behaviour of workspace.Workspace as one suite of tests, run
// by each implementation's own tests (the SQLite file, the PostgreSQL database) against a
// fresh workspace of its kind: what the interface promises holds the same on both.
//
// Tests of one storage's own matters (its files, its query plans, its bulk paths) stay in
// that storage's package.
package conformance

import (
	"context"
	"database/sql"
	"io"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Store is an open workspace, before it is bound to a principal.
type Store interface {
	As(domain.Principal) workspace.Workspace
	Close() error
	// Authenticate is Workspace.Authenticate for a server, which has no principal yet.
	Authenticate(ctx context.Context, secret string) (domain.Principal, domain.Token, error)
	// RelationshipRequest is the public acceptance page's look-up of a relationship request.
	RelationshipRequest(ctx context.Context, token string) (domain.RelationshipRequest, error)
}

// Harness is what a storage gives the suite.
type Harness struct {
	// Open opens a new, empty workspace whose clock is now, closed when the test ends.
	Open func(t *testing.T, now func() time.Time) Store
	// Reopen opens another handle onto s's workspace: another process on the same file,
	// another server on the same database. Its clock is the real one.
	Reopen func(s Store) (Store, error)
	// QueryRow and Exec run a statement on the storage itself, for what the interface
	// cannot show (a secret never stored, the audit log refusing changes). Statements are
	// in the SQL both storages share, with ? placeholders.
	QueryRow func(s Store, query string, args ...any) *sql.Row
	Query    func(s Store, query string, args ...any) (*sql.Rows, error)
	Exec     func(s Store, query string, args ...any) error
	// Check is the storage's own consistency check (workspace check): the problems found.
	Check func(s Store) ([]string, error)
	// HasIndex tells whether the storage has the index of that name.
	HasIndex func(s Store, name string) bool
	// SetImportChunk sets how many rows a deal import resolves and writes together, and
	// returns what restores it (small chunks: duplicates across chunk boundaries).
	SetImportChunk func(n int) (restore func())
	// FlushUses writes the token uses Authenticate noted and has not written yet (a
	// storage that writes last_used_at off the request's path), or is nil.
	FlushUses func(s Store) error
	// SetRandom replaces the randomness s draws new IDs and references from.
	SetRandom func(s Store, r io.Reader)
}

// Run runs the whole suite, each test as a subtest.
func Run(t *testing.T, h Harness) {
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) { c.fn(t, h) })
	}
}

type test struct {
	name string
	fn   func(*testing.T, Harness)
}

var testNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// clock is a settable clock for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openTest(t *testing.T, h Harness) (Store, *clock) {
	t.Helper()
	clk := &clock{t: testNow}
	return h.Open(t, clk.now), clk
}

func alice(db Store) workspace.Workspace { return db.As(domain.Owner("alice@contoso.com")) }
