// Package token holds the `pcctl token` commands: the access tokens with which a pcctl
// server knows who sends each request (create, list, revoke).
package token

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
)

// NewCmdToken is `pcctl token`.
func NewCmdToken(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "token <command>",
		Aliases: []string{"tokens"},
		Short:   "Manage the access tokens of a pcctl server's users",
		Long: `An access token lets a program or a person reach a pcctl server as one of the
workspace's users ('pcctl user'), with that user's roles as they are at each request.

A token is a secret of 58 characters, starting with pcctl_. It is printed once, by 'token
create', and never again: the workspace keeps only a SHA-256 hash of it. It lasts 90 days
unless --expires says otherwise (at most 366d, or never), and can be revoked at any time;
removing its user removes it. Managing tokens needs global-admin, user-admin or
account-admin.`,
		Example: `  pcctl token create --user sue@fabrikam.com --name laptop
  pcctl token list --user sue@fabrikam.com
  pcctl token revoke 3f2504e0-4f89-41d3-9a0c-0305e82c3301`,
		GroupID: "admin",
	}
	cmdutil.NounCommand(cmd)
	cmd.AddCommand(newCmdCreate(f), newCmdList(f), newCmdRevoke(f))
	return cmd
}

// row is a token as the list shows it: with its status now.
type row struct {
	domain.Token
	Status domain.TokenStatus
}

// fields are the fields of a token in 'token list' (docs/output.md). There is no field for
// the secret: the workspace does not have it.
var fields = []output.Field[row]{
	output.StrField("id", "ID", "the token's ID, for 'token revoke'", func(r *row) string { return r.ID }),
	output.StrField("user", "USER", "the user the token acts as", func(r *row) string { return r.User }),
	output.StrField("name", "NAME", "what the token is for (--name)", func(r *row) string { return r.Name }),
	output.StrField("status", "STATUS", "active, expired or revoked", func(r *row) string { return string(r.Status) }),
	output.TimeField("createdAt", "CREATED", "when the token was created", func(r *row) time.Time { return r.CreatedAt }),
	output.TimeField("expiresAt", "EXPIRES", "when the token expires; absent when it never does", func(r *row) time.Time { return r.ExpiresAt }),
	output.TimeField("revokedAt", "REVOKED", "when the token was revoked; absent when it was not", func(r *row) time.Time { return r.RevokedAt }),
	output.TimeField("lastUsedAt", "LAST USED", "when a server last accepted the token (to the minute); absent when never", func(r *row) time.Time { return r.LastUsedAt }),
}

var listDefaults = []string{"id", "user", "name", "status", "expiresAt", "lastUsedAt"}

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	var user string
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "list [--user EMAIL]",
		Short: "List access tokens and their status",
		Long: `List the access tokens of every user, by user then creation time, or with --user those of
one user. Each shows its status (active, expired or revoked), when it expires and when a
server last accepted it. Secrets are never shown: the workspace does not keep them.`,
		Example: `  pcctl token list
  pcctl token list --user sue@fabrikam.com --format json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if cmd.Flags().Changed("user") {
				email, err := domain.ParseEmail(user)
				if err != nil {
					return cmdutil.Usagef("--user %s", err.(*domain.InvalidError).Detail())
				}
				user = email
			}
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			tokens, err := ws.Tokens(ctx, user)
			if err != nil {
				return err
			}
			p, err := output.NewPrinter(f.IOStreams, o, fields, listDefaults)
			if err != nil {
				return err
			}
			p.LeaveOut("lastUsedAt", "name", "expiresAt")
			now := f.Now()
			for _, t := range tokens {
				if err := p.Print(&row{Token: t, Status: t.Status(now)}); err != nil {
					return err
				}
			}
			if err := p.Close(); err != nil {
				return err
			}
			if len(tokens) == 0 {
				if user != "" {
					f.IOStreams.Notice("%s has no tokens: create one with 'pcctl token create --user %s'.", user, user)
				} else {
					f.IOStreams.Notice("No tokens yet: create one with 'pcctl token create --user EMAIL'.")
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "only this user's tokens")
	_ = cmd.RegisterFlagCompletionFunc("user", cobra.NoFileCompletions)
	o = output.AddFlags(cmd, nil, output.FieldNames(fields))
	output.AddWideFlag(cmd, o)
	return cmd
}

func newCmdRevoke(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an access token",
		Long: `Revoke a token, by the ID 'pcctl token list' shows: a server refuses it from the next
request on. It cannot be undone (create another token instead); the token stays listed as
revoked. Revoking a token that is already revoked is refused (exit code 4).`,
		Example: `  pcctl token revoke 3f2504e0-4f89-41d3-9a0c-0305e82c3301
  pcctl token list --user sue@fabrikam.com --fields id,name,status`,
		Args:              cmdutil.ExactArgs(1, "one token ID"),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := domain.ParseTokenID(args[0])
			if err != nil {
				// Never quoted: it may be a secret.
				return cmdutil.Usagef("the argument %s", err.(*domain.InvalidError).Reason)
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			t, err := ws.RevokeToken(ctx, id)
			if err != nil {
				return err
			}
			name := ""
			if t.Name != "" {
				name = " (" + t.Name + ")"
			}
			f.IOStreams.Notice("Revoked the token %s%s of %s: a server refuses it from now on.", t.ID, name, t.User)
			return nil
		},
	}
}
