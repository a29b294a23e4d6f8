package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Fields are the fields of an audit record (docs/output.md).
var Fields = []output.Field[workspace.AuditRecord]{
	output.IntField("seq", "SEQ", "the record's number: later changes have higher numbers", func(r *workspace.AuditRecord) int64 { return r.Seq }),
	output.TimeField("at", "AT", "when the change was made", func(r *workspace.AuditRecord) time.Time { return r.At }),
	output.StrField("user", "USER", "who made it", func(r *workspace.AuditRecord) string { return r.User }),
	output.StrField("token", "TOKEN", "the access token the change was made through (a server's); empty on the local file", func(r *workspace.AuditRecord) string { return r.Token }),
	output.StrField("tokenCreatedBy", "TOKEN BY", "who created that access token", func(r *workspace.AuditRecord) string { return r.TokenCreatedBy }),
	output.StrField("action", "ACTION", "what was done, as entity.verb (customer.flag, deal.close-won…)", func(r *workspace.AuditRecord) string { return r.Action }),
	output.StrField("entity", "ENTITY", "the kind of entity changed (customer, deal…; customers and deals for an import)", func(r *workspace.AuditRecord) string { return r.Entity }),
	output.StrField("entityId", "ENTITY ID", "its ID (tenant ID, MPN ID, deal ID…); empty for an import", func(r *workspace.AuditRecord) string { return r.EntityID }),
	output.StrField("before", "BEFORE", "the fields the change concerns before it, as a JSON object; empty for a creation", func(r *workspace.AuditRecord) string { return r.Before }),
	output.StrField("after", "AFTER", "the same fields after it, as a JSON object; empty for a deletion", func(r *workspace.AuditRecord) string { return r.After }),
}

var listDefaults = []string{"at", "user", "action", "entity", "entityId"}

// ListOptions are the inputs of `audit list`.
type ListOptions struct {
	F      *cmdutil.Factory
	Output *output.Options
	Since  string
	User   string
	Entity string
	Limit  int
}

