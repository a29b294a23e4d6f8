package app

import "testing"

// TestEveryCommandHasAnExample: the --help of every command shows at least one example.
func TestEveryCommandHasAnExample(t *testing.T) {
	for _, c := range commands(false) {
		if c != c.Root() && c.Example == "" {
			t.Errorf("%q has no example in its --help", c.CommandPath())
		}
	}
}
