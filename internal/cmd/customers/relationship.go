package customers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmd/draft"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/fileutil"
	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Customer relationships (003, 004): ask (request-relationship, accepted through the
// link: accept-relationship), end (end-relationship), and the customer's permission to
// buy its own products (allow-purchases, deny-purchases).

// linkPath is the path of a relationship request's page on 'pcctl serve' (before the
// token).
const linkPath = "/pcctl/v1/relationshiprequests"

// RequestOptions are the inputs of `customers request-relationship`.
type RequestOptions struct {
	F           *cmdutil.Factory
	Output      *output.Options
	Ref         string
	Reseller    string
	Email       string
	MessageFile string
	EML         string
}

// relationshipDraft is a relationship request as request-relationship prints it: the
// subject and text with the link in place.
type relationshipDraft struct {
	domain.RelationshipRequest
	Link     string
	Existing bool
}

var requestFields = []output.Field[relationshipDraft]{
	output.StrField("customerId", "Customer ID", "tenant ID of the customer", func(d *relationshipDraft) string { return d.CustomerID }),
	output.StrField("companyName", "Company", "the customer's company name", func(d *relationshipDraft) string { return d.CustomerName }),
	output.StrField("domain", "Domain", "the customer's primary domain", func(d *relationshipDraft) string { return d.Domain }),
	output.StrField("resellerMpnId", "Reseller", "MPN ID of the indirect reseller the request is made on behalf of; empty when none", func(d *relationshipDraft) string { return d.ResellerMPNID }),
	output.StrField("email", "To", "the address the draft is for; empty when not given", func(d *relationshipDraft) string { return d.Email }),
	output.StrField("subject", "Subject", "the email's subject", func(d *relationshipDraft) string { return d.Subject }),
	output.StrField("link", "Link", "the single-use acceptance link", func(d *relationshipDraft) string { return d.Link }),
	output.StrField("token", "Token", "the token in the link ('customers accept-relationship TOKEN')", func(d *relationshipDraft) string { return d.Token }),
	output.TimeField("expiresAt", "Expires", "when the request can no longer be accepted", func(d *relationshipDraft) time.Time { return d.ExpiresAt() }),
	output.BoolField("existing", "Existing", "true when the customer already had a pending request, shown again", func(d *relationshipDraft) bool { return d.Existing }),
	output.StrField("body", "Body", "the email's text, holding the link", func(d *relationshipDraft) string { return d.Body }),
}

// NewCmdRequestRelationship is `pcctl customers request-relationship`.
func NewCmdRequestRelationship(f *cmdutil.Factory, runF func(*RequestOptions) error) *cobra.Command {
	o := &RequestOptions{F: f}
	cmd := &cobra.Command{
		Use:   "request-relationship ID|DOMAIN [--reseller MPNID] [--email ADDRESS] [--eml FILE] [--message-file FILE]",
		Short: "Ask an existing customer for a reseller relationship, and print the email to send",
		Long: `Record a request for a reseller relationship with an existing customer and print the draft
email holding its acceptance link (single use, valid 30 days): a global administrator of
the customer opens it and accepts. pcctl sends no email: send the draft yourself, or write
it with --eml as a message any mail client opens (readable by you only: it holds the link).

--reseller makes the request on behalf of one of your active indirect resellers, who
manages the customer once it accepts. --email addresses the draft. A customer whose
relationship ended ('customers end-relationship') is reinstated when it accepts; a
customer that already has the relationship asked for is refused. Asking again while a
request is pending shows that request again.

The text may be edited as for 'reseller invite': --message-file FILE holds the body (a
first line "Subject: ..." sets the subject), with {{link}} where the link goes. The link's
base is invite_base_url in the config, by default the address of 'pcctl serve'.

In a workspace linked to Partner Center (pcctl sync), with a user signed in, the link is
Partner Center's (GET /v1/customers/relationshiprequests; with --reseller, on behalf of that
indirect reseller as Partner Center lists it): the customer's admin accepts there, and the
relationship arrives with the next 'pcctl sync customers'. The request is recorded as
pending here, until that sync brings the relationship back.`,
		Example: `  pcctl customers request-relationship contoso.onmicrosoft.com --email admin@contoso.com
  pcctl customers request-relationship contoso.onmicrosoft.com --reseller 4847383 --eml request.eml`,
		Args: cmdutil.ExactArgs(1, "one customer ID or domain"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ref = args[0]
			if runF != nil {
				return runF(o)
			}
			return requestRun(cmd.Context(), o)
		},
		ValidArgsFunction: f.CompleteArgs(workspace.CompleteCustomers, 1),
	}
	cmd.Flags().StringVar(&o.Reseller, "reseller", "", "MPN ID of the active indirect reseller the request is made on behalf of")
	_ = cmd.RegisterFlagCompletionFunc("reseller", f.CompleteFlag(workspace.CompleteResellers))
	cmd.Flags().StringVar(&o.Email, "email", "", "the address of the customer's administrator, for the draft")
	cmd.Flags().StringVar(&o.MessageFile, "message-file", "", "the email's text, with {{link}} where the link goes")
	cmd.Flags().StringVar(&o.EML, "eml", "", "also write the draft as an RFC 5322 message (.eml) to this file")
	o.Output = output.AddFlags(cmd, []output.Format{output.Table, output.JSON, output.NDJSON}, output.FieldNames(requestFields))
	return cmd
}

func requestRun(ctx context.Context, o *RequestOptions) error {
	f := o.F
	var err error
	if o.Email != "" {
		if o.Email, err = domain.ParseEmail(o.Email); err != nil {
			return cmdutil.Usagef("--email %s", err.(*domain.InvalidError).Detail())
		}
	}
	if o.Reseller != "" {
		if o.Reseller, err = domain.ParseMPNID(o.Reseller); err != nil {
			return cmdutil.Usagef("--reseller %s", err.(*domain.InvalidError).Detail())
		}
	}
	custom, err := draft.ReadMessage(o.MessageFile)
	if err != nil {
		return err
	}
	ws, err := f.Workspace(ctx)
	if err != nil {
		return err
	}
	c, err := ws.Customer(ctx, o.Ref)
	if err != nil {
		return err
	}
	resellerName := ""
	if o.Reseller != "" {
		resellerName = o.Reseller
		if r, err := ws.Reseller(ctx, o.Reseller); err == nil {
			resellerName = r.Name
		} // an unknown or removed reseller: the workspace refuses the request below
	}
	now := f.Now()
	// The link is not known until the workspace draws its token: the draft holds the
	// placeholder, replaced once the request is recorded. A name stored before names were
	// checked (or from Partner Center) may hold a control character: escaped, it cannot
	// make the draft look like the user's own --message-file was refused.
	subject, body, err := domain.DraftRelationshipRequest(f.Config.PartnerName(), iostreams.Safe(c.CompanyName), iostreams.Safe(resellerName),
		domain.LinkPlaceholder, now.Add(domain.InvitationTTL), custom)
	if err != nil {
		if ie, ok := err.(*domain.InvalidError); ok {
			return cmdutil.Usagef("--message-file %s: %s", o.MessageFile, ie.Reason)
		}
		return err
	}
	// Refuse an --eml file that cannot be written before recording anything.
	var eml *fileutil.AtomicFile
	if o.EML != "" {
		if eml, err = draft.CreateEML(f, "--eml", o.EML, o.MessageFile); err != nil {
			return err
		}
		defer eml.Abort()
	}
	saved, existing, err := ws.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: c.ID, ResellerMPNID: o.Reseller,
		Email: o.Email, Subject: subject, Body: body})
	if err != nil {
		return err
	}
	if saved.Link != "" && o.MessageFile == "" {
		// Partner Center's link (a linked workspace) is neither single use nor expiring as
		// pcctl's own: the draft does not say it is.
		if subject, body, err := domain.DraftRelationshipRequest(f.Config.PartnerName(), c.CompanyName, resellerName,
			domain.LinkPlaceholder, time.Time{}, ""); err == nil {
			saved.Subject, saved.Body = subject, body
		}
	}
	base, configured := f.Config.InviteBaseURL()
	d := relationshipDraft{RelationshipRequest: saved, Link: saved.Link, Existing: existing}
	if d.Link == "" {
		d.Link = draft.Link(base, linkPath, saved.Token)
	}
	d.Subject = strings.ReplaceAll(d.Subject, domain.LinkPlaceholder, d.Link)
	d.Body = strings.ReplaceAll(d.Body, domain.LinkPlaceholder, d.Link)
	ios := f.IOStreams
	if existing {
		ios.Notice("%s already has a pending relationship request, made %s: here it is again.", c.CompanyName, saved.CreatedAt.Format("2006-01-02"))
	} else {
		ios.Notice("Recorded a relationship request for %s (%s). pcctl sends no email: send this draft yourself.", c.CompanyName, c.Domain)
	}
	if saved.Link != "" {
		ios.Notice("The link is Partner Center's (this workspace is linked to it): once the customer's admin accepts there, the relationship arrives with the next pcctl sync customers.")
	}
	if !configured && saved.Link == "" {
		ios.Notice("The link points at %s: set invite_base_url in the config to your pcctl server's address.", base)
	}
	if eml != nil {
		if err := draft.WriteEML(eml, draft.Email{From: f.Config.User(), ToName: c.CompanyName, To: d.Email,
			Subject: d.Subject, Body: d.Body, Date: now}); err != nil {
			return err
		}
		if err := eml.Commit(); err != nil {
			return err
		}
		ios.Notice("Wrote the draft to %s.", o.EML)
	}
	if o.Output.Format == output.Table && len(o.Output.Fields) == 0 {
		draft.Print(ios, draft.Email{To: d.Email, Subject: d.Subject, Body: d.Body})
		return nil
	}
	return output.PrintOne(ios, o.Output, requestFields, nil, &d)
}

