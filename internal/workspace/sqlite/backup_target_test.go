//go:build linux

package sqlite

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestBackupTargets (issue 14, items 2 and 8): a backup is 0600 (it holds token hashes
// and invitation tokens), even replacing a 0644 file under umask 022; a symbolic link is
// refused; a FIFO is written in place, not replaced.
func TestBackupTargets(t *testing.T) {
	dir := t.TempDir()
	db, _ := openTest(t, filepath.Join(dir, "ws.db"))
	ctx := context.Background()
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	copyPath := filepath.Join(dir, "copy.db")
	os.WriteFile(copyPath, []byte("old"), 0o644)
	if _, err := db.Backup(ctx, copyPath, true); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(copyPath); st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %o, want 600", st.Mode().Perm())
	}
	link := filepath.Join(dir, "link.db")
	os.Symlink("copy.db", link)
	if _, err := db.Backup(ctx, link, true); err == nil || err.Error() != "cannot write "+link+": it is a symbolic link (to copy.db); pcctl does not write through links: name the file itself" {
		t.Errorf("backup onto a symbolic link: %v", err)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	n := make(chan int, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			n <- -1
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		n <- len(b)
	}()
	size, err := db.Backup(ctx, fifo, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := <-n; got == 0 || int64(got) != size {
		t.Errorf("the FIFO's reader got %d bytes, the backup says %d", got, size)
	}
	if st, _ := os.Lstat(fifo); st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced by %v", st.Mode())
	}
}

// TestUntrustedWorkspace (issue 14, item 9): a workspace file every user may write is
// refused, naming the fix; made private again, it opens.
func TestUntrustedWorkspace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	db, _ := openTest(t, path)
	db.Close()
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path, Options{})
	var oe *OpenError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "can be written by every user (mode 0666): anyone could add a user or an access token to it. Make it private with 'chmod 600 "+path+"'") {
		t.Fatalf("a world-writable workspace: %v", err)
	}
	os.Chmod(path, 0o600)
	db2, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
}
