package psc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

const excel = `in Excel: Save As, "CSV UTF-8 (Comma delimited)"`

// minimal is a header with the required columns only.
const minimal = "Opportunity ID,Deal Name,Customer Name,Status"

func read(t *testing.T, input string, opts Options) *File {
	t.Helper()
	if opts.Name == "" {
		opts.Name = "deals.csv"
	}
	f, err := Read(strings.NewReader(input), opts)
	if err != nil {
		t.Fatalf("Read(%.60q): %v", input, err)
	}
	return f
}

func readError(t *testing.T, input string, opts Options) string {
	t.Helper()
	if opts.Name == "" {
		opts.Name = "deals.csv"
	}
	f, err := Read(strings.NewReader(input), opts)
	if err == nil {
		t.Fatalf("Read(%.60q) = %d rows, want an error", input, len(f.Rows))
	}
	if f != nil {
		t.Fatalf("Read returned a file and an error")
	}
	return err.Error()
}

func TestReadExportUTF8BOM(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "export-utf8-bom-semicolon.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f := read(t, string(data), Options{Name: "export.csv"})
	if f.Encoding != "UTF-8 with BOM" || f.Delimiter != ';' || f.Dates != DateDMY || f.Name != "export.csv" {
		t.Errorf("encoding %q, delimiter %q, dates %v, name %q", f.Encoding, f.Delimiter, f.Dates, f.Name)
	}
	for c := range CustomerDomain { // the export has every column PSC exports
		if !f.Has[c] || f.Header[c] != c.String() {
			t.Errorf("column %v: Has %v, Header %q", c, f.Has[c], f.Header[c])
		}
	}
	if f.Unknown != nil {
		t.Errorf("Unknown = %q", f.Unknown)
	}
	if len(f.Rows) != 2 {
		t.Fatalf("%d rows", len(f.Rows))
	}
	r := f.Rows[0]
	if r.Line != 2 || r.Values[OpportunityID] != "PSC-000101" || r.Values[CustomerName] != "Société Générale d'Essai" ||
		r.Values[DealValue] != "12 345,67 €" || r.Values[ContactName] != "Émilie Durand" || r.Values[Products] != "AZ-001;M365-E3" {
		t.Errorf("row 1 = %+v", r)
	}
	// Columns count characters: "Société Générale d'Essai" starts after "PSC-000101;Migration Azure;".
	if got, want := r.Column[CustomerName], len("PSC-000101;Migration Azure;")+1; got != want {
		t.Errorf("Customer Name at column %d, want %d", got, want)
	}
	if got, want := r.Column[CustomerCountry], want(r.Column[CustomerName], "Société Générale d'Essai;"); got != want {
		t.Errorf("Customer Country at column %d, want %d", got, want)
	}
	r = f.Rows[1]
	if r.Line != 3 || r.Values[DealName] != `Licences "Modern Work"` || r.Values[CustomerOutcome] != "Signed; 300 seats" || r.Values[DealRole] != "" {
		t.Errorf("row 2 = %+v", r)
	}
}

// want returns the column after start and s.
func want(start int, s string) int {
	return start + len([]rune(s))
}

