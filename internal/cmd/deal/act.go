package deal

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

// act runs a transition of the status model and prints the deal.
func act(cmd *cobra.Command, f *cmdutil.Factory, o *output.Options, id string, action domain.DealAction, reason string, version int, done string) error {
	want, err := ifVersion(cmd, version)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	ws, err := f.Workspace(ctx)
	if err != nil {
		return err
	}
	d, err := ws.ActOnDeal(ctx, id, action, reason, want)
	if err != nil {
		return err
	}
	f.IOStreams.Notice("Deal %s (%s) %s: it is now %s/%s.", d.ID, d.Name, done, d.Status, d.Substatus)
	return printOne(f.IOStreams, o, oneDefaults, &d)
}

func newCmdAccept(f *cmdutil.Factory) *cobra.Command {
	var version int
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "accept ID [--if-version N]",
		Short: "Accept an inbound deal",
		Long: `Accept a deal a Microsoft seller sent you (New/Received): it becomes Active/Accepted. A deal
not accepted within 14 days has expired and can no longer be accepted.

` + linkedHelp,
		Example: `  pcctl deal accept 7c9e6679-7425-40de-944b-e07fc1f90ae7`,
		Args:    cmdutil.ExactArgs(1, "one deal ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return act(cmd, f, o, args[0], domain.ActAccept, "", version, "accepted")
		},
	}
	addIfVersion(cmd, &version)
	o = addOutputFlags(cmd)
	return cmd
}

func newCmdDecline(f *cmdutil.Factory) *cobra.Command {
	var version int
	var reason string
	var o *output.Options
	cmd := &cobra.Command{
		Use:     "decline ID --reason TEXT [--if-version N]",
		Short:   "Decline an inbound deal",
		Long:    "Decline a deal a Microsoft seller sent you (New/Received), saying why: it becomes Closed/Declined.\n\n" + linkedHelp,
		Example: `  pcctl deal decline 7c9e6679-7425-40de-944b-e07fc1f90ae7 --reason "Outside our region"`,
		Args:    cmdutil.ExactArgs(1, "one deal ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.RequireFlags(cmd, "reason"); err != nil {
				return err
			}
			if strings.TrimSpace(reason) == "" {
				return cmdutil.Usagef("--reason is empty")
			}
			return act(cmd, f, o, args[0], domain.ActDecline, strings.TrimSpace(reason), version, "declined")
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why you decline the deal")
	addIfVersion(cmd, &version)
	o = addOutputFlags(cmd)
	return cmd
}

func newCmdClose(f *cmdutil.Factory) *cobra.Command {
	var version int
	var won, lost, duplicate bool
	var reason string
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "close ID --won|--lost [--reason TEXT] [--if-version N]",
		Short: "Close a deal as won or lost",
		Long: `Close an open deal as won or lost: it becomes Closed/Won or Closed/Lost and can no longer be
changed. Partner Center has no "close as duplicate" (--duplicate is refused): close the deal
as lost, with the reason in a note.

` + linkedHelp,
		Example: `  pcctl deal close 7c9e6679-7425-40de-944b-e07fc1f90ae7 --won
  pcctl deal close 7c9e6679-7425-40de-944b-e07fc1f90ae7 --lost --reason "Budget cut"`,
		Args: cmdutil.ExactArgs(1, "one deal ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, b := range []bool{won, lost, duplicate} {
				if b {
					n++
				}
			}
			if n == 0 {
				return cmdutil.Usagef("%s needs --won or --lost; see '%s --help'", cmd.CommandPath(), cmd.CommandPath())
			}
			if n > 1 {
				return cmdutil.Usagef("give only one of --won, --lost and --duplicate")
			}
			action, done := domain.ActWin, "closed as won"
			switch {
			case lost:
				action, done = domain.ActLose, "closed as lost"
			case duplicate:
				action = domain.ActDuplicate
			}
			return act(cmd, f, o, args[0], action, strings.TrimSpace(reason), version, done)
		},
	}
	cmd.Flags().BoolVar(&won, "won", false, "the deal is won")
	cmd.Flags().BoolVar(&lost, "lost", false, "the deal is lost")
	cmd.Flags().BoolVar(&duplicate, "duplicate", false, "not available in Partner Center: refused")
	cmd.Flags().StringVar(&reason, "reason", "", "why the deal was won or lost")
	addIfVersion(cmd, &version)
	o = addOutputFlags(cmd)
	return cmd
}

