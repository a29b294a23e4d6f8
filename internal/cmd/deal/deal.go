// Package deal holds the `pcctl deal` commands: co-sell deals (001), with the status model
// of the Partner Center Referrals API.
package deal

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

// NewCmdDeal is `pcctl deal`.
func NewCmdDeal(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "deal <command>",
		Aliases: []string{"deals"},
		Short:   "Create, follow and close co-sell deals",
		Long: `Co-sell deals, with the status model of Partner Center's Referrals API: New (Pending:
waiting for the Microsoft seller; Received: waiting for you), Active (Accepted), Closed (Won,
Lost, Declined, Expired). A closed deal can no longer be changed.

Outbound deals are the ones you create: a private pipeline deal (the default) is active at
once; a co-sell deal (--invite-microsoft) asks a Microsoft seller for help and needs a
customer contact and the customer's consent. Inbound deals are sent by a Microsoft seller
('deal receive' records one). A New deal nobody acts on expires after 14 days.

Every write accepts --if-version N: the change is refused if the deal is no longer at that
version (someone changed it since you read it).`,
		Example: `  pcctl deal create --name "Contoso ERP" --customer contoso.com --value 50000 --currency USD --solution microsoft:CFQ7TTC0LF8Q:25:12.50
  pcctl deal list --status New --expiring-within 7
  pcctl deal close 7c9e6679-7425-40de-944b-e07fc1f90ae7 --won`,
		GroupID: "nouns",
	}
	cmdutil.NounCommand(cmd)
	team := newCmdTeam(f)
	// Every command that names a deal takes a unique beginning of its ID, as git does.
	byID := []*cobra.Command{newCmdShow(f), newCmdAccept(f), newCmdDecline(f), newCmdClose(f), newCmdUpdate(f),
		newCmdNote(f), newCmdFavorite(f, true), newCmdFavorite(f, false)}
	f.WithPrefixArg(workspace.CompleteDeals, "deal ID", append(byID, team.Commands()...)...)
	cmd.AddCommand(newCmdCreate(f), newCmdReceive(f), newCmdList(f), newCmdImport(f), newCmdPublish(f), team)
	cmd.AddCommand(byID...)
	return cmd
}

type rec = workspace.DealRecord

// Fields are the fields of a deal (docs/output.md), named after the Referrals API where it
// has a name for them.
var Fields = []output.Field[rec]{
	output.StrField("id", "ID", "deal ID (a GUID, or the PSC opportunity ID of a migrated deal)", func(d *rec) string { return d.ID }),
	output.StrField("engagementId", "ENGAGEMENT ID", "Partner Center engagement ID (a GUID)", func(d *rec) string { return d.EngagementID }),
	output.StrField("name", "NAME", "deal name", func(d *rec) string { return d.Name }),
	output.StrField("status", "STATUS", "New, Active or Closed", func(d *rec) string { return string(d.Status) }),
	output.StrField("substatus", "SUBSTATUS", "Pending, Received, Accepted, Won, Lost, Declined or Expired", func(d *rec) string { return string(d.Substatus) }),
	output.StrField("direction", "DIRECTION", "inbound (sent by a Microsoft seller) or outbound (created by you)", func(d *rec) string { return string(d.Direction) }),
	output.StrField("type", "TYPE", "private (pipeline) or co-sell (Microsoft invited)", func(d *rec) string { return string(d.Type) }),
	output.StrField("customerName", "CUSTOMER", "the customer organisation's name", func(d *rec) string { return d.Organization }),
	output.StrField("customerId", "CUSTOMER ID", "tenant ID of the customer; empty for a prospect organisation", func(d *rec) string { return d.CustomerID }),
	output.StrField("customerCountry", "COUNTRY", "country of a prospect organisation", func(d *rec) string { return d.OrgCountry }),
	output.DecimalField("dealValue", "VALUE", "estimated value (a JSON number)", func(d *rec) string { return d.Value }),
	output.StrField("currency", "CURRENCY", "ISO 4217 currency of the value", func(d *rec) string { return d.Currency }),
	output.StrField("contactName", "CONTACT NAME", "the customer contact's name", func(d *rec) string { return d.Contact.Name }),
	output.StrField("contactEmail", "CONTACT EMAIL", "the customer contact's email", func(d *rec) string { return d.Contact.Email }),
	output.StrField("contactPhone", "CONTACT PHONE", "the customer contact's phone", func(d *rec) string { return d.Contact.Phone }),
	output.BoolField("consent", "CONSENT", "the customer consented to share its details with Microsoft", func(d *rec) bool { return d.Consent }),
	output.StrField("sellerName", "SELLER NAME", "the Microsoft seller's name; empty until the seller accepted", func(d *rec) string { return seller(d).Name }),
	output.StrField("sellerEmail", "SELLER EMAIL", "the Microsoft seller's email; empty until the seller accepted", func(d *rec) string { return seller(d).Email }),
	output.BoolField("iotOem", "IoT OEM", "an IoT OEM deal", func(d *rec) bool { return d.IoTOEM }),
	output.TimeField("closeDate", "CLOSE DATE", "estimated close date (IoT OEM deals only); null when not set", func(d *rec) time.Time { return d.CloseDate }),
	output.StrField("statusReason", "REASON", "why the deal was declined, won or lost", func(d *rec) string { return d.StatusReason }),
	output.BoolField("favorite", "FAVORITE", "one of your favorites", func(d *rec) bool { return d.Favorite }),
	output.TimeField("createdAt", "CREATED", "when the deal was created or received", func(d *rec) time.Time { return d.CreatedAt }),
	output.TimeField("updatedAt", "UPDATED", "when the deal last changed", func(d *rec) time.Time { return d.UpdatedAt }),
	output.TimeField("expiresAt", "EXPIRES", "when a New deal expires if nobody acts; null otherwise", func(d *rec) time.Time { return d.ExpiresAt }),
	output.IntField("version", "VERSION", "bumped by every change: give it to --if-version", func(d *rec) int64 { return int64(d.Version) }),
}

