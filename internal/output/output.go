// Package output prints records the same way for every command: --format
// table|json|ndjson|csv and --fields a,b,c are added once, by AddFlags, and each command
// describes its records with a list of Fields.
//
// table is for people: an aligned table with headers on a terminal, and tab-separated rows
// without headers when piped (one record per line, for cut and awk). json is an array with
// one object per line, ndjson one object per line, csv RFC 4180 with a header row. JSON
// names are stable lower camel case (docs/output.md); times are RFC 3339 in UTC.
package output

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/jsonstr"
)

// Format is an output format.
type Format string

// The formats.
const (
	Table  Format = "table"
	JSON   Format = "json"
	NDJSON Format = "ndjson"
	CSV    Format = "csv"
)

// Formats lists every format, in the order help shows them.
var Formats = []Format{Table, JSON, NDJSON, CSV}

// Kind is the type of a field's value, which decides its JSON form.
type Kind int

// The kinds of field.
const (
	String  Kind = iota // JSON string
	Bool                // JSON true/false
	Int                 // JSON number
	Time                // JSON RFC 3339 string in UTC, null when zero
	Decimal             // JSON number written from its decimal text (amounts), null when empty
	List                // JSON array of strings; comma-separated in tables and CSV
)

// Field describes one column of a record of type T. Exactly the getter of its Kind is set.
type Field[T any] struct {
	Name   string // JSON and CSV name, lower camel case, stable
	Header string // table header
	Kind   Kind
	Doc    string // what the field holds, for docs/output.md and --help

	Str  func(*T) string
	Bool func(*T) bool
	Int  func(*T) int64
	Time func(*T) time.Time
	Strs func(*T) []string
}

// StrField, BoolField, IntField and TimeField build fields.
func StrField[T any](name, header, doc string, get func(*T) string) Field[T] {
	return Field[T]{Name: name, Header: header, Doc: doc, Kind: String, Str: get}
}

// BoolField builds a true/false field.
func BoolField[T any](name, header, doc string, get func(*T) bool) Field[T] {
	return Field[T]{Name: name, Header: header, Doc: doc, Kind: Bool, Bool: get}
}

// IntField builds a number field.
func IntField[T any](name, header, doc string, get func(*T) int64) Field[T] {
	return Field[T]{Name: name, Header: header, Doc: doc, Kind: Int, Int: get}
}

// CountField builds a number field from an int, as import summaries count rows.
func CountField[T any](name, header, doc string, get func(*T) int) Field[T] {
	return IntField(name, header, doc, func(r *T) int64 { return int64(get(r)) })
}

// DecimalField builds an amount field: the getter returns canonical decimal text (as
// domain.ParseAmount writes it), which JSON shows as a number without rounding.
func DecimalField[T any](name, header, doc string, get func(*T) string) Field[T] {
	return Field[T]{Name: name, Header: header, Doc: doc, Kind: Decimal, Str: get}
}

// ListField builds a field holding several strings (roles, say).
func ListField[T any](name, header, doc string, get func(*T) []string) Field[T] {
	return Field[T]{Name: name, Header: header, Doc: doc, Kind: List, Strs: get}
}

// TimeField builds a time field.
func TimeField[T any](name, header, doc string, get func(*T) time.Time) Field[T] {
	return Field[T]{Name: name, Header: header, Doc: doc, Kind: Time, Time: get}
}

// text is the value as CSV and tables show it.
func (f *Field[T]) text(r *T) string {
	switch f.Kind {
	case Bool:
		return strconv.FormatBool(f.Bool(r))
	case Int:
		return strconv.FormatInt(f.Int(r), 10)
	case Time:
		t := f.Time(r)
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	case List:
		return strings.Join(f.Strs(r), ",")
	default:
		return f.Str(r)
	}
}

// appendJSON appends the value in JSON.
func (f *Field[T]) appendJSON(b []byte, r *T) []byte {
	switch f.Kind {
	case Bool:
		return strconv.AppendBool(b, f.Bool(r))
	case Int:
		return strconv.AppendInt(b, f.Int(r), 10)
	case Time:
		t := f.Time(r)
		if t.IsZero() {
			return append(b, "null"...)
		}
		b = append(b, '"')
		b = t.UTC().AppendFormat(b, time.RFC3339)
		return append(b, '"')
	case Decimal:
		if v := f.Str(r); isDecimal(v) {
			return append(b, v...)
		}
		return append(b, "null"...)
	case List:
		b = append(b, '[')
		for i, v := range f.Strs(r) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, v)
		}
		return append(b, ']')
	default:
		return appendJSONString(b, f.Str(r))
	}
}

