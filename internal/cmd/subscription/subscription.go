// Package subscription holds the `pcctl subscription` commands: subscriptions, enough for
// the reseller association rules of 004.
package subscription

import (
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/progress"
	"github.com/pcctl/pcctl/internal/workspace"
)

type rec = domain.Subscription

// Fields are the fields of a subscription (docs/output.md).
var Fields = []output.Field[rec]{
	output.StrField("id", "SUBSCRIPTION ID", "subscription ID (GUID)", func(s *rec) string { return s.ID }),
	output.StrField("offer", "SUBSCRIPTION", "the offer subscribed to", func(s *rec) string { return s.Offer }),
	output.IntField("quantity", "QUANTITY", "number of licences", func(s *rec) int64 { return int64(s.Quantity) }),
	output.StrField("status", "STATUS", "subscription status: active, suspended", func(s *rec) string { return s.Status }),
	output.StrField("resellerMpnId", "RESELLER", "MPN ID of the reseller credited for incentives; empty when none", func(s *rec) string { return s.ResellerMPNID }),
	output.StrField("supportContact", "SUPPORT CONTACT", "MPN ID of the reseller designated as support contact; empty when none", func(s *rec) string { return s.SupportContact }),
	output.StrField("customerId", "CUSTOMER ID", "tenant ID of the customer", func(s *rec) string { return s.CustomerID }),
	output.StrField("customerName", "CUSTOMER", "company name of the customer", func(s *rec) string { return s.CustomerName }),
	output.TimeField("termEnd", "TERM END", "end of the current term; null when not set", func(s *rec) time.Time { return s.TermEnd }),
	output.TimeField("createdAt", "CREATED", "when the subscription was added", func(s *rec) time.Time { return s.CreatedAt }),
}

// ListDefaults are the columns a table shows.
var ListDefaults = []string{"customerName", "offer", "quantity", "resellerMpnId", "supportContact", "termEnd", "id"}

// exportDefaults are the columns of Partner Center's subscription export.
var exportDefaults = []string{"id", "offer", "quantity", "status", "resellerMpnId"}

// NewCmdSubscription is `pcctl subscription`.
func NewCmdSubscription(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "subscription <command>",
		Aliases: []string{"subscriptions"},
		Short:   "Add subscriptions and associate them with resellers",
		Long: `Subscriptions of your customers, enough to associate indirect resellers with them: credit a
reseller for incentives (--reseller) and designate a reseller as the support contact
(--support-contact). Both must be active resellers.`,
		Example: `  pcctl subscription add --customer contoso.onmicrosoft.com --offer "Microsoft 365 E3" --quantity 25
  pcctl subscription set 3f2504e0-4f89-41d3-9a0c-0305e82c3301 --support-contact 4847383
  pcctl subscription export -o subscriptions.csv`,
		GroupID: "nouns",
	}
	cmdutil.NounCommand(cmd)
	cmd.AddCommand(newCmdAdd(f), newCmdList(f), newCmdSet(f), newCmdSuspend(f), newCmdReactivate(f), newCmdExport(f))
	return cmd
}

