package csvread

import (
	"strconv"
	"strings"
)

// Error is every problem found in the file, with its position.
//
// Error() formats it as "customers.csv:5:12: domain: <reason>", leaving out
// the parts that are zero or empty, e.g. "customers.csv: file is empty: ...";
// an error about a value, with its field's Index, as a spreadsheet user
// counts: "customers.csv:5: column B, domain: <reason>".
type Error struct {
	File   string
	Line   int    // 1-based, 0 if not applicable
	Column int    // 1-based, in characters (runes); 0 if not applicable
	Field  string // header name of the column concerned, as written in the file; "" if none
	Reason string
	// Index is the 1-based number of the field in its record, the spreadsheet
	// column (1 is A), or 0. When set, Error() names the column by its letter
	// rather than by the character Column.
	Index int
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 && e.Index <= 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Index > 0 {
		b.WriteString("column ")
		b.WriteString(ColumnLetter(e.Index - 1))
		if e.Field != "" {
			b.WriteString(", ")
		} else {
			b.WriteString(": ")
		}
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// ColumnLetter returns the spreadsheet name of column i (0-based): A, B, ..., Z,
// AA, AB, ...
func ColumnLetter(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append(b, byte('A'+(i-1)%26))
	}
	for l, r := 0, len(b)-1; l < r; l, r = l+1, r-1 {
		b[l], b[r] = b[r], b[l]
	}
	return string(b)
}
