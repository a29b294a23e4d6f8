package psc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestColumns(t *testing.T) {
	want := []string{
		"Opportunity ID", "Deal Name", "Customer Name", "Customer Country", "Deal Value", "Currency", "Status",
		"Deal Role", "Licensing Program", "Products", "Estimated Close Date", "Customer Outcome",
		"Customer Contact Name", "Customer Contact Email", "Customer Contact Phone", "Seller Email",
		"Created Date", "Last Modified Date", "Deal Type", "Customer Domain", "Customer ID",
	}
	if len(want) != int(NumColumns) {
		t.Fatalf("NumColumns = %d, want %d", NumColumns, len(want))
	}
	for c := range NumColumns {
		if got := c.String(); got != want[c] {
			t.Errorf("Column(%d).String() = %q, want %q", int(c), got, want[c])
		}
		for _, name := range []string{want[c], strings.ToLower(want[c]), strings.ToUpper(want[c]),
			strings.ReplaceAll(want[c], " ", ""), " " + strings.ReplaceAll(strings.ToUpper(want[c]), " ", "  ") + " ",
			strings.ReplaceAll(want[c], " ", "_"), strings.ReplaceAll(want[c], " ", "-"), "\u00a0" + want[c]} {
			if got, ok := ParseColumn(name); !ok || got != c {
				t.Errorf("ParseColumn(%q) = %v, %v; want %v", name, got, ok, c)
			}
		}
		if got, wantReq := c.Required(), c == OpportunityID || c == DealName || c == CustomerName || c == Status; got != wantReq {
			t.Errorf("%v.Required() = %v", c, got)
		}
	}
	for _, name := range []string{"", "Opportunity", "Opportunity ID 2", "Opportunity.ID", "Customer Contact"} {
		if c, ok := ParseColumn(name); ok {
			t.Errorf("ParseColumn(%q) = %v, want none", name, c)
		}
	}
	if got := NumColumns.String(); got != "Column(21)" {
		t.Errorf("NumColumns.String() = %q", got)
	}
}

