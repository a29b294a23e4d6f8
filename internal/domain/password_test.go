package domain

import (
	"bytes"
	crand "crypto/rand"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// Temporary passwords (004 step 6).

const (
	wantLowers  = "abcdefghijkmnpqrstuvwxyz"
	wantUppers  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	wantDigits  = "23456789"
	wantSymbols = "!@#$%&*?-+="
)

func checkPassword(t *testing.T, pw string) {
	t.Helper()
	if len(pw) != 16 {
		t.Fatalf("password %q has %d characters, want 16", pw, len(pw))
	}
	var lower, upper, digit, symbol bool
	for _, c := range pw {
		switch {
		case strings.ContainsRune(wantLowers, c):
			lower = true
		case strings.ContainsRune(wantUppers, c):
			upper = true
		case strings.ContainsRune(wantDigits, c):
			digit = true
		case strings.ContainsRune(wantSymbols, c):
			symbol = true
		default:
			t.Fatalf("password %q has %q, outside the alphabet", pw, c)
		}
	}
	if !lower || !upper || !digit || !symbol {
		t.Fatalf("password %q: lower %v upper %v digit %v symbol %v; want all", pw, lower, upper, digit, symbol)
	}
	if strings.ContainsAny(pw, "l1IoO0") {
		t.Fatalf("password %q has a look-alike character", pw)
	}
}

func TestTemporaryPasswordAlphabet(t *testing.T) {
	// The alphabet itself leaves out the look-alikes.
	for _, set := range []string{lowers, uppers, digits, symbols} {
		if strings.ContainsAny(set, "l1IoO0") {
			t.Errorf("alphabet %q has a look-alike character", set)
		}
	}
	if lowers != wantLowers || uppers != wantUppers || digits != wantDigits || symbols != wantSymbols {
		t.Errorf("alphabet = %q %q %q %q", lowers, uppers, digits, symbols)
	}
}

func TestNewTemporaryPasswordDeterministic(t *testing.T) {
	first := map[byte]bool{}
	for seed := range 2000 {
		var s [32]byte
		s[0], s[1] = byte(seed), byte(seed>>8)
		pw, err := NewTemporaryPassword(rand.NewChaCha8(s))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		checkPassword(t, pw)
		first[pw[0]] = true
		// The same source gives the same password.
		again, _ := NewTemporaryPassword(rand.NewChaCha8(s))
		if again != pw {
			t.Fatalf("seed %d: %q then %q", seed, pw, again)
		}
	}
	// The guaranteed classes are shuffled, not always in the first four places: over
	// 2000 passwords the first character takes many values from every class.
	for _, set := range []string{wantLowers, wantUppers, wantDigits, wantSymbols} {
		if !strings.ContainsFunc(set, func(r rune) bool { return first[byte(r)] }) {
			t.Errorf("no password starts with a character of %q", set)
		}
	}
}

func TestNewTemporaryPasswordFixedBytes(t *testing.T) {
	// A source of zeros picks the first character of every set: a, A, 2, ! and then a
	// twelve times; the shuffle always draws position 0, which moves ! 2 A to the front
	// and leaves the a's behind.
	pw, err := NewTemporaryPassword(bytes.NewReader(make([]byte, 64)))
	if err != nil {
		t.Fatal(err)
	}
	if want := "A2!aaaaaaaaaaaaa"; pw != want {
		t.Errorf("password from zeros = %q, want %q", pw, want)
	}
	checkPassword(t, pw)

	// Bytes past the largest multiple of the set size are rejected, not folded in with a
	// modulo: 250 is past 250 = 10×25 for the lower-case letters, so the next byte (1,
	// "b") is used.
	src := append([]byte{250, 1}, make([]byte, 64)...)
	pw, err = NewTemporaryPassword(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pw, "b") || strings.Count(pw, "a") != 12 {
		t.Errorf("password = %q, want one b and twelve a", pw)
	}
}

func TestNewTemporaryPasswordCryptoRand(t *testing.T) {
	seen := make(map[string]bool, 1000)
	for range 1000 {
		pw, err := NewTemporaryPassword(crand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		checkPassword(t, pw)
		if seen[pw] {
			t.Fatalf("password %q drawn twice", pw)
		}
		seen[pw] = true
	}
}

type failingReader struct {
	ok  int // bytes to give before failing
	err error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.ok <= 0 {
		return 0, r.err
	}
	n := min(len(p), r.ok)
	clear(p[:n])
	r.ok -= n
	return n, nil
}

func TestNewTemporaryPasswordReaderFails(t *testing.T) {
	boom := errors.New("entropy exhausted")
	for _, ok := range []int{0, 1, 3, 16, 20} { // in the draw and in the shuffle
		pw, err := NewTemporaryPassword(&failingReader{ok: ok, err: boom})
		if err == nil {
			t.Errorf("after %d bytes: password %q, want an error", ok, pw)
			continue
		}
		if pw != "" {
			t.Errorf("after %d bytes: password %q returned with the error", ok, pw)
		}
		if !errors.Is(err, boom) {
			t.Errorf("after %d bytes: error %v does not wrap the reader's", ok, err)
		}
		if want := "reading randomness for the temporary password: entropy exhausted"; err.Error() != want {
			t.Errorf("after %d bytes: error %q, want %q", ok, err.Error(), want)
		}
	}
	_, err := NewTemporaryPassword(bytes.NewReader(nil))
	if !errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "temporary password") {
		t.Errorf("empty source: error %v", err)
	}
}
