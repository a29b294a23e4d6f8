package domain

import (
	"strings"
	"testing"
)

// FuzzOrgKey: no panic; the key is idempotent, a beginning of the folded name ending
// before a space, and the same for names that differ only in case.
func FuzzOrgKey(f *testing.F) {
	for _, s := range []string{"Contoso, Inc.", "Société Générale S.A.", "GmbH & Co. KG", "AB", "Pty Ltd Pty Ltd", "", " s a s "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		k := OrgKey(name)
		folded := Fold(name)
		if k != folded && !strings.HasPrefix(folded, k+" ") {
			t.Fatalf("OrgKey(%q) = %q is not a beginning of %q", name, k, folded)
		}
		if again := StripLegalSuffixes(k); again != k {
			t.Fatalf("not idempotent: %q then %q", k, again)
		}
		if folded != "" && k == "" {
			t.Fatalf("OrgKey(%q) is empty", name)
		}
	})
}

// FuzzSplitProducts: no panic; at most MaxSolutions solutions, each with an ID and a source.
func FuzzSplitProducts(f *testing.F) {
	for _, s := range []string{"A;B|C", "microsoft:X:2:3.50", "own:x:1", "partner:", ";;|", "a:b:c:d:e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sols, err := SplitProducts(s)
		if err != nil {
			return
		}
		if len(sols) > MaxSolutions {
			t.Fatalf("%d solutions", len(sols))
		}
		for _, sol := range sols {
			if strings.TrimSpace(sol.ID) == "" || sol.Source == "" {
				t.Fatalf("%+v", sol)
			}
		}
	})
}
