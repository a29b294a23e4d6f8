package psc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/pcctl/pcctl/internal/csvread"
)

// Error is every problem Read, LoadMapping and File.Errorf report with a position:
// "deals.csv:5:23: Customer Name: <reason>", leaving out the parts that are zero or empty.
// It is csvread's Error.
type Error = csvread.Error

const (
	defaultMaxBytes = 1 << 30
	defaultMaxRows  = 1_000_000
	maxListed       = 10 // problems listed in one error, then "and N more"
)

// Messages. They are user-facing; tests check them exactly.
const (
	reasonEmpty = "file is empty: expected a header row naming at least the Opportunity ID, Deal Name, Customer Name and Status columns"
	// otherEncoding is the advice for bytes that are not UTF-8.
	otherEncoding = "give --encoding windows-1252 if it really is Windows-1252"
)

// Options tell Read how to read an export.
type Options struct {
	Name string   // the file name shown in errors
	Map  *Mapping // header names for the built-in columns besides their own, and values read as others; may be nil
	// Require are the columns the caller needs besides the four Read always requires
	// (Required): a header without them is refused. Currency is satisfied, without its
	// column, by a file whose every Deal Value names its currency (12 345,67 €).
	Require  []Column
	Dates    DateFormat
	Encoding Encoding
	MaxBytes int64 // largest file accepted; 0 means 1 GiB
	MaxRows  int   // most rows accepted; 0 means 1,000,000
	// SizeHint is the file's size when the reader cannot tell it (a wrapper of the file),
	// so it is read into one buffer of the right size; 0 when unknown.
	SizeHint int64
	// Reopen, when set, opens the same file again: Scan then reads the rows from it
	// rather than keeping the whole text in memory between the two passes (a file named
	// on the command line can be read twice; standard input cannot).
	Reopen func() (io.ReadCloser, error)
}

// Row is one opportunity of the export.
type Row struct {
	Line int // 1-based line where the record starts

	// Values holds the value of each column, trimmed of white space around it; "" when
	// the column is absent or the value empty.
	Values [NumColumns]string

	// Column is the 1-based column, in characters, where each value starts (its opening
	// quote if quoted); 0 when the column is absent.
	Column [NumColumns]int

	// FieldLine is the 1-based line where each value starts; it differs from Line only
	// after a quoted value containing a newline. 0 when the column is absent.
	FieldLine [NumColumns]int
}

// File is a whole export, read.
type File struct {
	Name      string
	Encoding  string // "UTF-8", "UTF-8 with BOM", "Windows-1252", "UTF-16LE" or "UTF-16BE" (csvread.Decoder's names)
	Delimiter rune   // ',', ';' or '\t'

	Has     [NumColumns]bool   // whether the header has the column
	Header  [NumColumns]string // the column's header name as written in the file; "" if absent
	Unknown []string           // header names that match no column, in file order

	// Rows are the rows, when the file was read with Read; Open leaves it nil and Scan
	// reads them one at a time.
	Rows []Row

	// Dates is the order of the dates: the one given in Options, or the one detected
	// for the whole file (DateISO when no date tells or needs one).
	Dates DateFormat

	text   []byte                        // the file as UTF-8; nil once checked when reopen is set
	reopen func() (io.ReadCloser, error) // the file again, for Scan
	index  [NumColumns]int               // the record field of each column, -1 when absent
	values [NumColumns]map[string]string // the --map values of each column, by FoldValue
	count  int                           // rows
}

// Len is the number of rows.
func (f *File) Len() int { return f.count }

// BadRecords is the error of Read when several records are not well-formed CSV (a
// quote error, or not as many fields as the header). (For a single one, Read returns its
// *Error.)
type BadRecords struct {
	File  string
	Count int      // how many records
	Errs  []*Error // the errors of the first ones (up to 10), in file order
}

