package sqlite

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/conformance"
)

func TestSearchMatchesBruteForce(t *testing.T) {
	cs := conformance.Generated(3000)
	ctx := context.Background()

	bulk, _ := openTest(t, filepath.Join(t.TempDir(), "bulk.db"))
	bulk.chunkKeys = 1000 // sort the keys through temporary runs, as a large import does
	if _, err := alice(bulk).ImportCustomers(ctx, conformance.RowsOf(cs), workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	incr, _ := openTest(t, filepath.Join(t.TempDir(), "incr.db"))
	if _, err := alice(incr).ImportCustomers(ctx, conformance.RowsOf(cs[:1]), workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := alice(incr).ImportCustomers(ctx, conformance.RowsOf(cs), workspace.ImportOptions{})
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
	a, b := conformance.ExportAll(t, alice(bulk)), conformance.ExportAll(t, alice(incr))
	if len(a) != len(cs) || len(b) != len(cs) {
		t.Fatalf("exported %d and %d customers, want %d", len(a), len(b), len(cs))
	}
	for i := range cs {
		if a[i] != b[i] || a[i].ID != cs[i].ID || !a[i].CreatedAt.Equal(cs[i].CreatedAt) {
			t.Fatalf("customer %d: bulk %+v, incremental %+v, file %+v", i, a[i], b[i], cs[i])
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
