package domain

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Customer search (002, "nouvelle recherche partielle"): a term matches a customer when it
// is the beginning of the company name, of any word of it, or of the primary domain,
// ignoring case and accents. At most SearchLimit customers are returned: exact matches
// first, then alphabetical.

// SearchLimit is the most customers a search returns (002).
const SearchLimit = 100

// KeyPrefixLen is the length of the bucket prefix the workspace indexes search keys by.
const KeyPrefixLen = 3

// MaxKeyLen bounds the stored length of a search key, in bytes; longer terms are compared
// on their first MaxKeyLen bytes by the index and then checked in full with Matches.
const MaxKeyLen = 48

// foldSpecial maps the letters that Unicode decomposition leaves alone to their usual
// Latin spelling, so that "Straße" is found by "strasse" and "Łódź" by "lodz", and the
// Greek final sigma to the form its capital lowers to.
var foldSpecial = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th",
	'ı': "i", 'ħ': "h", 'Ħ': "h",
	'ς': "σ", // Greek final sigma: Σ lowers to σ, so both forms must fold alike
}

// Fold turns text into its search form: lower case, accents removed, every run of
// characters that are neither letters nor digits turned into one space, no space at either
// end. "Société Générale, S.A." folds to "societe generale s a"; "contoso.onmicrosoft.com"
// to "contoso onmicrosoft com".
func Fold(s string) string {
	// Fast path: ASCII text needs no decomposition.
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading separators
	emit := func(r rune) {
		if r == ' ' {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			return
		}
		b.WriteRune(r)
		space = false
	}
	if ascii {
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				emit(rune(c))
			case c >= 'A' && c <= 'Z':
				emit(rune(c + 'a' - 'A'))
			default:
				emit(' ')
			}
		}
	} else {
		for _, r := range norm.NFKD.String(s) {
			if unicode.Is(unicode.Mn, r) {
				continue // a combining accent
			}
			if sp, ok := foldSpecial[r]; ok {
				for _, c := range sp {
					emit(c)
				}
				continue
			}
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r) {
				// Spacing marks (Devanagari vowel signs…) belong to their word.
				emit(unicode.ToLower(r))
				continue
			}
			emit(' ')
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// SearchKeys returns the folded texts a term may begin with to match a customer: the folded
// company name from the start of each of its words, and the folded domain; each cut to
// MaxKeyLen bytes, without duplicates. nameKey is Fold(companyName), which callers already
// hold.
func SearchKeys(nameKey, domain string) []string {
	keys := make([]string, 0, 5)
	add := func(k string) {
		k = truncateKey(k)
		if k == "" {
			return
		}
		for _, have := range keys {
			if have == k {
				return
			}
		}
		keys = append(keys, k)
	}
	for i := 0; i < len(nameKey); i++ {
		if i == 0 || nameKey[i-1] == ' ' {
			add(nameKey[i:])
		}
	}
	add(Fold(domain))
	return keys
}

// KeyPrefix is the bucket of a folded key or term: its first KeyPrefixLen bytes, cut back
// to a whole character.
func KeyPrefix(k string) string {
	if len(k) <= KeyPrefixLen {
		return k
	}
	n := KeyPrefixLen
	for n > 0 && !utf8.RuneStart(k[n]) {
		n--
	}
	return k[:n]
}

func truncateKey(k string) string {
	if len(k) <= MaxKeyLen {
		return k
	}
	n := MaxKeyLen
	for n > 0 && !utf8.RuneStart(k[n]) {
		n--
	}
	return strings.TrimSuffix(k[:n], " ")
}

// clipText is s cut to at most n bytes on a character boundary, "…" marking a cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// MaxSearchTerm bounds a search term, in characters, as typed and once folded.
const MaxSearchTerm = 256

// SearchTerm is a user's search text, folded. An empty folded term matches nothing useful
// and is refused with an *InvalidError.
func SearchTerm(s string) (string, error) {
	// Bounded before folding, and after (a character may fold to many: U+FDFA to 18).
	if n := utf8.RuneCountInString(s); n > MaxSearchTerm {
		return "", &InvalidError{Field: "term", Value: clipText(s, 64),
			Reason: fmt.Sprintf("is %d characters long: a search term is at most %d", n, MaxSearchTerm)}
	}
	t := Fold(s)
	if n := utf8.RuneCountInString(t); n > MaxSearchTerm {
		return "", &InvalidError{Field: "term", Value: clipText(s, 64),
			Reason: fmt.Sprintf("is %d characters long once folded for search: a search term is at most %d", n, MaxSearchTerm)}
	}
	if t == "" {
		return "", &InvalidError{Field: "term", Value: s, Reason: "has no letters or digits to search for"}
	}
	return t, nil
}

// IndexTerm is the part of a folded term the index can compare: its first MaxKeyLen
// bytes.
func IndexTerm(term string) string { return truncateKey(term) }

// Matches reports whether the folded term matches the customer, and whether it matches
// exactly (the whole company name, the whole domain or the whole tenant ID). The name is
// matched in each of its NameForms (so "wuerzburg" matches "Würzburg Bau"), the tenant ID
// by its beginning when the term is one (IDPrefixTerm).
func Matches(term string, c Customer) (match, exact bool) {
	forms := NameForms(c.CompanyName)
	dom := Fold(c.Domain)
	if term == dom {
		return true, true
	}
	for _, name := range forms {
		if term == name {
			return true, true
		}
	}
	if strings.HasPrefix(dom, term) {
		return true, false
	}
	for _, name := range forms {
		for i := 0; i < len(name); i++ {
			if (i == 0 || name[i-1] == ' ') && strings.HasPrefix(name[i:], term) {
				return true, false
			}
		}
	}
	if hex, ok := IDPrefixTerm(term); ok && c.ID != "" {
		id := strings.ReplaceAll(c.ID, "-", "")
		if strings.HasPrefix(id, hex) {
			return true, len(hex) == len(id)
		}
	}
	return false, false
}

// MinIDPrefix is the fewest hexadecimal digits a term needs to be searched for as the
// beginning of a tenant ID (Microsoft ID); a term of letters only needs twice as many, so
// that a word such as "cafe" or "bead" is not also taken for an ID.
const MinIDPrefix = 4

// IDPrefixTerm tells whether a folded search term may be the beginning of a tenant ID
// (hexadecimal digits, in groups as a GUID is written or not) and returns its digits, in
// lower case: at least MinIDPrefix of them including a digit, or 2×MinIDPrefix, at most 32.
func IDPrefixTerm(term string) (string, bool) {
	hex := strings.ReplaceAll(term, " ", "")
	if len(hex) < MinIDPrefix || len(hex) > 32 {
		return "", false
	}
	digit := false
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f':
		default:
			return "", false
		}
	}
	if !digit && len(hex) < 2*MinIDPrefix {
		return "", false
	}
	return hex, true
}

