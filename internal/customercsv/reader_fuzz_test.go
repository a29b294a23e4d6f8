package customercsv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxFuzzInput bounds the inputs FuzzReader tries: the reader's own limits are 1 MiB.
const maxFuzzInput = 1 << 20

// FuzzReader reads arbitrary bytes as a customer list through the exported API, as
// `pcctl customers import` does: NewReader, then Read until io.EOF or a sticky error. It
// must not panic or hang, rows must go forward in the file, and every *Error must carry
// the file name and a sensible position. mode picks how the bytes arrive (all at once, one
// byte at a time, or with the last read returning data and an error together).
func FuzzReader(f *testing.F) {
	const header = "Microsoft ID,Company name,Primary domain name,Country,Relationship\n"
	for _, s := range []string{
		"",
		"\n\n",
		header + "8c6a3f2e-1b4d-4e8a-9f0c-2d7b5e6a1c3f,Contoso,contoso.onmicrosoft.com,FR,Reseller\n",
		"\xEF\xBB\xBF" + "companyName;domain\r\nSociété Générale;essai.onmicrosoft.com\r\n",
		"\xFF\xFEc\x00o\x00m\x00p\x00a\x00n\x00y\x00",
		"\xFE\xFF\x00c\x00o",
		"c\x00o\x00m\x00p\x00,\x00d\x00\n\x00",
		"PK\x03\x04\x14\x00",
		"\xD0\xCF\x11\xE0\xA1\xB1",
		"companyName,domain\rContoso,contoso.com\r",
		"companyName\tdomain\n\"Contoso \"\"Retail\"\" Ltd\"\tcontoso.com\n",
		"companyName,domain\n\"Contoso\nRetail\",contoso.com\nFabrikam,fabrikam.com\n",
		"companyName,domain\n\"unclosed,contoso.com\n",
		"companyName,domain\na\"b,c\n \"a\",b\n\"a\" ,b\n\"a\"x,b\nok,ok\n",
		"companyName,domain\nonly one field\nx,y,z\n,\n;;\n  \nlast,row",
		"companyName,domain\n\xff\xfe,\xc3\n",
		"companyName,domain\n\u00a0Contoso\u00a0,\u2003contoso.com\n",
		" , ;\n\ncompanyName,domain\nx,y\n",
		"\"company\nName\",domain\nx,y\n",
		"companyName,domain,companyName\nx,y,z\n",
		"unknown,other\n1,2\n",
		"companyName,domain\n" + strings.Repeat("x", 70000) + ",y\n",
		"companyName,domain\n\"" + strings.Repeat("x", 70000) + "\",y\n",
		"companyName,domain\n" + strings.Repeat("a,b\n", 2000),
	} {
		for mode := range uint8(3) {
			f.Add([]byte(s), mode)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		if len(data) > maxFuzzInput {
			t.Skip("input over 1 MiB")
		}
		// The fuzzing engine has no time limit per input: a hang would only stall it. Reading
		// 1 MiB takes milliseconds, so after 30 s crash the process, which makes the engine
		// record the input as a failure.
		watchdog := time.AfterFunc(30*time.Second, func() {
			panic(fmt.Sprintf("reading %d bytes (mode %d) took over 30s: %.200q", len(data), mode, data))
		})
		defer watchdog.Stop()
		var src io.Reader = bytes.NewReader(data)
		switch mode % 3 {
		case 1:
			src = iotest.OneByteReader(src)
		case 2:
			src = iotest.DataErrReader(src)
		}
		const name = "fuzz.csv"
		checkErr := func(err error) {
			t.Helper()
			var e *Error
			if !errors.As(err, &e) {
				return // an I/O error: none come from these readers, but they need no position
			}
			if e.File != name || e.Line < 0 || e.Column < 0 || e.Reason == "" {
				t.Fatalf("bad error %#v", e)
			}
			if e.Column > 0 && e.Line == 0 {
				t.Fatalf("error with a column but no line: %#v", e)
			}
			if !utf8.ValidString(e.Field) || !strings.HasPrefix(e.Error(), name) {
				t.Fatalf("bad error message %q", e.Error())
			}
		}
		r, err := NewReader(src, name)
		if err != nil {
			if r != nil {
				t.Fatal("NewReader returned both a reader and an error")
			}
			checkErr(err)
			return
		}
		if d := r.Delimiter(); d != ',' && d != ';' && d != '\t' {
			t.Fatalf("delimiter %q", d)
		}
		var (
			last    int   // line of the last row
			prevErr error // last error, to spot the sticky one
		)
		// Every Read consumes at least one line, so it cannot take more calls than there
		// are bytes (plus the io.EOF and a repeated sticky error).
		for calls := 0; ; calls++ {
			if calls > len(data)+2 {
				t.Fatalf("Read called %d times on %d bytes without io.EOF", calls, len(data))
			}
			row, err := r.Read()
			if err == io.EOF {
				if _, err := r.Read(); err != io.EOF {
					t.Fatalf("Read after io.EOF: %v", err)
				}
				return
			}
			if err != nil {
				if err == prevErr {
					return // sticky: reading has ended
				}
				checkErr(err)
				prevErr = err
				continue
			}
			if row.Line <= last {
				t.Fatalf("row at line %d after a row at line %d", row.Line, last)
			}
			last = row.Line
			for f := range Field(NumFields) {
				v := row.Values[f]
				if !r.Has(f) {
					if v != "" || row.Column[f] != 0 || row.FieldLine[f] != 0 {
						t.Fatalf("line %d: absent column %v has %q at %d:%d", row.Line, f, v, row.FieldLine[f], row.Column[f])
					}
					continue
				}
				if !utf8.ValidString(v) {
					t.Fatalf("line %d: %v = %q is not valid UTF-8", row.Line, f, v)
				}
				if v != strings.TrimFunc(v, unicode.IsSpace) {
					t.Fatalf("line %d: %v = %q is not trimmed", row.Line, f, v)
				}
				if row.FieldLine[f] < row.Line || row.Column[f] < 1 {
					t.Fatalf("line %d: %v at %d:%d", row.Line, f, row.FieldLine[f], row.Column[f])
				}
			}
		}
	})
}