// NewCmdList is `pcctl audit list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:   "list [--since DURATION|DATE] [--user USER] [--entity KIND[:ID]] [--limit N]",
		Short: "List the changes recorded in the audit log, newest first",
		Long: `List the changes recorded in the audit log, newest first. A table shows when, who, the
action and the entity; --fields before,after (or --format json) shows what changed: the
fields concerned, before and after the change, as JSON objects.

--since keeps the changes made from a time on: a duration back from now (30m, 24h, 7d,
2w) or a date (2026-11-01, midnight UTC) or a time (2026-11-01T09:00:00Z).
--user keeps those of one user. --entity keeps those of one kind of entity, or of one
entity with KIND:ID:
` + entityTable() + `A customer may also be named by its primary domain.

Recorded: customers (add, flag, unflag, pin, unpin, import: one record per import),
resellers (invite, accept, remove), subscriptions (add, set), deals (create, receive,
accept, decline, close-won…, update, note, team-add, team-remove, favorite, unfavorite,
import: one record per PSC import), service requests (new, update, close, reopen,
favorite, unfavorite), users (add, remove, import). Not recorded: reads, the accesses kept
for 'customers list --view recent', and the expiry of New deals (no one's change).`,
		Example: `  pcctl audit list --since 24h
  pcctl audit list --since 2026-11-01 --user sue@fabrikam.com
  pcctl audit list --entity deal:7-0107F3RDAQ --fields at,user,action,before,after
  pcctl audit list --entity customer --limit 20 --format json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Since, "since", "", "only changes from this time on: a duration back from now (30m, 24h, 7d, 2w) or a date (2026-11-01)")
	cmd.Flags().StringVar(&opts.User, "user", "", "only changes made by this user")
	cmd.Flags().StringVar(&opts.Entity, "entity", "", "only changes of this kind of entity, or of one entity (KIND:ID): "+strings.Join(kinds(), ", "))
	cmd.Flags().IntVar(&opts.Limit, "limit", 0, "show at most this many records (0: no limit)")
	_ = cmd.RegisterFlagCompletionFunc("entity", cobra.FixedCompletions(kinds(), cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace))
	_ = cmd.RegisterFlagCompletionFunc("since", cobra.FixedCompletions([]string{"24h", "7d", "30d"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("user", cobra.NoFileCompletions)
	opts.Output = output.AddFlags(cmd, nil, output.FieldNames(Fields))
	output.AddWideFlag(cmd, opts.Output)
	return cmd
}

func kinds() []string {
	out := make([]string, len(workspace.AuditEntities))
	for i, e := range workspace.AuditEntities {
		out[i] = e.Kind
	}
	return out
}

// entityTable lists the kinds of entity and their IDs, for help.
func entityTable() string {
	var b strings.Builder
	for _, e := range workspace.AuditEntities {
		fmt.Fprintf(&b, "  %-13s %s\n", e.Kind, e.ID)
	}
	return b.String()
}

func listRun(ctx context.Context, opts *ListOptions) error {
	if opts.Limit < 0 {
		return cmdutil.Usagef("--limit must be 0 or more, not %d", opts.Limit)
	}
	q := workspace.AuditQuery{Limit: opts.Limit, User: strings.TrimSpace(opts.User)}
	if opts.Since != "" {
		since, err := ParseSince(opts.Since, opts.F.Now())
		if err != nil {
			return err
		}
		q.Since = since
	}
	if opts.Entity != "" {
		var err error
		if q.Entity, q.EntityID, err = parseEntity(opts.Entity); err != nil {
			return err
		}
	}
	ws, err := opts.F.Workspace(ctx)
	if err != nil {
		return err
	}
	if q.Entity == "customer" && q.EntityID != "" {
		if _, err := domain.ParseTenantID(q.EntityID); err != nil {
			// A domain: the records name the customer by its tenant ID.
			c, err := ws.Customer(ctx, q.EntityID)
			if err != nil {
				return err
			}
			q.EntityID = c.ID
		}
	}
	p, err := output.NewPrinter(opts.F.IOStreams, opts.Output, Fields, listDefaults)
	if err != nil {
		return err
	}
	p.LeaveOut("entity") // the action names it: customer.add
	err = ws.AuditLog(ctx, q, func(r workspace.AuditRecord) error { return p.Print(&r) })
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if p.Count() == 0 {
		if opts.Since == "" && q.User == "" && opts.Entity == "" {
			opts.F.IOStreams.Notice("No changes recorded yet.")
		} else {
			opts.F.IOStreams.Notice("No recorded change matches.")
		}
	}
	return nil
}

// ParseSince reads --since: a duration back from now (a whole number of minutes, hours,
// days or weeks: 30m, 24h, 7d, 2w), a date (midnight UTC) or an RFC 3339 time.
func ParseSince(s string, now time.Time) (time.Time, error) {
	v := strings.TrimSpace(s)
	if n := len(v); n >= 2 {
		unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[v[n-1]]
		if num, err := strconv.Atoi(v[:n-1]); unit != 0 && err == nil && num >= 0 && v[0] != '+' && num <= 100*366 {
			return now.Add(-time.Duration(num) * unit), nil
		}
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, cmdutil.Usagef("--since %q is neither a duration nor a date: give a duration back from now (30m, 24h, 7d, 2w), a date (2026-11-01) or a time (2026-11-01T09:00:00Z)", s)
}

// parseEntity reads --entity KIND[:ID].
func parseEntity(s string) (kind, id string, err error) {
	kind, id, hasID := strings.Cut(strings.TrimSpace(s), ":")
	kind, id = strings.ToLower(strings.TrimSpace(kind)), strings.TrimSpace(id)
	found := false
	for _, e := range workspace.AuditEntities {
		found = found || e.Kind == kind
	}
	switch {
	case !found:
		return "", "", cmdutil.Usagef("--entity %q: %q is not a kind of entity (allowed: %s), optionally followed by :ID", s, kind, strings.Join(kinds(), ", "))
	case hasID && id == "":
		return "", "", cmdutil.Usagef("--entity %q: the ID after %q is empty (give KIND, or KIND:ID)", s, kind+":")
	case hasID && (kind == "customers" || kind == "deals"):
		return "", "", cmdutil.Usagef("--entity %q: an import (%s) has no ID: give %s alone", s, kind, kind)
	}
	switch kind {
	case "customer":
		if t, err := domain.ParseTenantID(id); err == nil {
			id = t
		} else {
			id = strings.ToLower(id)
		}
	case "user", "reseller":
		if strings.Contains(id, "@") {
			id = strings.ToLower(id)
		}
	case "request":
		id = strings.ReplaceAll(id, " ", "")
	}
	return kind, id, nil
}
