// Package csvread reads CSV files, such as exports of Partner Center or of a
// spreadsheet, and reports every problem with its file, line and column. It
// knows nothing of what the columns mean: the header is a list of names and
// each record a list of values with their positions. internal/customercsv
// (customer lists) and internal/psc (Partner Sales Connect deal exports) map
// the names to what they read.
//
// The reader follows RFC 4180 strictly (quoted fields may contain delimiters,
// newlines and doubled quotes; a quote anywhere else is an error), with
// these additions:
//
//   - The bytes are decoded by a Decoder (UTF-8 with or without a byte order
//     mark, Windows-1252, UTF-16 with a byte order mark; see Decoder), unless
//     the caller decoded them (Options.ValidUTF8). Excel workbooks, UTF-16
//     without a byte order mark and files with old Mac (CR only) line
//     endings are rejected with a hint.
//   - The delimiter is a comma, semicolon or tab, whichever occurs most
//     outside quotes in the header line (ties favour the comma).
//   - Lines may end in LF or CRLF; CRLF inside a quoted value reads as LF.
//   - Records whose fields are all empty or spaces (blank lines, or rows of
//     bare delimiters as spreadsheets sometimes export) are skipped; so are
//     lines of only spaces, commas and semicolons before the header.
//   - A physical line, and a record (with its quoted newlines), may not be
//     longer than a limit (1 MiB unless Options say otherwise): a file with
//     longer ones is not the CSV file it should be.
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
package csvread

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
	bufSize          = 64 << 10
	defaultMaxLine   = 1 << 20 // longest physical line accepted
	defaultMaxRecord = 1 << 20 // longest record (with quoted newlines) accepted
)

// Messages. They are user-facing; tests check them exactly.
const (
	// SaveAsUTF8 tells how to save a spreadsheet as a CSV file in UTF-8.
	SaveAsUTF8 = `in Excel: Save As, "CSV UTF-8 (Comma delimited)"`

	// ReasonWorkbook is the reason given for an Excel workbook (.xlsx or .xls).
	ReasonWorkbook = "file is an Excel workbook, not a CSV file; save it as CSV (" + SaveAsUTF8 + ")"

	reasonEmpty       = "file is empty: expected a header row"
	reasonNUL         = "file contains NUL bytes, so it is probably UTF-16 encoded; save it as UTF-8 (" + SaveAsUTF8 + ")"
	reasonCROnly      = "lines end with a bare carriage return (old Mac format); save the file with Windows or Unix line endings (" + SaveAsUTF8 + ")"
	reasonBareQuote   = `quote in an unquoted value (enclose the whole value in quotes and double each quote inside it, as in "Contoso ""Retail"" Ltd")`
	reasonSpaceBefore = "space before an opening quote (a quoted value must begin with the quote; remove the space)"
	reasonSpaceAfter  = "space after a closing quote (a quoted value must end with the quote; remove the space)"
	reasonTextAfter   = `text after a closing quote (a quote inside a quoted value must be doubled, as in "Contoso ""Retail"" Ltd")`
	reasonUnclosed    = "quote is never closed (the value runs to the end of the file)"
)

// Options tell NewReader how to name the file and what to accept.
type Options struct {
	// Name is the file name used in errors; the caller passes what it
	// wants shown (e.g. "stdin" for "-").
	Name string

	// EmptyReason is the reason given when the file has no header row,
	// e.g. "file is empty: expected a header row naming at least the
	// company name and domain columns". Default: "file is empty: expected
	// a header row".
	EmptyReason string

	// Content names what the file should hold, for the message about a line
	// over MaxLine: "line is longer than 1 MiB; this does not look like a
	// CSV <Content>". Default: "file".
	Content string

	// ValidUTF8 tells that the input is valid UTF-8 text already (the caller
	// decoded it with a Decoder): it is not decoded again.
	ValidUTF8 bool

	// Encoding and OtherEncoding are the Decoder's (DecodeOptions), when the
	// input is not ValidUTF8.
	Encoding      Encoding
	OtherEncoding string

	// MaxLine is the longest physical line accepted, in bytes, and
	// MaxRecord the longest record, quoted newlines included. 0 means
	// 1 MiB. A longer line or record ends reading.
	MaxLine, MaxRecord int
}

