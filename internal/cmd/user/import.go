package user

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/csvread"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/fileutil"
	"github.com/pcctl/pcctl/internal/migrate"
	"github.com/pcctl/pcctl/internal/output"
)

type importSummary struct {
	Read, Imported, Updated, Unchanged, NeedWorkAccount, Failed, NotWritten int
	DryRun, Written                                                         bool
}

var summaryFields = []output.Field[importSummary]{
	output.CountField("read", "Read", "rows read", func(s *importSummary) int { return s.Read }),
	output.CountField("imported", "Imported", "users created", func(s *importSummary) int { return s.Imported }),
	output.CountField("updated", "Updated", "users given a role they lacked", func(s *importSummary) int { return s.Updated }),
	output.CountField("unchanged", "Unchanged", "users who already held the role", func(s *importSummary) int { return s.Unchanged }),
	output.CountField("needWorkAccount", "Need a work account", "consumer addresses, or addresses outside the partner's domains: not imported", func(s *importSummary) int { return s.NeedWorkAccount }),
	output.CountField("failed", "Failed", "rows with errors", func(s *importSummary) int { return s.Failed }),
	output.CountField("notWritten", "Not written", "good rows left out because other rows failed (--on-error stop)", func(s *importSummary) int { return s.NotWritten }),
	output.BoolField("dryRun", "Dry run", "--dry-run: nothing was written", func(s *importSummary) bool { return s.DryRun }),
	output.BoolField("written", "Written", "the import was written to the workspace", func(s *importSummary) bool { return s.Written }),
}

// The outcomes of a user import row, as the report gives them.
const (
	outImported   = "imported"
	outUpdated    = "updated"
	outUnchanged  = "unchanged"
	outWork       = "needs-work-account"
	outFailed     = "failed"
	outNotWritten = "not-written"
)

