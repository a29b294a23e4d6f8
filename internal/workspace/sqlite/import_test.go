package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/synth"
	"github.com/pcctl/pcctl/internal/workspace"
)

// sliceRows feeds rows to ImportCustomers; an entry with a nil customer yields err.
type sliceRows struct {
	rows []workspace.CustomerRow
	errs map[int]error // by index: returned instead of the row
	i    int
}

func (s *sliceRows) Next() (workspace.CustomerRow, error) {
	if s.i >= len(s.rows) {
		return workspace.CustomerRow{}, io.EOF
	}
	s.i++
	if err := s.errs[s.i-1]; err != nil {
		return workspace.CustomerRow{}, err
	}
	return s.rows[s.i-1], nil
}

func rowsOf(cs []domain.Customer) *sliceRows {
	s := &sliceRows{}
	for i, c := range cs {
		s.rows = append(s.rows, workspace.CustomerRow{Line: i + 2, Customer: c, HasID: c.ID != "",
			HasCountry: true, HasReseller: true, HasCreatedAt: true})
	}
	return s
}

func generated(n int) []domain.Customer {
	g := synth.NewCustomers(7)
	out := make([]domain.Customer, n)
	for i := range out {
		c := g.Next()
		out[i] = domain.Customer{ID: c.ID, CompanyName: c.CompanyName, Domain: c.Domain, Country: c.Country,
			ResellerMPNID: c.ResellerMPNID, CreatedAt: c.CreatedAt}
	}
	return out
}