func newCmdAdd(f *cmdutil.Factory) *cobra.Command {
	var customer, offer, reseller, termEnd string
	var quantity int
	var o *output.Options
	cmd := &cobra.Command{
		Use:     "add --customer ID|DOMAIN --offer NAME --quantity N [--reseller MPNID] [--term-end DATE]",
		Short:   "Add a subscription for a customer",
		Example: `  pcctl subscription add --customer contoso.onmicrosoft.com --offer "Microsoft 365 E3" --quantity 25 --reseller 4847383 --term-end 2027-06-30`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.RequireFlags(cmd, "customer", "offer", "quantity"); err != nil {
				return err
			}
			if strings.TrimSpace(offer) == "" {
				return cmdutil.Usagef("--offer is empty")
			}
			s := domain.Subscription{CustomerID: customer, Offer: offer, Quantity: quantity, ResellerMPNID: reseller}
			if err := domain.CheckQuantity(quantity); err != nil {
				return cmdutil.Usagef("--quantity must be at least 1, not %d", quantity)
			}
			if termEnd != "" {
				t, err := time.Parse("2006-01-02", termEnd)
				if err != nil {
					return cmdutil.Usagef("invalid --term-end %q: expected a date as YYYY-MM-DD", termEnd)
				}
				s.TermEnd = t
			}
			if reseller != "" {
				if _, err := domain.ParseMPNID(reseller); err != nil {
					return cmdutil.Usagef("--reseller %s", err.(*domain.InvalidError).Detail())
				}
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			s, err = ws.AddSubscription(ctx, s)
			if err != nil {
				return err
			}
			f.IOStreams.Notice("Added %s × %d for %s.", s.Offer, s.Quantity, s.CustomerName)
			return output.PrintOne(f.IOStreams, o, Fields, nil, &s)
		},
	}
	cmd.Flags().StringVar(&customer, "customer", "", "the customer's tenant ID or domain")
	_ = cmd.RegisterFlagCompletionFunc("customer", f.CompleteFlag(workspace.CompleteCustomers))
	cmd.Flags().StringVar(&offer, "offer", "", "the offer's name")
	cmd.Flags().IntVar(&quantity, "quantity", 0, "number of licences (at least 1)")
	cmd.Flags().StringVar(&reseller, "reseller", "", "MPN ID of the active reseller to credit for incentives")
	_ = cmd.RegisterFlagCompletionFunc("reseller", f.CompleteFlag(workspace.CompleteResellers))
	cmd.Flags().StringVar(&termEnd, "term-end", "", "end of the term, YYYY-MM-DD")
	o = output.AddFlags(cmd, nil, output.FieldNames(Fields))
	return cmd
}

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	var q workspace.SubscriptionQuery
	var days int
	var limit *int
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "list [--customer C] [--reseller MPNID] [--expiring-within DAYS]",
		Short: "List subscriptions",
		Long: `List subscriptions, by customer then offer. --reseller selects those the reseller is credited
on or is the support contact of; --expiring-within those whose term ends within the next
DAYS days (terms already ended are not included).`,
		Example: `  pcctl subscription list --customer contoso.onmicrosoft.com
  pcctl subscription list --expiring-within 30 --format csv`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if days < 0 {
				return cmdutil.Usagef("--expiring-within must be 0 or more days, not %d", days)
			}
			if err := cmdutil.CheckLimit(*limit); err != nil {
				return err
			}
			if cmd.Flags().Changed("expiring-within") {
				within := time.Duration(days) * 24 * time.Hour
				q.ExpiringWithin = &within
			}
			if q.Reseller != "" {
				id, err := domain.ParseMPNID(q.Reseller)
				if err != nil {
					return cmdutil.Usagef("--reseller %s", err.(*domain.InvalidError).Detail())
				}
				q.Reseller = id
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			p, err := output.NewPrinter(f.IOStreams, o, Fields, ListDefaults)
			if err != nil {
				return err
			}
			p.LeaveOut("supportContact", "termEnd", "resellerMpnId")
			if err := cmdutil.LimitDone(ws.Subscriptions(ctx, q, cmdutil.Limit(*limit, func(s domain.Subscription) error { return p.Print(&s) }))); err != nil {
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
				f.IOStreams.Notice("No subscriptions.")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&q.Customer, "customer", "", "only this customer's (tenant ID or domain)")
	_ = cmd.RegisterFlagCompletionFunc("customer", f.CompleteFlag(workspace.CompleteCustomers))
	cmd.Flags().StringVar(&q.Reseller, "reseller", "", "only those this reseller is credited on or supports")
	_ = cmd.RegisterFlagCompletionFunc("reseller", f.CompleteFlag(workspace.CompleteResellers))
	cmd.Flags().IntVar(&days, "expiring-within", 0, "only those whose term ends within this many days")
	limit = cmdutil.AddLimitFlag(cmd, "subscriptions")
	o = output.AddFlags(cmd, nil, output.FieldNames(Fields))
	output.AddWideFlag(cmd, o)
	return cmd
}

