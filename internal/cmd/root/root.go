// Package root builds the pcctl command tree.
package root

import (
	"errors"
	"fmt"
	"github.com/pcctl/pcctl/internal/cmd/authcmd"
	"github.com/pcctl/pcctl/internal/cmd/synccmd"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/buildinfo"
	"github.com/pcctl/pcctl/internal/cmd/audit"
	"github.com/pcctl/pcctl/internal/cmd/configcmd"
	"github.com/pcctl/pcctl/internal/cmd/customers"
	"github.com/pcctl/pcctl/internal/cmd/deal"
	"github.com/pcctl/pcctl/internal/cmd/home"
	"github.com/pcctl/pcctl/internal/cmd/request"
	"github.com/pcctl/pcctl/internal/cmd/reseller"
	"github.com/pcctl/pcctl/internal/cmd/serve"
	"github.com/pcctl/pcctl/internal/cmd/subscription"
	"github.com/pcctl/pcctl/internal/cmd/token"
	"github.com/pcctl/pcctl/internal/cmd/user"
	"github.com/pcctl/pcctl/internal/cmd/workspacecmd"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/config"
)

// NewCmdRoot is `pcctl`.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	version, commit, date := buildinfo.Get()
	cmd := &cobra.Command{
		Use:   "pcctl <command> <subcommand> [flags]",
		Short: "Administer a Microsoft CSP partner business from the terminal",
		Long: `pcctl works with the customers a Cloud Solution Provider partner serves, the indirect
resellers it works through and their subscriptions, in a workspace: a local SQLite file by
default. Output is a table for people, or JSON, NDJSON or CSV for scripts (--format), with
the columns you choose (--fields).`,
		Example: `  pcctl customers search contoso
  pcctl customers import customers.csv
  pcctl customers export --format json -o customers.json
  pcctl help exit-codes`,
		Version:       fmt.Sprintf("%s (commit %s, built %s)", version, commit, date),
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(f.Env, cmd.Root().PersistentFlags())
			if err != nil {
				return profileUsage(err)
			}
			f.Config = cfg
			f.ReadOnly = cmdutil.IsReadOnly(cmd)
			if jq := cmd.Flags().Lookup("jq"); jq != nil && jq.Changed {
				if jq.Value.String() == "" {
					return cmdutil.Usagef("--jq is empty: give a jq expression, such as '.[].domain'")
				}
				if err := f.FilterOutput(jq.Value.String()); err != nil {
					return err
				}
			}
			if unknown := cfg.UnknownKeys(); len(unknown) > 0 {
				f.IOStreams.Notice("Warning: config file %s: unknown key(s) %s ignored (the settings are %s).",
					cfg.File(), strings.Join(unknown, ", "), strings.Join(config.KeyNames(), ", "))
			}
			if now := f.Env("PCCTL_NOW"); now != "" {
				if _, err := time.Parse(time.RFC3339, now); err != nil {
					return cmdutil.Usagef("invalid value %q for PCCTL_NOW: expected an RFC 3339 time, such as 2026-11-21T10:00:00Z (or unset it for the real clock)", now)
				}
			}
			// The config commands check the profile themselves: 'config set' creates it.
			if !isConfigCommand(cmd) {
				if err := cfg.CheckEnv(); err != nil {
					return cmdutil.Usagef("%v", err)
				}
				if err := cfg.CheckFlags(); err != nil {
					return cmdutil.Usagef("%s", err.(*config.InvalidValueError).Reason)
				}
				if ep := cmd.Root().PersistentFlags().Lookup("endpoint"); ep.Changed {
					if err := config.Validate("endpoint", ep.Value.String()); err != nil {
						return cmdutil.Usagef("invalid value %q for --endpoint: expected the address of a pcctl server, such as http://127.0.0.1:8787 or https://pcctl.contoso.com", ep.Value.String())
					}
				}
				return profileUsage(cfg.CheckProfile())
			}
			return nil
		},
	}
	cmd.SetVersionTemplate("pcctl version {{.Version}}\n")
	cmd.PersistentFlags().String("workspace", "", "workspace file (default $PCCTL_WORKSPACE, the config file's workspace, or $XDG_DATA_HOME/pcctl/workspace.db)")
	cmd.PersistentFlags().String("profile", "", "config file profile whose settings to use (default $PCCTL_PROFILE; see 'pcctl config')")
	cmd.PersistentFlags().String("endpoint", "", "address of a pcctl server whose workspace to use (default $PCCTL_ENDPOINT or the config file's endpoint; see 'pcctl serve')")
	cmd.PersistentFlags().String("token", "", "access token for the server (default $PCCTL_TOKEN or the config file's token; prefer those: a flag shows in the process list)")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.Usagef("%s%s; see '%s --help'", cmdutil.PlainFlagError(err), cmdutil.FlagHint(c, err), c.CommandPath())
	})
	cmd.SuggestionsMinimumDistance = 2
	cmd.AddGroup(&cobra.Group{ID: "nouns", Title: "Partner business:"}, &cobra.Group{ID: "admin", Title: "Workspace:"})
	cmd.SetCompletionCommandGroupID("admin")
	cmd.SetUsageTemplate(usageTemplate)
	cmd.SetHelpCommand(newCmdHelp())
	defer addCompletionExamples(cmd)
	cmd.AddCommand(
		customers.NewCmdCustomers(f),
		reseller.NewCmdReseller(f),
		subscription.NewCmdSubscription(f),
		deal.NewCmdDeal(f),
		request.NewCmdRequest(f),
		home.NewCmdHome(f),
		workspacecmd.NewCmdWorkspace(f),
		serve.NewCmdServe(f),
		user.NewCmdUser(f),
		audit.NewCmdAudit(f),
		token.NewCmdToken(f),
		authcmd.NewCmdAuth(f),
		synccmd.NewCmdSync(f),
		configcmd.NewCmdConfig(f),
		newCmdVersion(),
		newHelpTopic("exit-codes", "Exit codes pcctl returns", exitCodesHelp),
		newHelpTopic("environment", "Environment variables and configuration", environmentHelp),
	)
	markReaders(cmd)
	return cmd
}

