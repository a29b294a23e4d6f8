package psc

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxFuzzInput bounds the inputs the fuzz targets try.
const maxFuzzInput = 1 << 20

// watchdog crashes the process when f takes over 30 s: the fuzzing engine has no time
// limit per input, and a crash makes it record the input as a failure.
func watchdog(what string, data any) func() bool {
	return time.AfterFunc(30*time.Second, func() {
		panic(fmt.Sprintf("%s took over 30s: %.200q", what, data))
	}).Stop
}

// FuzzRead reads arbitrary bytes as an export, with options picked by mode (encoding, date
// order, a mapping). It must not panic or hang; every error must carry the file name and a
// sensible position; a file read must hold what File promises, and its dates must read in
// the order detected.
func FuzzRead(f *testing.F) {
	all := strings.Join(columnNames[:], ",")
	for _, s := range []string{
		"",
		minimal + "\n1,n,c,Open\n",
		"\ufeff" + strings.ReplaceAll(all, ",", ";") + "\r\n1;n;c;FR;12 345,67 €;EUR;Open;;;AZ;31/03/2026;;;;;;15/01/2026;02/02/2026 10:15;Co-sell\r\n",
		all + "\n1,n,c,FR,\"1,234.50\",USD,Won,,,AZ,03/31/2026,,,,,,01/15/2026,,\n",
		minimal + ",Created Date\n1,n,c,Open,03/04/2026\n2,n,c,Open,04/04/2026\n",
		minimal + ",Created Date,Last Modified Date\n1,n,c,Open,31/03/2026,03/31/2026\n",
		minimal + "\n1,Caf\xe9 \x80 \x9c,c,Open\n",
		minimal + "\n1,Café,c,Open\n2,Caf\xe9,c,Open\n",
		"\xff\xfeO\x00p\x00",
		"O\x00p\x00,\x00\n\x00",
		"PK\x03\x04",
		"Nom;Statut;Opportunity ID;Client\n\"a\nb\";Open;1;c\n",
		minimal + "\n1,\"a\"b,c,Open\n2,n,c\n3,n,c,Open,x\n",
		minimal + ",Opportunity_ID\n",
		minimal + "\r1,n,c,Open\r",
	} {
		for mode := range uint8(3) {
			f.Add([]byte(s), mode*5)
		}
	}
	mapping := &Mapping{Columns: map[string]Column{"nom": DealName, "statut": Status, "client": CustomerName}}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		if len(data) > maxFuzzInput {
			t.Skip("input over 1 MiB")
		}
		defer watchdog("Read", data)()
		opts := Options{Name: "fuzz.csv", Encoding: Encoding(mode % 3), Dates: DateFormat(mode / 3 % 4)}
		if mode/12%2 == 1 {
			opts.Map = mapping
		}
		file, err := Read(bytes.NewReader(data), opts)
		if err != nil {
			if file != nil {
				t.Fatal("Read returned a file and an error")
			}
			checkError(t, err, opts.Name)
			return
		}
		if file.Name != opts.Name || file.Dates == DateAuto || opts.Dates != DateAuto && file.Dates != opts.Dates {
			t.Fatalf("name %q, dates %v (options %v)", file.Name, file.Dates, opts.Dates)
		}
		switch file.Encoding {
		case "UTF-8", "UTF-8 with BOM", "Windows-1252", "UTF-16LE", "UTF-16BE":
		default:
			t.Fatalf("encoding %q", file.Encoding)
		}
		if d := file.Delimiter; d != ',' && d != ';' && d != '\t' {
			t.Fatalf("delimiter %q", d)
		}
		for c := range NumColumns {
			if c.Required() && !file.Has[c] || file.Has[c] != (file.Header[c] != "") {
				t.Fatalf("column %v: Has %v, Header %q", c, file.Has[c], file.Header[c])
			}
		}
		for _, u := range file.Unknown {
			if u == "" || !utf8.ValidString(u) {
				t.Fatalf("unknown column %q", u)
			}
		}
		last := 0
		for _, row := range file.Rows {
			if row.Line <= last {
				t.Fatalf("row at line %d after a row at line %d", row.Line, last)
			}
			last = row.Line
			for c := range NumColumns {
				v := row.Values[c]
				if !file.Has[c] {
					if v != "" || row.Column[c] != 0 || row.FieldLine[c] != 0 {
						t.Fatalf("line %d: absent column %v has %q at %d:%d", row.Line, c, v, row.FieldLine[c], row.Column[c])
					}
					continue
				}
				if !utf8.ValidString(v) || v != strings.TrimFunc(v, unicode.IsSpace) {
					t.Fatalf("line %d: %v = %q is not trimmed valid UTF-8", row.Line, c, v)
				}
				if row.FieldLine[c] < row.Line || row.Column[c] < 1 {
					t.Fatalf("line %d: %v at %d:%d", row.Line, c, row.FieldLine[c], row.Column[c])
				}
				want := fmt.Sprintf("fuzz.csv:%d: column %s, %s: x", row.FieldLine[c], sheetColumn(file.Field(c)), file.Header[c])
				if got := file.Errorf(row, c, "x").Error(); got != want {
					t.Fatalf("Errorf = %q, want %q", got, want)
				}
			}
			if opts.Dates != DateAuto {
				continue
			}
			// A date that reads in some order reads in the order detected.
			for _, c := range dateColumns {
				v := row.Values[c]
				_, dmy := ParseDate(v, DateDMY)
				_, mdy := ParseDate(v, DateMDY)
				if _, err := ParseDate(v, file.Dates); (dmy == nil || mdy == nil) && err != nil {
					t.Fatalf("line %d: %v = %q does not read as %v: %v", row.Line, c, v, file.Dates, err)
				}
			}
		}
	})
}

