package customercsv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

const excel = `in Excel: Save As, "CSV UTF-8 (Comma delimited)"`

// open returns a Reader on input named "customers.csv", failing the test
// if NewReader fails.
func open(t *testing.T, input string) *Reader {
	t.Helper()
	r, err := NewReader(strings.NewReader(input), "customers.csv")
	if err != nil {
		t.Fatalf("NewReader(%q): %v", input, err)
	}
	return r
}

// readAll reads to io.EOF, returning the rows and the Error() text of every
// error on the way.
func readAll(t *testing.T, r *Reader) (rows []Row, errs []string) {
	t.Helper()
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("Read does not reach io.EOF")
		}
		row, err := r.Read()
		if err == io.EOF {
			if _, err := r.Read(); err != io.EOF {
				t.Fatalf("Read after io.EOF: %v, want io.EOF", err)
			}
			return rows, errs
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Read: %T %v, want *Error", err, err)
			}
			if row != (Row{}) {
				t.Errorf("Read returned %+v with error %v", row, err)
			}
			errs = append(errs, err.Error())
			continue
		}
		rows = append(rows, row)
	}
}

// headerError returns the Error() text of NewReader's error for input,
// failing the test if there is none or it is not an *Error.
func headerError(t *testing.T, input string) string {
	t.Helper()
	r, err := NewReader(strings.NewReader(input), "customers.csv")
	if err == nil {
		t.Fatalf("NewReader(%q) succeeded (delimiter %q, unknown %q), want an error", input, r.Delimiter(), r.Unknown())
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("NewReader(%q): %T %v, want *Error", input, err, err)
	}
	return err.Error()
}

func TestFieldString(t *testing.T) {
	want := []string{"id", "companyName", "domain", "country", "resellerMpnId", "relationship", "createdAt"}
	for f := range Field(NumFields) {
		if got := f.String(); got != want[f] {
			t.Errorf("Field(%d).String() = %q, want %q", int(f), got, want[f])
		}
		if got := f.Aliases()[0]; got != want[f] {
			t.Errorf("%v.Aliases()[0] = %q, want the canonical name", f, got)
		}
		if got, wantReq := f.Required(), f == FieldCompanyName || f == FieldDomain; got != wantReq {
			t.Errorf("%v.Required() = %v", f, got)
		}
	}
	if got := Field(7).String(); got != "Field(7)" {
		t.Errorf("Field(7).String() = %q", got)
	}
}

// TestAliasesDistinct guards against an alias of one field normalizing to
// an alias of another (the later one would silently win).
func TestAliasesDistinct(t *testing.T) {
	seen := map[string]Field{}
	for f := range Field(NumFields) {
		for _, a := range fieldAliases[f] {
			n := normalizeHeader(a)
			if g, ok := seen[n]; ok && g != f {
				t.Errorf("alias %q of %v normalizes to %q, as an alias of %v does", a, f, n, g)
			}
			seen[n] = f
		}
	}
}

