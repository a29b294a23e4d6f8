package app

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmd/root"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/iostreams"
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
	ios, _, _, _ := iostreams.Test()
	var commands []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.IsAvailableCommand() || c == c.Root() || c.Name() == "help" { // cobra calls help unavailable
			commands = append(commands, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	rootCmd := root.NewCmdRoot(cmdutil.New(ios))
	rootCmd.InitDefaultHelpCmd()
	rootCmd.InitDefaultCompletionCmd()
	walk(rootCmd)
	slices.Sort(documented)
	slices.Sort(commands)
	for _, c := range commands {
		if !slices.Contains(documented, c) {
			t.Errorf("%q is a command but the README's command list lacks it", c)
		}
	}
	for _, c := range documented {
		if !slices.Contains(commands, c) {
			t.Errorf("the README lists %q, which is not a command", c)
		}
	}
}
