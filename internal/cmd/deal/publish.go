package deal

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/fileutil"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/pcpublish"
	"github.com/pcctl/pcctl/internal/progress"
)

var publishFields = []output.Field[pcpublish.Summary]{
	output.CountField("published", "PUBLISHED", "deals Partner Center created a referral for (or had, found again)", func(s *pcpublish.Summary) int { return s.Published }),
	output.CountField("alreadyPublished", "ALREADY PUBLISHED", "deals published before", func(s *pcpublish.Summary) int { return s.AlreadyPublished }),
	output.CountField("refused", "REFUSED", "deals Partner Center refused (the report says why)", func(s *pcpublish.Summary) int { return s.Refused }),
	output.CountField("failed", "FAILED", "deals without an answer: the next run asks for them first", func(s *pcpublish.Summary) int { return s.Failed }),
	output.CountField("wouldPublish", "WOULD PUBLISH", "deals a dry run would send", func(s *pcpublish.Summary) int { return s.WouldPublish }),
}

var publishDefault = []string{"published", "alreadyPublished", "refused", "failed"}

type publishOptions struct {
	ids         []string
	unpublished bool
	dryRun      bool
	report      string
	concurrency int
	out         *output.Options
}

func newCmdPublish(f *cmdutil.Factory) *cobra.Command {
	o := &publishOptions{}
	cmd := &cobra.Command{
		Use:   "publish [ID... | --unpublished] [--dry-run] [--report FILE.csv|FILE.json] [--concurrency N]",
		Short: "Send deals that exist only in the workspace to Partner Center",
		Long: `Send deals that exist only in the workspace (a PSC import, deals made before the
workspace was linked) to Partner Center's Referrals API (POST /v1.0/engagements/referrals),
each as one referral: the deals named, or every one not yet published (--unpublished).
The workspace must be linked to a partner tenant (pcctl sync) and you signed in to it
(pcctl auth login).

Each referral carries the deal's ID as its externalReferenceId and, for a deal migrated
from PSC, as trackingInfo.migratedPSCDealId. A won or lost deal is sent as a Closed
referral with that substatus; a deal Partner Center refuses is reported with its message
and request ID, and the others go on.

Publishing is idempotent: each deal records Partner Center's referral ID and ETag as soon
as it is created, and a second run publishes only the rest. Before a deal is sent, the
intent is written to the workspace; a run killed at any point is run again, and a deal
whose answer was lost is looked up in Partner Center by its externalReferenceId
($filter=externalReferenceId eq '<ID>') before anything is sent again: no referral is
created twice.

--report writes one row per deal, with the columns of Partner Center's migration report
(Partner Center engagement ID, Partner Center referral ID, deal name, PSC deal ID,
errors) and the outcome (published, already published, refused, failed, would publish,
not run). The summary counts them. The exit code is 1 when a deal was refused or failed.
Partner Center's throttling (429) is waited out; --concurrency bounds the referrals in
flight.`,
		Example: `  pcctl deal publish --unpublished --dry-run
  pcctl deal publish --unpublished --report report.csv
  pcctl deal publish 7-1A2B3C4D5E --format json
  pcctl deal publish --unpublished --concurrency 8 --report report.json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ids = args
			switch {
			case len(args) == 0 && !o.unpublished:
				return cmdutil.Usagef("name the deals to publish, or pass --unpublished for every deal not yet published")
			case len(args) > 0 && o.unpublished:
				return cmdutil.Usagef("name deals or pass --unpublished, not both")
			case o.concurrency < 1 || o.concurrency > 32:
				return cmdutil.Usagef("--concurrency must be from 1 to 32, not %d", o.concurrency)
			}
			if ext := strings.ToLower(filepath.Ext(o.report)); o.report != "" && ext != ".csv" && ext != ".json" {
				return cmdutil.Usagef("--report %s: the report is CSV or JSON, chosen by the extension: name it .csv or .json", o.report)
			}
			return runPublish(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.unpublished, "unpublished", false, "every deal not yet published")
	fl.BoolVar(&o.dryRun, "dry-run", false, "say what would be sent, sending and writing nothing")
	fl.StringVar(&o.report, "report", "", "write the outcome of every deal to this file (.csv or .json)")
	fl.IntVar(&o.concurrency, "concurrency", 4, "referrals in flight at once (1 to 32)")
	_ = cmd.RegisterFlagCompletionFunc("concurrency", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("report", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"csv", "json"}, cobra.ShellCompDirectiveFilterFileExt
	})
	o.out = output.AddFlags(cmd, nil, output.FieldNames(publishFields))
	return cmd
}

func runPublish(ctx context.Context, f *cmdutil.Factory, o *publishOptions) error {
	ios := f.IOStreams
	if f.Remote() {
		return cmdutil.Usagef("pcctl deal publish works on a local workspace file linked to Partner Center, and pcctl is set to use the server at %s", f.Config.Endpoint())
	}
	var report *fileutil.AtomicFile
	var err error
	if o.report != "" {
		if report, err = f.CreateOutput("--report", o.report); err != nil {
			return err
		}
		defer report.Abort()
	}
	pc, _, err := f.PartnerCenter(ctx, func(po *partnercenter.Options) {
		po.Concurrency = o.concurrency
		po.OnRetry = func(e partnercenter.RetryEvent) {
			if e.Status != 429 {
				ios.Notice("Partner Center: %s %s answered %d; trying again in %s (MS-RequestId %s).", e.Method, e.Path, e.Status, e.Wait.Round(time.Millisecond), e.RequestID)
			}
		}
	})
	if err != nil {
		return err
	}
	ws, err := f.Workspace(ctx)
	if err != nil {
		return err
	}
	var bar *progress.Bar
	res, err := pcpublish.Run(ctx, ws, pc, pcpublish.Options{IDs: o.ids, Unpublished: o.unpublished, DryRun: o.dryRun, Concurrency: o.concurrency,
		Progress: func(done, total int) {
			if bar == nil {
				bar = progress.New(ios, int64(total), "Publishing deals")
			}
			bar.Add(1)
		}})
	if bar != nil {
		bar.Finish()
	}
	if res.Rows != nil && report != nil {
		if werr := writePublishReport(report, o.report, res.Rows); werr != nil {
			return werr
		}
		if cerr := report.Commit(); cerr != nil {
			return cerr
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return &cmdutil.Interrupted{Msg: "what was published is recorded; run the same command again to publish the rest (nothing is sent twice)."}
		}
		return err
	}
	for _, r := range res.Rows {
		if r.Outcome == pcpublish.Refused || r.Outcome == pcpublish.Failed {
			ios.Notice("%s %s: %s", r.DealID, r.Outcome, r.Errors)
		}
	}
	if perr := output.PrintOne(ios, o.out, publishFields, publishDefault, &res.Summary); perr != nil {
		return perr
	}
	switch s := res.Summary; {
	case o.dryRun:
		ios.Notice("Dry run: nothing was sent or written.")
	case s.Refused > 0 || s.Failed > 0:
		return &publishIncomplete{fmt.Sprintf("%d deals were refused and %d failed; the others are published. Fix the refused ones and run it again: only the rest is sent.", s.Refused, s.Failed)}
	}
	return nil
}

// publishIncomplete ends a publish with deals refused or failed: exit 1, each listed.
type publishIncomplete struct{ msg string }

func (e *publishIncomplete) Error() string { return e.msg }

var publishHeader = []string{"Partner Center engagement ID", "Partner Center referral ID", "Deal name", "PSC deal ID", "Errors", "Outcome", "Deal ID"}

func writePublishReport(w io.Writer, name string, rows []pcpublish.Row) error {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(publishHeader)
	for _, r := range rows {
		_ = cw.Write([]string{r.EngagementID, r.ReferralID, r.DealName, r.PSCDealID, r.Errors, string(r.Outcome), r.DealID})
	}
	cw.Flush()
	return cw.Error()
}
