package domain

import (
	"fmt"
	"io"
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
