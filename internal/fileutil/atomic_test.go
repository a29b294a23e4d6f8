package fileutil

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestAtomicFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := CreateAtomic(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(a, "partial"); err != nil {
		t.Fatal(err)
	}
	a.Abort()
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("an aborted write changed the file: %q", b)
	}
	a, _ = CreateAtomic(path)
	if _, err := io.WriteString(a, "new"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("the file changed before Commit: %q", b)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	a.Abort() // after Commit: nothing
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("file holds %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestCreateAtomicRefusesEarly(t *testing.T) {
	dir := t.TempDir()
	if _, err := CreateAtomic(dir); err == nil || !strings.HasSuffix(err.Error(), "it is a folder") {
		t.Fatalf("folder: %v", err)
	}
	if _, err := CreateAtomic(filepath.Join(dir, "missing", "x")); err == nil || !strings.HasSuffix(err.Error(), "no such file or directory") {
		t.Fatalf("missing folder: %v", err)
	}
}

// TestAtomicFileLeavesNoName: on Linux the file being written has no name until Commit
// (O_TMPFILE), so a process killed meanwhile leaves nothing behind; Abort and Commit leave
// only the target (or nothing).
func TestAtomicFileLeavesNoName(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	names := func() []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	a, err := CreateAtomic(path)
	if err != nil {
		t.Fatal(err)
	}
	if !a.unnamed {
		if runtime.GOOS == "linux" {
			t.Logf("this file system has no O_TMPFILE: the temporary file has a name")
		}
		a.Abort()
		t.Skip("no unnamed temporary files here")
	}
	io.WriteString(a, strings.Repeat("x", 1<<20))
	if got := names(); len(got) != 0 {
		t.Errorf("while writing, the folder holds %q, want nothing", got)
	}
	a.Abort()
	if got := names(); len(got) != 0 {
		t.Errorf("after Abort, the folder holds %q, want nothing", got)
	}
	b, err := CreateAtomic(path)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(b, "done\n")
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := names(); len(got) != 1 || got[0] != "out.csv" {
		t.Errorf("after Commit, the folder holds %q, want out.csv alone", got)
	}
	if data, _ := os.ReadFile(path); string(data) != "done\n" {
		t.Errorf("out.csv = %q", data)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
}

// TestAtomicFilePrivate: a file holding a secret is committed readable by its owner only,
// even over a file that was readable by all; another file keeps the mode of the one it
// replaces.
func TestAtomicFilePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	dir := t.TempDir()
	for _, c := range []struct {
		private bool
		want    os.FileMode
	}{{true, 0o600}, {false, 0o644}} {
		path := filepath.Join(dir, fmt.Sprintf("draft-%v.eml", c.private))
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		create := CreateAtomic
		if c.private {
			create = CreateSecret
		}
		a, err := create(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(a, "secret link"); err != nil {
			t.Fatal(err)
		}
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != c.want {
			t.Errorf("private %v: mode %v, %v; want %v", c.private, st.Mode().Perm(), err, c.want)
		}
	}
}
