// Package home holds `pcctl home`: the partner's activity at a glance (000, 002).
package home

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmd/deal"
	"github.com/pcctl/pcctl/internal/cmd/request"
	"github.com/pcctl/pcctl/internal/cmd/subscription"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

// customerFields are the columns of the pinned customers.
var customerFields = []output.Field[workspace.CustomerRecord]{
	output.StrField("companyName", "COMPANY NAME", "company name", func(c *workspace.CustomerRecord) string { return c.CompanyName }),
	output.StrField("domain", "DOMAIN", "primary domain", func(c *workspace.CustomerRecord) string { return c.Domain }),
	output.BoolField("flagged", "FLAGGED", "flagged by you", func(c *workspace.CustomerRecord) bool { return c.Flagged }),
	output.StrField("id", "ID", "tenant ID", func(c *workspace.CustomerRecord) string { return c.ID }),
}

// relationshipFields are the columns of the pending relationship requests.
var relationshipFields = []output.Field[domain.RelationshipRequest]{
	output.StrField("companyName", "COMPANY NAME", "the customer's company name", func(r *domain.RelationshipRequest) string { return r.CustomerName }),
	output.StrField("domain", "DOMAIN", "the customer's primary domain", func(r *domain.RelationshipRequest) string { return r.Domain }),
	output.StrField("resellerMpnId", "RESELLER", "MPN ID of the reseller it is made on behalf of; empty when none", func(r *domain.RelationshipRequest) string { return r.ResellerMPNID }),
	output.StrField("email", "TO", "the address the draft was for; empty when not given", func(r *domain.RelationshipRequest) string { return r.Email }),
	output.TimeField("requestedAt", "REQUESTED", "when the request was made", func(r *domain.RelationshipRequest) time.Time { return r.CreatedAt }),
	output.TimeField("expiresAt", "EXPIRES", "when the request can no longer be accepted", func(r *domain.RelationshipRequest) time.Time { return r.ExpiresAt() }),
	output.StrField("customerId", "CUSTOMER ID", "tenant ID of the customer", func(r *domain.RelationshipRequest) string { return r.CustomerID }),
}

// The fields of each section, in tables and JSON alike.
var (
	subscriptionNames = []string{"customerName", "offer", "quantity", "termEnd", "id"}
	requestNames      = []string{"id", "customerName", "title", "severity", "status", "createdAt"}
	dealNames         = []string{"name", "customerName", "status", "substatus", "expiresAt", "id"}
)

