package sqlite

import (
	"context"
	"fmt"
	"io"
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
	// What is at dest decides how it is written (issue 14, items 2 and 8): a symbolic link
	// is refused, a device or FIFO is written in place, a regular file (or nothing) is
	// replaced by a rename, and the backup (it holds token hashes and invitation tokens)
	// is 0600 from its creation on.
	inPlace := false
	if st, err := os.Lstat(abs); err == nil {
		switch {
		case st.IsDir():
			return 0, fmt.Errorf("cannot write %s: it is a folder", dest)
		case st.Mode()&os.ModeSymlink != 0:
			to, _ := os.Readlink(abs)
			return 0, fmt.Errorf("cannot write %s: it is a symbolic link (to %s); pcctl does not write through links: name the file itself", dest, to)
		case !st.Mode().IsRegular():
			inPlace = true
		case !replace:
			return 0, fmt.Errorf("%s exists: choose another name, or pass --force to replace it", dest)
		}
	}
	dir := filepath.Dir(abs)
	if inPlace {
		dir = os.TempDir()
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(abs)+".*.tmp") // 0600, empty: VACUUM INTO fills it
	if err != nil {
		return 0, fmt.Errorf("cannot write %s: %w", dest, plainErrOf(err))
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if _, err := d.db.ExecContext(ctx, `VACUUM INTO ?`, tmp.Name()); err != nil {
		return 0, fmt.Errorf("backing up to %s: %w", dest, err)
	}
	if inPlace {
		return copyInto(tmp.Name(), abs, dest)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return 0, fmt.Errorf("cannot write %s: %w", dest, plainErrOf(err))
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

// copyInto streams the backup at from into the device or FIFO at abs (dest as the user
// named it), without replacing it.
func copyInto(from, abs, dest string) (int64, error) {
	src, err := os.Open(from)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	out, err := os.OpenFile(abs, os.O_WRONLY, 0)
	if err != nil {
		return 0, fmt.Errorf("cannot write %s: %w", dest, plainErrOf(err))
	}
	n, err := io.Copy(out, src)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("writing %s: %w", dest, plainErrOf(err))
	}
	return n, nil
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
