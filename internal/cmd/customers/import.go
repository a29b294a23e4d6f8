package customers

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/csvread"
	"github.com/pcctl/pcctl/internal/customercsv"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/fileutil"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/progress"
	"github.com/pcctl/pcctl/internal/psc"
	"github.com/pcctl/pcctl/internal/workspace"
)

// ImportOptions are the inputs of `customers import`.
type ImportOptions struct {
	F           *cmdutil.Factory
	Output      *output.Options
	File        string
	SkipInvalid bool
	OnError     string
	Report      string
	DateFormat  string
	dateOrder   psc.DateFormat
}

var resultFields = []output.Field[workspace.ImportResult]{
	output.IntField("read", "Read", "rows read", func(r *workspace.ImportResult) int64 { return int64(r.Read) }),
	output.IntField("created", "Created", "customers created", func(r *workspace.ImportResult) int64 { return int64(r.Created) }),
	output.IntField("updated", "Updated", "customers changed", func(r *workspace.ImportResult) int64 { return int64(r.Updated) }),
	output.IntField("unchanged", "Unchanged", "rows identical to the stored customer", func(r *workspace.ImportResult) int64 { return int64(r.Unchanged) }),
	output.IntField("skipped", "Skipped", "bad rows skipped (--on-error skip)", func(r *workspace.ImportResult) int64 { return int64(r.Skipped) }),
}

