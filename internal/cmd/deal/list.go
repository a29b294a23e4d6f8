package deal

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	var status, substatus, direction, typ, sort string
	var q workspace.DealQuery
	var days int
	var limit *int
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "list [--status New|Active|Closed] [--substatus S] [--direction inbound|outbound] [--type private|co-sell] [--customer ID|DOMAIN] [--favorites] [--expiring-within DAYS] [--sort created|updated]",
		Short: "List deals, newest first",
		Long: `List deals, the newest first: by the date they were created or received (--sort created, the
default) or by their last change (--sort updated). Deals past their expiry are closed as
expired first. Statuses and substatuses are those of the Referrals API, in any case:
--status New, Active or Closed; --substatus Pending, Received, Accepted, Won, Lost, Declined
or Expired. --expiring-within selects the New deals expiring within the next DAYS days;
--favorites your favorites.

On a terminal narrower than the table, the columns of least use are left out (FAVORITE
first, then SUBSTATUS, EXPIRES, CUSTOMER) and long names shortened; amounts, dates and IDs
are never cut. --wide shows every column in full, --fields the columns you name.`,
		Example: `  pcctl deal list --status New --direction inbound
  pcctl deal list --favorites --sort updated --format json
  pcctl deal list --wide
  pcctl deal list --expiring-within 7 --fields name,customerName,expiresAt`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if status != "" {
				if q.Status, err = oneOf("status", status, statuses); err != nil {
					return err
				}
			}
			if substatus != "" {
				if q.Substatus, err = oneOf("substatus", substatus, substatuses); err != nil {
					return err
				}
			}
			if direction != "" {
				if q.Direction, err = oneOf("direction", direction, directions); err != nil {
					return err
				}
			}
			if typ != "" {
				if q.Type, err = oneOf("type", typ, types); err != nil {
					return err
				}
			}
			if q.Sort, err = oneOf("sort", sort, sorts); err != nil {
				return err
			}
			if cmd.Flags().Changed("expiring-within") {
				if days < 0 {
					return cmdutil.Usagef("--expiring-within must be 0 or more days, not %d", days)
				}
				within := time.Duration(days) * 24 * time.Hour
				q.ExpiringWithin = &within
			}
			if err := cmdutil.CheckLimit(*limit); err != nil {
				return err
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			if q.Customer != "" {
				if q.Customer, err = cmdutil.ResolveCustomer(ctx, ws, "--customer", q.Customer); err != nil {
					return err
				}
			}
			p, err := output.NewPrinter(f.IOStreams, o, Fields, listDefaults)
			if err != nil {
				return err
			}
			p.LeaveOut(listLeaveOut...)
			if err := cmdutil.LimitDone(ws.ListDeals(ctx, q, cmdutil.Limit(*limit, func(d workspace.DealRecord) error { return p.Print(&d) }))); err != nil {
				return err
			}
			if err := p.Close(); err != nil {
				return err
			}
			if p.Count() == 0 {
				f.IOStreams.Notice("No deals.")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "only deals with this status: "+strings.Join(names(statuses), ", "))
	_ = cmd.RegisterFlagCompletionFunc("status", completeFixed(names(statuses)))
	cmd.Flags().StringVar(&substatus, "substatus", "", "only deals with this substatus: "+strings.Join(names(substatuses), ", "))
	_ = cmd.RegisterFlagCompletionFunc("substatus", completeFixed(names(substatuses)))
	cmd.Flags().StringVar(&direction, "direction", "", "only inbound (sent by a Microsoft seller) or outbound (yours) deals")
	_ = cmd.RegisterFlagCompletionFunc("direction", completeFixed(names(directions)))
	cmd.Flags().StringVar(&typ, "type", "", "only private (pipeline) or co-sell deals")
	_ = cmd.RegisterFlagCompletionFunc("type", completeFixed(names(types)))
	cmd.Flags().StringVar(&q.Customer, "customer", "", "only this customer's deals: its tenant ID, domain, or what 'customers search' finds it by")
	_ = cmd.RegisterFlagCompletionFunc("customer", f.CompleteFlag(workspace.CompleteCustomers))
	cmd.Flags().BoolVar(&q.Favorites, "favorites", false, "only your favorites")
	cmd.Flags().IntVar(&days, "expiring-within", 0, "only New deals expiring within this many days")
	cmd.Flags().StringVar(&sort, "sort", "created", "newest first by: created (or received), updated")
	_ = cmd.RegisterFlagCompletionFunc("sort", completeFixed(sorts))
	limit = cmdutil.AddLimitFlag(cmd, "deals")
	o = output.AddFlags(cmd, nil, output.FieldNames(Fields))
	output.AddWideFlag(cmd, o)
	return cmd
}

