// Package prompter asks the person at the terminal for input. Commands see only the
// Prompter interface; the survey implementation stays in this file, so replacing survey
// (unmaintained) is a one-file change. Commands prompt only when IOStreams.CanPrompt.
package prompter

import (
	"errors"
	"os"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"

	"github.com/pcctl/pcctl/internal/iostreams"
)

// Prompter asks questions.
type Prompter interface {
	// Confirm asks a yes/no question.
	Confirm(message string, def bool) (bool, error)
	// Input asks for a line of text.
	Input(message, def string) (string, error)
	// Select asks to choose one of options, returning its index.
	Select(message string, options []string) (int, error)
	// Multiline asks for several lines of text (survey ends it with two empty lines).
	Multiline(message string) (string, error)
}

// ErrCancelled is returned when the user interrupts a prompt (Ctrl-C, Esc).
var ErrCancelled = errors.New("cancelled")

type surveyPrompter struct{ opts []survey.AskOpt }

// New returns a prompter on the process's terminal.
func New(ios *iostreams.IOStreams) Prompter {
	return &surveyPrompter{opts: []survey.AskOpt{survey.WithStdio(os.Stdin, os.Stdout, os.Stderr)}}
}

func (p *surveyPrompter) ask(q survey.Prompt, resp any) error {
	err := survey.AskOne(q, resp, p.opts...)
	if errors.Is(err, terminal.InterruptErr) {
		return ErrCancelled
	}
	return err
}

func (p *surveyPrompter) Confirm(message string, def bool) (bool, error) {
	ok := def
	err := p.ask(&survey.Confirm{Message: message, Default: def}, &ok)
	return ok, err
}

func (p *surveyPrompter) Input(message, def string) (string, error) {
	var s string
	err := p.ask(&survey.Input{Message: message, Default: def}, &s)
	return s, err
}

func (p *surveyPrompter) Multiline(message string) (string, error) {
	var s string
	err := p.ask(&survey.Multiline{Message: message}, &s)
	return s, err
}

func (p *surveyPrompter) Select(message string, options []string) (int, error) {
	var i int
	err := p.ask(&survey.Select{Message: message, Options: options}, &i)
	return i, err
}
