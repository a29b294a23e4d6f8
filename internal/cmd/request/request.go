// Package request holds the `pcctl request` commands: service requests filed on behalf of
// customers (000, 002), with the severities and statuses of Partner Center's service
// request resource.
package request

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

// NewCmdRequest is `pcctl request`.
func NewCmdRequest(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "request <command>",
		Aliases: []string{"requests"},
		Short:   "File and follow service requests for your customers",
		Long: `Service requests you file with Microsoft on behalf of a customer, with the severities and
statuses of Partner Center: severity critical, moderate or minimal; status open,
attention_needed or closed. Each has a unique 15-digit reference number, by which it is
found, as by the customer's name ('request search'). A closed request changes only by being
reopened ('request update REF --status open'), which is recorded as a note.`,
		Example: `  pcctl request new --customer contoso.com --title "Cannot assign licences" --severity moderate
  pcctl request list --severity critical
  pcctl request update 616122292874576 --status attention_needed --note "Waiting for the customer's logs"`,
		GroupID: "nouns",
	}
	cmdutil.NounCommand(cmd)
	// Every command that names a request takes a unique beginning of its reference.
	byRef := []*cobra.Command{newCmdShow(f), newCmdUpdate(f), newCmdClose(f), newCmdFavorite(f, true), newCmdFavorite(f, false)}
	f.WithPrefixArg(workspace.CompleteRequests, "service request reference", byRef...)
	cmd.AddCommand(newCmdNew(f), newCmdList(f), newCmdSearch(f))
	cmd.AddCommand(byRef...)
	return cmd
}

type rec = workspace.RequestRecord

// Fields are the fields of a service request (docs/output.md), named after Partner
// Center's service request resource where it has a name for them.
var Fields = []output.Field[rec]{
	output.StrField("id", "REFERENCE", "the 15-digit reference number", func(r *rec) string { return r.Ref }),
	output.StrField("title", "TITLE", "title", func(r *rec) string { return r.Title }),
	output.StrField("severity", "SEVERITY", "critical, moderate or minimal", func(r *rec) string { return string(r.Severity) }),
	output.StrField("status", "STATUS", "open, attention_needed or closed", func(r *rec) string { return string(r.Status) }),
	output.StrField("customerName", "CUSTOMER", "company name of the customer", func(r *rec) string { return r.CustomerName }),
	output.StrField("customerId", "CUSTOMER ID", "tenant ID of the customer", func(r *rec) string { return r.CustomerID }),
	output.StrField("description", "DESCRIPTION", "description; empty when none", func(r *rec) string { return r.Description }),
	output.StrField("supportTopicName", "TOPIC", "support topic; empty when none", func(r *rec) string { return r.Topic }),
	output.StrField("contactEmail", "CONTACT EMAIL", "the primary contact's email; empty when none", func(r *rec) string { return r.ContactEmail }),
	output.BoolField("favorite", "FAVORITE", "one of your favorites", func(r *rec) bool { return r.Favorite }),
	output.TimeField("createdAt", "CREATED", "when the request was filed", func(r *rec) time.Time { return r.CreatedAt }),
	output.TimeField("updatedAt", "UPDATED", "when the request last changed", func(r *rec) time.Time { return r.UpdatedAt }),
	output.TimeField("closedAt", "CLOSED", "when the request was last closed; null when it is not closed", func(r *rec) time.Time {
		if r.Status != domain.RequestClosed {
			return time.Time{}
		}
		return r.ClosedAt
	}),
}

var (
	// ListDefaults are the columns of a table of requests.
	ListDefaults = []string{"id", "customerName", "title", "severity", "status", "createdAt", "favorite"}
	// oneDefaults are the lines a write command prints about the request it changed.
	oneDefaults = []string{"id", "title", "customerName", "severity", "status", "updatedAt"}
)

// noteFields are the columns of a request's notes in `request show`.
var noteFields = []output.Field[domain.Note]{
	output.TimeField("createdAt", "WHEN", "when the note was added", func(n *domain.Note) time.Time { return n.CreatedAt }),
	output.StrField("author", "AUTHOR", "who added it", func(n *domain.Note) string { return n.Author }),
	output.StrField("text", "NOTE", "the note", func(n *domain.Note) string { return n.Text }),
}

// addOutputFlags adds --format and --fields to a command printing one request.
func addOutputFlags(cmd *cobra.Command) *output.Options {
	return output.AddFlags(cmd, []output.Format{output.Table, output.JSON}, output.FieldNames(Fields))
}

// printOne prints one request: an object in JSON, Header: value lines in a table.
func printOne(ios *iostreams.IOStreams, o *output.Options, defaults []string, r *rec) error {
	return output.PrintOne(ios, o, Fields, defaults, r)
}

// printList prints requests, newest first, saying so on stderr when there are none.
func printList(ios *iostreams.IOStreams, o *output.Options, list func(each func(rec) error) error, none string) error {
	p, err := output.NewPrinter(ios, o, Fields, ListDefaults)
	if err != nil {
		return err
	}
	p.LeaveOut("favorite", "createdAt", "severity")
	if err := list(func(r rec) error { return p.Print(&r) }); err != nil {
		return err
	}
	if err := p.Close(); err != nil {
		return err
	}
	if p.Count() == 0 {
		ios.Notice("%s", none)
	}
	return nil
}

// printShow prints the request, then its notes: a section after the record in a table, a
// member of the one object in JSON.
func printShow(ios *iostreams.IOStreams, o *output.Options, r *rec) error {
	if o.Format == output.JSON {
		b := output.AppendJSONObject(nil, Fields, o.Fields, r)
		b = append(b[:len(b)-1], `,"notes":[`...)
		for i := range r.Notes {
			if i > 0 {
				b = append(b, ',')
			}
			b = output.AppendJSONObject(b, noteFields, nil, &r.Notes[i])
		}
		b = append(b, "]}\n"...)
		_, err := ios.Out.Write(b)
		return err
	}
	if err := output.PrintOne(ios, o, Fields, nil, r); err != nil {
		return err
	}
	fmt.Fprintf(ios.Out, "\nNotes (%d):\n", len(r.Notes))
	pn, err := output.NewPrinter(ios, &output.Options{Format: output.Table}, noteFields, nil)
	if err != nil {
		return err
	}
	for i := range r.Notes {
		if err := pn.Print(&r.Notes[i]); err != nil {
			return err
		}
	}
	return pn.Close()
}

// flagError names the flag in a form error of the domain (exit 2); other errors pass.
func flagError(flag string, err error) error {
	var ie *domain.InvalidError
	if errors.As(err, &ie) {
		return cmdutil.Usagef("--%s %s", flag, ie.Detail())
	}
	return err
}

func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func completeFixed(vs []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return cobra.FixedCompletions(vs, cobra.ShellCompDirectiveNoFileComp)
}

var (
	severityList = strings.Join(names(domain.Severities), ", ")
	statusList   = strings.Join(names(domain.RequestStatuses), ", ")
)
