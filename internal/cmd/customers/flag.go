package customers

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// MarkOptions are the inputs of flag, unflag, pin and unpin.
type MarkOptions struct {
	F    *cmdutil.Factory
	Ctx  context.Context
	Refs []string
}

// NewCmdFlag is `pcctl customers flag`.
func NewCmdFlag(f *cmdutil.Factory, runF func(*MarkOptions) error) *cobra.Command {
	return markCmd(f, runF, flagRun, "flag ID|DOMAIN...", "Flag customers you watch (at most 30)",
		`Flag customers to keep them in your flagged view. You may flag up to 30 customers:
flagging one more unflags the one you flagged longest ago, and says so. Flags are yours
alone; flagging needs the global admin role. Every customer named must exist, or nothing
is flagged; a command naming more than 30 customers is refused (exit 4) and flags none.`,
		`  pcctl customers flag contoso.onmicrosoft.com
  pcctl customers flag fabrikam.com northwind.onmicrosoft.com`)
}

// NewCmdUnflag is `pcctl customers unflag`.
func NewCmdUnflag(f *cmdutil.Factory, runF func(*MarkOptions) error) *cobra.Command {
	return markCmd(f, runF, unflagRun, "unflag ID|DOMAIN...", "Remove your flag from customers",
		`Remove your flag from customers. Unflagging a customer that is not flagged does nothing.`,
		`  pcctl customers unflag contoso.onmicrosoft.com`)
}

// NewCmdPin is `pcctl customers pin`.
func NewCmdPin(f *cmdutil.Factory, runF func(*MarkOptions) error) *cobra.Command {
	return markCmd(f, runF, pinRun, "pin ID|DOMAIN...", "Pin customers to your home overview",
		`Pin customers so they show on your home overview. Pins are yours alone.`,
		`  pcctl customers pin contoso.onmicrosoft.com`)
}

// NewCmdUnpin is `pcctl customers unpin`.
func NewCmdUnpin(f *cmdutil.Factory, runF func(*MarkOptions) error) *cobra.Command {
	return markCmd(f, runF, unpinRun, "unpin ID|DOMAIN...", "Unpin customers from your home overview",
		`Unpin customers from your home overview. Unpinning a customer that is not pinned does nothing.`,
		`  pcctl customers unpin contoso.onmicrosoft.com`)
}

func markCmd(f *cmdutil.Factory, runF, run func(*MarkOptions) error, use, short, long, example string) *cobra.Command {
	opts := &MarkOptions{F: f}
	return &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		Args: cmdutil.MinArgs(1, "at least one customer ID or domain"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx, opts.Refs = cmd.Context(), args
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
		ValidArgsFunction: f.CompleteArgs(workspace.CompleteCustomers, 0),
	}
}

// resolve checks that every reference names a customer before anything changes.
func resolve(ctx context.Context, ws workspace.Workspace, refs []string) error {
	for _, r := range refs {
		if _, err := ws.Customer(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func label(c workspace.CustomerRecord) string { return c.CompanyName + " (" + c.Domain + ")" }

func flagRun(opts *MarkOptions) error {
	ctx := opts.Ctx
	ws, err := opts.F.Workspace(ctx)
	if err != nil {
		return err
	}
	// Every customer named must exist, and at most MaxFlags distinct ones: flagging more in
	// one command would unflag some of the command's own customers to respect the cap.
	ids := map[string]bool{}
	for _, r := range opts.Refs {
		c, err := ws.Customer(ctx, r)
		if err != nil {
			return err
		}
		ids[c.ID] = true
	}
	if len(ids) > domain.MaxFlags {
		return &domain.RuleError{Rule: "flag-at-most-30",
			Msg: fmt.Sprintf("this command names %d customers, and you may flag at most %d: nothing was flagged. Flag at most %d at a time (each one past the cap unflags the one you flagged longest ago)",
				len(ids), domain.MaxFlags, domain.MaxFlags)}
	}
	ios := opts.F.IOStreams
	for _, r := range opts.Refs {
		res, err := ws.FlagCustomer(ctx, r)
		if err != nil {
			return err
		}
		if res.AlreadyFlagged {
			ios.Notice("%s is already flagged.", label(res.Customer))
			continue
		}
		if res.Unflagged != nil {
			ios.Notice("Unflagged %s, flagged longest ago (%s): you may flag at most %d customers.",
				label(*res.Unflagged), res.Unflagged.FlaggedAt.Format("2006-01-02 15:04"), domain.MaxFlags)
		}
		ios.Notice("Flagged %s.", label(res.Customer))
	}
	return nil
}

func toggleRun(opts *MarkOptions, op func(workspace.Workspace, context.Context, string) (workspace.CustomerRecord, bool, error), done, noop string) error {
	ctx := opts.Ctx
	ws, err := opts.F.Workspace(ctx)
	if err != nil {
		return err
	}
	if err := resolve(ctx, ws, opts.Refs); err != nil {
		return err
	}
	for _, r := range opts.Refs {
		c, changed, err := op(ws, ctx, r)
		if err != nil {
			return err
		}
		if changed {
			opts.F.IOStreams.Notice(done, label(c))
		} else {
			opts.F.IOStreams.Notice(noop, label(c))
		}
	}
	return nil
}

func unflagRun(opts *MarkOptions) error {
	return toggleRun(opts, workspace.Workspace.UnflagCustomer, "Unflagged %s.", "%s was not flagged.")
}

func pinRun(opts *MarkOptions) error {
	return toggleRun(opts, workspace.Workspace.PinCustomer, "Pinned %s.", "%s is already pinned.")
}

func unpinRun(opts *MarkOptions) error {
	return toggleRun(opts, workspace.Workspace.UnpinCustomer, "Unpinned %s.", "%s was not pinned.")
}
