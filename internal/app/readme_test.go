package app

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestReadmeListsEveryCommand keeps the README's "Command list" and the command tree in
// step: no documented command missing, no command undocumented.
func TestReadmeListsEveryCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Command list\n")
	if !ok {
		t.Fatal(`README.md has no "## Command list" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var documented []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "- `") {
			documented = append(documented, strings.Trim(strings.TrimPrefix(line, "- "), "`"))
		}
	}
	var commandPaths []string
	for _, c := range commands(false) {
		commandPaths = append(commandPaths, c.CommandPath())
	}
	slices.Sort(documented)
	slices.Sort(commandPaths)
	for _, c := range commandPaths {
		if !slices.Contains(documented, c) {
			t.Errorf("%q is a command but the README's command list lacks it", c)
		}
	}
	for _, c := range documented {
		if !slices.Contains(commandPaths, c) {
			t.Errorf("the README lists %q, which is not a command", c)
		}
	}
}
