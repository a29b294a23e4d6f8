//go:build linux

package fileutil

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestTargets (issue 14, item 2): a FIFO (as a device) is written in place, never replaced
// by a regular file; a symbolic link is refused and left alone, its target unchanged.
func TestTargets(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	a, err := CreateAtomic(fifo)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(a, "streamed")
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "streamed" {
		t.Errorf("the FIFO's reader got %q", s)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", st.Mode(), err)
	}

	target := filepath.Join(dir, "target.txt")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink("target.txt", link); err != nil {
		t.Fatal(err)
	}
	for _, create := range []func(string) (*AtomicFile, error){CreateAtomic, CreateSecret} {
		_, err = create(link)
		if err == nil || err.Error() != "cannot write "+link+": it is a symbolic link (to target.txt); pcctl does not write through links: name the file itself" {
			t.Errorf("a symbolic link: %v", err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target changed: %q", b)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced")
	}
}

// TestModes (issue 14, item 8): a secret is 0600 whatever the umask or the file replaced;
// another output keeps the replaced file's mode, or takes the umask's.
func TestModes(t *testing.T) {
	dir := t.TempDir()
	write := func(create func(string) (*AtomicFile, error), path string) os.FileMode {
		t.Helper()
		a, err := create(path)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(a, "x")
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	if m := write(CreateAtomic, filepath.Join(dir, "new.csv")); m != 0o600 {
		t.Errorf("a new export under umask 077: %o, want 600", m)
	}
	kept := filepath.Join(dir, "kept.csv")
	os.WriteFile(kept, nil, 0o600)
	os.Chmod(kept, 0o640)
	if m := write(CreateAtomic, kept); m != 0o640 {
		t.Errorf("an export replacing a 0640 file: %o, want 640", m)
	}
	syscall.Umask(0o022)
	if m := write(CreateAtomic, filepath.Join(dir, "new2.csv")); m != 0o644 {
		t.Errorf("a new export under umask 022: %o, want 644", m)
	}
	secret := filepath.Join(dir, "draft.eml")
	os.WriteFile(secret, nil, 0o644)
	os.Chmod(secret, 0o644)
	if m := write(CreateSecret, secret); m != 0o600 {
		t.Errorf("a draft replacing a 0644 file: %o, want 600", m)
	}
	if m := write(CreateSecret, filepath.Join(dir, "new.eml")); m != 0o600 {
		t.Errorf("a new draft: %o, want 600", m)
	}
}
