package domain

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for the parsers of user input (issue 8, "Fuzzing"). `make fuzz` runs each
// for a set time; with plain `go test` the seeds below run as ordinary tests.

// fuzzSeeds are the tricky inputs every parser starts from: byte order marks, quotes, line
// endings, invalid UTF-8, accents, Unicode spaces, long inputs.
var fuzzSeeds = []string{
	"",
	" ",
	"\ufeff",
	"\xff\xfe",
	"\xfe\xff",
	"\"",
	`""`,
	"'",
	"\r\n",
	"\n",
	"\t",
	"\x00",
	"\xff",
	"\xc3",
	"\xed\xa0\x80",
	"\u00a0",
	"\u2028",
	"é",
	"e\u0301",
	"Société Générale, S.A.",
	"Straße",
	"Łódź",
	"ΣΊΣΥΦΟΣ",
	"İstanbul",
	"ﬁ",
	"①",
	"Ⅻ",
	"ǅ",
	strings.Repeat("a", 300),
	strings.Repeat("é", 200),
	strings.Repeat("a ", 200),
}

// checkInvalid fails unless err is an *InvalidError naming field.
func checkInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var ie *InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T) is not an *InvalidError", err, err)
	}
	if ie.Field != field {
		t.Fatalf("error names field %q, want %q", ie.Field, field)
	}
	if ie.Error() == "" {
		t.Fatal("empty error message")
	}
}

// checkCanonical checks a parser that returns a canonical form: on success the form is
// valid UTF-8 and parses again to itself; on failure the error is an *InvalidError.
func checkCanonical(t *testing.T, parse func(string) (string, error), field, s string) {
	t.Helper()
	got, err := parse(s)
	if err != nil {
		if got != "" {
			t.Fatalf("parse(%q) = %q with error %v", s, got, err)
		}
		checkInvalid(t, err, field)
		return
	}
	if !utf8.ValidString(got) {
		t.Fatalf("parse(%q) = %q, not valid UTF-8", s, got)
	}
	again, err := parse(got)
	if err != nil {
		t.Fatalf("parse(%q) = %q, which does not parse again: %v", s, got, err)
	}
	if again != got {
		t.Fatalf("parse(%q) = %q, parsed again %q", s, got, again)
	}
}

func addSeeds(f *testing.F, extra ...string) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range extra {
		f.Add(s)
	}
}

func FuzzParseDomain(f *testing.F) {
	addSeeds(f, "contoso.onmicrosoft.com", " Contoso.OnMicrosoft.COM. ", "a..b", "-a.b", "a.123",
		"xn--bcher-kva.example", "bücher.example", strings.Repeat("a", 63)+".com",
		strings.Repeat("a", 64)+".com", strings.Repeat("a.", 127)+"com", "\ufeffcontoso.com", "a.b\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		checkCanonical(t, ParseDomain, "domain", s)
		if d, err := ParseDomain(s); err == nil {
			if len(d) > 253 || strings.Count(d, ".") < 1 || d != strings.ToLower(d) {
				t.Fatalf("ParseDomain(%q) = %q", s, d)
			}
		}
	})
}

func FuzzParseCountry(f *testing.F) {
	addSeeds(f, "FR", "fr", " de ", "XX", "F", "FRA", "ﬀ", "\u0130S", "\u212aE")
	f.Fuzz(func(t *testing.T, s string) {
		for _, allowEmpty := range []bool{false, true} {
			parse := func(s string) (string, error) { return ParseCountry(s, allowEmpty) }
			checkCanonical(t, parse, "country", s)
			if c, err := parse(s); err == nil && (c == "" && !allowEmpty || c != "" && len(c) != 2) {
				t.Fatalf("ParseCountry(%q, %v) = %q", s, allowEmpty, c)
			}
		}
	})
}

func FuzzParseTenantID(f *testing.F) {
	addSeeds(f, "8c6a3f2e-1b4d-4e8a-9f0c-2d7b5e6a1c3f", "{8C6A3F2E-1B4D-4E8A-9F0C-2D7B5E6A1C3F}",
		" {8c6a3f2e-1b4d-4e8a-9f0c-2d7b5e6a1c3f} ", "{8c6a3f2e-1b4d-4e8a-9f0c-2d7b5e6a1c3f",
		"8c6a3f2e1b4d4e8a9f0c2d7b5e6a1c3f", "8c6a3f2e-1b4d-4e8a-9f0c-2d7b5e6a1c3g", "{}", "{")
	f.Fuzz(func(t *testing.T, s string) {
		checkCanonical(t, ParseTenantID, "id", s)
		if id, err := ParseTenantID(s); err == nil && len(id) != 36 {
			t.Fatalf("ParseTenantID(%q) = %q", s, id)
		}
	})
}

