package deal

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmd/pick"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/prompter"
	"github.com/pcctl/pcctl/internal/workspace"
)

// dealInput is what `deal create` and `deal receive` share.
type dealInput struct {
	id, name, customer, orgName, orgCountry, value, currency, note string
	solutions                                                      []string
}

func (in *dealInput) addFlags(cmd *cobra.Command, f *cmdutil.Factory) {
	cmd.Flags().StringVar(&in.id, "id", "", "deal ID, such as a PSC opportunity ID (default: a new GUID)")
	cmd.Flags().StringVar(&in.name, "name", "", "deal name")
	cmd.Flags().StringVar(&in.customer, "customer", "", "the customer organisation: a customer's tenant ID or domain")
	_ = cmd.RegisterFlagCompletionFunc("customer", f.CompleteFlag(workspace.CompleteCustomers))
	cmd.Flags().StringVar(&in.orgName, "org-name", "", "a prospect organisation (not a customer yet): its name, with --org-country")
	cmd.Flags().StringVar(&in.orgCountry, "org-country", "", "the prospect organisation's country: ISO 3166 code (FR, FRA) or name (France)")
	cmd.Flags().StringVar(&in.value, "value", "", "estimated deal value, such as 50000 or 1234.50")
	cmd.Flags().StringVar(&in.currency, "currency", "", "ISO 4217 currency code of the value, such as USD")
	cmd.Flags().StringArrayVar(&in.solutions, "solution", nil, "a solution, [own:|microsoft:|partner:]ID[:QUANTITY[:UNITPRICE]] (repeat: 1 to 50)")
	cmd.Flags().StringVar(&in.note, "note", "", "a first note")
}

// missing lists the flags lacking for a deal, all at once.
func (in *dealInput) missing() []string {
	var m []string
	if strings.TrimSpace(in.name) == "" {
		m = append(m, "--name")
	}
	switch {
	case in.customer != "":
	case in.orgName != "" && in.orgCountry == "":
		m = append(m, "--org-country")
	case in.orgName == "" && in.orgCountry != "":
		m = append(m, "--org-name")
	case in.orgName == "":
		m = append(m, "--customer (or --org-name and --org-country)")
	}
	if strings.TrimSpace(in.value) == "" {
		m = append(m, "--value")
	}
	if strings.TrimSpace(in.currency) == "" {
		m = append(m, "--currency")
	}
	if len(in.solutions) == 0 {
		m = append(m, "--solution")
	}
	return m
}

// deal checks the values and builds the deal (form errors name their flag, exit 2).
func (in *dealInput) deal(now time.Time, author string) (domain.Deal, error) {
	d := domain.Deal{ID: strings.TrimSpace(in.id), Name: strings.TrimSpace(in.name)}
	if in.customer != "" && (in.orgName != "" || in.orgCountry != "") {
		return d, cmdutil.Usagef("give either --customer or --org-name and --org-country, not both")
	}
	if in.customer != "" {
		d.CustomerID = strings.TrimSpace(in.customer)
	} else {
		d.Organization = strings.TrimSpace(in.orgName)
		if d.Organization == "" {
			return d, cmdutil.Usagef("--org-name is empty")
		}
		c, err := domain.ParseCountry(in.orgCountry, false)
		if err != nil {
			return d, flagError("org-country", err)
		}
		d.OrgCountry = c
	}
	var err error
	if d.Value, err = domain.ParseAmount(in.value); err != nil {
		return d, flagError("value", err)
	}
	if d.Currency, err = domain.ParseCurrency(in.currency); err != nil {
		return d, flagError("currency", err)
	}
	for _, spec := range in.solutions {
		s, err := domain.ParseSolution(spec)
		if err != nil {
			return d, flagError("solution", err)
		}
		d.Solutions = append(d.Solutions, s)
	}
	if note := strings.TrimSpace(in.note); note != "" {
		d.Notes = []domain.Note{{Author: author, CreatedAt: now, Text: note}}
	} else if in.note != "" {
		return d, cmdutil.Usagef("--note is empty")
	}
	return d, nil
}

// checkDeal applies domain.CheckDeal, naming the flag of a form error.
func checkDeal(d domain.Deal) error {
	err := domain.CheckDeal(d)
	if ie, ok := err.(*domain.InvalidError); ok {
		return flagError(map[string]string{"name": "name", "solution": "solution"}[ie.Field], err)
	}
	return err
}

