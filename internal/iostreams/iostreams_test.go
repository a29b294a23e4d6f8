package iostreams

import (
	"bytes"
	"testing"
)

// TestSafe: text printed outside tables keeps its lines and tabs; ESC, BEL, a lone CR, C1
// controls and bidirectional overrides are escaped; a CR LF is a line feed.
func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"Hello\x1b]0;owned\a":   `Hello\u001b]0;owned\u0007`,
		"two\nlines\tand a tab": "two\nlines\tand a tab",
		"crlf\r\nline":          "crlf\nline",
		"lone\rcr":              `lone\u000dcr`,
		"evil\u202Etxt.exe":     `evil\u202etxt.exe`,
		"c1\u009b31m":           `c1\u009b31m`,
		"Société Générale, Ltd": "Société Générale, Ltd",
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNoticeIsSafe: a notice naming what the workspace holds never sends ESC raw.
func TestNoticeIsSafe(t *testing.T) {
	s, _, _, errOut := Test()
	s.Notice("Ended the relationship with %s.", "Contoso\x1b[2J")
	if got, want := errOut.String(), "Ended the relationship with Contoso\\u001b[2J.\n"; got != want {
		t.Errorf("Notice printed %q, want %q", got, want)
	}
	if bytes.ContainsRune(errOut.Bytes(), 0x1b) {
		t.Error("ESC sent raw")
	}
}
