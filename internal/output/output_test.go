package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/pcctl/pcctl/internal/iostreams"
)

type item struct {
	Name  string
	Count int64
	OK    bool
	At    time.Time
}

var itemFields = []Field[item]{
	StrField("name", "NAME", "a name", func(i *item) string { return i.Name }),
	IntField("count", "COUNT", "a count", func(i *item) int64 { return i.Count }),
	BoolField("ok", "OK", "a flag", func(i *item) bool { return i.OK }),
	TimeField("at", "AT", "a time", func(i *item) time.Time { return i.At }),
}

var items = []item{
	{Name: "Contoso, \"Ltd\"", Count: 3, OK: true, At: time.Date(2026, 11, 21, 10, 0, 0, 0, time.FixedZone("CET", 3600))},
	{Name: "Société\nGénérale\t", Count: -1},
}

func render(t *testing.T, o *Options, tty bool) string {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(false, tty, false)
	p, err := NewPrinter(ios, o, itemFields, []string{"name", "ok"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		if err := p.Print(&items[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestFormats(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		tty  bool
		want string
	}{
		{"json", Options{Format: JSON}, false, "[\n" +
			`{"name":"Contoso, \"Ltd\"","count":3,"ok":true,"at":"2026-11-21T09:00:00Z"},` + "\n" +
			`{"name":"Société\nGénérale\t","count":-1,"ok":false,"at":null}` + "\n]\n"},
		{"ndjson fields", Options{Format: NDJSON, Fields: []string{"ok", "name"}}, false,
			`{"ok":true,"name":"Contoso, \"Ltd\""}` + "\n" + `{"ok":false,"name":"Société\nGénérale\t"}` + "\n"},
		{"csv", Options{Format: CSV}, false, "name,count,ok,at\n\"Contoso, \"\"Ltd\"\"\",3,true,2026-11-21T09:00:00Z\n\"Société\nGénérale\t\",-1,false,\n"},
		{"table piped", Options{Format: Table}, false, "Contoso, \"Ltd\"\ttrue\nSociété Générale \tfalse\n"},
		{"table terminal", Options{Format: Table}, true, " NAME               OK    \n Contoso, \"Ltd\"     true  \n Société Générale   false \n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := render(t, &c.o, c.tty)
			if got != c.want {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func TestEmptyJSONIsAnArray(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	p, _ := NewPrinter(ios, &Options{Format: JSON}, itemFields, nil)
	p.Close()
	if out.String() != "[]\n" {
		t.Fatalf("%q", out.String())
	}
}

func TestUnknownField(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	_, err := NewPrinter(ios, &Options{Format: CSV, Fields: []string{"name", "nope"}}, itemFields, nil)
	if err == nil || err.Error() != `unknown field "nope" for --fields; valid fields: name, count, ok, at` {
		t.Fatalf("err = %v", err)
	}
}

// TestJSONStringsMatchEncodingJSON compares the hand-written encoder with encoding/json on
// random strings, invalid UTF-8 and control characters included.
func TestJSONStringsMatchEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []string{"a", "é", "\"", "\\", "\n", "\x00", "\x1f", "\x7f", "\u2028", "\u2029", "😀", "\xff", "\xe2\x82", "<", "&"}
	for range 5000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		want, _ := json.Marshal(s)
		// encoding/json escapes <, > and & for HTML; we do not need to.
		var back string
		if err := json.Unmarshal(appendJSONString(nil, s), &back); err != nil {
			t.Fatalf("%q: invalid JSON %q: %v", s, appendJSONString(nil, s), err)
		}
		var wantBack string
		if err := json.Unmarshal(want, &wantBack); err != nil {
			t.Fatal(err)
		}
		if back != wantBack {
			t.Fatalf("%q decodes to %q, encoding/json's to %q", s, back, wantBack)
		}
	}
}

func TestCSVMatchesEncodingCSV(t *testing.T) {
	for _, s := range []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\rhere", " leading", "\ttab", "trailing "} {
		line := appendCSV(nil, s)
		got, err := csv.NewReader(bytes.NewReader(append(line, '\n'))).Read()
		if s == "" {
			if len(line) != 0 {
				t.Errorf("empty field written as %q", line)
			}
			continue
		}
		if err != nil || len(got) != 1 || got[0] != s {
			t.Errorf("%q written as %q reads back as %q (%v)", s, line, got, err)
		}
	}
}

func TestFitColumns(t *testing.T) {
	headers := []string{"NAME", "DOMAIN", "NOTE", "ID"}
	ident := []bool{false, true, false, true}
	rows := [][]string{{"Société Générale Groupe International", "societegenerale.onmicrosoft.com", "", "0161fb68-7b7c-45d4-bad9-4f11563d7b5b"}}
	if keep := fitColumns(headers, rows, 200, ident, nil); len(keep) != 4 || rows[0][0] != "Société Générale Groupe International" {
		t.Fatalf("a table that fits was changed: %q, columns %v", rows[0], keep)
	}
	// 90 columns: the empty NOTE is left out, the name shrinks, the identifiers stay whole.
	keep := fitColumns(headers, rows, 90, ident, nil)
	total := 0
	for _, i := range keep {
		total += runewidth.StringWidth(rows[0][i]) + 2
	}
	if total > 90 || len(keep) != 3 || !strings.HasSuffix(rows[0][0], "…") ||
		rows[0][1] != "societegenerale.onmicrosoft.com" || rows[0][3] != "0161fb68-7b7c-45d4-bad9-4f11563d7b5b" {
		t.Fatalf("fitted to 90 columns: %q, columns %v (%d wide)", rows[0], keep, total)
	}
	// Too narrow for the identifiers: they are still whole (the line wraps).
	rows = [][]string{{"Contoso Corporation", "contoso.onmicrosoft.com", "x", "0161fb68-7b7c-45d4-bad9-4f11563d7b5b"}}
	fitColumns(headers, rows, 40, ident, nil)
	if rows[0][1] != "contoso.onmicrosoft.com" || rows[0][3] != "0161fb68-7b7c-45d4-bad9-4f11563d7b5b" || rows[0][0] != "Contoso…" {
		t.Fatalf("fitted to 40 columns: %q", rows[0])
	}
}

func TestLabel(t *testing.T) {
	for h, want := range map[string]string{"COMPANY NAME": "Company name", "ID": "ID", "Read": "Read", "FLAGGED AT": "Flagged at", "MPN ID": "MPN ID", "SUBSCRIPTION ID": "Subscription ID"} {
		if got := label(h); got != want {
			t.Errorf("label(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestDecimalField(t *testing.T) {
	f := DecimalField("value", "VALUE", "an amount", func(s *string) string { return *s })
	for in, want := range map[string]string{"50000": "50000", "1234.50": "1234.50", "": "null", "1e9": "null", "12.": "null", "-5": "null"} {
		v := in
		if got := string(f.appendJSON(nil, &v)); got != want {
			t.Errorf("%q as JSON: %s, want %s", in, got, want)
		}
		if got := f.text(&v); got != in {
			t.Errorf("%q as text: %q", in, got)
		}
	}
}

// TestTableEscapesControls (issue 14, item 7): a value holding ESC, BEL, a lone CR or a
// bidirectional override (from Partner Center, an import, an older workspace) is printed
// in a table with those characters escaped, never raw; line breaks and tabs are spaces.
func TestTableEscapesControls(t *testing.T) {
	for in, want := range map[string]string{
		"Contoso\x1b[2J":    `Contoso\u001b[2J`,
		"bell\a":            `bell\u0007`,
		"a\rb":              `a\u000db`,
		"evil\u202Etxt.exe": `evil\u202etxt.exe`,
		"two\nlines\tok":    "two lines ok",
		"Société":           "Société",
	} {
		if got := cleanCell(in); got != want {
			t.Errorf("cleanCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpreadsheetSafe(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+33 1": "'+33 1", "-x": "'-x", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "Contoso": "Contoso", "": "", "a=b": "a=b"} {
		if got := SpreadsheetSafe(in); got != want {
			t.Errorf("SpreadsheetSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFitColumnsLeavesOut: on a narrow terminal the columns of least use go first, in the
// order given, until the table fits with free text at a readable width; a column left out
// comes back when a later one's room is enough; numbers and times are never cut.
func TestFitColumnsLeavesOut(t *testing.T) {
	headers := []string{"COMPANY NAME", "DOMAIN", "COUNTRY", "RESELLER", "FLAGGED", "ID"}
	ident := []bool{false, true, false, true, true, true}
	row := func() [][]string {
		return [][]string{{"Allgemeine Beratung GmbH & Co. KG", "anderssonredovisning.onmicrosoft.com", "DE", "3715686", "false", "b2583c5b-bbc9-432a-b39b-ec3b59f4eb2a"}}
	}
	width := func(rows [][]string, keep []int) int {
		n := 0
		for _, i := range keep {
			n += runewidth.StringWidth(rows[0][i]) + 2
		}
		return n
	}
	rows := row()
	keep := fitColumns(headers, rows, 80, ident, []int{5, 4, 2, 3})
	if got := pick(headers, keep); strings.Join(got, ",") != "COMPANY NAME,DOMAIN,COUNTRY,RESELLER" || width(rows, keep) > 80 ||
		rows[0][1] != "anderssonredovisning.onmicrosoft.com" || !strings.HasSuffix(rows[0][0], "…") || runewidth.StringWidth(rows[0][0]) < 16 {
		t.Fatalf("80 columns: %q of %q (%d wide)", got, pick(rows[0], keep), width(rows, keep))
	}
	// The ID goes last: the flag, the country and the reseller go first, then the ID; the
	// reseller and the country come back in the room the ID freed, the flag does not fit.
	rows = row()
	keep = fitColumns(headers, rows, 80, ident, []int{4, 2, 3, 5})
	if got := pick(headers, keep); strings.Join(got, ",") != "COMPANY NAME,DOMAIN,COUNTRY,RESELLER" || width(rows, keep) > 80 {
		t.Fatalf("80 columns, the ID last: %q (%d wide)", got, width(rows, keep))
	}
	// Wide enough: nothing left out, nothing cut.
	rows = row()
	if keep := fitColumns(headers, rows, 200, ident, []int{5, 4, 2, 3}); len(keep) != 6 || rows[0][0] != "Allgemeine Beratung GmbH & Co. KG" {
		t.Fatalf("200 columns: %q", pick(rows[0], keep))
	}
	// Without an order, nothing is left out (the identifiers wrap).
	rows = row()
	if keep := fitColumns(headers, rows, 80, ident, nil); len(keep) != 6 {
		t.Fatalf("80 columns, nothing to leave out: %q", pick(headers, keep))
	}
}

// TestTableNeverCutsNumbersOrTimes: a table narrower than its content cuts free text,
// never an amount, a count or a time ("563056.…" misleads).
func TestTableNeverCutsNumbersOrTimes(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(false, true, false)
	ios.SetWidth(40)
	p, err := NewPrinter(ios, &Options{Format: Table}, itemFields, []string{"name", "count", "at"})
	if err != nil {
		t.Fatal(err)
	}
	r := item{Name: "A very long company name indeed, Ltd", Count: 1234567890123, At: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	if err := p.Print(&r); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1234567890123") || !strings.Contains(out.String(), "2026-11-21T10:00:00Z") || !strings.Contains(out.String(), "…") {
		t.Fatalf("a 40-column table cut a number or a time, or no free text:\n%s", out)
	}
}

// TestPrinterWideAndNamed: --wide shows every column in full whatever the terminal, and
// columns named with --fields are never left out.
func TestPrinterWideAndNamed(t *testing.T) {
	r := item{Name: "A very long company name indeed, Ltd", Count: 7, OK: true}
	print := func(o *Options) string {
		ios, _, out, _ := iostreams.Test()
		ios.SetTTY(false, true, false)
		ios.SetWidth(20)
		p, err := NewPrinter(ios, o, itemFields, []string{"name", "count", "ok"})
		if err != nil {
			t.Fatal(err)
		}
		p.LeaveOut("count", "ok")
		if err := p.Print(&r); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if got := print(&Options{Format: Table}); strings.Contains(got, "COUNT") || strings.Contains(got, "OK") {
		t.Errorf("20 columns left COUNT and OK in:\n%s", got)
	}
	if got := print(&Options{Format: Table, Wide: true}); !strings.Contains(got, r.Name) || !strings.Contains(got, "COUNT") || !strings.Contains(got, "OK") {
		t.Errorf("--wide did not show every column in full:\n%s", got)
	}
	if got := print(&Options{Format: Table, Fields: []string{"name", "count", "ok"}}); !strings.Contains(got, "COUNT") || !strings.Contains(got, "OK") {
		t.Errorf("columns named with --fields were left out:\n%s", got)
	}
}

// TestIsIdent: addresses, IDs, domains and the user (an address) are never cut.
func TestIsIdent(t *testing.T) {
	for _, name := range []string{"id", "domain", "email", "user", "resellerMpnId", "customerId", "sellerEmail", "link"} {
		if !isIdent(name) {
			t.Errorf("%s is not an identifier", name)
		}
	}
	for _, name := range []string{"companyName", "title", "offer", "action"} {
		if isIdent(name) {
			t.Errorf("%s is an identifier", name)
		}
	}
}