func FuzzParseMPNID(f *testing.F) {
	addSeeds(f, "4847383", " 123456 ", "12345", "12345678901", "123 456", "١٢٣٤٥٦", "+123456")
	f.Fuzz(func(t *testing.T, s string) {
		checkCanonical(t, ParseMPNID, "resellerMpnId", s)
	})
}

func FuzzParseEmail(f *testing.F) {
	addSeeds(f, "sales@fabrikam.com", " Sales@Fabrikam.COM ", "Sales <sales@fabrikam.com>",
		"<sales@fabrikam.com>", `"sales team"@fabrikam.com`, "sales@fabrikam", "sales@@fabrikam.com",
		"sälës@fabrikam.com", "sales@fabrikam.com.", "=?utf-8?q?x?= <a@b.com>", "a@[127.0.0.1]")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseEmail(s)
		if err != nil {
			checkInvalid(t, err, "email")
			return
		}
		if !utf8.ValidString(got) || !strings.Contains(got, "@") || got != strings.ToLower(got) {
			t.Fatalf("ParseEmail(%q) = %q", s, got)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	addSeeds(f, "50000", "1234.5", "1234.50", "0050.10", "0", "000", "0.", ".5", "1.234", "-1",
		"+1", "1e3", "1,5", "999999999999999", "1000000000000000", "0000000000000000001", " 12.3 ",
		"١٢", "1_000")
	f.Fuzz(func(t *testing.T, s string) {
		checkCanonical(t, ParseAmount, "value", s)
		if a, err := ParseAmount(s); err == nil {
			if strings.Trim(a, "0123456789.") != "" || len(a) > 1 && a[0] == '0' && a[1] != '.' {
				t.Fatalf("ParseAmount(%q) = %q, not canonical", s, a)
			}
		}
	})
}

func FuzzParseCurrency(f *testing.F) {
	addSeeds(f, "EUR", "eur", " usd ", "EU", "EURO", "XXX", "ｅｕｒ")
	f.Fuzz(func(t *testing.T, s string) {
		checkCanonical(t, ParseCurrency, "currency", s)
	})
}

func FuzzParseSolution(f *testing.F) {
	addSeeds(f, "CFQ7TTC0LF8Q", "own:x", "microsoft:CFQ7TTC0LF8Q:25:12.50", "MICROSOFT:sku:1",
		"partner:abc", "microsoft", "own:", "own: ", "microsoft:sku:0", "microsoft:sku:+5",
		"microsoft:sku:05", "microsoft:sku:5:", "microsoft:sku:5:1.234", "microsoft:sku:1:2:3",
		"partner:x:1", "x:y", ":", "::", "microsoft:sku:99999999999999999999", "microsoft: sku :3: 4.5 ",
		"own:Société Générale")
	f.Fuzz(func(t *testing.T, s string) {
		sol, err := ParseSolution(s)
		if err != nil {
			checkInvalid(t, err, "solution")
			return
		}
		if sol.ID == "" || strings.Contains(sol.ID, ":") || sol.Quantity < 0 ||
			sol.UnitPrice != "" && sol.Quantity == 0 || sol.Source != MicrosoftSKU && (sol.Quantity != 0 || sol.UnitPrice != "") {
			t.Fatalf("ParseSolution(%q) = %+v", s, sol)
		}
		str := sol.String()
		again, err := ParseSolution(str)
		if err != nil {
			t.Fatalf("ParseSolution(%q) = %+v, whose String %q does not parse again: %v", s, sol, str, err)
		}
		if again != sol {
			t.Fatalf("ParseSolution(%q) = %+v, String %q parses to %+v", s, sol, str, again)
		}
	})
}

func FuzzFold(f *testing.F) {
	addSeeds(f, "Société Générale, S.A.", "contoso.onmicrosoft.com", "  A  B  ", "a\u0301\u0302",
		"\u0301", "क्षत्रिय", "Ǆemal", "ß", "ẞ", "ς", "Σ", "ǰ", "ﬃ", "㍱", "ſ", "K", "Ω", "\xffa\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		folded := Fold(s)
		if !utf8.ValidString(folded) {
			t.Fatalf("Fold(%q) = %q, not valid UTF-8", s, folded)
		}
		if strings.HasPrefix(folded, " ") || strings.HasSuffix(folded, " ") || strings.Contains(folded, "  ") {
			t.Fatalf("Fold(%q) = %q: leading, trailing or double space", s, folded)
		}
		if again := Fold(folded); again != folded {
			t.Fatalf("Fold(%q) = %q, but Fold of that = %q", s, folded, again)
		}
		term, err := SearchTerm(s)
		switch {
		case folded == "" && err == nil:
			t.Fatalf("SearchTerm(%q) = %q, want an error", s, term)
		case folded == "":
			checkInvalid(t, err, "term")
		case utf8.RuneCountInString(s) > MaxSearchTerm || utf8.RuneCountInString(folded) > MaxSearchTerm:
			checkInvalid(t, err, "term")
		case err != nil || term != folded:
			t.Fatalf("SearchTerm(%q) = %q, %v; want %q", s, term, err, folded)
		}
		if it := IndexTerm(folded); len(it) > MaxKeyLen || !utf8.ValidString(it) || !strings.HasPrefix(folded, it) {
			t.Fatalf("IndexTerm(%q) = %q", folded, it)
		}
	})
}

