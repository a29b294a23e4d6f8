package deal

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/csvread"
	"github.com/pcctl/pcctl/internal/fileutil"
	"github.com/pcctl/pcctl/internal/migrate"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/progress"
	"github.com/pcctl/pcctl/internal/psc"
	"github.com/pcctl/pcctl/internal/workspace"
)

// importSummary is what `deal import` prints: the counts of the outcomes and of the
// values the mapping dropped.
type importSummary struct {
	Read, Imported, Updated, Unchanged, Skipped, Failed, NotWritten, OrgsCreated int
	Dropped                                                                      migrate.Dropped
	DryRun, Written                                                              bool
}

var summaryFields = []output.Field[importSummary]{
	output.CountField("read", "Read", "rows read", func(s *importSummary) int { return s.Read }),
	output.CountField("imported", "Imported", "new deals", func(s *importSummary) int { return s.Imported }),
	output.CountField("updated", "Updated", "open deals changed by their row", func(s *importSummary) int { return s.Updated }),
	output.CountField("unchanged", "Unchanged", "deals already as their row says", func(s *importSummary) int { return s.Unchanged }),
	output.CountField("skipped", "Skipped", "closed as duplicate: not available in Partner Center", func(s *importSummary) int { return s.Skipped }),
	output.CountField("failed", "Failed", "rows with errors", func(s *importSummary) int { return s.Failed }),
	output.CountField("notWritten", "Not written", "good rows left out because other rows failed (--on-error stop)", func(s *importSummary) int { return s.NotWritten }),
	output.CountField("orgsCreated", "Organisations created", "prospect organisations created (--create-missing-orgs)", func(s *importSummary) int { return s.OrgsCreated }),
	output.CountField("droppedDealRole", "Dropped: Deal Role", "Deal Role values dropped (derived from the solutions)", func(s *importSummary) int { return s.Dropped.DealRole }),
	output.CountField("droppedLicensingProgram", "Dropped: Licensing Program", "Licensing Program values dropped (inferred from the solutions)", func(s *importSummary) int { return s.Dropped.LicensingProgram }),
	output.CountField("droppedCloseDate", "Dropped: Estimated Close Date", "close dates dropped (kept only for IoT OEM deals)", func(s *importSummary) int { return s.Dropped.CloseDate }),
	output.BoolField("dryRun", "Dry run", "--dry-run: nothing was written", func(s *importSummary) bool { return s.DryRun }),
	output.BoolField("written", "Written", "the import was written to the workspace", func(s *importSummary) bool { return s.Written }),
}

// dryRunHeaders are the headers of the summary of a dry run, which imports nothing: it says
// what an import would do.
var dryRunHeaders = map[string]string{
	"imported": "Would import", "updated": "Would update", "skipped": "Would skip", "failed": "Would fail",
	"notWritten": "Would not be written", "orgsCreated": "Organisations to create",
}

// summaryFieldsFor returns the summary's fields, with the headers of a dry run if it is one.
func summaryFieldsFor(dryRun bool) []output.Field[importSummary] {
	if !dryRun {
		return summaryFields
	}
	fields := slices.Clone(summaryFields)
	for i, f := range fields {
		if h, ok := dryRunHeaders[f.Name]; ok {
			fields[i].Header = h
		}
	}
	return fields
}

// reportOutcome is a row's outcome as the report says it: in a dry run, what would happen
// ("would-import", "would-update").
func reportOutcome(o workspace.DealOutcome, dryRun bool) workspace.DealOutcome {
	switch {
	case dryRun && o == workspace.DealImported:
		return "would-import"
	case dryRun && o == workspace.DealUpdated:
		return "would-update"
	}
	return o
}

type importOptions struct {
	file, mapFile, dateFormat, encoding, onError, report string
	dryRun, createOrgs                                   bool
	out                                                  *output.Options
}