// solutionFields are the columns of a deal's solutions in `deal show`.
var solutionFields = []output.Field[domain.Solution]{
	output.StrField("source", "SOURCE", "own, microsoft or partner", func(s *domain.Solution) string { return string(s.Source) }),
	output.StrField("id", "ID", "solution ID or Microsoft SKU", func(s *domain.Solution) string { return s.ID }),
	output.IntField("quantity", "QUANTITY", "quantity of a Microsoft SKU; 0 when not given", func(s *domain.Solution) int64 { return int64(s.Quantity) }),
	output.DecimalField("unitPrice", "UNIT PRICE", "unit price of a Microsoft SKU (a JSON number); null when not given", func(s *domain.Solution) string { return s.UnitPrice }),
}

// noteFields are the columns of a deal's notes in `deal show`.
var noteFields = []output.Field[domain.Note]{
	output.TimeField("createdAt", "WHEN", "when the note was added", func(n *domain.Note) time.Time { return n.CreatedAt }),
	output.StrField("author", "AUTHOR", "who added it", func(n *domain.Note) string { return n.Author }),
	output.StrField("text", "NOTE", "the note", func(n *domain.Note) string { return n.Text }),
}

func newCmdShow(f *cmdutil.Factory) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a deal with its solutions, team and notes",
		Long: `Show a deal, its solutions, team members and notes, and whether it is eligible for deal
registration: won, with an incentive solution (a Microsoft SKU) attached, and a Microsoft
seller involved (who sent the deal, or accepted your invitation). The Microsoft seller's name
and email are shown only once the seller accepted.`,
		Example: `  pcctl deal show 7c9e6679-7425-40de-944b-e07fc1f90ae7
  pcctl deal show 7c9e6679-7425-40de-944b-e07fc1f90ae7 --format json`,
		Args: cmdutil.ExactArgs(1, "one deal ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			d, err := ws.Deal(ctx, args[0])
			if err != nil {
				return err
			}
			return printShow(f.IOStreams, o, &d)
		},
	}
	o = addOutputFlags(cmd)
	return cmd
}

// printShow prints the deal, then its registration eligibility, solutions, team and notes:
// a line and sections in a table, members of the one object in JSON.
func printShow(ios *iostreams.IOStreams, o *output.Options, d *rec) error {
	eligible, missing := domain.RegistrationEligibility(d.Deal)
	if o.Format == output.JSON {
		b := output.AppendJSONObject(nil, Fields, o.Fields, d)
		b = b[:len(b)-1]
		b = append(b, `,"solutions":[`...)
		for i := range d.Solutions {
			if i > 0 {
				b = append(b, ',')
			}
			b = output.AppendJSONObject(b, solutionFields, nil, &d.Solutions[i])
		}
		b = append(b, `],"team":[`...)
		for i, m := range d.Team {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, m)
		}
		b = append(b, `],"notes":[`...)
		for i := range d.Notes {
			if i > 0 {
				b = append(b, ',')
			}
			b = output.AppendJSONObject(b, noteFields, nil, &d.Notes[i])
		}
		b = fmt.Appendf(b, `],"registration":{"eligible":%t,"missing":[`, eligible)
		for i, m := range missing {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, m)
		}
		b = append(b, "]}}\n"...)
		_, err := ios.Out.Write(b)
		return err
	}
	var defaults []string
	for _, n := range output.FieldNames(Fields) {
		if !d.SellerAccepted && (n == "sellerName" || n == "sellerEmail") {
			continue // nothing to show until the seller accepted (001)
		}
		defaults = append(defaults, n)
	}
	if err := output.PrintOne(ios, o, Fields, defaults, d); err != nil {
		return err
	}
	if eligible {
		fmt.Fprintln(ios.Out, "Registration: eligible")
	} else {
		fmt.Fprintf(ios.Out, "Registration: not eligible: %s\n", strings.Join(missing, "; "))
	}
	all := &output.Options{Format: output.Table}
	fmt.Fprintf(ios.Out, "\nSolutions (%d):\n", len(d.Solutions))
	ps, err := output.NewPrinter(ios, all, solutionFields, nil)
	if err != nil {
		return err
	}
	for i := range d.Solutions {
		ps.Print(&d.Solutions[i])
	}
	if err := ps.Close(); err != nil {
		return err
	}
	fmt.Fprintf(ios.Out, "\nTeam (%d):\n", len(d.Team))
	for _, m := range d.Team {
		fmt.Fprintln(ios.Out, iostreams.Safe(m))
	}
	fmt.Fprintf(ios.Out, "\nNotes (%d):\n", len(d.Notes))
	pn, err := output.NewPrinter(ios, all, noteFields, nil)
	if err != nil {
		return err
	}
	for i := range d.Notes {
		pn.Print(&d.Notes[i])
	}
	return pn.Close()
}
