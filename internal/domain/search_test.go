package domain

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// Search rules: 002 ("nouvelle recherche partielle") and domain.md, "Customers": a term
// matches the beginning of the company name (or of a word of it) or of the primary domain,
// ignoring case and accents; at most 100 results, exact matches first, then alphabetical.

func TestFold(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only separators", " \t-.,;!? ", ""},
		{"lower case kept", "contoso", "contoso"},
		{"upper case lowered", "CONTOSO", "contoso"},
		{"mixed case", "FaBrIkAm", "fabrikam"},
		{"doc example", "Société Générale, S.A.", "societe generale s a"},
		{"domain", "contoso.onmicrosoft.com", "contoso onmicrosoft com"},
		{"domain upper case", "CONTOSO.OnMicrosoft.COM", "contoso onmicrosoft com"},
		{"trimmed ends", "  --Fabrikam, Inc.--  ", "fabrikam inc"},
		{"run of separators", "A & B  /  C", "a b c"},
		{"tabs and newlines", "a\t\r\nb", "a b"},
		{"underscore is a separator", "__a_b__", "a b"},
		{"apostrophe", "L'Oréal", "l oreal"},
		{"digits kept", "Contoso 365 (2024)", "contoso 365 2024"},
		{"digits inside words", "R2-D2 Holdings", "r2 d2 holdings"},
		{"only digits", "007", "007"},
		// accents
		{"e acute", "é É", "e e"},
		{"e grave", "è È", "e e"},
		{"e circumflex", "ê Ê", "e e"},
		{"e diaeresis", "ë Ë", "e e"},
		{"a grave", "à À", "a a"},
		{"c cedilla", "ç Ç", "c c"},
		{"o circumflex", "ô Ô", "o o"},
		{"u circumflex", "û Û", "u u"},
		{"u diaeresis", "ü Ü", "u u"},
		{"n tilde", "ñ Ñ", "n n"},
		{"accented words", "Crème Brûlée, Façade; Noël à Año – Über", "creme brulee facade noel a ano uber"},
		{"accented upper case", "ÉCOLE NORMALE SUPÉRIEURE", "ecole normale superieure"},
		{"decomposed input", "Socie\u0301te\u0301", "societe"},
		// letters that do not decompose
		{"sharp s", "Straße", "strasse"},
		{"capital sharp s", "STRAẞE", "strasse"},
		{"ae", "Æsir æble", "aesir aeble"},
		{"oe", "Œuvre cœur", "oeuvre coeur"},
		{"o slash", "Ørsted Søren", "orsted soren"},
		{"l stroke", "Łódź Wrocław", "lodz wroclaw"},
		{"d stroke", "Đorđe Đakovo", "dorde dakovo"},
		{"eth", "Ðóra", "dora"},
		{"thorn", "Þór þing", "thor thing"},
		{"dotless i", "ıstanbul", "istanbul"},
		{"capital dotted i", "İSTANBUL", "istanbul"},
		{"h stroke", "Ħamrun", "hamrun"},
		// compatibility forms
		{"ligature", "ﬁne", "fine"},
		{"fullwidth", "Ａｂｃ１２", "abc12"},
		{"superscript digit", "m²", "m2"},
		{"no-break space", "a\u00a0b", "a b"},
		// non-Latin letters kept, lower-cased
		{"cyrillic", "ООО «Ромашка»", "ооо ромашка"},
		{"cyrillic lower", "москва", "москва"},
		{"greek", "ΑΘΗΝΑ Ltd", "αθηνα ltd"},
		{"cjk kept", "東京 株式会社", "東京 株式会社"},
		{"cjk fullwidth brackets", "株式会社（東京）", "株式会社 東京"},
		{"arabic", "شركة", "شركة"},
		{"mixed scripts", "Contoso–東京.com", "contoso 東京 com"},
		// symbols are separators
		{"emoji", "Contoso 🚀 Ltd", "contoso ltd"},
		{"currency", "€uro $hop", "uro hop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Upper and lower case of the same Greek word must fold alike ("ignore case"): the
// capital Σ lowers to σ, so the final form ς must fold to σ too.
func TestFoldGreekFinalSigma(t *testing.T) {
	for _, in := range []string{"ΟΔΟΣ", "Οδος", "οδος", "οδοσ"} {
		if got := Fold(in); got != "οδοσ" {
			t.Errorf("Fold(%q) = %q, want %q", in, got, "οδοσ")
		}
	}
}

// The ASCII fast path and the Unicode path must treat ASCII alike: appending "é" forces
// the Unicode path, appending "e" keeps the fast path, and both must give the same text.
func TestFoldASCIIPathsAgree(t *testing.T) {
	var samples []string
	for c := 0; c < utf8.RuneSelf; c++ {
		samples = append(samples, string(rune(c)), "x"+string(rune(c)), string(rune(c))+" ")
	}
	samples = append(samples,
		"", "Contoso Ltd.", "  Fabrikam,  Inc.  ", "contoso.onmicrosoft.com", "A-B_C/D\\E",
		"R2-D2", "\x00\x7f\tX\n", "!@#$%^&*()[]{}<>~`'\"|+=:;?,.", "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		"abcdefghijklmnopqrstuvwxyz0123456789")
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = byte(r.IntN(utf8.RuneSelf))
		}
		samples = append(samples, string(b))
	}
	for _, s := range samples {
		fast, slow := Fold(s+"e"), Fold(s+"é")
		if fast != slow {
			t.Errorf("Fold(%q+\"e\") = %q but Fold(%q+\"é\") = %q", s, fast, s, slow)
		}
	}
}

func TestFoldIdempotent(t *testing.T) {
	for _, s := range []string{"Société Générale, S.A.", "Straße", "ΟΔΟΣ", "ООО «Ромашка»",
		"東京 株式会社", "ﬁne", "Þór", "  a  ", "İSTANBUL"} {
		once := Fold(s)
		if twice := Fold(once); twice != once {
			t.Errorf("Fold(Fold(%q)) = %q, want %q", s, twice, once)
		}
	}
}

func TestSearchConstants(t *testing.T) {
	if SearchLimit != 100 {
		t.Errorf("SearchLimit = %d, want 100 (002)", SearchLimit)
	}
	if MaxKeyLen != 48 {
		t.Errorf("MaxKeyLen = %d, want 48", MaxKeyLen)
	}
	if KeyPrefixLen != 3 {
		t.Errorf("KeyPrefixLen = %d, want 3", KeyPrefixLen)
	}
}

func TestSearchKeys(t *testing.T) {
	a47 := strings.Repeat("a", 47)
	a48 := strings.Repeat("a", 48)
	tests := []struct {
		name         string
		nameKey, dom string
		want         []string
	}{
		{"one key per word start, then the domain",
			"societe generale s a", "socgen.onmicrosoft.com",
			[]string{"societe generale s a", "generale s a", "s a", "a", "socgen onmicrosoft com"}},
		{"single word",
			"contoso", "contoso.onmicrosoft.com",
			[]string{"contoso", "contoso onmicrosoft com"}},
		{"domain upper case folded",
			"fabrikam", "FABRIKAM.COM",
			[]string{"fabrikam", "fabrikam com"}},
		{"no domain",
			"contoso ltd", "",
			[]string{"contoso ltd", "ltd"}},
		{"no name",
			"", "contoso.com",
			[]string{"contoso com"}},
		{"nothing", "", "", []string{}},
		{"domain equal to the name is not repeated",
			"contoso com", "contoso.com",
			[]string{"contoso com", "com"}},
		{"repeated word is not repeated",
			"a b a b", "x.com",
			[]string{"a b a b", "b a b", "a b", "b", "x com"}},
		{"non-Latin words",
			"東京 株式会社", "tokyo.co.jp",
			[]string{"東京 株式会社", "株式会社", "tokyo co jp"}},
		{"long key cut to MaxKeyLen bytes",
			strings.Repeat("a", 60), "",
			[]string{a48}},
		{"long keys that agree on their first MaxKeyLen bytes are kept once",
			strings.Repeat("a", 60) + " " + strings.Repeat("a", 50), "",
			[]string{a48}},
		{"cut that ends on a space drops the space",
			a47 + " bbbbbbbbbb", "",
			[]string{a47, "bbbbbbbbbb"}},
		{"cut inside a 2-byte character falls back to its start",
			"a" + strings.Repeat("д", 30), "",
			[]string{"a" + strings.Repeat("д", 23)}}, // 47 bytes; byte 48 is inside the 24th д
		{"cut inside a 3-byte character falls back to its start",
			"a" + strings.Repeat("東", 20), "",
			[]string{"a" + strings.Repeat("東", 15)}}, // 46 bytes
		{"cut on a character boundary keeps the whole character",
			strings.Repeat("東", 20), "",
			[]string{strings.Repeat("東", 16)}}, // exactly 48 bytes
		{"4-byte characters",
			"a" + strings.Repeat("𠀀", 20), "",
			[]string{"a" + strings.Repeat("𠀀", 11)}}, // 45 bytes
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SearchKeys(tt.nameKey, tt.dom)
			if !slices.Equal(got, tt.want) {
				t.Errorf("SearchKeys(%q, %q) = %q, want %q", tt.nameKey, tt.dom, got, tt.want)
			}
			for _, k := range got {
				if len(k) > MaxKeyLen || !utf8.ValidString(k) {
					t.Errorf("key %q: %d bytes, valid UTF-8 %v", k, len(k), utf8.ValidString(k))
				}
			}
		})
	}
}