func TestEveryAlias(t *testing.T) {
	aliases := map[Field][]string{
		FieldID:            {"id", "Microsoft ID", "Customer ID", "Tenant ID"},
		FieldCompanyName:   {"companyName", "Company name", "Name", "Customer name", "Company"},
		FieldDomain:        {"domain", "Primary domain name", "Primary domain", "Domain name"},
		FieldCountry:       {"country", "Country code", "Country/Region"},
		FieldResellerMPNID: {"resellerMpnId", "Reseller MPN ID", "Reseller", "Indirect reseller", "Indirect reseller MPN ID"},
		FieldRelationship:  {"relationship", "Relationship to partner"},
		FieldCreatedAt:     {"createdAt", "Created", "Created date", "Relationship start"},
	}
	for f, names := range aliases {
		if got := f.Aliases(); !reflect.DeepEqual(got, names) {
			t.Errorf("%v.Aliases() = %q, want %q", f, got, names)
		}
		for _, name := range names {
			variants := []string{
				name,
				strings.ToUpper(name),
				strings.ToLower(name),
				"  " + name + " ",
				strings.ReplaceAll(name, " ", "_"),
				strings.ReplaceAll(name, " ", "-"),
				strings.ReplaceAll(name, " ", ""),
				strings.ReplaceAll(name, " ", " _- "),
			}
			for _, v := range variants {
				t.Run(f.String()+"/"+v, func(t *testing.T) {
					header := []string{"Notes", v}
					row := []string{"a note", "the value"}
					if f != FieldCompanyName {
						header, row = append(header, "company"), append(row, "Contoso")
					}
					if f != FieldDomain {
						header, row = append(header, "DOMAIN"), append(row, "contoso.com")
					}
					r := open(t, strings.Join(header, ",")+"\n"+strings.Join(row, ",")+"\n")
					if !r.Has(f) {
						t.Fatalf("header %q: Has(%v) = false", header, f)
					}
					if got, want := r.Header(f), strings.TrimSpace(v); got != want {
						t.Errorf("Header(%v) = %q, want %q", f, got, want)
					}
					if got := r.Unknown(); !reflect.DeepEqual(got, []string{"Notes"}) {
						t.Errorf("Unknown() = %q, want [Notes]", got)
					}
					got, err := r.Read()
					if err != nil {
						t.Fatal(err)
					}
					if got.Values[f] != "the value" || got.Column[f] != len("a note,")+1 || got.FieldLine[f] != 2 {
						t.Errorf("row %+v: want %v = \"the value\" at 2:8", got, f)
					}
				})
			}
		}
	}
}

func TestHeaderVariants(t *testing.T) {
	for _, h := range []string{
		"Company name", "company_name", "CompanyName", "COMPANY NAME", "company-name",
		" company  name ", "Company__Name", "companyname", `"Company name"`, `" Company Name "`,
	} {
		r := open(t, h+",domain\nContoso,contoso.com\n")
		if !r.Has(FieldCompanyName) {
			t.Errorf("header %q does not map to companyName", h)
		}
	}
	for _, h := range []string{"Company name 2", "Company.name", "Companies", "Compagnie"} {
		r := open(t, h+",Company,domain\n")
		if got := r.Unknown(); !reflect.DeepEqual(got, []string{h}) {
			t.Errorf("header %q: Unknown() = %q, want it unknown", h, got)
		}
	}
}

func TestPartnerCenterExport(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "partner-center-export.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, "export.csv")
	if err != nil {
		t.Fatal(err)
	}
	if r.Delimiter() != ';' {
		t.Errorf("Delimiter() = %q, want ';'", r.Delimiter())
	}
	for _, fld := range []Field{FieldID, FieldCompanyName, FieldDomain, FieldRelationship} {
		if !r.Has(fld) {
			t.Errorf("Has(%v) = false", fld)
		}
	}
	for _, fld := range []Field{FieldCountry, FieldResellerMPNID, FieldCreatedAt} {
		if r.Has(fld) {
			t.Errorf("Has(%v) = true", fld)
		}
	}
	if got := r.Header(FieldID); got != "Microsoft ID" {
		t.Errorf("Header(id) = %q (is the BOM stripped?)", got)
	}
	if len(r.Unknown()) != 0 {
		t.Errorf("Unknown() = %q", r.Unknown())
	}
	rows, errs := readAll(t, r)
	if errs != nil {
		t.Fatal(errs)
	}
	want := []Row{{
		Line:      2,
		Values:    [NumFields]string{"8c6a3f2e-1b4d-4e8a-9f0c-2d7b5e6a1c3f", "Contoso", "contoso.onmicrosoft.com", "", "", "Reseller", ""},
		Column:    [NumFields]int{1, 38, 46, 0, 0, 70, 0},
		FieldLine: [NumFields]int{2, 2, 2, 0, 0, 2, 0},
	}, {
		Line:      3,
		Values:    [NumFields]string{"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "Société Générale d'Essai", "essai.onmicrosoft.com", "", "", "Reseller", ""},
		Column:    [NumFields]int{1, 38, 63, 0, 0, 85, 0},
		FieldLine: [NumFields]int{3, 3, 3, 0, 0, 3, 0},
	}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, want)
	}
}

