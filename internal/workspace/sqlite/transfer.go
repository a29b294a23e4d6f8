package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strings"

	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// Snapshot runs fn in one read transaction: what it reads is one state of the file, while
// other processes go on writing (WAL).
func (d *DB) Snapshot(ctx context.Context, fn func(workspace.TableReader) error) error {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// A read transaction starts at its first read: read now, so the snapshot is taken.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return err
	}
	return fn(&tables{tx: tx})
}

// tables reads and writes the tables through one transaction.
type tables struct{ tx *sql.Tx }

func (t *tables) Tables(ctx context.Context) ([]string, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (t *tables) Count(ctx context.Context, table string) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(table)).Scan(&n)
	return n, err
}

func (t *tables) Rows(ctx context.Context, table string, cols []string, each func([]any) error) error {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+quoteIdent(table))
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		if err := each(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *tables) Columns(ctx context.Context, table string) ([]string, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}

func (t *tables) Write(ctx context.Context, table string, cols []string, next func() ([]any, error)) (int64, error) {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	b, err := sqlstore.NewBatch(ctx, dialect{}, t.tx, `INSERT INTO `+quoteIdent(table)+`(`+strings.Join(quoted, ", ")+`) VALUES`, len(cols), max(1, 900/len(cols)))
	if err != nil {
		return 0, err
	}
	defer b.Close()
	quiet := context.WithoutCancel(ctx)
	var n int64
	for {
		if n%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		row, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if err := b.Add(quiet, row...); err != nil {
			return n, err
		}
		n++
	}
	return n, b.Flush(quiet)
}

// Empty tells whether the workspace holds no record.
func (d *DB) Empty(ctx context.Context) (bool, error) { return sqlstore.Empty(ctx, d.Snapshot) }

// Load runs fn in one write transaction on the emptied workspace (every table's rows
// deleted, the audit log's triggers lifted for that and put back), foreign keys checked at
// the commit: the load is written whole or not at all.
func (d *DB) Load(ctx context.Context, fn func(workspace.TableWriter) error) error {
	return d.writeTxWith(ctx, `PRAGMA foreign_keys = OFF`, `PRAGMA foreign_keys = ON`, func(tx *sql.Tx) error {
		t := &tables{tx: tx}
		names, err := t.Tables(ctx)
		if err != nil {
			return err
		}
		var triggers []string
		rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'audit_log'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return err
			}
			triggers = append(triggers, s)
		}
		rows.Close()
		for _, name := range []string{"audit_log_no_update", "audit_log_no_delete"} {
			if _, err := tx.ExecContext(ctx, `DROP TRIGGER IF EXISTS `+name); err != nil {
				return err
			}
		}
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(name)); err != nil {
				return err
			}
		}
		for _, s := range triggers {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		if err := fn(t); err != nil {
			return err
		}
		// Foreign keys were off for the load: check them now, before the commit.
		var problems int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&problems); err != nil {
			return err
		}
		if problems > 0 {
			return errors.New("the copy breaks references between tables: nothing was written")
		}
		return nil
	})
}