func newCmdImport(f *cmdutil.Factory) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import FILE|- [--dry-run] [--on-error stop|skip] [--report FILE.csv|FILE.json] [--map MAPPING.yaml] [--date-format auto|YYYY-MM-DD|MM/DD/YYYY|DD/MM/YYYY] [--encoding auto|utf-8|windows-1252] [--create-missing-orgs]",
		Short: "Migrate deals from a Partner Sales Connect export",
		Long: `Import the opportunities of a Partner Sales Connect (PSC) export as deals ('-' reads
standard input).

The file is CSV as a spreadsheet saves it: UTF-8 with or without a BOM, Windows-1252, or
UTF-16 with a BOM (Excel's "Unicode text"), detected as customers import detects it
(--encoding to say); comma, semicolon or tab; amounts such as 12,345.67, 12 345,67 or
12.345,67 €; dates in ISO (2026-03-31) or in a locale order. When the order of the file's
dates cannot be told (no day above 12) and --date-format is not given, the import is
refused and the rows that would read differently are listed; --date-format takes any
separator (DD.MM.YYYY is DD/MM/YYYY).

Columns are matched by header name, ignoring case and spaces: Opportunity ID, Deal Name,
Customer Name, Customer Country, Deal Value, Currency, Status, Deal Role, Licensing Program,
Products, Estimated Close Date, Customer Outcome, Customer Contact Name, Customer Contact
Email, Customer Contact Phone, Seller Email, Created Date, Last Modified Date, Deal Type;
and two PSC does not export, which you may add to pin a row to its customer whatever its
name: Customer Domain (its primary domain) and Customer ID (its tenant ID).
Opportunity ID, Deal Name, Customer Name, Status, Deal Value, Currency and Products are
required (Currency may be left out when every Deal Value names its currency). --map reads
other header names from a YAML file, and other values, per column (matched ignoring case,
accents and spaces):
  columns:
    "ID de l'opportunité": Opportunity ID
    "Nom du client": Customer Name
    Statut: Status
  values:
    Statut: {Gagné: Won, Perdu: Lost, Ouvert: Open}
    Deal Type: {Standard: Private}

The mapping (001): the opportunity ID becomes the deal ID; Open/Active deals become active
outbound deals, Won and Lost closed deals (which can no longer be changed); Closed as
Duplicate is not available in Partner Center and is never imported (skipped). Products
(separated by ; or |, at most 50) become solutions, Microsoft SKUs unless marked own: or
partner:. The Customer Name must resolve to one customer or prospect organisation, ignoring
case, accents, punctuation and legal suffixes (Inc, Ltd, SA, GmbH…); the exact name
with its legal suffix, or the Customer Country (an ISO code or the country's name, in
English, French, German, Spanish, Italian, Portuguese, Dutch or Japanese), settles a name
several share. German written without umlauts (Wuerzburg, BAECKEREI) finds the names
written with them. A name that matches nothing fails its row, naming the closest
customers when there are any, unless --create-missing-orgs creates a prospect
organisation. The Seller Email joins the deal's team; the Customer Outcome is appended to its notes; Deal Role and Licensing Program are
dropped (pcctl derives them), and so is the Estimated Close Date except for IoT OEM deals.

The import is one transaction. By default it is all or nothing: if any row fails, every
problem is listed, once (a value wrong on many rows with their count and first lines, and
the --map values: entry that would read it), and nothing is written (exit 1). --on-error skip imports the good rows and
lists the others. --dry-run does all the work and writes nothing. Importing the same file
again changes nothing (unchanged); a changed row updates an open deal and fails for a closed
one. Killing the import leaves the workspace as it was.

--report writes one row per input row: the line, the outcome (imported, updated, unchanged,
skipped, failed, or not-written when other rows failed; would-import and would-update in a
dry run), the Partner Center engagement ID and referral ID, the deal name, the PSC deal ID,
the errors, and how the Customer Name was resolved (exact name, name without legal suffix,
German transliteration, name and country, new prospect organisation); CSV or JSON by the
file's extension.`,
		Example: `  pcctl deal import psc-opportunities.csv --dry-run
  pcctl deal import psc-opportunities.csv --report migration.csv
  pcctl deal import export-fr.csv --map colonnes.yaml --date-format DD/MM/YYYY --on-error skip --report migration.json
  pcctl deal import psc.csv --create-missing-orgs --format json`,
		Args: cmdutil.MaxArgs(1, "one file name (or - for standard input)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The file is an argument, as for customers import; --psc FILE, the older
			// spelling, says the same.
			if len(args) == 1 {
				if cmd.Flags().Changed("psc") {
					return cmdutil.Usagef("%s: give the file once, as an argument or with --psc (got %s and %s)", cmd.CommandPath(), args[0], o.file)
				}
				o.file = args[0]
			} else if !cmd.Flags().Changed("psc") {
				return cmdutil.Usagef("%s needs the file to import, as an argument (FILE, or - for standard input); see '%s --help'", cmd.CommandPath(), cmd.CommandPath())
			}
			if o.onError != "stop" && o.onError != "skip" {
				return cmdutil.Usagef("invalid value %q for --on-error: allowed values are stop, skip", o.onError)
			}
			if ext := strings.ToLower(filepath.Ext(o.report)); o.report != "" && ext != ".csv" && ext != ".json" {
				return cmdutil.Usagef("--report %s: the report is CSV or JSON, chosen by the extension: name it .csv or .json", o.report)
			}
			return importRun(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.file, "psc", "", "the file, as the argument FILE (the former spelling)")
	fl.BoolVar(&o.dryRun, "dry-run", false, "do all the work and report, but write nothing")
	fl.StringVar(&o.onError, "on-error", "stop", "stop: any failing row and nothing is written; skip: import the good rows")
	fl.StringVar(&o.report, "report", "", "write the outcome of every row to this file (.csv or .json)")
	fl.StringVar(&o.mapFile, "map", "", "YAML file mapping the file's headers onto the PSC column names")
	fl.StringVar(&o.dateFormat, "date-format", "auto", "order of the dates: auto, YYYY-MM-DD, MM/DD/YYYY or DD/MM/YYYY")
	fl.StringVar(&o.encoding, "encoding", "auto", "the file's encoding: auto, utf-8 or windows-1252")
	fl.BoolVar(&o.createOrgs, "create-missing-orgs", false, "create a prospect organisation for a customer name that matches none")
	o.out = output.AddFlags(cmd, nil, output.FieldNames(summaryFields))
	return cmd
}