func (b *BadRecords) Error() string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s: %d records are not valid CSV; correct them and read the file again:", b.File, b.Count)
	for _, e := range b.Errs {
		s.WriteString("\n  ")
		s.WriteString(e.Error())
	}
	if n := b.Count - len(b.Errs); n > 0 {
		fmt.Fprintf(&s, "\n  and %d more", n)
	}
	return s.String()
}

// Unwrap returns the errors of the first records.
func (b *BadRecords) Unwrap() []error {
	errs := make([]error, len(b.Errs))
	for i, e := range b.Errs {
		errs[i] = e
	}
	return errs
}

// Read reads the whole export into f.Rows: Open, then every row of Scan.
func Read(r io.Reader, opts Options) (*File, error) {
	f, err := Open(r, opts)
	if err != nil {
		return nil, err
	}
	f.Rows = make([]Row, 0, f.count)
	sc := f.Scan()
	for {
		row, err := sc.Next()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return nil, err
		}
		f.Rows = append(f.Rows, row)
	}
}

// Open reads the export and checks it as a whole, keeping its text but not its rows: Scan
// reads them, one at a time. Problems of the file as a whole are returned as error, most
// of them *Error: empty, UTF-16, a workbook, damaged UTF-8, larger than MaxBytes or with
// more than MaxRows rows, a bad header (a quote error, missing required columns
// Opportunity ID, Deal Name, Customer Name or Status, two headers for one column), records
// that are not valid CSV (*Error, or *BadRecords for several), and dates in both orders or
// in an order that cannot be told (see the package documentation). Problems of single
// values are not detected here: the caller checks each value, ParseAmount and ParseDate
// reading amounts and dates, and places its errors with File.Errorf.
func Open(r io.Reader, opts Options) (*File, error) {
	name := opts.Name
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = defaultMaxBytes
	}
	maxBytes = min(maxBytes, 1<<62) // room for the byte that tells a file is larger
	maxRows := opts.MaxRows
	if maxRows <= 0 {
		maxRows = defaultMaxRows
	}
	var buf bytes.Buffer
	n := opts.SizeHint
	if n <= 0 {
		n = sizeHint(r)
	}
	if n > 0 && n <= maxBytes {
		buf.Grow(int(n) + bytes.MinRead) // one allocation (for UTF-8), not a doubling series
	}
	// The file's text, decoded as every import decodes files.
	limited := &io.LimitedReader{R: r, N: maxBytes + 1}
	dec := csvread.NewDecoder(limited, csvread.DecodeOptions{Name: name, Encoding: opts.Encoding, OtherEncoding: otherEncoding})
	if _, err := buf.ReadFrom(dec); err != nil {
		return nil, err
	}
	if limited.N <= 0 {
		return nil, &Error{File: name, Reason: fmt.Sprintf("file is larger than %s, the most pcctl reads at once; split it into smaller files", formatSize(maxBytes))}
	}
	f := &File{Name: name, reopen: opts.Reopen, Encoding: dec.Encoding(), text: buf.Bytes()}
	var err error

	cr, err := f.reader()
	if err != nil {
		return nil, err
	}
	f.Delimiter = cr.Delimiter()
	var columns map[string]Column
	if opts.Map != nil {
		columns = opts.Map.Columns
		for _, v := range opts.Map.Values {
			if f.values[v.Column] == nil {
				f.values[v.Column] = make(map[string]string)
			}
			f.values[v.Column][FoldValue(v.From)] = v.To
		}
	}
	if f.index, err = f.mapHeader(cr, columns, opts.Require); err != nil {
		return nil, err
	}
	// Currency required but absent: every Deal Value must name its currency.
	checkCurrency := slices.Contains(opts.Require, Currency) && !f.Has[Currency] && f.Has[DealValue]

	// The first pass: count the rows, find the bad records and the order of the dates.
	var bad []*Error // the first of them
	nBad := 0
	var dates dateDetector
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var e *Error
			if cr.Err() != nil || !errors.As(err, &e) {
				return nil, err
			}
			if nBad++; len(bad) < maxListed {
				bad = append(bad, e)
			}
			continue
		}
		if f.count == maxRows {
			return nil, &Error{File: name, Line: rec.Line, Reason: fmt.Sprintf("more than %d rows, the most pcctl reads at once; split the file", maxRows)}
		}
		f.count++
		if checkCurrency {
			v := strings.TrimSpace(string(rec.Field(f.index[DealValue])))
			if _, cur, err := ParseAmount(v); err == nil && cur == "" {
				return nil, f.missingError(cr.HeaderLine(), []Column{Currency},
					fmt.Sprintf(" (line %d has the Deal Value %q, which names no currency)", rec.Line, v))
			}
		}
		if opts.Dates == DateAuto {
			dates.add(f, rec)
		}
	}
	switch nBad {
	case 0:
	case 1:
		return nil, bad[0]
	default:
		return nil, &BadRecords{File: name, Count: nBad, Errs: bad}
	}

	f.Dates = opts.Dates
	if f.Dates == DateAuto {
		if f.Dates, err = dates.result(f); err != nil {
			return nil, err
		}
	}
	if f.reopen != nil {
		f.text = nil // Scan reads the file again
	}
	return f, nil
}

