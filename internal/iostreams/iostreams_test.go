package iostreams

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
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

// TestFill: prose reflows to the width (80 at most), paragraphs and list lines kept.
func TestFill(t *testing.T) {
	in := "The customer keeps its history, flags and audit trail in pcctl, with the relationship\n\"none\"; delegated admin access ends.\n\nSecond paragraph.\n- a list line\n  an indented line"
	want := "The customer keeps its history, flags and audit trail in pcctl,\nwith the relationship \"none\"; delegated admin access ends.\n\nSecond paragraph.\n- a list line\n  an indented line"
	if got := Fill(in, 64); got != want {
		t.Errorf("Fill at 64:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range strings.Split(Fill(in, 200), "\n") {
		if utf8.RuneCountInString(line) > 80 {
			t.Errorf("Fill at 200 left a line of %d: %q", utf8.RuneCountInString(line), line)
		}
	}
	if got := Fill("short", 10); got != "short" {
		t.Errorf("Fill on a tiny terminal: %q", got)
	}
}

// TestNoticeWrapsOnATerminal: on a terminal a long notice breaks between words; its own
// line breaks stay; not on a pipe (scripts read it whole).
func TestNoticeWrapsOnATerminal(t *testing.T) {
	msg := "Removed the partnership with Fabrikam (MPN ID 4847383). Its customers and subscriptions are unchanged; no notice was sent to anyone.\nSecond line."
	s, _, _, errOut := Test()
	s.Notice("%s", msg)
	if errOut.String() != msg+"\n" {
		t.Errorf("piped, the notice changed: %q", errOut)
	}
	s, _, _, errOut = Test()
	s.SetTTY(false, false, true)
	s.Notice("%s", msg)
	want := "Removed the partnership with Fabrikam (MPN ID 4847383). Its customers and\nsubscriptions are unchanged; no notice was sent to anyone.\nSecond line.\n"
	if errOut.String() != want {
		t.Errorf("on a terminal:\n%q\nwant\n%q", errOut, want)
	}
}