func TestReadWindows1252(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "export-windows-1252.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []Encoding{EncodingAuto, EncodingWindows1252} {
		f := read(t, string(data), Options{Encoding: enc})
		if f.Encoding != "Windows-1252" || f.Delimiter != ',' || f.Dates != DateISO {
			t.Errorf("%v: encoding %q, delimiter %q, dates %v", enc, f.Encoding, f.Delimiter, f.Dates)
		}
		r := f.Rows[0]
		if r.Values[DealName] != "Œuvre d'art numérique" || r.Values[CustomerName] != "Café Œnologie" ||
			r.Values[DealValue] != "€ 1,250.00" || r.Values[ContactName] != "Chloé Bœuf" {
			t.Errorf("%v: row = %q", enc, r.Values)
		}
		if got, want := r.Column[DealValue], len("PSC-000201,Œuvre d'art numérique,Café Œnologie,FR,")+1-4; got != want {
			t.Errorf("%v: Deal Value at column %d, want %d", enc, got, want)
		}
	}
	// Every byte has a character; the undefined ones are C1 controls.
	f := read(t, minimal+"\n1,\x80\x81\x8d\x8f\x90\x9d\x9c\xe9\xff,c,Open\n", Options{})
	if got, want := f.Rows[0].Values[DealName], "€\u0081\u008d\u008f\u0090\u009dœéÿ"; got != want {
		t.Errorf("Deal Name = %q, want %q", got, want)
	}
	// An explicit windows-1252 decodes a UTF-8 file as it is told, BOM included.
	f = read(t, "\xef\xbb\xbfNotes,"+minimal+"\nx,1,Caf\xc3\xa9,c,Open\n", Options{Encoding: EncodingWindows1252})
	if f.Encoding != "Windows-1252" || f.Rows[0].Values[DealName] != "CafÃ©" || !reflect.DeepEqual(f.Unknown, []string{"ï»¿Notes"}) {
		t.Errorf("BOM read as Windows-1252: Unknown %q, Deal Name %q", f.Unknown, f.Rows[0].Values[DealName])
	}
}

func TestReadEncodings(t *testing.T) {
	tests := []struct {
		name, input string
		enc         Encoding
		want        string
	}{
		{"UTF-8", minimal + "\n1,Café,c,Open\n", EncodingAuto, "UTF-8"},
		{"ASCII", minimal + "\n1,Cafe,c,Open\n", EncodingAuto, "UTF-8"},
		{"UTF-8 BOM", "\ufeff" + minimal + "\n1,Café,c,Open\n", EncodingAuto, "UTF-8 with BOM"},
		{"explicit UTF-8", minimal + "\n1,Café,c,Open\n", EncodingUTF8, "UTF-8"},
		{"explicit UTF-8 BOM", "\ufeff" + minimal + "\n1,Café,c,Open\n", EncodingUTF8, "UTF-8 with BOM"},
		{"Windows-1252", minimal + "\n1,Caf\xe9,c,Open\n", EncodingAuto, "Windows-1252"},
		{"UTF-16 LE", "\xff\xfe" + utf16le(minimal+"\n1,Café,c,Open\n"), EncodingAuto, "UTF-16LE"},
		{"UTF-16 LE, explicit UTF-8", "\xff\xfe" + utf16le(minimal+"\n1,Café,c,Open\n"), EncodingUTF8, "UTF-16LE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := read(t, tt.input, Options{Encoding: tt.enc})
			if f.Encoding != tt.want {
				t.Errorf("Encoding = %q, want %q", f.Encoding, tt.want)
			}
			if v := f.Rows[0].Values[DealName]; v != "Café" && v != "Cafe" {
				t.Errorf("Deal Name = %q", v)
			}
		})
	}
}

