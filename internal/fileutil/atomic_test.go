package fileutil

import (
	"io"
	"os"
	"path/filepath"
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