func newCmdUpdate(f *cmdutil.Factory) *cobra.Command {
	var version int
	var name, value, currency string
	var add, remove []string
	var contact domain.Contact
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "update ID [--name NAME] [--value AMOUNT] [--currency ISO4217] [--add-solution SPEC...] [--remove-solution ID...] [--contact-name NAME] [--contact-email EMAIL] [--contact-phone PHONE] [--if-version N]",
		Short: "Change an open deal",
		Long: `Change the name, value, currency, solutions or customer contact of a deal that is not closed.
Solutions are added as in 'deal create' ([SOURCE:]ID[:QUANTITY[:UNITPRICE]]) and removed by
ID; a deal keeps 1 to 50 solutions.

` + linkedHelp,
		Example: `  pcctl deal update 7c9e6679-7425-40de-944b-e07fc1f90ae7 --value 65000 --add-solution microsoft:CFQ7TTC0LF8Q:30
  pcctl deal update 7c9e6679-7425-40de-944b-e07fc1f90ae7 --remove-solution crm-accelerator --if-version 3`,
		Args: cmdutil.ExactArgs(1, "one deal ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			want, err := ifVersion(cmd, version)
			if err != nil {
				return err
			}
			var ch workspace.DealChange
			changed := cmd.Flags().Changed
			if changed("name") {
				n := strings.TrimSpace(name)
				if n == "" {
					return cmdutil.Usagef("--name is empty")
				}
				ch.Name = &n
			}
			if changed("value") {
				v, err := domain.ParseAmount(value)
				if err != nil {
					return flagError("value", err)
				}
				ch.Value = &v
			}
			if changed("currency") {
				c, err := domain.ParseCurrency(currency)
				if err != nil {
					return flagError("currency", err)
				}
				ch.Currency = &c
			}
			for _, spec := range add {
				s, err := domain.ParseSolution(spec)
				if err != nil {
					return flagError("add-solution", err)
				}
				ch.AddSolutions = append(ch.AddSolutions, s)
			}
			for _, id := range remove {
				if id = strings.TrimSpace(id); id == "" {
					return cmdutil.Usagef("--remove-solution is empty")
				}
				ch.RemoveSolutions = append(ch.RemoveSolutions, id)
			}
			contactChanged := changed("contact-name") || changed("contact-email") || changed("contact-phone")
			if ch.Name == nil && ch.Value == nil && ch.Currency == nil && len(add) == 0 && len(remove) == 0 && !contactChanged {
				return cmdutil.Usagef("%s needs at least one of --name, --value, --currency, --add-solution, --remove-solution, --contact-name, --contact-email and --contact-phone", cmd.CommandPath())
			}
			if changed("contact-email") && strings.TrimSpace(contact.Email) != "" {
				if _, err := checkEmail("contact-email", contact.Email); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			if contactChanged {
				// The contact changes as a whole: the fields not given keep their value,
				// read at a version the change then requires.
				d, err := ws.Deal(ctx, args[0])
				if err != nil {
					return err
				}
				if err := checkVersion(d, want); err != nil {
					return err
				}
				want = d.Version
				c := d.Contact
				if changed("contact-name") {
					c.Name = strings.TrimSpace(contact.Name)
				}
				if changed("contact-email") {
					c.Email = strings.TrimSpace(contact.Email)
				}
				if changed("contact-phone") {
					c.Phone = strings.TrimSpace(contact.Phone)
				}
				ch.Contact = &c
			}
			d, err := ws.UpdateDeal(ctx, args[0], ch, want)
			if ie, ok := err.(*domain.InvalidError); ok && ie.Field == "solution" && ie.Value != "" && slices.Contains(ch.RemoveSolutions, ie.Value) {
				return flagError("remove-solution", err)
			}
			if err != nil {
				return err
			}
			f.IOStreams.Notice("Updated deal %s (%s): version %d.", d.ID, d.Name, d.Version)
			return printOne(f.IOStreams, o, oneDefaults, &d)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "new deal name")
	cmd.Flags().StringVar(&value, "value", "", "new estimated value")
	cmd.Flags().StringVar(&currency, "currency", "", "new ISO 4217 currency code")
	cmd.Flags().StringArrayVar(&add, "add-solution", nil, "a solution to add, [SOURCE:]ID[:QUANTITY[:UNITPRICE]] (repeat for several)")
	cmd.Flags().StringArrayVar(&remove, "remove-solution", nil, "the ID of a solution to remove (repeat for several)")
	cmd.Flags().StringVar(&contact.Name, "contact-name", "", "the customer contact's name")
	cmd.Flags().StringVar(&contact.Email, "contact-email", "", "the customer contact's email")
	cmd.Flags().StringVar(&contact.Phone, "contact-phone", "", "the customer contact's phone")
	addIfVersion(cmd, &version)
	o = addOutputFlags(cmd)
	return cmd
}

func newCmdNote(f *cmdutil.Factory) *cobra.Command {
	var version int
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "note ID TEXT [--if-version N]",
		Short: "Add a note to a deal",
		Long: `Append a note to a deal's notes, which hold everything about customer interactions: you
are its author, now its time. Notes are never changed nor removed. In Partner Center a
referral's notes are one text (details.notes): the deal's notes, a blank line between two.

` + linkedHelp,
		Example: `  pcctl deal note 7c9e6679-7425-40de-944b-e07fc1f90ae7 "Call with Sue: budget approved for Q3"`,
		Args:    cmdutil.ExactArgs(2, "a deal ID and the note's text"),
		RunE: func(cmd *cobra.Command, args []string) error {
			want, err := ifVersion(cmd, version)
			if err != nil {
				return err
			}
			text := strings.TrimSpace(args[1])
			if text == "" {
				return cmdutil.Usagef("the note is empty")
			}
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			d, err := ws.AddDealNote(ctx, args[0], text, want)
			if err != nil {
				return err
			}
			f.IOStreams.Notice("Added a note to deal %s (%s).", d.ID, d.Name)
			return printOne(f.IOStreams, o, oneDefaults, &d)
		},
	}
	addIfVersion(cmd, &version)
	o = addOutputFlags(cmd)
	return cmd
}

