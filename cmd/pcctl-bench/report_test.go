package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRows(t *testing.T) {
	r := ratioRow("export", 1900*time.Millisecond, time.Second, 2)
	if r.ratio != "1.90×" || r.status != pass || r.value != "1.90 s" {
		t.Errorf("ratioRow = %+v", r)
	}
	if r := ratioRow("export", 2100*time.Millisecond, time.Second, 2); r.status != fail {
		t.Errorf("2.1× passed a 2× target: %+v", r)
	}
	if r := limitRow("search", 25*time.Millisecond, 25*time.Millisecond); r.status != fail || r.value != "25.0 ms" {
		t.Errorf("limitRow at the limit = %+v", r)
	}
	if r := memRow("rss", 24<<20, 12<<20, 64<<20); r.status != pass || r.value != "24.0 MB" || r.ratio != "2.00×" {
		t.Errorf("memRow = %+v", r)
	}
	if got := fmtDur(1540 * time.Microsecond); got != "1.54 ms" {
		t.Errorf("fmtDur = %q", got)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 20000: "20,000", 1000000: "1,000,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestWriteDoc(t *testing.T) {
	path := filepath.Join(t.TempDir(), "performance.md")
	doc := "# Performance\n\nprose\n\n" + beginMarker + "\n\nold figures\n\n" + endMarker + "\n\nmore prose\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	b := &harness{runs: 5, rows: []row{limitRow("search", 12*time.Millisecond, 25*time.Millisecond)},
		notes: []string{"a note"}}
	for range 2 { // twice: the second run replaces the first one's figures
		if err := b.writeDoc(path); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(path)
	s := string(got)
	for _, want := range []string{"# Performance\n\nprose\n\n" + beginMarker, "| search | 12.0 ms | – | – | < 25.0 ms | yes |",
		"- a note", endMarker + "\n\nmore prose\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("doc lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "old figures") || strings.Count(s, "| search |") != 1 {
		t.Errorf("figures not replaced:\n%s", s)
	}

	if err := os.WriteFile(path, []byte("no markers"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.writeDoc(path); err == nil {
		t.Error("writeDoc without markers succeeded")
	}
}
