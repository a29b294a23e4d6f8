package domain

import (
	"fmt"
	"io"
	"strings"
)

// Temporary passwords for a new customer's admin account (004 step 6): shown once at
// creation, never stored in clear.

const (
	passwordLen = 16
	lowers      = "abcdefghijkmnpqrstuvwxyz" // no l, o: they read as 1, I, 0, O
	uppers      = "ABCDEFGHJKLMNPQRSTUVWXYZ" // no I, O
	digits      = "23456789"                 // no 0, 1
	symbols     = "!@#$%&*?-+="
)

// NewTemporaryPassword draws a 16-character password with at least one lower-case
// letter, upper-case letter, digit and symbol from the random source (crypto/rand.Reader
// in production). Characters that read alike (l, 1, I, o, O, 0) are left out.
func NewTemporaryPassword(random io.Reader) (string, error) {
	classes := []string{lowers, uppers, digits, symbols}
	all := lowers + uppers + digits + symbols
	out := make([]byte, passwordLen)
	buf := make([]byte, 1)
	pick := func(set string) (byte, error) {
		// Rejection sampling: no modulo bias.
		limit := 256 - 256%len(set)
		for {
			if _, err := io.ReadFull(random, buf); err != nil {
				return 0, fmt.Errorf("reading randomness for the temporary password: %w", err)
			}
			if int(buf[0]) < limit {
				return set[int(buf[0])%len(set)], nil
			}
		}
	}
	for i := range out {
		set := all
		if i < len(classes) {
			set = classes[i]
		}
		c, err := pick(set)
		if err != nil {
			return "", err
		}
		out[i] = c
	}
	// Shuffle so the guaranteed classes are not always first (Fisher–Yates).
	for i := len(out) - 1; i > 0; i-- {
		j, err := pick(string(indexes[:i+1]))
		if err != nil {
			return "", err
		}
		k := int(j)
		out[i], out[k] = out[k], out[i]
	}
	return string(out), nil
}

// indexes[i] == i: lets pick draw a position without modulo bias.
var indexes = func() []byte {
	b := make([]byte, passwordLen)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

// BcryptCost is the cost of the bcrypt hash of a temporary password: the hash pcctl
// computes, and the only one a workspace stores.
const BcryptCost = 10

// CheckPasswordHash refuses what is not a bcrypt hash of cost BcryptCost ("$2a$10$",
// "$2b$10$" or "$2y$10$" and 53 characters of bcrypt's base64): a workspace never stores
// a password in clear, whoever sends it (issue 14, item 12). "" (no admin account) is
// accepted. The value is never quoted back: it may be a password.
func CheckPasswordHash(h string) error {
	if h == "" {
		return nil
	}
	ok := len(h) == 60 && h[0] == '$' && h[1] == '2' && strings.ContainsRune("aby", rune(h[2])) && h[3] == '$' &&
		h[4:7] == fmt.Sprintf("%02d$", BcryptCost)
	for i := 7; ok && i < len(h); i++ {
		c := h[i]
		ok = c == '.' || c == '/' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
	}
	if !ok {
		return &InvalidError{Field: "adminPasswordHash", Reason: fmt.Sprintf(
			"is not a bcrypt hash of cost %d ($2b$%02d$ and 53 characters): pcctl stores only the hash of the admin's temporary password, never the password", BcryptCost, BcryptCost)}
	}
	return nil
}
