package csvread

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
)

const excel = `in Excel: Save As, "CSV UTF-8 (Comma delimited)"`

// utf16Bytes encodes s as UTF-16 with a byte order mark, as Excel's "Unicode text".
func utf16Bytes(s string, bigEndian bool) string {
	var b []byte
	if bigEndian {
		b = append(b, 0xFE, 0xFF)
	} else {
		b = append(b, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

// decodeAll decodes input read in pieces of every size from 1 to 7 bytes and whole, and
// checks that every way gives the same text, encoding and error.
func decodeAll(t *testing.T, input string, opts DecodeOptions) (text, enc string, err error) {
	t.Helper()
	readers := []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader, iotest.HalfReader, iotest.DataErrReader}
	for i, wrap := range readers {
		d := NewDecoder(wrap(strings.NewReader(input)), opts)
		b, e := io.ReadAll(d)
		if i == 0 {
			text, enc, err = string(b), d.Encoding(), e
			continue
		}
		// (After an error, how much text came before it depends on the reads.)
		if err == nil && string(b) != text || d.Encoding() != enc || (e == nil) != (err == nil) || e != nil && e.Error() != err.Error() {
			t.Errorf("reader %d: %q, %s, %v; whole: %q, %s, %v", i, b, d.Encoding(), e, text, enc, err)
		}
	}
	// Small reads (csvread reads through bufio, but any reader may call Read).
	d := NewDecoder(strings.NewReader(input), opts)
	var out []byte
	buf := make([]byte, 3)
	for {
		n, e := d.Read(buf)
		out = append(out, buf[:n]...)
		if e != nil {
			if e == io.EOF {
				e = nil
			}
			if err == nil && string(out) != text || (e == nil) != (err == nil) {
				t.Errorf("3-byte reads: %q, %v; whole: %q, %v", out, e, text, err)
			}
			break
		}
	}
	return text, enc, err
}

func TestDecoder(t *testing.T) {
	tests := []struct {
		name, input string
		enc         Encoding
		text, want  string
	}{
		{"ASCII", "a;b\r\n1;2\r\n", EncodingAuto, "a;b\r\n1;2\r\n", NameUTF8},
		{"UTF-8", "Nom;Pays\nSociété;Österreich\n", EncodingAuto, "Nom;Pays\nSociété;Österreich\n", NameUTF8},
		{"UTF-8 BOM", "\ufeffNom\nGagné\n", EncodingAuto, "Nom\nGagné\n", NameUTF8BOM},
		{"Windows-1252", "Nom;Statut\nSoci\xe9t\xe9;Gagn\xe9\n\x80 5\n", EncodingAuto, "Nom;Statut\nSociété;Gagné\n€ 5\n", NameWindows1252},
		{"Windows-1252 late", strings.Repeat("abc,def\n", 5000) + "M\xfcller\n", EncodingAuto, strings.Repeat("abc,def\n", 5000) + "Müller\n", NameWindows1252},
		{"Windows-1252 at the end", "a\n\xe9", EncodingAuto, "a\né", NameWindows1252},
		{"Windows-1252 told", "\xef\xbb\xbfa\n\x9c\x81", EncodingWindows1252, "ï»¿a\nœ\u0081", NameWindows1252},
		{"UTF-16 LE", utf16Bytes("Name\tLand\r\nMüller 😀\tÖsterreich\r\n", false), EncodingAuto, "Name\tLand\r\nMüller 😀\tÖsterreich\r\n", NameUTF16LE},
		{"UTF-16 BE", utf16Bytes("Name\tLand\nGewonnen\n", true), EncodingAuto, "Name\tLand\nGewonnen\n", NameUTF16BE},
		{"UTF-16 unpaired surrogates", "\xff\xfe\x00\xd8a\x00\x00\xdcb\x00\x00\xd8", EncodingAuto, "\ufffda\ufffdb\ufffd", NameUTF16LE},
		{"UTF-16 odd byte", "\xff\xfea\x00b", EncodingAuto, "a\ufffd", NameUTF16LE},
		{"empty", "", EncodingAuto, "", NameUTF8},
		{"short", "a", EncodingAuto, "a", NameUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, enc, err := decodeAll(t, tt.input, DecodeOptions{Name: "f.csv", Encoding: tt.enc})
			if err != nil || text != tt.text || enc != tt.want {
				t.Errorf("decoded %q, %s, %v; want %q, %s", text, enc, err, tt.text, tt.want)
			}
		})
	}
}

func TestDecoderErrors(t *testing.T) {
	const damaged = "it is probably damaged; save it again as UTF-8"
	const other = "give --encoding windows-1252 if it really is Windows-1252"
	tests := []struct {
		name, input string
		enc         Encoding
		other       string
		text, want  string
	}{
		{"damaged UTF-8", "a,b\n1,Café\n2,Soci\xe9t\xe9\n", EncodingAuto, "",
			"a,b\n1,Café\n2,Soci", `f.csv:3:7: byte 0xE9 is not valid UTF-8, yet the file has UTF-8 text ('é' at line 2, column 6): ` + damaged},
		{"damaged UTF-8, UTF-8 after", "a,b\n1,Caf\xe9\n2,Œuvre\n", EncodingAuto, other,
			"a,b\n1,Caf", `f.csv:2:6: byte 0xE9 is not valid UTF-8, yet the file has UTF-8 text ('Œ' at line 3, column 3): ` + damaged + ", or " + other},
		{"damaged UTF-8 with BOM", "\ufeffa\n1,Caf\xe9\n", EncodingAuto, "",
			"a\n1,Caf", `f.csv:2:6: byte 0xE9 is not valid UTF-8, yet the file starts with a UTF-8 byte order mark: ` + damaged},
		{"told UTF-8", "a\n1,Caf\xe9\n", EncodingUTF8, other,
			"a\n1,Caf", `f.csv:2:6: byte 0xE9 is not valid UTF-8; save the file as UTF-8 (` + excel + `), or ` + other},
		{"workbook", "PK\x03\x04rest", EncodingAuto, "", "", "f.csv: " + ReasonWorkbook},
		{"old workbook", "\xd0\xcf\x11\xe0rest", EncodingWindows1252, "", "", "f.csv: " + ReasonWorkbook},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, _, err := decodeAll(t, tt.input, DecodeOptions{Name: "f.csv", Encoding: tt.enc, OtherEncoding: tt.other})
			var e *Error
			if err == nil || err.Error() != tt.want || !errors.As(err, &e) || text != tt.text {
				t.Errorf("decoded %q, %v\nwant %q, %s", text, err, tt.text, tt.want)
			}
		})
	}
	// A read error is named with the file.
	d := NewDecoder(iotest.ErrReader(errors.New("boom")), DecodeOptions{Name: "f.csv"})
	if _, err := io.ReadAll(d); err == nil || err.Error() != "reading f.csv: boom" {
		t.Errorf("read error: %v", err)
	}
}

