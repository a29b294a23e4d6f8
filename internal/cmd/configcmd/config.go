// Package configcmd holds the `pcctl config` commands, over the config file of package
// config.
package configcmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/config"
	"github.com/pcctl/pcctl/internal/output"
)

// NewCmdConfig is `pcctl config`.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Show and change the settings in the config file",
		Long: `Show and change pcctl's settings. The config file is YAML, at $PCCTL_CONFIG or
$XDG_CONFIG_HOME/pcctl/config.yaml (~/.config/pcctl/config.yaml), and holds these keys:

` + keyList() + `

Named profiles hold the same keys under 'profiles: {NAME: {...}}'. The global --profile
NAME (or $PCCTL_PROFILE) selects one: its keys win over the file's top-level keys, and
'config set' and 'config unset' change that profile instead of the top level.
Precedence: flag, then environment variable, then profile, then the file's top level,
then default ('pcctl help environment').

'config set' and 'config unset' rewrite the whole file, keeping every other key and
profile but not its comments or layout; the file is written with mode 0600, atomically.`,
		Example: `  pcctl config set workspace /srv/pcctl/workspace.db
  pcctl config set --profile test workspace /tmp/test.db
  pcctl --profile test customers list
  pcctl config list`,
		GroupID: "admin",
	}
	cmdutil.NounCommand(cmd)
	cmd.AddCommand(newCmdGet(f), newCmdSet(f), newCmdUnset(f), newCmdList(f))
	return cmd
}

func keyList() string {
	var b strings.Builder
	for i, k := range config.Keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "  %-16s %-22s %s", k.Name, "$"+k.Env, k.Doc)
	}
	return b.String()
}

// usage turns the config package's errors about the command line into usage errors.
func usage(err error) error {
	var uk *config.UnknownKeyError
	var iv *config.InvalidValueError
	var pe *config.ProfileError
	if errors.As(err, &uk) || errors.As(err, &iv) || errors.As(err, &pe) {
		return cmdutil.Usagef("%s", err.Error())
	}
	return err
}

// checkKey refuses an unknown key before anything is read or written.
func checkKey(key string) error {
	for _, k := range config.Keys {
		if k.Name == key {
			return nil
		}
	}
	return usage(&config.UnknownKeyError{Key: key})
}

func completeKeys(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return config.KeyNames(), cobra.ShellCompDirectiveNoFileComp
}

func newCmdGet(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "get KEY",
		Short: "Print the value of a setting",
		Long: `Print the value pcctl uses for KEY, whichever its source: flag, environment variable,
the selected profile, the config file, or the default ('config list' shows the source).`,
		Example: `  pcctl config get workspace
  pcctl config get --profile test user`,
		Args:              cmdutil.ExactArgs(1, "one key ("+strings.Join(config.KeyNames(), ", ")+")"),
		ValidArgsFunction: completeKeys,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkKey(args[0]); err != nil {
				return err
			}
			if err := f.Config.CheckProfile(); err != nil {
				return usage(err)
			}
			s, err := f.Config.Get(args[0])
			if err != nil {
				return usage(err)
			}
			_, err = fmt.Fprintln(f.IOStreams.Out, s.Value)
			return err
		},
	}
}

func newCmdSet(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Write a setting to the config file",
		Long: `Write KEY: VALUE to the config file, or with --profile NAME to that profile (created if
new). Only the known keys are accepted (` + strings.Join(config.KeyNames(), ", ") + `);
invite_base_url must be an http or https URL.

The file is rewritten with mode 0600 through a temporary file: its other keys and profiles
are kept, its comments are not.`,
		Example: `  pcctl config set user alice@contoso.com
  pcctl config set invite_base_url https://pcctl.contoso.com
  pcctl config set --profile test workspace /tmp/test.db`,
		Args:              cmdutil.ExactArgs(2, "a key and a value"),
		ValidArgsFunction: completeKeys,
		RunE: func(cmd *cobra.Command, args []string) error {
			key, value := args[0], args[1]
			if err := config.Validate(key, value); err != nil {
				return usage(err)
			}
			if err := f.Config.Set(key, value); err != nil {
				return usage(err)
			}
			noteOverride(f, key)
			return nil
		},
	}
}

// noteOverride tells when a flag or an environment variable hides the value just written.
func noteOverride(f *cmdutil.Factory, key string) {
	s, err := f.Config.Get(key)
	if err != nil {
		return
	}
	for _, k := range config.Keys {
		if k.Name != key {
			continue
		}
		switch s.Source {
		case config.SourceEnv:
			f.IOStreams.Notice("Note: $%s is set, and wins over the config file's %s in this shell.", k.Env, key)
		case config.SourceFlag:
			f.IOStreams.Notice("Note: --%s wins over the config file's %s.", k.Flag, key)
		}
	}
}

func newCmdUnset(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "unset KEY",
		Short: "Remove a setting from the config file",
		Long: `Remove KEY from the config file, or with --profile NAME from that profile (a profile left
empty is removed). Removing a key that is not set does nothing. Like 'config set', it
rewrites the file with mode 0600 and loses its comments.`,
		Example: `  pcctl config unset invite_base_url
  pcctl config unset --profile test workspace`,
		Args:              cmdutil.ExactArgs(1, "one key ("+strings.Join(config.KeyNames(), ", ")+")"),
		ValidArgsFunction: completeKeys,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkKey(args[0]); err != nil {
				return err
			}
			if err := f.Config.CheckProfile(); err != nil {
				return usage(err)
			}
			_, err := f.Config.Unset(args[0])
			return usage(err)
		},
	}
}

var settingFields = []output.Field[config.Setting]{
	output.StrField("key", "KEY", "config key", func(s *config.Setting) string { return s.Key }),
	output.StrField("value", "VALUE", "the value pcctl uses", func(s *config.Setting) string { return s.Value }),
	output.StrField("source", "SOURCE", "where the value comes from: flag, env, profile, file or default", func(s *config.Setting) string { return s.Source }),
}

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every setting, its value and where it comes from",
		Long: `List every key with the value pcctl uses and its source: flag, env (an environment
variable), profile (the profile selected with --profile or $PCCTL_PROFILE), file (the
config file's top level) or default.`,
		Example: `  pcctl config list
  pcctl config list --profile test --format json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.Config.CheckProfile(); err != nil {
				return usage(err)
			}
			p, err := output.NewPrinter(f.IOStreams, o, settingFields, nil)
			if err != nil {
				return err
			}
			for _, s := range f.Config.List() {
				if err := p.Print(&s); err != nil {
					return err
				}
			}
			return p.Close()
		},
	}
	o = output.AddFlags(cmd, nil, output.FieldNames(settingFields))
	return cmd
}