func TestReadEncodingErrors(t *testing.T) {
	const damaged = "it is probably damaged; save it again as UTF-8, or give --encoding windows-1252 if it really is Windows-1252"
	tests := []struct {
		name, input string
		enc         Encoding
		want        string
	}{
		{"damaged UTF-8", minimal + "\n1,Café,c,Open\n2,Soci\xe9t\xe9,c,Open\n", EncodingAuto,
			`deals.csv:3:7: byte 0xE9 is not valid UTF-8, yet the file has UTF-8 text ('é' at line 2, column 6): ` + damaged},
		{"damaged UTF-8, valid text after", minimal + "\n1,Caf\xe9,c,Open\n2,Œuvre,c,Open\n", EncodingAuto,
			`deals.csv:2:6: byte 0xE9 is not valid UTF-8, yet the file has UTF-8 text ('Œ' at line 3, column 3): ` + damaged},
		{"truncated sequence", minimal + "\n1,Café,c,Op\xc3\n", EncodingAuto,
			`deals.csv:2:12: byte 0xC3 is not valid UTF-8, yet the file has UTF-8 text ('é' at line 2, column 6): ` + damaged},
		{"damaged UTF-8 with BOM", "\ufeff" + minimal + "\n1,Caf\xe9,c,Open\n", EncodingAuto,
			`deals.csv:2:6: byte 0xE9 is not valid UTF-8, yet the file starts with a UTF-8 byte order mark: ` + damaged},
		{"explicit UTF-8", minimal + "\n1,Caf\xe9,c,Open\n", EncodingUTF8,
			`deals.csv:2:6: byte 0xE9 is not valid UTF-8; save the file as UTF-8 (` + excel + `), or give --encoding windows-1252 if it really is Windows-1252`},
		{"explicit UTF-8, header", "Opportunity ID,Nom de l'op\xe9ration\n", EncodingUTF8,
			`deals.csv:1:27: byte 0xE9 is not valid UTF-8; save the file as UTF-8 (` + excel + `), or give --encoding windows-1252 if it really is Windows-1252`},
		{"UTF-16 BE, explicit Windows-1252", "\xfe\xff\x00O\x00p", EncodingWindows1252, `deals.csv: file contains NUL bytes, so it is probably UTF-16 encoded; save it as UTF-8 (` + excel + `)`},
		{"UTF-16 without BOM", "O\x00p\x00,\x00\xe9\x00\n\x00", EncodingAuto, `deals.csv: file contains NUL bytes, so it is probably UTF-16 encoded; save it as UTF-8 (` + excel + `)`},
		{"xlsx", "PK\x03\x04\x14\x00\x06\x00", EncodingAuto, `deals.csv: file is an Excel workbook, not a CSV file; save it as CSV (` + excel + `)`},
		{"xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", EncodingAuto, `deals.csv: file is an Excel workbook, not a CSV file; save it as CSV (` + excel + `)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readError(t, tt.input, Options{Encoding: tt.enc}); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestReadDelimiters(t *testing.T) {
	for _, tt := range []struct {
		name, input string
		delim       rune
	}{
		{"comma", "Opportunity ID,Deal Name,Customer Name,Status\n1,\"A, B\",c,Open\n", ','},
		{"semicolon", "Opportunity ID;Deal Name;Customer Name;Status\n1;A, B;c;Open\n", ';'},
		{"tab", "Opportunity ID\tDeal Name\tCustomer Name\tStatus\n1\tA, B\tc\tOpen\n", '\t'},
		{"CRLF", "Opportunity ID,Deal Name,Customer Name,Status\r\n1,\"A, B\",c,Open\r\n", ','},
		{"blank lines and no final newline", "\n\nOpportunity ID,Deal Name,Customer Name,Status\n\n,,,\n1,\"A, B\",c,Open", ','},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := read(t, tt.input, Options{})
			if f.Delimiter != tt.delim {
				t.Errorf("Delimiter = %q, want %q", f.Delimiter, tt.delim)
			}
			if len(f.Rows) != 1 || f.Rows[0].Values[DealName] != "A, B" || f.Rows[0].Values[Status] != "Open" {
				t.Errorf("rows = %+v", f.Rows)
			}
		})
	}
}

func TestReadHeader(t *testing.T) {
	f := read(t, " opportunityid ,DEAL_NAME,Notes,customer-name,, Status ,Deal  Value\n1,n,x,c,,Open,5\n", Options{})
	if !reflect.DeepEqual(f.Unknown, []string{"Notes"}) {
		t.Errorf("Unknown = %q", f.Unknown)
	}
	if f.Header[OpportunityID] != "opportunityid" || f.Header[DealValue] != "Deal  Value" || f.Has[Currency] || f.Header[Currency] != "" {
		t.Errorf("Header = %q", f.Header)
	}
	r := f.Rows[0]
	if r.Values[DealValue] != "5" || r.Column[DealValue] != 15 || r.Column[Currency] != 0 || r.FieldLine[Currency] != 0 || r.FieldLine[DealValue] != 2 {
		t.Errorf("row = %+v", r)
	}

	// --map names other headers; built-in names still work; a mapped column is not unknown.
	m := &Mapping{Columns: map[string]Column{"ID de l'opportunité": OpportunityID, "nomduclient": CustomerName, "STATUT": Status}}
	f = read(t, "ID de l'opportunité;Deal Name;Nom du client;Statut;Pays\n1;n;c;Open;FR\n", Options{Map: m})
	if !reflect.DeepEqual(f.Unknown, []string{"Pays"}) || f.Header[CustomerName] != "Nom du client" || f.Rows[0].Values[CustomerName] != "c" {
		t.Errorf("mapped: Unknown %q, Header %q, row %q", f.Unknown, f.Header, f.Rows[0].Values)
	}
}

func TestReadHeaderErrors(t *testing.T) {
	m := &Mapping{Columns: map[string]Column{"opportunite": OpportunityID, "statut": Status}}
	tests := []struct {
		name, input string
		m           *Mapping
		want        string
	}{
		{"empty", "", nil, "deals.csv: file is empty: expected a header row naming at least the Opportunity ID, Deal Name, Customer Name and Status columns"},
		{"blank", " \r\n,,\r\n", nil, "deals.csv: file is empty: expected a header row naming at least the Opportunity ID, Deal Name, Customer Name and Status columns"},
		{"one missing", "Opportunity ID,Deal Name,Customer Name\n", nil,
			`deals.csv:1: missing required column "Status"; name it so in the header, or map the file's own header name onto it in the --map file: columns: {"<header>": Status}`},
		{"several missing, unknown columns", "\nOpportunity ID;Nom;Client;Statut\n", nil,
			`deals.csv:2: missing required columns "Deal Name", "Customer Name" and "Status"; name them so in the header, or map the file's own header names onto them in the --map file: columns: {"<header>": Deal Name, "<header>": Customer Name, "<header>": Status} (columns not recognised: "Nom", "Client", "Statut")`},
		{"same header twice", "Opportunity ID,Deal Name,Customer Name,Status,Deal Name\n", nil,
			`deals.csv:1:47: column "Deal Name" appears twice (spreadsheet columns B and E); delete or rename one of them`},
		{"two names for one column", "Opportunity ID,Deal Name,Customer Name,Status,Notes,opportunity_id\n", nil,
			`deals.csv:1:53: columns "Opportunity ID" (spreadsheet column A) and "opportunity_id" (column F) both map to Opportunity ID; delete or rename one of them, or correct the --map file`},
		{"mapped and built-in", "Opportunity ID,Deal Name,Customer Name,Statut,Status\n", m,
			`deals.csv:1:47: columns "Statut" (spreadsheet column D) and "Status" (column E) both map to Status; delete or rename one of them, or correct the --map file`},
		{"header quote error", "Opportunity ID,\"Deal\" Name,Customer Name,Status\n", nil,
			`deals.csv:1:21: text after a closing quote (a quote inside a quoted value must be doubled, as in "Contoso ""Retail"" Ltd")`},
		{"CR only", minimal + "\r1,n,c,Open\r", nil,
			`deals.csv: lines end with a bare carriage return (old Mac format); save the file with Windows or Unix line endings (` + excel + `)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readError(t, tt.input, Options{Map: tt.m}); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestReadRequire(t *testing.T) {
	require := []Column{DealValue, Currency, Products}
	tests := []struct{ name, input, want string }{
		{"value, currency and products", minimal + "\n1,n,c,Open\n2,n,c,Open\n",
			`deals.csv:1: missing required columns "Deal Value", "Currency" and "Products"; name them so in the header, or map the file's own header names onto them in the --map file: columns: {"<header>": Deal Value, "<header>": Currency, "<header>": Products}`},
		{"products", minimal + ",Deal Value,Currency,Produits\n1,n,c,Open,5,EUR,X\n",
			`deals.csv:1: missing required column "Products"; name it so in the header, or map the file's own header name onto it in the --map file: columns: {"<header>": Products} (columns not recognised: "Produits")`},
		{"currency, a value without one", minimal + ",Deal Value,Products\n1,n,c,Open,5 €,X\n2,n,c,Open,\"1,500.00\",X\n",
			`deals.csv:1: missing required column "Currency" (line 3 has the Deal Value "1,500.00", which names no currency); name it so in the header, or map the file's own header name onto it in the --map file: columns: {"<header>": Currency}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readError(t, tt.input, Options{Require: require}); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	// Every value names its currency: no Currency column needed; an empty value is the row's problem.
	f := read(t, minimal+",Deal Value,Products\n1,n,c,Open,5 €,X\n2,n,c,Open,USD 7,X\n3,n,c,Open,,X\n", Options{Require: require})
	if f.Len() != 3 || f.Has[Currency] {
		t.Errorf("read %d rows", f.Len())
	}
}

func TestSheetColumn(t *testing.T) {
	for i, want := range map[int]string{0: "A", 1: "B", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := sheetColumn(i); got != want {
			t.Errorf("sheetColumn(%d) = %q, want %q", i, got, want)
		}
	}
}

func TestReadBadRecords(t *testing.T) {
	got := readError(t, minimal+"\n1,n,c,Open\n2,n,c\n3,n,c,Open\n", Options{})
	if want := "deals.csv:3: 3 fields, but the header has 4 (is a delimiter missing, or a quote unclosed?)"; got != want {
		t.Errorf("one bad record:\n got %s\nwant %s", got, want)
	}

	var b strings.Builder
	b.WriteString(minimal + "\n")
	for i := range 13 {
		fmt.Fprintf(&b, "%d,a \"b\",c,Open\n", i)
	}
	b.WriteString("x,y,z,Open,extra\n")
	_, err := Read(strings.NewReader(b.String()), Options{Name: "deals.csv"})
	var bad *BadRecords
	if !errors.As(err, &bad) || bad.Count != 14 || len(bad.Errs) != 10 || bad.File != "deals.csv" {
		t.Fatalf("error %T %v, want *BadRecords of 14", err, err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || e.Column != 5 || e.Field != "Deal Name" {
		t.Errorf("first error %+v", e)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 12 || lines[0] != "deals.csv: 14 records are not valid CSV; correct them and read the file again:" ||
		lines[1] != `  deals.csv:2:5: Deal Name: quote in an unquoted value (enclose the whole value in quotes and double each quote inside it, as in "Contoso ""Retail"" Ltd")` ||
		lines[11] != "  and 4 more" {
		t.Errorf("message:\n%s", err)
	}

	// A line over 1 MiB ends reading at once.
	got = readError(t, minimal+"\n1,\"a\nb\",c\n"+strings.Repeat("x", 2<<20)+"\n", Options{})
	if want := "deals.csv:4: line is longer than 1 MiB; this does not look like a CSV PSC export"; got != want {
		t.Errorf("long line:\n got %s\nwant %s", got, want)
	}
}

func TestReadLimits(t *testing.T) {
	input := minimal + "\n1,n,c,Open\n2,n,c,Open\n"
	if got, want := readError(t, input, Options{MaxBytes: 40}), "deals.csv: file is larger than 40 bytes, the most pcctl reads at once; split it into smaller files"; got != want {
		t.Errorf("MaxBytes:\n got %s\nwant %s", got, want)
	}
	if got, want := readError(t, input, Options{MaxBytes: 1 << 10, MaxRows: 1}), "deals.csv:3: more than 1 rows, the most pcctl reads at once; split the file"; got != want {
		t.Errorf("MaxRows:\n got %s\nwant %s", got, want)
	}
	if f := read(t, input, Options{MaxBytes: int64(len(input)), MaxRows: 2}); len(f.Rows) != 2 {
		t.Errorf("%d rows at the limits", len(f.Rows))
	}
	if got := formatSize(1 << 30); got != "1 GiB" {
		t.Errorf("formatSize(1 GiB) = %q", got)
	}
}

func TestReadValues(t *testing.T) {
	input := minimal + ",Deal Value\n" +
		" 1 ,\"Multi\r\nline\",\u00a0Contoso\u202f, Open\t,\"12 345,67 €\"\n" +
		"\n" +
		"\"2\",\"\",,Won,\n"
	f := read(t, input, Options{})
	want := []Row{{
		Line:      2,
		Values:    [NumColumns]string{OpportunityID: "1", DealName: "Multi\nline", CustomerName: "Contoso", Status: "Open", DealValue: "12 345,67 €"},
		Column:    [NumColumns]int{OpportunityID: 1, DealName: 5, CustomerName: 7, Status: 17, DealValue: 24},
		FieldLine: [NumColumns]int{OpportunityID: 2, DealName: 2, CustomerName: 3, Status: 3, DealValue: 3},
	}, {
		Line:      5,
		Values:    [NumColumns]string{OpportunityID: "2", Status: "Won"},
		Column:    [NumColumns]int{OpportunityID: 1, DealName: 5, CustomerName: 8, Status: 9, DealValue: 13},
		FieldLine: [NumColumns]int{OpportunityID: 5, DealName: 5, CustomerName: 5, Status: 5, DealValue: 5},
	}}
	if !reflect.DeepEqual(f.Rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", f.Rows, want)
	}
}

func TestErrorf(t *testing.T) {
	// A multi-byte character before the value: columns count characters, not bytes.
	input := "Opportunity ID;Nom du client;Deal Name;Status\n" +
		"Œ-1;\"Société\nGénérale\";Ünïcødé 😀;Open\n"
	f := read(t, input, Options{Map: &Mapping{Columns: map[string]Column{"Nom du client": CustomerName}}})
	row := f.Rows[0]
	tests := []struct {
		c    Column
		want string
		col  int // in characters
	}{
		{DealName, `deals.csv:3: column C, Deal Name: bad "Ünïcødé 😀"`, 11},
		{CustomerName, `deals.csv:2: column B, Nom du client: bad "Société\nGénérale"`, 5},
		{Status, `deals.csv:3: column D, Status: bad "Open"`, 21},
		{DealValue, `deals.csv:2: Deal Value: bad ""`, 0},
	}
	for _, tt := range tests {
		err := f.Errorf(row, tt.c, "bad %q", row.Values[tt.c])
		if got := err.Error(); got != tt.want {
			t.Errorf("Errorf(%v):\n got %s\nwant %s", tt.c, got, tt.want)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Errorf(%v) is a %T", tt.c, err)
		} else if e.Column != tt.col {
			t.Errorf("Errorf(%v): character column %d, want %d", tt.c, e.Column, tt.col)
		}
	}
	if got, want := f.Errorf(row, NumColumns, "whole row").Error(), "deals.csv:2: whole row"; got != want {
		t.Errorf("Errorf(NumColumns) = %s, want %s", got, want)
	}

	// Windows-1252: one byte, one character.
	f = read(t, minimal+"\n\x80\x9c\xe9,n,c,Open\n", Options{})
	if got, want := f.Errorf(f.Rows[0], DealName, "x").(*Error).Column, 5; got != want {
		t.Errorf("Windows-1252: column %d, want %d", got, want)
	}
}

// utf16le encodes s as UTF-16 little endian (without a byte order mark).
func utf16le(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}