func TestMissingRequiredColumns(t *testing.T) {
	const (
		company = `the company name (accepted header names: "companyName", "Company name", "Name", "Customer name", "Company")`
		domain  = `the domain (accepted header names: "domain", "Primary domain name", "Primary domain", "Domain name")`
	)
	tests := []struct{ input, want string }{
		{"Company,Notes\n", "customers.csv:1: missing required column for " + domain},
		{"Notes;Domain name\nx;y\n", "customers.csv:1: missing required column for " + company},
		{"id,country\n", "customers.csv:1: missing required columns for " + company + " and " + domain},
		{"\n\n  \nid\tcountry\n", "customers.csv:4: missing required columns for " + company + " and " + domain},
		{"Contoso,contoso.com\n", "customers.csv:1: missing required columns for " + company + " and " + domain},
	}
	for _, tt := range tests {
		if got := headerError(t, tt.input); got != tt.want {
			t.Errorf("NewReader(%q):\n got %s\nwant %s", tt.input, got, tt.want)
		}
	}
}

func TestDuplicateColumns(t *testing.T) {
	tests := []struct{ input, want string }{
		{"Company name,domain,Customer name\n",
			`customers.csv:1:21: columns "Company name" and "Customer name" both map to the company name; delete or rename one of them`},
		{"Company;Domain;Primary domain name\n",
			`customers.csv:1:16: columns "Domain" and "Primary domain name" both map to the domain; delete or rename one of them`},
		{"Company,domain,Notes,domain\n",
			`customers.csv:1:22: column "domain" appears twice; delete or rename one of them`},
		{"Company,domain,Tenant ID,Microsoft_ID\n",
			`customers.csv:1:26: columns "Tenant ID" and "Microsoft_ID" both map to the tenant ID; delete or rename one of them`},
	}
	for _, tt := range tests {
		if got := headerError(t, tt.input); got != tt.want {
			t.Errorf("NewReader(%q):\n got %s\nwant %s", tt.input, got, tt.want)
		}
	}
}

func TestUnknownColumns(t *testing.T) {
	r := open(t, "Notes,Company,Region,,domain, Account manager \n")
	if got, want := r.Unknown(), []string{"Notes", "Region", "Account manager"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Unknown() = %q, want %q", got, want)
	}
	r.Unknown()[0] = "changed"
	if r.Unknown()[0] != "Notes" {
		t.Error("Unknown() returns the reader's own slice")
	}
	if r := open(t, "Company,domain\n"); r.Unknown() != nil {
		t.Errorf("Unknown() = %q, want none", r.Unknown())
	}
}

func TestDelimiterDetection(t *testing.T) {
	for _, tt := range []struct {
		input string
		want  rune
	}{
		{"Company,domain\nA;B;C;D,x\n", ','}, // only the header line counts
		{"Company;domain\nA,B,C;x\n", ';'},
		{"Company\tdomain\nA,B,C\tx\n", '\t'},
		{"\uFEFF\r\n,,,\r\nCompany;domain;\"Notes, misc\"\r\n", ';'},
	} {
		r := open(t, tt.input)
		if got := r.Delimiter(); got != tt.want {
			t.Errorf("%q: Delimiter() = %q, want %q", tt.input, got, tt.want)
		}
	}

}

