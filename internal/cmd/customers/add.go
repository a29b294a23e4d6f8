package customers

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

// AddOptions are the inputs of `customers add`.
type AddOptions struct {
	F        *cmdutil.Factory
	Output   *output.Options
	ID       string
	Name     string
	Domain   string
	Country  string
	Reseller string
}

// added is what `customers add` prints: the new customer and, once, its password.
type added struct {
	domain.Customer
	Password string
}

var addedFields = []output.Field[added]{
	output.StrField("id", "ID", "tenant ID (GUID)", func(a *added) string { return a.ID }),
	output.StrField("companyName", "Company name", "company name", func(a *added) string { return a.CompanyName }),
	output.StrField("domain", "Domain", "primary domain", func(a *added) string { return a.Domain }),
	output.StrField("country", "Country", "country code", func(a *added) string { return a.Country }),
	output.StrField("resellerMpnId", "Reseller", "MPN ID of the indirect reseller", func(a *added) string { return a.ResellerMPNID }),
	output.TimeField("createdAt", "Created", "when the relationship began", func(a *added) time.Time { return a.CreatedAt }),
	output.StrField("adminAccount", "Admin account", "the customer's new admin user", func(a *added) string { return a.AdminAccount }),
	output.StrField("temporaryPassword", "Temporary password", "shown once, never stored in clear", func(a *added) string { return a.Password }),
}

// NewCmdAdd is `pcctl customers add`.
func NewCmdAdd(f *cmdutil.Factory, runF func(*AddOptions) error) *cobra.Command {
	opts := &AddOptions{F: f}
	cmd := &cobra.Command{
		Use:   "add --name NAME --domain DOMAIN --country CC",
		Short: "Add a new customer and its admin account",
		Long: `Add a customer. pcctl creates its admin account (admin@DOMAIN) with a temporary
password, printed once here and never again: pcctl keeps only a hash of it. Give it to the
customer's administrator, who changes it at first sign-in.

In a workspace linked to a partner tenant (pcctl sync links it) with a user signed in
(pcctl auth login), Partner Center creates the customer first (POST /v1/customers): the
tenant ID is Partner Center's, and the admin account and temporary password shown are the
ones Partner Center answered (not stored, not even as a hash). Not signed in: refused
(exit 5); signed in to another partner tenant: refused (exit 4); Partner Center's
refusals keep its message and request ID (400: exit 4, a domain another tenant has: 409,
exit 4). If Partner Center created it but the workspace could not record it, the error
says so (exit 7) and pcctl sync customers brings it in; --id is refused there (exit 4).

The domain must be a valid DNS name not used by another customer; the country an ISO 3166
code (FR or FRA) or the country's name in English, French, German, Spanish, Italian,
Portuguese, Dutch or Japanese (France, Frankreich, フランス…), stored as the alpha-2 code.`,
		Example: `  pcctl customers add --name "Contoso Ltd" --domain contoso.onmicrosoft.com --country GB
  pcctl customers add --name "Fabrikam" --domain fabrikam.fr --country FR --reseller 4847383 --format json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.RequireFlags(cmd, "name", "domain", "country"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return addRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "company name")
	cmd.Flags().StringVar(&opts.Domain, "domain", "", "primary domain, e.g. contoso.onmicrosoft.com")
	cmd.Flags().StringVar(&opts.Country, "country", "", "country: ISO 3166 code (FR, FRA) or name (France, Frankreich)")
	cmd.Flags().StringVar(&opts.Reseller, "reseller", "", "MPN ID of the indirect reseller managing the customer")
	_ = cmd.RegisterFlagCompletionFunc("reseller", f.CompleteFlag(workspace.CompleteResellers))
	cmd.Flags().StringVar(&opts.ID, "id", "", "tenant ID, when the tenant exists already (default: a new GUID)")
	opts.Output = output.AddFlags(cmd, nil, output.FieldNames(addedFields))
	return cmd
}

func addRun(ctx context.Context, opts *AddOptions) error {
	c := domain.Customer{ID: opts.ID, CompanyName: opts.Name, Domain: opts.Domain,
		Country: opts.Country, ResellerMPNID: opts.Reseller}
	c, err := domain.NormalizeCustomer(c)
	if err == nil && c.Country == "" {
		err = &domain.InvalidError{Field: "country", Reason: "is empty (expected an ISO 3166 alpha-2 code such as FR, DE, US)"}
	}
	var ie *domain.InvalidError
	if errors.As(err, &ie) {
		// Name the flag the user typed, not the field.
		flag := map[string]string{"companyName": "--name", "domain": "--domain", "country": "--country",
			"resellerMpnId": "--reseller", "id": "--id"}[ie.Field]
		return cmdutil.Usagef("%s %s", flag, ie.Detail())
	}
	if err != nil {
		return err
	}
	random := opts.F.Random
	if random == nil {
		random = rand.Reader
	}
	password, err := domain.NewTemporaryPassword(random)
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), domain.BcryptCost)
	if err != nil {
		return fmt.Errorf("hashing the temporary password: %w", err)
	}
	c.AdminAccount = domain.AdminAccountName(c.Domain)
	ws, err := opts.F.Workspace(ctx)
	if err != nil {
		return err
	}
	// In a workspace linked to a partner tenant, Partner Center creates the customer and
	// its admin account: its account and password are the ones shown.
	var pcCreds workspace.AdminCredentials
	rec, err := ws.AddCustomer(workspace.WithAdminCredentials(ctx, &pcCreds), c, string(hash))
	if pcCreds.Password != "" {
		password = pcCreds.Password
	}
	if err != nil {
		if pcCreds.Password != "" {
			// Partner Center created it: its password is not to be lost with the error.
			opts.F.IOStreams.Notice("Partner Center created the admin account %s with the temporary password %s: note it now, it is shown only once.",
				pcCreds.Account, pcCreds.Password)
		}
		return err
	}
	opts.F.IOStreams.Notice("Added customer %s. Note the temporary password now: it is shown only once.", label(rec))
	return output.PrintOne(opts.F.IOStreams, opts.Output, addedFields, nil, &added{Customer: rec.Customer, Password: password})
}
