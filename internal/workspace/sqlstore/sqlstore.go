// Package sqlstore is the SQL both workspace stores share: the statements, rules and
// audit records that are the same whether the workspace is a SQLite file (package sqlite)
// or a PostgreSQL database (package postgres). Each store keeps only its own: opening,
// schema and migrations, search with its own indexes, the bulk paths that really differ,
// and a Dialect for what the two databases spell differently.
//
// The statements are written once in the SQL both databases share, with SQLite's
// placeholders (? and :name, sql.Named): the PostgreSQL store's Querier rewrites them.
// Only the two stores may import this package (internal/archtest).
package sqlstore

import (
	"context"
	"database/sql"
	"io"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Querier runs statements: a store's pool (reads outside transactions) or a transaction.
// *sql.DB and *sql.Tx are Queriers; so are the PostgreSQL store's rewriting wrappers.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a write transaction (Core.WriteTx).
type Tx = Querier

// Reader is what a read needs: a pool or a transaction.
type Reader interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Stmt is a statement prepared in a transaction (Dialect.Prepare).
type Stmt interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, args ...any) *sql.Row
	Close() error
}

// Dialect is what the two databases spell or do differently.
type Dialect interface {
	// InsertPK runs query, an INSERT of one row into a table whose key is pk (without a
	// RETURNING clause), and returns the new row's pk.
	InsertPK(ctx context.Context, tx Tx, query string, args ...any) (int64, error)
	// Prepare prepares query in tx.
	Prepare(ctx context.Context, tx Tx, query string) (Stmt, error)
	// True is the literal for a condition always true ("1", "TRUE").
	True() string
	// EqualNoCase is a condition comparing col to one ? argument, ignoring ASCII case.
	EqualNoCase(col string) string
	// Concat is the aggregate of the text expression expr over a group, joined by commas
	// (group_concat, string_agg).
	Concat(expr string) string
	// Chr is the expression of the character of code n (char(n), chr(n)).
	Chr(n int) string
	// PrefixEnd is appended to a prefix p for the upper bound of the keys starting with
	// p (key >= p AND key < p+PrefixEnd) in the database's collation of text keys.
	PrefixEnd() string
	// PrefixEndSQL is PrefixEnd as an SQL literal.
	PrefixEndSQL() string
	// PendingInvitations is the query of the latest partnership request not accepted for
	// each address that is not an active reseller's: email, name, created_at, ordered by
	// name then email.
	PendingInvitations() string
	// BoolOr is the logical or of two integer booleans a and b (0 or 1), as an integer.
	BoolOr(a, b string) string

	// Bulk imports (ImportDeals).

	// TempTable is the statement creating the transaction's temporary table name, of a
	// text column key, its primary key, and integer columns ints.
	TempTable(name, key string, ints ...string) string
	// Temp is the qualified name of the temporary table name.
	Temp(name string) string
	// JoinInOrder is the join of two tables scanned in the order written (SQLite's
	// planner takes CROSS JOIN so), followed by ON.
	JoinInOrder() string
	// IndexedBy is the hint naming the index a query on a table must use, or "".
	IndexedBy(index string) string
	// ForeignKeysInBulk tells whether a bulk write (an import, a sync's Batch) checks
	// foreign keys at each statement (a batch of rows must then be written after the
	// batches of the rows it refers to).
	ForeignKeysInBulk() bool
	// NextPK makes the table number its next new row (INSERT without a pk) at least
	// next, after rows written with their keys given.
	NextPK(ctx context.Context, tx Tx, table string, next int64) error
	// ExecMayFail runs a statement whose failure the transaction goes on after
	// (PostgreSQL: within a savepoint, as a failed statement fails the transaction).
	ExecMayFail(ctx context.Context, tx Tx, query string) error
	// IsConstraint tells whether err is a constraint refusing a row (unique, check...).
	IsConstraint(err error) bool

	// The sync (ApplySync).

	// JSONEach is the table of the values of one ? argument, a JSON array of strings, as
	// its column value (json_each(?), json_array_elements_text(?::json)).
	JSONEach() string
	// CastInt is the text expression expr as an integer where the database needs it said
	// (a JSONEach value compared with an integer column).
	CastInt(expr string) string
}

// KeySink takes the search keys of the customers a bulk import loads (customer_search):
// SQLite sorts them and appends them in the index's order at the end, PostgreSQL writes
// them as they come.
type KeySink interface {
	// Add takes the key of the customer pk, whose folded name is nameKey.
	Add(ctx context.Context, nameKey, key string, pk int64) error
	// Loaded is called when every customer is loaded, before the indexes are built.
	Loaded(ctx context.Context) error
	// Drop leaves out the keys of the customer pk, removed as a duplicate.
	Drop(ctx context.Context, pk int64) error
	// Finish writes what is left, but the keys of the dropped customers.
	Finish(ctx context.Context, dropped map[int64]bool) error
	Close()
}

// Index is a secondary index a bulk import drops and builds again at the end.
type Index struct{ Name, Create string }

// Core is an open workspace as the shared code sees it; each store fills one in.
type Core struct {
	Pool    Querier // reads outside transactions
	Dialect Dialect
	Clock   func() time.Time
	Random  io.Reader // randomness for new IDs
	// WriteTx runs fn in a write transaction that sees every change committed before it
	// (the store's write lock), committing when fn returns nil.
	WriteTx func(ctx context.Context, fn func(Tx) error) error
	// BulkTx is WriteTx for a bulk import (SQLite: foreign keys off, a larger cache).
	BulkTx func(ctx context.Context, fn func(Tx) error) error
	// SyncTx is WriteTx for a step of a sync (SQLite: a larger cache, kept after).
	SyncTx func(ctx context.Context, fn func(Tx) error) error
	// DealIndexes are the secondary indexes of deals (ImportDeals); CustomerIndexes
	// those of customers (ImportCustomers into an empty workspace).
	DealIndexes, CustomerIndexes []Index
	// SearchKeys takes the search keys of a bulk import of customers in tx.
	SearchKeys func(ctx context.Context, tx Tx) (KeySink, error)
}

// Session is a Core acting for one principal. The stores' sessions embed it, so its
// exported methods are theirs.
type Session struct {
	*Core
	Who domain.Principal
	At  time.Time // the clock of this session (AsAt); zero: the workspace's
	// Search is the store's session, whose customer search uses the store's own
	// indexes (Home's search of requests names the customers found).
	Search interface {
		SearchCustomers(ctx context.Context, text string, limit int) ([]workspace.CustomerRecord, error)
	}
}

// Now is the session's clock.
func (s *Session) now() time.Time {
	if !s.At.IsZero() {
		return s.At
	}
	return s.Clock()
}

// TimeFormat is how times are stored: UTC, to the second, as text.
const TimeFormat = "2006-01-02T15:04:05Z"

// FormatTime is t as stored.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime reads a stored time. The format is always TimeFormat, read here by hand: an
// export parses a million of them and time.Parse is several times slower.
func ParseTime(s string) time.Time {
	if len(s) == len(TimeFormat) && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' {
		num := func(a, b int) (int, bool) {
			n := 0
			for i := a; i < b; i++ {
				if s[i] < '0' || s[i] > '9' {
					return 0, false
				}
				n = n*10 + int(s[i]-'0')
			}
			return n, true
		}
		y, ok1 := num(0, 4)
		mo, ok2 := num(5, 7)
		d, ok3 := num(8, 10)
		h, ok4 := num(11, 13)
		mi, ok5 := num(14, 16)
		se, ok6 := num(17, 19)
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && se < 60 {
			return time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)
		}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
