package app

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmd/root"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/iostreams"
)

// TestEveryCommandHasAnExample: the --help of every command shows at least one example.
func TestEveryCommandHasAnExample(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	rootCmd := root.NewCmdRoot(cmdutil.New(ios))
	rootCmd.InitDefaultHelpCmd()
	rootCmd.InitDefaultCompletionCmd()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if (c.IsAvailableCommand() || c.Name() == "help") && c.Example == "" {
			t.Errorf("%q has no example in its --help", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(rootCmd)
}