// NewCmdHome is `pcctl home`.
func NewCmdHome(f *cmdutil.Factory) *cobra.Command {
	var format, jq string
	cmd := &cobra.Command{
		Use:   "home [--format table|json]",
		Short: "Show your activity at a glance",
		Long: `Show your activity in one screen, section by section: the customers you pinned ('customers
pin'); how many customers you flagged; subscriptions whose term ends within 30 days (when
there are subscriptions); service requests open or needing attention; New deals expiring
within 3 days and inbound deals waiting for you to accept them (when there are deals);
relationship requests customers have not accepted yet (when there are some: 'customers
request-relationship'). An empty section says "none", and why when the workspace has no
subscriptions or no deals yet; a section your roles do not cover is empty.

With --format json, one object: pinnedCustomers, flaggedCount, expiringSubscriptions,
openRequests, expiringDeals, awaitingDeals and pendingRelationshipRequests
(docs/output.md); an empty section is []. --jq filters that object.`,
		Example: `  pcctl home
  pcctl home --format json
  pcctl home --jq '.openRequests[].id'`,
		GroupID: "nouns",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			json := false
			if jq != "" && !cmd.Flags().Changed("format") {
				format = "json"
			}
			switch strings.ToLower(strings.TrimSpace(format)) {
			case "table":
			case "json":
				json = true
			default:
				return cmdutil.Usagef("invalid --format %q; valid formats: table, json", format)
			}
			if jq != "" && !json {
				return cmdutil.Usagef("--jq filters JSON: it cannot be used with --format %s (leave --format out, or give json)", format)
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			h, err := ws.Home(ctx)
			if err != nil {
				return err
			}
			if json {
				_, err := f.IOStreams.Out.Write(appendJSON(nil, &h))
				return err
			}
			return printTable(f.IOStreams, &h)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"table", "json"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.Flags().StringVar(&jq, "jq", "", "filter the JSON output with a jq expression (implies --format json)")
	_ = cmd.RegisterFlagCompletionFunc("jq", cobra.NoFileCompletions)
	return cmd
}

// appendJSON appends the overview as one object; a section that does not apply (no
// subscriptions, no deals in the workspace) is empty, [], as an empty one is: a script
// iterating over it needs no special case.
func appendJSON(b []byte, h *workspace.HomeOverview) []byte {
	b = append(b, `{"pinnedCustomers":`...)
	b = appendArray(b, customerFields, nil, h.Pinned)
	b = fmt.Appendf(b, `,"flaggedCount":%d,"expiringSubscriptions":`, h.Flagged)
	b = appendArray(b, subscription.Fields, subscriptionNames, h.ExpiringSubscriptions)
	b = append(b, `,"openRequests":`...)
	b = appendArray(b, request.Fields, requestNames, h.OpenRequests)
	b = append(b, `,"expiringDeals":`...)
	b = appendArray(b, deal.Fields, dealNames, h.ExpiringDeals)
	b = append(b, `,"awaitingDeals":`...)
	b = appendArray(b, deal.Fields, dealNames, h.AwaitingDeals)
	b = append(b, `,"pendingRelationshipRequests":`...)
	b = appendArray(b, relationshipFields, nil, h.PendingRelationships)
	return append(b, "}\n"...)
}

func appendArray[T any](b []byte, fields []output.Field[T], names []string, rs []T) []byte {
	b = append(b, '[')
	for i := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = output.AppendJSONObject(b, fields, names, &rs[i])
	}
	return append(b, ']')
}

// printTable prints each section: its title and count, then its rows, or "none".
func printTable(ios *iostreams.IOStreams, h *workspace.HomeOverview) error {
	var err error
	section := func(first bool, title string, n int, rows func() error) {
		if err != nil {
			return
		}
		if !first {
			fmt.Fprintln(ios.Out)
		}
		if n == 0 {
			fmt.Fprintf(ios.Out, "%s: none\n", title)
			return
		}
		fmt.Fprintf(ios.Out, "%s (%d):\n", title, n)
		err = rows()
	}
	section(true, "Pinned customers", len(h.Pinned), func() error { return printRows(ios, customerFields, nil, h.Pinned, "id", "flagged") })
	if err == nil {
		fmt.Fprintf(ios.Out, "\nFlagged customers: %s\n", count(h.Flagged))
	}
	if h.HasSubscriptions {
		section(false, "Subscriptions ending within 30 days", len(h.ExpiringSubscriptions), func() error {
			return printRows(ios, subscription.Fields, subscriptionNames, h.ExpiringSubscriptions, "quantity")
		})
	} else if err == nil {
		fmt.Fprintln(ios.Out, "\nSubscriptions ending within 30 days: none (no subscriptions in the workspace yet: 'pcctl subscription add')")
	}
	section(false, "Open service requests", len(h.OpenRequests), func() error {
		return printRows(ios, request.Fields, requestNames, h.OpenRequests, "createdAt", "severity")
	})
	if h.HasDeals {
		section(false, "Deals expiring within 3 days", len(h.ExpiringDeals), func() error {
			return printRows(ios, deal.Fields, dealNames, h.ExpiringDeals, "substatus", "customerName")
		})
		section(false, "Inbound deals awaiting acceptance", len(h.AwaitingDeals), func() error {
			return printRows(ios, deal.Fields, dealNames, h.AwaitingDeals, "substatus", "customerName")
		})
	} else if err == nil {
		fmt.Fprintln(ios.Out, "\nDeals expiring within 3 days: none (no deals in the workspace yet: 'pcctl deal create')")
		fmt.Fprintln(ios.Out, "\nInbound deals awaiting acceptance: none (no deals in the workspace yet)")
	}
	if len(h.PendingRelationships) > 0 {
		section(false, "Relationship requests awaiting customers", len(h.PendingRelationships), func() error {
			return printRows(ios, relationshipFields, nil, h.PendingRelationships, "customerId", "requestedAt", "resellerMpnId", "email")
		})
	}
	return err
}

func count(n int) string {
	if n == 0 {
		return "none"
	}
	return fmt.Sprint(n)
}

// printRows prints a section's records as a table of the named fields (all when names is
// nil); a narrow terminal leaves out those of leaveOut, the least useful first.
func printRows[T any](ios *iostreams.IOStreams, fields []output.Field[T], names []string, rs []T, leaveOut ...string) error {
	if names == nil {
		names = output.FieldNames(fields)
	}
	p, err := output.NewPrinter(ios, &output.Options{Format: output.Table}, fields, names)
	if err != nil {
		return err
	}
	p.LeaveOut(leaveOut...)
	for i := range rs {
		if err := p.Print(&rs[i]); err != nil {
			return err
		}
	}
	return p.Close()
}