func importRun(ctx context.Context, f *cmdutil.Factory, o *importOptions) error {
	ios := f.IOStreams
	popts := psc.Options{Name: o.file, Require: migrate.RequiredColumns}
	var err error
	if popts.Dates, err = psc.ParseDateFormat(o.dateFormat); err != nil {
		return cmdutil.Usagef("--date-format: %v", err)
	}
	if popts.Encoding, err = psc.ParseEncoding(o.encoding); err != nil {
		return cmdutil.Usagef("--encoding: %v", err)
	}
	if o.mapFile != "" {
		fh, err := os.Open(o.mapFile)
		if err != nil {
			return fmt.Errorf("cannot read the mapping %s: %w", o.mapFile, fileutil.PlainErr(err))
		}
		popts.Map, err = migrate.LoadMapping(fh, o.mapFile)
		fh.Close()
		if err != nil {
			return err
		}
	}
	in, err := f.OpenInput(o.file)
	if err != nil {
		return err
	}
	defer in.Close()
	popts.Name = in.Name
	if in.Regular != nil {
		// Read twice (checked, then imported) rather than kept in memory.
		path := o.file
		popts.Reopen = func() (io.ReadCloser, error) { return os.Open(path) }
	}
	// Refuse a report that cannot be written before doing anything.
	var report *fileutil.AtomicFile
	if o.report != "" {
		if report, err = f.CreateOutput("--report", o.report, o.file, o.mapFile); err != nil {
			return err
		}
		defer report.Abort()
	}
	ws, err := f.Workspace(ctx)
	if err != nil {
		return err
	}

	if os.Getenv("GOGC") == "" {
		// The import holds the file's text and a result per row, and allocates a row's
		// worth per row: collecting at 1.5 times the live heap rather than 2 keeps the
		// peak memory of a 100,000-row file under 150 MB (docs/performance.md), for a few
		// percent of CPU.
		debug.SetGCPercent(50)
	}
	counted := progress.NewReader(in)
	readBar := progress.NewBytes(ios, progress.Size(in.Reader), "Reading "+popts.Name)
	counted.Attach(readBar)
	popts.SizeHint = progress.Size(in.Reader)
	file, err := psc.Open(counted, popts)
	readBar.Finish()
	if err != nil {
		return err
	}
	if len(file.Unknown) > 0 {
		ios.Notice("%s: ignoring unknown column(s): %s", file.Name, cmdutil.ListSome(file.Unknown, 10))
	}
	if file.Len() == 0 {
		return fmt.Errorf("%s has a header row but no opportunities: nothing to import", file.Name)
	}
	rows := migrate.NewDealRows(file)
	name, total := file.Name, file.Len()

	bar := progress.New(ios, int64(total), "Importing deals")
	done := 0
	// Rows are read and mapped ahead, a chunk's worth and more, while the workspace
	// writes the previous ones.
	ahead := migrate.NewPrefetch(rows, 8192)
	defer ahead.Stop()
	res, err := ws.ImportDeals(ctx, ahead, workspace.DealImportOptions{
		DryRun: o.dryRun, SkipFailed: o.onError == "skip", CreateMissingOrgs: o.createOrgs, ExpectedRows: total,
		Progress: func(n int) { bar.Add(int64(n - done)); done = n },
	})
	bar.Finish()
	if err != nil {
		return err
	}
	sum := importSummary{Read: len(res.Rows), Dropped: rows.Dropped, DryRun: o.dryRun, Written: res.Written,
		Imported: res.Count(workspace.DealImported), Updated: res.Count(workspace.DealUpdated),
		Unchanged: res.Count(workspace.DealUnchanged), Skipped: res.Count(workspace.DealSkipped),
		Failed: res.Count(workspace.DealFailed), NotWritten: res.Count(workspace.DealNotWritten), OrgsCreated: res.OrgsCreated}

	// Each problem once, however many rows share it; --report has every row.
	shared := false
	for _, g := range migrate.GroupErrors(res.Rows) {
		msg := formatGroup(file, g, rows)
		if g.Skipped {
			ios.Notice("%s", msg)
		} else {
			fmt.Fprintf(ios.ErrOut, "%s\n", msg)
		}
		shared = shared || g.Count > 1
	}
	if shared && report == nil {
		ios.Notice("--report FILE.csv lists every row with its errors.")
	}
	if report != nil {
		if err := writeImportReport(report, o.report, file, res.Rows, o.dryRun); err != nil {
			return err
		}
		if err := report.Commit(); err != nil {
			return err
		}
	}
	if err := output.PrintOne(ios, o.out, summaryFieldsFor(o.dryRun), nil, &sum); err != nil {
		return err
	}
	switch {
	case sum.Failed > 0 && !res.Written && !o.dryRun && sum.NotWritten == 0:
		return &importFailed{fmt.Sprintf("nothing was imported: all %d rows failed. Fix them and import the file again.", sum.Read)}
	case sum.Failed > 0 && !res.Written && !o.dryRun:
		return &importFailed{fmt.Sprintf("nothing was imported: %d of %d rows failed. Fix them, or pass --on-error skip to import the %d good rows.",
			sum.Failed, sum.Read, sum.NotWritten)}
	case o.dryRun && sum.Failed > 0 && o.onError == "stop":
		return &importFailed{fmt.Sprintf("dry run: nothing was written; %d of %d rows would fail, and with them the whole import unless --on-error skip.", sum.Failed, sum.Read)}
	case o.dryRun && sum.Failed > 0:
		ios.Notice("Dry run: nothing was written; %d rows would fail and be left out.", sum.Failed)
	case o.dryRun:
		ios.Notice("Dry run: nothing was written.")
	case sum.Failed > 0:
		return cmdutil.Partialf("%d of %d rows of %s failed and were left out; the others were imported (exit code 6).", sum.Failed, sum.Read, name)
	}
	return nil
}

