package customers

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
)

// SearchOptions are the inputs of `customers search`.
type SearchOptions struct {
	F      *cmdutil.Factory
	Output *output.Options
	Term   string
	Limit  int
}

// NewCmdSearch is `pcctl customers search`.
func NewCmdSearch(f *cmdutil.Factory, runF func(*SearchOptions) error) *cobra.Command {
	opts := &SearchOptions{F: f}
	cmd := &cobra.Command{
		Use:   "search TERM...",
		Short: "Find customers by the first letters of their name or domain",
		Long: `Find customers whose company name, any word of it, or primary domain begins with TERM,
or whose Microsoft ID (tenant ID) does: at least 4 hexadecimal digits including a digit, or
8, with or without its hyphens.
Case and accents are ignored: "societe gen" finds "Société Générale", "CONT" finds
"contoso.onmicrosoft.com"; German written without umlauts finds the names written with
them and the other way round ("wuerzburg" finds "Würzburg", "würzburg" "Wuerzburg"). Several words are searched as one phrase. Exact matches come
first, then the rest alphabetically; at most 100 results unless --limit says otherwise.
Search covers every customer, whatever the default view of 'customers list'.

` + narrowHelp,
		Example: `  pcctl customers search contoso
  pcctl customers search societe gen --wide
  pcctl customers search wuerzburg
  pcctl customers search 3f2504e0-4f89
  pcctl customers search fabrikam --format json --fields id,companyName`,
		Args: cmdutil.MinArgs(1, "a search term"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Term = strings.Join(args, " ")
			if opts.Limit < 1 {
				return cmdutil.Usagef("--limit must be at least 1, not %d", opts.Limit)
			}
			if runF != nil {
				return runF(opts)
			}
			return searchRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Limit, "limit", domain.SearchLimit, "return at most this many customers")
	opts.Output = output.AddFlags(cmd, nil, output.FieldNames(recordFields))
	output.AddWideFlag(cmd, opts.Output)
	return cmd
}

func searchRun(ctx context.Context, opts *SearchOptions) error {
	ws, err := opts.F.Workspace(ctx)
	if err != nil {
		return err
	}
	// One more than asked tells whether there are more.
	found, err := ws.SearchCustomers(ctx, opts.Term, opts.Limit+1)
	if err != nil {
		return err
	}
	more := len(found) > opts.Limit
	if more {
		found = found[:opts.Limit]
	}
	p, err := output.NewPrinter(opts.F.IOStreams, opts.Output, recordFields, listDefaults)
	if err != nil {
		return err
	}
	p.LeaveOut(listLeaveOut...)
	for i := range found {
		if err := p.Print(&found[i]); err != nil {
			return err
		}
	}
	if err := p.Close(); err != nil {
		return err
	}
	if len(found) == 0 {
		opts.F.IOStreams.Notice("No customer's name or domain begins with %q.", opts.Term)
	} else if more {
		opts.F.IOStreams.Notice("Showing the first %d matches; type more letters to narrow the search.", opts.Limit)
	}
	return nil
}
