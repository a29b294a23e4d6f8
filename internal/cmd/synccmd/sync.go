// Package synccmd is `pcctl sync`: the workspace brought up to date from Partner Center.
package synccmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/pcsync"
	"github.com/pcctl/pcctl/internal/progress"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Kinds are the kinds `pcctl sync` brings, in order.
var Kinds = workspace.SyncKinds

// row is one kind of the summary.
type row struct {
	Kind string
	workspace.SyncCounts
	Resumed bool
}

var fields = []output.Field[row]{
	output.StrField("kind", "KIND", "customers, resellers, subscriptions, deals, requests", func(r *row) string { return r.Kind }),
	output.CountField("fetched", "FETCHED", "records read from Partner Center", func(r *row) int { return r.Fetched }),
	output.CountField("created", "CREATED", "new in the workspace", func(r *row) int { return r.Created }),
	output.CountField("updated", "UPDATED", "changed by Partner Center", func(r *row) int { return r.Updated }),
	output.CountField("unchanged", "UNCHANGED", "the same as in the workspace", func(r *row) int { return r.Unchanged }),
	output.CountField("ended", "ENDED", "no longer in Partner Center: marked ended (never deleted)", func(r *row) int { return r.Ended }),
	output.CountField("skipped", "SKIPPED", "records pcctl cannot hold (a warning says why)", func(r *row) int { return r.Skipped }),
	output.BoolField("resumed", "RESUMED", "went on from an interrupted sync", func(r *row) bool { return r.Resumed }),
}

var defaultFields = []string{"kind", "fetched", "created", "updated", "unchanged", "ended", "skipped"}

// Options are the flags of `pcctl sync`.
type Options struct {
	Kinds       []workspace.SyncKind
	DryRun      bool
	Full        bool
	Concurrency int
}

