package domain

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Countries. pcctl stores a country as its ISO 3166-1 alpha-2 code, upper case, and reads
// one as people and spreadsheets write it: that code in any case, the ISO alpha-3 code
// (FRA), or the country's name in one of CountryLanguages (France, Frankreich, Francia,
// フランス…), ignoring case, accents and punctuation. A name two countries share is refused
// with both, as is an unknown code or name, with the closest candidates.

// CountryLanguages are the languages whose country names ParseCountry reads (the CLDR names
// golang.org/x/text/language/display carries).
var CountryLanguages = []string{"en", "fr", "de", "es", "it", "pt", "nl", "ja"}

// countryAliases are names people use that the CLDR tables above do not carry: current
// official names newer than the tables, and common short or long forms.
var countryAliases = map[string]string{
	"usa": "US", "u s a": "US", "united states of america": "US", "america": "US",
	"etats unis d amerique": "US", "vereinigte staaten von amerika": "US",
	"estados unidos de america": "US", "stati uniti d america": "US", "verenigde staten van amerika": "US",
	"great britain": "GB", "britain": "GB", "grande bretagne": "GB", "grossbritannien": "GB",
	"gran bretana": "GB", "gran bretagna": "GB", "gra bretanha": "GB", "groot brittannie": "GB",
	"england": "GB", "angleterre": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
	"the netherlands": "NL", "holland": "NL", "hollande": "NL", "uae": "AE",
	"czech republic": "CZ", "republique tcheque": "CZ", "tschechische republik": "CZ",
	"republica checa": "CZ", "repubblica ceca": "CZ", "republica tcheca": "CZ", "tsjechische republiek": "CZ",
	"turkiye": "TR", "north macedonia": "MK", "macedoine du nord": "MK", "nordmazedonien": "MK",
	"macedonia del norte": "MK", "macedonia del nord": "MK", "macedonia do norte": "MK", "noord macedonie": "MK",
	"eswatini": "SZ", "ivory coast": "CI", "burma": "MM", "cabo verde": "CV", "cape verde": "CV",
	"east timor": "TL", "timor leste": "TL", "vatican": "VA", "holy see": "VA", "hong kong": "HK", "hongkong": "HK",
	"macau": "MO", "macao": "MO", "republic of korea": "KR", "korea republic of": "KR",
	"russian federation": "RU", "viet nam": "VN", "palestine": "PS", "brasil": "BR",
	"アメリカ": "US", "米国": "US", "英国": "GB",
}

// countryRenamed are alpha-2 codes that are not ISO 3166-1 codes of a country but are
// written for one: exceptionally or transitionally reserved codes.
var countryRenamed = map[string]string{
	"UK": "GB", "EL": "GR", "FX": "FR", "TP": "TL", "ZR": "CD", "BU": "MM", "SU": "RU", "YU": "RS", "CS": "RS",
}

type countryTable struct {
	codes   map[string]bool
	names   map[string][]string // folded name (CLDR or alias) → codes
	derived map[string][]string // a part of a name ("Congo" of "Congo - Brazzaville") → codes
	english map[string]string   // code → English name, for messages
}

var (
	countriesOnce sync.Once
	countries     countryTable
)

func countryData() *countryTable {
	countriesOnce.Do(func() {
		t := countryTable{codes: map[string]bool{}, names: map[string][]string{}, derived: map[string][]string{}, english: map[string]string{}}
		add := func(m map[string][]string, k, code string) {
			if k == "" {
				return
			}
			for _, c := range m[k] {
				if c == code {
					return
				}
			}
			m[k] = append(m[k], code)
		}
		for _, code := range strings.Fields(countryCodes) {
			t.codes[code] = true
		}
		en := display.English.Regions()
		for _, code := range strings.Fields(countryCodes) {
			r := language.MustParseRegion(code)
			t.english[code] = en.Name(r)
			for _, l := range CountryLanguages {
				name := display.Regions(language.MustParse(l)).Name(r)
				add(t.names, Fold(name), code)
				// The parts of "Congo - Brazzaville", "Myanmar (Burma)", "Hong Kong, RAE da China".
				for _, part := range strings.FieldsFunc(name, func(r rune) bool {
					return r == '(' || r == ')' || r == ',' || r == '（' || r == '）'
				}) {
					add(t.derived, Fold(part), code)
					if a, _, ok := strings.Cut(part, " - "); ok {
						add(t.derived, Fold(a), code)
					}
				}
			}
		}
		for name, code := range countryAliases {
			add(t.names, Fold(name), code)
		}
		for k := range t.derived {
			if t.names[k] != nil {
				delete(t.derived, k) // a whole name wins over a part of another
			}
		}
		countries = t
	})
	return &countries
}