// NewCmdImport is `pcctl customers import`.
func NewCmdImport(f *cmdutil.Factory, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{F: f}
	cmd := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Import customers from a CSV file",
		Long: `Import customers from a CSV file with a header row ('-' reads standard input).

Columns are matched by name, ignoring case, spaces and underscores; Partner Center's own
customer export is understood as it is. Accepted headers:
  id             id, Microsoft ID, Customer ID, Tenant ID
  companyName    companyName, Company name, Name, Customer name, Company   (required)
  domain         domain, Primary domain name, Primary domain, Domain name  (required)
  country        country, Country code, Country/Region   (absent: unknown; a code or a name)
  resellerMpnId  resellerMpnId, Reseller MPN ID, Reseller, Indirect reseller
  relationship   relationship, Relationship to partner
  createdAt      createdAt, Created, Created date, Relationship start (see below)
Other columns are ignored, with a notice. The file is UTF-8 with or without a BOM,
Windows-1252 or UTF-16 with a BOM (Excel's "Unicode text"), detected as deal import
detects it; the delimiter (comma, semicolon or tab) is detected; quoted values may hold
line breaks.

Dates are RFC 3339 (2024-05-31T09:00:00Z) or YYYY-MM-DD, or as a spreadsheet saved them
in its locale: DD.MM.YYYY (German), DD/MM/YYYY (French) or MM/DD/YYYY (United States).
--date-format gives the order; without it (auto) a date read only one way sets the
file's order for the rows after it, and a date both orders read differently (01/02/2024)
before that is refused, asking for --date-format.

The import is one transaction: the first bad row stops it with its file, line, column and
reason, and nothing is written. With --on-error skip (formerly --skip-invalid, still
accepted) the good rows are imported and every skipped row is reported on stderr (and in
--report FILE as CSV); the command then exits 6 when rows were skipped (pcctl help
exit-codes), so that a script cannot take a partial import for a whole one. Customers are matched by
ID, or by domain when the file has no ID column, so importing the same file again changes
nothing.`,
		Example: `  pcctl customers import customers.csv
  pcctl customers import partner-center-export.csv --on-error skip --report skipped.csv
  pcctl customers import export-saved-by-excel-fr.csv --date-format DD/MM/YYYY
  some-export-job | pcctl customers import -`,
		Args: cmdutil.ExactArgs(1, "one file name (or - for standard input)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			switch opts.OnError {
			case "stop":
				if opts.SkipInvalid && cmd.Flags().Changed("on-error") {
					return cmdutil.Usagef("--skip-invalid and --on-error stop contradict each other: give one")
				}
			case "skip":
				opts.SkipInvalid = true
			default:
				return cmdutil.Usagef("invalid value %q for --on-error: allowed values are stop, skip", opts.OnError)
			}
			if opts.Report != "" && !opts.SkipInvalid {
				return cmdutil.Usagef("--report lists skipped rows: it needs --on-error skip")
			}
			order, err := psc.ParseDateFormat(opts.DateFormat)
			if err != nil {
				return cmdutil.Usagef("--date-format %v", err)
			}
			opts.dateOrder = order
			if runF != nil {
				return runF(opts)
			}
			return importRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.OnError, "on-error", "stop", "stop: a bad row and nothing is imported; skip: import the good rows and report the bad ones (exit 6)")
	_ = cmd.RegisterFlagCompletionFunc("on-error", cobra.FixedCompletions([]string{"stop", "skip"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.Flags().BoolVar(&opts.SkipInvalid, "skip-invalid", false, "the former spelling of --on-error skip")
	_ = cmd.Flags().MarkHidden("skip-invalid")
	cmd.Flags().StringVar(&opts.Report, "report", "", "write the skipped rows (line, column, field, reason) to this CSV file")
	cmd.Flags().StringVar(&opts.DateFormat, "date-format", "auto", "order of dates not written YYYY-MM-DD: auto, DD/MM/YYYY or MM/DD/YYYY (any of / . - as separator)")
	_ = cmd.RegisterFlagCompletionFunc("date-format", cobra.FixedCompletions([]string{"auto", "YYYY-MM-DD", "MM/DD/YYYY", "DD/MM/YYYY"}, cobra.ShellCompDirectiveNoFileComp))
	opts.Output = output.AddFlags(cmd, nil, output.FieldNames(resultFields))
	return cmd
}

func importRun(ctx context.Context, opts *ImportOptions) error {
	ios := opts.F.IOStreams
	in, err := opts.F.OpenInput(opts.File)
	if err != nil {
		return err
	}
	defer in.Close()
	name := in.Name
	// Refuse a report that cannot be written before importing anything.
	var report *fileutil.AtomicFile
	if opts.Report != "" {
		var err error
		if report, err = opts.F.CreateOutput("--report", opts.Report, opts.File); err != nil {
			return err
		}
		defer report.Abort()
	}
	counted := progress.NewReader(in) // progress by bytes read, once the bar exists
	r, err := customercsv.NewReader(counted, name)
	if err != nil {
		return err
	}
	if u := r.Unknown(); len(u) > 0 {
		// purchasesAllowed is a column of pcctl's own export: not unknown, but not imported
		// either (an edited spreadsheet must not look as if it changed the permission).
		var unknown []string
		for _, col := range u {
			if csvread.NormalizeHeader(col) == "purchasesallowed" {
				ios.Notice("%s: the %s column is not imported: 'pcctl customers allow-purchases' and 'deny-purchases' change the permission.", name, col)
				continue
			}
			unknown = append(unknown, col)
		}
		if len(unknown) > 0 {
			ios.Notice("%s: ignoring unknown column(s): %s", name, cmdutil.ListSome(unknown, 10))
		}
	}
	ws, err := opts.F.Workspace(ctx)
	if err != nil {
		return err
	}
	bar := progress.NewBytes(ios, progress.Size(in.Reader), "Importing "+name)
	defer bar.Finish()
	counted.Attach(bar)
	rows := &csvRows{r: r, order: opts.dateOrder}
	var skipped []*workspace.RowError
	iopts := workspace.ImportOptions{Now: opts.F.Now()}
	iopts.OnRowError = func(e *workspace.RowError) error {
		rows.locate(e)
		if !opts.SkipInvalid {
			return &rowFailure{file: name, e: e, rows: rows}
		}
		skipped = append(skipped, e)
		return nil
	}
	res, err := ws.ImportCustomers(ctx, rows, iopts)
	bar.Finish()
	if err != nil {
		return err
	}
	if res.Read == 0 {
		return fmt.Errorf("%s has a header row but no customers: nothing to import", name)
	}
	// The workspace finds some bad rows (duplicates) only after reading them all: list
	// every skipped row in file order.
	slices.SortStableFunc(skipped, func(a, b *workspace.RowError) int { return cmp.Compare(a.Line, b.Line) })
	for _, e := range skipped {
		ios.Notice("%s: skipped", rows.format(name, e))
	}
	if report != nil {
		if err := writeReport(report, rows, skipped); err != nil {
			return err
		}
		if err := report.Commit(); err != nil {
			return err
		}
	}
	if res.Skipped == 0 {
		ios.Notice("Imported %s: %d created, %d updated, %d unchanged, %d skipped.", name, res.Created, res.Updated, res.Unchanged, res.Skipped)
	}
	if err := output.PrintOne(ios, opts.Output, resultFields, nil, &res); err != nil {
		return err
	}
	if res.Skipped > 0 {
		return cmdutil.Partialf("Imported %s: %d created, %d updated, %d unchanged, %d skipped (exit code 6: rows were left out).",
			name, res.Created, res.Updated, res.Unchanged, res.Skipped)
	}
	return nil
}

// rowFailure stops an import at a bad row.
type rowFailure struct {
	file string
	e    *workspace.RowError
	rows *csvRows
}

func (f *rowFailure) Error() string {
	return f.rows.format(f.file, f.e) + "\nNothing was imported. Fix the row, or pass --on-error skip to import the other rows."
}

// format writes a row's error as a spreadsheet user counts: the line, and a value's column
// by its letter and header ("customers.csv:5: column B, domain: ...").
func (s *csvRows) format(file string, e *workspace.RowError) string {
	ce := customercsv.Error{File: file, Line: e.Line, Column: e.Column, Field: e.Field, Reason: e.Reason, Index: s.index(e)}
	return ce.Error()
}

// index is the 1-based spreadsheet column of a row's error about a value (1 is A), or 0.
func (s *csvRows) index(e *workspace.RowError) int {
	if e.Column > 0 && e.Field != "" {
		for f := customercsv.Field(0); f < customercsv.NumFields; f++ {
			if s.r.Header(f) == e.Field {
				return s.r.Column(f) + 1
			}
		}
	}
	return 0
}

// headerOf names a field by its header in the file, when the file has that column.
func headerOf(r *customercsv.Reader, field string) string {
	for f := customercsv.Field(0); f < customercsv.NumFields; f++ {
		if f.String() == field {
			if h := r.Header(f); h != "" {
				return h
			}
		}
	}
	return field
}

// writeReport writes the skipped rows: line, spreadsheet column (A, B, ...), header, reason.
func writeReport(w io.Writer, s *csvRows, rows []*workspace.RowError) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"line", "column", "field", "reason"})
	for _, e := range rows {
		col := ""
		if i := s.index(e); i > 0 {
			col = csvread.ColumnLetter(i - 1)
		} else if e.Column > 0 {
			col = strconv.Itoa(e.Column)
		}
		cw.Write([]string{strconv.Itoa(e.Line), col, e.Field, e.Reason})
	}
	cw.Flush()
	return cw.Error()
}

