package request

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmd/pick"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

// newInput is what `request new` reads.
type newInput struct {
	customer, title, severity, description, descriptionFile, topic, contactEmail string
}

// missing lists the flags lacking, all at once.
func (in *newInput) missing() []string {
	var m []string
	if strings.TrimSpace(in.customer) == "" {
		m = append(m, "--customer")
	}
	if strings.TrimSpace(in.title) == "" {
		m = append(m, "--title")
	}
	if strings.TrimSpace(in.severity) == "" {
		m = append(m, "--severity")
	}
	return m
}

func newCmdNew(f *cmdutil.Factory) *cobra.Command {
	var in newInput
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "new --customer ID|DOMAIN --title TEXT --severity critical|moderate|minimal [--description TEXT | --description-file FILE] [--topic TOPIC] [--contact-email EMAIL]",
		Short: "File a service request for a customer",
		Long: `File a service request on behalf of a customer and print its reference number, a unique
15-digit number (with --format json, the request). The request is open.

On a terminal, pcctl asks for the values missing (the customer chosen by the first letters of
its name, the severity from a list, then a description); otherwise it fails, listing every
flag missing.

In a workspace linked to Partner Center (pcctl sync), with a user signed in (pcctl auth
login), the request is filed in Partner Center first and recorded under Partner Center's ID,
with its date: --topic must name one of Partner Center's support topics (the error lists
them) and Partner Center requires a description. Not signed in, it is refused (exit 5);
what Partner Center refuses is refused with its message and request ID.`,
		Example: `  pcctl request new --customer contoso.com --title "Cannot assign licences" --severity moderate
  pcctl request new --customer contoso.com --title "Tenant unreachable" --severity critical --description-file incident.txt --topic "Sign-in" --contact-email sue@contoso.com
  ref=$(pcctl request new --customer adatum.com --title "Billing question" --severity minimal)`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("description") && cmd.Flags().Changed("description-file") {
				return cmdutil.Usagef("give either --description or --description-file, not both")
			}
			if in.descriptionFile != "" {
				b, err := os.ReadFile(in.descriptionFile)
				if err != nil {
					return fmt.Errorf("reading --description-file: %w", err)
				}
				in.description = string(b)
			}
			ctx := cmd.Context()
			ios := f.IOStreams
			var ws workspace.Workspace
			if m := in.missing(); len(m) > 0 {
				if !ios.CanPrompt() {
					return cmdutil.Usagef("%s needs %s; see '%s --help'", cmd.CommandPath(), cmdutil.JoinAnd(m), cmd.CommandPath())
				}
				var err error
				if ws, err = f.Workspace(ctx); err != nil {
					return err
				}
				if err := promptMissing(ctx, f, ws, &in); err != nil {
					return err
				}
			}
			r, err := in.request()
			if err != nil {
				return err
			}
			if ws == nil {
				if ws, err = f.Workspace(ctx); err != nil {
					return err
				}
			}
			saved, err := ws.CreateRequest(ctx, r)
			if err != nil {
				return err
			}
			ios.Notice("Filed service request %s for %s: %q (%s).", saved.Ref, saved.CustomerName, saved.Title, saved.Severity)
			if o.Format == output.Table && len(o.Fields) == 0 {
				_, err := fmt.Fprintln(ios.Out, saved.Ref)
				return err
			}
			return printOne(ios, o, nil, &saved)
		},
	}
	cmd.Flags().StringVar(&in.customer, "customer", "", "the customer's tenant ID or domain")
	_ = cmd.RegisterFlagCompletionFunc("customer", f.CompleteFlag(workspace.CompleteCustomers))
	cmd.Flags().StringVar(&in.title, "title", "", "a short title")
	cmd.Flags().StringVar(&in.severity, "severity", "", "how urgent: "+severityList)
	_ = cmd.RegisterFlagCompletionFunc("severity", completeFixed(names(domain.Severities)))
	cmd.Flags().StringVar(&in.description, "description", "", "what happens, in detail")
	cmd.Flags().StringVar(&in.descriptionFile, "description-file", "", "read the description from this file")
	cmd.Flags().StringVar(&in.topic, "topic", "", "the support topic, such as Billing")
	cmd.Flags().StringVar(&in.contactEmail, "contact-email", "", "email of the customer's contact for this request")
	o = addOutputFlags(cmd)
	return cmd
}

// request checks the values and builds the request (form errors name their flag, exit 2).
func (in *newInput) request() (domain.ServiceRequest, error) {
	r := domain.ServiceRequest{
		CustomerID:  strings.TrimSpace(in.customer),
		Title:       strings.TrimSpace(in.title),
		Description: strings.TrimSpace(in.description),
		Topic:       strings.TrimSpace(in.topic),
	}
	if r.Title == "" {
		return r, cmdutil.Usagef("--title is empty")
	}
	sev, err := domain.ParseSeverity(in.severity)
	if err != nil {
		return r, flagError("severity", err)
	}
	r.Severity = sev
	if e := strings.TrimSpace(in.contactEmail); e != "" {
		if r.ContactEmail, err = domain.ParseEmail(e); err != nil {
			return r, cmdutil.Usagef("--contact-email %q is not an email address", e)
		}
	}
	return r, nil
}

// Prompts of `request new`, in the order asked.
const (
	promptCustomer    = "Customer:"
	promptTitle       = "Title:"
	promptSeverity    = "Severity:"
	promptDescription = "Description (optional):"
)

// promptMissing asks for the values missing, and for a description when none was given.
func promptMissing(ctx context.Context, f *cmdutil.Factory, ws workspace.Workspace, in *newInput) error {
	p, ios := f.Prompter(), f.IOStreams
	if strings.TrimSpace(in.customer) == "" {
		for {
			c, other, err := pick.Customer(ctx, p, ios, ws, promptCustomer, "None of these: search again")
			if err != nil {
				return err
			}
			if other < 0 {
				in.customer = c.ID
				break
			}
		}
	}
	var err error
	if strings.TrimSpace(in.title) == "" {
		if in.title, err = pick.Ask(p, ios, promptTitle, nil); err != nil {
			return err
		}
	}
	if strings.TrimSpace(in.severity) == "" {
		i, err := p.Select(promptSeverity, names(domain.Severities))
		if err != nil {
			return err
		}
		in.severity = string(domain.Severities[i])
	}
	if strings.TrimSpace(in.description) == "" {
		if in.description, err = p.Multiline(promptDescription); err != nil {
			return err
		}
	}
	return nil
}
