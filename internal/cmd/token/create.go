package token

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
)

// created is what 'token create' prints: the only record that holds a secret.
type created struct {
	domain.Token
	Secret string
}

// createdFields are the fields 'token create' prints with --format json, ndjson or csv
// (docs/output.md). A table prints the secret alone.
var createdFields = []output.Field[created]{
	output.StrField("id", "ID", "the token's ID, for 'token list' and 'token revoke'", func(c *created) string { return c.ID }),
	output.StrField("token", "TOKEN", "the secret, shown this once", func(c *created) string { return c.Secret }),
	output.StrField("user", "USER", "the user the token acts as", func(c *created) string { return c.User }),
	output.TimeField("expiresAt", "EXPIRES", "when the token expires; absent when it never does", func(c *created) time.Time { return c.ExpiresAt }),
}

func newCmdCreate(f *cmdutil.Factory) *cobra.Command {
	var user, expires, name string
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "create --user EMAIL [--expires 90d|12h|never] [--name NAME]",
		Short: "Create an access token for a user, printed once",
		Long: `Create an access token for a user of the workspace ('pcctl user add' first): the token
acts as that user, with the roles the user holds at each request.

The token is printed alone on stdout, this once: the workspace keeps only a hash of it, so
it cannot be shown again (if it is lost, revoke it and create another). Hand it to its user
as a secret; they keep it in the config file ('token', in a file of mode 0600) or in
$PCCTL_TOKEN. --format json prints {"id", "token", "user", "expiresAt"} instead.

--expires is the token's lifetime: a number of days (90d, the default) or hours (12h), from
1h to 366d, or never (the token lasts until it is revoked or its user removed).`,
		Example: `  pcctl token create --user sue@fabrikam.com --name laptop
  pcctl token create --user ci@fabrikam.com --name nightly-import --expires 366d --format json
  pcctl token create --user sue@fabrikam.com --expires 12h > sue-token.txt`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.RequireFlags(cmd, "user"); err != nil {
				return err
			}
			if len(o.Fields) > 0 && !slices.Contains(o.Fields, "token") {
				return cmdutil.Usagef("--fields must include token: the token is shown this once, and could not be shown again")
			}
			email, err := domain.ParseEmail(user)
			if err != nil {
				return cmdutil.Usagef("--user %s", err.(*domain.InvalidError).Detail())
			}
			ttl, err := domain.ParseTokenTTL(expires)
			if err != nil {
				return cmdutil.Usagef("--expires %s", err.(*domain.InvalidError).Detail())
			}
			if name, err = domain.NormalizeTokenName(name); err != nil {
				return cmdutil.Usagef("--name %s", err.(*domain.InvalidError).Detail())
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			secret, t, err := ws.CreateToken(ctx, email, name, ttl)
			if err != nil {
				return err
			}
			ios := f.IOStreams
			if o.Format == output.Table && len(o.Fields) == 0 {
				if _, err := fmt.Fprintln(ios.Out, secret); err != nil {
					return err
				}
			} else if err := output.PrintOne(ios, o, createdFields, nil, &created{Token: t, Secret: secret}); err != nil {
				return err
			}
			if t.ExpiresAt.IsZero() {
				ios.Notice("Created the token %s for %s; it never expires: revoke it with 'pcctl token revoke %s' when it is no longer needed.", t.ID, t.User, t.ID)
			} else {
				ios.Notice("Created the token %s for %s; it expires on %s.", t.ID, t.User, t.ExpiresAt.UTC().Format(time.RFC3339))
			}
			ios.Notice("The token is shown this once: pcctl keeps only a hash of it. Store it now as a secret.")
			return nil
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "the user the token acts as (required)")
	cmd.Flags().StringVar(&expires, "expires", domain.DefaultTokenTTLText, "lifetime: days (90d), hours (12h), at most 366d; or never")
	cmd.Flags().StringVar(&name, "name", "", "what the token is for, to tell tokens apart in 'token list'")
	_ = cmd.RegisterFlagCompletionFunc("user", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("expires", cobra.FixedCompletions([]string{"90d", "30d", "7d", "12h", "366d", "never"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("name", cobra.NoFileCompletions)
	o = output.AddFlags(cmd, nil, output.FieldNames(createdFields))
	return cmd
}
