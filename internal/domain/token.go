package domain

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Access tokens: how a pcctl server knows who sends a request. Each token belongs to one
// user and acts with that user's roles. The secret is shown once, when the token is
// created; the workspace keeps only its hash (HashTokenSecret), so a copy of the workspace
// file gives no way in.

// Token is an access token, without its secret.
type Token struct {
	ID         string
	User       string // the user's address
	Name       string // what it is for, free text; may be empty
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never expires
	RevokedAt  time.Time // zero: not revoked
	LastUsedAt time.Time // zero: never used
	CreatedBy  string    // who created it; "" for a token made before pcctl recorded it
}

// TokenStatus is where a token stands at a time.
type TokenStatus string

// The statuses of a token.
const (
	TokenActive  TokenStatus = "active"
	TokenExpired TokenStatus = "expired"
	TokenRevoked TokenStatus = "revoked"
)

// Status is the token's status at now. A revoked token is revoked whatever its expiry; a
// token expires at the instant ExpiresAt (it is expired from then on).
func (t Token) Status(now time.Time) TokenStatus {
	switch {
	case !t.RevokedAt.IsZero():
		return TokenRevoked
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return TokenExpired
	}
	return TokenActive
}

// CheckTokenUse refuses a token that is revoked or expired at now with an *AuthError.
func CheckTokenUse(t Token, now time.Time) error {
	switch t.Status(now) {
	case TokenRevoked:
		return &AuthError{Code: AuthRevoked, Reason: "the access token was revoked on " + t.RevokedAt.UTC().Format(time.RFC3339) +
			"; ask an administrator for a new one ('pcctl token create')"}
	case TokenExpired:
		return &AuthError{Code: AuthExpired, Reason: "the access token expired on " + t.ExpiresAt.UTC().Format(time.RFC3339) +
			"; ask an administrator for a new one ('pcctl token create')"}
	}
	return nil
}

// Lifetimes of a token (token create --expires).
const (
	// DefaultTokenTTL is the lifetime of a token when none is given: 90 days.
	DefaultTokenTTL = 90 * 24 * time.Hour
	// DefaultTokenTTLText is DefaultTokenTTL as ParseTokenTTL reads it.
	DefaultTokenTTLText = "90d"
	// MinTokenTTL is the shortest lifetime: one hour.
	MinTokenTTL = time.Hour
	// MaxTokenTTL is the longest lifetime short of "never": 366 days, so that a yearly
	// rotation fits and a typo (900d for 90d) is caught.
	MaxTokenTTL = 366 * 24 * time.Hour
	// NeverExpires is the lifetime "never": the token lasts until it is revoked or its
	// user removed. It must be asked for by name; it is never a default.
	NeverExpires time.Duration = 0
)

// tokenTTLForms names the forms ParseTokenTTL accepts, for errors and help.
const tokenTTLForms = "a number of days such as 90d, a number of hours such as 12h, or never"

// ParseTokenTTL reads a token lifetime: Nd (days), Nh (hours) or "never" (NeverExpires),
// in any case. It must be at least MinTokenTTL and at most MaxTokenTTL.
func ParseTokenTTL(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "never" {
		return NeverExpires, nil
	}
	bad := &InvalidError{Field: "expires", Value: s, Reason: "is not a token lifetime (allowed: " + tokenTTLForms + ")"}
	if len(t) < 2 || len(t) > 10 { // at most 9 digits: Atoi cannot overflow
		return 0, bad
	}
	var unit time.Duration
	switch t[len(t)-1] {
	case 'd':
		unit = 24 * time.Hour
	case 'h':
		unit = time.Hour
	default:
		return 0, bad
	}
	digits := t[:len(t)-1]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, bad
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return 0, bad
	}
	d := time.Duration(n) * unit
	switch {
	case n > int(MaxTokenTTL/unit): // before d, which may have overflowed
		return 0, &InvalidError{Field: "expires", Value: s, Reason: "is too long: a token lasts at most 366d, or never expires if you say never"}
	case d < MinTokenTTL:
		return 0, &InvalidError{Field: "expires", Value: s, Reason: "is too short: a token lasts at least 1h (allowed: " + tokenTTLForms + ")"}
	}
	return d, nil
}

