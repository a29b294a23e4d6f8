package psc

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// generate returns an export of n rows with every column, as Excel saves it in a French
// locale: a BOM, semicolons, CRLF, DD/MM/YYYY dates, some quoted and non-ASCII values.
func generate(n int) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff" + strings.Join(columnNames[:CustomerDomain], ";") + "\r\n") // the columns PSC exports
	statuses := []string{"Open", "Won", "Lost", "Active", "Closed as Duplicate"}
	for i := range n {
		name := fmt.Sprintf("Contoso %d Ltd", i)
		switch i % 10 {
		case 3:
			name = fmt.Sprintf("\"Fabrikam; %d \"\"Retail\"\"\"", i)
		case 7:
			name = fmt.Sprintf("Société Générale %d", i)
		}
		fmt.Fprintf(&b, "PSC-%07d;Migration %d;%s;FR;%d %03d,%02d €;EUR;%s;Reseller;CSP;AZ-%03d;%02d/%02d/2026;;Émilie Durand;emilie%d@contoso.fr;+33 1 23 45 67 89;seller@partner.fr;%02d/01/2026;%02d/02/2026 10:15;Co-sell\r\n",
			i, i, name, 1+i%90, i%1000, i%100, statuses[i%len(statuses)], i%500, i%28+1, i%12+1, i, i%28+1, i%28+1)
	}
	return b.Bytes()
}

func TestGenerate(t *testing.T) {
	f, err := Read(bytes.NewReader(generate(1000)), Options{Name: "bench.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 1000 || f.Dates != DateDMY || f.Encoding != "UTF-8 with BOM" || f.Unknown != nil {
		t.Fatalf("%d rows, dates %v, encoding %q, unknown %q", len(f.Rows), f.Dates, f.Encoding, f.Unknown)
	}
	for _, row := range f.Rows {
		if _, _, err := ParseAmount(row.Values[DealValue]); err != nil {
			t.Fatal(f.Errorf(row, DealValue, "%v", err))
		}
		for _, c := range dateColumns {
			if _, err := ParseDate(row.Values[c], f.Dates); err != nil && row.Values[c] != "" {
				t.Fatal(f.Errorf(row, c, "%v", err))
			}
		}
	}
}

// BenchmarkRead reads a 100,000-row export held in memory; see the rows/s metric.
func BenchmarkRead(b *testing.B) {
	const rows = 100000
	data := generate(rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Read(bytes.NewReader(data), Options{Name: "bench.csv"})
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Rows) != rows {
			b.Fatalf("read %d rows, want %d", len(f.Rows), rows)
		}
	}
	b.ReportMetric(float64(b.N)*rows/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadWindows1252 is BenchmarkRead on the same export in Windows-1252.
func BenchmarkReadWindows1252(b *testing.B) {
	const rows = 100000
	data := bytes.TrimPrefix(generate(rows), []byte("\ufeff"))
	data = bytes.ReplaceAll(data, []byte("é"), []byte{0xe9})
	data = bytes.ReplaceAll(data, []byte("É"), []byte{0xc9})
	data = bytes.ReplaceAll(data, []byte("€"), []byte{0x80})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Read(bytes.NewReader(data), Options{Name: "bench.csv"})
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Rows) != rows || f.Encoding != "Windows-1252" {
			b.Fatalf("read %d rows in %s", len(f.Rows), f.Encoding)
		}
	}
	b.ReportMetric(float64(b.N)*rows/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkParse parses the amount and the dates of every row of BenchmarkRead's export,
// as the caller does.
func BenchmarkParse(b *testing.B) {
	f, err := Read(bytes.NewReader(generate(100000)), Options{Name: "bench.csv"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, row := range f.Rows {
			if _, _, err := ParseAmount(row.Values[DealValue]); err != nil {
				b.Fatal(err)
			}
			for _, c := range dateColumns {
				if v := row.Values[c]; v != "" {
					if _, err := ParseDate(v, f.Dates); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	}
}
