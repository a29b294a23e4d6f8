// Package reseller holds the `pcctl reseller` commands: the indirect resellers of the
// two-tier model (004).
package reseller

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
)

// NewCmdReseller is `pcctl reseller`.
func NewCmdReseller(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "reseller <command>",
		Aliases: []string{"resellers"},
		Short:   "Invite, list and remove indirect resellers",
		Long: `Work with your indirect resellers (two-tier model): email a partnership request, record its
acceptance, list your resellers, remove one. Once a reseller has accepted, you can add
customers on its behalf ('customers add --reseller'), credit it on subscriptions and make it
their support contact ('subscription set').`,
		Example: `  pcctl reseller invite --email sales@fabrikam.com --name "Fabrikam Partners"
  pcctl reseller list --status all
  pcctl reseller remove 4847383`,
		GroupID: "nouns",
	}
	cmdutil.NounCommand(cmd)
	cmd.AddCommand(newCmdInvite(f), newCmdAccept(f), newCmdList(f), newCmdShow(f), newCmdRemove(f))
	return cmd
}

type rec = domain.Reseller

var resellerFields = []output.Field[rec]{
	output.StrField("mpnId", "MPN ID", "MPN ID of the reseller's partner location account; empty while pending", func(r *rec) string { return r.MPNID }),
	output.StrField("name", "NAME", "reseller name", func(r *rec) string { return r.Name }),
	output.StrField("email", "EMAIL", "address the partnership request went to", func(r *rec) string { return r.Email }),
	output.StrField("status", "STATUS", "pending, expired, active or removed", func(r *rec) string { return string(r.Status) }),
	output.TimeField("invitedAt", "INVITED", "when the partnership request was made", func(r *rec) time.Time { return r.InvitedAt }),
	output.TimeField("acceptedAt", "ACCEPTED", "when the reseller accepted; null while pending", func(r *rec) time.Time { return r.AcceptedAt }),
	output.TimeField("removedAt", "REMOVED", "when the partnership was removed; null unless removed", func(r *rec) time.Time { return r.RemovedAt }),
	output.TimeField("expiresAt", "EXPIRES", "when a pending request expires; null once accepted", func(r *rec) time.Time {
		if r.Status == domain.ResellerPending || r.Status == domain.ResellerExpired {
			return r.ExpiresAt
		}
		return time.Time{}
	}),
}

var (
	listDefaults    = []string{"mpnId", "name", "email", "status", "acceptedAt"}
	pendingDefaults = []string{"name", "email", "status", "invitedAt", "expiresAt"}
)
