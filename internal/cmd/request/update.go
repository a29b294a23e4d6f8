package request

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
)

// update applies a change and prints the request.
func update(cmd *cobra.Command, f *cmdutil.Factory, o *output.Options, ref string, ch domain.RequestChange) error {
	ctx := cmd.Context()
	ws, err := f.Workspace(ctx)
	if err != nil {
		return err
	}
	r, err := ws.UpdateRequest(ctx, ref, ch)
	if err != nil {
		return err
	}
	if ch.Status == domain.RequestClosed {
		f.IOStreams.Notice("Closed service request %s (%s).", r.Ref, r.Title)
	} else {
		f.IOStreams.Notice("Updated service request %s (%s): it is %s, severity %s.", r.Ref, r.Title, r.Status, r.Severity)
	}
	return printOne(f.IOStreams, o, oneDefaults, &r)
}

func newCmdUpdate(f *cmdutil.Factory) *cobra.Command {
	var status, severity, note string
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "update REF [--status open|attention_needed|closed] [--severity critical|moderate|minimal] [--note TEXT]",
		Short: "Change a service request's status or severity, or add a note",
		Long: `Change the status or the severity of a service request, or add a note to it (you are its
author, now its time). A closed request changes only by being reopened, with --status open:
the reopening is recorded as a note; anything else on a closed request is refused.

In a workspace linked to Partner Center (pcctl sync), with a user signed in, the change is
made in Partner Center first (its status, severity and note), then here; a request only this
workspace has (filed before the link) is Partner Center's 404 (exit 3).`,
		Example: `  pcctl request update 616122292874576 --status attention_needed --note "Waiting for the customer's logs"
  pcctl request update 616122292874576 --severity critical
  pcctl request update 616122292874576 --status open`,
		Args: cmdutil.ExactArgs(1, "one reference number"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ch domain.RequestChange
			changed := cmd.Flags().Changed
			if !changed("status") && !changed("severity") && !changed("note") {
				return cmdutil.Usagef("%s needs at least one of --status, --severity and --note; see '%s --help'", cmd.CommandPath(), cmd.CommandPath())
			}
			var err error
			if changed("status") {
				if ch.Status, err = domain.ParseRequestStatus(status); err != nil {
					return flagError("status", err)
				}
			}
			if changed("severity") {
				if ch.Severity, err = domain.ParseSeverity(severity); err != nil {
					return flagError("severity", err)
				}
			}
			if changed("note") {
				if ch.Note = strings.TrimSpace(note); ch.Note == "" {
					return cmdutil.Usagef("--note is empty")
				}
			}
			return update(cmd, f, o, args[0], ch)
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "new status: "+statusList)
	_ = cmd.RegisterFlagCompletionFunc("status", completeFixed(names(domain.RequestStatuses)))
	cmd.Flags().StringVar(&severity, "severity", "", "new severity: "+severityList)
	_ = cmd.RegisterFlagCompletionFunc("severity", completeFixed(names(domain.Severities)))
	cmd.Flags().StringVar(&note, "note", "", "a note to add")
	o = addOutputFlags(cmd)
	return cmd
}

func newCmdClose(f *cmdutil.Factory) *cobra.Command {
	var note string
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "close REF [--note TEXT]",
		Short: "Close a service request",
		Long: `Close a service request (status closed), with a note if you give one. It can be reopened
later ('request update REF --status open').

In a workspace linked to Partner Center (pcctl sync), with a user signed in, it is closed in
Partner Center first, then here.`,
		Example: `  pcctl request close 616122292874576
  pcctl request close 616122292874576 --note "Fixed by the licence reassignment"`,
		Args: cmdutil.ExactArgs(1, "one reference number"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ch := domain.RequestChange{Status: domain.RequestClosed, Note: strings.TrimSpace(note)}
			if cmd.Flags().Changed("note") && ch.Note == "" {
				return cmdutil.Usagef("--note is empty")
			}
			return update(cmd, f, o, args[0], ch)
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note to add")
	o = addOutputFlags(cmd)
	return cmd
}

func newCmdFavorite(f *cmdutil.Factory, favorite bool) *cobra.Command {
	var o *output.Options
	use, short, done := "favorite", "Mark a service request as one of your favorites", "Service request %s (%s) is one of your favorites."
	if !favorite {
		use, short, done = "unfavorite", "Remove a service request from your favorites", "Service request %s (%s) is no longer one of your favorites."
	}
	cmd := &cobra.Command{
		Use:   use + " REF",
		Short: short,
		Long: short + `. Favorites are yours: each user has their own ('request list
--favorites').`,
		Example: "  pcctl request " + use + " 616122292874576",
		Args:    cmdutil.ExactArgs(1, "one reference number"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			r, err := ws.SetRequestFavorite(ctx, args[0], favorite)
			if err != nil {
				return err
			}
			f.IOStreams.Notice(done, r.Ref, r.Title)
			return printOne(f.IOStreams, o, []string{"id", "title", "favorite"}, &r)
		},
	}
	o = addOutputFlags(cmd)
	return cmd
}
