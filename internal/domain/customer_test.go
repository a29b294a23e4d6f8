package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Customer record rules: domain.md, "Customers".

// wantInvalid checks that err is an *InvalidError with the given field, value and reason.
func wantInvalid(t *testing.T, what string, err error, field, value, reason string) {
	t.Helper()
	var ie *InvalidError
	if !errors.As(err, &ie) {
		t.Errorf("%s: error = %v (%T), want *InvalidError", what, err, err)
		return
	}
	if ie.Field != field || ie.Value != value || ie.Reason != reason {
		t.Errorf("%s: error = {Field: %q, Value: %q, Reason: %q}, want {%q, %q, %q}",
			what, ie.Field, ie.Value, ie.Reason, field, value, reason)
	}
}

func TestDefaultRelationship(t *testing.T) {
	if DefaultRelationship != "reseller" {
		t.Errorf("DefaultRelationship = %q, want reseller", DefaultRelationship)
	}
}

func TestNormalizeCustomer(t *testing.T) {
	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	in := Customer{
		ID:            " {6F9619FF-8B86-D011-B42D-00C04FC964FF} ",
		CompanyName:   "  Société Générale  ",
		Domain:        " SocGen.OnMicrosoft.COM. ",
		Country:       " fr ",
		ResellerMPNID: " 4847383 ",
		CreatedAt:     created,
		AdminAccount:  "admin@socgen.onmicrosoft.com",
	}
	want := Customer{
		ID:            "6f9619ff-8b86-d011-b42d-00c04fc964ff",
		CompanyName:   "Société Générale",
		Domain:        "socgen.onmicrosoft.com",
		Country:       "FR",
		ResellerMPNID: "4847383",
		Relationship:  "reseller",
		CreatedAt:     created,
		AdminAccount:  "admin@socgen.onmicrosoft.com",
	}
	got, err := NormalizeCustomer(in)
	if err != nil {
		t.Fatalf("NormalizeCustomer: %v", err)
	}
	if got != want {
		t.Errorf("NormalizeCustomer =\n %+v\nwant\n %+v", got, want)
	}

	// Optional fields may be empty; a given relationship is kept, lower-cased.
	got, err = NormalizeCustomer(Customer{CompanyName: "Contoso", Domain: "contoso.onmicrosoft.com", Relationship: " Advisor "})
	if err != nil {
		t.Fatalf("NormalizeCustomer: %v", err)
	}
	want = Customer{CompanyName: "Contoso", Domain: "contoso.onmicrosoft.com", Relationship: "advisor"}
	if got != want {
		t.Errorf("NormalizeCustomer = %+v, want %+v", got, want)
	}

	// A name of exactly 256 bytes is accepted.
	name256 := strings.Repeat("é", 128)
	if got, err := NormalizeCustomer(Customer{CompanyName: name256, Domain: "a.com"}); err != nil || got.CompanyName != name256 {
		t.Errorf("256-byte name: %v", err)
	}
}

