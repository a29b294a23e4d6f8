package cmdutil

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/config"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// CompletionLimit is the most candidates a dynamic completion offers: enough to pick
// from, few enough to show at once; typing more letters narrows them.
const CompletionLimit = 50

// completionTimeout bounds a completion's look-up: a shell waiting on it is a user
// waiting at the prompt.
const completionTimeout = 2 * time.Second

// CompleteArgs completes positional arguments with values of kind from the workspace, as
// long as fewer than maxArgs are given (0: any number); values already given are not
// offered again. Use it as a command's ValidArgsFunction.
func (f *Factory) CompleteArgs(kind workspace.CompleteKind, maxArgs int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if maxArgs > 0 && len(args) >= maxArgs {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return f.complete(cmd, kind, toComplete, args), cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteFlag completes a flag's value with values of kind from the workspace. Use it
// with cmd.RegisterFlagCompletionFunc.
func (f *Factory) CompleteFlag(kind workspace.CompleteKind) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return f.complete(cmd, kind, toComplete, nil), cobra.ShellCompDirectiveNoFileComp
	}
}

// complete looks the candidates up. It never reports an error nor creates anything: a
// workspace that does not exist, cannot be read, or refuses the look-up offers nothing.
func (f *Factory) complete(cmd *cobra.Command, kind workspace.CompleteKind, prefix string, exclude []string) []cobra.Completion {
	cfg := f.Config
	if cfg == nil { // the root's PersistentPreRunE did not run
		var err error
		if cfg, err = config.Load(f.Env, cmd.Root().PersistentFlags()); err != nil {
			return nil
		}
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	defer cancel()
	path, _ := cfg.Workspace()
	db, err := sqlite.OpenExisting(ctx, path)
	if err != nil {
		return nil
	}
	defer db.Close()
	cands, err := db.As(domain.Owner(cfg.User())).Complete(ctx, kind, prefix, CompletionLimit+len(exclude))
	if err != nil {
		return nil
	}
	out := make([]cobra.Completion, 0, len(cands))
	for _, c := range cands {
		if slices.Contains(exclude, c.Value) || len(out) == CompletionLimit {
			continue
		}
		out = append(out, cobra.CompletionWithDesc(oneLine(c.Value), oneLine(c.Description)))
	}
	return out
}

// oneLine keeps a value or description from breaking the line-based protocol between
// `pcctl __complete` and the shell scripts (one candidate a line, a tab before the
// description).
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
