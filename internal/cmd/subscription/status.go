package subscription

import (
	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Suspending and reactivating a subscription (003): active ↔ suspended, not while the
// customer's relationship has ended, never an Azure reserved VM instance order.

func newCmdSuspend(f *cmdutil.Factory) *cobra.Command {
	return statusCmd(f, domain.SubscriptionSuspended, "suspend ID", "Suspend an active subscription",
		`Suspend an active subscription: the customer's relationship can end only once every
subscription is suspended. Only an active subscription can be suspended, not while the
customer's relationship has ended; an Azure reserved VM instance order cannot be (only
Azure support can cancel one). 'subscription reactivate' undoes it.

In a workspace linked to Partner Center (pcctl sync), with a user signed in, it is suspended
in Partner Center first (its subscription PATCH with the status), then here.`,
		`  pcctl subscription suspend 3f2504e0-4f89-41d3-9a0c-0305e82c3301`, "Suspended")
}

func newCmdReactivate(f *cmdutil.Factory) *cobra.Command {
	return statusCmd(f, domain.SubscriptionActive, "reactivate ID", "Reactivate a suspended subscription",
		`Reactivate a suspended subscription. Only a suspended subscription can be reactivated,
not while the customer's relationship has ended (a new relationship request reinstates it).

In a workspace linked to Partner Center (pcctl sync), with a user signed in, it is
reactivated in Partner Center first, then here.`,
		`  pcctl subscription reactivate 3f2504e0-4f89-41d3-9a0c-0305e82c3301`, "Reactivated")
}

func statusCmd(f *cmdutil.Factory, to, use, short, long, example, done string) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		Args: cmdutil.ExactArgs(1, "one subscription ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			s, err := ws.UpdateSubscription(ctx, args[0], workspace.SubscriptionChange{Status: &to})
			if err != nil {
				return err
			}
			f.IOStreams.Notice("%s subscription %s (%s, %s).", done, s.ID, s.Offer, s.CustomerName)
			return output.PrintOne(f.IOStreams, o, Fields, nil, &s)
		},
		ValidArgsFunction: f.CompleteArgs(workspace.CompleteSubscriptions, 1),
	}
	o = output.AddFlags(cmd, nil, output.FieldNames(Fields))
	return cmd
}