func newCmdSet(f *cmdutil.Factory) *cobra.Command {
	var reseller, support string
	var quantity int
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "set ID [--reseller MPNID|none] [--support-contact MPNID|none] [--quantity N]",
		Short: "Change a subscription's reseller, support contact or quantity",
		Long: `Credit a reseller for incentives on the subscription (--reseller), designate a reseller as
its support contact (--support-contact), or change its quantity. Both resellers must be
active; 'none' removes the association.`,
		Example: `  pcctl subscription set 3f2504e0-4f89-41d3-9a0c-0305e82c3301 --reseller 4847383 --support-contact 4847383
  pcctl subscription set 3f2504e0-4f89-41d3-9a0c-0305e82c3301 --support-contact none`,
		Args: cmdutil.ExactArgs(1, "one subscription ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ch workspace.SubscriptionChange
			mpn := func(flag, v string) (*string, error) {
				if strings.EqualFold(v, "none") {
					empty := ""
					return &empty, nil
				}
				id, err := domain.ParseMPNID(v)
				if err != nil {
					return nil, cmdutil.Usagef("--%s %q is not an MPN ID (6 to 10 digits, such as 4847383) nor none", flag, v)
				}
				return &id, nil
			}
			var err error
			if cmd.Flags().Changed("reseller") {
				if ch.Reseller, err = mpn("reseller", reseller); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("support-contact") {
				if ch.SupportContact, err = mpn("support-contact", support); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("quantity") {
				if quantity < 1 {
					return cmdutil.Usagef("--quantity must be at least 1, not %d", quantity)
				}
				ch.Quantity = &quantity
			}
			if ch == (workspace.SubscriptionChange{}) {
				return cmdutil.Usagef("%s needs at least one of --reseller, --support-contact and --quantity", cmd.CommandPath())
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			s, err := ws.UpdateSubscription(ctx, args[0], ch)
			if err != nil {
				return err
			}
			f.IOStreams.Notice("Updated subscription %s (%s, %s).", s.ID, s.Offer, s.CustomerName)
			return output.PrintOne(f.IOStreams, o, Fields, nil, &s)
		},
		ValidArgsFunction: f.CompleteArgs(workspace.CompleteSubscriptions, 1),
	}
	cmd.Flags().StringVar(&reseller, "reseller", "", "MPN ID of the active reseller to credit, or none")
	_ = cmd.RegisterFlagCompletionFunc("reseller", f.CompleteFlag(workspace.CompleteResellers))
	cmd.Flags().StringVar(&support, "support-contact", "", "MPN ID of the active reseller to designate, or none")
	_ = cmd.RegisterFlagCompletionFunc("support-contact", f.CompleteFlag(workspace.CompleteResellers))
	cmd.Flags().IntVar(&quantity, "quantity", 0, "new quantity (at least 1)")
	o = output.AddFlags(cmd, nil, output.FieldNames(Fields))
	return cmd
}

func newCmdExport(f *cmdutil.Factory) *cobra.Command {
	var file string
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "export [--format csv|json|ndjson] [-o FILE]",
		Short: "Export every subscription, as Partner Center's portal does",
		Long: `Export every subscription with the columns of Partner Center's subscription export
(subscription ID, subscription, quantity, status, reseller); --fields adds or reorders
columns. Streams; with -o the file appears only once complete.`,
		Example: `  pcctl subscription export -o subscriptions.csv
  pcctl subscription export --format ndjson --fields id,customerName,supportContact`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			if len(o.Fields) == 0 {
				o.Fields = exportDefaults
			}
			var bar *progress.Bar // only with -o: progress by rows (a spinner: no cheap count)
			write := func(ios *iostreams.IOStreams) (int, error) {
				p, err := output.NewPrinter(ios, o, Fields, nil)
				if err != nil {
					return 0, err
				}
				if err := ws.Subscriptions(ctx, workspace.SubscriptionQuery{}, func(s domain.Subscription) error { bar.Add(1); return p.Print(&s) }); err != nil {
					return 0, err
				}
				return p.Count(), p.Close()
			}
			if file == "" || file == "-" {
				_, err := write(f.IOStreams)
				return err
			}
			out, err := f.CreateOutput("-o", file)
			if err != nil {
				return err
			}
			defer out.Abort()
			bar = progress.New(f.IOStreams, -1, "Exporting subscriptions")
			defer bar.Finish()
			n, err := write(&iostreams.IOStreams{Out: out, ErrOut: f.IOStreams.ErrOut})
			bar.Finish()
			if err != nil {
				return err
			}
			if err := out.Commit(); err != nil {
				return err
			}
			f.IOStreams.Notice("Exported %s to %s.", plural(n, "subscription"), file)
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "output", "o", "", "write to this file instead of standard output")
	o = output.AddFlags(cmd, []output.Format{output.CSV, output.JSON, output.NDJSON}, output.FieldNames(Fields))
	return cmd
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
