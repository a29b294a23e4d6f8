package csvread

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDelimiterDetection(t *testing.T) {
	// On the header scan alone.
	for _, tt := range []struct {
		header string
		want   byte
	}{
		{"a", ','},
		{"a;b;c,d", ';'},
		{"a,b;c", ','},  // tie favours comma
		{"a\tb;c", ';'}, // semicolon before tab
		{"a\tb\tc;d,e", '\t'},
		{"a;b\t\t\t", '\t'},
		{`"a,b,c";d`, ';'}, // quoted commas do not count
		{`"a;b;c";"d;e";f,g,h`, ','},
		{"\"a,\nb,c,d\";e", ';'}, // header with a quoted newline
		{"\"a\"\"b,c\";d", ';'},  // doubled quote
		{"a;b\nc,d,e,f\n", ';'},
	} {
		r := newReader(strings.NewReader(tt.header), Options{}, bufSize)
		if found, err := r.scanHeader(); !found || err != nil {
			t.Fatalf("%q: scanHeader() = %v, %v", tt.header, found, err)
		}
		if r.delim != tt.want {
			t.Errorf("%q: delimiter %q, want %q", tt.header, r.delim, tt.want)
		}
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{"customers.csv", 5, 12, "domain", "bad", 0}, "customers.csv:5:12: domain: bad"},
		{Error{"customers.csv", 5, 12, "domain", "bad", 2}, "customers.csv:5: column B, domain: bad"},
		{Error{"customers.csv", 5, 0, "", "bad", 28}, "customers.csv:5: column AB: bad"},
		{Error{"customers.csv", 5, 0, "domain", "bad", 0}, "customers.csv:5: domain: bad"},
		{Error{"customers.csv", 5, 0, "", "bad", 0}, "customers.csv:5: bad"},
		{Error{"customers.csv", 0, 0, "", "bad", 0}, "customers.csv: bad"},
		{Error{"customers.csv", 0, 3, "", "bad", 0}, "customers.csv: bad"},
		{Error{"", 5, 12, "domain", "bad", 0}, "5:12: domain: bad"},
		{Error{"", 0, 0, "", "bad", 0}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.e, got, tt.want)
		}
	}
}

// FuzzReadMatchesEncodingCSV checks the record parser against encoding/csv
// (LazyQuotes off): same records, same field lines, and columns that are
// encoding/csv's byte columns counted in characters. Where encoding/csv
// fails, this parser must fail on the same record.
func FuzzReadMatchesEncodingCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\nc,d\n",
		"a,\"b\nc\",d\r\ne,f",
		"\n\na,b\n\n\"\"\"\",x\r\n\r\n",
		"é,\"ü\r\nß\"\"\",ö\n",
		"a\"b,c\n",
		"\"a\"b,c\n",
		"\"a,b\n",
		"a,b\r",
		"a\rb,c\r\n",
		"\"a\"\r,b\n",
		"x;y;\"z\"\n\t;;\n",
		"\xff,\"\xfe\n\xc3\"\n",
		"\"a\",",
		"\"a\" ,b\n\"c\"\t\n",
	} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, d uint8) {
		delim := []byte{',', ';', '\t'}[d%3]
		// A 16-byte buffer exercises lines longer than the buffer.
		r := newReader(bytes.NewReader(data), Options{Name: "f", ValidUTF8: true}, 16) // the bytes as they are
		r.delim = delim
		cr := csv.NewReader(bytes.NewReader(data))
		cr.Comma = rune(delim)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true

		lines := bytes.Split(data, []byte("\n"))
		for {
			want, werr := cr.Read()
			err := r.readRecord()
			if werr == io.EOF {
				if err != io.EOF {
					t.Fatalf("readRecord: %v, want io.EOF", err)
				}
				return
			}
			if werr != nil {
				var pe *csv.ParseError
				var e *Error
				if !errors.As(werr, &pe) || !errors.As(err, &e) {
					t.Fatalf("encoding/csv: %v; readRecord: %v", werr, err)
				}
				if e.Line < pe.StartLine || e.Line > pe.Line {
					t.Fatalf("encoding/csv: %v; readRecord: %v", werr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("readRecord: %v; encoding/csv read %q", err, want)
			}
			if len(want) != r.rec.Len() {
				t.Fatalf("%d fields, encoding/csv %d: %q", r.rec.Len(), len(want), want)
			}
			if sl, _ := cr.FieldPos(0); sl != r.rec.Line {
				t.Fatalf("record line %d, encoding/csv %d", r.rec.Line, sl)
			}
			for i, w := range want {
				if got := string(r.rec.Field(i)); got != w {
					t.Fatalf("field %d = %q, encoding/csv %q", i, got, w)
				}
				line, byteCol := cr.FieldPos(i)
				col := utf8.RuneCount(lines[line-1][:byteCol-1]) + 1
				if p := r.rec.Pos(i); p != (Position{line, col}) {
					t.Fatalf("field %d at %d:%d, want %d:%d (byte column %d)", i, p.Line, p.Column, line, col, byteCol)
				}
			}
			wantASCII := true
			for i := range want {
				wantASCII = wantASCII && isASCII(r.rec.Field(i))
			}
			if wantASCII && !r.rec.ASCII {
				// r.ascii may be false for non-ASCII bytes outside values
				// (none exist: delimiters and quotes are ASCII).
				t.Fatalf("record marked non-ASCII: %q", want)
			}
		}
	})
}