// printNew prints a new deal: its bare ID in a table (id=$(pcctl deal create ...)), the
// deal with --fields or in JSON.
func printNew(f *cmdutil.Factory, o *output.Options, d *workspace.DealRecord) error {
	if o.Format == output.Table && len(o.Fields) == 0 {
		_, err := fmt.Fprintln(f.IOStreams.Out, d.ID)
		return err
	}
	return printOne(f.IOStreams, o, nil, d)
}

func newCmdCreate(f *cmdutil.Factory) *cobra.Command {
	var in dealInput
	var private, invite, consent, iotOEM bool
	var contact domain.Contact
	var team []string
	var closeDate string
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "create --name NAME (--customer ID|DOMAIN | --org-name NAME --org-country CC) --value AMOUNT --currency ISO4217 --solution SPEC... [--private | --invite-microsoft --contact-name NAME --contact-email EMAIL --contact-phone PHONE --consent] [--team EMAIL...] [--note TEXT] [--iot-oem --close-date YYYY-MM-DD]",
		Short: "Create an outbound deal: private pipeline or co-sell",
		Long: `Create a deal and print its ID. The customer organisation is mandatory: an existing
customer (--customer, its tenant ID or domain), or a prospect organisation not yet a customer
(--org-name and --org-country), kept in the workspace and found again by name next time.

A deal holds 1 to 50 solutions, each --solution [SOURCE:]ID[:QUANTITY[:UNITPRICE]], with
SOURCE own (your own solutions, the default), microsoft (a Microsoft first-party SKU, which
alone takes a quantity and a unit price) or partner (another partner's co-sell solution).

A private pipeline deal (the default, --private) is shared without Microsoft and is active at
once. --invite-microsoft makes a co-sell deal, asking a Microsoft seller for help: it needs
the customer contact's name, email and phone and the customer's consent (--consent), and
waits 14 days for the seller before it expires. An estimated close date (--close-date) exists
only for IoT OEM deals (--iot-oem).

On a terminal, pcctl asks for the values missing (the customer chosen by the first letters of
its name); otherwise it fails, listing every flag missing.

` + linkedHelp + ` With --id, the deal keeps that ID and the referral carries it as its
externalReferenceId.`,
		Example: `  pcctl deal create --name "Contoso ERP" --customer contoso.com --value 50000 --currency USD --solution crm-accelerator
  pcctl deal create --name "Fabrikam fleet" --org-name "Fabrikam Inc" --org-country US --value 1250000.50 --currency USD --solution microsoft:CFQ7TTC0LF8Q:25:12.50 --solution partner:wingtip-iot --invite-microsoft --contact-name "Sue Smith" --contact-email sue@fabrikam.com --contact-phone "+1 425 555 0100" --consent
  id=$(pcctl deal create --name Edge --customer contoso.com --value 9000 --currency EUR --solution edge-kit --iot-oem --close-date 2027-03-31)`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if private && invite {
				return cmdutil.Usagef("give either --private or --invite-microsoft, not both")
			}
			ctx := cmd.Context()
			ios := f.IOStreams
			var ws workspace.Workspace
			// A co-sell deal needs the customer contact and consent: named as missing
			// flags here (or asked for on a terminal), rather than refused by the rule.
			var coSellMissing []string
			if invite {
				for _, c := range []struct{ flag, value string }{{"--contact-name", contact.Name}, {"--contact-email", contact.Email}, {"--contact-phone", contact.Phone}} {
					if strings.TrimSpace(c.value) == "" {
						coSellMissing = append(coSellMissing, c.flag)
					}
				}
				if !consent {
					coSellMissing = append(coSellMissing, "--consent")
				}
			}
			if m := append(in.missing(), coSellMissing...); len(m) > 0 && !ios.CanPrompt() {
				return cmdutil.Usagef("%s needs %s; see '%s --help'", cmd.CommandPath(), cmdutil.JoinAnd(m), cmd.CommandPath())
			}
			if len(coSellMissing) > 0 {
				if err := promptCoSell(f, &contact, &consent); err != nil {
					return err
				}
			}
			if m := in.missing(); len(m) > 0 {
				var err error
				if ws, err = f.Workspace(ctx); err != nil {
					return err
				}
				if err := promptMissing(ctx, f.Prompter(), ws, &in, f); err != nil {
					return err
				}
			}
			d, err := in.deal(f.Now(), f.Config.User())
			if err != nil {
				return err
			}
			d.Direction, d.Type = domain.Outbound, domain.PrivateDeal
			if invite {
				d.Type = domain.CoSellDeal
			}
			d.Contact = domain.Contact{Name: strings.TrimSpace(contact.Name), Email: strings.TrimSpace(contact.Email), Phone: strings.TrimSpace(contact.Phone)}
			if d.Contact.Email != "" {
				if _, err := checkEmail("contact-email", d.Contact.Email); err != nil {
					return err
				}
			}
			d.Consent, d.IoTOEM = consent, iotOEM
			for _, t := range team {
				e, err := checkEmail("team", t)
				if err != nil {
					return err
				}
				d.Team = append(d.Team, strings.ToLower(e))
			}
			if closeDate != "" {
				t, err := time.Parse("2006-01-02", closeDate)
				if err != nil {
					return cmdutil.Usagef("invalid --close-date %q: expected a date as YYYY-MM-DD", closeDate)
				}
				d.CloseDate = t
			}
			if err := checkDeal(d); err != nil {
				return err
			}
			if ws == nil {
				if ws, err = f.Workspace(ctx); err != nil {
					return err
				}
			}
			r, err := ws.CreateDeal(ctx, d)
			if err != nil {
				return err
			}
			if r.Type == domain.CoSellDeal {
				ios.Notice("Created co-sell deal %q for %s: it waits for a Microsoft seller until %s.", r.Name, r.Organization, r.ExpiresAt.UTC().Format("2006-01-02"))
			} else {
				ios.Notice("Created private pipeline deal %q for %s.", r.Name, r.Organization)
			}
			return printNew(f, o, &r)
		},
	}
	in.addFlags(cmd, f)
	cmd.Flags().BoolVar(&private, "private", false, "a private pipeline deal, without Microsoft's help (the default)")
	cmd.Flags().BoolVar(&invite, "invite-microsoft", false, "a co-sell deal: invite a Microsoft seller to help (needs the contact and --consent)")
	cmd.Flags().StringVar(&contact.Name, "contact-name", "", "the customer contact's name")
	cmd.Flags().StringVar(&contact.Email, "contact-email", "", "the customer contact's email")
	cmd.Flags().StringVar(&contact.Phone, "contact-phone", "", "the customer contact's phone")
	cmd.Flags().BoolVar(&consent, "consent", false, "the customer consents to share its details with Microsoft")
	cmd.Flags().StringArrayVar(&team, "team", nil, "a team member's email (repeat for several)")
	cmd.Flags().BoolVar(&iotOEM, "iot-oem", false, "an IoT OEM deal")
	cmd.Flags().StringVar(&closeDate, "close-date", "", "estimated close date, YYYY-MM-DD (IoT OEM deals only)")
	o = addOutputFlags(cmd)
	return cmd
}

