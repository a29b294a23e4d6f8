package synth

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Dialect selects the CSV layout written by WriteCustomersCSV.
type Dialect int

const (
	// DialectPcctl is pcctl's own import format: comma separated, header
	// "id,companyName,domain,country,resellerMpnId,createdAt", createdAt in
	// RFC 3339 UTC, no BOM, LF line endings, encoding/csv quoting.
	DialectPcctl Dialect = iota
	// DialectPartnerCenter mimics Partner Center's customer export as saved
	// by a French spreadsheet: UTF-8 BOM, ';' separated, CRLF, header
	// "Microsoft ID;Company name;Primary domain name;Relationship;Country".
	DialectPartnerCenter
)

// String returns the name accepted by ParseDialect.
func (d Dialect) String() string {
	switch d {
	case DialectPcctl:
		return "pcctl"
	case DialectPartnerCenter:
		return "partner-center"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// ParseDialect parses "pcctl" or "partner-center" (case-insensitive).
func ParseDialect(s string) (Dialect, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pcctl":
		return DialectPcctl, nil
	case "partner-center":
		return DialectPartnerCenter, nil
	}
	return 0, fmt.Errorf("unknown dialect %q (want pcctl or partner-center)", s)
}

const utf8BOM = "\xef\xbb\xbf"

// WriteCustomersCSV writes the first n customers of the sequence for seed to
// w in dialect d. It streams: memory use does not depend on n.
func WriteCustomersCSV(w io.Writer, seed int64, n int, d Dialect) error {
	if n < 0 {
		return fmt.Errorf("synth: negative customer count %d", n)
	}
	var (
		comma rune
		crlf  bool
	)
	bw := bufio.NewWriterSize(w, 64<<10)
	switch d {
	case DialectPcctl:
		comma = ','
		bw.WriteString("id,companyName,domain,country,resellerMpnId,createdAt\n")
	case DialectPartnerCenter:
		comma, crlf = ';', true
		bw.WriteString(utf8BOM + "Microsoft ID;Company name;Primary domain name;Relationship;Country\r\n")
	default:
		return errors.New("synth: unknown dialect " + d.String())
	}
	cw := csvWriter{w: bw, comma: comma, crlf: crlf}
	g := NewCustomers(seed)
	var ts [32]byte
	for range n {
		c := g.Next()
		// IDs, domains, countries, MPN IDs and timestamps never need
		// quoting; company names and relationships go through field.
		if d == DialectPcctl {
			bw.WriteString(c.ID)
			bw.WriteByte(',')
			cw.field(c.CompanyName)
			bw.WriteByte(',')
			bw.WriteString(c.Domain)
			bw.WriteByte(',')
			bw.WriteString(c.Country)
			bw.WriteByte(',')
			bw.WriteString(c.ResellerMPNID)
			bw.WriteByte(',')
			bw.Write(c.CreatedAt.AppendFormat(ts[:0], time.RFC3339))
		} else {
			bw.WriteString(c.ID)
			bw.WriteByte(';')
			cw.field(c.CompanyName)
			bw.WriteByte(';')
			bw.WriteString(c.Domain)
			bw.WriteByte(';')
			bw.WriteString(c.Relationship())
			bw.WriteByte(';')
			bw.WriteString(c.Country)
		}
		// bufio.Writer errors are sticky: checking the last write of the
		// row catches a failure anywhere in it.
		if err := cw.endRow(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// csvWriter quotes fields exactly as encoding/csv.Writer does, without its
// per-record []string.
type csvWriter struct {
	w     *bufio.Writer
	comma rune
	crlf  bool
}

func (cw *csvWriter) endRow() error {
	if cw.crlf {
		_, err := cw.w.WriteString("\r\n")
		return err
	}
	return cw.w.WriteByte('\n')
}

// needsQuotes mirrors encoding/csv's (*Writer).fieldNeedsQuotes.
func (cw *csvWriter) needsQuotes(field string) bool {
	if field == "" {
		return false
	}
	if field == `\.` {
		return true
	}
	if cw.comma < utf8.RuneSelf {
		for i := 0; i < len(field); i++ {
			c := field[i]
			if c == '\n' || c == '\r' || c == '"' || c == byte(cw.comma) {
				return true
			}
		}
	} else if strings.ContainsRune(field, cw.comma) || strings.ContainsAny(field, "\"\r\n") {
		return true
	}
	r1, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r1)
}

// field writes one field, quoted like encoding/csv.Writer.Write.
func (cw *csvWriter) field(s string) {
	if !cw.needsQuotes(s) {
		cw.w.WriteString(s)
		return
	}
	cw.w.WriteByte('"')
	for len(s) > 0 {
		i := strings.IndexAny(s, "\"\r\n")
		if i < 0 {
			i = len(s)
		}
		cw.w.WriteString(s[:i])
		s = s[i:]
		if len(s) > 0 {
			switch s[0] {
			case '"':
				cw.w.WriteString(`""`)
			case '\r':
				if !cw.crlf {
					cw.w.WriteByte('\r')
				}
			case '\n':
				if cw.crlf {
					cw.w.WriteString("\r\n")
				} else {
					cw.w.WriteByte('\n')
				}
			}
			s = s[1:]
		}
	}
	cw.w.WriteByte('"')
}
