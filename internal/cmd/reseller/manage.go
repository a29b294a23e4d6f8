package reseller

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmd/subscription"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

func newCmdAccept(f *cmdutil.Factory) *cobra.Command {
	var mpnID, name string
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "accept TOKEN|LINK --mpn-id ID --name NAME",
		Short: "Record a reseller's acceptance of a partnership request",
		Long: `Record that the reseller accepted the partnership request whose link holds TOKEN: it joins
your indirect resellers under its MPN ID. This is the operator's way in a local workspace;
a pcctl server also serves the link itself. Expired (after 30 days), unknown and already
used tokens are refused. The whole link, as the request gives it, is accepted too.`,
		Example: `  pcctl reseller accept q3V9x2... --mpn-id 4847383 --name "Fabrikam Partners"
  pcctl reseller accept https://pcctl.contoso.com/pcctl/v1/invitations/q3V9x2... --mpn-id 4847383 --name "Fabrikam Partners"`,
		Args: cmdutil.ExactArgs(1, "the token of the request's link, or the link"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.RequireFlags(cmd, "mpn-id", "name"); err != nil {
				return err
			}
			if _, err := domain.ParseMPNID(mpnID); err != nil {
				return cmdutil.Usagef("--mpn-id %s", err.(*domain.InvalidError).Detail())
			}
			if strings.TrimSpace(name) == "" {
				return cmdutil.Usagef("--name is empty")
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			r, err := ws.AcceptInvitation(ctx, invitationToken(args[0]), mpnID, name)
			if err != nil {
				return err
			}
			f.IOStreams.Notice("%s (MPN ID %s) is now one of your indirect resellers.", r.Name, r.MPNID)
			return output.PrintOne(f.IOStreams, o, resellerFields, nil, &r)
		},
	}
	cmd.Flags().StringVar(&mpnID, "mpn-id", "", "MPN ID of the reseller's partner location account")
	cmd.Flags().StringVar(&name, "name", "", "the reseller's name")
	o = output.AddFlags(cmd, nil, output.FieldNames(resellerFields))
	return cmd
}

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	var status string
	var limit *int
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "list [--status pending|active|removed|all]",
		Short: "List indirect resellers and partnership requests",
		Long: `List your indirect resellers. --status active (the default) shows the partners; pending
shows requests not yet accepted (and expired ones with all); removed shows former partners.`,
		Example: `  pcctl reseller list
  pcctl reseller list --status pending --format json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var statuses []domain.ResellerStatus
			switch strings.ToLower(strings.TrimSpace(status)) {
			case "active":
				statuses = []domain.ResellerStatus{domain.ResellerActive}
			case "pending":
				statuses = []domain.ResellerStatus{domain.ResellerPending}
			case "removed":
				statuses = []domain.ResellerStatus{domain.ResellerRemoved}
			case "all":
				statuses = []domain.ResellerStatus{domain.ResellerActive, domain.ResellerPending, domain.ResellerExpired, domain.ResellerRemoved}
			default:
				return cmdutil.Usagef("invalid --status %q; valid statuses: pending, active, removed, all", status)
			}
			if err := cmdutil.CheckLimit(*limit); err != nil {
				return err
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			rs, err := ws.Resellers(ctx, statuses)
			if err != nil {
				return err
			}
			if *limit > 0 && len(rs) > *limit {
				rs = rs[:*limit]
			}
			defaults := listDefaults
			if statuses[0] == domain.ResellerPending && len(statuses) == 1 {
				defaults = pendingDefaults // a request has no MPN ID nor acceptance yet
			}
			p, err := output.NewPrinter(f.IOStreams, o, resellerFields, defaults)
			if err != nil {
				return err
			}
			for i := range rs {
				p.Print(&rs[i])
			}
			if err := p.Close(); err != nil {
				return err
			}
			if len(rs) == 0 {
				if len(statuses) > 1 {
					f.IOStreams.Notice("No resellers and no partnership requests.")
				} else {
					f.IOStreams.Notice("No %s resellers.", statuses[0])
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&status, "status", "active", "which: pending, active, removed, all")
	limit = cmdutil.AddLimitFlag(cmd, "resellers")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions([]string{"pending", "active", "removed", "all"}, cobra.ShellCompDirectiveNoFileComp))
	o = output.AddFlags(cmd, nil, output.FieldNames(resellerFields))
	return cmd
}

// customerFields are the columns of a reseller's customers in `reseller show`.
var customerFields = []output.Field[workspace.CustomerRecord]{
	output.StrField("id", "ID", "tenant ID", func(c *workspace.CustomerRecord) string { return c.ID }),
	output.StrField("companyName", "COMPANY NAME", "company name", func(c *workspace.CustomerRecord) string { return c.CompanyName }),
	output.StrField("domain", "DOMAIN", "primary domain", func(c *workspace.CustomerRecord) string { return c.Domain }),
	output.StrField("country", "COUNTRY", "country code", func(c *workspace.CustomerRecord) string { return c.Country }),
}

func newCmdShow(f *cmdutil.Factory) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "show MPNID",
		Short: "Show a reseller with its customers and subscriptions",
		Long: `Show an indirect reseller (active or removed), the customers it manages, and the