// isDecimal reports whether s is digits with an optional fraction: safe to write as a
// JSON number.
func isDecimal(s string) bool {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || dot && frac == "" {
		return false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// Printer writes records of type T in the chosen format and fields.
type Printer[T any] struct {
	format Format
	fields []Field[T]
	w      *bufio.Writer
	tty    bool
	width  int
	n      int
	buf    []byte
	rows   [][]string // table on a terminal: kept to align columns
	single bool
	// all: the table shows every column in full however wide (--wide); named: the
	// columns were named with --fields; leaveOut: the columns a narrow terminal may leave
	// out, the least useful first (LeaveOut).
	all, named bool
	leaveOut   []string
	// spreadsheet: text cells a spreadsheet would run as a formula are escaped (CSV only).
	spreadsheet bool
}

// NewPrinter makes a printer for the options chosen on the command line. defaults are the
// fields a table shows when --fields is not given; json, ndjson and csv show every field.
func NewPrinter[T any](ios *iostreams.IOStreams, o *Options, all []Field[T], defaults []string) (*Printer[T], error) {
	names := o.Fields
	if len(names) == 0 {
		if o.Format == Table && len(defaults) > 0 {
			names = defaults
		} else {
			for _, f := range all {
				names = append(names, f.Name)
			}
		}
	}
	chosen, err := selectFields(all, names)
	if err != nil {
		return nil, err
	}
	p := &Printer[T]{format: o.Format, fields: chosen, w: bufio.NewWriterSize(ios.Out, 64<<10),
		tty: ios.IsStdoutTTY(), width: ios.TerminalWidth(), spreadsheet: o.Spreadsheet,
		all: o.Wide, named: len(o.Fields) > 0}
	if p.format == "" {
		p.format = Table
	}
	if p.format == CSV {
		for i, f := range p.fields {
			if i > 0 {
				p.buf = append(p.buf, ',')
			}
			p.buf = appendCSV(p.buf, f.Name)
		}
		p.buf = append(p.buf, '\n')
		if _, err := p.w.Write(p.buf); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// FieldNames lists the names of fields, for errors and help.
func FieldNames[T any](all []Field[T]) []string {
	names := make([]string, len(all))
	for i, f := range all {
		names[i] = f.Name
	}
	return names
}

func selectFields[T any](all []Field[T], names []string) ([]Field[T], error) {
	out := make([]Field[T], 0, len(names))
	for _, n := range names {
		found := false
		for _, f := range all {
			if strings.EqualFold(f.Name, n) {
				out = append(out, f)
				found = true
				break
			}
		}
		if !found {
			return nil, &UsageError{Msg: fmt.Sprintf("unknown field %q for --fields; valid fields: %s", n, strings.Join(FieldNames(all), ", "))}
		}
	}
	return out, nil
}

// UsageError is a bad --format or --fields value.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// AppendJSONObject appends r as one JSON object with the named fields (all of them when
// names is empty), for commands that nest records.
func AppendJSONObject[T any](b []byte, all []Field[T], names []string, r *T) []byte {
	chosen := all
	if len(names) > 0 {
		chosen, _ = selectFields(all, names)
	}
	b = append(b, '{')
	for i := range chosen {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, chosen[i].Name)
		b = append(b, ':')
		b = chosen[i].appendJSON(b, r)
	}
	return append(b, '}')
}

// Print writes one record.
func (p *Printer[T]) Print(r *T) error {
	p.n++
	b := p.buf[:0]
	switch p.format {
	case CSV:
		for i := range p.fields {
			if i > 0 {
				b = append(b, ',')
			}
			cell := p.fields[i].text(r)
			if p.spreadsheet && p.fields[i].Kind == String {
				cell = SpreadsheetSafe(cell)
			}
			b = appendCSV(b, cell)
		}
		b = append(b, '\n')
	case JSON, NDJSON:
		if p.format == JSON && !p.single {
			if p.n == 1 {
				b = append(b, "[\n"...)
			} else {
				b = append(b, ",\n"...)
			}
		}
		b = append(b, '{')
		for i := range p.fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, p.fields[i].Name)
			b = append(b, ':')
			b = p.fields[i].appendJSON(b, r)
		}
		b = append(b, '}')
		if p.format == NDJSON || p.single {
			b = append(b, '\n')
		}
	default:
		row := make([]string, len(p.fields))
		for i := range p.fields {
			row[i] = cleanCell(p.fields[i].text(r))
		}
		if p.tty || p.single {
			p.rows = append(p.rows, row)
			return nil
		}
		for i, c := range row {
			if i > 0 {
				b = append(b, '\t')
			}
			b = append(b, c...)
		}
		b = append(b, '\n')
	}
	p.buf = b
	_, err := p.w.Write(b)
	return err
}

// LeaveOut names the columns a table on a terminal may leave out, the least useful first,
// when it is wider than the terminal even with its free text shortened to a readable
// width, as gh does; a column left out comes back when a later one's room is enough for
// it. Columns named with --fields are never left out (they were asked for), nor any with
// --wide.
func (p *Printer[T]) LeaveOut(names ...string) { p.leaveOut = names }

// Count is how many records were printed.
func (p *Printer[T]) Count() int { return p.n }

// Close finishes the output (closing the JSON array, rendering a terminal table) and
// flushes it.
func (p *Printer[T]) Close() error {
	switch {
	case p.format == JSON && !p.single:
		if p.n == 0 {
			p.w.WriteString("[]\n")
		} else {
			p.w.WriteString("\n]\n")
		}
	case p.format == Table && p.single:
		p.renderPairs()
	case p.format == Table && p.tty && len(p.rows) > 0:
		if err := p.renderTable(); err != nil {
			return err
		}
	}
	return p.w.Flush()
}

// PrintOne prints a single record: a JSON object rather than an array, and in table
// format one "Header: value" line per field.
func PrintOne[T any](ios *iostreams.IOStreams, o *Options, all []Field[T], defaults []string, r *T) error {
	p, err := NewPrinter(ios, o, all, defaults)
	if err != nil {
		return err
	}
	p.single = true
	if err := p.Print(r); err != nil {
		return err
	}
	return p.Close()
}

func (p *Printer[T]) renderPairs() {
	labels := make([]string, len(p.fields))
	width := 0
	for i, f := range p.fields {
		labels[i] = label(f.Header)
		width = max(width, runewidth.StringWidth(labels[i]))
	}
	for _, row := range p.rows {
		for i := range p.fields {
			line := fmt.Sprintf("%-*s  %s", width+1, labels[i]+":", row[i])
			fmt.Fprintln(p.w, strings.TrimRight(line, " "))
		}
	}
}

// label turns a table header into a label: "COMPANY NAME" becomes "Company name";
// acronyms such as ID and MPN stay as they are.
func label(header string) string {
	if strings.ToUpper(header) != header {
		return header
	}
	words := strings.Fields(header)
	for i, w := range words {
		switch {
		case acronyms[w]:
		case i == 0:
			words[i] = w[:1] + strings.ToLower(w[1:])
		default:
			words[i] = strings.ToLower(w)
		}
	}
	return strings.Join(words, " ")
}

var acronyms = map[string]bool{"ID": true, "MPN": true, "URL": true}

func (p *Printer[T]) renderTable() error {
	headers := make([]string, len(p.fields))
	for i, f := range p.fields {
		headers[i] = f.Header
	}
	ident := make([]bool, len(p.fields))
	drop := []int{}
	for i, f := range p.fields {
		// Numbers, amounts and times are never cut either: "563056.…" misleads.
		ident[i] = isIdent(f.Name) || f.Kind != String && f.Kind != List
	}
	if !p.named {
		for _, name := range p.leaveOut {
			for i, f := range p.fields {
				if f.Name == name {
					drop = append(drop, i)
				}
			}
		}
	}
	width := p.width
	if p.all {
		width = 1 << 30
	}
	if keep := fitColumns(headers, p.rows, width, ident, drop); len(keep) < len(headers) {
		headers = pick(headers, keep)
		for r, row := range p.rows {
			p.rows[r] = pick(row, keep)
		}
	}
	t := tablewriter.NewTable(p.w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
	)
	t.Header(headers)
	if err := t.Bulk(p.rows); err != nil {
		return err
	}
	return t.Render()
}

// fitColumns makes the table fit in width terminal columns, as gh does: first it leaves
// out the columns that are empty in every row; then, while the table would still be wider
// than the terminal with its free text shortened to readable (16 characters), the columns
// of drop in that order (the least useful first), putting back, most useful first, those
// that fit in the room a later one freed; then it truncates free text, with an ellipsis,
// the widest column first and none below minColumn. An identifier (ident: an ID, a domain,
// a reference, an MPN ID, an address, a number, a time) is never cut, whatever the width:
// a cut one cannot be copied into the next command; the line wraps instead. Each column
// takes its content's width plus one space either side. It returns the columns to show.
func fitColumns(headers []string, rows [][]string, width int, ident []bool, drop []int) []int {
	const minColumn, readable = 8, 16
	widths := make([]int, len(headers))
	for i, h := range headers {
		widths[i] = runewidth.StringWidth(h)
	}
	empty := make([]bool, len(headers))
	for i := range empty {
		empty[i] = true
	}
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], runewidth.StringWidth(c))
			empty[i] = empty[i] && c == ""
		}
	}
	keep := make([]int, 0, len(headers))
	total := 0
	for i, w := range widths {
		keep = append(keep, i)
		total += w + 2
	}
	if total <= width {
		return keep
	}
	shown := make([]bool, len(headers))
	for i := range shown {
		shown[i] = !empty[i] || len(rows) == 0
	}
	// least is the width of the shown columns with free text at its readable width.
	least := func() int {
		n := 0
		for i, w := range widths {
			if shown[i] {
				if !ident[i] {
					w = min(w, readable)
				}
				n += w + 2
			}
		}
		return n
	}
	var dropped []int
	for _, i := range drop {
		if least() <= width {
			break
		}
		if shown[i] {
			shown[i] = false
			dropped = append(dropped, i)
		}
	}
	for j := len(dropped) - 1; j >= 0; j-- {
		i := dropped[j]
		shown[i] = true
		if least() > width {
			shown[i] = false
		}
	}
	keep = keep[:0]
	total = 0
	for i, w := range widths {
		if shown[i] {
			keep = append(keep, i)
			total += w + 2
		}
	}
	shrunk := false
	for total > width {
		widest := -1
		for _, i := range keep {
			if !ident[i] && widths[i] > minColumn && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break // too narrow a terminal: let lines wrap rather than cut an identifier
		}
		widths[widest]--
		total--
		shrunk = true
	}
	if shrunk {
		for _, row := range rows {
			for _, i := range keep {
				if !ident[i] {
					row[i] = runewidth.Truncate(row[i], widths[i], "…")
				}
			}
		}
		for _, i := range keep {
			if !ident[i] {
				headers[i] = runewidth.Truncate(headers[i], widths[i], "…")
			}
		}
	}
	return keep
}

