package postgres

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/conformance"
)

// The search (one statement for a term of three bytes or more, several for a shorter one,
// then the cache) finds what a brute-force ranking of every customer finds, with the
// principal's flags and pins, computed and from the cache.
func TestSearchMatchesBruteForce(t *testing.T) {
	cs := conformance.Generated(3000)
	ctx := context.Background()
	db := openTest(t, nil)
	alice := db.As(domain.Owner("alice@contoso.com"))
	if _, err := alice.ImportCustomers(ctx, conformance.RowsOf(cs), workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	flagged, pinned := map[string]bool{}, map[string]bool{}
	for i := 0; i < len(cs); i += 101 { // 30 flags: the cap
		if _, err := alice.FlagCustomer(ctx, cs[i].Domain); err != nil {
			t.Fatal(err)
		}
		flagged[cs[i].ID] = true
	}
	for i := 5; i < len(cs); i += 89 {
		if _, _, err := alice.PinCustomer(ctx, cs[i].Domain); err != nil {
			t.Fatal(err)
		}
		pinned[cs[i].ID] = true
	}

	r := rand.New(rand.NewPCG(1, 2))
	terms := []string{"a", "s", "z", "co", "ge", "xq", "üü", "societe gen", "GMBH", "müller", "straße", "ltd", "onmicrosoft"}
	for range 150 {
		c := cs[r.IntN(len(cs))]
		words := strings.Fields(domain.Fold(c.CompanyName))
		w := words[r.IntN(len(words))]
		terms = append(terms, w[:min(len(w), 1+r.IntN(6))], c.Domain[:min(len(c.Domain), 2+r.IntN(10))])
	}
	terms = append(terms, cs[10].CompanyName, cs[11].Domain, cs[0].CompanyName, cs[0].Domain)
	terms = append(terms, "mueller", "muell", "strasse", "baeck", "koeln", "zuer", "queen", "blue", "oesterreich", "wuerzburg",
		"apotheke wuerzburg", "saarbruecken", "foerder", "Saarbrücken", "Würzburg", "Köln")
	for _, c := range cs[20:40] {
		if strings.ContainsAny(c.CompanyName, "äöüÄÖÜ") {
			terms = append(terms, domain.FoldTransliterated(c.CompanyName))
		}
	}
	terms = append(terms, cs[12].ID[:4], cs[13].ID[:8], cs[14].ID[:13], strings.ReplaceAll(cs[15].ID, "-", "")[:12],
		strings.ToUpper(cs[16].ID), "{"+cs[17].ID+"}", "0000", "ffff")

	for _, short := range []int{20000, 10} { // both ways of answering one- and two-letter terms
		shortTermLimit = short
		db.search = &searchCache{}
		for _, limit := range []int{domain.SearchLimit, 3} {
			for _, term := range terms {
				forms, _ := domain.SearchForms(term)
				want := domain.RankSearchForms(forms, cs, limit)
				for _, how := range []string{"computed", "from the cache"} {
					got, err := alice.SearchCustomers(ctx, term, limit)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(want) {
						t.Fatalf("%s, short limit %d, limit %d: search %q found %d, brute force %d", how, short, limit, term, len(got), len(want))
					}
					for i := range want {
						if got[i].ID != want[i].ID {
							t.Fatalf("%s, limit %d: search %q result %d is %q, brute force says %q", how, limit, term, i, got[i].CompanyName, want[i].CompanyName)
						}
						if got[i].Flagged != flagged[got[i].ID] || got[i].Pinned != pinned[got[i].ID] || got[i].Flagged && got[i].FlaggedAt.IsZero() {
							t.Fatalf("%s: search %q result %q: flagged %v at %v, pinned %v; want flagged %v, pinned %v", how, term,
								got[i].CompanyName, got[i].Flagged, got[i].FlaggedAt, got[i].Pinned, flagged[got[i].ID], pinned[got[i].ID])
						}
					}
				}
			}
		}
	}
	shortTermLimit = 20000
}
