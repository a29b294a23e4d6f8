package archtest

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The repository stands on its own: no tracked file names a path outside it. A clone has
// nothing beside it, so a relative path climbing above the repository's root (as the
// shared folder beside the first checkout was named) or an absolute path on the machine it was written on
// points at nothing.

// relPath is a relative path that climbs: one or more parent steps and what follows.
var relPath = regexp.MustCompile(`(?:^|[\s"'` + "`" + `(\[<=:,])((?:\.\./)+[A-Za-z0-9_.\-/]*)`)

// machinePaths are absolute paths of the machines pcctl is built on, never of a clone.
var machinePaths = []string{"/" + "work/"}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the repository's root %s has no go.mod: %v", root, err)
	}
	return root
}

// trackedFiles lists the repository's files: git's list when git knows the tree, else every
// file under the root but .git.
func trackedFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil && len(out) > 0 {
		var files []string
		for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
			files = append(files, filepath.FromSlash(f))
		}
		return files
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// outsidePaths returns the paths named in text (the file rel, relative to the root) that
// lie outside the repository. A path that climbs is fine when, read from the
// file's folder, it stays inside and exists (a link between docs, a test's testdata); else
// it was written from somewhere else (the root, a sibling checkout) and names what a clone
// lacks. exists says whether a path relative to the root exists.
func outsidePaths(rel string, text []byte, exists func(string) bool) []string {
	var bad []string
	dir := filepath.Dir(rel)
	for _, m := range relPath.FindAllSubmatch(text, -1) {
		p := string(m[1])
		if last := p[strings.LastIndex(p, "/")+1:]; len(last) == 1 {
			// "UP/UP/x": a hostile value in a security test or its catalogue row (a
			// token that tries to climb), not a reference to a file.
			continue
		}
		r := filepath.Clean(filepath.Join(dir, p))
		if r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || !exists(r) {
			bad = append(bad, p)
		}
	}
	for _, prefix := range machinePaths {
		for i := 0; ; {
			j := bytes.Index(text[i:], []byte(prefix))
			if j < 0 {
				break
			}
			i += j
			end := i + len(prefix)
			for end < len(text) && !bytes.ContainsRune([]byte(" \t\n\"'`)]>,;"), rune(text[end])) {
				end++
			}
			bad = append(bad, string(text[i:end]))
			i = end
		}
	}
	return bad
}

func TestNoPathOutsideRepository(t *testing.T) {
	root := repoRoot(t)
	files := trackedFiles(t, root)
	if len(files) < 50 {
		t.Fatalf("only %d files found under %s: the walk is broken", len(files), root)
	}
	for _, rel := range files {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the work tree, not yet in git's index
			}
			t.Fatal(err)
		}
		if bytes.IndexByte(b, 0) >= 0 {
			continue // binary
		}
		exists := func(p string) bool { _, err := os.Stat(filepath.Join(root, p)); return err == nil }
		for _, p := range outsidePaths(rel, b, exists) {
			t.Errorf("%s names %q, a path outside the repository: a clone has no such file; "+
				"copy what is needed under testdata/ or docs/ and name that", rel, p)
		}
	}
}

func TestOutsidePaths(t *testing.T) {
	// UP/ stands for a parent step.
	for _, tc := range []struct {
		file, text string
		want       int
	}{
		{"internal/api/api.go", "payloads (UP/" + "shared/api-samples)", 1}, // no internal/shared
		{"docs/architecture.md", "THE RULES of UP/" + "shared/docs/domain.md", 1},
		{"internal/domain/doc.go", "taken from UP/UP/UP/" + "shared/docs/domain.md", 1},
		{"docs/api/customers.md", "[x](UP/UP/testdata/partnercenter/customer.json)", 0},
		{"docs/bad-input.md", `a token chosen by the client ("UP/UP/x")`, 0}, // a hostile value, not a file
		{"docs/api/customers.md", "[x](UP/UP/UP/pcctl-other/notes.md)", 1},
		{"README.md", "see /" + "work/shared/seeds for more", 1},
		{"internal/workspace/remote/deals_test.go", `os.ReadFile("UP/UP/UP/testdata/partnercenter/x.json")`, 0},
		{"internal/workspace/remote/x_test.go", `[]string{"a/UP/b", "UP/UP"}`, 0},
		{"internal/server/x_test.go", `"UP/UP/UP/UP"`, 1},
	} {
		inside := func(p string) bool { return !strings.Contains(filepath.ToSlash(p), "shared") }
		text := strings.ReplaceAll(tc.text, "UP/", ".."+"/") // no parent steps in this file's own text
		if got := outsidePaths(filepath.FromSlash(tc.file), []byte(text), inside); len(got) != tc.want {
			t.Errorf("%s: %q: found %q, want %d", tc.file, tc.text, got, tc.want)
		}
	}
}