func TestNormalizeCustomerInvalid(t *testing.T) {
	long := strings.Repeat("A", 257)
	longCJK := strings.Repeat("東", 100) // 300 bytes; byte 40 is inside the 14th character
	valid := Customer{CompanyName: "Contoso", Domain: "contoso.com"}
	with := func(f func(*Customer)) Customer { c := valid; f(&c); return c }
	tests := []struct {
		name                 string
		c                    Customer
		field, value, reason string
		msg                  string
	}{
		{"empty name", with(func(c *Customer) { c.CompanyName = "" }),
			"companyName", "", "is empty", "companyName is empty"},
		{"blank name", with(func(c *Customer) { c.CompanyName = " \t " }),
			"companyName", "", "is empty", "companyName is empty"},
		{"name over 256 bytes", with(func(c *Customer) { c.CompanyName = long }),
			"companyName", strings.Repeat("A", 40) + "…", "is longer than 256 bytes",
			`companyName "` + strings.Repeat("A", 40) + `…" is longer than 256 bytes`},
		{"name over 256 bytes, shown on a character boundary", with(func(c *Customer) { c.CompanyName = longCJK }),
			"companyName", strings.Repeat("東", 13) + "…", "is longer than 256 bytes",
			`companyName "` + strings.Repeat("東", 13) + `…" is longer than 256 bytes`},
		{"bad tenant ID", with(func(c *Customer) { c.ID = "contoso" }),
			"id", "contoso", "is not a tenant GUID (expected 8-4-4-4-12 hexadecimal digits)",
			`id "contoso" is not a tenant GUID (expected 8-4-4-4-12 hexadecimal digits)`},
		{"no domain", with(func(c *Customer) { c.Domain = "" }),
			"domain", "", "is empty", "domain is empty"},
		{"bad domain", with(func(c *Customer) { c.Domain = "contoso" }),
			"domain", "contoso", "needs at least two labels, as in contoso.onmicrosoft.com",
			`domain "contoso" needs at least two labels, as in contoso.onmicrosoft.com`},
		{"bad country", with(func(c *Customer) { c.Country = "Frankreichh" }),
			"country", "Frankreichh", "is not a country code or name: did you mean FR (France)?",
			`country "Frankreichh" is not a country code or name: did you mean FR (France)?`},
		{"bad MPN ID", with(func(c *Customer) { c.ResellerMPNID = "123" }),
			"resellerMpnId", "123", "is not an MPN ID (6 to 10 digits, such as 4847383)",
			`resellerMpnId "123" is not an MPN ID (6 to 10 digits, such as 4847383)`},
		{"first problem reported: name before domain", Customer{CompanyName: "", Domain: "x"},
			"companyName", "", "is empty", "companyName is empty"},
		{"first problem reported: id before domain", Customer{ID: "x", CompanyName: "C", Domain: "y"},
			"id", "x", "is not a tenant GUID (expected 8-4-4-4-12 hexadecimal digits)",
			`id "x" is not a tenant GUID (expected 8-4-4-4-12 hexadecimal digits)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NormalizeCustomer(tt.c)
			if err == nil {
				t.Fatal("no error")
			}
			wantInvalid(t, "NormalizeCustomer", err, tt.field, tt.value, tt.reason)
			if err.Error() != tt.msg {
				t.Errorf("message = %q, want %q", err.Error(), tt.msg)
			}
			if !utf8.ValidString(err.Error()) {
				t.Errorf("message is not valid UTF-8: %q", err.Error())
			}
		})
	}
}

func TestParseDomain(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	// 253 characters: 63+1+63+1+63+1+57+4 (".com").
	d253 := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com"
	d254 := "x" + d253
	if len(d253) != 253 || len(d254) != 254 {
		t.Fatalf("test set-up: %d, %d", len(d253), len(d254))
	}
	ok := []struct{ in, want string }{
		{"contoso.onmicrosoft.com", "contoso.onmicrosoft.com"},
		{"contoso.com", "contoso.com"},
		{"a.b", "a.b"},
		{"Contoso.OnMicrosoft.COM", "contoso.onmicrosoft.com"},
		{"contoso.com.", "contoso.com"},
		{"  contoso.com  ", "contoso.com"},
		{"my-company.co.uk", "my-company.co.uk"},
		{"a-b-c.x1", "a-b-c.x1"},
		{"123.com", "123.com"},
		{"xn--socit-gnrale-bfbb.fr", "xn--socit-gnrale-bfbb.fr"},
		{label63 + ".com", label63 + ".com"},
		{d253, d253},
		{d253 + ".", d253},
	}
	for _, tt := range ok {
		got, err := ParseDomain(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDomain(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
		}
	}
	const (
		empty     = "is empty"
		tooLong   = "is longer than 253 characters"
		oneLabel  = "needs at least two labels, as in contoso.onmicrosoft.com"
		emptyLbl  = "has an empty label (two dots in a row)"
		longLbl   = "has a label longer than 63 characters"
		hyphen    = "has a label that starts or ends with a hyphen"
		nonASCII  = "has a non-ASCII character (write internationalised names in their xn-- form)"
		badChar   = "has a character other than letters, digits, hyphens and dots"
		numericTL = "has an all-numeric top-level label"
	)
	bad := []struct{ in, reason string }{
		{"", empty},
		{"   ", empty},
		{".", empty},
		{d254, tooLong},
		{"contoso", oneLabel},
		{"contoso.", oneLabel},
		{"contoso..com", emptyLbl},
		{".contoso.com", emptyLbl},
		{"contoso.com..", emptyLbl},
		{strings.Repeat("a", 64) + ".com", longLbl},
		{"contoso." + strings.Repeat("c", 64), longLbl},
		{"-contoso.com", hyphen},
		{"contoso-.com", hyphen},
		{"contoso.-com", hyphen},
		{"contoso.com-", hyphen},
		{"-.com", hyphen},
		{"con_toso.com", badChar},
		{"con toso.com", badChar},
		{"contoso.com/x", badChar},
		{"user@contoso.com", badChar},
		{"société.fr", nonASCII},
		{"contoso.cöm", nonASCII},
		{"contoso.123", numericTL},
		{"1.2.3.4", numericTL},
	}
	for _, tt := range bad {
		got, err := ParseDomain(tt.in)
		if err == nil {
			t.Errorf("ParseDomain(%q) = %q, want an error", tt.in, got)
			continue
		}
		wantInvalid(t, "ParseDomain("+tt.in+")", err, "domain", tt.in, tt.reason)
	}
	_, err := ParseDomain("Contoso")
	if got, want := err.Error(), `domain "Contoso" needs at least two labels, as in contoso.onmicrosoft.com`; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

// iso3166 lists the officially assigned ISO 3166-1 alpha-2 codes (249), by first letter.
var iso3166 = map[byte]string{
	'A': "D E F G I L M O Q R S T U W X Z",
	'B': "A B D E F G H I J L M N O Q R S T V W Y Z",
	'C': "A C D F G H I K L M N O R U V W X Y Z",
	'D': "E J K M O Z",
	'E': "C E G H R S T",
	'F': "I J K M O R",
	'G': "A B D E F G H I L M N P Q R S T U W Y",
	'H': "K M N R T U",
	'I': "D E L M N O Q R S T",
	'J': "E M O P",
	'K': "E G H I M N P R W Y Z",
	'L': "A B C I K R S T U V Y",
	'M': "A C D E F G H K L M N O P Q R S T U V W X Y Z",
	'N': "A C E F G I L O P R U Z",
	'O': "M",
	'P': "A E F G H K L M N R S T W Y",
	'Q': "A",
	'R': "E O S U W",
	'S': "A B C D E G H I J K L M N O R S T V X Y Z",
	'T': "C D F G H J K L M N O R T V W Z",
	'U': "A G M S Y Z",
	'V': "A C E G I N U",
	'W': "F S",
	'Y': "E T",
	'Z': "A M W",
}

func TestCountryList(t *testing.T) {
	want := map[string]bool{}
	for first, rest := range iso3166 {
		for _, second := range strings.Fields(rest) {
			want[string(first)+second] = true
		}
	}
	if len(want) != 249 {
		t.Fatalf("test set-up: %d codes", len(want))
	}
	codes := strings.Fields(countryCodes)
	if len(codes) != 249 {
		t.Errorf("countryCodes has %d codes, want 249", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			t.Errorf("code %q is not two upper-case letters", c)
		}
		if seen[c] {
			t.Errorf("code %q twice", c)
		}
		seen[c] = true
	}
	if !strings.HasPrefix(countryCodes, " ") || !strings.HasSuffix(countryCodes, " ") || strings.Contains(countryCodes, "  ") {
		t.Error("countryCodes must be delimited by single spaces, with one at each end")
	}
	// Every pair of letters: accepted exactly when officially assigned.
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			got, err := ParseCountry(strings.ToLower(code), false)
			if want[code] && (err != nil || got != code) {
				t.Errorf("ParseCountry(%q) = %q, %v; want %q", strings.ToLower(code), got, err, code)
			}
			if !want[code] && err == nil {
				t.Errorf("ParseCountry(%q) = %q, want an error (not officially assigned)", code, got)
			}
		}
	}
}

func TestParseCountry(t *testing.T) {
	ok := []struct {
		in         string
		allowEmpty bool
		want       string
	}{
		{"FR", false, "FR"},
		{"fr", false, "FR"},
		{" De ", false, "DE"},
		{"us", true, "US"},
		{"", true, ""},
		{"  ", true, ""},
		{"AX", false, "AX"}, // Åland
		{"SS", false, "SS"}, // South Sudan
		{"BQ", false, "BQ"},
	}
	for _, tt := range ok {
		got, err := ParseCountry(tt.in, tt.allowEmpty)
		if err != nil || got != tt.want {
			t.Errorf("ParseCountry(%q, %v) = %q, %v; want %q, nil", tt.in, tt.allowEmpty, got, err, tt.want)
		}
	}
	for _, in := range []string{"XX", "F", "UK", "EU", "XK", "AN", "YU", "ZZ", "F1", "12", "F R", "É"} {
		got, err := ParseCountry(in, true)
		if err == nil {
			t.Errorf("ParseCountry(%q) = %q, want an error", in, got)
			continue
		}
		checkInvalid(t, err, "country")
	}
	for _, in := range []string{"", "  "} {
		_, err := ParseCountry(in, false)
		wantInvalid(t, "ParseCountry(empty, false)", err, "country", "", "is empty (expected an ISO 3166 alpha-2 code such as FR, DE, US)")
		if err != nil && err.Error() != "country is empty (expected an ISO 3166 alpha-2 code such as FR, DE, US)" {
			t.Errorf("message = %q", err.Error())
		}
	}
	_, err := ParseCountry("XX", false)
	if got, want := err.Error(), `country "XX" is not an ISO 3166 country code: did you mean AX (Åland Islands), CX (Christmas Island), MX (Mexico), SX (Sint Maarten)?`; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestParseTenantID(t *testing.T) {
	const want = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
	ok := []string{
		"6f9619ff-8b86-d011-b42d-00c04fc964ff",
		"6F9619FF-8B86-D011-B42D-00C04FC964FF",
		"{6F9619FF-8B86-D011-B42D-00C04FC964FF}",
		"{6f9619ff-8b86-d011-b42d-00c04fc964ff}",
		"  6f9619ff-8b86-D011-b42d-00c04fc964ff ",
	}
	for _, in := range ok {
		got, err := ParseTenantID(in)
		if err != nil || got != want {
			t.Errorf("ParseTenantID(%q) = %q, %v; want %q, nil", in, got, err, want)
		}
	}
	const reason = "is not a tenant GUID (expected 8-4-4-4-12 hexadecimal digits)"
	bad := []string{
		"",
		"contoso.onmicrosoft.com",
		"6f9619ff-8b86-d011-b42d-00c04fc964f",   // 35
		"6f9619ff-8b86-d011-b42d-00c04fc964fff", // 37
		"6f9619ff8b86d011b42d00c04fc964ff",      // no dashes
		"6f9619ff-8b86-d011-b42d00-c04fc964ff",  // dash moved
		"6f9619f-f8b86-d011-b42d-00c04fc964ff",  // dash moved
		"6f9619ff-8b86-d011-b42d-00c04fc964fg",  // g
		"6f9619ff-8b86-d011-b42d-00c04fc964f ",  // inner space
		"6f9619ff_8b86_d011_b42d_00c04fc964ff",  // underscores
		"6f9619ff-8b86-d011-b42d-00c04fc964fé",  // non-ASCII
		"{{6f9619ff-8b86-d011-b42d-00c04fc964ff}}",
		"(6f9619ff-8b86-d011-b42d-00c04fc964ff)",
		"{6f9619ff-8b86-d011-b42d-00c04fc964ff",    // unbalanced brace
		"6f9619ff-8b86-d011-b42d-00c04fc964ff}",    // unbalanced brace
		"6f9619ff-8b86-d011-b42d-00c04fc964\u212a", // Kelvin sign lowers to k
	}
	for _, in := range bad {
		got, err := ParseTenantID(in)
		if err == nil {
			t.Errorf("ParseTenantID(%q) = %q, want an error", in, got)
			continue
		}
		wantInvalid(t, "ParseTenantID("+in+")", err, "id", in, reason)
	}
}

func TestParseMPNID(t *testing.T) {
	ok := []struct{ in, want string }{
		{"123456", "123456"},
		{"4847383", "4847383"},
		{"1234567890", "1234567890"},
		{" 4847383 ", "4847383"},
		{"000000", "000000"},
	}
	for _, tt := range ok {
		got, err := ParseMPNID(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseMPNID(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
		}
	}
	const reason = "is not an MPN ID (6 to 10 digits, such as 4847383)"
	for _, in := range []string{"", "12345", "12345678901", "12a456", "-123456", "123 456", "１２３４５６", "12345.6"} {
		got, err := ParseMPNID(in)
		if err == nil {
			t.Errorf("ParseMPNID(%q) = %q, want an error", in, got)
			continue
		}
		wantInvalid(t, "ParseMPNID("+in+")", err, "resellerMpnId", in, reason)
	}
}

func TestAdminAccountName(t *testing.T) {
	if got, want := AdminAccountName("contoso.onmicrosoft.com"), "admin@contoso.onmicrosoft.com"; got != want {
		t.Errorf("AdminAccountName = %q, want %q", got, want)
	}
}

func TestNormalizeCustomerRefusesControlCharacters(t *testing.T) {
	for _, c := range []struct{ name, rel, field, reason string }{
		{"Con\x00toso", "", "companyName", "has a control character (U+0000)"},
		{"Contoso\x7fLtd", "", "companyName", "has a control character (U+007F)"},
		{"Con\u0085toso", "", "companyName", "has a control character (U+0085)"},
		{"Contoso", "re\x1bseller", "relationship", "has a control character (U+001B)"},
	} {
		_, err := NormalizeCustomer(Customer{CompanyName: c.name, Domain: "contoso.com", Relationship: c.rel})
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Field != c.field || ie.Reason != c.reason {
			t.Errorf("%q/%q: %v", c.name, c.rel, err)
		}
	}
	if _, err := NormalizeCustomer(Customer{CompanyName: "Café « Le Zinc » — Ünïcödé", Domain: "zinc.fr"}); err != nil {
		t.Errorf("ordinary Unicode refused: %v", err)
	}
}

func TestNormalizeCustomerJoinsLinesOfAName(t *testing.T) {
	c, err := NormalizeCustomer(Customer{CompanyName: "Tailwind\r\nTraders\tLtd\n", Domain: "tailwind.com"})
	if err != nil || c.CompanyName != "Tailwind Traders Ltd" {
		t.Fatalf("%q, %v", c.CompanyName, err)
	}
}

func TestNormalizeCustomerRefusesInvalidUTF8(t *testing.T) {
	_, err := NormalizeCustomer(Customer{CompanyName: "Caf\xe9", Domain: "cafe.fr"})
	var ie *InvalidError
	if !errors.As(err, &ie) || ie.Field != "companyName" || ie.Reason != "is not valid UTF-8 text" {
		t.Fatalf("%v", err)
	}
}