// isIdent tells a field that holds an identifier, which a table never cuts: IDs,
// references and MPN IDs (…Id), domains and addresses.
func isIdent(name string) bool {
	switch name {
	case "id", "domain", "email", "user", "supportContact", "link", "token":
		return true
	}
	return strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "Domain") || strings.HasSuffix(name, "Email")
}

// cleanCell keeps a value on one line in a table, and makes it harmless to a terminal:
// line breaks and tabs become spaces; any other control character (ESC, BEL, a lone CR…)
// and the bidirectional overrides are shown escaped, \u001b, never sent raw (issue 14,
// item 7: values from Partner Center, an import or an older workspace may hold them).
func cleanCell(s string) string {
	if strings.ContainsAny(s, "\t\n") {
		s = strings.NewReplacer("\t", " ", "\r\n", " ", "\n", " ").Replace(s)
	}
	return iostreams.Safe(s)
}

// appendCSV appends one RFC 4180 field: quoted when it holds a comma, a quote, a line
// break or leading space, with quotes doubled.
func appendCSV(b []byte, s string) []byte {
	needs := s != "" && (s[0] == ' ' || s[0] == '\t')
	if !needs {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
				needs = true
				break
			}
		}
	}
	if !needs {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendJSONString appends s as a JSON string, escaping what JSON requires and replacing
// invalid UTF-8 with U+FFFD, as encoding/json does. Like SQLite's json_object (which
// renders exports), it leaves U+2028 and U+2029 as they are: valid JSON, escaped by
// encoding/json only for embedding in HTML.
func appendJSONString(b []byte, s string) []byte { return jsonstr.Append(b, s, false) }

// pick is the items at the indexes keep, in order.
func pick(items []string, keep []int) []string {
	out := make([]string, len(keep))
	for j, i := range keep {
		out[j] = items[i]
	}
	return out
}

// SpreadsheetSafe escapes a text cell that a spreadsheet would read as a formula (CSV
// injection: "=HYPERLINK(…)" in a company name runs when the file is opened): one
// beginning with =, +, -, @, a tab or a carriage return gets a leading apostrophe, which
// Excel, LibreOffice and Google Sheets show as text and do not display. Other cells are
// unchanged. Only --spreadsheet asks for it: the apostrophe is data to a script.
func SpreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
