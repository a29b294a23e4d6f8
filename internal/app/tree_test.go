package app

import (
	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmd/root"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/iostreams"
)

// commands returns the command tree as a user sees it (help and completion included),
// root first, each command before its subcommands. Help topics are left out unless
// withTopics; cobra calls the help command unavailable, but it is a command users run.
func commands(withTopics bool) []*cobra.Command {
	ios, _, _, _ := iostreams.Test()
	rootCmd := root.NewCmdRoot(cmdutil.New(ios))
	rootCmd.InitDefaultHelpCmd()
	rootCmd.InitDefaultCompletionCmd()
	var out []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		out = append(out, c)
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" || withTopics && sub.IsAdditionalHelpTopicCommand() {
				walk(sub)
			}
		}
	}
	walk(rootCmd)
	return out
}
