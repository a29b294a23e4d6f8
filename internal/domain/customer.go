package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Customer is a customer tenant the partner serves (domain.md, "Customers").
type Customer struct {
	ID            string    // tenant GUID, lower case
	CompanyName   string    // as the customer writes it, accents and all
	Domain        string    // primary domain, lower case, e.g. contoso.onmicrosoft.com
	Country       string    // ISO 3166 alpha-2, upper case; "" when unknown
	ResellerMPNID string    // indirect reseller managing the customer; "" when none
	Relationship  string    // relationship to the partner: "reseller" unless told otherwise
	CreatedAt     time.Time // when the relationship began, UTC
	AdminAccount  string    // admin user created with the customer; "" for imported customers
	// PurchasesAllowed is the customer's permission to buy its own products or services,
	// such as Azure reservations (003); false until the partner gives it.
	PurchasesAllowed bool
}

// DefaultRelationship is the relationship of a customer when none is given.
const DefaultRelationship = "reseller"

// maxCompanyName bounds company names; Partner Center itself is far stricter.
const maxCompanyName = 256

// NormalizeCustomer trims and canonicalises the fields of c (lower-case ID and domain,
// upper-case country, lower-case relationship, line breaks in the name turned into
// spaces) and checks each against its rule. It
// returns the first problem as an *InvalidError.
func NormalizeCustomer(c Customer) (Customer, error) {
	c.CompanyName = strings.TrimSpace(lineBreaksToSpaces.Replace(c.CompanyName))
	if c.CompanyName == "" {
		return c, &InvalidError{Field: "companyName", Reason: "is empty"}
	}
	if len(c.CompanyName) > maxCompanyName {
		n := 40 // show the first 40 bytes, cut back to a whole character
		for n > 0 && !utf8.RuneStart(c.CompanyName[n]) {
			n--
		}
		return c, &InvalidError{Field: "companyName", Value: c.CompanyName[:n] + "…", Reason: "is longer than 256 bytes"}
	}
	if err := checkText("companyName", c.CompanyName); err != nil {
		return c, err
	}
	var err error
	if c.ID != "" {
		if c.ID, err = ParseTenantID(c.ID); err != nil {
			return c, err
		}
	}
	if c.Domain, err = ParseDomain(c.Domain); err != nil {
		return c, err
	}
	if c.Country, err = ParseCountry(c.Country, true); err != nil {
		return c, err
	}
	if c.ResellerMPNID != "" {
		if c.ResellerMPNID, err = ParseMPNID(c.ResellerMPNID); err != nil {
			return c, err
		}
	}
	c.Relationship = strings.ToLower(strings.TrimSpace(c.Relationship))
	if err := checkText("relationship", c.Relationship); err != nil {
		return c, err
	}
	if c.Relationship == "" {
		c.Relationship = DefaultRelationship
	}
	return c, nil
}

// lineBreaksToSpaces turns the line breaks and tabs of a spreadsheet cell into spaces: a
// company name typed on two lines is still one name.
var lineBreaksToSpaces = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ", "\v", " ", "\f", " ")

// checkText refuses control characters (NUL, escape, line breaks…) and bidirectional
// overrides in a one-line free-text field: they come from broken files or from someone
// who wants to garble, or rewrite, what an administrator's terminal shows (issue 14,
// items 7 and 14).
func checkText(field, s string) error { return checkChars(field, s, false) }

// checkChars is checkText; multiline allows line breaks (LF, or CR LF) and tabs.
func checkChars(field, s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return &InvalidError{Field: field, Value: strings.ToValidUTF8(s, "\uFFFD"), Reason: "is not valid UTF-8 text"}
	}
	for i, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\t' || r == '\r' && strings.HasPrefix(s[i:], "\r\n")):
		case unicode.IsControl(r):
			return &InvalidError{Field: field, Value: s, Reason: fmt.Sprintf("has a control character (U+%04X)", r)}
		case IsBidiControl(r):
			return &InvalidError{Field: field, Value: s, Reason: fmt.Sprintf("has a bidirectional text control (U+%04X), which would make it read otherwise than it is", r)}
		}
	}
	return nil
}