// NewCmdAcceptRelationship is `pcctl customers accept-relationship`.
func NewCmdAcceptRelationship(f *cmdutil.Factory) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "accept-relationship TOKEN",
		Short: "Record a customer's acceptance of a relationship request",
		Long: `Record that the customer accepted the relationship request whose link holds TOKEN: the
relationship begins (or is reinstated, if it had ended), through the reseller the request
named. This is the operator's way in a local workspace; a pcctl server also serves the
link itself. Expired (after 30 days), unknown and already used tokens are refused.

In a workspace linked to Partner Center it is refused (exit 4): the customer accepts in
Partner Center, and the relationship arrives with the next 'pcctl sync customers'.`,
		Example: `  pcctl customers accept-relationship q3v9x2...`,
		Args:    cmdutil.ExactArgs(1, "the token of the request's link"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			c, err := ws.AcceptRelationship(ctx, args[0])
			if err != nil {
				return err
			}
			how := ""
			if c.ResellerMPNID != "" {
				how = ", through the indirect reseller " + c.ResellerMPNID
			}
			f.IOStreams.Notice("%s (%s) accepted the reseller relationship%s.", c.CompanyName, c.Domain, how)
			return output.PrintOne(f.IOStreams, o, recordFields, nil, &c)
		},
	}
	o = output.AddFlags(cmd, nil, output.FieldNames(recordFields))
	return cmd
}