// readers are the commands that only read the workspace: given a workspace by name
// (--workspace, PCCTL_WORKSPACE, the config file) that does not exist, they fail with
// exit 3 rather than create an empty one and answer from it. Every other command may
// create it ('workspace migrate' creates an empty one).
var readers = []string{
	"customers list", "customers search", "customers show", "customers export",
	"reseller list", "reseller show", "subscription list", "subscription export",
	"deal list", "deal show", "request list", "request search", "request show",
	"home", "user list", "audit list", "token list",
	"workspace info", "workspace check", "workspace backup",
}

func markReaders(root *cobra.Command) {
	for _, path := range readers {
		c, rest, err := root.Find(strings.Fields(path))
		if err != nil || len(rest) > 0 || c == root {
			panic("root: no command " + path) // caught by every test
		}
		cmdutil.ReadsOnly(c)
	}
}

// newCmdVersion is `pcctl version`, as gh and kubectl have it (pcctl --version says the
// same).
func newCmdVersion() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print pcctl's version",
		Long:    "Print pcctl's version, the commit it was built from and when.",
		Example: "  pcctl version",
		GroupID: "admin",
		Args:    cmdutil.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			version, commit, date := buildinfo.Get()
			_, err := fmt.Fprintf(c.OutOrStdout(), "pcctl version %s (commit %s, built %s)\n", version, commit, date)
			return err
		},
	}
}

// addCompletionExamples gives cobra's completion commands an example each, as every
// pcctl command has.
func addCompletionExamples(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	examples := map[string]string{
		"bash":       "  source <(pcctl completion bash)\n  pcctl completion bash > ~/.local/share/bash-completion/completions/pcctl",
		"zsh":        "  pcctl completion zsh > \"${fpath[1]}/_pcctl\"",
		"fish":       "  pcctl completion fish > ~/.config/fish/completions/pcctl.fish",
		"powershell": "  pcctl completion powershell | Out-String | Invoke-Expression",
	}
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Example = examples["bash"] + "\n" + examples["zsh"]
		for _, sh := range c.Commands() {
			sh.Example = examples[sh.Name()]
		}
	}
}

// isConfigCommand reports whether cmd is `pcctl config` or one of its subcommands.
func isConfigCommand(cmd *cobra.Command) bool {
	for c := cmd; c.HasParent(); c = c.Parent() {
		if c.Name() == "config" && !c.Parent().HasParent() {
			return true
		}
	}
	return false
}

// profileUsage makes a bad --profile (or $PCCTL_PROFILE) a usage error.
func profileUsage(err error) error {
	var pe *config.ProfileError
	if errors.As(err, &pe) {
		return cmdutil.Usagef("%s", pe.Msg)
	}
	return err
}

// newHelpTopic is a help topic: a command that cannot run, which `pcctl help NAME` shows
// and `pcctl --help` lists under "Additional help topics".
func newHelpTopic(name, short, long string) *cobra.Command {
	topic := &cobra.Command{Use: name, Short: short, Long: long}
	topic.SetHelpFunc(func(c *cobra.Command, _ []string) { fmt.Fprint(c.OutOrStdout(), c.Long) })
	return topic
}

// newCmdHelp replaces cobra's help command, which answers an unknown topic with usage and
// exit code 0.
func newCmdHelp() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command or topic",
		Long:  "Help about any command or topic.",
		Example: `  pcctl help customers import
  pcctl help exit-codes
  pcctl help environment`,
		GroupID: "admin",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			target, _, err := c.Root().Find(args)
			if err != nil || target == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, sub := range target.Commands() {
				if sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
					names = append(names, sub.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || target == nil || len(rest) > 0 {
				return cmdutil.Usagef("unknown help topic %q; see 'pcctl help'", strings.Join(args, " "))
			}
			// cobra adds these flags lazily, to the command being run only.
			target.InitDefaultHelpFlag()
			target.InitDefaultVersionFlag()
			return target.Help()
		},
	}
}

