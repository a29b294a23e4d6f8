package cmdutil

import (
	"context"
	"errors"
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

// ResolvePrefix turns the beginning of a deal ID or service request reference into the
// whole one, as git does for commits: an exact value, or the only one that begins so, is
// used; a prefix several begin with is a usage error listing them (exit 2); one that none
// begins with is left as it is, for the look-up to report as not found.
func (f *Factory) ResolvePrefix(ctx context.Context, kind workspace.CompleteKind, noun, ref string) (string, error) {
	if ref == "" {
		return ref, nil
	}
	ws, err := f.Workspace(ctx)
	if err != nil {
		return "", err
	}
	const shown = 10
	cands, err := ws.Complete(ctx, kind, ref, shown+1)
	if err != nil || len(cands) == 0 {
		return ref, nil // the look-up that follows says what is wrong
	}
	var list []string
	for _, c := range cands {
		if c.Value == ref {
			return ref, nil
		}
		list = append(list, c.Value+" "+oneLine(c.Description))
	}
	if len(cands) == 1 {
		return cands[0].Value, nil
	}
	more := ""
	if len(cands) > shown {
		list, more = list[:shown], " and more"
	}
	return "", Usagef("%q is the beginning of several %ss: %s%s; give more of it", ref, noun, strings.Join(list, ", "), more)
}

// WithPrefixArg makes commands whose first argument is a deal ID or request reference
// take a unique beginning of it (ResolvePrefix), and complete it with the values of kind.
func (f *Factory) WithPrefixArg(kind workspace.CompleteKind, noun string, cmds ...*cobra.Command) {
	for _, c := range cmds {
		run := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				id, err := f.ResolvePrefix(cmd.Context(), kind, noun, args[0])
				if err != nil {
					return err
				}
				args = append([]string{id}, args[1:]...)
			}
			return run(cmd, args)
		}
		if c.ValidArgsFunction == nil {
			c.ValidArgsFunction = f.CompleteArgs(kind, 1)
		}
	}
}

// ResolveCustomer turns what 'customers search' accepts (a tenant ID, a domain, or the
// beginning of a name or domain) into one customer's tenant ID: a term several customers
// match is a usage error listing them (exit 2); one none matches is not found (exit 3).
func ResolveCustomer(ctx context.Context, ws workspace.Workspace, flag, ref string) (string, error) {
	c, err := ws.Customer(ctx, ref)
	if err == nil {
		return c.ID, nil
	}
	if !errors.Is(err, domain.ErrNotFound) || strings.TrimSpace(ref) == "" {
		return "", err
	}
	const shown = 10
	found, serr := ws.SearchCustomers(ctx, ref, shown+1)
	if serr != nil || len(found) == 0 {
		return "", err
	}
	if len(found) == 1 {
		return found[0].ID, nil
	}
	var list []string
	for _, c := range found[:min(len(found), shown)] {
		list = append(list, c.CompanyName+" ("+c.Domain+")")
	}
	more := ""
	if len(found) > shown {
		more = " and more"
	}
	return "", Usagef("%s %q matches several customers: %s%s; give its domain or tenant ID", flag, ref, strings.Join(list, ", "), more)
}