// promptMissing asks for the values of a deal that are missing.
// promptCoSell asks for the customer contact a co-sell deal needs, and for the customer's
// consent: without it the deal is not created.
func promptCoSell(f *cmdutil.Factory, contact *domain.Contact, consent *bool) error {
	p := f.Prompter()
	ask := func(msg string, check func(string) error) (string, error) {
		return pick.Ask(p, f.IOStreams, msg, check)
	}
	var err error
	if strings.TrimSpace(contact.Name) == "" {
		if contact.Name, err = ask("Customer contact's name:", nil); err != nil {
			return err
		}
	}
	if strings.TrimSpace(contact.Email) == "" {
		if contact.Email, err = ask("Customer contact's email:", func(v string) error { _, err := checkEmail("contact-email", v); return err }); err != nil {
			return err
		}
	}
	if strings.TrimSpace(contact.Phone) == "" {
		if contact.Phone, err = ask("Customer contact's phone:", nil); err != nil {
			return err
		}
	}
	if !*consent {
		ok, err := p.Confirm("Does the customer consent to share its details with Microsoft?", false)
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.Usagef("a co-sell deal needs the customer's consent: nothing was created (without it, create a private deal: --private)")
		}
		*consent = true
	}
	return nil
}

func promptMissing(ctx context.Context, p prompter.Prompter, ws workspace.Workspace, in *dealInput, f *cmdutil.Factory) error {
	ask := func(msg string, check func(string) error) (string, error) {
		return pick.Ask(p, f.IOStreams, msg, check)
	}
	var err error
	if strings.TrimSpace(in.name) == "" {
		if in.name, err = ask("Deal name:", nil); err != nil {
			return err
		}
	}
	if in.customer == "" && (in.orgName == "" || in.orgCountry == "") {
		if in.orgName == "" && in.orgCountry == "" {
			if err := promptOrganization(ctx, p, ws, in, f, ask); err != nil {
				return err
			}
		} else if in.orgCountry == "" {
			if in.orgCountry, err = ask("Country of "+in.orgName+" (ISO 3166 code or name, such as US):", checkCountry); err != nil {
				return err
			}
		} else if in.orgName, err = ask("Organisation name:", nil); err != nil {
			return err
		}
	}
	if strings.TrimSpace(in.value) == "" {
		if in.value, err = ask("Estimated value (such as 50000 or 1234.50):", func(v string) error { _, err := domain.ParseAmount(v); return err }); err != nil {
			return err
		}
	}
	if strings.TrimSpace(in.currency) == "" {
		if in.currency, err = ask("Currency (ISO 4217, such as USD):", func(v string) error { _, err := domain.ParseCurrency(v); return err }); err != nil {
			return err
		}
	}
	if len(in.solutions) == 0 {
		s, err := ask("Solution ([own:|microsoft:|partner:]ID[:QUANTITY[:UNITPRICE]]):", func(v string) error { _, err := domain.ParseSolution(v); return err })
		if err != nil {
			return err
		}
		in.solutions = []string{s}
	}
	return nil
}