// seller is the Microsoft seller as the partner may see it: nobody until the seller
// accepted (001).
func seller(d *rec) domain.Contact {
	if !d.SellerAccepted {
		return domain.Contact{}
	}
	return domain.Contact{Name: d.SellerName, Email: d.SellerEmail}
}

var (
	// listDefaults are the columns of a table of deals.
	listDefaults = []string{"name", "customerName", "status", "substatus", "dealValue", "currency", "expiresAt", "favorite", "id"}
	// listLeaveOut are the columns of listDefaults a narrow terminal leaves out, the least
	// useful first (--wide keeps them).
	listLeaveOut = []string{"favorite", "substatus", "expiresAt", "customerName"}
	// oneDefaults are the lines a write command prints about the deal it changed.
	oneDefaults = []string{"id", "name", "status", "substatus", "customerName", "dealValue", "currency", "updatedAt", "version"}
)

// printOne prints one deal: an object in JSON, Header: value lines in a table.
func printOne(ios *iostreams.IOStreams, o *output.Options, defaults []string, d *rec) error {
	return output.PrintOne(ios, o, Fields, defaults, d)
}

// addOutputFlags adds --format and --fields to a command printing one deal.
func addOutputFlags(cmd *cobra.Command) *output.Options {
	return output.AddFlags(cmd, []output.Format{output.Table, output.JSON}, output.FieldNames(Fields))
}

// addIfVersion adds --if-version to a write command.
func addIfVersion(cmd *cobra.Command, v *int) {
	cmd.Flags().IntVar(v, "if-version", 0, "refuse the change unless the deal is at this version (optimistic concurrency)")
}

// ifVersion reads --if-version: 0 when not given.
func ifVersion(cmd *cobra.Command, v int) (int, error) {
	if !cmd.Flags().Changed("if-version") {
		return 0, nil
	}
	if v < 1 {
		return 0, cmdutil.Usagef("--if-version must be a version of 1 or more, not %d", v)
	}
	return v, nil
}

// checkVersion refuses a stale --if-version for the writes whose workspace method takes
// no expected version (notes, team): the deal is read first.
func checkVersion(d workspace.DealRecord, want int) error {
	if want != 0 && d.Version != want {
		return staleError(d.ID, want, d.Version)
	}
	return nil
}

func staleError(id string, want, got int) error {
	return &domain.RuleError{Rule: "stale-version", Msg: fmt.Sprintf(
		"deal %s changed since version %d (it is at version %d): show it again and retry", id, want, got)}
}

// flagError names the flag in a form error of the domain (exit 2); other errors pass.
func flagError(flag string, err error) error {
	var ie *domain.InvalidError
	if errors.As(err, &ie) {
		return cmdutil.Usagef("--%s %s", flag, ie.Detail())
	}
	return err
}

// oneOf matches v case-insensitively against allowed, for flags with a fixed set of values.
func oneOf[T ~string](flag, v string, allowed []T) (T, error) {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if strings.EqualFold(strings.TrimSpace(v), string(a)) {
			return a, nil
		}
		names[i] = string(a)
	}
	return "", cmdutil.Usagef("invalid --%s %q; valid values: %s", flag, v, strings.Join(names, ", "))
}

var (
	statuses    = []domain.DealStatus{domain.DealNew, domain.DealActive, domain.DealClosed}
	substatuses = []domain.DealSubstatus{domain.SubPending, domain.SubReceived, domain.SubAccepted,
		domain.SubWon, domain.SubLost, domain.SubDeclined, domain.SubExpired}
	directions = []domain.DealDirection{domain.Inbound, domain.Outbound}
	types      = []domain.DealType{domain.PrivateDeal, domain.CoSellDeal}
	sorts      = []string{"created", "updated"}
)

func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// checkEmail checks an email address given on the command line.
func checkEmail(flag, v string) (string, error) {
	e, err := domain.ParseEmail(v)
	if err != nil {
		return "", cmdutil.Usagef("--%s %q is not an email address", flag, v)
	}
	return e, nil
}

func completeFixed(vs []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return cobra.FixedCompletions(vs, cobra.ShellCompDirectiveNoFileComp)
}

// linkedHelp is what the help of each deal change says of a workspace linked to a
// partner tenant (write-through, internal/workspace/linked).
const linkedHelp = `In a workspace linked to a partner tenant (pcctl sync links it), the change is made in
Partner Center first (the Referrals API: POST for a new deal, a PATCH with If-Match on the
deal's ETag for the others) and recorded here once Partner Center accepted it, with what it
answered (a new deal's ID is its referral ID; the ETag is kept). It needs a sign-in to the
workspace's tenant (pcctl auth login): not signed in, exit 5; signed in to another tenant,
exit 4. Partner Center's refusals show its message and request ID: 400 exit 4, 404 exit 3,
401/403 exit 5; a deal changed in Partner Center since the workspace last had it, exit 4
(run pcctl sync deals, show it again and retry). If Partner Center accepted the change and
the workspace could not record it, exit 7: pcctl sync deals brings it in. A deal Partner
Center does not have (never published) changes here only. Through a server (--endpoint),
the server's link applies.`
