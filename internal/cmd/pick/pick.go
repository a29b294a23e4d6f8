// Package pick holds the prompts commands share when they ask for the values missing on a
// terminal: a line asked again until it is valid, a customer chosen by the first letters of
// its name.
package pick

import (
	"context"
	"fmt"
	"strings"

	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/prompter"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Ask asks for a line until it is not empty and check (when not nil) accepts it; the
// error of an answer check refuses is shown on stderr before asking again.
func Ask(p prompter.Prompter, ios *iostreams.IOStreams, msg string, check func(string) error) (string, error) {
	for {
		v, err := p.Input(msg, "")
		if err != nil {
			return "", err
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if check != nil {
			if err := check(v); err != nil {
				ios.Notice("%s", err)
				continue
			}
		}
		return v, nil
	}
}

// CustomerPrompt is the question asking for the first letters of a customer.
const CustomerPrompt = "Customer (the first letters of its name or domain):"

// Customer asks for the first letters of a customer's name or domain, then to choose
// among the customers found (by domain.RankSearch) or one of extra, offered after them.
// It returns the customer chosen, or the index in extra of the other choice (-1 when a
// customer was chosen).
func Customer(ctx context.Context, p prompter.Prompter, ios *iostreams.IOStreams, ws workspace.Workspace, title string, extra ...string) (workspace.CustomerRecord, int, error) {
	var none workspace.CustomerRecord
	term, err := Ask(p, ios, CustomerPrompt, nil)
	if err != nil {
		return none, 0, err
	}
	found, err := ws.SearchCustomers(ctx, term, 10)
	if err != nil {
		return none, 0, err
	}
	options := make([]string, 0, len(found)+len(extra))
	for _, c := range found {
		options = append(options, fmt.Sprintf("%s (%s)", c.CompanyName, c.Domain))
	}
	options = append(options, extra...)
	if len(options) == 0 {
		return none, 0, fmt.Errorf("no customer's name or domain begins with %q", term)
	}
	i, err := p.Select(title, options)
	if err != nil {
		return none, 0, err
	}
	if i < len(found) {
		return found[i], -1, nil
	}
	return none, i - len(found), nil
}