// sizeHint is the size of what r reads when it is a regular file, else 0.
func sizeHint(r io.Reader) int64 {
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return 0
}

func (f *File) reader() (*csvread.Reader, error) {
	return csvread.NewReader(bytes.NewReader(f.text), csvread.Options{Name: f.Name, EmptyReason: reasonEmpty, Content: "PSC export", ValidUTF8: true})
}

// Scanner reads the rows of an opened file, one at a time.
type Scanner struct {
	f    *File
	cr   *csvread.Reader
	file io.Closer // the file reopened, closed after the last row
}

// Scan starts reading the rows again from the first.
func (f *File) Scan() *Scanner { return &Scanner{f: f} }

// Next returns the next row, or io.EOF after the last.
func (s *Scanner) Next() (Row, error) {
	if s.cr == nil {
		cr, err := s.open()
		if err != nil {
			return Row{}, err
		}
		s.cr = cr
	}
	rec, err := s.cr.Read()
	if err != nil {
		if s.file != nil {
			s.file.Close()
			s.file = nil
		}
		// Open saw every record well formed: only io.EOF, unless the file changed or
		// could not be read again.
		return Row{}, err
	}
	return s.f.row(rec), nil
}

// open starts the second pass: over the text kept, or over the file read again and
// decoded as it streams.
func (s *Scanner) open() (*csvread.Reader, error) {
	f := s.f
	if f.reopen == nil {
		return f.reader()
	}
	rc, err := f.reopen()
	if err != nil {
		return nil, fmt.Errorf("reading %s again: %w", f.Name, err)
	}
	s.file = rc
	enc := csvread.EncodingAuto // UTF-8 and UTF-16 are told by their bytes
	if f.Encoding == csvread.NameWindows1252 {
		enc = csvread.EncodingWindows1252
	}
	cr, err := csvread.NewReader(rc, csvread.Options{Name: f.Name, EmptyReason: reasonEmpty, Content: "PSC export", Encoding: enc})
	if err != nil {
		rc.Close()
		return nil, err
	}
	return cr, nil
}

// row is the Row of a record.
func (f *File) row(rec *csvread.Record) Row {
	row := Row{Line: rec.Line}
	s, ends := rec.Join(f.index[:])
	ends = ends[:NumColumns]
	start := 0
	for c, i := range f.index {
		row.Values[c] = s[start:ends[c]]
		start = ends[c]
		if m := f.values[c]; m != nil && row.Values[c] != "" {
			if to, ok := m[FoldValue(row.Values[c])]; ok {
				row.Values[c] = to
			}
		}
		if i >= 0 {
			p := rec.Pos(i)
			row.Column[c], row.FieldLine[c] = p.Column, p.Line
		}
	}
	return row
}

// Field returns the 0-based field of column c in the file's records (its spreadsheet
// column: 0 is A), or -1 when the file does not have the column.
func (f *File) Field(c Column) int {
	if c < 0 || c >= NumColumns {
		return -1
	}
	return f.index[c]
}