func TestParseOptions(t *testing.T) {
	for in, want := range map[string]DateFormat{"auto": DateAuto, "AUTO": DateAuto, "YYYY-MM-DD": DateISO, "yyyy-mm-dd": DateISO,
		"MM/DD/YYYY": DateMDY, " DD/MM/YYYY ": DateDMY} {
		if got, err := ParseDateFormat(in); err != nil || got != want {
			t.Errorf("ParseDateFormat(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for d := range DateFormat(4) {
		if got, err := ParseDateFormat(d.String()); err != nil || got != d {
			t.Errorf("ParseDateFormat(%v.String()) = %v, %v", d, got, err)
		}
	}
	// The separators people type, and the letters of other languages.
	for in, want := range map[string]DateFormat{"DD.MM.YYYY": DateDMY, "dd-mm-yyyy": DateDMY, "DD MM YYYY": DateDMY,
		"MM.DD.YYYY": DateMDY, "YYYY/MM/DD": DateISO, "YYYY.MM.DD": DateISO, "JJ/MM/AAAA": DateDMY, "TT.MM.JJJJ": DateDMY} {
		if got, err := ParseDateFormat(in); err != nil || got != want {
			t.Errorf("ParseDateFormat(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"DD-MM-YY", "D.M.YYYY", "YYYY-DD-MM", ""} {
		if _, err := ParseDateFormat(in); err == nil || err.Error() != fmt.Sprintf(`%q is not a date format (allowed: auto, YYYY-MM-DD, MM/DD/YYYY, DD/MM/YYYY; any of / . - as separator)`, in) {
			t.Errorf("ParseDateFormat(%q): %v", in, err)
		}
	}
	for in, want := range map[string]Encoding{"auto": EncodingAuto, "utf-8": EncodingUTF8, "UTF8": EncodingUTF8,
		"windows-1252": EncodingWindows1252, "Windows-1252": EncodingWindows1252, "cp1252": EncodingWindows1252,
		"ISO-8859-1": EncodingWindows1252, "latin1": EncodingWindows1252} {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for e := range Encoding(3) {
		if got, err := ParseEncoding(e.String()); err != nil || got != e {
			t.Errorf("ParseEncoding(%v.String()) = %v, %v", e, got, err)
		}
	}
	if _, err := ParseEncoding("utf-16"); err == nil || err.Error() != `"utf-16" is not a supported encoding (allowed: auto, utf-8, windows-1252)` {
		t.Errorf("ParseEncoding(utf-16): %v", err)
	}
}

func TestLoadMapping(t *testing.T) {
	fh, err := os.Open(filepath.Join("testdata", "map-fr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	m, err := LoadMapping(fh, "map-fr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Mapping{Columns: map[string]Column{"iddel'opportunité": OpportunityID, "nomdel'affaire": DealName, "nomduclient": CustomerName, "statut": Status, "valeur": DealValue}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("mapping = %v, want %v", m, want)
	}
	f := read(t, "ID DE L'OPPORTUNITÉ;Nom de l'affaire;Nom du client;Statut;Valeur;Devise\n1;n;c;Open;5;EUR\n", Options{Map: m})
	if f.Rows[0].Values[DealValue] != "5" || !reflect.DeepEqual(f.Unknown, []string{"Devise"}) {
		t.Errorf("read with the mapping: %q, unknown %q", f.Rows[0].Values, f.Unknown)
	}

	// Other forms: flow style, a built-in name for its own column (ignored), anchors.
	for _, in := range []string{
		"columns: {Statut: Status, Status: Status}\n",
		"columns:\n  Statut: &s Status\n",
		"# comment\ncolumns:\n  'Statut': \"status\"\n...\n",
	} {
		m, err := LoadMapping(strings.NewReader(in), "map.yaml")
		if err != nil || m.Columns["statut"] != Status {
			t.Errorf("LoadMapping(%q) = %v, %v", in, m, err)
		}
	}
}

func TestLoadMappingValues(t *testing.T) {
	const in = `columns:
  Statut: Status
  Type d'affaire: Deal Type
values:
  Statut: {Gagné: Won, Perdu: Lost, Ouvert: Open}
  Deal Type: {Standard: Private}
  Customer Country: {Hexagone: FR}
`
	m, err := LoadMapping(strings.NewReader(in), "map.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []ValueMapping{
		{Status, "Gagné", "Won", 5, 19}, {Status, "Perdu", "Lost", 5, 31}, {Status, "Ouvert", "Open", 5, 45},
		{DealType, "Standard", "Private", 6, 25}, {CustomerCountry, "Hexagone", "FR", 7, 32},
	}
	if !reflect.DeepEqual(m.Values, want) {
		t.Errorf("values = %+v\nwant %+v", m.Values, want)
	}
	// Values are matched ignoring case, accents and spaces, and only in their column.
	f := read(t, "Opportunity ID;Deal Name;Customer Name;Statut;Type d'affaire;Customer Country;Notes\n"+
		"1;n;c; GAGNE ;standard;hexagone;Gagné\n2;n;c;Perdu;Co-sell;Hexagone  ;x\n3;n;c;En cours;;FR;x\n", Options{Map: m})
	got := [][3]string{}
	for _, r := range f.Rows {
		got = append(got, [3]string{r.Values[Status], r.Values[DealType], r.Values[CustomerCountry]})
	}
	if w := [][3]string{{"Won", "Private", "FR"}, {"Lost", "Co-sell", "FR"}, {"En cours", "", "FR"}}; !reflect.DeepEqual(got, w) {
		t.Errorf("rows = %q, want %q", got, w)
	}
	if f.Rows[0].Column[Status] != 7 {
		t.Errorf("a mapped value keeps its position: %d", f.Rows[0].Column[Status])
	}
}

func TestFoldValue(t *testing.T) {
	for in, want := range map[string]string{"Gagné": "gagne", "  In  Bearbeitung ": "in bearbeitung", "ÖSTERREICH": "osterreich", "": ""} {
		if got := FoldValue(in); got != want {
			t.Errorf("FoldValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoadMappingErrors(t *testing.T) {
	const format = `expected "columns:" followed by one "file header: PSC column" line per column, and/or "values:" followed by one "PSC column: {file value: value}" line per column`
	const list = "Opportunity ID, Deal Name, Customer Name, Customer Country, Deal Value, Currency, Status, Deal Role, Licensing Program, Products, Estimated Close Date, Customer Outcome, Customer Contact Name, Customer Contact Email, Customer Contact Phone, Seller Email, Created Date, Last Modified Date, Deal Type, Customer Domain, Customer ID"
	tests := []struct{ name, in, want string }{
		{"empty", "", "map.yaml: file is empty: " + format},
		{"comments only", "# nothing\n", "map.yaml: file is empty: " + format},
		{"not a mapping", "- a\n- b\n", "map.yaml:1:1: not a mapping: " + format},
		{"unknown key", "colums:\n  a: Status\n", `map.yaml:1:1: unknown key "colums": ` + format},
		{"no columns", "columns:\n", `map.yaml:1:1: no "columns" and no "values": ` + format},
		{"columns a list", "columns:\n  - Status\n", `map.yaml:2:3: "columns" is not a mapping: ` + format},
		{"unknown target", "columns:\n  \"ID de l'opportunité\": Opportunity ID\n  Nom: Opportunity\n",
			`map.yaml:3:8: "Opportunity" is not a PSC column (the columns are ` + list + `)`},
		{"empty target", "columns:\n  Nom:\n", `map.yaml:2:7: "Nom" must map to the name of a PSC column (` + list + `), not nothing`},
		{"list target", "columns:\n  Nom: [Deal Name]\n", `map.yaml:2:8: "Nom" must map to the name of a PSC column (` + list + `), not a list`},
		{"duplicate target", "columns:\n  Nom du client: Customer Name\n  Client: customer name\n",
			`map.yaml:3:3: "Client" and "Nom du client" (line 2) both map to Customer Name; a column can be named only once`},
		{"duplicate header", "columns:\n  Client: Customer Name\n  CLIENT: Deal Name\n",
			`map.yaml:3:3: "CLIENT" is given twice (also at line 2; header names are matched ignoring case and spaces)`},
		{"duplicate key", "columns:\n  Client: Customer Name\n  Client: Deal Name\n",
			`map.yaml:3:3: "Client" is given twice (also at line 2; header names are matched ignoring case and spaces)`},
		{"built-in name of another column", "columns:\n  Deal Name: Customer Name\n",
			`map.yaml:2:3: "Deal Name" is the name of the Deal Name column; it cannot be mapped to Customer Name`},
		{"empty header", "columns:\n  \" \": Status\n", `map.yaml:2:3: empty header name`},
		{"header a list", "columns:\n  [a]: Status\n", `map.yaml:2:3: a header name must be text, not a list`},
		{"syntax", "columns:\n  Nom: Deal Name\n Client: Status\n", `map.yaml:2: not valid YAML: did not find expected key`},
		{"tab", "columns:\n\tNom: Deal Name\n", `map.yaml:2: not valid YAML: found character that cannot start any token`},
		{"two columns", "columns:\n  a: Status\ncolumns:\n  b: Deal Name\n", `map.yaml:3:1: "columns" appears twice`},
		{"values: unknown column", "values:\n  Statu: {Gagné: Won}\n",
			`map.yaml:2:3: "Statu" under "values" is neither a PSC column nor a header of "columns" (the columns are ` + list + `)`},
		{"values: a list", "values:\n  Status: [Won]\n",
			`map.yaml:2:11: the values of Status must be a mapping of file values to values, as in {Gagné: Won}, not a list`},
		{"values: column twice", "columns:\n  Statut: Status\nvalues:\n  Status: {a: Won}\n  statut: {b: Lost}\n",
			`map.yaml:5:3: the values of Status are given twice (also at line 4)`},
		{"values: value twice", "values:\n  Status:\n    Gagné: Won\n    GAGNE: Lost\n",
			`map.yaml:4:5: Status value "GAGNE" is given twice (also at line 3; values are matched ignoring case, accents and spaces)`},
		{"values: no target", "values:\n  Deal Type: {Standard: }\n",
			`map.yaml:2:25: Deal Type value "Standard" must map to a value, not nothing`},
		{"values: empty value", "values:\n  Deal Type: {'': Private}\n",
			`map.yaml:2:15: an empty value of Deal Type cannot be mapped`},
		{"values twice", "values:\n  Status: {a: Won}\nvalues:\n  Status: {b: Won}\n", `map.yaml:3:1: "values" appears twice`},
		{"too large", "columns:\n" + strings.Repeat("#", 1<<20), "map.yaml: file is larger than 1 MiB; this does not look like a column mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := LoadMapping(strings.NewReader(tt.in), "map.yaml")
			if err == nil || err.Error() != tt.want || m != nil {
				t.Errorf("LoadMapping = %v, %v\nwant error %s", m, err, tt.want)
			}
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Errorf("error is a %T", err)
			}
		})
	}
	if _, err := LoadMapping(iotest.ErrReader(errors.New("boom")), "map.yaml"); err == nil || err.Error() != "reading map.yaml: boom" {
		t.Errorf("read error: %v", err)
	}
}