// Position is where something is in the file: 1-based line and column (in
// characters).
type Position struct{ Line, Column int }

// Record is a record of the file: the values of its fields, unquoted, and
// where each field starts. It belongs to the Reader and is overwritten by
// the next call to Read; copy what you keep (Join does).
type Record struct {
	Line  int  // 1-based line of the file where the record starts
	ASCII bool // every byte of the record's lines is ASCII

	buf   []byte     // field i is buf[ends[i-1]:ends[i]] (unquoted)
	ends  []int      // end of each field in buf
	pos   []Position // where each field starts
	spans []int      // scratch for Join, and the ends it returns
}

// Len returns the number of fields.
func (rec *Record) Len() int { return len(rec.ends) }

// Field returns the unquoted value of field i, as it is (not trimmed). The
// slice is only valid until the next call to Read.
func (rec *Record) Field(i int) []byte {
	start, end := rec.span(i)
	return rec.buf[start:end]
}

// Pos returns where field i starts (its opening quote if it is quoted).
func (rec *Record) Pos(i int) Position { return rec.pos[i] }

// span returns the bounds of field i in buf.
func (rec *Record) span(i int) (start, end int) {
	if i > 0 {
		start = rec.ends[i-1]
	}
	return start, rec.ends[i]
}

// trimUnicode returns the bounds of buf[start:end] without Unicode white
// space around it.
func trimUnicode(buf []byte, start, end int) (int, int) {
	start = end - len(bytes.TrimLeftFunc(buf[start:end], unicode.IsSpace))
	end = start + len(bytes.TrimRightFunc(buf[start:end], unicode.IsSpace))
	return start, end
}

// Join returns the values of the fields idx[k], trimmed of white space
// around them (Unicode white space included), joined in one new string, and
// the end of each in it: value k is s[ends[k-1]:ends[k]] (from 0 for the
// first), "" when idx[k] is negative. Sharing one string, the values of a
// record cost one allocation and keep no unselected data alive; the caller
// may keep them. ends belongs to the Record, like its fields.
func (rec *Record) Join(idx []int) (s string, ends []int) {
	if cap(rec.spans) < 2*len(idx) {
		rec.spans = make([]int, 2*len(idx))
	}
	spans := rec.spans[:2*len(idx)]
	buf, total := rec.buf, 0
	for k, i := range idx {
		start, end := 0, 0
		if i >= 0 {
			// Trim white space: ASCII here (this is the loop of every
			// import), Unicode spaces such as no-break spaces only when the
			// value starts or ends with a byte over 0x7F, as they do.
			start, end = rec.span(i)
			for start < end && isSpaceByte(buf[start]) {
				start++
			}
			for end > start && isSpaceByte(buf[end-1]) {
				end--
			}
			if start < end && (buf[start] >= utf8.RuneSelf || buf[end-1] >= utf8.RuneSelf) {
				start, end = trimUnicode(buf, start, end)
			}
		}
		spans[2*k], spans[2*k+1] = start, end
		total += end - start
	}
	var b strings.Builder
	b.Grow(total)
	for k := range idx {
		b.Write(buf[spans[2*k]:spans[2*k+1]])
		spans[k] = b.Len() // k <= 2k: the pairs still to be read are not overwritten
	}
	return b.String(), spans[:len(idx)]
}

// Reader reads the records of a CSV file. It streams: memory use does not
// grow with the number of records.
type Reader struct {
	name        string
	emptyReason string
	content     string
	maxLine     int
	maxRecord   int
	decoder     *Decoder // nil when the input was decoded by the caller

	src   *bufio.Reader
	delim byte
	line  int   // physical lines consumed so far
	err   error // sticky error that ends reading

	pending []byte // header lines read ahead to detect the delimiter
	lineBuf []byte // a physical line longer than src's buffer

	header     []string // header names, trimmed
	headerPos  []Position
	headerLine int

	rec Record // the current record
}

