package domain

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// German transliterations. German written without umlauts spells ä, ö and ü as ae, oe
// and ue ("Wuerzburg", "CONTOSO BAECKEREI GMBH"), while Fold drops the accent ("wurzburg").
// pcctl applies one rule wherever a name is matched, in customer search and in the PSC
// import's name resolution alike: a name that holds ä, ö or ü is known by its folded form
// and by its transliterated folded form (FoldTransliterated). Nothing is stored for it: a
// folded term or key holding ae, oe or ue is also looked up with each of them read as the
// folded umlaut (TransliterationVariants), and a name found that way is kept only when
// its transliterated form really matches.

// FoldTransliterated is Fold of s with ä, ö and ü (either case, composed or not) written
// ae, oe and ue; "" when s holds none of them (its only form is then Fold(s)).
func FoldTransliterated(s string) string {
	if !strings.ContainsAny(s, "äöüÄÖÜ\u0308") {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for _, r := range norm.NFC.String(s) {
		switch r {
		case 'ä', 'Ä':
			b.WriteString("ae")
		case 'ö', 'Ö':
			b.WriteString("oe")
		case 'ü', 'Ü':
			b.WriteString("ue")
		default:
			b.WriteRune(r)
		}
	}
	return Fold(b.String())
}

// maxTransliterations bounds the ae, oe and ue of a term read both ways (2^n forms).
const maxTransliterations = 4

// TransliterationVariants are the other forms under which the folded text may be stored
// when it was written with transliterated umlauts: each ae, oe or ue (the first
// maxTransliterations of them) either kept or read as a, o or u. The text itself is not
// included; nil when it holds none.
func TransliterationVariants(folded string) []string {
	var at []int
	for i := 0; i+1 < len(folded) && len(at) < maxTransliterations; i++ {
		if folded[i+1] == 'e' && (folded[i] == 'a' || folded[i] == 'o' || folded[i] == 'u') {
			at = append(at, i)
			i++
		}
	}
	if len(at) == 0 {
		return nil
	}
	out := make([]string, 0, 1<<len(at)-1)
	for mask := 1; mask < 1<<len(at); mask++ {
		var b strings.Builder
		b.Grow(len(folded))
		last := 0
		for j, i := range at {
			if mask&(1<<j) != 0 {
				b.WriteString(folded[last : i+1]) // keep the vowel, drop its e
				last = i + 2
			}
		}
		b.WriteString(folded[last:])
		out = append(out, b.String())
	}
	return out
}

// NameForms are the folded forms a name is matched by: Fold(name), and
// FoldTransliterated(name) when it differs.
func NameForms(name string) []string {
	f := Fold(name)
	if t := FoldTransliterated(name); t != "" && t != f {
		return []string{f, t}
	}
	return []string{f}
}