// checkError checks an error of Read or LoadMapping.
func checkError(t *testing.T, err error, name string) {
	t.Helper()
	var bad *BadRecords
	if errors.As(err, &bad) {
		if bad.File != name || bad.Count < 2 || len(bad.Errs) < 2 || len(bad.Errs) > min(bad.Count, 10) || !strings.HasPrefix(err.Error(), name+": ") {
			t.Fatalf("bad BadRecords %q", err)
		}
		for _, e := range bad.Errs {
			checkPosition(t, e, name)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v, want *Error", err, err)
	}
	checkPosition(t, e, name)
}

func checkPosition(t *testing.T, e *Error, name string) {
	t.Helper()
	if e.File != name || e.Line < 0 || e.Column < 0 || e.Reason == "" || e.Column > 0 && e.Line == 0 {
		t.Fatalf("bad error %#v", e)
	}
	if !utf8.ValidString(e.Field) || !strings.HasPrefix(e.Error(), name) {
		t.Fatalf("bad error message %q", e.Error())
	}
}

var canonicalAmount = regexp.MustCompile(`^(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?$`)

// FuzzParseAmount checks that ParseAmount does not panic, that what it returns is
// canonical and reads back as itself, with or without its currency, and that its errors
// quote the value.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{
		"1234", "12,345.67", "12 345,67", "12\u00a0345,67", "12\u202f345,67", "12.345,67 €", "$1,234",
		"EUR 1234", "1234eur", "-0", "(5)", "1,23,4", "12.34.56,7", "0,123", "1.2345", "€5 USD", "",
		"999999999999999.99", "0000000000000000001",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		defer watchdog("ParseAmount", s)()
		value, currency, err := ParseAmount(s)
		if err != nil {
			if value != "" || currency != "" || !strings.HasPrefix(err.Error(), strconv.Quote(s)+" is ") {
				t.Fatalf("ParseAmount(%q) = %q, %q, %v", s, value, currency, err)
			}
			return
		}
		if !canonicalAmount.MatchString(value) {
			t.Fatalf("ParseAmount(%q) = %q, not canonical", s, value)
		}
		if currency != "" && (len(currency) != 3 || strings.ToUpper(currency) != currency || !isCode(currency)) {
			t.Fatalf("ParseAmount(%q) currency %q", s, currency)
		}
		if v, c, err := ParseAmount(value); v != value || c != "" || err != nil {
			t.Fatalf("ParseAmount(%q) = %q, then ParseAmount(%q) = %q, %q, %v", s, value, value, v, c, err)
		}
		if currency != "" {
			for _, in := range []string{currency + " " + value, value + currency} {
				if v, c, err := ParseAmount(in); v != value || c != currency || err != nil {
					t.Fatalf("ParseAmount(%q) = %q, %q, %v; want %q, %q", in, v, c, err, value, currency)
				}
			}
		}
	})
}