func TestRows(t *testing.T) {
	row := func(line int, company, domain string, cCol, dCol int) Row {
		var r Row
		r.Line = line
		r.Values[FieldCompanyName], r.Values[FieldDomain] = company, domain
		r.Column[FieldCompanyName], r.Column[FieldDomain] = cCol, dCol
		r.FieldLine[FieldCompanyName], r.FieldLine[FieldDomain] = line, line
		return r
	}
	tests := []struct {
		name, input string
		want        []Row
	}{
		{"header only", "Company,domain\n", nil},
		{"header only without newline", "Company,domain", nil},
		{"header only CRLF", "Company,domain\r\n", nil},
		{"no final newline", "Company,domain\nA,a.com", []Row{row(2, "A", "a.com", 1, 3)}},
		{"trailing CRLF", "Company,domain\r\nA,a.com\r\nB,b.com\r\n", []Row{row(2, "A", "a.com", 1, 3), row(3, "B", "b.com", 1, 3)}},
		{"CR at end of file", "Company,domain\r\nA,a.com\r", []Row{row(2, "A", "a.com", 1, 3)}},
		{"blank lines", "\n\r\nCompany,domain\n\nA,a.com\n\r\n  \n,\n , \n\nB,b.com\n\n", []Row{row(5, "A", "a.com", 1, 3), row(11, "B", "b.com", 1, 3)}},
		{"blank quoted record", "Company,domain\n\"\",\" \"\nA,a.com\n", []Row{row(3, "A", "a.com", 1, 3)}},
		{"values trimmed", "Company,domain\n  Contoso Ltd \t, contoso.com \n", []Row{row(2, "Contoso Ltd", "contoso.com", 1, 17)}},
		{"unicode spaces trimmed", "Company,domain\n\u00a0Contoso\u00a0,\u3000contoso.com\u2003\n", []Row{row(2, "Contoso", "contoso.com", 1, 11)}},
		{"quoted values trimmed", "Company,domain\n\" Contoso \",\"\tcontoso.com\n\"\n", []Row{{
			Line:      2,
			Values:    [NumFields]string{FieldCompanyName: "Contoso", FieldDomain: "contoso.com"},
			Column:    [NumFields]int{FieldCompanyName: 1, FieldDomain: 13},
			FieldLine: [NumFields]int{FieldCompanyName: 2, FieldDomain: 2},
		}}},
		{"quoted value, then an empty one at the end of the file", "Company,domain\n\"A\",", []Row{row(2, "A", "", 1, 5)}},
		{"empty values", "Company,domain\n,x.com\nA,\n", []Row{row(2, "", "x.com", 1, 2), row(3, "A", "", 1, 3)}},
		{"doubled quotes", "Company,domain\n\"Contoso \"\"Retail\"\", Inc.\",contoso.com\n", []Row{row(2, `Contoso "Retail", Inc.`, "contoso.com", 1, 28)}},
		{"quoted delimiter", "Company;domain\n\"A; B\";a.com\n", []Row{row(2, "A; B", "a.com", 1, 8)}},
		{"characters not bytes", "Company,domain\nSociété Générale,société.fr\n", []Row{row(2, "Société Générale", "société.fr", 1, 18)}},
		{"tab", "Company\tdomain\nA, Inc.\ta.com\n", []Row{row(2, "A, Inc.", "a.com", 1, 9)}},
		{"CRLF inside quotes becomes LF", "Company,domain\r\n\"A\r\nB\",a.com\r\n", []Row{{
			Line:      2,
			Values:    [NumFields]string{FieldCompanyName: "A\nB", FieldDomain: "a.com"},
			Column:    [NumFields]int{FieldCompanyName: 1, FieldDomain: 4},
			FieldLine: [NumFields]int{FieldCompanyName: 2, FieldDomain: 3},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs := readAll(t, open(t, tt.input))
			if errs != nil {
				t.Fatalf("errors: %q", errs)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows:\n got %+v\nwant %+v", rows, tt.want)
			}
		})
	}
}

func TestQuotedNewlines(t *testing.T) {
	input := "id,Company,domain,country\n" + // 1
		"1,\"Contoso\n" + // 2
		"Retail\n" + // 3
		"\n" + // 4: blank line inside quotes is part of the value
		"Group\",contoso.com,US\n" + // 5
		"2,Fabrikam,\"fabrikam.com\",\"F\n" + // 6
		"R\"\n" + // 7
		"3,\"Ünïcødé\n" + // 8
		"Ltd\",\"x\n" + // 9
		"é\",\"\"\"\n" + // 10
		"\"\"\"\n" // 11
	rows, errs := readAll(t, open(t, input))
	if errs != nil {
		t.Fatal(errs)
	}
	want := []Row{{
		Line:      2,
		Values:    [NumFields]string{"1", "Contoso\nRetail\n\nGroup", "contoso.com", "US"},
		Column:    [NumFields]int{1, 3, 8, 20},
		FieldLine: [NumFields]int{2, 2, 5, 5},
	}, {
		Line:      6,
		Values:    [NumFields]string{"2", "Fabrikam", "fabrikam.com", "F\nR"},
		Column:    [NumFields]int{1, 3, 12, 27},
		FieldLine: [NumFields]int{6, 6, 6, 6},
	}, {
		Line:      8,
		Values:    [NumFields]string{"3", "Ünïcødé\nLtd", "x\né", "\"\n\""},
		Column:    [NumFields]int{1, 3, 6, 4},
		FieldLine: [NumFields]int{8, 8, 9, 10},
	}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, want)
	}
}

