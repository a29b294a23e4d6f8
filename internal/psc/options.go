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

// dateFormatAliases are the other ways people write the date orders, in the languages
// spreadsheets are saved in, with "/" for any separator: JJ/MM/AAAA (French), TT/MM/JJJJ
// (German), AAAA/MM/JJ...
var dateFormatAliases = map[string]DateFormat{
	"YYYY/MM/DD": DateISO, "AAAA/MM/JJ": DateISO, "JJJJ/MM/TT": DateISO,
	"JJ/MM/AAAA": DateDMY, "TT/MM/JJJJ": DateDMY, "GG/MM/AAAA": DateDMY, "DD/MM/AAAA": DateDMY,
	"MM/JJ/AAAA": DateMDY,
}

// ParseDateFormat reads a --date-format value: "auto", "YYYY-MM-DD", "MM/DD/YYYY" or
// "DD/MM/YYYY", ignoring case and which separator is typed (DD.MM.YYYY, DD-MM-YYYY and DD
// MM YYYY are DD/MM/YYYY: the order is what counts, a date's separator is read as it is);
// the French, German and Italian letters (JJ/MM/AAAA, TT.MM.JJJJ, GG/MM/AAAA) are accepted
// too.
func ParseDateFormat(s string) (DateFormat, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "AUTO" {
		return DateAuto, nil
	}
	t = strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == ' ' {
			return '/'
		}
		return r
	}, t)
	switch t {
	case "YYYY/MM/DD":
		return DateISO, nil
	case "MM/DD/YYYY":
		return DateMDY, nil
	case "DD/MM/YYYY":
		return DateDMY, nil
	}
	if d, ok := dateFormatAliases[t]; ok {
		return d, nil
	}
	return 0, fmt.Errorf("%q is not a date format (allowed: %s; any of / . - as separator)", s, strings.Join(dateFormatNames[:], ", "))
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
