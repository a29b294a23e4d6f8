package psc

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// amountForms names the accepted amounts in messages.
const amountForms = "accepted: 1234.56, 1,234.56, 1.234,56 or 1 234,56, with an optional currency: €, $, £, ¥ or an ISO code such as EUR, before or after"

// maxAmountDigits is the most digits before the decimal separator, as domain.ParseAmount
// allows.
const maxAmountDigits = 15

// currencySymbols are the currency symbols ParseAmount knows.
var currencySymbols = map[rune]string{'€': "EUR", '$': "USD", '£': "GBP", '¥': "JPY"}

// ParseAmount reads an amount as a spreadsheet writes it: "12,345.67", "12 345,67" (the
// thousands separated by a space, a no-break space U+00A0 or a narrow no-break space
// U+202F), "12.345,67 €", "$1,234", "EUR 1234", "1234". It returns the canonical decimal,
// such as "12345.67" (no thousands separators, a dot before the decimals, at most 2
// decimals, kept as written; leading zeros dropped), and the currency the symbol or code
// implies: "" when there is none; € is EUR, $ USD, £ GBP, ¥ JPY; a code of 3 letters before
// or after the number is returned in upper case (not checked against ISO 4217).
//
// A '.' or ',' followed by exactly 3 digits is a thousands separator; followed by 1 or 2
// digits, the decimal separator. When both '.' and ',' occur, the last one is the decimal
// separator. Thousands separators must all be the same and group the digits by 3; anything
// else ("1,23,4", "12.34.56,7") is refused, as are negative amounts and more than 15
// digits before the decimals. The error's message is a reason for the caller to place: it
// quotes s but does not name a column.
func ParseAmount(s string) (value, currency string, err error) {
	t := strings.TrimFunc(s, unicode.IsSpace)
	bad := func(reason string) error {
		return fmt.Errorf("%q is not an amount: %s (%s)", s, reason, amountForms)
	}
	negative := func() error { return fmt.Errorf("%q is negative: a deal value cannot be negative", s) }
	if t == "" {
		return "", "", bad("it is empty")
	}
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		return "", "", negative() // accounting notation
	}
	if isMinus(t) {
		return "", "", negative()
	}

	// The currency, before or after the number.
	cur, n := currencyPrefix(t)
	if n > 0 {
		t = strings.TrimLeftFunc(t[n:], unicode.IsSpace)
		if isMinus(t) {
			return "", "", negative()
		}
	}
	if c, n := currencySuffix(t); n > 0 {
		if cur != "" && c != cur {
			return "", "", bad(fmt.Sprintf("it names two currencies, %s and %s", cur, c))
		}
		cur = c
		t = strings.TrimRightFunc(t[:len(t)-n], unicode.IsSpace)
	}
	if strings.HasSuffix(t, "-") || strings.HasSuffix(t, "\u2212") {
		return "", "", negative()
	}
	if t == "" {
		return "", "", bad("there are no digits")
	}

	// Split the number into groups of digits and the separators between them.
	var groupsArr [8]string // on the stack for most amounts
	var sepsArr [7]rune
	groups, seps := groupsArr[:0], sepsArr[:0]
	start := 0
	for i, c := range t {
		switch {
		case c >= '0' && c <= '9':
			continue
		case c == '.' || c == ',' || isGroupSpace(c):
			if i == start {
				if i == 0 {
					return "", "", bad("it must start with a digit")
				}
				return "", "", bad("two separators in a row")
			}
			groups = append(groups, t[start:i])
			seps = append(seps, c)
			start = i + utf8.RuneLen(c)
		default:
			return "", "", bad(fmt.Sprintf("unexpected %q", c))
		}
	}
	if start == len(t) {
		return "", "", bad("it must end with a digit")
	}
	groups = append(groups, t[start:])

	// Find the decimal separator: dec is its index in seps, or -1.
	dec := -1
	if len(seps) > 0 {
		last := len(seps) - 1
		if l := seps[last]; l == '.' || l == ',' {
			dots, commas := 0, 0
			for _, c := range seps {
				switch c {
				case '.':
					dots++
				case ',':
					commas++
				}
			}
			switch n := len(groups[last+1]); {
			case dots > 0 && commas > 0:
				dec = last
			case dots+commas > 1:
				// Repeated: thousands separators, checked below.
			case n == 1 || n == 2:
				dec = last
			case n != 3:
				return "", "", bad(fmt.Sprintf("%q must be followed by 3 digits (thousands) or 1 or 2 (decimals)", l))
			}
		}
	}
	whole := groups
	frac := ""
	if dec >= 0 {
		whole, frac = groups[:dec+1], groups[dec+1]
		if len(frac) > 2 {
			return "", "", bad("more than 2 decimals")
		}
	}
	if len(whole) > 1 {
		thousands := seps[0]
		for k, g := range whole {
			if k > 0 && seps[k-1] != thousands && !(isGroupSpace(seps[k-1]) && isGroupSpace(thousands)) {
				return "", "", bad("the thousands separators differ")
			}
			if k == 0 && g[0] == '0' {
				return "", "", bad(fmt.Sprintf("%q then 3 digits separates thousands, and thousands cannot start with 0", seps[0]))
			}
			if k == 0 && len(g) > 3 || k > 0 && len(g) != 3 {
				return "", "", bad("the digits are not grouped by 3")
			}
		}
	}

	// Write the digits without the leading zeros, then the decimals.
	for len(whole) > 1 && strings.Trim(whole[0], "0") == "" {
		whole = whole[1:]
	}
	whole[0] = strings.TrimLeft(whole[0], "0")
	digits := 0
	for _, g := range whole {
		digits += len(g)
	}
	if digits > maxAmountDigits {
		return "", "", fmt.Errorf("%q is too large", s)
	}
	var b strings.Builder
	b.Grow(max(digits, 1) + 1 + len(frac))
	for _, g := range whole {
		b.WriteString(g)
	}
	if digits == 0 {
		b.WriteByte('0')
	}
	if dec >= 0 {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String(), cur, nil
}

// isGroupSpace reports whether c is a space that may separate thousands.
func isGroupSpace(c rune) bool {
	return c == ' ' || c == '\u00a0' || c == '\u202f'
}

// isMinus reports whether t starts with a minus sign.
func isMinus(t string) bool {
	return strings.HasPrefix(t, "-") || strings.HasPrefix(t, "\u2212")
}

// currencyPrefix returns the currency at the start of t and its length in bytes (0 when
// there is none): a symbol, or a code of 3 letters not followed by another letter.
func currencyPrefix(t string) (string, int) {
	c, n := utf8.DecodeRuneInString(t)
	if cur, ok := currencySymbols[c]; ok {
		return cur, n
	}
	if len(t) >= 3 && isCode(t[:3]) {
		if next, _ := utf8.DecodeRuneInString(t[3:]); len(t) == 3 || !unicode.IsLetter(next) {
			return strings.ToUpper(t[:3]), 3
		}
	}
	return "", 0
}

// currencySuffix is currencyPrefix at the end of t.
func currencySuffix(t string) (string, int) {
	c, n := utf8.DecodeLastRuneInString(t)
	if cur, ok := currencySymbols[c]; ok {
		return cur, n
	}
	if k := len(t) - 3; k >= 0 && isCode(t[k:]) {
		if prev, _ := utf8.DecodeLastRuneInString(t[:k]); k == 0 || !unicode.IsLetter(prev) {
			return strings.ToUpper(t[k:]), 3
		}
	}
	return "", 0
}

func isCode(s string) bool {
	for i := range len(s) {
		c := s[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
