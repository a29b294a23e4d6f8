// Package cmdutil holds what every command shares: the Factory of dependencies, the
// errors that choose an exit code, argument checks.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/linked"
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
	// ExitPartial is a command that completed but left rows out: an import that skipped
	// bad rows (--on-error skip). Its output (the summary) is complete; the rows left out
	// are listed on stderr.
	ExitPartial = 6
	// ExitUnrecorded is a change Partner Center accepted (write-through, in a workspace
	// linked to a partner tenant) that the workspace then could not record: Partner
	// Center has it, the workspace not until the next pcctl sync brings it.
	ExitUnrecorded = 7
)

// PartialError ends a command that completed but left rows out: exit 6, its message
// printed on stderr as it is (not as an error: the work was done).
type PartialError struct{ Msg string }

func (e *PartialError) Error() string { return e.Msg }

// Partialf builds a PartialError.
func Partialf(format string, a ...any) error { return &PartialError{Msg: fmt.Sprintf(format, a...)} }

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
	var partial *PartialError
	var unrecorded *linked.UnrecordedError
	var pc *partnercenter.Error
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &partial):
		return ExitPartial
	case errors.As(err, &unrecorded):
		return ExitUnrecorded
	case errors.As(err, &pc) && pc.Status != 0:
		// Partner Center's refusals keep pcctl's codes: its validation (400, 422) and
		// conflicts (409, a stale ETag's 412) are refusals, 404 not found, 401 and 403 access.
		switch {
		case pc.Status == 400 || pc.Status == 409 || pc.Status == 412 || pc.Status == 422:
			return ExitRefused
		case pc.Status == 404:
			return ExitNotFound
		case pc.Status == 401 || pc.Status == 403:
			return ExitDenied
		}
		return ExitFailure
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

// MaxArgs allows at most n arguments.
func MaxArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return Usagef("%s takes at most %s (got %d arguments: %s); see '%s --help'", cmd.CommandPath(), names, len(args), strings.Join(args, " "), cmd.CommandPath())
		}
		return nil
	}
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
		hint := ""
		if c.SuggestionsMinimumDistance <= 0 {
			c.SuggestionsMinimumDistance = 2
		}
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			hint = fmt.Sprintf(" (did you mean %s?)", JoinOr(s))
		}
		return Usagef("unknown command %q for %q%s; see '%s --help'", args[0], c.CommandPath(), hint, c.CommandPath())
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

// CheckResellerFilter is called when a list filtered by --reseller MPNID came out empty:
// an MPN ID that is no reseller's and no customer's reseller is a typo, not an empty
// answer, and is reported as not found (exit 3), as an unknown --customer is.
func CheckResellerFilter(ctx context.Context, ws workspace.Workspace, mpnID string) error {
	_, err := ws.Reseller(ctx, mpnID)
	if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	any := false
	err = ws.ListCustomers(ctx, workspace.ListQuery{View: domain.ViewAll, Reseller: mpnID, Limit: 1},
		func(workspace.CustomerRecord) error { any = true; return nil })
	if err != nil || any {
		return err
	}
	return &domain.NotFoundError{Kind: "reseller", Ref: mpnID}
}

// JoinOr lists items as alternatives: "a", "a or b", "a, b or c".
func JoinOr(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// FlagHint adds to a flag error what the user probably meant: the flags closest to an
// unknown one (--veiw: --view), and --format for kubectl's and az's -o/--output.
func FlagHint(cmd *cobra.Command, err error) string {
	msg := err.Error()
	var name string
	switch {
	case strings.HasPrefix(msg, "unknown flag: --"):
		name = strings.TrimPrefix(msg, "unknown flag: --")
	case strings.HasPrefix(msg, "unknown shorthand flag: "):
		// "unknown shorthand flag: 'o' in -o"
		if i := strings.Index(msg, "'"); i >= 0 && i+2 < len(msg) {
			name = msg[i+1 : i+2]
		}
	default:
		return ""
	}
	if name == "o" || name == "output" {
		if cmd.Flags().Lookup("format") != nil {
			return " (pcctl chooses the output format with --format, such as --format json)"
		}
		return ""
	}
	var best []string
	bestDist := 3
	if len(name) <= 4 {
		bestDist = 2
	}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := levenshtein(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 3 {
			d = 1
		}
		switch {
		case d < bestDist:
			best, bestDist = []string{"--" + f.Name}, d
		case d == bestDist && len(best) > 0:
			best = append(best, "--"+f.Name)
		}
	})
	if len(best) == 0 {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", JoinOr(best))
}

// levenshtein is the edit distance between a and b, counting a swap of two neighbouring
// letters as one edit (--veiw is one from --view).
func levenshtein(a, b string) int {
	ra, rb := []rune(strings.ToLower(a)), []rune(strings.ToLower(b))
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// errLimitReached stops a listing at its --limit.
var errLimitReached = errors.New("--limit reached")

// AddLimitFlag adds --limit N to a list command; CheckLimit checks it.
func AddLimitFlag(cmd *cobra.Command, noun string) *int {
	var n int
	cmd.Flags().IntVar(&n, "limit", 0, "show at most this many "+noun+" (0: no limit)")
	return &n
}

// CheckLimit refuses a negative --limit.
func CheckLimit(n int) error {
	if n < 0 {
		return Usagef("--limit must be 0 or more, not %d", n)
	}
	return nil
}

// Limit passes the first n records to each (all of them when n is 0), then stops the
// listing; LimitDone turns that stop back into success.
func Limit[T any](n int, each func(T) error) func(T) error {
	if n <= 0 {
		return each
	}
	count := 0
	return func(v T) error {
		if count >= n {
			return errLimitReached
		}
		count++
		if err := each(v); err != nil {
			return err
		}
		if count >= n {
			return errLimitReached
		}
		return nil
	}
}

// LimitDone is err, unless it is the stop of Limit.
func LimitDone(err error) error {
	if errors.Is(err, errLimitReached) {
		return nil
	}
	return err
}

// Interrupted is a command interrupted (Ctrl-C, SIGTERM) after it changed something on
// purpose, saying what stays: exit code 130, like any interruption, with Msg instead of
// "nothing was changed".
type Interrupted struct{ Msg string }

func (e *Interrupted) Error() string { return "interrupted: " + e.Msg }

// Unwrap makes errors.Is(err, context.Canceled) true.
func (e *Interrupted) Unwrap() error { return context.Canceled }

// InterruptedMsg is what stays after an interruption that changed something, or might
// have (an *Interrupted; a write-through interrupted while Partner Center had it in hand):
// ok is false for a plain interruption, which changed nothing.
func InterruptedMsg(err error) (msg string, ok bool) {
	var partly *Interrupted
	if errors.As(err, &partly) {
		return partly.Msg, true
	}
	var pc *linked.InterruptedError
	if errors.As(err, &pc) {
		return strings.TrimPrefix(pc.Error(), "interrupted "), true
	}
	return "", false
}
