package customers

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

// ShowOptions are the inputs of `customers show`.
type ShowOptions struct {
	F      *cmdutil.Factory
	Output *output.Options
	Ref    string
}

// NewCmdShow is `pcctl customers show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{F: f}
	cmd := &cobra.Command{
		Use:   "show ID|DOMAIN",
		Short: "Show a customer's full record",
		Long: `Show one customer, found by tenant ID or primary domain. Opening a customer counts
towards your recent view ('customers list --view recent').`,
		Example: `  pcctl customers show contoso.onmicrosoft.com
  pcctl customers show 3f2504e0-4f89-41d3-9a0c-0305e82c3301 --format json`,
		Args: cmdutil.ExactArgs(1, "one customer ID or domain"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), opts)
		},
		ValidArgsFunction: f.CompleteArgs(workspace.CompleteCustomers, 1),
	}
	opts.Output = output.AddFlags(cmd, nil, output.FieldNames(recordFields))
	return cmd
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	ws, err := opts.F.Workspace(ctx)
	if err != nil {
		return err
	}
	c, err := ws.OpenCustomer(ctx, opts.Ref)
	if err != nil {
		return err
	}
	return output.PrintOne(opts.F.IOStreams, opts.Output, recordFields, nil, &c)
}