// importFailed ends an import with rows in error: exit 1, the rows already listed.
type importFailed struct{ msg string }

func (e *importFailed) Error() string { return e.msg }

// rowError is an error of a row, placed as a spreadsheet user counts: the line, and the
// column by its letter and its header in the file ("us.csv:3: column D, Customer Country:
// ...").
func rowError(file *psc.File, e workspace.RowError) *csvread.Error {
	ce := &csvread.Error{File: file.Name, Line: e.Line, Column: e.Column, Field: e.Field, Reason: e.Reason}
	if c, ok := psc.ParseColumn(e.Field); ok {
		if i := file.Field(c); i >= 0 {
			ce.Index, ce.Field = i+1, file.Header[c]
		}
	}
	return ce
}

// formatGroup writes a problem of one or more rows: the first row's error, positioned, for
// one row; for several, the problem with how many rows have it and the first lines. A bad
// value that --map could read as another comes with the values: entry to write.
func formatGroup(file *psc.File, g migrate.ErrorGroup, rows *migrate.DealRows) string {
	var b strings.Builder
	e := rowError(file, g.First)
	if g.Count == 1 {
		b.WriteString(e.Error())
	} else {
		e.Line = 0 // the lines follow
		b.WriteString(e.Error())
		lines := make([]string, len(g.Lines))
		for i, l := range g.Lines {
			lines[i] = strconv.Itoa(l)
		}
		fmt.Fprintf(&b, "; %d rows: lines %s", g.Count, strings.Join(lines, ", "))
		if more := g.Count - len(g.Lines); more > 0 {
			fmt.Fprintf(&b, " and %d more", more)
		}
	}
	if v, ok := rows.BadValue(g.First); ok {
		fmt.Fprintf(&b, "\n  to read it as an allowed value, add to the --map file: values: {%s: {%s: VALUE}}",
			v.Column, strconv.Quote(v.Value))
	}
	return b.String()
}