// Every import reads the same encodings: a UTF-16 file with tabs, as Excel's "Unicode
// text", reads as its UTF-8 twin, positions included.
func TestReaderDecodes(t *testing.T) {
	const text = "Name\tLand\r\nMüller\tÖsterreich\r\n"
	for _, input := range []string{text, "\ufeff" + text, utf16Bytes(text, false), utf16Bytes(text, true), "Name\tLand\r\nM\xfcller\t\xd6sterreich\r\n"} {
		r, err := NewReader(strings.NewReader(input), Options{Name: "f.csv"})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := r.Read()
		if err != nil || string(rec.Field(0)) != "Müller" || string(rec.Field(1)) != "Österreich" || rec.Pos(1) != (Position{2, 8}) || r.Delimiter() != '\t' {
			t.Errorf("%q: %v, %+v", input, err, rec)
		}
	}
	// A decoding error ends reading, as it is.
	r, err := NewReader(strings.NewReader("a,b\n1,é\n2,\xe9\n3,x\n"), Options{Name: "f.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	_, err = r.Read()
	if want := `f.csv:3:3: byte 0xE9 is not valid UTF-8, yet the file has UTF-8 text ('é' at line 2, column 3): it is probably damaged; save it again as UTF-8`; err == nil || err.Error() != want || r.Err() != err {
		t.Errorf("Read = %v\nwant %s", err, want)
	}
}
