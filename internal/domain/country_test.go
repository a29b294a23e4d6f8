package domain

import (
	"strings"
	"testing"
)

func TestParseCountryNames(t *testing.T) {
	ok := map[string]string{
		// Codes, alpha-3 codes.
		"fr": "FR", "FRA": "FR", "deu": "DE", "usa": "US", "GBR": "GB", "Aut": "AT",
		// English, French, German, Spanish, Italian, Portuguese, Dutch, Japanese.
		"France": "FR", "United States": "US", "United Kingdom": "GB", "Germany": "DE",
		"Allemagne": "DE", "États-Unis": "US", "etats unis": "US", "Royaume-Uni": "GB", "Côte d’Ivoire": "CI",
		"Deutschland": "DE", "Österreich": "AT", "osterreich": "AT", "Vereinigte Staaten": "US", "Schweiz": "CH",
		"España": "ES", "espana": "ES", "Alemania": "DE", "Reino Unido": "GB",
		"Germania": "DE", "Stati Uniti": "US", "Svizzera": "CH",
		"Alemanha": "DE", "Áustria": "AT", "Estados Unidos": "US",
		"Duitsland": "DE", "Nederland": "NL", "Oostenrijk": "AT",
		"ドイツ": "DE", "フランス": "FR", "日本": "JP", "アメリカ合衆国": "US", "イギリス": "GB",
		// Case, accents, punctuation, spaces.
		"  FRANCE ": "FR", "ÖSTERREICH": "AT", "royaume uni": "GB", "COTE D'IVOIRE": "CI",
		// Parts of names and names newer than the CLDR tables.
		"Burma": "MM", "Myanmar": "MM", "Czech Republic": "CZ", "Türkiye": "TR", "North Macedonia": "MK",
		"USA": "US", "U.S.A.": "US", "Great Britain": "GB", "The Netherlands": "NL",
		"Congo-Brazzaville": "CG", "Congo - Kinshasa": "CD",
	}
	for in, want := range ok {
		got, err := ParseCountry(in, false)
		if err != nil || got != want {
			t.Errorf("ParseCountry(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []struct{ in, reason string }{
		{"UK", "is not an ISO 3166 country code: did you mean GB (United Kingdom)?"},
		{"uk", "is not an ISO 3166 country code: did you mean GB (United Kingdom)?"},
		{"EL", "is not an ISO 3166 country code: did you mean GR (Greece)?"},
		{"FX", "is not an ISO 3166 country code: did you mean FR (France)?"},
		{"XX", "is not an ISO 3166 country code: did you mean AX (Åland Islands), CX (Christmas Island), MX (Mexico), SX (Sint Maarten)?"},
		{"F1", "is not a country code or name (such as FR, FRA or France)"},
		{"É", "is not a country code or name (such as FR, FRA or France)"},
		{"QQ", "is not an ISO 3166 country code: did you mean QA (Qatar), AQ (Antarctica), BQ (Caribbean Netherlands), GQ (Equatorial Guinea), IQ (Iraq)?"},
		{"Congo", "is the name of more than one country: CD (Congo - Kinshasa) or CG (Congo - Brazzaville)"},
		{"Frnace", "is not a country code or name: did you mean FR (France)?"},
		{"Germny", "is not a country code or name: did you mean DE (Germany)?"},
		{"Korea", "is not a country code or name: did you mean KP (North Korea), KR (South Korea)?"},
		{"Xyzzyland", "is not a country code or name (such as FR, FRA or France)"},
		{"ANT", "is not a country code or name: did you mean AG (Antigua & Barbuda), AQ (Antarctica), TF (French Southern Territories)?"},
	}
	for _, tt := range bad {
		got, err := ParseCountry(tt.in, true)
		if err == nil {
			t.Errorf("ParseCountry(%q) = %q, want an error", tt.in, got)
			continue
		}
		wantInvalid(t, "ParseCountry("+tt.in+")", err, "country", tt.in, tt.reason)
	}
}

// TestCountryNamesUnambiguous: no whole name, in any of the languages read, names two
// countries; a part of a name that does ("Congo") is refused, never chosen.
func TestCountryNamesUnambiguous(t *testing.T) {
	tab := countryData()
	for k, v := range tab.names {
		if len(v) > 1 {
			t.Errorf("name %q names %v", k, v)
		}
	}
	for k, v := range tab.derived {
		if len(v) > 1 {
			if _, err := ParseCountry(k, false); err == nil || !strings.Contains(err.Error(), "more than one country") {
				t.Errorf("ParseCountry(%q) = %v, want an ambiguity error", k, err)
			}
		}
	}
	// Every code's English name reads back as the code.
	for _, code := range strings.Fields(countryCodes) {
		if got, err := ParseCountry(CountryName(code), false); err != nil || got != code {
			t.Errorf("ParseCountry(%q) = %q, %v; want %q", CountryName(code), got, err, code)
		}
	}
}