// TokenExpiry is when a token created at created with lifetime ttl expires: zero for
// NeverExpires.
func TokenExpiry(created time.Time, ttl time.Duration) time.Time {
	if ttl == NeverExpires {
		return time.Time{}
	}
	return created.Add(ttl)
}

// The secret of a token is TokenPrefix followed by TokenSecretBytes random bytes in
// lower-case base32 without padding (52 letters a-z and digits 2-7): 58 characters that
// survive a shell, a URL, a YAML file and an HTTP header unquoted, never begin with '-'
// (so never read as a flag) and are recognisable by their prefix to secret scanners.
const (
	TokenPrefix      = "pcctl_"
	TokenSecretBytes = 32
)

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// TokenSecretLen is the length of a secret: the prefix and 52 base32 digits.
const TokenSecretLen = len(TokenPrefix) + (TokenSecretBytes*8+4)/5

// NewTokenSecret draws a secret from random (crypto/rand in production).
func NewTokenSecret(random io.Reader) (string, error) {
	b := make([]byte, TokenSecretBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("drawing a token secret: %w", err)
	}
	return TokenPrefix + tokenEncoding.EncodeToString(b), nil
}

// CheckTokenSecret refuses, with an *AuthError, a secret that is missing or not of the
// form NewTokenSecret makes. It never quotes the secret.
func CheckTokenSecret(secret string) error {
	if secret == "" {
		return &AuthError{Code: AuthMissing, Reason: "no access token was given"}
	}
	ok := len(secret) == TokenSecretLen && strings.HasPrefix(secret, TokenPrefix)
	for i := len(TokenPrefix); ok && i < len(secret); i++ {
		c := secret[i]
		ok = c >= 'a' && c <= 'z' || c >= '2' && c <= '7'
	}
	if !ok {
		return &AuthError{Code: AuthMalformed, Reason: fmt.Sprintf("the access token is not a pcctl token (%s followed by %d letters and digits)",
			TokenPrefix, TokenSecretLen-len(TokenPrefix))}
	}
	return nil
}

// LooksLikeTokenSecret reports whether s begins as a secret does: given where a token ID
// is expected, it must be refused without being repeated.
func LooksLikeTokenSecret(s string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), TokenPrefix)
}

// HashTokenSecret is what the workspace keeps of a secret: SHA-256, in lower-case hex.
//
// A fast unsalted hash is right here, where a password would need bcrypt or Argon2:
// those slow down guessing of secrets people choose, with little entropy, but a secret of
// 256 random bits cannot be guessed at any speed, so the slowness would buy nothing. And a
// deterministic hash lets the workspace find a token by its hash in an index, in one
// lookup per request, instead of checking a salted hash against every token; comparing
// hashes found by index also leaks nothing of the secret through timing.
func HashTokenSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// MaxTokenNameLen bounds a token's name, in characters.
const MaxTokenNameLen = 100

// NormalizeTokenName checks a token's name (free text, on one line, at most
// MaxTokenNameLen characters) and collapses its spaces. It may be empty.
func NormalizeTokenName(name string) (string, error) {
	if err := checkText("name", name); err != nil {
		return name, err
	}
	n := strings.Join(strings.Fields(name), " ")
	if len([]rune(n)) > MaxTokenNameLen {
		return name, &InvalidError{Field: "name", Value: name, Reason: fmt.Sprintf("is too long: at most %d characters", MaxTokenNameLen)}
	}
	return n, nil
}

// ParseTokenID reads the ID of a token as 'token list' shows it (any case, spaces around
// ignored). A secret given instead is refused without being repeated.
func ParseTokenID(s string) (string, error) {
	if LooksLikeTokenSecret(s) {
		return "", &InvalidError{Field: "id", Reason: "is a token's secret, not its ID: give the ID that 'pcctl token list' shows " +
			"(and since the secret was typed on a command line, consider it exposed: revoke its token)"}
	}
	id := strings.ToLower(strings.TrimSpace(s))
	if id == "" {
		return "", &InvalidError{Field: "id", Value: s, Reason: "is empty: give the ID that 'pcctl token list' shows"}
	}
	return id, nil
}
