package psc

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// TestScanReopened: the second pass over the file read again (Options.Reopen) gives the
// rows the text kept in memory gives, in every encoding, and the text is not kept.
func TestScanReopened(t *testing.T) {
	text := "Opportunity ID;Deal Name;Customer Name;Status;Created Date\r\n" +
		"O-1;Déploiement « Œuvre » €;Société Générale;Open;25/03/2026\r\n" +
		"O-2;\"Two\r\nlines\";Müller GmbH;Won;13/01/2026\r\n"
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"utf-8": text, "utf-8 with BOM": "\xef\xbb\xbf" + text, "windows-1252": cp1252,
	} {
		t.Run(name, func(t *testing.T) {
			kept, err := Read(strings.NewReader(data), Options{Name: "f.csv"})
			if err != nil {
				t.Fatal(err)
			}
			reopens := 0
			f, err := Open(strings.NewReader(data), Options{Name: "f.csv", Reopen: func() (io.ReadCloser, error) {
				reopens++
				return io.NopCloser(bytes.NewReader([]byte(data))), nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			if f.text != nil {
				t.Fatal("the text is kept though the file can be read again")
			}
			var rows []Row
			sc := f.Scan()
			for {
				r, err := sc.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				rows = append(rows, r)
			}
			if reopens != 1 || !reflect.DeepEqual(rows, kept.Rows) || f.Encoding != kept.Encoding || f.Dates != DateDMY {
				t.Fatalf("reopened %d times, %s %v:\n%+v\nwant\n%+v", reopens, f.Encoding, f.Dates, rows, kept.Rows)
			}
		})
	}
}
