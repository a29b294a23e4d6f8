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

// Notice writes a message for the person at the terminal to stderr, on its own line.
func (s *IOStreams) Notice(format string, a ...any) {
	fmt.Fprintf(s.ErrOut, format+"\n", a...)
}