// usageTemplate is cobra's, less the second usage line that a command with subcommands
// shows when it is also runnable (our nouns run, to refuse unknown verbs).
const usageTemplate = `Usage:{{if .HasAvailableSubCommands}}
  {{.UseLine}}{{else if .Runnable}}
  {{.UseLine}}{{end}}{{if gt (len .Aliases) 0}}

Aliases:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}{{$cmds := .Commands}}{{if eq (len .Groups) 0}}

Available Commands:{{range $cmds}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{else}}{{range $group := .Groups}}

{{.Title}}{{range $cmds}}{{if (and (eq .GroupID $group.ID) (or .IsAvailableCommand (eq .Name "help")))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if not .AllChildCommandsHaveGroup}}

Additional Commands:{{range $cmds}}{{if (and (eq .GroupID "") (or .IsAvailableCommand (eq .Name "help")))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Global Flags:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasHelpSubCommands}}

Additional help topics:{{range .Commands}}{{if .IsAdditionalHelpTopicCommand}}
  {{rpad .CommandPath .CommandPathPadding}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.CommandPath}} [command] --help" for more information about a command.{{end}}
`

const exitCodesHelp = `pcctl exits with:

  0  success
  1  failure: a file that cannot be read, a bad row in an import, a workspace that cannot
     be opened, any other error
  2  usage: an unknown command or flag, a missing or extra argument, a value outside its
     allowed set (format, field, view, sort, domain, country…)
  3  not found: no customer (or other record) matches the ID or domain given
  4  refused by a business rule: the input is well formed but a rule forbids it (a domain
     already used by another customer, editing a closed deal, revoking a token twice)
  5  access denied: no valid access token (missing, unknown, revoked or expired), or a
     role missing for what was asked (the error names the roles that would grant it)
  6  completed, but rows were left out: an import that skipped bad rows (customers
     import --on-error skip, deal import and user import --on-error skip); the summary on
     stdout is complete and the rows left out are listed on stderr
  7  done in Partner Center, not recorded in the workspace: in a workspace linked to a
     partner tenant a change is made in Partner Center first; it accepted it and the
     workspace then failed to record it. Do not make the change again: the next pcctl
     sync of the kind named brings it in

Partner Center's own refusals, in a workspace linked to a partner tenant, keep these codes:
its validation (400, 422) and conflicts (409, a stale ETag's 412) exit 4, a record it does
not have (404) exit 3, a token refused or a role missing (401, 403) exit 5; the message
names its request ID (MS-RequestId, MS-CorrelationId) for its support.

Errors are written to stderr, starting with "Error: " and naming the problem; data goes
to stdout.
`

const environmentHelp = `Environment variables (precedence: flag, then environment, then config file, then default):
Within the config file, the selected profile's keys win over the file's top-level keys, so
the full order is flag > environment > profile > config file > default ('pcctl config list'
shows where each value comes from).

  PCCTL_WORKSPACE   workspace file, as --workspace and the key workspace
  PCCTL_CONFIG      config file (default $XDG_CONFIG_HOME/pcctl/config.yaml, or
                    ~/.config/pcctl/config.yaml)
  PCCTL_PROFILE     the config file's profile to use, as --profile
  PCCTL_USER        user name that flags, pins and recent accesses are recorded under,
                    as the key user (default $USER, else the login name)
  PCCTL_INVITE_BASE_URL
                    base of the links in partnership requests, as invite_base_url
                    (default http://127.0.0.1:8787, the address of pcctl serve)
  PCCTL_PARTNER_NAME
                    your company's name, signing partnership requests, as partner_name
  PCCTL_PARTNER_DOMAINS
                    your company's mail domains, comma-separated, as partner_domains:
                    'user import --psc' imports only addresses at them
  PCCTL_ENDPOINT    the address of a pcctl server whose workspace to use instead of a
                    local file, as endpoint ('pcctl serve'); a --workspace flag still
                    means the local file
  PCCTL_TOKEN       an access token for a pcctl server, as token (a token kept in the
                    config file is used only if the file is not readable by others)
  XDG_DATA_HOME     the default workspace is $XDG_DATA_HOME/pcctl/workspace.db
                    (~/.local/share/pcctl/workspace.db when unset)
  XDG_CONFIG_HOME   where the config file is looked for
  COLUMNS           terminal width for tables
  CI                when set, no progress bars (they are shown only when stderr is a
                    terminal, and never on TERM=dumb)
  PCCTL_NOW         a fixed RFC 3339 time used as "now" (for tests and demos only)
  PCCTL_CPUPROFILE  write a Go CPU profile of the run to this file (for profiling
                    pcctl itself, with go tool pprof)

pcctl prints no colours, so NO_COLOR changes nothing.

Config file keys (YAML; 'pcctl config set KEY VALUE' writes them, with mode 0600):

  workspace: /path/to/workspace.db
  user: alice@contoso.com
  invite_base_url: https://pcctl.contoso.com
  partner_name: Contoso Distribution
  profiles:
    test:                      # used with --profile test or PCCTL_PROFILE=test
      workspace: /tmp/test.db
`
