package app

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readmeCommand is one line of the README's "Commands" list: a top-level command linked to
// its page of the generated reference, "- [`pcctl customers`](docs/commands/pcctl_customers.md): ...".
var readmeCommand = regexp.MustCompile("^- \\[`(pcctl [a-z-]+)`\\]\\((docs/commands/[a-z_-]+\\.md)\\)")

// TestReadmeListsEveryCommand keeps the README's "Commands" list and the command tree in
// step: every top-level command listed, linked to its page of the generated reference
// (docs/commands/, which TestDocsCommandsUpToDate keeps complete down to every
// subcommand), and nothing listed that is not a command.
func TestReadmeListsEveryCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Commands\n")
	if !ok {
		t.Fatal(`README.md has no "## Commands" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var documented []string
	for _, line := range strings.Split(section, "\n") {
		m := readmeCommand.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		documented = append(documented, m[1])
		if want := "docs/commands/" + strings.ReplaceAll(m[1], " ", "_") + ".md"; m[2] != want {
			t.Errorf("the README links %q to %s, want %s", m[1], m[2], want)
		}
		if _, err := os.Stat(filepath.Join("..", "..", m[2])); err != nil {
			t.Errorf("the README links %q to %s, which does not exist (run `make docs`)", m[1], m[2])
		}
	}
	var topLevel []string
	for _, c := range commands(false) {
		if c.HasParent() && !c.Parent().HasParent() && c.Name() != "help" {
			topLevel = append(topLevel, c.CommandPath())
		}
	}
	slices.Sort(topLevel)
	for _, c := range topLevel {
		if !slices.Contains(documented, c) {
			t.Errorf("%q is a command but the README's command list lacks it", c)
		}
	}
	for _, c := range documented {
		if !slices.Contains(topLevel, c) {
			t.Errorf("the README lists %q, which is not a top-level command", c)
		}
	}
	if !strings.Contains(section, "`pcctl help`") {
		t.Error("the README's command list does not mention `pcctl help`")
	}
}
