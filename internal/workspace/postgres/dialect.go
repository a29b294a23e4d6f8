package postgres

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// dialect is PostgreSQL's sqlstore.Dialect (the placeholders are rewritten by Tx, sqlx.go).
type dialect struct{}

func (dialect) InsertPK(ctx context.Context, tx sqlstore.Tx, query string, args ...any) (int64, error) {
	var pk int64
	err := tx.QueryRowContext(ctx, query+" RETURNING pk", args...).Scan(&pk)
	return pk, err
}

func (dialect) Prepare(ctx context.Context, tx sqlstore.Tx, query string) (sqlstore.Stmt, error) {
	return tx.(*Tx).PrepareContext(ctx, query)
}

func (dialect) True() string                  { return "TRUE" }
func (dialect) EqualNoCase(col string) string { return "lower(" + col + ") = lower(?)" }
func (dialect) Concat(expr string) string     { return "string_agg(" + expr + ", ',')" }
func (dialect) Chr(n int) string              { return "chr(" + strconv.Itoa(n) + ")" }
func (dialect) PrefixEnd() string             { return "\U0010FFFF" }

// newCore is d as the shared code sees it.
func (d *DB) newCore(random io.Reader) *sqlstore.Core {
	c := &sqlstore.Core{Pool: d.db, Dialect: dialect{}, Clock: d.now, Random: random,
		WriteTx: func(ctx context.Context, fn func(sqlstore.Tx) error) error {
			return d.writeTx(ctx, func(tx *Tx) error { return fn(tx) })
		}}
	c.BulkTx, c.SyncTx = c.WriteTx, c.WriteTx
	c.DealIndexes, c.CustomerIndexes = indexes(dealIndexes), indexes(customerIndexes)
	c.SearchKeys = d.searchKeys
	return c
}

func formatTime(t time.Time) string { return sqlstore.FormatTime(t) }

// parseTime reads a stored time (sqlstore.ParseTime).
func parseTime(s string) time.Time { return sqlstore.ParseTime(s) }

func (dialect) PendingInvitations() string {
	return `SELECT email, name, created_at FROM (SELECT DISTINCT ON (i.email) i.email, i.name, i.created_at
		FROM reseller_invitations i
		WHERE i.accepted_at = '' AND NOT EXISTS (SELECT 1 FROM resellers r WHERE r.email = i.email AND r.status = 'active')
		ORDER BY i.email, i.created_at DESC) latest ORDER BY name, email`
}

func (dialect) BoolOr(a, b string) string { return "greatest(" + a + ", " + b + ")" }
func (dialect) TempTable(name, key string, ints ...string) string {
	cols := key + ` TEXT COLLATE "C" PRIMARY KEY`
	for _, c := range ints {
		cols += ", " + c + " BIGINT"
	}
	return "CREATE TEMP TABLE " + name + "(" + cols + ") ON COMMIT DROP"
}
func (dialect) Temp(name string) string       { return "pg_temp." + name }
func (dialect) JoinInOrder() string           { return "JOIN" }
func (dialect) IndexedBy(index string) string { return "" }
func (dialect) ForeignKeysInBulk() bool       { return true }

// NextPK sets the table's identity sequence.
func (dialect) NextPK(ctx context.Context, tx sqlstore.Tx, table string, next int64) error {
	_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, 'pk'), ?, false)`, table, next)
	return err
}

func (dialect) PrefixEndSQL() string { return "chr(1114111)" }

func indexes(in []struct{ name, create string }) []sqlstore.Index {
	out := make([]sqlstore.Index, len(in))
	for i, ix := range in {
		out[i] = sqlstore.Index{Name: ix.name, Create: ix.create}
	}
	return out
}

func (dialect) JSONEach() string           { return "json_array_elements_text(?::json)" }
func (dialect) CastInt(expr string) string { return expr + "::bigint" }
