package psc

import (
	"fmt"
	"strings"

	"github.com/pcctl/pcctl/internal/csvread"
)

// DateFormat is the order of the day, month and year in the dates of an export.
type DateFormat int

// The date orders. DateAuto asks Read to detect the order from the file's dates.
const (
	DateAuto DateFormat = iota
	DateISO             // YYYY-MM-DD: only ISO dates (and dates that read the same in both orders)
	DateMDY             // MM/DD/YYYY (United States)
	DateDMY             // DD/MM/YYYY (most other countries)
)

var dateFormatNames = [...]string{"auto", "YYYY-MM-DD", "MM/DD/YYYY", "DD/MM/YYYY"}

// String returns the name ParseDateFormat reads: auto, YYYY-MM-DD, MM/DD/YYYY or DD/MM/YYYY.
func (d DateFormat) String() string {
	if d >= 0 && int(d) < len(dateFormatNames) {
		return dateFormatNames[d]
	}
	return fmt.Sprintf("DateFormat(%d)", int(d))
}

// ParseDateFormat reads a --date-format value: "auto", "YYYY-MM-DD", "MM/DD/YYYY" or
// "DD/MM/YYYY", ignoring case.
func ParseDateFormat(s string) (DateFormat, error) {
	t := strings.TrimSpace(s)
	for d, name := range dateFormatNames {
		if strings.EqualFold(t, name) {
			return DateFormat(d), nil
		}
	}
	return 0, fmt.Errorf("%q is not a date format (allowed: %s)", s, strings.Join(dateFormatNames[:], ", "))
}

// Encoding is the character encoding of an export: csvread's, whose Decoder every import
// reads files with.
type Encoding = csvread.Encoding

// The encodings. EncodingAuto asks Read to detect it (see csvread.Decoder): UTF-16 or
// UTF-8 by their byte order mark, else UTF-8 when the bytes are valid UTF-8, else
// Windows-1252.
const (
	EncodingAuto        = csvread.EncodingAuto
	EncodingUTF8        = csvread.EncodingUTF8
	EncodingWindows1252 = csvread.EncodingWindows1252
)

// ParseEncoding reads an --encoding value: "auto", "utf-8" or "windows-1252", ignoring
// case ("utf8", "cp1252", "iso-8859-1" and "latin1" are accepted too).
func ParseEncoding(s string) (Encoding, error) { return csvread.ParseEncoding(s) }