// NewCmdEndRelationship is `pcctl customers end-relationship`.
func NewCmdEndRelationship(f *cmdutil.Factory) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "end-relationship ID|DOMAIN [--yes]",
		Short: "End the relationship with a customer",
		Long: `End the reseller relationship with a customer you no longer transact with, after confirming
the notice below (--yes confirms it without asking; without a terminal, --yes is required).

It is refused (exit 4), naming each blocker, while the customer has an active subscription
(suspend it first: 'pcctl subscription suspend ID') or an active Azure reserved VM instance
order (only Azure support can cancel one). The customer then has the relationship none: it
leaves the default views ('customers list --view ended' shows it) and its subscriptions
and purchase permission can no longer change.

In a workspace linked to Partner Center (pcctl sync), with a user signed in, the relationship
is ended in Partner Center first (its customer PATCH with the relationship none), which
refuses too while it knows of an active subscription or reserved instance order (exit 4,
with its message: pcctl sync subscriptions shows them); then here.

` + domain.EndNotice,
		Example: `  pcctl customers end-relationship contoso.onmicrosoft.com
  pcctl customers end-relationship contoso.onmicrosoft.com --yes`,
		Args: cmdutil.ExactArgs(1, "one customer ID or domain"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			c, err := ws.Customer(ctx, args[0])
			if err != nil {
				return err
			}
			// The blockers first: confirming a change that is then refused helps no one.
			var subs []domain.Subscription
			if err := ws.Subscriptions(ctx, workspace.SubscriptionQuery{Customer: c.ID},
				func(s domain.Subscription) error { subs = append(subs, s); return nil }); err != nil {
				return err
			}
			if err := domain.CheckEndRelationship(c.Customer, subs); err != nil {
				return err
			}
			ios := f.IOStreams
			if !yes {
				if !ios.CanPrompt() {
					return cmdutil.Usagef("%s needs your confirmation and there is no terminal to ask on: pass --yes to confirm the notice of '%s --help'", cmd.CommandPath(), cmd.CommandPath())
				}
				ios.Notice("%s\n", iostreams.Fill(fmt.Sprintf("Ending the relationship with %s (%s).\n\n%s", c.CompanyName, c.Domain, domain.EndNotice), ios.TerminalWidth()))
				ok, err := f.Prompter().Confirm(fmt.Sprintf("End the relationship with %s?", c.CompanyName), false)
				if err != nil {
					return err
				}
				if !ok {
					ios.Notice("Nothing was changed.")
					return nil
				}
			}
			none := domain.RelationshipNone
			ended, _, err := ws.UpdateCustomer(ctx, c.ID, workspace.CustomerChange{Relationship: &none})
			if err != nil {
				return err
			}
			ios.Notice("Ended the relationship with %s (%s); delegated admin access ended with it. No notice was sent to anyone; 'customers request-relationship' reinstates it.",
				ended.CompanyName, ended.Domain)
			return nil
		},
		ValidArgsFunction: f.CompleteArgs(workspace.CompleteCustomers, 1),
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "confirm the notice without asking")
	return cmd
}

