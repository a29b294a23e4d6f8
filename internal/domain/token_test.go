package domain

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// Access tokens: lifetime, status, secret, hash, name and ID.

var tokenNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func TestTokenStatus(t *testing.T) {
	exp := tokenNow.Add(DefaultTokenTTL)
	tests := []struct {
		name string
		tok  Token
		at   time.Time
		want TokenStatus
	}{
		{"new", Token{CreatedAt: tokenNow, ExpiresAt: exp}, tokenNow, TokenActive},
		{"a second before expiry", Token{ExpiresAt: exp}, exp.Add(-time.Second), TokenActive},
		{"at the instant of expiry", Token{ExpiresAt: exp}, exp, TokenExpired},
		{"after expiry", Token{ExpiresAt: exp}, exp.Add(time.Hour), TokenExpired},
		{"never expires", Token{CreatedAt: tokenNow}, tokenNow.Add(100 * 365 * 24 * time.Hour), TokenActive},
		{"revoked", Token{ExpiresAt: exp, RevokedAt: tokenNow}, tokenNow, TokenRevoked},
		{"revoked wins over expired", Token{ExpiresAt: exp, RevokedAt: tokenNow}, exp.Add(time.Hour), TokenRevoked},
		{"revoked, never expiring", Token{RevokedAt: tokenNow}, tokenNow.Add(time.Hour), TokenRevoked},
	}
	for _, tt := range tests {
		if got := tt.tok.Status(tt.at); got != tt.want {
			t.Errorf("%s: Status = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestCheckTokenUse(t *testing.T) {
	exp := tokenNow.Add(time.Hour)
	if err := CheckTokenUse(Token{ExpiresAt: exp}, tokenNow); err != nil {
		t.Errorf("active token refused: %v", err)
	}
	err := CheckTokenUse(Token{ExpiresAt: exp}, exp)
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Code != AuthExpired ||
		err.Error() != "not authenticated: the access token expired on 2026-11-21T11:00:00Z; ask an administrator for a new one ('pcctl token create')" {
		t.Errorf("expired: %v", err)
	}
	err = CheckTokenUse(Token{ExpiresAt: exp, RevokedAt: tokenNow}, exp)
	if !errors.As(err, &ae) || ae.Code != AuthRevoked ||
		err.Error() != "not authenticated: the access token was revoked on 2026-11-21T10:00:00Z; ask an administrator for a new one ('pcctl token create')" {
		t.Errorf("revoked: %v", err)
	}
	var rule *RuleError
	if errors.As(err, &rule) || errors.Is(err, ErrNotFound) {
		t.Errorf("an AuthError is neither a rule refusal nor a not-found: %v", err)
	}
}

func TestParseTokenTTL(t *testing.T) {
	ok := []struct {
		in   string
		want time.Duration
	}{
		{"90d", 90 * 24 * time.Hour},
		{DefaultTokenTTLText, DefaultTokenTTL},
		{"12h", 12 * time.Hour},
		{"1h", MinTokenTTL},
		{" 30D ", 30 * 24 * time.Hour},
		{"366d", MaxTokenTTL},
		{"8784h", MaxTokenTTL},
		{"007d", 7 * 24 * time.Hour},
		{"never", NeverExpires},
		{"Never", NeverExpires},
	}
	for _, tt := range ok {
		got, err := ParseTokenTTL(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseTokenTTL(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	const forms = "(allowed: a number of days such as 90d, a number of hours such as 12h, or never)"
	bad := []struct{ in, msg string }{
		{"", `expires is not a token lifetime ` + forms},
		{"90", `expires "90" is not a token lifetime ` + forms},
		{"d", `expires "d" is not a token lifetime ` + forms},
		{"1w", `expires "1w" is not a token lifetime ` + forms},
		{"30m", `expires "30m" is not a token lifetime ` + forms},
		{"-1d", `expires "-1d" is not a token lifetime ` + forms},
		{"+5d", `expires "+5d" is not a token lifetime ` + forms},
		{"1.5d", `expires "1.5d" is not a token lifetime ` + forms},
		{"90 d", `expires "90 d" is not a token lifetime ` + forms},
		{"٩٠d", `expires "٩٠d" is not a token lifetime ` + forms}, // Arabic-Indic digits
		{"9999999999d", `expires "9999999999d" is not a token lifetime ` + forms},
		{"99999999999999999999h", `expires "99999999999999999999h" is not a token lifetime ` + forms},
		{"0d", `expires "0d" is too short: a token lasts at least 1h ` + forms},
		{"0h", `expires "0h" is too short: a token lasts at least 1h ` + forms},
		{"367d", `expires "367d" is too long: a token lasts at most 366d, or never expires if you say never`},
		{"8785h", `expires "8785h" is too long: a token lasts at most 366d, or never expires if you say never`},
		{"999999d", `expires "999999d" is too long: a token lasts at most 366d, or never expires if you say never`}, // overflows a Duration
		{"999999999h", `expires "999999999h" is too long: a token lasts at most 366d, or never expires if you say never`},
	}
	for _, tt := range bad {
		got, err := ParseTokenTTL(tt.in)
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Field != "expires" {
			t.Errorf("ParseTokenTTL(%q) = %v, %v; want *InvalidError on expires", tt.in, got, err)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("ParseTokenTTL(%q) error = %q\nwant %q", tt.in, err.Error(), tt.msg)
		}
	}
}

func TestTokenExpiry(t *testing.T) {
	if got := TokenExpiry(tokenNow, DefaultTokenTTL); !got.Equal(time.Date(2027, 2, 19, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("90 days after %s = %s", tokenNow, got)
	}
	if got := TokenExpiry(tokenNow, NeverExpires); !got.IsZero() {
		t.Errorf("never: %s, want zero", got)
	}
}

func TestNewTokenSecret(t *testing.T) {
	// The encoding: 32 zero bytes are 52 a's; 32 bytes of 0xff are 51 7's and a final q
	// (the last base32 digit carries 1 bit of data and 4 of padding).
	s, err := NewTokenSecret(bytes.NewReader(make([]byte, 32)))
	if err != nil || s != "pcctl_"+strings.Repeat("a", 52) {
		t.Errorf("zero bytes: %q, %v", s, err)
	}
	s, err = NewTokenSecret(bytes.NewReader(bytes.Repeat([]byte{0xff}, 32)))
	if err != nil || s != "pcctl_"+strings.Repeat("7", 51)+"q" {
		t.Errorf("0xff bytes: %q, %v", s, err)
	}
	// It takes exactly 32 bytes.
	r := bytes.NewReader(make([]byte, 40))
	if _, err := NewTokenSecret(r); err != nil || r.Len() != 8 {
		t.Errorf("read %d bytes, want 32 (%v)", 40-r.Len(), err)
	}
	// Too little randomness is an error, never a short secret.
	if s, err := NewTokenSecret(bytes.NewReader(make([]byte, 31))); err == nil || s != "" {
		t.Errorf("31 bytes: %q, %v", s, err)
	}
	if _, err := NewTokenSecret(iotest.ErrReader(errors.New("no entropy"))); err == nil || !strings.Contains(err.Error(), "no entropy") {
		t.Errorf("failing reader: %v", err)
	}
	seen := map[string]bool{}
	for range 1000 {
		s, err := NewTokenSecret(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != TokenSecretLen || TokenSecretLen != 58 || s[0] == '-' || strings.ToLower(s) != s {
			t.Fatalf("secret %q: length %d, want 58, lower case, not starting with -", s, len(s))
		}
		if err := CheckTokenSecret(s); err != nil {
			t.Fatalf("CheckTokenSecret(%q) = %v", s, err)
		}
		if seen[s] {
			t.Fatalf("secret %q drawn twice", s)
		}
		seen[s] = true
	}
}

func TestCheckTokenSecret(t *testing.T) {
	good := "pcctl_" + strings.Repeat("a2b3c4d5e6f7g", 4)
	if err := CheckTokenSecret(good); err != nil {
		t.Fatalf("CheckTokenSecret(%q) = %v", good, err)
	}
	var ae *AuthError
	if err := CheckTokenSecret(""); !errors.As(err, &ae) || ae.Code != AuthMissing ||
		err.Error() != "not authenticated: no access token was given" {
		t.Errorf("empty: %v", err)
	}
	const malformed = "not authenticated: the access token is not a pcctl token (pcctl_ followed by 52 letters and digits)"
	for _, s := range []string{
		good[:len(good)-1],                  // too short
		good + "a",                          // too long
		"PCCTL_" + good[6:],                 // prefix in upper case
		strings.ToUpper(good),               // upper case
		"pcctl-" + good[6:],                 // another prefix
		"xxxxx_" + good[6:],                 // no prefix
		good[:20] + "1" + good[21:],         // 1 is not a base32 digit
		good[:20] + "8" + good[21:],         // nor 8
		good[:20] + "=" + good[21:],         // no padding
		good[:20] + " " + good[21:],         // no space
		" " + good[:len(good)-1],            // nor around it
		good[:57] + "\n",                    // nor a line break
		good[:20] + "é" + good[22:],         // ASCII only
		"Bearer " + good,                    // the header's scheme is the server's to strip
		strings.Repeat("a", TokenSecretLen), // no prefix at all
	} {
		err := CheckTokenSecret(s)
		if !errors.As(err, &ae) || ae.Code != AuthMalformed || err.Error() != malformed {
			t.Errorf("CheckTokenSecret(%q) = %v; want the malformed error", s, err)
		}
		if strings.Contains(err.Error(), s) {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
}

func TestHashTokenSecret(t *testing.T) {
	// SHA-256 test vector (FIPS 180-2): "abc".
	if got := HashTokenSecret("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashTokenSecret(abc) = %s", got)
	}
	a, _ := NewTokenSecret(bytes.NewReader(make([]byte, 32)))
	h := HashTokenSecret(a)
	if len(h) != 64 || strings.ToLower(h) != h || strings.Contains(h, a[6:]) {
		t.Errorf("hash %q: want 64 lower-case hex digits, not holding the secret", h)
	}
	if HashTokenSecret(a) != h {
		t.Error("the hash is not deterministic")
	}
	b, _ := NewTokenSecret(bytes.NewReader(append(make([]byte, 31), 1)))
	if HashTokenSecret(b) == h {
		t.Error("two secrets, one hash")
	}
}

func TestLooksLikeTokenSecret(t *testing.T) {
	for s, want := range map[string]bool{
		"pcctl_abc": true, " PCCTL_abc": true, "3f2504e0-4f89-41d3-9a0c-0305e82c3301": false, "": false, "pcctl": false,
	} {
		if got := LooksLikeTokenSecret(s); got != want {
			t.Errorf("LooksLikeTokenSecret(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestNormalizeTokenName(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"  ci   deploy  ":        "ci deploy",
		"Jenkins (nightly) 🌙":    "Jenkins (nightly) 🌙",
		strings.Repeat("é", 100): strings.Repeat("é", 100),
	} {
		got, err := NormalizeTokenName(in)
		if err != nil || got != want {
			t.Errorf("NormalizeTokenName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []struct{ in, msg string }{
		{strings.Repeat("x", 101), `name "` + strings.Repeat("x", 101) + `" is too long: at most 100 characters`},
		{"a\tb", `name "a\tb" has a control character (U+0009)`},
		{"a\nb", `name "a\nb" has a control character (U+000A)`},
		{"a\xffb", "name \"a\ufffdb\" is not valid UTF-8 text"},
	}
	for _, tt := range bad {
		_, err := NormalizeTokenName(tt.in)
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Field != "name" || err.Error() != tt.msg {
			t.Errorf("NormalizeTokenName(%q) = %v\nwant %s", tt.in, err, tt.msg)
		}
	}
}

func TestParseTokenID(t *testing.T) {
	if id, err := ParseTokenID(" 3F2504E0-4F89-41D3-9A0C-0305E82C3301 "); err != nil || id != "3f2504e0-4f89-41d3-9a0c-0305e82c3301" {
		t.Errorf("ParseTokenID = %q, %v", id, err)
	}
	var ie *InvalidError
	if _, err := ParseTokenID("  "); !errors.As(err, &ie) || ie.Field != "id" {
		t.Errorf("empty: %v", err)
	}
	secret := "pcctl_" + strings.Repeat("a", 52)
	_, err := ParseTokenID(secret)
	if !errors.As(err, &ie) || ie.Field != "id" || ie.Value != "" || strings.Contains(err.Error(), secret[6:]) {
		t.Errorf("a secret for an ID: %v (it must not be repeated)", err)
	}
	if want := "id is a token's secret, not its ID: give the ID that 'pcctl token list' shows " +
		"(and since the secret was typed on a command line, consider it exposed: revoke its token)"; err.Error() != want {
		t.Errorf("a secret for an ID: %q\nwant %q", err, want)
	}
}

func TestForbiddenError(t *testing.T) {
	err := Principal{User: "hd@contoso.com", Roles: []Role{RoleHelpdeskAgent}}.Require(PermManageUsers)
	var fe *ForbiddenError
	if !errors.As(err, &fe) {
		t.Fatalf("Require = %v (%T), want *ForbiddenError", err, err)
	}
	if fe.User != "hd@contoso.com" || fe.Permission != PermManageUsers ||
		len(fe.Roles) != 3 || fe.Roles[0] != RoleGlobalAdmin || fe.Roles[1] != RoleUserAdmin || fe.Roles[2] != RoleAccountAdmin {
		t.Errorf("ForbiddenError = %+v", fe)
	}
	const msg = "hd@contoso.com may not manage users: that needs the role global-admin or user-admin or account-admin"
	if err.Error() != msg {
		t.Errorf("Error() = %q, want %q", err.Error(), msg)
	}
	// Still a refusal by the role rule for code that checks for one.
	var rule *RuleError
	if !errors.As(err, &rule) || rule.Rule != "role" || rule.Msg != msg {
		t.Errorf("errors.As(RuleError) = %+v", rule)
	}
	var ae *AuthError
	if errors.As(err, &ae) || errors.Is(err, ErrNotFound) {
		t.Error("a ForbiddenError is an AuthError or a not-found")
	}
}

func TestAuthError(t *testing.T) {
	err := error(&AuthError{Code: AuthUnknown, Reason: "the access token is not known"})
	if err.Error() != "not authenticated: the access token is not known" {
		t.Errorf("Error() = %q", err.Error())
	}
	var rule *RuleError
	var fe *ForbiddenError
	if errors.As(err, &rule) || errors.As(err, &fe) || errors.Is(err, ErrNotFound) {
		t.Error("an AuthError is taken for another error")
	}
}