subscriptions it is credited on (incentives) or is the support contact of.`,
		Example: `  pcctl reseller show 4847383
  pcctl reseller show 4847383 --format json`,
		Args: cmdutil.ExactArgs(1, "one MPN ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			r, err := ws.Reseller(ctx, args[0])
			if err != nil {
				return err
			}
			var cs []workspace.CustomerRecord
			if err := ws.ListCustomers(ctx, workspace.ListQuery{View: domain.ViewAll, Reseller: r.MPNID},
				func(c workspace.CustomerRecord) error { cs = append(cs, c); return nil }); err != nil {
				return err
			}
			var subs []domain.Subscription
			if err := ws.Subscriptions(ctx, workspace.SubscriptionQuery{Reseller: r.MPNID},
				func(s domain.Subscription) error { subs = append(subs, s); return nil }); err != nil {
				return err
			}
			return printShow(f.IOStreams, o, &r, cs, subs)
		},
		ValidArgsFunction: f.CompleteArgs(workspace.CompleteAnyResellers, 1),
	}
	o = output.AddFlags(cmd, []output.Format{output.Table, output.JSON}, output.FieldNames(resellerFields))
	return cmd
}

// printShow prints the reseller, then its customers and subscriptions: sections in a
// table, nested arrays in JSON.
func printShow(ios *iostreams.IOStreams, o *output.Options, r *domain.Reseller, cs []workspace.CustomerRecord, subs []domain.Subscription) error {
	all := &output.Options{Format: o.Format}
	credited, supported := 0, 0
	for _, s := range subs {
		if s.ResellerMPNID == r.MPNID {
			credited++
		}
		if s.SupportContact == r.MPNID {
			supported++
		}
	}
	if o.Format == output.JSON {
		b := output.AppendJSONObject(nil, resellerFields, o.Fields, r)
		b = b[:len(b)-1]
		b = fmt.Appendf(b, `,"creditedSubscriptions":%d,"supportContactSubscriptions":%d`, credited, supported)
		b = append(b, `,"customers":[`...)
		for i := range cs {
			if i > 0 {
				b = append(b, ',')
			}
			b = output.AppendJSONObject(b, customerFields, nil, &cs[i])
		}
		b = append(b, `],"subscriptions":[`...)
		for i := range subs {
			if i > 0 {
				b = append(b, ',')
			}
			b = output.AppendJSONObject(b, subscription.Fields, nil, &subs[i])
		}
		b = append(b, "]}\n"...)
		_, err := ios.Out.Write(b)
		return err
	}
	if err := output.PrintOne(ios, o, resellerFields, nil, r); err != nil {
		return err
	}
	fmt.Fprintf(ios.Out, "Credited for incentives on %d subscription(s); support contact for %d.\n", credited, supported)
	fmt.Fprintf(ios.Out, "\nCustomers (%d):\n", len(cs))
	p, err := output.NewPrinter(ios, all, customerFields, nil)
	if err != nil {
		return err
	}
	for i := range cs {
		p.Print(&cs[i])
	}
	if err := p.Close(); err != nil {
		return err
	}
	fmt.Fprintf(ios.Out, "\nSubscriptions (%d):\n", len(subs))
	ps, err := output.NewPrinter(ios, all, subscription.Fields, subscription.ListDefaults)
	if err != nil {
		return err
	}
	for i := range subs {
		ps.Print(&subs[i])
	}
	return ps.Close()
}

func newCmdRemove(f *cmdutil.Factory) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "remove MPNID [--yes]",
		Short: "End the partnership with an indirect reseller",
		Long: `End the partnership with an indirect reseller, after confirming the notice below (--yes
confirms it without asking; without a terminal, --yes is required). The reseller leaves the
list (it stays visible with 'reseller list --status removed') and can be invited again.

` + domain.RemovalNotice,
		Example: `  pcctl reseller remove 4847383
  pcctl reseller remove 4847383 --yes`,
		Args: cmdutil.ExactArgs(1, "one MPN ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			r, err := ws.Reseller(ctx, args[0])
			if err != nil {
				return err
			}
			if r.Status == domain.ResellerRemoved {
				return &domain.RuleError{Rule: "reseller-removed", Msg: fmt.Sprintf("%s (MPN ID %s) was already removed on %s",
					r.Name, r.MPNID, r.RemovedAt.Format("2006-01-02"))}
			}
			ios := f.IOStreams
			if !yes {
				if !ios.CanPrompt() {
					return cmdutil.Usagef("%s needs your confirmation and there is no terminal to ask on: pass --yes to confirm the notice of '%s --help'", cmd.CommandPath(), cmd.CommandPath())
				}
				ios.Notice("%s\n", iostreams.Fill(fmt.Sprintf("Removing %s (MPN ID %s).\n\n%s", r.Name, r.MPNID, domain.RemovalNotice), ios.TerminalWidth()))
				ok, err := f.Prompter().Confirm(fmt.Sprintf("Remove the partnership with %s?", r.Name), false)
				if err != nil {
					return err
				}
				if !ok {
					ios.Notice("Nothing was removed.")
					return nil
				}
			}
			removed, err := ws.RemoveReseller(ctx, r.MPNID)
			if err != nil {
				return err
			}
			ios.Notice("Removed the partnership with %s (MPN ID %s). Its customers and subscriptions are unchanged; no notice was sent to anyone.",
				removed.Name, removed.MPNID)
			return nil
		},
		ValidArgsFunction: f.CompleteArgs(workspace.CompleteResellers, 1),
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "confirm the removal notice without asking")
	return cmd
}

// invitationToken is the token of a partnership request's link
// (BASE/pcctl/v1/invitations/TOKEN), or the argument itself when it is no such link.
func invitationToken(arg string) string {
	const marker = "/pcctl/v1/invitations/"
	i := strings.LastIndex(arg, marker)
	if i < 0 {
		return arg
	}
	token := arg[i+len(marker):]
	if j := strings.IndexAny(token, "?#/"); j >= 0 {
		token = token[:j]
	}
	return token
}
