package output

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// encodeFuzzSeeds are the values the encoders start from: quotes, delimiters, line
// endings, control characters, byte order marks, invalid UTF-8, accents, long values.
var encodeFuzzSeeds = []string{
	"",
	"plain",
	" leading space",
	"\tleading tab",
	"trailing ",
	`Contoso "Retail" Ltd`,
	`"`,
	`""`,
	"a,b",
	"a;b",
	"line\nbreak",
	"crlf\r\nline",
	"bare\rcr",
	"\r\r\n",
	"\n",
	"\\",
	"</script>&<>",
	"\x00\x01\x1f\x7f",
	"\b\f\v",
	"\ufeffBOM",
	"\xff\xfe",
	"\xfe\xff",
	"\xc3",
	"\xc3(",
	"\xed\xa0\x80",
	"\xf4\x90\x80\x80",
	"\xef\xbf\xbd",
	"Société Générale",
	"e\u0301",
	"\u2028\u2029",
	"#comment",
	strings.Repeat("é\"\n", 1000),
}

// replaceInvalid replaces each byte of s that is not part of valid UTF-8 with U+FFFD, as
// encoding/json does. (strings.ToValidUTF8 replaces a run of such bytes with one U+FFFD
// instead, which is not what JSON encoders do.)
func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// FuzzAppendJSONString checks the JSON string encoder: its output is valid JSON, decodes
// to the value with invalid bytes replaced, and is what encoding/json makes of the value
// up to the choice of escapes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range encodeFuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		const prefix = `{"k":`
		out := appendJSONString([]byte(prefix), s)
		if !strings.HasPrefix(string(out), prefix) {
			t.Fatalf("appendJSONString(%q) lost the buffer's content: %q", s, out)
		}
		enc := out[len(prefix):]
		if !json.Valid(enc) || !utf8.Valid(enc) {
			t.Fatalf("appendJSONString(%q) = %q, not valid JSON", s, enc)
		}
		var got string
		if err := json.Unmarshal(enc, &got); err != nil {
			t.Fatalf("appendJSONString(%q) = %q: %v", s, enc, err)
		}
		if want := replaceInvalid(s); got != want {
			t.Fatalf("appendJSONString(%q) = %q, decodes to %q, want %q", s, enc, got, want)
		}
		std, _ := json.Marshal(s)
		var stdGot string
		if err := json.Unmarshal(std, &stdGot); err != nil || stdGot != got {
			t.Fatalf("appendJSONString(%q) decodes to %q, encoding/json's to %q", s, got, stdGot)
		}
		if utf8.ValidString(s) && got != s {
			t.Fatalf("appendJSONString(%q) changed valid text to %q", s, got)
		}
	})
}

// FuzzAppendCSV checks the CSV field writer: encoding/csv reads the field back as the
// value, alone on its line and between other fields, whether the value spans one line or
// several. encoding/csv reads CRLF inside a quoted value as LF, as spreadsheets write line
// breaks in cells; that is the only change.
func FuzzAppendCSV(f *testing.F) {
	for _, s := range encodeFuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.ReplaceAll(s, "\r\n", "\n")
		check := func(line []byte, field int, n int) {
			t.Helper()
			r := csv.NewReader(strings.NewReader(string(line)))
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatalf("appendCSV(%q): encoding/csv cannot read %q: %v", s, line, err)
			}
			if len(recs) != 1 || len(recs[0]) != n {
				t.Fatalf("appendCSV(%q): %q reads as %q, want one record of %d fields", s, line, recs, n)
			}
			if got := recs[0][field]; got != want {
				t.Fatalf("appendCSV(%q): %q reads back as %q, want %q", s, line, got, want)
			}
		}
		mid := appendCSV([]byte("x,"), s)
		mid = append(appendCSV(append(mid, ','), "y"), '\n')
		check(mid, 1, 3)
		if s != "" { // an empty record is a blank line, which encoding/csv skips
			check(append(appendCSV(nil, s), "\r\n"...), 0, 1)
		}
	})
}
