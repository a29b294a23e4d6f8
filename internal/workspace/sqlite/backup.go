package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the workspace to dest with VACUUM INTO: one read
// transaction, so other processes may go on writing meanwhile, and the copy is compact.
// The copy is made under a temporary name and renamed at the end, so dest is never seen
// half written; an existing dest is refused unless replace.
func (d *DB) Backup(ctx context.Context, dest string, replace bool) (size int64, err error) {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return 0, err
	}
	if abs == d.path {
		return 0, fmt.Errorf("cannot back up workspace %s onto itself", d.path)
	}
	if st, err := os.Stat(abs); err == nil {
		if st.IsDir() {
			return 0, fmt.Errorf("cannot write %s: it is a folder", dest)
		}
		if !replace {
			return 0, fmt.Errorf("%s exists: choose another name, or pass --force to replace it", dest)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("cannot write %s: %w", dest, plainErrOf(err))
	}
	tmp.Close()
	os.Remove(tmp.Name()) // VACUUM INTO wants a file that does not exist
	defer os.Remove(tmp.Name())
	if _, err := d.db.ExecContext(ctx, `VACUUM INTO ?`, tmp.Name()); err != nil {
		return 0, fmt.Errorf("backing up to %s: %w", dest, err)
	}
	if err := os.Rename(tmp.Name(), abs); err != nil {
		return 0, fmt.Errorf("cannot write %s: %w", dest, plainErrOf(err))
	}
	st, err := os.Stat(abs)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func plainErrOf(err error) error { return fmt.Errorf("%s", plainErr(err)) }

// Check runs SQLite's integrity check and foreign key check and returns the problems
// found, none when the workspace is sound.
func (d *DB) Check(ctx context.Context) ([]string, error) {
	var problems []string
	rows, err := d.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, d.openErr(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return nil, err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, d.openErr(err)
	}
	fk, err := d.db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, err
	}
	defer fk.Close()
	for fk.Next() {
		var table, parent string
		var rowid, index any
		if err := fk.Scan(&table, &rowid, &parent, &index); err != nil {
			return nil, err
		}
		problems = append(problems, fmt.Sprintf("row %v of %s refers to a missing row of %s", rowid, table, parent))
	}
	return problems, fk.Err()
}
