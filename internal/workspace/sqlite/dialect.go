package sqlite

import (
	"context"
	"database/sql"
	"io"
	"strconv"
	"time"

	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// dialect is SQLite's sqlstore.Dialect.
type dialect struct{}

func (dialect) InsertPK(ctx context.Context, tx sqlstore.Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (dialect) Prepare(ctx context.Context, tx sqlstore.Tx, query string) (sqlstore.Stmt, error) {
	return tx.(interface {
		PrepareContext(context.Context, string) (*sql.Stmt, error)
	}).PrepareContext(ctx, query)
}

func (dialect) True() string                  { return "1" }
func (dialect) EqualNoCase(col string) string { return col + " = ? COLLATE NOCASE" }
func (dialect) Concat(expr string) string     { return "group_concat(" + expr + ")" }
func (dialect) Chr(n int) string              { return "char(" + strconv.Itoa(n) + ")" }
func (dialect) PrefixEnd() string             { return "\xff" }

// core is d as the shared code sees it.
func (d *DB) newCore(random io.Reader) *sqlstore.Core {
	return &sqlstore.Core{Pool: d.db, Dialect: dialect{}, Clock: d.now, Random: random,
		WriteTx: func(ctx context.Context, fn func(sqlstore.Tx) error) error {
			return d.writeTx(ctx, func(tx *sql.Tx) error { return fn(tx) })
		},
		// The new deals, their solutions and indexes are tens of megabytes of pages: with
		// the default 2 MB cache they would be spilled to the WAL and read back many
		// times. Foreign keys are off for the transaction: every key written is one the
		// import just read or allocated (the tests run foreign_key_check), and checking
		// them cost a random read of the million-row customers table per deal, and a
		// statement journal per multi-row INSERT. Temporary tables stay in memory.
		BulkTx: func(ctx context.Context, fn func(sqlstore.Tx) error) error {
			return d.writeTxWith(ctx, `PRAGMA foreign_keys = OFF; PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY`,
				`PRAGMA foreign_keys = ON; PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT`,
				func(tx *sql.Tx) error { return fn(tx) })
		},
		// A sync writes page after page on this connection: a page cache of 16 MiB keeps
		// the upper levels of the ID indexes in memory from one page to the next (the
		// default is 2 MiB) within the memory target (150 MB). It is left as it is after
		// the step.
		SyncTx: func(ctx context.Context, fn func(sqlstore.Tx) error) error {
			return d.writeTxWith(ctx, `PRAGMA cache_size = -16384`, `SELECT 1`, func(tx *sql.Tx) error { return fn(tx) })
		},
		DealIndexes: indexes(dealIndexes), CustomerIndexes: indexes(customerIndexes), SearchKeys: d.searchKeys}
}

func indexes(in []struct{ name, create string }) []sqlstore.Index {
	out := make([]sqlstore.Index, len(in))
	for i, ix := range in {
		out[i] = sqlstore.Index{Name: ix.name, Create: ix.create}
	}
	return out
}

func formatTime(t time.Time) string { return sqlstore.FormatTime(t) }

// parseTime reads a stored time (sqlstore.ParseTime).
func parseTime(s string) time.Time { return sqlstore.ParseTime(s) }

func (dialect) PendingInvitations() string {
	// SQLite takes the bare columns of the row where max() is found.
	return `SELECT i.email, i.name, max(i.created_at) FROM reseller_invitations i
		WHERE i.accepted_at = '' AND NOT EXISTS (SELECT 1 FROM resellers r WHERE r.email = i.email AND r.status = 'active')
		GROUP BY i.email ORDER BY i.name, i.email`
}

func (dialect) BoolOr(a, b string) string { return a + " OR " + b }
func (dialect) TempTable(name, key string, ints ...string) string {
	cols := key + " TEXT PRIMARY KEY"
	for _, c := range ints {
		cols += ", " + c + " INTEGER"
	}
	return "CREATE TEMP TABLE " + name + "(" + cols + ") WITHOUT ROWID"
}
func (dialect) Temp(name string) string       { return "temp." + name }
func (dialect) JoinInOrder() string           { return "CROSS JOIN" }
func (dialect) IndexedBy(index string) string { return " INDEXED BY " + index }
func (dialect) ForeignKeysInBulk() bool       { return false }

// NextPK: an INTEGER PRIMARY KEY numbers after the largest there.
func (dialect) NextPK(context.Context, sqlstore.Tx, string, int64) error { return nil }

func (dialect) PrefixEndSQL() string { return `x'ff'` }

func (dialect) JSONEach() string           { return "json_each(?)" }
func (dialect) CastInt(expr string) string { return expr }