// IsBidiControl reports whether r is one of Unicode's explicit bidirectional formatting
// characters (embeddings, overrides, isolates and marks), such as U+202E RIGHT-TO-LEFT
// OVERRIDE.
func IsBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// CheckMultilineText is CheckText for a text of several lines (a description, a note, an
// email's body): line breaks and tabs are allowed, other control characters and
// bidirectional controls refused.
func CheckMultilineText(field, s string) error { return checkChars(field, s, true) }

// ParseTenantID accepts a tenant GUID in its usual text form, with or without braces, in
// any case, and returns it in lower case without braces.
func ParseTenantID(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) >= 2 && t[0] == '{' && t[len(t)-1] == '}' { // braces come in pairs
		t = t[1 : len(t)-1]
	}
	if len(t) != 36 {
		return "", &InvalidError{Field: "id", Value: s, Reason: "is not a tenant GUID (expected 8-4-4-4-12 hexadecimal digits)"}
	}
	b := []byte(strings.ToLower(t))
	for i, ch := range b {
		switch i {
		case 8, 13, 18, 23:
			if ch != '-' {
				return "", &InvalidError{Field: "id", Value: s, Reason: "is not a tenant GUID (expected 8-4-4-4-12 hexadecimal digits)"}
			}
		default:
			if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f') {
				return "", &InvalidError{Field: "id", Value: s, Reason: "is not a tenant GUID (expected 8-4-4-4-12 hexadecimal digits)"}
			}
		}
	}
	return string(b), nil
}

// ParseDomain checks a primary domain name (RFC 1035 host name rules: dot-separated labels
// of letters, digits and hyphens, each 1 to 63 characters, not starting or ending with a
// hyphen, at least two labels, at most 253 characters, a top-level label that is not all
// digits) and returns it in lower case.
func ParseDomain(s string) (string, error) {
	d := strings.ToLower(strings.TrimSpace(s))
	d = strings.TrimSuffix(d, ".")
	bad := func(reason string) (string, error) {
		return "", &InvalidError{Field: "domain", Value: s, Reason: reason}
	}
	if d == "" {
		return bad("is empty")
	}
	if len(d) > 253 {
		return bad("is longer than 253 characters")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return bad("needs at least two labels, as in contoso.onmicrosoft.com")
	}
	for _, l := range labels {
		if l == "" {
			return bad("has an empty label (two dots in a row)")
		}
		if len(l) > 63 {
			return bad("has a label longer than 63 characters")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return bad("has a label that starts or ends with a hyphen")
		}
		for i := 0; i < len(l); i++ {
			ch := l[i]
			if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-') {
				if ch >= 0x80 {
					return bad("has a non-ASCII character (write internationalised names in their xn-- form)")
				}
				return bad("has a character other than letters, digits, hyphens and dots")
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" {
		return bad("has an all-numeric top-level label")
	}
	return d, nil
}

// ParseMPNID checks an MPN ID (the partner location account ID a reseller onboarded with):
// 6 to 10 digits.
func ParseMPNID(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) < 6 || len(t) > 10 || strings.Trim(t, "0123456789") != "" {
		return "", &InvalidError{Field: "resellerMpnId", Value: s, Reason: "is not an MPN ID (6 to 10 digits, such as 4847383)"}
	}
	return t, nil
}

// AdminAccountName is the admin user account created with a new customer (004 step 6).
func AdminAccountName(domain string) string { return "admin@" + domain }

// countryCodes holds every officially assigned ISO 3166-1 alpha-2 code, space-delimited.
const countryCodes = " AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW "

// CheckText refuses invalid UTF-8 and control characters in a free-text field, as every
// name and note of pcctl does.
// Bidirectional controls are refused with them.
func CheckText(field, s string) error { return checkText(field, s) }