// csvRows turns CSV rows into customers, checking each value against the rules of domain
// so that a bad value is reported at its own line and column. It remembers where the id
// and domain of each row are, so that rows the workspace refuses later (duplicates, a
// domain taken) are reported with their column too: 16 bytes per line of the file.
type csvRows struct {
	r   *customercsv.Reader
	pos []keyPos // by line
	// order is --date-format; with auto, the order the file's first date read only one
	// way showed, from then on (psc.DateAuto until then).
	order psc.DateFormat
}

// keyPos is where the id and the domain of the row starting on a line are.
type keyPos struct{ idLine, idCol, domLine, domCol int32 }

// locate fills the position of a refused row's id or domain, and names the column by its
// header in the file.
func (s *csvRows) locate(e *workspace.RowError) {
	if e.Column == 0 && e.Line > 0 && e.Line < len(s.pos) {
		p := s.pos[e.Line]
		switch e.Field {
		case customercsv.FieldID.String():
			if p.idCol > 0 {
				e.Line, e.Column = int(p.idLine), int(p.idCol)
			}
		case customercsv.FieldDomain.String():
			if p.domCol > 0 {
				e.Line, e.Column = int(p.domLine), int(p.domCol)
			}
		}
	}
	if e.Field != "" {
		e.Field = headerOf(s.r, e.Field)
	}
}

func (s *csvRows) remember(row customercsv.Row) {
	for len(s.pos) <= row.Line {
		s.pos = append(s.pos, keyPos{})
	}
	s.pos[row.Line] = keyPos{
		idLine: int32(row.FieldLine[customercsv.FieldID]), idCol: int32(row.Column[customercsv.FieldID]),
		domLine: int32(row.FieldLine[customercsv.FieldDomain]), domCol: int32(row.Column[customercsv.FieldDomain]),
	}
}

