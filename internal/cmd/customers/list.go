package customers

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

// ListOptions are the inputs of `customers list`.
type ListOptions struct {
	F        *cmdutil.Factory
	Output   *output.Options
	View     string
	Reseller string
	Limit    int
	Sort     string
}

// NewCmdList is `pcctl customers list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List customers: all, flagged, recently opened or ended",
		Long: `List customers in one of four views:
  all      every customer the partner has a relationship with
  flagged  the customers you flagged (at most 30)
  recent   the 30 customers you opened most in the last 30 days (customers show records it)
  ended    the customers whose relationship ended (relationship none), which the other
           views leave out ('pcctl customers end-relationship')

Without --view, on a terminal, you see all customers when there are fewer than 100, and
your flagged ones otherwise (a line on stderr says so). When standard output is not a
terminal (a pipe, a file, a script), the default view is always all: a script's output does
not change meaning as the workspace grows. With --reseller, the default view is all of that
reseller's customers. Search always covers every customer: see 'pcctl customers search'.

` + narrowHelp,
		Example: `  pcctl customers list
  pcctl customers list --view all --sort created --limit 20
  pcctl customers list --reseller 4847383 --format csv
  pcctl customers list --view ended
  pcctl customers list --wide`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.View, "view", "", "view: all, flagged, recent, ended (default: all; on a terminal, flagged from 100 customers)")
	cmd.Flags().StringVar(&opts.Reseller, "reseller", "", "only the customers of the indirect reseller with this MPN ID")
	_ = cmd.RegisterFlagCompletionFunc("reseller", f.CompleteFlag(workspace.CompleteResellers))
	cmd.Flags().IntVar(&opts.Limit, "limit", 0, "show at most this many customers (0: no limit)")
	cmd.Flags().StringVar(&opts.Sort, "sort", "", "order: name, created (newest first); default name, or most opened for --view recent")
	_ = cmd.RegisterFlagCompletionFunc("view", cobra.FixedCompletions([]string{"all", "flagged", "recent", "ended"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("sort", cobra.FixedCompletions([]string{"name", "created"}, cobra.ShellCompDirectiveNoFileComp))
	opts.Output = output.AddFlags(cmd, nil, output.FieldNames(recordFields))
	output.AddWideFlag(cmd, opts.Output)
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	q := workspace.ListQuery{Limit: opts.Limit}
	if opts.Limit < 0 {
		return cmdutil.Usagef("--limit must be 0 or more, not %d", opts.Limit)
	}
	var err error
	if opts.View != "" {
		if q.View, err = domain.ParseView(opts.View); err != nil {
			return err
		}
	}
	if opts.Sort != "" {
		if q.Sort, err = domain.ParseListSort(opts.Sort); err != nil {
			return err
		}
	}
	if opts.Reseller != "" {
		if q.Reseller, err = domain.ParseMPNID(opts.Reseller); err != nil {
			return err
		}
	}
	ws, err := opts.F.Workspace(ctx)
	if err != nil {
		return err
	}
	ios := opts.F.IOStreams
	if q.View == "" {
		q.View = domain.ViewAll
		if q.Reseller == "" && ios.IsStdoutTTY() {
			n, err := ws.CountCustomers(ctx)
			if err != nil {
				return err
			}
			q.View = domain.DefaultView(n)
			if q.View == domain.ViewFlagged {
				ios.Notice("Showing your flagged customers: with %d customers (100 or more) that is the default view. Use --view all to see every customer, or 'pcctl customers search' to find one.", n)
			}
		}
	}
	p, err := output.NewPrinter(ios, opts.Output, recordFields, listDefaults)
	if err != nil {
		return err
	}
	p.LeaveOut(listLeaveOut...)
	if err := ws.ListCustomers(ctx, q, func(c workspace.CustomerRecord) error { return p.Print(&c) }); err != nil {
		return err
	}
	if p.Count() == 0 && q.Reseller != "" {
		if err := cmdutil.CheckResellerFilter(ctx, ws, q.Reseller); err != nil {
			return err
		}
	}
	if err := p.Close(); err != nil {
		return err
	}
	if p.Count() == 0 {
		switch q.View {
		case domain.ViewFlagged:
			ios.Notice("No flagged customers. Flag one with 'pcctl customers flag ID|DOMAIN'.")
		case domain.ViewRecent:
			ios.Notice("No customers opened in the last 30 days. Open one with 'pcctl customers show ID|DOMAIN'.")
		default:
			ios.Notice("No customers.")
		}
	}
	return nil
}