func TestMalformedRecords(t *testing.T) {
	tests := []struct {
		name, input string
		errs        []string
		lines       []int // Line of the rows read despite the errors
	}{
		{"too few fields", "Company,domain,country\nA,a.com,US\nContoso,contoso.com\nB,b.com,FR\n",
			[]string{"customers.csv:3: 2 fields, but the header has 3 (is a delimiter missing, or a quote unclosed?)"}, []int{2, 4}},
		{"one field", "Company,domain\nContoso contoso.com\n",
			[]string{"customers.csv:2: 1 field, but the header has 2 (is a delimiter missing, or a quote unclosed?)"}, nil},
		{"too many fields", "Company,domain,country\n\nContoso, Inc.,contoso.com,US\n",
			[]string{"customers.csv:3: 4 fields, but the header has 3 (does a value contain a comma? If so, enclose it in double quotes)"}, nil},
		{"too many fields semicolon", "Company;domain\nA;B;a.com\n",
			[]string{"customers.csv:2: 3 fields, but the header has 2 (does a value contain a semicolon? If so, enclose it in double quotes)"}, nil},
		{"too many fields tab", "Company\tdomain\nA\tB\ta.com\n",
			[]string{"customers.csv:2: 3 fields, but the header has 2 (does a value contain a tab? If so, enclose it in double quotes)"}, nil},
		{"count error at record start", "Company,domain,country\n\"A\nB\",a.com\nC,c.com,US\n",
			[]string{"customers.csv:2: 2 fields, but the header has 3 (is a delimiter missing, or a quote unclosed?)"}, []int{4}},
		{"bare quote", "Company,domain\nContoso \"Retail\",contoso.com\nB,b.com\n",
			[]string{`customers.csv:2:9: Company: quote in an unquoted value (enclose the whole value in quotes and double each quote inside it, as in "Contoso ""Retail"" Ltd")`}, []int{3}},
		{"bare quote after multibyte", "Company,domain\nÉtoile,ét\"oile.fr\n",
			[]string{`customers.csv:2:10: domain: quote in an unquoted value (enclose the whole value in quotes and double each quote inside it, as in "Contoso ""Retail"" Ltd")`}, nil},
		{"undoubled quote in quoted value", "Company,domain\n\"Contoso \"Retail\" Ltd\",contoso.com\nB,b.com\n",
			[]string{`customers.csv:2:10: Company: text after a closing quote (a quote inside a quoted value must be doubled, as in "Contoso ""Retail"" Ltd")`}, []int{3}},
		{"space before opening quote", "Company,domain\n\"A\", \"a.com\"\nB,b.com\n",
			[]string{"customers.csv:2:5: domain: space before an opening quote (a quoted value must begin with the quote; remove the space)"}, []int{3}},
		{"space after closing quote", "Company,domain\n\"A\" ,a.com\n\"B\",\"b.com\"  \r\n",
			[]string{
				"customers.csv:2:4: Company: space after a closing quote (a quoted value must end with the quote; remove the space)",
				"customers.csv:3:12: domain: space after a closing quote (a quoted value must end with the quote; remove the space)",
			}, nil},
		{"quote error on a later line", "Company,domain\n\"A\nB\",\"a.com\"x\nC,c.com\n",
			[]string{`customers.csv:3:10: domain: text after a closing quote (a quote inside a quoted value must be doubled, as in "Contoso ""Retail"" Ltd")`}, []int{4}},
		{"unclosed quote", "Company,domain\nA,a.com\nB,\"b.com\nC,c.com\n",
			[]string{"customers.csv:3:3: domain: quote is never closed (the value runs to the end of the file)"}, []int{2}},
		{"unclosed quote without newline", "Company,domain\nB,\"b.com",
			[]string{"customers.csv:2:3: domain: quote is never closed (the value runs to the end of the file)"}, nil},
		{"quote error past the header's columns", "Company,domain\nA,a.com,\"x\"y\n",
			[]string{`customers.csv:2:11: text after a closing quote (a quote inside a quoted value must be doubled, as in "Contoso ""Retail"" Ltd")`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs := readAll(t, open(t, tt.input))
			if !reflect.DeepEqual(errs, tt.errs) {
				t.Errorf("errors:\n got %q\nwant %q", errs, tt.errs)
			}
			var lines []int
			for _, row := range rows {
				lines = append(lines, row.Line)
			}
			if !reflect.DeepEqual(lines, tt.lines) {
				t.Errorf("rows at lines %v, want %v", lines, tt.lines)
			}
		})
	}
}