func exportAll(t *testing.T, ws workspace.Workspace) []domain.Customer {
	t.Helper()
	var out []domain.Customer
	if err := ws.ExportCustomers(context.Background(), workspace.ExportQuery{}, func(c *domain.Customer) error {
		out = append(out, *c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSearchMatchesBruteForce checks the indexed search against domain.RankSearch over
// every customer, on both import paths and on both ways of answering short terms.
func TestSearchMatchesBruteForce(t *testing.T) {
	cs := generated(3000)
	ctx := context.Background()

	bulk, _ := openTest(t, filepath.Join(t.TempDir(), "bulk.db"))
	bulk.chunkKeys = 1000 // sort the keys through temporary runs, as a large import does
	if _, err := alice(bulk).ImportCustomers(ctx, rowsOf(cs), workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	incr, _ := openTest(t, filepath.Join(t.TempDir(), "incr.db"))
	if _, err := alice(incr).ImportCustomers(ctx, rowsOf(cs[:1]), workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := alice(incr).ImportCustomers(ctx, rowsOf(cs), workspace.ImportOptions{})
	if err != nil || res.Created != len(cs)-1 || res.Unchanged != 1 {
		t.Fatalf("incremental import: %+v, %v", res, err)
	}

	r := rand.New(rand.NewPCG(1, 2))
	terms := []string{"a", "s", "z", "co", "ge", "xq", "societe gen", "GMBH", "müller", "straße", "ltd", "onmicrosoft"}
	for range 150 {
		c := cs[r.IntN(len(cs))]
		words := strings.Fields(domain.Fold(c.CompanyName))
		w := words[r.IntN(len(words))]
		terms = append(terms, w[:min(len(w), 1+r.IntN(6))], c.Domain[:min(len(c.Domain), 2+r.IntN(10))])
	}
	terms = append(terms, cs[10].CompanyName, cs[11].Domain)
	// German transliterations and beginnings of tenant IDs, with and without hyphens.
	terms = append(terms, "mueller", "muell", "strasse", "baeck", "koeln", "zuer", "queen", "blue", "oesterreich", "wuerzburg",
		"apotheke wuerzburg", "saarbruecken", "foerder", "Saarbrücken")
	for _, c := range cs[20:40] {
		if strings.ContainsAny(c.CompanyName, "äöüÄÖÜ") {
			terms = append(terms, domain.FoldTransliterated(c.CompanyName))
		}
	}
	terms = append(terms, cs[12].ID[:4], cs[13].ID[:8], cs[14].ID[:13], strings.ReplaceAll(cs[15].ID, "-", "")[:12],
		strings.ToUpper(cs[16].ID), "{"+cs[17].ID+"}", "0000", "ffff")

	for _, short := range []int{20000, 10} { // both ways of answering one- and two-letter terms
		shortTermLimit = short
		for _, term := range terms {
			forms, _ := domain.SearchForms(term)
			want := domain.RankSearchForms(forms, cs, domain.SearchLimit)
			for name, db := range map[string]*DB{"bulk": bulk, "incremental": incr} {
				got, err := alice(db).SearchCustomers(ctx, term, domain.SearchLimit)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("%s, short limit %d: search %q found %d, brute force %d", name, short, term, len(got), len(want))
				}
				for i := range want {
					if got[i].ID != want[i].ID {
						t.Fatalf("%s: search %q result %d is %q, brute force says %q", name, term, i, got[i].CompanyName, want[i].CompanyName)
					}
				}
			}
		}
	}
	shortTermLimit = 20000

	// Both paths hold the same customers, exported in the order of the file.
	a, b := exportAll(t, alice(bulk)), exportAll(t, alice(incr))
	if len(a) != len(cs) || len(b) != len(cs) {
		t.Fatalf("exported %d and %d customers, want %d", len(a), len(b), len(cs))
	}
	for i := range cs {
		if a[i] != b[i] || a[i].ID != cs[i].ID || !a[i].CreatedAt.Equal(cs[i].CreatedAt) {
			t.Fatalf("customer %d: bulk %+v, incremental %+v, file %+v", i, a[i], b[i], cs[i])
		}
	}
}

func TestImportIsIdempotentAndUpdates(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	cs := generated(50)
	if res, err := ws.ImportCustomers(ctx, rowsOf(cs), workspace.ImportOptions{}); err != nil || res.Created != 50 {
		t.Fatalf("%+v %v", res, err)
	}
	res, err := ws.ImportCustomers(ctx, rowsOf(cs), workspace.ImportOptions{})
	if err != nil || res != (workspace.ImportResult{Read: 50, Unchanged: 50}) {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	cs[3].CompanyName = "Renamed Entirely"
	res, err = ws.ImportCustomers(ctx, rowsOf(cs), workspace.ImportOptions{})
	if err != nil || res != (workspace.ImportResult{Read: 50, Updated: 1, Unchanged: 49}) {
		t.Fatalf("update: %+v %v", res, err)
	}
	found, _ := ws.SearchCustomers(ctx, "renamed ent", 10)
	if len(found) != 1 || found[0].ID != cs[3].ID {
		t.Fatalf("renamed customer not found by its new name: %v", found)
	}
	old := domain.Fold(generated(50)[3].CompanyName) // as a phrase, it cannot match the domain
	if !strings.Contains(old, " ") {
		t.Fatalf("test needs a customer with a name of several words, got %q", old)
	}
	for _, c := range mustSearch(t, ws, old) {
		if c.ID == cs[3].ID {
			t.Fatal("renamed customer still found by its old name")
		}
	}
	// A file without IDs is keyed by domain.
	noID := rowsOf(cs)
	for i := range noID.rows {
		noID.rows[i].Customer.ID, noID.rows[i].HasID = "", false
	}
	if res, err := ws.ImportCustomers(ctx, noID, workspace.ImportOptions{}); err != nil || res.Unchanged != 50 {
		t.Fatalf("import by domain: %+v %v", res, err)
	}
}

func mustSearch(t *testing.T, ws workspace.Workspace, term string) []workspace.CustomerRecord {
	t.Helper()
	got, err := ws.SearchCustomers(context.Background(), term, 100)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestImportDuplicatesAndRollback(t *testing.T) {
	ctx := context.Background()
	for _, path := range []string{"bulk", "incremental"} {
		t.Run(path, func(t *testing.T) {
			db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
			ws := alice(db)
			base := 0
			if path == "incremental" {
				addN(t, ws, 1)
				base = 1
			}
			cs := generated(10)
			cs[6].ID = cs[2].ID         // line 8 repeats line 4's ID
			cs[8].Domain = cs[1].Domain // line 10 repeats line 3's domain
			before := exportAll(t, ws)

			_, err := ws.ImportCustomers(ctx, rowsOf(cs), workspace.ImportOptions{})
			var re *workspace.RowError
			if !errors.As(err, &re) || re.Line != 8 || re.Field != "id" || re.Reason != cs[2].ID+" appears again (first on line 4)" {
				t.Fatalf("err = %#v", err)
			}
			if after := exportAll(t, ws); len(after) != len(before) {
				t.Fatalf("a failed import wrote %d customers", len(after)-len(before))
			}

			var skipped []string
			res, err := ws.ImportCustomers(ctx, rowsOf(cs), workspace.ImportOptions{OnRowError: func(e *workspace.RowError) error {
				skipped = append(skipped, fmt.Sprintf("%d %s %s", e.Line, e.Field, e.Reason))
				return nil
			}})
			want := []string{"8 id " + cs[2].ID + " appears again (first on line 4)",
				"10 domain " + cs[1].Domain + " appears again (first on line 3)"}
			if err != nil || fmt.Sprint(skipped) != fmt.Sprint(want) || res.Created != 8 || res.Skipped != 2 || res.Read != 10 {
				t.Fatalf("skip: %+v %v\n%q", res, err, skipped)
			}
			if n, _ := ws.CountCustomers(ctx); n != base+8 {
				t.Fatalf("%d customers after skipping, want %d", n, base+8)
			}
			for _, c := range mustSearch(t, ws, cs[8].CompanyName) {
				if c.Domain == cs[8].Domain && c.ID == cs[8].ID {
					t.Fatal("search still finds a skipped customer")
				}
			}
		})
	}
}

func TestImportAbortsOnSourceErrorAndCancel(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	rows := rowsOf(generated(20))
	rows.errs = map[int]error{15: errors.New("disk on fire")}
	if _, err := ws.ImportCustomers(context.Background(), rows, workspace.ImportOptions{}); err == nil || err.Error() != "disk on fire" {
		t.Fatalf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ws.ImportCustomers(ctx, rowsOf(generated(20)), workspace.ImportOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: %v", err)
	}
	if n, _ := ws.CountCustomers(context.Background()); n != 0 {
		t.Fatalf("%d customers written by failed imports", n)
	}
	// A bad value is refused by the workspace itself, whatever the source checked.
	bad := rowsOf(generated(3))
	bad.rows[1].Customer.Country = "XX"
	_, err := ws.ImportCustomers(context.Background(), bad, workspace.ImportOptions{})
	var re *workspace.RowError
	if !errors.As(err, &re) || re.Line != 3 || re.Field != "country" {
		t.Fatalf("bad country: %v", err)
	}
}

// TestSearchTiesAtTheLimit puts the 100th result among many customers whose names fold
// alike: the search must rank the whole group as domain.RankSearch does, not cut it in
// storage order.
func TestSearchTiesAtTheLimit(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	var cs []domain.Customer
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 150 {
		name := []string{"Contoso", "CONTOSO", "Contosó", "contoso"}[r.IntN(4)]
		cs = append(cs, domain.Customer{ID: fmt.Sprintf("%08x-0000-4000-8000-%012d", r.Uint32(), i), CompanyName: name,
			Domain: fmt.Sprintf("t%03d.example.com", i)})
	}
	if _, err := alice(db).ImportCustomers(context.Background(), rowsOf(cs), workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, term := range []string{"con", "contos", "co"} {
		folded, _ := domain.SearchTerm(term)
		want := domain.RankSearch(folded, cs, 100)
		got := mustSearch(t, alice(db), term)
		for i := range want {
			if got[i].ID != want[i].ID {
				t.Fatalf("search %q result %d: %s %s, want %s %s", term, i, got[i].CompanyName, got[i].ID, want[i].CompanyName, want[i].ID)
			}
		}
	}
}

func TestKeySorterMergesRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	var keys []searchKey
	words := []string{"contoso", "contosó ltd", "fabrikam", "αβγ", "a", "zz top", "société", "ab"}
	for i := range 2000 {
		name := words[r.IntN(len(words))]
		keys = append(keys, searchKey{nameKey: name, key: name[:1+r.IntN(len(name))], pk: int64(r.IntN(300) + i%3)})
	}
	for _, chunk := range []int{7, 100, 5000} {
		s := newKeySorter(chunk)
		for _, k := range keys {
			if err := s.add(k); err != nil {
				t.Fatal(err)
			}
		}
		var got []searchKey
		if err := s.each(func(k searchKey) error { got = append(got, k); return nil }); err != nil {
			t.Fatal(err)
		}
		s.close()
		if len(got) != len(keys) {
			t.Fatalf("chunk %d: %d keys out of %d", chunk, len(got), len(keys))
		}
		for i := 1; i < len(got); i++ {
			if compareKeys(got[i-1], got[i]) > 0 {
				t.Fatalf("chunk %d: keys %d and %d out of order: %+v %+v", chunk, i-1, i, got[i-1], got[i])
			}
		}
	}
}

func TestExportRefusesAFieldWithTheSeparator(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	addN(t, alice(db), 2)
	if _, err := db.db.Exec("UPDATE customers SET relationship = 'a' || char(31) || 'b' WHERE pk = 2"); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := alice(db).ExportCustomers(context.Background(), workspace.ExportQuery{}, func(*domain.Customer) error { n++; return nil })
	if err == nil || !strings.Contains(err.Error(), "holds a U+001F control character") || n != 1 {
		t.Fatalf("exported %d, err = %v", n, err)
	}
}

// TestSearchTransliterationsAndTenantID: German written without umlauts finds the names
// written with them (and only those), and the beginning of a tenant ID finds its customer,
// written as a GUID is or without hyphens, in either case.
func TestSearchTransliterationsAndTenantID(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ws := alice(db)
	ctx := context.Background()
	cs := []domain.Customer{
		{ID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", CompanyName: "Apotheke Würzburg", Domain: "apotheke-wuerzburg.de", Country: "DE"},
		{ID: "3f2504e0-5f89-41d3-9a0c-0305e82c3302", CompanyName: "Österreichische Post AG", Domain: "post.at", Country: "AT"},
		{ID: "4b1d2c3e-0000-4000-8000-00000000ab01", CompanyName: "Zürich Versicherung", Domain: "zurich.ch", Country: "CH"},
		{ID: "4b1d2c3e-0000-4000-8000-00000000ab02", CompanyName: "Wurzburg Imports", Domain: "wurzburg.com", Country: "US"},
		{ID: "cafe0000-0000-4000-8000-00000000ab03", CompanyName: "Queens Bakery", Domain: "queens.com", Country: "US"},
		{ID: "cafe0000-0000-4000-8000-00000000ab04", CompanyName: "Wuerzburg Logistik", Domain: "wuerzburg-logistik.de", Country: "DE"},
	}
	if _, err := ws.ImportCustomers(ctx, rowsOf(cs), workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for term, want := range map[string]string{
		"wuerzburg":                              "Apotheke Würzburg,Wuerzburg Logistik",
		"apotheke wuerzburg":                     "Apotheke Würzburg",
		"wurzburg":                               "Apotheke Würzburg,Wurzburg Imports",
		"würzburg":                               "Apotheke Würzburg,Wuerzburg Logistik,Wurzburg Imports",
		"oesterreich":                            "Österreichische Post AG",
		"OESTERREICHISCHE POST":                  "Österreichische Post AG",
		"zuerich":                                "Zürich Versicherung",
		"queen":                                  "Queens Bakery",
		"3f25":                                   "Apotheke Würzburg,Österreichische Post AG",
		"3f2504e0-4f":                            "Apotheke Würzburg",
		"3F2504E04F89":                           "Apotheke Würzburg",
		"{4B1D2C3E-0000-4000-8000-00000000AB02}": "Wurzburg Imports",
		"cafe":                                   "",
		"cafe0000":                               "Queens Bakery,Wuerzburg Logistik",
	} {
		got, err := ws.SearchCustomers(ctx, term, domain.SearchLimit)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range got {
			names = append(names, c.CompanyName)
		}
		if strings.Join(names, ",") != want {
			t.Errorf("search %q = %q, want %q", term, strings.Join(names, ","), want)
		}
	}
}
