package customers

import (
	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
)

// NewCmdCustomers is `pcctl customers`.
func NewCmdCustomers(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "customers <command>",
		Aliases: []string{"customer"},
		Short:   "List, search, flag, import and export customers",
		Long: `Work with the customers you serve: find one by the first letters of its name or domain,
flag the ones you watch (up to 30), pin them to your home overview, add new ones, import and
export the whole list; ask a customer for a reseller relationship, end it, and let it buy its
own products.`,
		Example: `  pcctl customers search contoso
  pcctl customers list --view flagged
  pcctl customers import customers.csv
  pcctl customers export --format csv -o customers.csv`,
		GroupID: "nouns",
	}
	cmdutil.NounCommand(cmd)
	cmd.AddCommand(
		NewCmdList(f, nil),
		NewCmdSearch(f, nil),
		NewCmdShow(f, nil),
		NewCmdFlag(f, nil),
		NewCmdUnflag(f, nil),
		NewCmdPin(f, nil),
		NewCmdUnpin(f, nil),
		NewCmdAdd(f, nil),
		NewCmdImport(f, nil),
		NewCmdExport(f, nil),
		NewCmdRequestRelationship(f, nil),
		NewCmdAcceptRelationship(f),
		NewCmdEndRelationship(f),
		NewCmdAllowPurchases(f),
		NewCmdDenyPurchases(f),
	)
	return cmd
}