func TestErrorFields(t *testing.T) {
	r := open(t, "Company,domain,country\n\nA,a.com\n")
	_, err := r.Read()
	want := &Error{File: "customers.csv", Line: 3, Reason: "2 fields, but the header has 3 (is a delimiter missing, or a quote unclosed?)"}
	if !reflect.DeepEqual(err, want) {
		t.Errorf("Read error = %#v, want %#v", err, want)
	}
	r = open(t, "Company,Primary domain\nA,\"a.com\n")
	_, err = r.Read()
	want = &Error{File: "customers.csv", Line: 2, Column: 3, Field: "Primary domain", Reason: "quote is never closed (the value runs to the end of the file)"}
	if !reflect.DeepEqual(err, want) {
		t.Errorf("Read error = %#v, want %#v", err, want)
	}
}

// Customer lists are decoded as every import decodes files (csvread.Decoder): what a German
// or French Excel saves reads as its UTF-8 twin, umlauts included.
func TestEncodings(t *testing.T) {
	for _, name := range []string{"windows-1252.csv", "unicode-text.txt"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		rows, errs := readAll(t, mustReader(t, f, name))
		f.Close()
		if len(errs) > 0 || len(rows) != 1 {
			t.Fatalf("%s: %d rows, errors %q", name, len(rows), errs)
		}
		if v := rows[0].Values; v[FieldCompanyName] != map[string]string{"windows-1252.csv": "Société Essai", "unicode-text.txt": "Contoso"}[name] {
			t.Errorf("%s: %q", name, v)
		}
	}
	for _, input := range []string{
		"Company;domain\nM\xfcller B\xe4ckerei;mueller.de\n",
		"\xff\xfe" + utf16le("Company\tdomain\r\nMüller Bäckerei\tmueller.de\r\n"),
		"\xfe\xff" + utf16be("Company\tdomain\r\nMüller Bäckerei\tmueller.de\r\n"),
	} {
		rows, errs := readAll(t, open(t, input))
		if len(errs) > 0 || len(rows) != 1 || rows[0].Values[FieldCompanyName] != "Müller Bäckerei" || rows[0].Column[FieldDomain] != 17 {
			t.Errorf("%q: %+v, %q", input, rows, errs)
		}
	}

	// Damaged UTF-8 ends reading, with no advice to skip rows.
	r := open(t, "Company,domain\nSociété,a.fr\nCaf\xe9,b.fr\nC,c.fr\n")
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	const want = `customers.csv:3:4: byte 0xE9 is not valid UTF-8, yet the file has UTF-8 text ('é' at line 2, column 5): it is probably damaged; save it again as UTF-8`
	for range 2 {
		if _, err := r.Read(); err == nil || err.Error() != want || r.Err() != err {
			t.Errorf("Read = %v (Err %v)\nwant %s", err, r.Err(), want)
		}
	}
}

