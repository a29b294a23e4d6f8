// Package audit holds the `pcctl audit` commands: reading the workspace's audit log, the
// record of every change made to it. No command changes or deletes a record.
package audit

import (
	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
)

// NewCmdAudit is `pcctl audit`.
func NewCmdAudit(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit <command>",
		Short: "Read the audit log: who changed what, and when",
		Long: `Every change made to the workspace, by any command or user, is recorded in its audit
log in the same transaction as the change: when, who, what (the action), the entity
changed, and its fields before and after. A change that fails records nothing; reads do
not count as changes. pcctl never changes or deletes an audit record.

Reading the audit log needs global-admin, user-admin or account-admin.`,
		Example: `  pcctl audit list --since 24h
  pcctl audit list --entity deal:7-0107F3RDAQ --format json`,
		GroupID: "admin",
	}
	cmdutil.NounCommand(cmd)
	cmd.AddCommand(NewCmdList(f, nil))
	return cmd
}
