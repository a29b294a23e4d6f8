package sqlite

// Benchmarks of the workspace's hot paths (docs/performance.md). BenchmarkImport10k and
// BenchmarkSearch build their own workspaces and always run; BenchmarkSearchPrefix3 and
// BenchmarkExportCSV need a big workspace, named by PCCTL_BENCH_WORKSPACE (make bench
// sets it to the million-customer workspace it builds, .bench/ws.db):
//
//	go test -run '^$' -bench . ./internal/workspace/sqlite/
//	PCCTL_BENCH_WORKSPACE=$PWD/.bench/ws.db go test -run '^$' -bench 'Prefix3|Export' ./internal/workspace/sqlite/

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/bench"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/synth"
	"github.com/pcctl/pcctl/internal/workspace"
)

// benchCustomers returns the first n customers synth generates for seed 1, as import
// rows carrying every column of pcctl's CSV format.
func benchCustomers(n int) []workspace.CustomerRow {
	g := synth.NewCustomers(1)
	rows := make([]workspace.CustomerRow, n)
	for i := range rows {
		c := g.Next()
		rows[i] = workspace.CustomerRow{Line: i + 2, HasID: true, HasCountry: true, HasReseller: true,
			HasCreatedAt: true, Customer: domain.Customer{ID: c.ID, CompanyName: c.CompanyName,
				Domain: c.Domain, Country: c.Country, ResellerMPNID: c.ResellerMPNID, CreatedAt: c.CreatedAt}}
	}
	return rows
}

// benchRows feeds prepared rows to ImportCustomers.
type benchRows struct {
	rows []workspace.CustomerRow
	i    int
}

func (r *benchRows) Next() (workspace.CustomerRow, error) {
	if r.i >= len(r.rows) {
		return workspace.CustomerRow{}, io.EOF
	}
	r.i++
	return r.rows[r.i-1], nil
}

var benchNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func openBench(b *testing.B, path string) workspace.Workspace {
	b.Helper()
	db, err := Open(context.Background(), path, Options{Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db.As(domain.Owner("bench"))
}

// importInto imports rows into a new workspace at path.
func importInto(b *testing.B, path string, rows []workspace.CustomerRow) workspace.Workspace {
	b.Helper()
	ws := openBench(b, path)
	if _, err := ws.ImportCustomers(context.Background(), &benchRows{rows: rows}, workspace.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	return ws
}

// BenchmarkImport10k imports 10,000 customers into an empty workspace (the bulk path:
// customers, their indexes and the search index). Rows are prepared beforehand: CSV
// parsing is not measured.
func BenchmarkImport10k(b *testing.B) {
	const n = 10000
	rows := benchCustomers(n)
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		path := filepath.Join(dir, "ws"+strconv.Itoa(i)+".db")
		db, err := Open(context.Background(), path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		_, err = db.As(domain.Owner("bench")).ImportCustomers(context.Background(), &benchRows{rows: rows}, workspace.ImportOptions{})
		b.StopTimer()
		db.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSearch searches 100 three-letter prefixes (bench.SearchPrefixes), one per
// operation, in a workspace of 20,000 customers.
func BenchmarkSearch(b *testing.B) {
	const n = 20000
	ws := importInto(b, filepath.Join(b.TempDir(), "ws.db"), benchCustomers(n))
	benchSearch(b, ws, bench.SearchPrefixes(1, n, 100))
}

// BenchmarkSearchPrefix3 is BenchmarkSearch on the workspace PCCTL_BENCH_WORKSPACE names
// (generated with seed 1, as make bench does).
func BenchmarkSearchPrefix3(b *testing.B) {
	ws := openBench(b, benchWorkspace(b))
	n, err := ws.CountCustomers(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	benchSearch(b, ws, bench.SearchPrefixes(1, n, 100))
}

// BenchmarkSearchTransliterated searches German written without umlauts ("mueller",
// "wuerzburg"…: each term is also walked as its variants) on PCCTL_BENCH_WORKSPACE.
func BenchmarkSearchTransliterated(b *testing.B) {
	ws := openBench(b, benchWorkspace(b))
	benchSearch(b, ws, []string{"mueller", "wuerzburg", "oesterreich", "zuerich", "baeckerei", "koeln", "muenchen",
		"saarbruecken", "foerder", "duesseldorf", "blue", "queen", "michael", "phoenix"})
}

// BenchmarkSearchTenantIDPrefix searches the first 4, 6 and 8 hexadecimal digits of
// tenant IDs on PCCTL_BENCH_WORKSPACE.
func BenchmarkSearchTenantIDPrefix(b *testing.B) {
	ws := openBench(b, benchWorkspace(b))
	var terms []string
	for _, p := range []string{"3f25", "0a1b", "9c8d", "e7f6"} {
		terms = append(terms, p, p+"12", p+"1234")
	}
	benchSearch(b, ws, terms)
}

func benchSearch(b *testing.B, ws workspace.Workspace, prefixes []string) {
	ctx := context.Background()
	for _, p := range prefixes { // warm up
		if _, err := ws.SearchCustomers(ctx, p, domain.SearchLimit); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	for b.Loop() {
		if _, err := ws.SearchCustomers(ctx, prefixes[i%len(prefixes)], domain.SearchLimit); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkExportCSV exports every customer of the PCCTL_BENCH_WORKSPACE workspace as CSV
// (encoding/csv, to io.Discard): the storage side of `customers export`, without the
// output package's formatting.
func BenchmarkExportCSV(b *testing.B) {
	ws := openBench(b, benchWorkspace(b))
	ctx := context.Background()
	rows := 0
	for b.Loop() {
		w := csv.NewWriter(io.Discard)
		rec := make([]string, 7)
		rows = 0
		err := ws.ExportCustomers(ctx, workspace.ExportQuery{}, func(c *domain.Customer) error {
			rec[0], rec[1], rec[2], rec[3] = c.ID, c.CompanyName, c.Domain, c.Country
			rec[4], rec[5], rec[6] = c.ResellerMPNID, c.Relationship, c.CreatedAt.Format(time.RFC3339)
			rows++
			return w.Write(rec)
		})
		if err != nil {
			b.Fatal(err)
		}
		w.Flush()
		if err := w.Error(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows), "rows/op")
}

// benchWorkspace is the workspace PCCTL_BENCH_WORKSPACE names; the benchmark is skipped
// when it is not set.
func benchWorkspace(b *testing.B) string {
	path := os.Getenv("PCCTL_BENCH_WORKSPACE")
	if path == "" {
		b.Skip("PCCTL_BENCH_WORKSPACE is not set (make bench sets it to .bench/ws.db)")
	}
	if _, err := os.Stat(path); err != nil {
		b.Fatalf("PCCTL_BENCH_WORKSPACE: %v", err)
	}
	return path
}
