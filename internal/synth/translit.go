package synth

import "unicode/utf8"

// translitTable maps U+00C0..U+017F (Latin-1 Supplement letters and Latin
// Extended-A) to lower-case ASCII; "" means "not a letter".
var translitTable [0x180 - 0xC0]string

func init() {
	ranges := []struct {
		lo, hi rune
		s      string
	}{
		{0xC0, 0xC5, "a"}, {0xC6, 0xC6, "ae"}, {0xC7, 0xC7, "c"}, {0xC8, 0xCB, "e"},
		{0xCC, 0xCF, "i"}, {0xD0, 0xD0, "d"}, {0xD1, 0xD1, "n"}, {0xD2, 0xD6, "o"},
		{0xD8, 0xD8, "o"}, {0xD9, 0xDC, "u"}, {0xDD, 0xDD, "y"}, {0xDE, 0xDE, "th"},
		{0xDF, 0xDF, "ss"},
		{0xE0, 0xE5, "a"}, {0xE6, 0xE6, "ae"}, {0xE7, 0xE7, "c"}, {0xE8, 0xEB, "e"},
		{0xEC, 0xEF, "i"}, {0xF0, 0xF0, "d"}, {0xF1, 0xF1, "n"}, {0xF2, 0xF6, "o"},
		{0xF8, 0xF8, "o"}, {0xF9, 0xFC, "u"}, {0xFD, 0xFD, "y"}, {0xFE, 0xFE, "th"},
		{0xFF, 0xFF, "y"},
		{0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
		{0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"},
		{0x134, 0x135, "j"}, {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},
		{0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"}, {0x15A, 0x161, "s"},
		{0x162, 0x167, "t"}, {0x168, 0x173, "u"}, {0x174, 0x175, "w"}, {0x176, 0x178, "y"},
		{0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"},
	}
	for _, r := range ranges {
		for c := r.lo; c <= r.hi; c++ {
			translitTable[c-0xC0] = r.s
		}
	}
}

// transliterate appends to dst the lower-case ASCII form of the words of src:
// accents are stripped (é→e, ß→ss, ø→o, ł→l, ä→a), apostrophes and periods
// are dropped without splitting words ("O'Brien"→"obrien", "S.A."→"sa"), and
// any other non-letter separates words. Words are joined with sep (0 for
// none); with firstWordOnly only the first word is kept.
func transliterate(dst, src []byte, sep byte, firstWordOnly bool) []byte {
	started, pending := false, false
	emit := func(s string) bool {
		if pending {
			if firstWordOnly {
				return false
			}
			if sep != 0 {
				dst = append(dst, sep)
			}
			pending = false
		}
		dst = append(dst, s...)
		started = true
		return true
	}
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				if !emit(asciiStr[c : c+1]) {
					return dst
				}
			case c >= 'A' && c <= 'Z':
				if !emit(asciiStr[c+'a'-'A' : c+'a'-'A'+1]) {
					return dst
				}
			case c == '\'' || c == '.':
			default:
				pending = started
			}
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		i += size
		if r >= 0xC0 && r < 0x180 && translitTable[r-0xC0] != "" {
			if !emit(translitTable[r-0xC0]) {
				return dst
			}
			continue
		}
		pending = started
	}
	return dst
}

// asciiStr lets transliterate slice one-byte strings without allocating.
var asciiStr = func() string {
	b := make([]byte, 128)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}()