// Errorf returns an *Error about column c of row, at the line where its value starts (or
// the row's line if the column is absent), naming the column by its spreadsheet letter and
// its header in the file (or its built-in name when absent): "deals.csv:5: column C,
// Customer Name: <reason>".
func (f *File) Errorf(row Row, c Column, format string, args ...any) error {
	e := &Error{File: f.Name, Line: row.Line, Reason: fmt.Sprintf(format, args...)}
	if c >= 0 && c < NumColumns {
		if row.FieldLine[c] > 0 {
			e.Line, e.Column, e.Index = row.FieldLine[c], row.Column[c], f.index[c]+1
		}
		e.Field = f.Header[c]
		if e.Field == "" {
			e.Field = c.String()
		}
	}
	return e
}

// mapHeader maps the header's names onto columns, filling f.Has, f.Header and f.Unknown,
// and returns the header column of each column (-1 when absent).
func (f *File) mapHeader(cr *csvread.Reader, m map[string]Column, require []Column) ([NumColumns]int, error) {
	var index [NumColumns]int
	for c := range index {
		index[c] = -1
	}
	mapped := make(map[string]Column, len(m))
	for k, c := range m {
		if c >= 0 && c < NumColumns {
			mapped[normalize(k)] = c
		}
	}
	header := cr.Header()
	for i, name := range header {
		if name == "" {
			continue
		}
		key := normalize(name)
		c, ok := columnIndex[key]
		if !ok {
			c, ok = mapped[key]
		}
		if !ok {
			f.Unknown = append(f.Unknown, name)
			continue
		}
		if j := index[c]; j >= 0 {
			var reason string
			if header[j] == name {
				reason = fmt.Sprintf("column %q appears twice (spreadsheet columns %s and %s); delete or rename one of them",
					name, sheetColumn(j), sheetColumn(i))
			} else {
				reason = fmt.Sprintf("columns %q (spreadsheet column %s) and %q (column %s) both map to %s; delete or rename one of them, or correct the --map file",
					header[j], sheetColumn(j), name, sheetColumn(i), c)
			}
			p := cr.HeaderPos(i)
			return index, &Error{File: f.Name, Line: p.Line, Column: p.Column, Reason: reason}
		}
		index[c] = i
		f.Has[c], f.Header[c] = true, name
	}

	var missing []Column
	for c := range NumColumns {
		if (c.Required() || slices.Contains(require, c) && (c != Currency || !f.Has[DealValue])) && !f.Has[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return index, nil
	}
	return index, f.missingError(cr.HeaderLine(), missing, "")
}

// missingError is the error of a header without the columns missing: it names them and the
// --map entries that would supply them, and the header names not recognised.
func (f *File) missingError(line int, missing []Column, why string) error {
	var b strings.Builder
	names := make([]string, len(missing))
	entries := make([]string, len(missing))
	for i, c := range missing {
		names[i] = strconv.Quote(c.String())
		entries[i] = `"<header>": ` + c.String()
	}
	b.WriteString("missing required column")
	if len(missing) > 1 {
		b.WriteByte('s')
	}
	b.WriteByte(' ')
	b.WriteString(andList(names))
	b.WriteString(why)
	if len(missing) == 1 {
		b.WriteString("; name it so in the header, or map the file's own header name onto it")
	} else {
		b.WriteString("; name them so in the header, or map the file's own header names onto them")
	}
	fmt.Fprintf(&b, " in the --map file: columns: {%s}", strings.Join(entries, ", "))
	if len(f.Unknown) > 0 {
		quoted := make([]string, len(f.Unknown))
		for i, u := range f.Unknown {
			quoted[i] = strconv.Quote(u)
		}
		fmt.Fprintf(&b, " (columns not recognised: %s)", strings.Join(quoted, ", "))
	}
	return &Error{File: f.Name, Line: line, Reason: b.String()}
}

// andList joins "a", "b" and "c" as "a, b and c".
func andList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// sheetColumn returns the spreadsheet name of column i (0-based): A, B, ..., Z, AA, ...
func sheetColumn(i int) string { return csvread.ColumnLetter(i) }

// formatSize writes n bytes for messages: "1 GiB", "512 MiB" or "1000 bytes".
func formatSize(n int64) string {
	for _, u := range []struct {
		size int64
		unit string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + " " + u.unit
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// dateValue is a date of the file, for messages.
type dateValue struct {
	value  string
	line   int
	field  int    // 0-based: the spreadsheet column
	header string // the column's header
	parts  dateParts
}

// where writes the position of d as a spreadsheet user counts: "deals.csv:5: column H,
// Created Date".
func (f *File) where(d dateValue) string {
	s := strconv.Itoa(d.line) + ": column " + sheetColumn(d.field) + ", " + d.header
	if f.Name != "" {
		s = f.Name + ":" + s
	}
	return s
}

// dateDetector finds the order of the dates of the file that are not ISO, record by
// record, keeping only the few dates its messages name.
type dateDetector struct {
	dmyOnly, mdyOnly *dateValue
	ambiguous        []dateValue
	nAmbiguous       int
}

func (d *dateDetector) add(f *File, rec *csvread.Record) {
	if d.dmyOnly != nil && d.mdyOnly != nil {
		return
	}
	for _, c := range dateColumns {
		i := f.index[c]
		if i < 0 {
			continue
		}
		v := string(bytes.TrimSpace(rec.Field(i)))
		if v == "" {
			continue
		}
		p, ok := scanDate(v)
		if !ok || p.yearFirst {
			continue
		}
		pos := rec.Pos(i)
		dv := dateValue{value: v, line: pos.Line, field: i, header: f.Header[c], parts: p}
		dmy, mdy := p.valid(p.b, p.a), p.valid(p.a, p.b)
		switch {
		case dmy && !mdy:
			if d.dmyOnly == nil {
				d.dmyOnly = &dv
			}
		case mdy && !dmy:
			if d.mdyOnly == nil {
				d.mdyOnly = &dv
			}
		case dmy && mdy && p.a != p.b:
			d.nAmbiguous++
			if len(d.ambiguous) < maxListed {
				d.ambiguous = append(d.ambiguous, dv)
			}
		}
	}
}

// result returns the order of the dates, or an error when they are in both orders or in
// an order that cannot be told.
func (d *dateDetector) result(f *File) (DateFormat, error) {
	switch {
	case d.dmyOnly != nil && d.mdyOnly != nil:
		return 0, &Error{File: f.Name, Reason: fmt.Sprintf(
			"the dates are in both orders: %q (%s) can only be DD/MM/YYYY, and %q (%s) can only be MM/DD/YYYY; correct the file so that all its dates are in one order",
			d.dmyOnly.value, f.where(*d.dmyOnly), d.mdyOnly.value, f.where(*d.mdyOnly))}
	case d.dmyOnly != nil:
		return DateDMY, nil
	case d.mdyOnly != nil:
		return DateMDY, nil
	case d.nAmbiguous == 0:
		return DateISO, nil
	}
	var b strings.Builder
	b.WriteString("cannot tell the order of the dates: no date has a day above 12, and these read differently as MM/DD/YYYY and as DD/MM/YYYY; give --date-format MM/DD/YYYY or DD/MM/YYYY:")
	for _, v := range d.ambiguous {
		fmt.Fprintf(&b, "\n  %s: %q is %s as MM/DD/YYYY, %s as DD/MM/YYYY",
			f.where(v), v.value, v.parts.iso(v.parts.a, v.parts.b), v.parts.iso(v.parts.b, v.parts.a))
	}
	if d.nAmbiguous > len(d.ambiguous) {
		fmt.Fprintf(&b, "\n  and %d more", d.nAmbiguous-len(d.ambiguous))
	}
	return 0, &Error{File: f.Name, Reason: b.String()}
}
