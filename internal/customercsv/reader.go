// Package customercsv reads customer lists from CSV files, such as Partner
// Center's customer export or a spreadsheet saved as CSV, and reports every
// problem with its file, line and column.
//
// The reader follows RFC 4180 strictly (quoted fields may contain delimiters,
// newlines and doubled quotes; a quote anywhere else is an error), with
// these additions:
//
//   - A UTF-8 byte order mark is skipped. UTF-16 files, Excel workbooks and
//     files with old Mac (CR only) line endings are rejected with a hint.
//   - The delimiter is a comma, semicolon or tab, whichever occurs most
//     outside quotes in the header line (ties favour the comma).
//   - Lines may end in LF or CRLF; CRLF inside a quoted value reads as LF.
//   - Records whose fields are all empty or spaces (blank lines, or rows of
//     bare delimiters as spreadsheets sometimes export) are skipped; so are
//     lines of only spaces, commas and semicolons before the header.
//   - Every field must be valid UTF-8.
//
// Positions are 1-based. Columns count characters (Unicode code points) from
// the start of the physical line, so "é" counts as one column and a tab as
// one; a field's column is where the field starts, i.e. its opening quote if
// it is quoted.
//
// The parser is written here rather than on encoding/csv because
// encoding/csv reports byte columns without giving access to the line they
// are in; on well-formed input it yields the same records and lines
// (FuzzReadMatchesEncodingCSV checks this).
package customercsv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	bufSize   = 64 << 10
	maxLine   = 1 << 20 // longest physical line accepted
	maxRecord = 1 << 20 // longest record (with quoted newlines) accepted
)

// Messages. They are user-facing; tests check them exactly.
const (
	saveAsUTF8 = `in Excel: Save As, "CSV UTF-8 (Comma delimited)"`

	reasonEmpty        = "file is empty: expected a header row naming at least the company name and domain columns"
	reasonUTF16        = "file is UTF-16 encoded; save it as UTF-8 (" + saveAsUTF8 + ")"
	reasonNUL          = "file contains NUL bytes, so it is probably UTF-16 encoded; save it as UTF-8 (" + saveAsUTF8 + ")"
	reasonWorkbook     = "file is an Excel workbook, not a CSV file; save it as CSV (" + saveAsUTF8 + ")"
	reasonCROnly       = "lines end with a bare carriage return (old Mac format); save the file with Windows or Unix line endings (" + saveAsUTF8 + ")"
	reasonLineTooLong  = "line is longer than 1 MiB; this does not look like a CSV customer list"
	reasonInvalidUTF8  = "not valid UTF-8 text; save the file as UTF-8 (" + saveAsUTF8 + ")"
	reasonBareQuote    = `quote in an unquoted value (enclose the whole value in quotes and double each quote inside it, as in "Contoso ""Retail"" Ltd")`
	reasonSpaceBefore  = "space before an opening quote (a quoted value must begin with the quote; remove the space)"
	reasonSpaceAfter   = "space after a closing quote (a quoted value must end with the quote; remove the space)"
	reasonTextAfter    = `text after a closing quote (a quote inside a quoted value must be doubled, as in "Contoso ""Retail"" Ltd")`
	reasonUnclosed     = "quote is never closed (the value runs to the end of the file)"
	reasonValueTooLong = "quoted value is longer than 1 MiB; is its closing quote missing?"
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
	name  string
	src   *bufio.Reader
	delim byte
	line  int   // physical lines consumed so far
	err   error // sticky error that ends reading

	pending []byte // header lines read ahead to detect the delimiter
	lineBuf []byte // a physical line longer than src's buffer

	header  []string       // header names, trimmed
	index   [NumFields]int // header column of each field, -1 if absent
	unknown []string

	// The current record: field i is recBuf[ends[i-1]:ends[i]] (unquoted),
	// starting at pos[i].
	recLine int
	recBuf  []byte
	ends    []int
	pos     []position
	ascii   bool // every line of the record is ASCII
}

type position struct{ line, col int }