// reportErrorText is an error in the Errors cell of a CSV report, whose row gives the line:
// "column C, Customer Name: reason", with "(line 5)" after the header when the value starts
// on another line.
func reportErrorText(line int, e *csvread.Error) string {
	var b strings.Builder
	if e.Index > 0 {
		b.WriteString("column " + csvread.ColumnLetter(e.Index-1))
		if e.Field != "" {
			b.WriteString(", ")
		}
	}
	b.WriteString(e.Field)
	if e.Line != line && e.Line > 0 {
		b.WriteString(" (line " + strconv.Itoa(e.Line) + ")")
	}
	if b.Len() == 0 {
		return e.Reason
	}
	return strings.TrimSpace(b.String()) + ": " + e.Reason
}

// reportRow is one row of the --report file: Partner Center's migration report columns,
// with the line and the outcome.
type reportRow struct {
	Line         int                   `json:"line"`
	Outcome      workspace.DealOutcome `json:"outcome"`
	EngagementID string                `json:"partnerCenterEngagementId"`
	ReferralID   string                `json:"partnerCenterReferralId"`
	DealName     string                `json:"dealName"`
	PSCDealID    string                `json:"pscDealId"`
	Errors       []reportError         `json:"errors"`
	Resolution   workspace.Resolution  `json:"customerResolution"`
}

type reportError struct {
	Line        int    `json:"line"`
	Column      int    `json:"column,omitempty"`      // in characters from the start of the line
	SheetColumn string `json:"sheetColumn,omitempty"` // the spreadsheet column: A, B, ...
	Field       string `json:"field,omitempty"`
	Reason      string `json:"reason"`
}

var reportHeader = []string{"Line", "Outcome", "Partner Center engagement ID", "Partner Center referral ID", "Deal name", "PSC deal ID", "Errors", "Customer resolution"}

func writeImportReport(w io.Writer, name string, file *psc.File, rows []workspace.DealImportRowResult, dryRun bool) error {
	out := make([]reportRow, len(rows))
	placed := make([][]*csvread.Error, len(rows))
	for i, r := range rows {
		out[i] = reportRow{Line: r.Line, Outcome: reportOutcome(r.Outcome, dryRun), EngagementID: r.EngagementID, ReferralID: r.ReferralID,
			DealName: r.Name, PSCDealID: r.OpportunityID, Errors: []reportError{}, Resolution: r.Resolution}
		for _, e := range r.Errors {
			re := reportError{Line: e.Line, Column: e.Column, Field: e.Field, Reason: e.Reason}
			ce := rowError(file, e)
			if ce.Index > 0 {
				re.SheetColumn = csvread.ColumnLetter(ce.Index - 1)
			}
			out[i].Errors = append(out[i].Errors, re)
			placed[i] = append(placed[i], ce)
		}
	}
	if strings.EqualFold(filepath.Ext(name), ".json") {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	cw := csv.NewWriter(w)
	cw.Write(reportHeader)
	for i, r := range out {
		var errs []string
		for _, e := range placed[i] {
			errs = append(errs, reportErrorText(r.Line, e))
		}
		cw.Write([]string{strconv.Itoa(r.Line), string(r.Outcome), r.EngagementID, r.ReferralID, r.DealName, r.PSCDealID, strings.Join(errs, "\n"), string(r.Resolution)})
	}
	cw.Flush()
	return cw.Error()
}
