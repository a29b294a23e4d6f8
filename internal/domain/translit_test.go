package domain

import (
	"slices"
	"testing"
)

func TestFoldTransliterated(t *testing.T) {
	for in, want := range map[string]string{
		"Würzburg":              "wuerzburg",
		"ÖSTERREICH":            "oesterreich",
		"Zu\u0308rich":          "zuerich", // decomposed ü
		"Contoso Bäckerei GmbH": "contoso baeckerei gmbh",
		"Straße":                "", // no umlaut: Fold alone ("strasse")
		"Société Générale":      "",
		"Ærø Ö":                 "aero oe", // only ä, ö, ü are transliterated; æ, ø fold as always
	} {
		if got := FoldTransliterated(in); got != want {
			t.Errorf("FoldTransliterated(%q) = %q, want %q", in, got, want)
		}
	}
	if got := NameForms("Apotheke Würzburg"); !slices.Equal(got, []string{"apotheke wurzburg", "apotheke wuerzburg"}) {
		t.Errorf("NameForms = %q", got)
	}
	if got := NameForms("Contoso"); !slices.Equal(got, []string{"contoso"}) {
		t.Errorf("NameForms = %q", got)
	}
}

func TestTransliterationVariants(t *testing.T) {
	for in, want := range map[string][]string{
		"wuerzburg":        {"wurzburg"},
		"baeckerei":        {"backerei"},
		"muenchener rueck": {"munchener rueck", "muenchener ruck", "munchener ruck"},
		"contoso":          nil,
		"aeoeueae":         {"aoeueae", "aeoueae", "aoueae", "aeoeuae", "aoeuae", "aeouae", "aouae", "aeoeuea", "aoeuea", "aeouea", "aouea", "aeoeua", "aoeua", "aeoua", "aoua"},
	} {
		if got := TransliterationVariants(in); !slices.Equal(got, want) {
			t.Errorf("TransliterationVariants(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchesTransliterationsAndTenantID(t *testing.T) {
	c := Customer{ID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", CompanyName: "Apotheke Würzburg", Domain: "apo.de"}
	for _, tt := range []struct {
		term         string
		match, exact bool
	}{
		{"wuerzburg", true, false}, {"wurzburg", true, false}, {"apotheke wuerzburg", true, true},
		{"wuerzburgs", false, false}, {"wuerz", true, false},
		{"3f25", true, false}, {"3f2504e0 4f", true, false}, {"3f2504e04f89", true, false},
		{"3f2504e0 4f89 41d3 9a0c 0305e82c3301", true, true}, {"3f2", false, false}, {"4f89", false, false},
	} {
		m, e := Matches(tt.term, c)
		if m != tt.match || e != tt.exact {
			t.Errorf("Matches(%q) = %v, %v; want %v, %v", tt.term, m, e, tt.match, tt.exact)
		}
	}
	for term, want := range map[string]bool{"cafe": false, "cafebabe": true, "caf3": true, "2025": true, "abc1 x": false, "123": false} {
		if _, ok := IDPrefixTerm(term); ok != want {
			t.Errorf("IDPrefixTerm(%q) ok = %v, want %v", term, ok, want)
		}
	}
	if got := TenantIDPrefix("3f2504e04f8941d3"); got != "3f2504e0-4f89-41d3" {
		t.Errorf("TenantIDPrefix = %q", got)
	}
}

func TestSearchForms(t *testing.T) {
	for in, want := range map[string][]string{
		"Würzburg":  {"wurzburg", "wuerzburg"},
		"wuerzburg": {"wuerzburg"},
		"Straße":    {"strasse"},
	} {
		if got, err := SearchForms(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("SearchForms(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	c := []Customer{{ID: "a", CompanyName: "Wuerzburg Logistik"}, {ID: "b", CompanyName: "Würzburg Bau"}, {ID: "c", CompanyName: "Wurzburg Inc"}}
	forms, _ := SearchForms("würzburg")
	if got := RankSearchForms(forms, c, 10); len(got) != 3 {
		t.Errorf("RankSearchForms(würzburg) = %v, want all three", got)
	}
	if got := RankSearch("wurzburg", c, 10); len(got) != 2 || got[0].ID != "b" || got[1].ID != "c" {
		t.Errorf("RankSearch(wurzburg) = %v, want b, c", got)
	}
}