// NewCmdAllowPurchases is `pcctl customers allow-purchases`.
func NewCmdAllowPurchases(f *cmdutil.Factory) *cobra.Command {
	return purchasesCmd(f, true, "allow-purchases ID|DOMAIN", "Let a customer buy its own products or services",
		`Give the customer permission to buy its own products or services, such as Azure
reservations from a subscription you bought for it (003). 'customers show' shows it
(purchasesAllowed). Not while the relationship has ended.

Partner Center has no API for this permission (it is set on the customer's account page
there): in a workspace linked to Partner Center it is recorded here only, signed in or not.`,
		`  pcctl customers allow-purchases contoso.onmicrosoft.com`)
}

// NewCmdDenyPurchases is `pcctl customers deny-purchases`.
func NewCmdDenyPurchases(f *cmdutil.Factory) *cobra.Command {
	return purchasesCmd(f, false, "deny-purchases ID|DOMAIN", "Take back a customer's permission to buy its own",
		`Take back the customer's permission to buy its own products or services. Not while the
relationship has ended.

Partner Center has no API for this permission: in a workspace linked to Partner Center it is
recorded here only.`,
		`  pcctl customers deny-purchases contoso.onmicrosoft.com`)
}

func purchasesCmd(f *cmdutil.Factory, allow bool, use, short, long, example string) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		Args: cmdutil.ExactArgs(1, "one customer ID or domain"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			c, changed, err := ws.UpdateCustomer(ctx, args[0], workspace.CustomerChange{PurchasesAllowed: &allow})
			if err != nil {
				return err
			}
			switch {
			case changed && allow:
				f.IOStreams.Notice("%s (%s) may now buy its own products and services.", c.CompanyName, c.Domain)
			case changed:
				f.IOStreams.Notice("%s (%s) may no longer buy its own products and services.", c.CompanyName, c.Domain)
			case allow:
				f.IOStreams.Notice("%s (%s) could already buy its own products and services.", c.CompanyName, c.Domain)
			default:
				f.IOStreams.Notice("%s (%s) could not buy its own products and services: nothing changed.", c.CompanyName, c.Domain)
			}
			return output.PrintOne(f.IOStreams, o, recordFields, nil, &c)
		},
		ValidArgsFunction: f.CompleteArgs(workspace.CompleteCustomers, 1),
	}
	o = output.AddFlags(cmd, nil, output.FieldNames(recordFields))
	return cmd
}