func (s *csvRows) Next() (workspace.CustomerRow, error) {
	row, err := s.r.Read()
	if err != nil {
		var ce *customercsv.Error
		// A bad record is the row's problem; an error that ends reading (bytes that are
		// not text, a line too long) is the file's.
		if errors.As(err, &ce) && ce.Line > 0 && err != io.EOF && s.r.Err() == nil {
			return workspace.CustomerRow{}, &workspace.RowError{Line: ce.Line, Column: ce.Column, Field: ce.Field, Reason: ce.Reason}
		}
		return workspace.CustomerRow{}, err
	}
	s.remember(row)
	v := row.Values
	out := workspace.CustomerRow{
		Line:            row.Line,
		HasID:           s.r.Has(customercsv.FieldID),
		HasCountry:      s.r.Has(customercsv.FieldCountry),
		HasReseller:     s.r.Has(customercsv.FieldResellerMPNID),
		HasRelationship: s.r.Has(customercsv.FieldRelationship),
		HasCreatedAt:    s.r.Has(customercsv.FieldCreatedAt),
		Customer: domain.Customer{
			ID: v[customercsv.FieldID], CompanyName: v[customercsv.FieldCompanyName],
			Domain: v[customercsv.FieldDomain], Country: v[customercsv.FieldCountry],
			ResellerMPNID: v[customercsv.FieldResellerMPNID], Relationship: v[customercsv.FieldRelationship],
		},
	}
	bad := func(f customercsv.Field, reason string) error {
		e := s.r.Errorf(row, f, "%s", reason)
		return &workspace.RowError{Line: e.Line, Column: e.Column, Field: f.String(), Reason: e.Reason}
	}
	if out.HasID && out.Customer.ID == "" {
		return out, bad(customercsv.FieldID, "is empty")
	}
	if t := v[customercsv.FieldCreatedAt]; t != "" {
		ts, err := s.parseCreated(t)
		if err != nil {
			return out, bad(customercsv.FieldCreatedAt, err.Error())
		}
		out.Customer.CreatedAt = ts
	}
	c, err := domain.NormalizeCustomer(out.Customer)
	if err != nil {
		var ie *domain.InvalidError
		if errors.As(err, &ie) {
			for f := customercsv.Field(0); f < customercsv.NumFields; f++ {
				if f.String() == ie.Field {
					return out, bad(f, ie.Detail())
				}
			}
		}
		return out, err
	}
	out.Customer = c
	return out, nil
}

// parseCreated reads a createdAt value: RFC 3339 (the time kept), YYYY-MM-DD, or a date
// as a spreadsheet saved it in its locale (psc.ParseDate), in the order of --date-format or
// the one the file showed. Day-first is the only order written with dots (DD.MM.YYYY).
func (s *csvRows) parseCreated(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Truncate(time.Second), nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t.UTC(), nil
	}
	order := s.order
	if order == psc.DateAuto && dottedDayFirst(v) {
		order = psc.DateDMY
	}
	t, err := psc.ParseDate(v, order)
	if err != nil {
		if strings.Contains(err.Error(), "ambiguous") {
			return t, fmt.Errorf("%v: give the file's order with --date-format DD/MM/YYYY or MM/DD/YYYY", err)
		}
		if order == psc.DateAuto || order == psc.DateISO {
			return t, fmt.Errorf("%q is not a date (expected RFC 3339, such as 2024-05-31T09:00:00Z, YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or MM/DD/YYYY)", v)
		}
		return t, err
	}
	if s.order == psc.DateAuto && order == psc.DateAuto {
		// A date read one way only sets the file's order for the rows after it.
		dmy, errD := psc.ParseDate(v, psc.DateDMY)
		mdy, errM := psc.ParseDate(v, psc.DateMDY)
		switch {
		case errD == nil && (errM != nil || !mdy.Equal(dmy)):
			s.order = psc.DateDMY
		case errM == nil && (errD != nil || !mdy.Equal(dmy)):
			s.order = psc.DateMDY
		}
	}
	return t, nil
}

// dottedDayFirst reports a date written D.M.YYYY or DD.MM.YYYY (no locale writes the month
// first with dots).
func dottedDayFirst(v string) bool {
	day, _, ok := strings.Cut(v, ".")
	return ok && len(day) <= 2 && strings.Count(v, ".") >= 2
}
