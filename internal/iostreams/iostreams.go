// Package iostreams carries the three standard streams and what is known about them: data
// goes to Out, messages to ErrOut, and the layout of tables and whether pcctl may prompt
// depend on which of them are terminals.
package iostreams

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"
)

// IOStreams are the streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	inTTY, outTTY, errTTY bool
	width                 int
}

// System returns the process's streams.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.inTTY = term.IsTerminal(int(os.Stdin.Fd()))
	s.outTTY = term.IsTerminal(int(os.Stdout.Fd()))
	s.errTTY = term.IsTerminal(int(os.Stderr.Fd()))
	if s.outTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			s.width = w
		}
	}
	if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		s.width = w
	}
	return s
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetTTY marks the streams as terminals or not (for tests).
func (s *IOStreams) SetTTY(in, out, errOut bool) { s.inTTY, s.outTTY, s.errTTY = in, out, errOut }

// SetWidth sets the terminal's width (for tests).
func (s *IOStreams) SetWidth(w int) { s.width = w }

// IsStdoutTTY reports whether data goes to a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// IsStderrTTY reports whether messages go to a terminal (progress is shown only then).
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// CanPrompt reports whether pcctl may ask questions: stdin and stdout are terminals.
func (s *IOStreams) CanPrompt() bool { return s.inTTY && s.outTTY }

// TerminalWidth is the width of the terminal, 80 when unknown.
func (s *IOStreams) TerminalWidth() int {
	if s.width > 0 {
		return s.width
	}
	return 80
}

// Notice writes a message for the person at the terminal to stderr, on its own line, made
// harmless to the terminal (Safe): it may name what the workspace holds.
// On a terminal, a line wider than it breaks between words rather than mid-word.
func (s *IOStreams) Notice(format string, a ...any) {
	msg := Safe(fmt.Sprintf(format, a...))
	if s.errTTY {
		msg = wrapLines(msg, s.TerminalWidth())
	}
	fmt.Fprint(s.ErrOut, msg+"\n")
}

// wrapLines breaks each line wider than width between words (a word wider than width
// stays whole); lines that fit, and the line breaks already there, are kept.
func wrapLines(text string, width int) string {
	if width < 20 {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if utf8.RuneCountInString(line) <= width {
			continue
		}
		var b strings.Builder
		col := 0
		for j, w := range strings.Split(line, " ") {
			n := utf8.RuneCountInString(w)
			switch {
			case j == 0:
			case col+1+n > width && col > 0:
				b.WriteByte('\n')
				col = 0
			default:
				b.WriteByte(' ')
				col++
			}
			b.WriteString(w)
			col += n
		}
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}

// Safe makes text harmless to a terminal, keeping its lines: line feeds and tabs stay; any
// other control character (ESC, BEL, a lone CR, C1 controls) and Unicode's explicit
// bidirectional formatting characters (U+202E…) are shown escaped, \u001b, never sent raw.
// Text stored before input was checked, or from Partner Center or an import, may hold
// them (issue 14, item 7); tables escape their cells the same way. A CR LF is a line feed.
func Safe(s string) string {
	clean := true
	for _, r := range s {
		if unsafe(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		if unsafe(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unsafe reports a rune Safe escapes.
func unsafe(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 || isBidi(r)
}

// isBidi reports Unicode's explicit bidirectional formatting characters (as
// domain.IsBidiControl; iostreams imports no pcctl package).
func isBidi(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// Fill reflows prose to lines of at most width columns (80 at most, for reading): each
// paragraph (lines up to a blank line) becomes one text wrapped at spaces; a line that
// begins with a space or "- " keeps its own line. A word longer than width stays whole.
// A notice written once with its own line breaks then reads well on any terminal rather
// than wrapping mid-word on an 80-column one.
func Fill(text string, width int) string {
	width = min(width, 80)
	if width < 20 {
		return text
	}
	var out strings.Builder
	col := 0
	flush := func() {
		if col > 0 {
			out.WriteByte('\n')
			col = 0
		}
	}
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			flush()
			out.WriteByte('\n')
			continue
		case strings.HasPrefix(line, " ") || strings.HasPrefix(line, "- "):
			flush()
		}
		for i, w := range strings.Fields(line) {
			n := utf8.RuneCountInString(w)
			switch {
			case col == 0 && i == 0:
				indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
				out.WriteString(indent + w)
				col = len(indent) + n
			case col == 0:
				out.WriteString(w)
				col = n
			case col+1+n > width:
				out.WriteByte('\n')
				out.WriteString(w)
				col = n
			default:
				out.WriteByte(' ')
				out.WriteString(w)
				col += 1 + n
			}
		}
	}
	flush()
	return strings.TrimSuffix(out.String(), "\n")
}