// NewReader reads and maps the header. name is the file name used in
// errors; the caller passes what it wants shown (e.g. "stdin" for "-").
//
// Errors about the file as a whole or its header are *Error, as are the
// errors of Read; other errors come from reading r.
func NewReader(r io.Reader, name string) (*Reader, error) {
	cr := &Reader{name: name, src: bufio.NewReaderSize(r, bufSize)}
	for i := range cr.index {
		cr.index[i] = -1
	}
	if err := cr.checkStart(); err != nil {
		return nil, err
	}
	found, err := cr.scanHeader()
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cr.errorf(0, 0, "", reasonEmpty)
	}
	if err := cr.readRecord(); err != nil {
		if err == io.EOF {
			return nil, cr.errorf(0, 0, "", reasonEmpty)
		}
		return nil, err
	}
	if err := cr.checkUTF8(); err != nil {
		return nil, err
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

// Unknown returns the header names that matched no field, in file order.
// Columns with an empty header name are ignored silently and not listed.
func (r *Reader) Unknown() []string {
	return append([]string(nil), r.unknown...)
}

// Delimiter returns the field delimiter detected from the header line:
// ',', ';' or '\t'.
func (r *Reader) Delimiter() rune {
	return rune(r.delim)
}

// Errorf returns an *Error about field f of row, positioned where the field
// starts (or at the row's line if the column is absent), naming the column
// by its header name. It is for the caller's own checks of values.
func (r *Reader) Errorf(row Row, f Field, format string, args ...any) *Error {
	e := &Error{File: r.name, Line: row.Line, Reason: fmt.Sprintf(format, args...)}
	if f >= 0 && f < NumFields {
		if row.FieldLine[f] > 0 {
			e.Line, e.Column = row.FieldLine[f], row.Column[f]
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
// Row.Values are fresh strings that the caller may keep.
func (r *Reader) Read() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	for {
		if err := r.readRecord(); err != nil {
			return Row{}, err
		}
		if !r.blankRecord() {
			break
		}
	}
	if err := r.checkUTF8(); err != nil {
		return Row{}, err
	}
	if n, want := len(r.ends), len(r.header); n != want {
		var hint string
		if n < want {
			hint = "is a delimiter missing, or a quote unclosed?"
		} else {
			hint = "does a value contain a " + delimName(r.delim) + "? If so, enclose it in double quotes"
		}
		return Row{}, r.errorf(r.recLine, 0, "", fmt.Sprintf("%s, but the header has %d (%s)", plural(n, "field"), want, hint))
	}

	// Copy the trimmed values of the mapped fields into one string, so a
	// row costs one allocation and keeps no unmapped data alive.
	var spans [NumFields][2]int
	total := 0
	for f, i := range r.index {
		if i < 0 {
			continue
		}
		start, end := r.span(i)
		for start < end && isSpaceByte(r.recBuf[start]) {
			start++
		}
		for end > start && isSpaceByte(r.recBuf[end-1]) {
			end--
		}
		if !r.ascii { // trim Unicode spaces too, e.g. no-break spaces
			b := r.recBuf[start:end]
			v := bytes.TrimLeftFunc(b, unicode.IsSpace)
			start += len(b) - len(v)
			end = start + len(bytes.TrimRightFunc(v, unicode.IsSpace))
		}
		spans[f] = [2]int{start, end}
		total += end - start
	}
	var b strings.Builder
	b.Grow(total)
	for f, i := range r.index {
		if i >= 0 {
			b.Write(r.recBuf[spans[f][0]:spans[f][1]])
		}
	}
	s := b.String()
	row := Row{Line: r.recLine}
	off := 0
	for f, i := range r.index {
		if i < 0 {
			continue
		}
		n := spans[f][1] - spans[f][0]
		row.Values[f] = s[off : off+n]
		off += n
		row.Column[f] = r.pos[i].col
		row.FieldLine[f] = r.pos[i].line
	}
	return row, nil
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func delimName(d byte) string {
	switch d {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return "comma"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func (r *Reader) errorf(line, col int, field, reason string) *Error {
	return &Error{File: r.name, Line: line, Column: col, Field: field, Reason: reason}
}

// fail records err as final and returns it.
func (r *Reader) fail(err error) error {
	r.err = err
	return err
}

// columnName returns the header name of column i, or "" while reading the
// header or past its end.
func (r *Reader) columnName(i int) string {
	if i < len(r.header) {
		return r.header[i]
	}
	return ""
}

// span returns the bounds of field i of the current record in recBuf.
func (r *Reader) span(i int) (start, end int) {
	if i > 0 {
		start = r.ends[i-1]
	}
	return start, r.ends[i]
}

// checkStart looks at the first bytes for a byte order mark or a workbook.
func (r *Reader) checkStart() error {
	b, err := r.src.Peek(4)
	if err != nil && err != io.EOF {
		return r.fail(fmt.Errorf("reading %s: %w", r.name, err))
	}
	switch {
	case bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")):
		_, _ = r.src.Discard(3)
	case bytes.HasPrefix(b, []byte("\xFF\xFE")), bytes.HasPrefix(b, []byte("\xFE\xFF")):
		return r.errorf(0, 0, "", reasonUTF16)
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("\xD0\xCF\x11\xE0")):
		return r.errorf(0, 0, "", reasonWorkbook)
	}
	return nil
}

// scanHeader skips blank lines, reads the header line(s) into r.pending
// and picks the delimiter that occurs most outside quotes. It reports
// whether a header was found.
func (r *Reader) scanHeader() (bool, error) {
	var comma, semicolon, tab int
	inQuote, started := false, false
	for {
		line, err := r.rawLine()
		if err != nil && err != io.EOF {
			return false, err
		}
		if !started && len(line) > 0 && isBlankLine(line) {
			r.line++
		} else if len(line) > 0 {
			if !started {
				started = true
				if hasBareCR(line) {
					return false, r.fail(r.errorf(0, 0, "", reasonCROnly))
				}
				if bytes.IndexByte(line, 0) >= 0 {
					return false, r.fail(r.errorf(0, 0, "", reasonNUL))
				}
			}
			r.pending = append(r.pending, line...)
			for _, c := range line {
				switch c {
				case '"':
					inQuote = !inQuote
				case ',':
					if !inQuote {
						comma++
					}
				case ';':
					if !inQuote {
						semicolon++
					}
				case '\t':
					if !inQuote {
						tab++
					}
				}
			}
			if !inQuote || len(r.pending) > maxRecord {
				break
			}
		}
		if err == io.EOF {
			break
		}
	}
	r.delim = ','
	if semicolon > comma {
		r.delim = ';'
	}
	if tab > comma && tab > semicolon {
		r.delim = '\t'
	}
	return started, nil
}

// isBlankLine reports whether line holds only white space and delimiters.
func isBlankLine(line []byte) bool {
	for _, c := range line {
		if !isSpaceByte(c) && c != ',' && c != ';' {
			return false
		}
	}
	return true
}

// hasBareCR reports whether b has a carriage return followed by something
// other than a line feed.
func hasBareCR(b []byte) bool {
	for i := bytes.IndexByte(b, '\r'); i >= 0 && i+1 < len(b); {
		if b[i+1] != '\n' {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// rawLine reads one physical line from the source, with its '\n' if any.
// The slice is valid until the next call. The error is nil, io.EOF (with
// the last line, if not empty) or final.
func (r *Reader) rawLine() ([]byte, error) {
	line, err := r.src.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.lineBuf = append(r.lineBuf[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(r.lineBuf) > maxLine {
				if hasBareCR(r.lineBuf) {
					return nil, r.fail(r.errorf(0, 0, "", reasonCROnly))
				}
				return nil, r.fail(r.errorf(r.line+1, 0, "", reasonLineTooLong))
			}
			line, err = r.src.ReadSlice('\n')
			r.lineBuf = append(r.lineBuf, line...)
		}
		line = r.lineBuf
	}
	if err != nil && err != io.EOF {
		return nil, r.fail(fmt.Errorf("reading %s: %w", r.name, err))
	}
	return line, err
}

// readLine returns the next physical line, counting it, with a final CRLF
// turned into LF and a CR at the end of the file dropped. It returns io.EOF
// at the end of the file; other errors are final.
func (r *Reader) readLine() ([]byte, error) {
	var line []byte
	if len(r.pending) > 0 {
		if i := bytes.IndexByte(r.pending, '\n'); i >= 0 {
			line, r.pending = r.pending[:i+1], r.pending[i+1:]
		} else {
			line, r.pending = r.pending, nil
		}
	} else {
		var err error
		line, err = r.rawLine()
		if err != nil && err != io.EOF {
			return nil, err
		}
	}
	n := len(line)
	if n == 0 {
		return nil, io.EOF
	}
	r.line++
	switch line[n-1] {
	case '\n':
		if n >= 2 && line[n-2] == '\r' {
			line[n-2] = '\n'
			line = line[:n-1]
		}
	case '\r':
		line = line[:n-1]
	}
	return line, nil
}

// spaces returns the space characters that are not the delimiter.
func spaces(delim byte) string {
	if delim == '\t' {
		return " "
	}
	return " \t"
}

// lengthNL returns 1 if line ends with '\n', else 0.
func lengthNL(line []byte) int {
	if len(line) > 0 && line[len(line)-1] == '\n' {
		return 1
	}
	return 0
}

func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// width returns the number of columns b takes.
func width(b []byte, ascii bool) int {
	if ascii {
		return len(b)
	}
	return utf8.RuneCount(b)
}

// readRecord reads the next record, skipping empty lines, into r.recBuf,
// r.ends and r.pos. It returns io.EOF at the end of the file, an *Error for
// a malformed quote (after which reading resumes at the next line), or a
// final error.
func (r *Reader) readRecord() error {
	var line []byte
	var err error
	for {
		line, err = r.readLine()
		if err != nil {
			return err
		}
		if len(line) != lengthNL(line) {
			break
		}
	}
	r.recLine = r.line
	r.recBuf, r.ends, r.pos = r.recBuf[:0], r.ends[:0], r.pos[:0]
	ascii := isASCII(line)
	r.ascii = ascii
	quotes := bytes.IndexByte(line, '"') >= 0 // else no field needs a quote check
	col := 1
	delim := r.delim

parse:
	for {
		if len(line) == 0 || line[0] != '"' {
			// Unquoted field.
			r.pos = append(r.pos, position{r.line, col})
			i := bytes.IndexByte(line, delim)
			var field []byte
			if i >= 0 {
				field = line[:i]
			} else {
				field = line[:len(line)-lengthNL(line)]
			}
			j := -1
			if quotes {
				j = bytes.IndexByte(field, '"')
			}
			if j >= 0 {
				if len(bytes.Trim(field[:j], spaces(delim))) == 0 {
					return r.errorf(r.line, col, r.columnName(len(r.ends)), reasonSpaceBefore)
				}
				return r.errorf(r.line, col+width(field[:j], ascii), r.columnName(len(r.ends)), reasonBareQuote)
			}
			r.recBuf = append(r.recBuf, field...)
			r.ends = append(r.ends, len(r.recBuf))
			if i < 0 {
				break parse
			}
			col += width(field, ascii) + 1
			line = line[i+1:]
			continue
		}

		// Quoted field.
		start := position{r.line, col}
		r.pos = append(r.pos, start)
		line = line[1:]
		col++
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				r.recBuf = append(r.recBuf, line[:i]...)
				col += width(line[:i], ascii) + 1
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"':
					r.recBuf = append(r.recBuf, '"')
					line = line[1:]
					col++
				case len(line) > 0 && line[0] == delim:
					r.ends = append(r.ends, len(r.recBuf))
					line = line[1:]
					col++
					continue parse
				case len(line) == lengthNL(line):
					r.ends = append(r.ends, len(r.recBuf))
					break parse
				default:
					name := r.columnName(len(r.ends))
					rest := bytes.TrimLeft(line, spaces(delim))
					if len(rest) == lengthNL(rest) || rest[0] == delim {
						return r.errorf(r.line, col, name, reasonSpaceAfter)
					}
					return r.errorf(r.line, col-1, name, reasonTextAfter)
				}
			case len(line) > 0:
				// The value goes on to the next line.
				r.recBuf = append(r.recBuf, line...)
				if len(r.recBuf) > maxRecord {
					return r.fail(r.errorf(start.line, start.col, r.columnName(len(r.ends)), reasonValueTooLong))
				}
				line, err = r.readLine()
				if err == io.EOF {
					return r.errorf(start.line, start.col, r.columnName(len(r.ends)), reasonUnclosed)
				}
				if err != nil {
					return err
				}
				ascii = isASCII(line)
				quotes = true // conservative: the line may close the value
				r.ascii = r.ascii && ascii
				col = 1
			default:
				// End of file without a newline.
				return r.errorf(start.line, start.col, r.columnName(len(r.ends)), reasonUnclosed)
			}
		}
	}
	return nil
}

// blankRecord reports whether every field of the current record is empty
// or white space.
func (r *Reader) blankRecord() bool {
	for i := range r.ends {
		start, end := r.span(i)
		if len(bytes.TrimSpace(r.recBuf[start:end])) > 0 {
			return false
		}
	}
	return true
}

// checkUTF8 returns an *Error for the first field of the current record
// that is not valid UTF-8.
func (r *Reader) checkUTF8() error {
	if r.ascii {
		return nil
	}
	for i := range r.ends {
		start, end := r.span(i)
		if !utf8.Valid(r.recBuf[start:end]) {
			return r.errorf(r.pos[i].line, r.pos[i].col, r.columnName(i), reasonInvalidUTF8)
		}
	}
	return nil
}

// mapHeader maps the current record, the header, to fields.
func (r *Reader) mapHeader() error {
	r.header = make([]string, len(r.ends))
	s := string(r.recBuf)
	for i := range r.ends {
		start, end := r.span(i)
		r.header[i] = strings.TrimSpace(s[start:end])
	}
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
			return r.errorf(r.pos[i].line, r.pos[i].col, "", reason)
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
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return r.errorf(r.recLine, 0, "", "missing required column for "+missing[0])
	default:
		return r.errorf(r.recLine, 0, "", "missing required columns for "+strings.Join(missing, " and "))
	}
}
