package csvread

import (
	"strconv"
	"strings"
)

// Error is every problem found in the file, with its position.
//
// Error() formats it as "customers.csv:5:12: domain: <reason>", leaving out
// the parts that are zero or empty, e.g. "customers.csv: file is empty: ...".
type Error struct {
	File   string
	Line   int    // 1-based, 0 if not applicable
	Column int    // 1-based, in characters (runes); 0 if not applicable
	Field  string // header name of the column concerned, as written in the file; "" if none
	Reason string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}