func TestKeyPrefix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"ab", "ab"},
		{"abc", "abc"},
		{"abcd", "abc"},
		{"contoso onmicrosoft com", "con"},
		{"ab cd", "ab "},
		{"aд", "aд"},  // exactly 3 bytes
		{"aдb", "aд"}, // 4 bytes, cut after д
		{"abд", "ab"}, // byte 3 is inside д
		{"дд", "д"},   // 4 bytes
		{"東", "東"},    // exactly 3 bytes
		{"東京", "東"},   // 6 bytes
		{"a東", "a"},   // byte 3 is inside 東
		{"𠀀x", ""},    // a 4-byte character does not fit in 3 bytes
		{"москва", "м"},
	}
	for _, tt := range tests {
		if got := KeyPrefix(tt.in); got != tt.want {
			t.Errorf("KeyPrefix(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIndexTerm(t *testing.T) {
	tests := []struct{ in, want string }{
		{"cont", "cont"},
		{strings.Repeat("b", 48), strings.Repeat("b", 48)},
		{strings.Repeat("b", 49), strings.Repeat("b", 48)},
		{"a" + strings.Repeat("д", 30), "a" + strings.Repeat("д", 23)},
	}
	for _, tt := range tests {
		if got := IndexTerm(tt.in); got != tt.want {
			t.Errorf("IndexTerm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A term that is the beginning of a key must, once cut for the index, still be the
// beginning of that key as cut for the index, and share its bucket.
func TestIndexTermFindsLongKeys(t *testing.T) {
	names := []string{
		strings.Repeat("a", 47) + " " + strings.Repeat("b", 30),
		"a" + strings.Repeat("д", 40),
		strings.Repeat("東", 30),
		"x" + strings.Repeat("東", 30),
	}
	for _, name := range names {
		keys := SearchKeys(name, "")
		for n := 1; n <= len(name); n++ {
			if n < len(name) && !utf8.RuneStart(name[n]) || strings.HasSuffix(name[:n], " ") {
				continue // terms are whole characters and never end with a space
			}
			it := IndexTerm(name[:n])
			if !strings.HasPrefix(keys[0], it) {
				t.Errorf("name %q: IndexTerm of its first %d bytes %q is not a prefix of key %q", name, n, it, keys[0])
			}
			if len(it) >= KeyPrefixLen && KeyPrefix(it) != KeyPrefix(keys[0]) {
				t.Errorf("name %q: KeyPrefix(%q) = %q but KeyPrefix(%q) = %q", name, it, KeyPrefix(it), keys[0], KeyPrefix(keys[0]))
			}
		}
	}
}

func TestSearchTerm(t *testing.T) {
	ok := []struct{ in, want string }{
		{"CONT", "cont"},
		{"  Société  Gén ", "societe gen"},
		{"contoso.onmicrosoft.com", "contoso onmicrosoft com"},
		{"42", "42"},
		{"東京", "東京"},
	}
	for _, tt := range ok {
		got, err := SearchTerm(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("SearchTerm(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"", "term has no letters or digits to search for"},
		{"   ", `term "   " has no letters or digits to search for`},
		{"...", `term "..." has no letters or digits to search for`},
		{"-*-", `term "-*-" has no letters or digits to search for`},
		{"🚀", `term "🚀" has no letters or digits to search for`},
	}
	for _, tt := range bad {
		got, err := SearchTerm(tt.in)
		if err == nil {
			t.Errorf("SearchTerm(%q) = %q, want an error", tt.in, got)
			continue
		}
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Field != "term" || ie.Value != tt.in || ie.Reason != "has no letters or digits to search for" {
			t.Errorf("SearchTerm(%q) error = %#v, want *InvalidError{term, %q, ...}", tt.in, err, tt.in)
		}
		if err.Error() != tt.msg {
			t.Errorf("SearchTerm(%q) error = %q, want %q", tt.in, err.Error(), tt.msg)
		}
	}
}

func TestMatches(t *testing.T) {
	socgen := Customer{ID: "1", CompanyName: "Société Générale", Domain: "socgen.onmicrosoft.com"}
	contoso := Customer{ID: "2", CompanyName: "Contoso Ltd", Domain: "contoso.onmicrosoft.com"}
	fabrikam := Customer{ID: "3", CompanyName: "Fabrikam", Domain: "northwind.com"}
	tests := []struct {
		term         string // raw user input, passed through SearchTerm
		c            Customer
		match, exact bool
	}{
		{"societe gen", socgen, true, false},
		{"societe", socgen, true, false},
		{"SOCIÉTÉ", socgen, true, false},
		{"soc", socgen, true, false},
		{"s", socgen, true, false},
		{"generale", socgen, true, false}, // a later word
		{"Générale", socgen, true, false}, // a later word, as written
		{"gen", socgen, true, false},      // beginning of a later word
		{"ciete", socgen, false, false},   // middle of a word
		{"erale", socgen, false, false},   // middle of a later word
		{"generale societe", socgen, false, false},
		{"societe generale sa", socgen, false, false}, // longer than the name
		{"Société Générale", socgen, true, true},      // the whole name
		{"societe generale", socgen, true, true},
		{"SOCIETE-GENERALE", socgen, true, true},
		{"socgen", socgen, true, false},                // beginning of the domain
		{"socgen.onmicrosoft", socgen, true, false},    // longer beginning of the domain
		{"socgen.onmicrosoft.com", socgen, true, true}, // the whole domain
		{"SOCGEN.OnMicrosoft.COM", socgen, true, true}, // the whole domain, any case
		{"onmicrosoft", socgen, false, false},          // not the beginning of the domain
		{"com", socgen, false, false},
		{"CONT", contoso, true, false},
		{"contoso.onm", contoso, true, false},
		{"contoso onmicrosoft com", contoso, true, true},
		{"ltd", contoso, true, false},
		{"contoso ltd", contoso, true, true},
		{"td", contoso, false, false},
		{"northwind", fabrikam, true, false}, // domain only
		{"fab", fabrikam, true, false},       // name only
		{"fabrikam", fabrikam, true, true},
		{"wind", fabrikam, false, false},
		{"contoso", fabrikam, false, false},
	}
	for _, tt := range tests {
		term, err := SearchTerm(tt.term)
		if err != nil {
			t.Fatalf("SearchTerm(%q): %v", tt.term, err)
		}
		m, e := Matches(term, tt.c)
		if m != tt.match || e != tt.exact {
			t.Errorf("Matches(%q, %q/%q) = %v, %v; want %v, %v", term, tt.c.CompanyName, tt.c.Domain, m, e, tt.match, tt.exact)
		}
	}
}

func ids(cs []Customer) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestRankSearch(t *testing.T) {
	found := []Customer{
		{ID: "a", CompanyName: "Fabrikam", Domain: "shopfab.com"},
		{ID: "b", CompanyName: "Éclair", Domain: "shopeclair.com"},
		{ID: "c", CompanyName: "Delta", Domain: "shopdelta.com"},
		{ID: "d", CompanyName: "Shop", Domain: "zzz.com"},           // exact: the whole name
		{ID: "e", CompanyName: "Contoso", Domain: "contoso.com"},    // no match: dropped
		{ID: "f", CompanyName: "eclair", Domain: "shopeclair2.com"}, // same folded name as b
		{ID: "0", CompanyName: "Delta", Domain: "shopdelta2.com"},   // same name as c
		{ID: "h", CompanyName: "Alpha Shop", Domain: "alpha.com"},   // later word
		{ID: "i", CompanyName: "Workshop", Domain: "ws.com"},        // middle of a word: dropped
	}
	// Exact first; then by folded name (Éclair sorts with E, between Delta and Fabrikam);
	// equal folded names by the name as written ("eclair" < "Éclair" byte-wise); equal
	// names by ID.
	want := []string{"d", "h", "0", "c", "f", "b", "a"}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 20 {
		in := slices.Clone(found)
		if i > 0 {
			r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		}
		orig := slices.Clone(in)
		got := ids(RankSearch("shop", in, SearchLimit))
		if !slices.Equal(got, want) {
			t.Fatalf("RankSearch(shop) over %v = %v, want %v", ids(in), got, want)
		}
		if !slices.Equal(in, orig) {
			t.Fatalf("RankSearch modified its input: %v, was %v", ids(in), ids(orig))
		}
	}
}

func TestRankSearchAlphabetical(t *testing.T) {
	found := []Customer{
		{ID: "1", CompanyName: "Fabrikam", Domain: "f.com"},
		{ID: "2", CompanyName: "Éclair", Domain: "e.com"},
		{ID: "3", CompanyName: "Delta", Domain: "d.com"},
		{ID: "4", CompanyName: "Zeta", Domain: "z.com"},
		{ID: "5", CompanyName: "Álvarez", Domain: "a.com"},
		{ID: "6", CompanyName: "beta", Domain: "b.com"},
	}
	// The term matches every domain's beginning, so the order is the names' alone.
	for i := range found {
		found[i].Domain = "x" + found[i].Domain
	}
	got := ids(RankSearch("x", found, 0))
	want := []string{"5", "6", "3", "2", "1", "4"} // alvarez beta delta eclair fabrikam zeta
	if !slices.Equal(got, want) {
		t.Errorf("RankSearch order = %v, want %v", got, want)
	}
}

func TestRankSearchExactOnDomain(t *testing.T) {
	found := []Customer{
		{ID: "q", CompanyName: "ABC Com Ltd", Domain: "q.com"}, // beginning of the name
		{ID: "p", CompanyName: "Zeta", Domain: "abc.com"},      // the whole domain
	}
	got := ids(RankSearch("abc com", found, 10))
	if want := []string{"p", "q"}; !slices.Equal(got, want) {
		t.Errorf("RankSearch = %v, want %v", got, want)
	}
}

func TestRankSearchLimit(t *testing.T) {
	var found []Customer
	for i := range 150 {
		found = append(found, Customer{ID: fmt.Sprintf("id%03d", i), CompanyName: fmt.Sprintf("Shop %03d", i), Domain: fmt.Sprintf("s%d.com", i)})
	}
	rand.New(rand.NewPCG(5, 6)).Shuffle(len(found), func(i, j int) { found[i], found[j] = found[j], found[i] })

	got := RankSearch("shop", found, SearchLimit)
	if len(got) != 100 {
		t.Fatalf("RankSearch returned %d customers, want 100", len(got))
	}
	for i, c := range got {
		if want := fmt.Sprintf("Shop %03d", i); c.CompanyName != want {
			t.Fatalf("result %d = %q, want %q", i, c.CompanyName, want)
		}
	}

	if got := ids(RankSearch("shop 1", found, 3)); !slices.Equal(got, []string{"id100", "id101", "id102"}) {
		t.Errorf("RankSearch(shop 1, limit 3) = %v", got)
	}
	// An exact match is kept even when it sorts last.
	found = append(found, Customer{ID: "zz", CompanyName: "Zulu", Domain: "shop"})
	if got := ids(RankSearch("shop", found, 2)); !slices.Equal(got, []string{"zz", "id000"}) {
		t.Errorf("RankSearch(shop, limit 2) = %v, want [zz id000]", got)
	}
	// No limit.
	if got := RankSearch("shop", found, 0); len(got) != 151 {
		t.Errorf("RankSearch(limit 0) returned %d, want all 151", len(got))
	}
	if got := RankSearch("nothing", found, SearchLimit); len(got) != 0 {
		t.Errorf("RankSearch(nothing) = %v, want none", ids(got))
	}
}

func TestFoldKeepsSpacingMarksInTheirWord(t *testing.T) {
	// Devanagari vowel signs are spacing marks (Mc): "हिन्दी" is one word, not two.
	if got := Fold("हिन्दी समाचार"); strings.Count(got, " ") != 1 || !strings.HasPrefix(got, "ह") {
		t.Fatalf("Fold(%q) = %q: the first word was split", "हिन्दी समाचार", got)
	}
	if m, _ := Matches(Fold("न्द"), Customer{CompanyName: "हिन्दी", Domain: "x.in"}); m {
		t.Fatal("a term matched inside a Devanagari word")
	}
}

// TestSearchTermBound (issue 14, item 5): a term is at most MaxSearchTerm characters as
// typed and once folded (U+FDFA folds to 18 characters).
func TestSearchTermBound(t *testing.T) {
	if _, err := SearchTerm(strings.Repeat("a", MaxSearchTerm)); err != nil {
		t.Errorf("a term of %d characters: %v", MaxSearchTerm, err)
	}
	_, err := SearchTerm(strings.Repeat("é", MaxSearchTerm+1))
	var ie *InvalidError
	if !errors.As(err, &ie) || ie.Reason != "is 257 characters long: a search term is at most 256" {
		t.Errorf("257 characters: %v", err)
	}
	_, err = SearchTerm(strings.Repeat("\uFDFA", 15))
	if !errors.As(err, &ie) || !strings.Contains(ie.Reason, "once folded for search: a search term is at most 256") || !utf8.ValidString(err.Error()) {
		t.Errorf("15 × U+FDFA: %v", err)
	}
}