// CountryName is the English name of an ISO 3166-1 alpha-2 code ("" when it is not one).
func CountryName(code string) string { return countryData().english[code] }

// ParseCountry reads a country (see above) and returns its ISO 3166-1 alpha-2 code. When
// allowEmpty is true an empty value is accepted and means unknown. An unknown or ambiguous
// value is an *InvalidError naming the closest countries.
func ParseCountry(s string, allowEmpty bool) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		if allowEmpty {
			return "", nil
		}
		return "", &InvalidError{Field: "country", Reason: "is empty (expected an ISO 3166 alpha-2 code such as FR, DE, US)"}
	}
	tab := countryData()
	up := strings.ToUpper(t)
	if len(up) == 2 && tab.codes[up] {
		return up, nil
	}
	if len(up) == 3 && isASCIILetters(up) {
		if r, err := language.ParseRegion(up); err == nil && tab.codes[r.String()] {
			return r.String(), nil
		}
	}
	k := Fold(t)
	for _, m := range []map[string][]string{tab.names, tab.derived} {
		switch codes := m[k]; len(codes) {
		case 0:
		case 1:
			return codes[0], nil
		default:
			return "", &InvalidError{Field: "country", Value: s, Reason: "is the name of more than one country: " + tab.list(sorted(codes), " or ")}
		}
	}
	if len(up) == 2 && isASCIILetters(up) {
		cands := tab.closestCodes(up)
		if len(cands) == 0 {
			return "", &InvalidError{Field: "country", Value: s, Reason: "is not an ISO 3166 country code (such as FR, DE, US)"}
		}
		return "", &InvalidError{Field: "country", Value: s, Reason: "is not an ISO 3166 country code: did you mean " + tab.list(cands, ", ") + "?"}
	}
	if cands := tab.closestNames(k); len(cands) > 0 {
		return "", &InvalidError{Field: "country", Value: s, Reason: "is not a country code or name: did you mean " + tab.list(cands, ", ") + "?"}
	}
	return "", &InvalidError{Field: "country", Value: s, Reason: "is not a country code or name (such as FR, FRA or France)"}
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func sorted(codes []string) []string {
	out := append([]string(nil), codes...)
	sort.Strings(out)
	return out
}

// list writes codes as "GB (United Kingdom)", joined by sep.
func (t *countryTable) list(codes []string, sep string) string {
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s (%s)", c, t.english[c])
	}
	return strings.Join(parts, sep)
}

// maxCountryCandidates bounds the countries an error suggests.
const maxCountryCandidates = 5

// closestCodes are the code an unknown two-letter code stands for (GB for UK), or else
// the codes one letter away from it, same first letter first.
func (t *countryTable) closestCodes(up string) []string {
	if c, ok := countryRenamed[up]; ok {
		return []string{c} // the code the unknown one stands for, alone
	}
	var out []string
	var first, second []string
	for c := 'A'; c <= 'Z'; c++ {
		if a := up[:1] + string(c); a != up && t.codes[a] {
			first = append(first, a)
		}
		if b := string(c) + up[1:]; b != up && t.codes[b] {
			second = append(second, b)
		}
	}
	for _, c := range append(first, second...) {
		if len(out) == maxCountryCandidates {
			break
		}
		out = append(out, c)
	}
	return out
}

// closestNames are the countries whose names (in any language) begin with the folded
// text or a word of them does, then those within a few typing mistakes of it, nearest
// first.
func (t *countryTable) closestNames(k string) []string {
	n := len([]rune(k))
	if n < 3 {
		return nil // one or two letters begin too many names to suggest any
	}
	type cand struct {
		code string
		dist int
	}
	best := map[string]int{}
	consider := func(name string, codes []string) {
		d := -1
		if strings.HasPrefix(name, k) || strings.Contains(name, " "+k) {
			d = 0
		} else if limit := n / 3; limit > 0 {
			if e := editDistance(k, name, limit); e <= limit {
				d = e
			}
		}
		if d < 0 {
			return
		}
		for _, c := range codes {
			if have, ok := best[c]; !ok || d < have {
				best[c] = d
			}
		}
	}
	for name, codes := range t.names {
		consider(name, codes)
	}
	for name, codes := range t.derived {
		consider(name, codes)
	}
	cands := make([]cand, 0, len(best))
	for c, d := range best {
		cands = append(cands, cand{c, d})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].dist != cands[j].dist {
			return cands[i].dist < cands[j].dist
		}
		return cands[i].code < cands[j].code
	})
	out := make([]string, 0, maxCountryCandidates)
	for _, c := range cands {
		if len(out) == maxCountryCandidates {
			break
		}
		out = append(out, c.code)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b in characters, or limit+1 when
// it is more than limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