func newCmdTeam(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "team <command>",
		Short: "Add and remove a deal's team members",
		Long: `A deal's team members work on it with you; they block no other referrals admin from
working on the deal.

` + linkedHelp,
		Example: `  pcctl deal team add 7c9e6679-7425-40de-944b-e07fc1f90ae7 bob@contoso.com
  pcctl deal team remove 7c9e6679-7425-40de-944b-e07fc1f90ae7 bob@contoso.com`,
	}
	cmdutil.NounCommand(cmd)
	cmd.AddCommand(newCmdTeamMember(f, true), newCmdTeamMember(f, false))
	return cmd
}

func newCmdTeamMember(f *cmdutil.Factory, member bool) *cobra.Command {
	var version int
	var o *output.Options
	use, short, example, done := "add", "Add a team member to a deal", "add", "Added %s to the team of deal %s (%s)."
	if !member {
		use, short, example, done = "remove", "Remove a team member from a deal", "remove", "Removed %s from the team of deal %s (%s)."
	}
	cmd := &cobra.Command{
		Use:     use + " ID EMAIL [--if-version N]",
		Short:   short,
		Example: "  pcctl deal team " + example + " 7c9e6679-7425-40de-944b-e07fc1f90ae7 bob@contoso.com",
		Args:    cmdutil.ExactArgs(2, "a deal ID and a team member's email"),
		RunE: func(cmd *cobra.Command, args []string) error {
			want, err := ifVersion(cmd, version)
			if err != nil {
				return err
			}
			email, err := checkEmail("team", args[1])
			if err != nil {
				return cmdutil.Usagef("%q is not an email address", args[1])
			}
			email = strings.ToLower(email)
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			d, err := ws.SetDealTeamMember(ctx, args[0], email, member, want)
			if err != nil {
				return err
			}
			f.IOStreams.Notice(done, email, d.ID, d.Name)
			return printOne(f.IOStreams, o, oneDefaults, &d)
		},
	}
	addIfVersion(cmd, &version)
	o = addOutputFlags(cmd)
	return cmd
}

func newCmdFavorite(f *cmdutil.Factory, favorite bool) *cobra.Command {
	var o *output.Options
	use, short, done := "favorite", "Mark a deal as one of your favorites", "Deal %s (%s) is one of your favorites."
	if !favorite {
		use, short, done = "unfavorite", "Remove a deal from your favorites", "Deal %s (%s) is no longer one of your favorites."
	}
	cmd := &cobra.Command{
		Use:   use + " ID",
		Short: short,
		Long: short + `. Favorites are yours: each user has their own ('deal list
--favorites').`,
		Example: "  pcctl deal " + use + " 7c9e6679-7425-40de-944b-e07fc1f90ae7",
		Args:    cmdutil.ExactArgs(1, "one deal ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			ws, err := f.Workspace(ctx)
			if err != nil {
				return err
			}
			d, err := ws.SetDealFavorite(ctx, args[0], favorite)
			if err != nil {
				return err
			}
			f.IOStreams.Notice(done, d.ID, d.Name)
			return printOne(f.IOStreams, o, []string{"id", "name", "favorite"}, &d)
		},
	}
	o = addOutputFlags(cmd)
	return cmd
}