// FuzzParseDate checks that ParseDate does not panic, returns midnight UTC of a date that
// reads back as itself in ISO form, and agrees with itself across the orders.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2026-03-31", "2026-03-31T10:00:00Z", "2026-03-31 10:00", "31/03/2026", "03/31/2026", "3.4.2026",
		"04/04/2026", "3/31/2026 10:00:00 AM", "2024-02-29", "31/02/2026", "2026-03-31T10:00+05:30", "0000-01-01",
		"2026-03-31T10:00:00.123456789-0800", "12/12/2012 12:12 pm UTC", "",
	} {
		f.Add(s)
	}
	orders := []DateFormat{DateAuto, DateISO, DateMDY, DateDMY}
	f.Fuzz(func(t *testing.T, s string) {
		defer watchdog("ParseDate", s)()
		var got [4]time.Time
		var errs [4]error
		for i, order := range orders {
			d, err := ParseDate(s, order)
			got[i], errs[i] = d, err
			if err != nil {
				if !d.IsZero() || !strings.HasPrefix(err.Error(), strconv.Quote(s)+" is ") {
					t.Fatalf("ParseDate(%q, %v) = %v, %v", s, order, d, err)
				}
				continue
			}
			if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 || d.Year() < 1 || d.Year() > 9999 {
				t.Fatalf("ParseDate(%q, %v) = %v", s, order, d)
			}
			iso := d.Format("2006-01-02")
			for _, o := range orders {
				if back, err := ParseDate(iso, o); err != nil || !back.Equal(d) {
					t.Fatalf("ParseDate(%q, %v) = %v, %v", iso, o, back, err)
				}
			}
		}
		// Auto reads a date as one of the locale orders does; ISO, as both do.
		if errs[0] == nil && !(errs[2] == nil && got[2].Equal(got[0]) || errs[3] == nil && got[3].Equal(got[0])) {
			t.Fatalf("ParseDate(%q): auto %v, MDY %v %v, DMY %v %v", s, got[0], got[2], errs[2], got[3], errs[3])
		}
		if errs[1] == nil && (errs[2] != nil || errs[3] != nil || !got[2].Equal(got[1]) || !got[3].Equal(got[1])) {
			t.Fatalf("ParseDate(%q): ISO %v, MDY %v %v, DMY %v %v", s, got[1], got[2], errs[2], got[3], errs[3])
		}
	})
}

// FuzzLoadMapping checks that LoadMapping does not panic or hang, that its errors are
// positioned in the file, and that what it returns maps normalised names to columns.
func FuzzLoadMapping(f *testing.F) {
	for _, s := range []string{
		"columns:\n  \"ID de l'opportunité\": Opportunity ID\n  Nom du client: Customer Name\n",
		"columns: {a: Status, b: Deal Name}", "columns:\n  a: Nope\n", "columns:\n  a: Status\n  A: Status\n",
		"- x", "a: &x [*x]", "columns:\n\tx: y", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzzInput {
			t.Skip("input over 1 MiB")
		}
		defer watchdog("LoadMapping", s)()
		m, err := LoadMapping(strings.NewReader(s), "map.yaml")
		if err != nil {
			if m != nil {
				t.Fatal("LoadMapping returned a mapping and an error")
			}
			checkError(t, err, "map.yaml")
			return
		}
		targets := map[Column]bool{}
		for k, c := range m.Columns {
			if k == "" || normalize(k) != k || c < 0 || c >= NumColumns || targets[c] {
				t.Fatalf("mapping %q: %q -> %v", s, k, c)
			}
			if _, builtin := ParseColumn(k); builtin {
				t.Fatalf("mapping %q maps the built-in name %q", s, k)
			}
			targets[c] = true
		}
	})
}