// NewReader reads the header. Errors about the file as a whole or its
// header are *Error; other errors come from reading r.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	cr := newReader(r, opts, bufSize)
	found, err := cr.scanHeader()
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, cr.errorf(0, 0, "", cr.emptyReason)
	}
	if err := cr.readRecord(); err != nil {
		if err == io.EOF {
			return nil, cr.errorf(0, 0, "", cr.emptyReason)
		}
		return nil, err
	}
	rec := &cr.rec
	cr.headerLine = rec.Line
	cr.header = make([]string, rec.Len())
	cr.headerPos = append([]Position(nil), rec.pos...)
	s := string(rec.buf)
	for i := range rec.ends {
		start, end := rec.span(i)
		cr.header[i] = strings.TrimSpace(s[start:end])
	}
	return cr, nil
}

func newReader(r io.Reader, opts Options, size int) *Reader {
	cr := &Reader{
		name:        opts.Name,
		emptyReason: opts.EmptyReason,
		content:     opts.Content,
		maxLine:     opts.MaxLine,
		maxRecord:   opts.MaxRecord,
	}
	if !opts.ValidUTF8 {
		cr.decoder = NewDecoder(r, DecodeOptions{Name: opts.Name, Encoding: opts.Encoding, OtherEncoding: opts.OtherEncoding})
		r = cr.decoder
	}
	if cr.emptyReason == "" {
		cr.emptyReason = reasonEmpty
	}
	if cr.content == "" {
		cr.content = "file"
	}
	if cr.maxLine <= 0 {
		cr.maxLine = defaultMaxLine
	}
	if cr.maxRecord <= 0 {
		cr.maxRecord = defaultMaxRecord
	}
	// Lines are measured when they overflow the buffer.
	cr.src = bufio.NewReaderSize(r, min(size, cr.maxLine))
	return cr
}

// Name returns the file name used in errors.
func (r *Reader) Name() string { return r.name }

// Header returns the header's names, trimmed of white space, one per
// column (the caller may modify the slice).
func (r *Reader) Header() []string { return append([]string(nil), r.header...) }

// HeaderLine returns the line where the header starts.
func (r *Reader) HeaderLine() int { return r.headerLine }

// HeaderPos returns where header column i starts.
func (r *Reader) HeaderPos(i int) Position { return r.headerPos[i] }

// Encoding names the encoding of the file (Decoder.Encoding), or "" when the
// caller decoded it. With EncodingAuto, it is final only once the whole file
// is read.
func (r *Reader) Encoding() string {
	if r.decoder == nil {
		return ""
	}
	return r.decoder.Encoding()
}

// Delimiter returns the field delimiter detected from the header line:
// ',', ';' or '\t'.
func (r *Reader) Delimiter() rune { return rune(r.delim) }

// Err returns the error that ended reading (an I/O error, or a line or
// record over the limits), or nil while Read can go on.
func (r *Reader) Err() error { return r.err }

// Read returns the next record that is not blank, or io.EOF after the last
// one. The record is the Reader's: it is overwritten by the next call.
//
// A malformed record (a quote error, or not as many fields as the header)
// gives an *Error; Read may then be called again to go on with the next
// record (after a quote error, with the next line), so a caller can report
// every problem in the file. I/O errors and lines or records over the
// limits end reading: Read keeps returning the same error.
func (r *Reader) Read() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		if err := r.readRecord(); err != nil {
			return nil, err
		}
		if !r.blankRecord() {
			break
		}
	}
	if n, want := r.rec.Len(), len(r.header); n != want {
		var hint string
		if n < want {
			hint = "is a delimiter missing, or a quote unclosed?"
		} else {
			hint = "does a value contain a " + delimName(r.delim) + "? If so, enclose it in double quotes"
		}
		return nil, r.errorf(r.rec.Line, 0, "", fmt.Sprintf("%s, but the header has %d (%s)", plural(n, "field"), want, hint))
	}
	return &r.rec, nil
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