// NewCmdSync is `pcctl sync`.
func NewCmdSync(f *cmdutil.Factory) *cobra.Command {
	var opts Options
	var o *output.Options
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	cmd := &cobra.Command{
		Use:   "sync [" + strings.Join(names, "] [") + "] [--dry-run] [--full] [--concurrency N]",
		Short: "Bring the workspace up to date from Partner Center",
		Long: `Read Partner Center (signed in with 'pcctl auth login') and bring the workspace up to
date: customers (GET /v1/customers, seek paging), indirect resellers (the partner
relationships), each customer's subscriptions (the reseller credited from the
subscription's partner ID), deals (the Referrals API's referrals) and service requests.
All of them when none is named.

Partner Center wins for the fields it owns (a customer's name, domain, country and
relationship; a reseller's name; a subscription's offer, quantity, status, reseller and
dates; a deal's status, value, contact, solutions and team; a request's status, severity
and text, and the notes it has); what it does not have is kept: flags, pins, recent opens,
favorites, local notes, the reseller managing a customer, support contacts, the audit log.
A deal or request pcctl cannot hold (a rule of the workspace it breaks, a customer it does
not have) is skipped, with a warning saying why. A customer that Partner Center no
longer has after a complete pass is marked ended, never deleted; a reseller is removed; a
subscription no longer listed is deleted. The summary says, per kind, how many records were
fetched, created, updated, unchanged and ended; each kind's pass is one audit record.

The first sync links the workspace to the partner tenant signed in ('pcctl workspace
info' shows it); a sync signed in to another tenant is refused (exit code 4), so two
partners' data never mix.

Each page is written in one transaction with the point where the sync goes on: an
interrupted sync (Ctrl-C, a kill, the network) leaves what it wrote consistent, and the
next 'pcctl sync' continues from there; --full starts over. --dry-run reads and counts,
writing nothing. Partner Center's throttling (429 with Retry-After) is waited out, and its
errors (5xx, timeouts) are tried again; --concurrency bounds the requests in flight.

A workspace shared through 'pcctl serve' is kept fresh by its server ('pcctl serve
--sync-every 1h'); pcctl sync works on a local workspace file.`,
		Example: `  pcctl sync
  pcctl sync customers --dry-run
  pcctl sync subscriptions --concurrency 8
  pcctl sync --full --format json`,
		ValidArgs: names,
		GroupID:   "admin",
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, a := range args {
				k := workspace.SyncKind(strings.ToLower(a))
				if !slices.Contains(Kinds, k) {
					return cmdutil.Usagef("%q is not a kind pcctl sync brings: use %s (all when none is named)", a, strings.Join(names, ", "))
				}
				if !slices.Contains(opts.Kinds, k) {
					opts.Kinds = append(opts.Kinds, k)
				}
			}
			if opts.Concurrency < 1 || opts.Concurrency > 32 {
				return cmdutil.Usagef("--concurrency must be from 1 to 32, not %d", opts.Concurrency)
			}
			return run(cmd.Context(), f, o, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "read Partner Center and count, writing nothing")
	cmd.Flags().BoolVar(&opts.Full, "full", false, "start over, forgetting where an interrupted sync stopped")
	cmd.Flags().IntVar(&opts.Concurrency, "concurrency", 4, "requests to Partner Center in flight at once (1 to 32)")
	_ = cmd.RegisterFlagCompletionFunc("concurrency", cobra.NoFileCompletions)
	o = output.AddFlags(cmd, nil, output.FieldNames(fields))
	return cmd
}

func run(ctx context.Context, f *cmdutil.Factory, o *output.Options, opts Options) error {
	if f.Remote() {
		return cmdutil.Usagef("pcctl sync writes into a local workspace file, and pcctl is set to use the server at %s: a shared workspace is kept fresh by its server, started with 'pcctl serve --sync-every 1h'", f.Config.Endpoint())
	}
	ios := f.IOStreams
	if len(opts.Kinds) == 0 {
		opts.Kinds = Kinds
	}
	p, err := output.NewPrinter(ios, o, fields, defaultFields)
	if err != nil {
		return err
	}
	pc, _, err := f.PartnerCenter(ctx, func(po *partnercenter.Options) {
		po.Concurrency = opts.Concurrency
		po.OnRetry = func(e partnercenter.RetryEvent) {
			why := "no answer"
			if e.Status != 0 {
				why = fmt.Sprintf("%d", e.Status)
			}
			ios.Notice("Partner Center: %s %s answered %s; trying again in %s (MS-RequestId %s).", e.Method, e.Path, why, e.Wait.Round(time.Millisecond), e.RequestID)
		}
	})
	if err != nil {
		return err
	}
	ws, err := f.Workspace(ctx)
	if err != nil {
		return err
	}
	before, err := ws.SyncState(ctx)
	if err != nil {
		return err
	}
	bars := map[workspace.SyncKind]*progress.Bar{}
	res, err := pcsync.Run(ctx, ws, pc, pcsync.Options{Kinds: opts.Kinds, DryRun: opts.DryRun, Full: opts.Full, Concurrency: opts.Concurrency,
		Progress: func(k workspace.SyncKind, done, total int) {
			b, ok := bars[k]
			if !ok {
				b = progress.New(ios, int64(total), "Syncing "+string(k))
				bars[k] = b
			}
			b.Add(int64(done) - added[k])
			added[k] = int64(done)
		}})
	for _, b := range bars {
		b.Finish()
	}
	clear(added)
	if before.Tenant == "" && res.Tenant != "" && err == nil && !opts.DryRun {
		ios.Notice("Linked this workspace to the partner tenant %s (%s).", res.Tenant, res.TenantName)
	}
	for _, kr := range res.Kinds {
		if kr.Resumed {
			ios.Notice("The %s went on from where an interrupted sync stopped (--full starts over).", kr.Kind)
		}
		for _, pr := range kr.Counts.Problems {
			ios.Notice("Warning: skipped %s", pr)
		}
		if kr.Kind != workspace.SyncSubscriptions && len(kr.Counts.EndedIDs) > 0 {
			ids := kr.Counts.EndedIDs
			more := ""
			if len(ids) > 10 {
				more = fmt.Sprintf(" and %d more (pcctl audit list --entity %s)", len(ids)-10, kr.Kind)
				ids = ids[:10]
			}
			verb := "Marked ended"
			if opts.DryRun {
				verb = "Would mark ended"
			}
			ios.Notice("%s, no longer in Partner Center: %s %s%s.", verb, kr.Kind, strings.Join(ids, ", "), more)
		}
		r := row{Kind: string(kr.Kind), SyncCounts: kr.Counts, Resumed: kr.Resumed}
		if perr := p.Print(&r); perr != nil {
			return perr
		}
	}
	if cerr := p.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return &cmdutil.Interrupted{Msg: "what was synced is kept; the next 'pcctl sync' goes on from there."}
		}
		return err
	}
	if opts.DryRun {
		ios.Notice("Dry run: nothing was written.")
	}
	return nil
}

// added is how far each progress bar was moved.
var added = map[workspace.SyncKind]int64{}
