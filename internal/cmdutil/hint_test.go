package cmdutil

import (
	"errors"
	"testing"

	"github.com/spf13/cobra"
)

func TestFlagHint(t *testing.T) {
	cmd := &cobra.Command{Use: "list"}
	cmd.Flags().String("view", "", "")
	cmd.Flags().Int("limit", 0, "")
	cmd.Flags().String("format", "", "")
	cmd.Flags().String("reseller", "", "")
	for msg, want := range map[string]string{
		"unknown flag: --veiw":                   " (did you mean --view?)",
		"unknown flag: --limt":                   " (did you mean --limit?)",
		"unknown flag: --resell":                 " (did you mean --reseller?)",
		"unknown flag: --output":                 " (pcctl chooses the output format with --format, such as --format json)",
		"unknown shorthand flag: 'o' in -o":      " (pcctl chooses the output format with --format, such as --format json)",
		"unknown flag: --zzzzzz":                 "",
		"invalid argument \"x\" for \"--limit\"": "",
	} {
		if got := FlagHint(cmd, errors.New(msg)); got != want {
			t.Errorf("FlagHint(%q) = %q, want %q", msg, got, want)
		}
	}
}