// size writes n bytes for messages: "1 MiB", "64 KiB" or "100 bytes".
func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + " KiB"
	}
	return plural(n, "byte")
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
			if !inQuote || len(r.pending) > r.maxRecord {
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
		// A line longer than the buffer: gather it, up to the limit.
		r.lineBuf = append(r.lineBuf[:0], line...)
		for err == bufio.ErrBufferFull && len(r.lineBuf) <= r.maxLine {
			line, err = r.src.ReadSlice('\n')
			r.lineBuf = append(r.lineBuf, line...)
		}
		if len(bytes.TrimRight(r.lineBuf, "\r\n")) > r.maxLine {
			if hasBareCR(r.lineBuf) {
				return nil, r.fail(r.errorf(0, 0, "", reasonCROnly))
			}
			return nil, r.fail(r.errorf(r.line+1, 0, "", fmt.Sprintf("line is longer than %s; this does not look like a CSV %s", size(r.maxLine), r.content)))
		}
		line = r.lineBuf
	}
	if err != nil && err != io.EOF {
		if _, ok := err.(*Error); !ok && r.decoder == nil {
			err = fmt.Errorf("reading %s: %w", r.name, err)
		}
		return nil, r.fail(err)
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

// isASCII reports whether every byte of b is ASCII.
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

// readRecord reads the next record, skipping empty lines, into r.rec. It
// returns io.EOF at the end of the file, an *Error for a malformed quote
// (after which reading resumes at the next line), or a final error.
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
	rec := &r.rec
	rec.Line = r.line
	rec.buf, rec.ends, rec.pos = rec.buf[:0], rec.ends[:0], rec.pos[:0]
	ascii := isASCII(line)
	rec.ASCII = ascii
	quotes := bytes.IndexByte(line, '"') >= 0 // else no field needs a quote check
	col := 1
	delim := r.delim

parse:
	for {
		if len(line) == 0 || line[0] != '"' {
			// Unquoted field.
			rec.pos = append(rec.pos, Position{r.line, col})
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
					return r.errorf(r.line, col, r.columnName(len(rec.ends)), reasonSpaceBefore)
				}
				return r.errorf(r.line, col+width(field[:j], ascii), r.columnName(len(rec.ends)), reasonBareQuote)
			}
			rec.buf = append(rec.buf, field...)
			rec.ends = append(rec.ends, len(rec.buf))
			if i < 0 {
				break parse
			}
			col += width(field, ascii) + 1
			line = line[i+1:]
			continue
		}

		// Quoted field.
		start := Position{r.line, col}
		rec.pos = append(rec.pos, start)
		line = line[1:]
		col++
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				rec.buf = append(rec.buf, line[:i]...)
				col += width(line[:i], ascii) + 1
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"':
					rec.buf = append(rec.buf, '"')
					line = line[1:]
					col++
				case len(line) > 0 && line[0] == delim:
					rec.ends = append(rec.ends, len(rec.buf))
					line = line[1:]
					col++
					continue parse
				case len(line) == lengthNL(line):
					rec.ends = append(rec.ends, len(rec.buf))
					break parse
				default:
					name := r.columnName(len(rec.ends))
					rest := bytes.TrimLeft(line, spaces(delim))
					if len(rest) == lengthNL(rest) || rest[0] == delim {
						return r.errorf(r.line, col, name, reasonSpaceAfter)
					}
					return r.errorf(r.line, col-1, name, reasonTextAfter)
				}
			case len(line) > 0:
				// The value goes on to the next line.
				rec.buf = append(rec.buf, line...)
				if len(rec.buf) > r.maxRecord {
					return r.fail(r.errorf(start.Line, start.Column, r.columnName(len(rec.ends)),
						fmt.Sprintf("quoted value is longer than %s; is its closing quote missing?", size(r.maxRecord))))
				}
				line, err = r.readLine()
				if err == io.EOF {
					return r.errorf(start.Line, start.Column, r.columnName(len(rec.ends)), reasonUnclosed)
				}
				if err != nil {
					return err
				}
				ascii = isASCII(line)
				quotes = true // conservative: the line may close the value
				rec.ASCII = rec.ASCII && ascii
				col = 1
			default:
				// End of file without a newline.
				return r.errorf(start.Line, start.Column, r.columnName(len(rec.ends)), reasonUnclosed)
			}
		}
	}
	return nil
}

// blankRecord reports whether every field of the current record is empty
// or white space.
func (r *Reader) blankRecord() bool {
	rec := &r.rec
	for i := range rec.ends {
		if len(bytes.TrimSpace(rec.Field(i))) > 0 {
			return false
		}
	}
	return true
}

// NormalizeHeader returns the form in which header names are matched: lower
// case, without spaces, underscores and hyphens, so that "Company name",
// "company_name", "CompanyName" and "COMPANY NAME" are all "companyname".
func NormalizeHeader(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, c := range name {
		if c == '_' || c == '-' || unicode.IsSpace(c) {
			continue
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
