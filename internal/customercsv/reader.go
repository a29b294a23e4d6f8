// Package customercsv reads customer lists from CSV files, such as Partner
// Center's customer export or a spreadsheet saved as CSV, and reports every
// problem with its file, line and column.
//
// The CSV format, its encodings and its positions are internal/csvread's
// (UTF-8 with or without a byte order mark, Windows-1252, UTF-16 with a byte
// order mark; RFC 4180 with comma, semicolon or tab delimiters, LF or CRLF
// line endings, blank records skipped, 1 MiB per line and per record;
// workbooks and CR-only line endings refused with a hint; columns counted in
// characters). This package maps the header to
// customer fields (Field, with the header names of Partner Center's export
// as aliases) and returns rows of field values.
package customercsv

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pcctl/pcctl/internal/csvread"
)

// Messages about customer lists. They are user-facing; tests check them
// exactly (csvread has the others).
const (
	reasonEmpty = "file is empty: expected a header row naming at least the company name and domain columns"
	content     = "customer list" // "line is longer than 1 MiB; this does not look like a CSV customer list"
)

// Row is one customer record.
type Row struct {
	Line int // 1-based line of the file where this record starts

	// Values holds the value of each field, trimmed of surrounding white
	// space; "" when the column is absent or empty.
	Values [NumFields]string

	// Column is the 1-based column, in characters, where each field starts
	// (its opening quote if quoted); 0 when the column is absent.
	Column [NumFields]int

	// FieldLine is the 1-based line where each field starts; it differs
	// from Line only after a quoted value containing a newline. 0 when the
	// column is absent.
	FieldLine [NumFields]int
}

// Reader reads customer rows from a CSV file. It streams: memory use does
// not grow with the number of rows.
type Reader struct {
	csv     *csvread.Reader
	name    string
	header  []string       // header names, trimmed
	index   [NumFields]int // header column of each field, -1 if absent
	unknown []string
}

// NewReader reads and maps the header. name is the file name used in
// errors; the caller passes what it wants shown (e.g. "stdin" for "-").
//
// Errors about the file as a whole or its header are *Error, as are the
// errors of Read; other errors come from reading r.
func NewReader(r io.Reader, name string) (*Reader, error) {
	c, err := csvread.NewReader(r, csvread.Options{Name: name, EmptyReason: reasonEmpty, Content: content})
	if err != nil {
		return nil, err
	}
	cr := &Reader{csv: c, name: name, header: c.Header()}
	for i := range cr.index {
		cr.index[i] = -1
	}
	if err := cr.mapHeader(); err != nil {
		return nil, err
	}
	return cr, nil
}

// Has reports whether the header has a column for f.
func (r *Reader) Has(f Field) bool {
	return f >= 0 && f < NumFields && r.index[f] >= 0
}

// Header returns the header name of f's column as written in the file
// (trimmed), or "" if there is none.
func (r *Reader) Header(f Field) string {
	if !r.Has(f) {
		return ""
	}
	return r.header[r.index[f]]
}

// Column returns the 0-based field of f's column in the records (its
// spreadsheet column: 0 is A), or -1 if there is none.
func (r *Reader) Column(f Field) int {
	if !r.Has(f) {
		return -1
	}
	return r.index[f]
}

// Unknown returns the header names that matched no field, in file order.
// Columns with an empty header name are ignored silently and not listed.
func (r *Reader) Unknown() []string {
	return append([]string(nil), r.unknown...)
}

// Err returns the error that ended reading (an I/O error, bytes that are
// not text in the file's encoding, a line or record over the limits), or nil
// while Read can go on after a bad record.
func (r *Reader) Err() error { return r.csv.Err() }

// Delimiter returns the field delimiter detected from the header line:
// ',', ';' or '\t'.
func (r *Reader) Delimiter() rune {
	return r.csv.Delimiter()
}

// Errorf returns an *Error about field f of row, at the line where the field
// starts (or the row's line if the column is absent), naming the column by
// its spreadsheet letter and its header name. It is for the caller's own
// checks of values.
func (r *Reader) Errorf(row Row, f Field, format string, args ...any) *Error {
	e := &Error{File: r.name, Line: row.Line, Reason: fmt.Sprintf(format, args...)}
	if f >= 0 && f < NumFields {
		if row.FieldLine[f] > 0 {
			e.Line, e.Column, e.Index = row.FieldLine[f], row.Column[f], r.index[f]+1
		}
		e.Field = r.Header(f)
		if e.Field == "" {
			e.Field = f.String()
		}
	}
	return e
}

// Read returns the next row, or io.EOF after the last one. A malformed
// record gives an *Error; Read may then be called again to go on with the
// next record (after a quote error, with the next line), so a caller can
// report every problem in the file. I/O errors and records over 1 MiB end
// reading: Read keeps returning the same error.
//
// Row.Values are fresh strings that the caller may keep: one allocation per
// row, holding the mapped values only.
func (r *Reader) Read() (Row, error) {
	rec, err := r.csv.Read()
	if err != nil {
		return Row{}, err
	}
	row := Row{Line: rec.Line}
	s, ends := rec.Join(r.index[:])
	ends = ends[:NumFields]
	start := 0
	for f, i := range r.index {
		row.Values[f] = s[start:ends[f]]
		start = ends[f]
		if i >= 0 {
			p := rec.Pos(i)
			row.Column[f], row.FieldLine[f] = p.Column, p.Line
		}
	}
	return row, nil
}

// mapHeader maps the header names to fields.
func (r *Reader) mapHeader() error {
	for i, name := range r.header {
		f, ok := lookupHeader(name)
		if !ok {
			if name != "" {
				r.unknown = append(r.unknown, name)
			}
			continue
		}
		if j := r.index[f]; j >= 0 {
			var reason string
			if r.header[j] == name {
				reason = fmt.Sprintf("column %q appears twice; delete or rename one of them", name)
			} else {
				reason = fmt.Sprintf("columns %q and %q both map to the %s; delete or rename one of them",
					r.header[j], name, fieldDescriptions[f])
			}
			p := r.csv.HeaderPos(i)
			return &Error{File: r.name, Line: p.Line, Column: p.Column, Reason: reason}
		}
		r.index[f] = i
	}

	var missing []string
	for f := range Field(NumFields) {
		if f.Required() && r.index[f] < 0 {
			quoted := make([]string, len(fieldAliases[f]))
			for k, a := range fieldAliases[f] {
				quoted[k] = strconv.Quote(a)
			}
			missing = append(missing, fmt.Sprintf("the %s (accepted header names: %s)",
				fieldDescriptions[f], strings.Join(quoted, ", ")))
		}
	}
	line := r.csv.HeaderLine()
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return &Error{File: r.name, Line: line, Reason: "missing required column for " + missing[0]}
	default:
		return &Error{File: r.name, Line: line, Reason: "missing required columns for " + strings.Join(missing, " and ")}
	}
}
