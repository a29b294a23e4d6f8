// Package cmdutil holds what every command shares: the Factory of dependencies, the
// errors that choose an exit code, argument checks.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
)

// Exit codes, documented in `pcctl help exit-codes`.
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitUsage    = 2
	ExitNotFound = 3
	ExitRefused  = 4
	// ExitDenied is an access refused: no valid access token (a server's 401) or a role
	// missing (403).
	ExitDenied = 5
)

// UsageError is a command line pcctl cannot act on: a bad flag, a missing argument, a
// value out of its allowed set.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef builds a UsageError.
func Usagef(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

// ExitCode maps an error to the documented exit code.
func ExitCode(err error) int {
	var usage *UsageError
	var outUsage *output.UsageError
	var invalid *domain.InvalidError
	var rule *domain.RuleError
	var auth *domain.AuthError
	var forbidden *domain.ForbiddenError
	var remoteOnly *RemoteError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &usage), errors.As(err, &outUsage), errors.As(err, &invalid), errors.As(err, &remoteOnly):
		return ExitUsage
	case errors.Is(err, domain.ErrNotFound):
		return ExitNotFound
	// Before RuleError: a ForbiddenError unwraps to one.
	case errors.As(err, &auth), errors.As(err, &forbidden):
		return ExitDenied
	case errors.As(err, &rule):
		return ExitRefused
	}
	return ExitFailure
}

// ExactArgs requires n arguments, naming them in the error.
func ExactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return Usagef("%s takes %s (got %d argument(s)); see '%s --help'", cmd.CommandPath(), names, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// NoArgs refuses arguments (cobra's own NoArgs calls them unknown commands).
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return Usagef("%s takes no arguments (got %q); see '%s --help'", cmd.CommandPath(), strings.Join(args, " "), cmd.CommandPath())
	}
	return nil
}

// PlainFlagError rewrites pflag's parse errors without Go internals:
// `invalid argument "many" for "--limit" flag: strconv.ParseInt: parsing "many": invalid
// syntax` becomes `invalid value "many" for --limit: expected a whole number`.
func PlainFlagError(err error) string {
	msg := err.Error()
	var value, flag string
	if _, scanErr := fmt.Sscanf(msg, "invalid argument %q for %q flag:", &value, &flag); scanErr != nil {
		return msg
	}
	switch {
	case strings.Contains(msg, "strconv.ParseInt"), strings.Contains(msg, "strconv.ParseUint"):
		return fmt.Sprintf("invalid value %q for %s: expected a whole number", value, flag)
	case strings.Contains(msg, "strconv.ParseBool"):
		return fmt.Sprintf("invalid value %q for %s: expected true or false", value, flag)
	case strings.Contains(msg, "strconv.ParseFloat"):
		return fmt.Sprintf("invalid value %q for %s: expected a number", value, flag)
	}
	return msg
}

// MinArgs requires at least n arguments.
func MinArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return Usagef("%s needs %s; see '%s --help'", cmd.CommandPath(), names, cmd.CommandPath())
		}
		return nil
	}
}

// NounCommand makes a command that only groups subcommands refuse anything else: cobra
// would print its help and exit 0 for "pcctl customers bogus", hiding the typo from
// scripts.
func NounCommand(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		return Usagef("unknown command %q for %q; see '%s --help'", args[0], c.CommandPath(), c.CommandPath())
	}
	return cmd
}

// JoinAnd lists items in prose: "a", "a and b", "a, b and c".
func JoinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// RequireFlags refuses a command line lacking any of the named flags, listing every one
// missing (cobra's MarkFlagRequired names them in a Go-style list).
func RequireFlags(cmd *cobra.Command, names ...string) error {
	var missing []string
	for _, n := range names {
		if !cmd.Flags().Changed(n) {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return Usagef("%s needs %s; see '%s --help'", cmd.CommandPath(), JoinAnd(missing), cmd.CommandPath())
}

// ListSome joins the first n items with ", " and counts the others: "a, b, c and 97
// more". A notice naming every column of a 100,000-column header would be one line of a
// megabyte.
func ListSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// Interrupted is a command interrupted (Ctrl-C, SIGTERM) after it changed something on
// purpose, saying what stays: exit code 130, like any interruption, with Msg instead of
// "nothing was changed".
type Interrupted struct{ Msg string }

func (e *Interrupted) Error() string { return "interrupted: " + e.Msg }

// Unwrap makes errors.Is(err, context.Canceled) true.
func (e *Interrupted) Unwrap() error { return context.Canceled }