func FuzzSearchKeys(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "contoso.onmicrosoft.com")
	}
	f.Add("Société Générale d'Essai", "essai.onmicrosoft.com")
	f.Add(strings.Repeat("é", 30)+" b", strings.Repeat("ü", 40)+".com")
	f.Add(strings.Repeat("ab ", 40), "")
	f.Add("a"+strings.Repeat("é", 24), "")
	f.Add("\xff\xfe", "\xc3")
	f.Fuzz(func(t *testing.T, name, domain string) {
		for _, nameKey := range []string{Fold(name), name} { // callers pass Fold(name); raw text must not break it either
			keys := SearchKeys(nameKey, domain)
			seen := map[string]bool{}
			for _, k := range keys {
				if k == "" || len(k) > MaxKeyLen {
					t.Fatalf("SearchKeys(%q, %q): key %q of %d bytes", nameKey, domain, k, len(k))
				}
				if seen[k] {
					t.Fatalf("SearchKeys(%q, %q): duplicate key %q", nameKey, domain, k)
				}
				seen[k] = true
				if utf8.ValidString(nameKey) && utf8.ValidString(domain) && !utf8.ValidString(k) {
					t.Fatalf("SearchKeys(%q, %q): key %q is not valid UTF-8", nameKey, domain, k)
				}
				if p := KeyPrefix(k); !strings.HasPrefix(k, p) || len(p) > KeyPrefixLen {
					t.Fatalf("KeyPrefix(%q) = %q", k, p)
				}
			}
			if nameKey == Fold(name) {
				// Folded keys are always valid UTF-8, whatever the input bytes.
				for _, k := range keys {
					if !utf8.ValidString(k) {
						t.Fatalf("SearchKeys(Fold(%q), %q): key %q is not valid UTF-8", name, domain, k)
					}
				}
			}
		}
	})
}

func FuzzNormalizeCustomer(f *testing.F) {
	type seed struct{ id, name, domain, country, mpn, rel string }
	for _, s := range []seed{
		{"", "Contoso", "contoso.onmicrosoft.com", "", "", ""},
		{"{8C6A3F2E-1B4D-4E8A-9F0C-2D7B5E6A1C3F}", " Société\r\nGénérale ", " Essai.OnMicrosoft.com. ", " fr ", " 4847383 ", " Reseller "},
		{"", "\ufeffContoso", "contoso.com", "FR", "", "Direct"},
		{"", "A\tB\vC\fD", "a.b", "", "", ""},
		{"", "\xff", "a.b", "", "", ""},
		{"", "a\x00b", "a.b", "", "", ""},
		{"", "\u00a0\u2028Name\u2029\u00a0", "a.b", "", "", "\u0130"},
		{"", strings.Repeat("é", 128), "a.b", "", "", ""},
		{"", strings.Repeat("é", 129), "a.b", "", "", ""},
		{"", "x", "a.b", "", "", "\xff"},
		{"", "x", "a.b", "", "", "\u212a"},
		{"x", "x", "a.b", "xx", "1", "x"},
	} {
		f.Add(s.id, s.name, s.domain, s.country, s.mpn, s.rel)
	}
	f.Fuzz(func(t *testing.T, id, name, domain, country, mpn, rel string) {
		in := Customer{ID: id, CompanyName: name, Domain: domain, Country: country, ResellerMPNID: mpn, Relationship: rel}
		c, err := NormalizeCustomer(in)
		if err != nil {
			var ie *InvalidError
			if !errors.As(err, &ie) || ie.Field == "" {
				t.Fatalf("NormalizeCustomer(%+v): error %v (%T) is not an *InvalidError with a field", in, err, err)
			}
			return
		}
		for _, v := range []string{c.ID, c.CompanyName, c.Domain, c.Country, c.ResellerMPNID, c.Relationship} {
			if !utf8.ValidString(v) || v != strings.TrimSpace(v) {
				t.Fatalf("NormalizeCustomer(%+v) = %+v: value %q untrimmed or not UTF-8", in, c, v)
			}
		}
		if c.CompanyName == "" || c.Domain == "" || c.Relationship == "" {
			t.Fatalf("NormalizeCustomer(%+v) = %+v: empty required field", in, c)
		}
		again, err := NormalizeCustomer(c)
		if err != nil {
			t.Fatalf("NormalizeCustomer(%+v) = %+v, which does not normalize again: %v", in, c, err)
		}
		if again != c {
			t.Fatalf("NormalizeCustomer(%+v) = %+v, normalized again %+v", in, c, again)
		}
	})
}
