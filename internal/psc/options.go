package psc

import (
	"fmt"
	"strings"
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

// Encoding is the character encoding of an export.
type Encoding int

// The encodings. EncodingAuto asks Read to detect it: UTF-8 (with or without a byte order
// mark) when the bytes are valid UTF-8, else Windows-1252.
const (
	EncodingAuto Encoding = iota
	EncodingUTF8
	EncodingWindows1252
)

var encodingNames = [...]string{"auto", "utf-8", "windows-1252"}

// String returns the name ParseEncoding reads: auto, utf-8 or windows-1252.
func (e Encoding) String() string {
	if e >= 0 && int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// encodingAliases are the other names accepted for the encodings. ISO-8859-1 is read as
// Windows-1252, as web browsers do: the two differ only in bytes 0x80 to 0x9F, which are
// control characters in ISO-8859-1 and never in text.
var encodingAliases = map[string]Encoding{
	"auto": EncodingAuto, "utf-8": EncodingUTF8, "utf8": EncodingUTF8,
	"windows-1252": EncodingWindows1252, "windows1252": EncodingWindows1252, "cp1252": EncodingWindows1252,
	"iso-8859-1": EncodingWindows1252, "latin1": EncodingWindows1252,
}

// ParseEncoding reads an --encoding value: "auto", "utf-8" or "windows-1252", ignoring
// case ("utf8", "cp1252", "iso-8859-1" and "latin1" are accepted too).
func ParseEncoding(s string) (Encoding, error) {
	if e, ok := encodingAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return e, nil
	}
	return 0, fmt.Errorf("%q is not a supported encoding (allowed: %s)", s, strings.Join(encodingNames[:], ", "))
}
