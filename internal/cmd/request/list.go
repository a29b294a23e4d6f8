package request

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	var status, severity string
	var q workspace.RequestQuery
	var limit *int
	var o *output.Options
	statusValues := append(names(domain.RequestStatuses), "all")
	cmd := &cobra.Command{
		Use:   "list [--customer ID|DOMAIN] [--status open|attention_needed|closed|all] [--severity critical|moderate|minimal] [--favorites]",
		Short: "List service requests, newest first",
		Long: `List service requests, the newest first. By default, only the requests still being worked
on: open and attention_needed; --status chooses one status, or all of them (--status all).
--favorites selects your favorites.`,
		Example: `  pcctl request list
  pcctl request list --status all --customer contoso.com
  pcctl request list --severity critical --favorites --format json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch s := strings.ToLower(strings.TrimSpace(status)); s {
			case "":
				q.Statuses = []domain.RequestStatus{domain.RequestOpen, domain.RequestAttentionNeeded}
			case "all":
			default:
				st, err := domain.ParseRequestStatus(status)
				if err != nil {
					return cmdutil.Usagef("invalid --status %q; valid values: %s", status, strings.Join(statusValues, ", "))
				}
				q.Statuses = []domain.RequestStatus{st}
			}
			if severity != "" {
				sev, err := domain.ParseSeverity(severity)
				if err != nil {
					return flagError("severity", err)
				}
				q.Severity = sev
			}
			if err := cmdutil.CheckLimit(*limit); err != nil {
				return err
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			return printList(f.IOStreams, o, func(each func(rec) error) error {
				return cmdutil.LimitDone(ws.ListRequests(ctx, q, cmdutil.Limit(*limit, each)))
			}, "No service requests.")
		},
	}
	cmd.Flags().StringVar(&q.Customer, "customer", "", "only this customer's requests (tenant ID or domain)")
	_ = cmd.RegisterFlagCompletionFunc("customer", f.CompleteFlag(workspace.CompleteCustomers))
	cmd.Flags().StringVar(&status, "status", "", "only requests with this status: "+strings.Join(statusValues, ", ")+" (default: open and attention_needed)")
	_ = cmd.RegisterFlagCompletionFunc("status", completeFixed(statusValues))
	cmd.Flags().StringVar(&severity, "severity", "", "only requests of this severity: "+severityList)
	_ = cmd.RegisterFlagCompletionFunc("severity", completeFixed(names(domain.Severities)))
	cmd.Flags().BoolVar(&q.Favorites, "favorites", false, "only your favorites")
	limit = cmdutil.AddLimitFlag(cmd, "requests")
	o = output.AddFlags(cmd, nil, output.FieldNames(Fields))
	output.AddWideFlag(cmd, o)
	return cmd
}

func newCmdSearch(f *cmdutil.Factory) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "search TERM...",
		Short: "Find service requests by reference number or customer name",
		Long: `Find service requests, whatever their status, newest first: by reference number (whole, or
its first digits) or by the beginning of the customer's company name, or of a word of it (in
any case, accents ignored). The words of TERM are searched together, as one term.`,
		Example: `  pcctl request search 616122
  pcctl request search contoso`,
		Args: cmdutil.MinArgs(1, "a search term"),
		RunE: func(cmd *cobra.Command, args []string) error {
			term := strings.TrimSpace(strings.Join(args, " "))
			if term == "" {
				return cmdutil.Usagef("the search term is empty")
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			found, err := ws.SearchRequests(ctx, term, 0)
			if err != nil {
				return err
			}
			return printList(f.IOStreams, o, func(each func(rec) error) error {
				for _, r := range found {
					if err := each(r); err != nil {
						return err
					}
				}
				return nil
			}, "No service requests match \""+term+"\".")
		},
	}
	o = output.AddFlags(cmd, nil, output.FieldNames(Fields))
	output.AddWideFlag(cmd, o)
	return cmd
}

func newCmdShow(f *cmdutil.Factory) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "show REF",
		Short: "Show a service request with its notes",
		Long: `Show a service request and its notes, oldest first. In JSON, the notes are the member
"notes" of the object.`,
		Example: `  pcctl request show 616122292874576
  pcctl request show 616122292874576 --format json`,
		Args: cmdutil.ExactArgs(1, "one reference number"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			r, err := ws.Request(ctx, args[0])
			if err != nil {
				return err
			}
			return printShow(f.IOStreams, o, &r)
		},
	}
	o = addOutputFlags(cmd)
	return cmd
}