// TenantIDPrefix is the beginning of a tenant ID, as stored (lower case, hyphens after
// the 8th, 12th, 16th and 20th digits), that the digits of IDPrefixTerm begin.
func TenantIDPrefix(hex string) string {
	var b strings.Builder
	for i := 0; i < len(hex); i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b.WriteByte('-')
		}
		b.WriteByte(hex[i])
	}
	return b.String()
}

// RankSearch orders search results: exact matches first, then alphabetically by folded
// company name, then by the name as written, then by ID so the order is total. It keeps
// at most limit results.
func RankSearch(term string, found []Customer, limit int) []Customer {
	return RankSearchForms([]string{term}, found, limit)
}

// SearchForms are the folded forms a search text is looked for by: SearchTerm(text), and,
// when the text holds ä, ö or ü, its German transliteration ("würzburg" also looks for
// "wuerzburg"), as NameForms gives a name both.
func SearchForms(text string) ([]string, error) {
	term, err := SearchTerm(text)
	if err != nil {
		return nil, err
	}
	if t := FoldTransliterated(text); t != "" && t != term {
		return []string{term, t}, nil
	}
	return []string{term}, nil
}

// RankSearchForms is RankSearch for a text searched in several forms (SearchForms): a
// customer matches when one of them does, exactly when one matches exactly.
func RankSearchForms(terms []string, found []Customer, limit int) []Customer {
	type ranked struct {
		c     Customer
		exact bool
		key   string
	}
	rs := make([]ranked, 0, len(found))
	for _, c := range found {
		m, exact := false, false
		for _, term := range terms {
			tm, te := Matches(term, c)
			m, exact = m || tm, exact || te
		}
		if !m {
			continue
		}
		rs = append(rs, ranked{c, exact, Fold(c.CompanyName)})
	}
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.exact != b.exact {
			return a.exact
		}
		if a.key != b.key {
			return a.key < b.key
		}
		if a.c.CompanyName != b.c.CompanyName {
			return a.c.CompanyName < b.c.CompanyName
		}
		return a.c.ID < b.c.ID
	})
	if limit > 0 && len(rs) > limit {
		rs = rs[:limit]
	}
	out := make([]Customer, len(rs))
	for i, r := range rs {
		out[i] = r.c
	}
	return out
}
