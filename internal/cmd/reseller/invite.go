package reseller

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmd/draft"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/fileutil"
	"github.com/pcctl/pcctl/internal/output"
)

type inviteOptions struct {
	f           *cmdutil.Factory
	output      *output.Options
	email, name string
	messageFile string
	eml         string
}

type invitationDraft struct {
	domain.Invitation
	Link     string
	Existing bool
}

var draftFields = []output.Field[invitationDraft]{
	output.StrField("email", "To", "the reseller's address", func(d *invitationDraft) string { return d.Email }),
	output.StrField("subject", "Subject", "the email's subject", func(d *invitationDraft) string { return d.Subject }),
	output.StrField("link", "Link", "the personalised, single-use acceptance link", func(d *invitationDraft) string { return d.Link }),
	output.StrField("token", "Token", "the token in the link ('reseller accept TOKEN')", func(d *invitationDraft) string { return d.Token }),
	output.TimeField("expiresAt", "Expires", "when the request can no longer be accepted", func(d *invitationDraft) time.Time { return d.ExpiresAt() }),
	output.BoolField("existing", "Existing", "true when this address already had a pending request, shown again", func(d *invitationDraft) bool { return d.Existing }),
	output.StrField("body", "Body", "the email's text, holding the link", func(d *invitationDraft) string { return d.Body }),
}

func newCmdInvite(f *cmdutil.Factory) *cobra.Command {
	o := &inviteOptions{f: f}
	cmd := &cobra.Command{
		Use:   "invite --email EMAIL [--name NAME] [--message-file FILE] [--eml FILE]",
		Short: "Make a partnership request and print the email to send",
		Long: `Record a partnership request for an indirect reseller and print the draft email holding its
personalised acceptance link (single use, valid 30 days). pcctl sends no email: send the
draft yourself, or write it with --eml as a message any mail client opens.

The text may be edited: --message-file FILE holds the body (a first line "Subject: ..."
sets the subject), with {{link}} where the link goes; a message without the link is
refused. The link's base is invite_base_url in the config (PCCTL_INVITE_BASE_URL),
by default the address of 'pcctl serve'. partner_name in the config signs the request.

Inviting an address that already has a pending request shows that request again; an
address that is already an active reseller's is refused.`,
		Example: `  pcctl reseller invite --email sales@fabrikam.com --name "Fabrikam Partners"
  pcctl reseller invite --email sales@fabrikam.com --message-file request.txt --eml request.eml`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.email == "" {
				return cmdutil.Usagef("%s needs --email; see '%s --help'", cmd.CommandPath(), cmd.CommandPath())
			}
			return inviteRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.email, "email", "", "the reseller's email address")
	cmd.Flags().StringVar(&o.name, "name", "", "the reseller's name, for the greeting")
	cmd.Flags().StringVar(&o.messageFile, "message-file", "", "the email's text, with {{link}} where the link goes")
	cmd.Flags().StringVar(&o.eml, "eml", "", "also write the draft as an RFC 5322 message (.eml) to this file")
	o.output = output.AddFlags(cmd, []output.Format{output.Table, output.JSON, output.NDJSON}, output.FieldNames(draftFields))
	return cmd
}

func inviteRun(ctx context.Context, o *inviteOptions) error {
	email, err := domain.ParseEmail(o.email)
	if err != nil {
		return cmdutil.Usagef("--email %s", err.(*domain.InvalidError).Detail())
	}
	custom, err := draft.ReadMessage(o.messageFile)
	if err != nil {
		return err
	}
	base, configured := o.f.Config.InviteBaseURL()
	link := func(token string) string {
		return strings.TrimSuffix(base, "/") + "/pcctl/v1/invitations/" + token
	}
	now := o.f.Now()
	// The workspace draws the token and writes it where the draft says {{token}}.
	subject, body, err := domain.DraftInvitation(o.f.Config.PartnerName(), strings.TrimSpace(o.name), link(domain.TokenPlaceholder), now.Add(domain.InvitationTTL), custom)
	if err != nil {
		if ie, ok := err.(*domain.InvalidError); ok {
			return cmdutil.Usagef("--message-file %s: %s", o.messageFile, ie.Reason)
		}
		return err
	}
	// Refuse an --eml file that cannot be written before recording anything.
	var eml *fileutil.AtomicFile
	if o.eml != "" {
		if eml, err = draft.CreateEML(o.f, "--eml", o.eml, o.messageFile); err != nil {
			return err
		}
		defer eml.Abort()
	}
	ws, err := o.f.Workspace(ctx)
	if err != nil {
		return err
	}
	inv, existing, err := ws.InviteReseller(ctx, domain.Invitation{Email: email, Name: strings.TrimSpace(o.name),
		Subject: subject, Body: body})
	if err != nil {
		return err
	}
	d := invitationDraft{Invitation: inv, Link: link(inv.Token), Existing: existing}
	ios := o.f.IOStreams
	if existing {
		ios.Notice("%s already has a pending partnership request, made %s: here it is again.", email, inv.CreatedAt.Format("2006-01-02"))
	} else {
		ios.Notice("Recorded a partnership request for %s. pcctl sends no email: send this draft yourself.", email)
	}
	if !configured {
		ios.Notice("The link points at %s: set invite_base_url in the config to your pcctl server's address.", base)
	}
	if eml != nil {
		if err := draft.WriteEML(eml, draft.Email{From: o.f.Config.User(), ToName: d.Name, To: d.Email,
			Subject: d.Subject, Body: d.Body, Date: now}); err != nil {
			return err
		}
		if err := eml.Commit(); err != nil {
			return err
		}
		ios.Notice("Wrote the draft to %s.", o.eml)
	}
	if o.output.Format == output.Table && len(o.output.Fields) == 0 {
		draft.Print(ios, draft.Email{To: d.Email, Subject: d.Subject, Body: d.Body})
		return nil
	}
	return output.PrintOne(ios, o.output, draftFields, nil, &d)
}
