package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// withConn runs fn on one connection of the pool, in pgx's own terms (COPY needs them).
func (d *DB) withConn(ctx context.Context, fn func(*pgx.Conn) error) error {
	c, err := d.db.Conn(ctx)
	if err != nil {
		return d.txErr(err)
	}
	defer c.Close()
	return c.Raw(func(dc any) error { return fn(dc.(*stdlib.Conn).Conn()) })
}

// Snapshot runs fn in one REPEATABLE READ, READ ONLY transaction: what it reads is one
// state of the database, while servers go on writing.
func (d *DB) Snapshot(ctx context.Context, fn func(workspace.TableReader) error) error {
	return d.withConn(ctx, func(c *pgx.Conn) error {
		tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return d.txErr(err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		return fn(&tables{tx: tx})
	})
}

// tables reads and writes the workspace's tables through one transaction.
type tables struct{ tx pgx.Tx }

func (t *tables) Tables(ctx context.Context) ([]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
		AND c.relkind = 'r' AND c.relname NOT IN ('pcctl_schema', 'pcctl_version') ORDER BY c.oid`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func (t *tables) Count(ctx context.Context, table string) (int64, error) {
	var n int64
	err := t.tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n)
	return n, err
}

func (t *tables) Rows(ctx context.Context, table string, cols []string, each func([]any) error) error {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pgx.Identifier{c}.Sanitize()
	}
	rows, err := t.tx.Query(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+pgx.Identifier{table}.Sanitize())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		for i, v := range vals {
			if n, ok := v.(int32); ok {
				vals[i] = int64(n)
			}
		}
		if err := each(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *tables) Columns(ctx context.Context, table string) ([]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Write appends the rows with COPY.
func (t *tables) Write(ctx context.Context, table string, cols []string, next func() ([]any, error)) (int64, error) {
	var row []any
	var err error
	src := pgx.CopyFromFunc(func() ([]any, error) {
		row, err = next()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return row, err
	})
	return t.tx.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
}

// Empty tells whether the workspace holds no record.
func (d *DB) Empty(ctx context.Context) (bool, error) { return sqlstore.Empty(ctx, d.Snapshot) }

// Load runs fn in one transaction holding the write lock, on the workspace's tables
// dropped and created afresh (the audit log included: a load replaces the workspace), and
// numbers the identity columns after the rows loaded. It is written whole or not at all;
// servers' writes wait for it, their reads see the workspace as it was until it commits.
func (d *DB) Load(ctx context.Context, fn func(workspace.TableWriter) error) error {
	return d.withConn(ctx, func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return d.txErr(err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLock); err != nil {
			return d.txErr(err)
		}
		t := &tables{tx: tx}
		names, err := t.Tables(ctx)
		if err != nil {
			return err
		}
		for _, name := range names {
			if _, err := tx.Exec(ctx, `DROP TABLE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DROP FUNCTION IF EXISTS pcctl_audit_append_only() CASCADE; DELETE FROM pcctl_schema`); err != nil {
			return err
		}
		for _, m := range migrations {
			if _, err := tx.Exec(ctx, m); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO pcctl_schema(version) VALUES (%d); UPDATE pcctl_version SET n = n + 1`, LatestSchema)); err != nil {
			return err
		}
		// Rows load faster into tables without their secondary indexes, built once at the
		// end from the data (the customers' and the search keys', the large ones).
		for _, ix := range customerIndexes {
			if _, err := tx.Exec(ctx, `DROP INDEX `+ix.name); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `ALTER TABLE customer_search DROP CONSTRAINT customer_search_pkey`); err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
			return err
		}
		for _, ix := range customerIndexes {
			if _, err := tx.Exec(ctx, ix.create); err != nil {
				return fmt.Errorf("building index %s: %w", ix.name, err)
			}
		}
		if _, err := tx.Exec(ctx, `ALTER TABLE customer_search ADD PRIMARY KEY (prefix, name_key, customer, key)`); err != nil {
			return fmt.Errorf("building the search index: %w", err)
		}
		// The rows kept their keys: identity columns must number after them.
		rows, err := tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND is_identity = 'YES'`)
		if err != nil {
			return err
		}
		type ident struct{ table, col string }
		var idents []ident
		for rows.Next() {
			var i ident
			if err := rows.Scan(&i.table, &i.col); err != nil {
				rows.Close()
				return err
			}
			idents = append(idents, i)
		}
		rows.Close()
		for _, i := range idents {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(%s), 0) + 1, false) FROM %s`,
				pgx.Identifier{i.col}.Sanitize(), pgx.Identifier{i.table}.Sanitize()), i.table, i.col); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `ANALYZE`); err != nil {
			return err
		}
		return d.txErr(tx.Commit(ctx))
	})
}
