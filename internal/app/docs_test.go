package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestManPages runs the man page generator (cmd/pcctl-docs, what `make manpages` runs)
// into a temporary folder and checks that every available command has its page, that
// there is no other page, and that the pages carry the commands' examples.
func TestManPages(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run cmd/pcctl-docs with")
	}
	dir := t.TempDir()
	gen := exec.Command(goTool, "run", "./cmd/pcctl-docs", "-dir", dir, "-version", "v9.8.7", "-date", "2026-01-02")
	gen.Dir = filepath.Join("..", "..")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("go run ./cmd/pcctl-docs: %v\n%s", err, out)
	}

	want := map[string]*cobra.Command{} // page file name -> command
	for _, c := range commands(false) {
		if c.Name() != "help" { // the help command has no man page of its own
			want[strings.ReplaceAll(c.CommandPath(), " ", "-")+".1"] = c
		}
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
		if want[e.Name()] == nil {
			t.Errorf("man page %s names no available command", e.Name())
		}
	}
	for name, c := range want {
		if !slices.Contains(got, name) {
			t.Errorf("%q has no man page %s", c.CommandPath(), name)
			continue
		}
		page := readPage(t, filepath.Join(dir, name))
		if !strings.Contains(page, `"pcctl v9.8.7"`) || !strings.Contains(page, `"Jan 2026"`) {
			t.Errorf("%s: the header lacks the version or the date given:\n%s", name, firstLine(page, ".TH"))
		}
		if strings.Contains(page, "Auto generated") {
			t.Errorf("%s has cobra's auto-generated tag (it makes the output change every day)", name)
		}
	}

	const importPage = "pcctl-customers-import.1"
	importCmd := want[importPage]
	if importCmd == nil {
		t.Fatalf("no command for %s", importPage)
	}
	if strings.TrimSpace(importCmd.Example) == "" {
		t.Fatalf("%q has no example", importCmd.CommandPath())
	}
	page := readPage(t, filepath.Join(dir, importPage))
	if !strings.Contains(page, ".SH EXAMPLE") {
		t.Errorf("%s has no EXAMPLE section", importPage)
	}
	for _, line := range strings.Split(importCmd.Example, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.Contains(page, line) {
			t.Errorf("%s lacks the example line %q", importPage, line)
		}
	}
}

// readPage returns a man page with roff's escaped hyphens (\-) made plain.
func readPage(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), `\-`, "-")
}

func firstLine(text, prefix string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

// TestDocsCommandsUpToDate regenerates the markdown command reference (what `make docs`
// runs) into a temporary folder and compares it with docs/commands/, file by file: a
// command, flag or help text changed without `make docs` fails here.
func TestDocsCommandsUpToDate(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run cmd/pcctl-docs with")
	}
	dir := t.TempDir()
	gen := exec.Command(goTool, "run", "./cmd/pcctl-docs", "-markdown", dir)
	gen.Dir = filepath.Join("..", "..")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("go run ./cmd/pcctl-docs -markdown: %v\n%s", err, out)
	}
	const fix = "docs/commands/ is stale: run `make docs` (go run ./cmd/pcctl-docs -markdown docs/commands) and commit the result"
	tracked := filepath.Join("..", "..", "docs", "commands")
	want := markdownFiles(t, dir)
	got := markdownFiles(t, tracked)
	for name, content := range want {
		old, ok := got[name]
		switch {
		case !ok:
			t.Errorf("docs/commands/%s is missing; %s", name, fix)
		case old != content:
			t.Errorf("docs/commands/%s differs from the command tree; %s", name, fix)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("docs/commands/%s names no command; %s", name, fix)
		}
	}

	// Every available command has its page (the help command has none, as with man pages).
	for _, c := range commands(false) {
		if c.Name() == "help" {
			continue
		}
		if _, ok := want[strings.ReplaceAll(c.CommandPath(), " ", "_")+".md"]; !ok {
			t.Errorf("%q has no page in the generated reference", c.CommandPath())
		}
	}
}

func markdownFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}