func checkCountry(v string) error { _, err := domain.ParseCountry(v, false); return err }

// promptOrganization asks for the first letters of the customer, then to choose among the
// customers found or to enter a prospect organisation instead.
func promptOrganization(ctx context.Context, p prompter.Prompter, ws workspace.Workspace, in *dealInput, f *cmdutil.Factory, ask func(string, func(string) error) (string, error)) error {
	c, other, err := pick.Customer(ctx, p, f.IOStreams, ws, "Customer organisation:", "None of these: a prospect organisation, not yet a customer")
	if err != nil {
		return err
	}
	if other < 0 {
		in.customer = c.ID
		return nil
	}
	if in.orgName, err = ask("Organisation name:", nil); err != nil {
		return err
	}
	in.orgCountry, err = ask("Country of "+in.orgName+" (ISO 3166 code or name, such as US):", checkCountry)
	return err
}

func newCmdReceive(f *cmdutil.Factory) *cobra.Command {
	var in dealInput
	var sellerName, sellerEmail string
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "receive --name NAME (--customer ID|DOMAIN | --org-name NAME --org-country CC) --value AMOUNT --currency ISO4217 --solution SPEC... --seller-name NAME --seller-email EMAIL [--note TEXT]",
		Short: "Record an inbound deal sent by a Microsoft seller",
		Long: `Record a deal a Microsoft seller sent you (for operators and tests: the server receives them
too) and print its ID. It is New/Received, and expires if you do not accept it within 14
days ('deal accept'). The seller's name and email are shown once the seller is involved.`,
		Example: `  pcctl deal receive --name "Contoso migration" --customer contoso.com --value 80000 --currency USD --solution microsoft:CFQ7TTC0LF8Q --seller-name "John Doe" --seller-email john.doe@microsoft.com`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			m := in.missing()
			if strings.TrimSpace(sellerName) == "" {
				m = append(m, "--seller-name")
			}
			if strings.TrimSpace(sellerEmail) == "" {
				m = append(m, "--seller-email")
			}
			if len(m) > 0 {
				return cmdutil.Usagef("%s needs %s; see '%s --help'", cmd.CommandPath(), cmdutil.JoinAnd(m), cmd.CommandPath())
			}
			d, err := in.deal(f.Now(), f.Config.User())
			if err != nil {
				return err
			}
			d.SellerName = strings.TrimSpace(sellerName)
			if d.SellerEmail, err = checkEmail("seller-email", sellerEmail); err != nil {
				return err
			}
			d.Direction, d.Type = domain.Inbound, domain.CoSellDeal
			if err := checkDeal(d); err != nil {
				return err
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			r, err := ws.ReceiveDeal(ctx, d)
			if err != nil {
				return err
			}
			f.IOStreams.Notice("Received deal %q for %s from %s: accept it before %s.", r.Name, r.Organization, r.SellerName, r.ExpiresAt.UTC().Format("2006-01-02"))
			return printNew(f, o, &r)
		},
	}
	in.addFlags(cmd, f)
	cmd.Flags().StringVar(&sellerName, "seller-name", "", "the Microsoft seller's name")
	cmd.Flags().StringVar(&sellerEmail, "seller-email", "", "the Microsoft seller's email")
	o = addOutputFlags(cmd)
	return cmd
}
