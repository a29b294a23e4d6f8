// Package user holds the `pcctl user` commands: the people who work in the workspace and
// their roles (domain.md, "Roles").
package user

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
)

// NewCmdUser is `pcctl user`.
func NewCmdUser(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "user <command>",
		Aliases: []string{"users"},
		Short:   "Manage the workspace's users and their roles",
		Long: `The people who work in the workspace, each with one or more roles:
` + roleTable() + `
A local workspace's owner holds every role; a pcctl server gives each access token the roles
of its user. Managing users needs global-admin, user-admin or account-admin, and then:

  Nobody grants or takes away a role they do not hold; only a global-admin grants
  global-admin. Removing a user, or creating or revoking an access token for another user,
  needs every role that user holds (a global-admin always may). Refused: exit code 5.
  The audit log names the access token a change was made through, and who created it.`,
		Example: `  pcctl user add sue@fabrikam.com --role referrals-admin --name "Sue Smith"
  pcctl user list
  pcctl user import --psc psc-users.csv --dry-run`,
		GroupID: "admin",
	}
	cmdutil.NounCommand(cmd)
	cmd.AddCommand(newCmdList(f), newCmdAdd(f), newCmdRemove(f), newCmdImport(f))
	return cmd
}

// roleTable lists the roles and what they may do, for help.
func roleTable() string {
	var b strings.Builder
	for _, r := range domain.AllRoles {
		fmt.Fprintf(&b, "  %-16s %s\n", r, domain.RoleSummary(r))
	}
	return b.String()
}

// Fields are the fields of a user (docs/output.md).
var Fields = []output.Field[domain.User]{
	output.StrField("email", "EMAIL", "the user's work address", func(u *domain.User) string { return u.Email }),
	output.StrField("name", "NAME", "the user's name", func(u *domain.User) string { return u.Name }),
	output.ListField("roles", "ROLES", "the roles the user holds", func(u *domain.User) []string {
		out := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			out[i] = string(r)
		}
		return out
	}),
	output.TimeField("createdAt", "CREATED", "when the user was added", func(u *domain.User) time.Time { return u.CreatedAt }),
	output.TimeField("updatedAt", "UPDATED", "when the user's roles last changed", func(u *domain.User) time.Time { return u.UpdatedAt }),
}

var listDefaults = []string{"email", "name", "roles"}

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List users and their roles",
		Long:  `List the workspace's users by address, with their roles.`,
		Example: `  pcctl user list
  pcctl user list --format csv --fields email,roles`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			users, err := ws.Users(ctx)
			if err != nil {
				return err
			}
			p, err := output.NewPrinter(f.IOStreams, o, Fields, listDefaults)
			if err != nil {
				return err
			}
			for i := range users {
				p.Print(&users[i])
			}
			if err := p.Close(); err != nil {
				return err
			}
			if len(users) == 0 {
				f.IOStreams.Notice("No users yet: add one with 'pcctl user add EMAIL --role ROLE'.")
			}
			return nil
		},
	}
	o = output.AddFlags(cmd, nil, output.FieldNames(Fields))
	return cmd
}

func roleNames() []string {
	out := make([]string, len(domain.AllRoles))
	for i, r := range domain.AllRoles {
		out[i] = string(r)
	}
	return out
}

func newCmdAdd(f *cmdutil.Factory) *cobra.Command {
	var roles []string
	var name string
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "add EMAIL --role ROLE... [--name NAME]",
		Short: "Add a user, or give a user more roles",
		Long: `Add a user with one or more roles (--role may be repeated, or take a comma-separated
list). For an existing user, the roles it lacks are added; the others stay.

Roles: ` + strings.Join(roleNames(), ", ") + `.`,
		Example: `  pcctl user add sue@fabrikam.com --role referrals-admin --name "Sue Smith"
  pcctl user add joe@fabrikam.com --role admin-agent,helpdesk-agent`,
		Args: cmdutil.ExactArgs(1, "one email address"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.RequireFlags(cmd, "role"); err != nil {
				return err
			}
			rs, err := domain.ParseRoles(roles)
			if err != nil {
				return cmdutil.Usagef("--role %s", err.(*domain.InvalidError).Detail())
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			u, created, changed, err := ws.AddUser(ctx, domain.User{Email: args[0], Name: name, Roles: rs})
			if err != nil {
				return err
			}
			switch {
			case created:
				f.IOStreams.Notice("Added %s with the roles %s.", u.Email, joinRoles(u.Roles))
			case changed:
				f.IOStreams.Notice("%s now holds the roles %s.", u.Email, joinRoles(u.Roles))
			default:
				f.IOStreams.Notice("%s already holds those roles (%s): nothing changed.", u.Email, joinRoles(u.Roles))
			}
			return output.PrintOne(f.IOStreams, o, Fields, listDefaults, &u)
		},
	}
	cmd.Flags().StringSliceVar(&roles, "role", nil, "a role to give (repeat, or separate with commas)")
	cmd.Flags().StringVar(&name, "name", "", "the user's name")
	_ = cmd.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(roleNames(), cobra.ShellCompDirectiveNoFileComp))
	o = output.AddFlags(cmd, nil, output.FieldNames(Fields))
	return cmd
}

func joinRoles(rs []domain.Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return cmdutil.JoinAnd(out)
}

func newCmdRemove(f *cmdutil.Factory) *cobra.Command {
	var roles []string
	var yes bool
	cmd := &cobra.Command{
		Use:   "remove EMAIL [--role ROLE...] [--yes]",
		Short: "Remove a user, or some of its roles",
		Long: `Remove a user from the workspace, or with --role only those roles (a user left with no
role is removed). Removing a whole user asks for confirmation on a terminal; --yes confirms
without asking, and is required without a terminal.`,
		Example: `  pcctl user remove joe@fabrikam.com --yes
  pcctl user remove joe@fabrikam.com --role helpdesk-agent`,
		Args: cmdutil.ExactArgs(1, "one email address"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := domain.ParseRoles(roles)
			if err != nil {
				return cmdutil.Usagef("--role %s", err.(*domain.InvalidError).Detail())
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			u, err := ws.User(ctx, args[0])
			if err != nil {
				return err
			}
			whole := len(rs) == 0 || len(rs) >= len(u.Roles)
			// Removing a user removes their access tokens: say how many.
			tokens := ""
			if whole {
				ts, err := ws.Tokens(ctx, u.Email)
				if err != nil {
					return err
				}
				if len(ts) == 1 {
					tokens = " and their access token"
				} else if len(ts) > 1 {
					tokens = fmt.Sprintf(" and their %d access tokens", len(ts))
				}
			}
			ios := f.IOStreams
			if whole && !yes {
				if !ios.CanPrompt() {
					return cmdutil.Usagef("removing %s needs your confirmation and there is no terminal to ask on: pass --yes", u.Email)
				}
				ok, err := f.Prompter().Confirm(fmt.Sprintf("Remove the user %s (%s)%s?", u.Email, joinRoles(u.Roles), tokens), false)
				if err != nil {
					return err
				}
				if !ok {
					ios.Notice("Nothing was removed.")
					return nil
				}
			}
			left, err := ws.RemoveUser(ctx, u.Email, rs)
			if err != nil {
				return err
			}
			if len(left.Roles) == 0 {
				ios.Notice("Removed the user %s%s.", u.Email, tokens)
			} else {
				ios.Notice("%s now holds the roles %s.", u.Email, joinRoles(left.Roles))
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&roles, "role", nil, "remove only this role (repeat, or separate with commas)")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "remove the whole user without asking")
	_ = cmd.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(roleNames(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