func mustReader(t *testing.T, f io.Reader, name string) *Reader {
	t.Helper()
	r, err := NewReader(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func utf16le(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

func utf16be(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return string(b)
}

func TestFileErrors(t *testing.T) {
	const empty = "customers.csv: file is empty: expected a header row naming at least the company name and domain columns"
	tests := []struct{ name, input, want string }{
		{"empty", "", empty},
		{"BOM only", "\xef\xbb\xbf", empty},
		{"BOM and newline", "\xef\xbb\xbf\r\n", empty},
		{"whitespace only", " \n\t\r\n\n   ", empty},
		{"delimiters only", ",,,\r\n;;\r\n", empty},
		{"UTF-16 BOM only", "\xff\xfe", empty},
		{"UTF-16 BOM and newline", "\xfe\xff\x00\r\x00\n", empty},
		{"UTF-16 without BOM", "C\x00o\x00,\x00d\x00\n\x00", `customers.csv: file contains NUL bytes, so it is probably UTF-16 encoded; save it as UTF-8 (` + excel + `)`},
		{"xlsx", "PK\x03\x04\x14\x00\x06\x00", `customers.csv: file is an Excel workbook, not a CSV file; save it as CSV (` + excel + `)`},
		{"xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", `customers.csv: file is an Excel workbook, not a CSV file; save it as CSV (` + excel + `)`},
		{"CR line endings", "Company,domain\rA,a.com\rB,b.com\r", `customers.csv: lines end with a bare carriage return (old Mac format); save the file with Windows or Unix line endings (` + excel + `)`},
		{"CR line endings, long", "Company,domain\r" + strings.Repeat("A,a.com\r", 200000), `customers.csv: lines end with a bare carriage return (old Mac format); save the file with Windows or Unix line endings (` + excel + `)`},
		{"header line too long", "\n" + strings.Repeat("x", 2<<20), "customers.csv:2: line is longer than 1 MiB; this does not look like a CSV customer list"},
		{"header quote error", "Company,\"domain\"x\n", `customers.csv:1:16: text after a closing quote (a quote inside a quoted value must be doubled, as in "Contoso ""Retail"" Ltd")`},
		{"header unclosed quote", "Company,\"domain\n", "customers.csv:1:9: quote is never closed (the value runs to the end of the file)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := headerError(t, tt.input); got != tt.want {
				t.Errorf("NewReader(%.40q):\n got %s\nwant %s", tt.input, got, tt.want)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	// A line or quoted value over 1 MiB ends reading for good.
	for _, tt := range []struct{ input, want string }{
		{"Company,domain\nA,a.com\n" + strings.Repeat("x", 2<<20) + "\nB,b.com\n",
			"customers.csv:3: line is longer than 1 MiB; this does not look like a CSV customer list"},
		{"Company,domain\nA,a.com\nB,\"" + strings.Repeat("x\n", 1<<20) + "\"\nC,c.com\n",
			"customers.csv:3:3: domain: quoted value is longer than 1 MiB; is its closing quote missing?"},
	} {
		r := open(t, tt.input)
		if row, err := r.Read(); err != nil || row.Line != 2 {
			t.Fatalf("first Read: %+v, %v", row, err)
		}
		for range 2 {
			if _, err := r.Read(); err == nil || err.Error() != tt.want {
				t.Errorf("Read error = %v, want %s", err, tt.want)
			}
		}
	}
}

func TestErrorf(t *testing.T) {
	r := open(t, "Company;Primary domain name\n\"A\nB\";  a..com\n")
	row, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Errorf(row, FieldDomain, "%q is not a domain name", row.Values[FieldDomain]).Error(),
		`customers.csv:3: column B, Primary domain name: "a..com" is not a domain name`; got != want {
		t.Errorf("Errorf for a present column:\n got %s\nwant %s", got, want)
	}
	if e := r.Errorf(row, FieldDomain, "x"); e.Column != 4 || e.Index != 2 || r.Column(FieldDomain) != 1 || r.Column(FieldCountry) != -1 {
		t.Errorf("Errorf: column %d, index %d", e.Column, e.Index)
	}
	if got, want := r.Errorf(row, FieldCountry, "required for new customers").Error(),
		`customers.csv:2: country: required for new customers`; got != want {
		t.Errorf("Errorf for an absent column:\n got %s\nwant %s", got, want)
	}
}

// TestValuesOutliveReader checks that values stay intact while later
// records are read into the reused buffers.
func TestValuesOutliveReader(t *testing.T) {
	var b strings.Builder
	b.WriteString("Company,domain,Notes\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "Company %d,c%d.com,%s\n", i, i, strings.Repeat("n", i%50))
	}
	rows, errs := readAll(t, open(t, b.String()))
	if errs != nil || len(rows) != 1000 {
		t.Fatalf("%d rows, errors %q", len(rows), errs)
	}
	for i, row := range rows {
		if row.Values[FieldCompanyName] != fmt.Sprintf("Company %d", i) || row.Values[FieldDomain] != fmt.Sprintf("c%d.com", i) {
			t.Fatalf("row %d = %q", i, row.Values)
		}
	}
}

// TestAllocsPerRow checks the streaming cost: one allocation per row.
func TestAllocsPerRow(t *testing.T) {
	data := generate(10000)
	r, err := NewReader(bytes.NewReader(data), "bench.csv")
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(5000, func() {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations per row, want at most 1", allocs)
	}
}

// generate returns a customer CSV with n rows: a Partner Center-like export
// with some quoted and non-ASCII values and an unknown column.
func generate(n int) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeffMicrosoft ID,Company name,Primary domain name,Country code,Reseller MPN ID,Relationship,Created date,Notes\r\n")
	for i := range n {
		name := fmt.Sprintf("Contoso %d Ltd", i)
		switch i % 10 {
		case 3:
			name = fmt.Sprintf("\"Fabrikam %d, Inc.\"", i)
		case 7:
			name = fmt.Sprintf("Société Générale %d", i)
		}
		fmt.Fprintf(&b, "%08x-1b4d-4e8a-9f0c-%012x,%s,contoso%d.onmicrosoft.com,FR,%d,Reseller,2024-03-%02dT10:00:00Z,imported\r\n",
			i, i*7919, name, i, 1000000+i%5000, i%28+1)
	}
	return b.Bytes()
}

// BenchmarkRead reads a 100,000-row file; see the rows/s metric.
func BenchmarkRead(b *testing.B) {
	const rows = 100000
	data := generate(rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), "bench.csv")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(b.N)*rows/b.Elapsed().Seconds(), "rows/s")
}