type userReportRow struct {
	Line    int    `json:"line"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	PSCRole string `json:"pscRole"`
	Role    string `json:"role"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

func newCmdImport(f *cmdutil.Factory) *cobra.Command {
	var file, onError, report string
	var domains []string
	var dryRun bool
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "import FILE|- [--partner-domain DOMAIN...] [--dry-run] [--on-error stop|skip] [--report FILE.csv|FILE.json]",
		Short: "Migrate users from a Partner Sales Connect export",
		Long: `Import the users of a Partner Sales Connect (PSC) export ('-' reads standard input): a CSV
file with the columns Email, Name and Role. The PSC Admin becomes account-admin; Deal
Manager and Seller become referrals-admin (001). A user already in the workspace gains the
role; the roles it holds stay.

Only work addresses of the partner are imported: an address at a consumer mail service
(gmail.com, outlook.com…), or outside the partner's own domains, is reported as needing a
work account and left out. The partner's domains come from --partner-domain, else from the
config key partner_domains (pcctl config set partner_domains fabrikam.com,fabrikam.fr).

The import is one transaction: a row with an error (an address that is not one, an unknown
role) stops it with every error listed and nothing written, unless --on-error skip, which
imports the others and exits 6 when rows failed (pcctl help exit-codes).
--dry-run reports and writes nothing. --report writes one row per input row (CSV or JSON by
extension).`,
		Example: `  pcctl user import psc-users.csv --partner-domain fabrikam.com --dry-run
  pcctl user import psc-users.csv --report users-migration.csv`,
		Args: cmdutil.MaxArgs(1, "one file name (or - for standard input)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The file is an argument, as for customers import; --psc FILE, the older
			// spelling, says the same.
			if len(args) == 1 {
				if cmd.Flags().Changed("psc") {
					return cmdutil.Usagef("%s: give the file once, as an argument or with --psc (got %s and %s)", cmd.CommandPath(), args[0], file)
				}
				file = args[0]
			} else if !cmd.Flags().Changed("psc") {
				return cmdutil.Usagef("%s needs the file to import, as an argument (FILE, or - for standard input); see '%s --help'", cmd.CommandPath(), cmd.CommandPath())
			}
			if onError != "stop" && onError != "skip" {
				return cmdutil.Usagef("invalid value %q for --on-error: allowed values are stop, skip", onError)
			}
			if ext := strings.ToLower(filepath.Ext(report)); report != "" && ext != ".csv" && ext != ".json" {
				return cmdutil.Usagef("--report %s: the report is CSV or JSON, chosen by the extension: name it .csv or .json", report)
			}
			if len(domains) == 0 {
				domains = f.Config.PartnerDomains()
			}
			if len(domains) == 0 {
				return cmdutil.Usagef("pcctl needs your company's mail domains to tell work addresses: pass --partner-domain, or set them once with 'pcctl config set partner_domains fabrikam.com'")
			}
			return importRun(cmd.Context(), f, o, file, report, domains, dryRun, onError == "skip")
		},
	}
	cmd.Flags().StringVar(&file, "psc", "", "the file, as the argument FILE (the former spelling)")
	cmd.Flags().StringSliceVar(&domains, "partner-domain", nil, "a mail domain of your company (repeat; default: config partner_domains)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "report, but write nothing")
	cmd.Flags().StringVar(&onError, "on-error", "stop", "stop: any failing row and nothing is written; skip: import the good rows")
	cmd.Flags().StringVar(&report, "report", "", "write the outcome of every row to this file (.csv or .json)")
	o = output.AddFlags(cmd, nil, output.FieldNames(summaryFields))
	return cmd
}

func importRun(ctx context.Context, f *cmdutil.Factory, o *output.Options, file, reportPath string, domains []string, dryRun, skip bool) error {
	ios := f.IOStreams
	in, err := f.OpenInput(file)
	if err != nil {
		return err
	}
	defer in.Close()
	name := in.Name
	var report *fileutil.AtomicFile
	if reportPath != "" {
		var err error
		if report, err = f.CreateOutput("--report", reportPath, file); err != nil {
			return err
		}
		defer report.Abort()
	}
	ws, err := f.Workspace(ctx)
	if err != nil {
		return err
	}
	rows, err := migrate.Users(in, name, domains)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("%s has a header row but no users: nothing to import", name)
	}
	sum := importSummary{Read: len(rows), DryRun: dryRun}
	out := make([]userReportRow, len(rows))
	var users []domain.User
	var good []int // the rows of users, in order
	for i, r := range rows {
		out[i] = userReportRow{Line: r.Line, Email: r.User.Email, Name: r.User.Name, PSCRole: r.PSCRole}
		if len(r.User.Roles) == 1 {
			out[i].Role = string(r.User.Roles[0])
		}
		switch {
		case len(r.Errors) > 0:
			sum.Failed++
			out[i].Outcome = outFailed
			var reasons []string
			for _, e := range r.Errors {
				fmt.Fprintln(ios.ErrOut, (&csvread.Error{File: name, Line: e.Line, Column: e.Column, Field: e.Field, Reason: e.Reason}).Error())
				reasons = append(reasons, e.Field+": "+e.Reason)
			}
			out[i].Reason = strings.Join(reasons, "\n")
		case r.NeedsWorkAccount != "":
			sum.NeedWorkAccount++
			out[i].Outcome, out[i].Reason = outWork, r.NeedsWorkAccount
			ios.Notice("%s:%d: not imported: %s", name, r.Line, r.NeedsWorkAccount)
		default:
			users = append(users, r.User)
			good = append(good, i)
		}
	}
	stop := sum.Failed > 0 && !skip
	if len(users) > 0 {
		res, err := ws.ImportUsers(ctx, users, dryRun || stop)
		if err != nil {
			return err
		}
		for k, u := range res {
			i := good[k]
			switch {
			case stop:
				sum.NotWritten++
				out[i].Outcome = outNotWritten
			case u.Created:
				sum.Imported++
				out[i].Outcome = outImported
			case u.Changed:
				sum.Updated++
				out[i].Outcome = outUpdated
			default:
				sum.Unchanged++
				out[i].Outcome = outUnchanged
			}
		}
		sum.Written = !dryRun && !stop
	}
	if report != nil {
		if err := writeReport(report, reportPath, out); err != nil {
			return err
		}
		if err := report.Commit(); err != nil {
			return err
		}
	}
	if err := output.PrintOne(ios, o, summaryFields, nil, &sum); err != nil {
		return err
	}
	switch {
	case stop && !dryRun:
		return fmt.Errorf("nothing was imported: %d of %d rows failed. Fix them, or pass --on-error skip to import the others", sum.Failed, sum.Read)
	case dryRun && stop:
		return fmt.Errorf("dry run: nothing was written; %d of %d rows would fail, and with them the whole import unless --on-error skip", sum.Failed, sum.Read)
	case dryRun && sum.Failed > 0:
		ios.Notice("Dry run: nothing was written; %d rows would fail and be left out.", sum.Failed)
	case dryRun:
		ios.Notice("Dry run: nothing was written.")
	case sum.Failed > 0:
		return cmdutil.Partialf("%d of %d rows of %s failed and were left out; the others were imported (exit code 6).", sum.Failed, sum.Read, name)
	}
	return nil
}

func writeReport(w io.Writer, path string, rows []userReportRow) error {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"Line", "Email", "Name", "PSC role", "Role", "Outcome", "Reason"})
	for _, r := range rows {
		cw.Write([]string{strconv.Itoa(r.Line), r.Email, r.Name, r.PSCRole, r.Role, r.Outcome, r.Reason})
	}
	cw.Flush()
	return cw.Error()
}
