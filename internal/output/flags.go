package output

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// Options are the output choices made on the command line.
type Options struct {
	Format Format
	Fields []string
}

// AddFlags adds --format and --fields to a command that prints records. allowed limits
// the formats (nil: all of them); fields lists the valid field names, for the help text,
// validation and shell completion.
func AddFlags(cmd *cobra.Command, allowed []Format, fields []string) *Options {
	o := &Options{}
	if allowed == nil {
		allowed = Formats
	}
	def := allowed[0]
	names := make([]string, len(allowed))
	for i, f := range allowed {
		names[i] = string(f)
	}
	format := string(def)
	cmd.Flags().StringVar(&format, "format", string(def), "output format: "+strings.Join(names, ", "))
	cmd.Flags().StringSliceVar(&o.Fields, "fields", nil, "fields to show, in order (comma-separated): "+strings.Join(fields, ", "))
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(names, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fields", cobra.FixedCompletions(fields, cobra.ShellCompDirectiveNoFileComp))

	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		f := Format(strings.ToLower(strings.TrimSpace(format)))
		ok := false
		for _, a := range allowed {
			ok = ok || f == a
		}
		if !ok {
			return &UsageError{Msg: fmt.Sprintf("invalid --format %q; valid formats: %s", format, strings.Join(names, ", "))}
		}
		o.Format = f
		for i, name := range o.Fields {
			o.Fields[i] = strings.TrimSpace(name)
			found := false
			for _, v := range fields {
				if strings.EqualFold(v, o.Fields[i]) {
					o.Fields[i], found = v, true
				}
			}
			if !found {
				return &UsageError{Msg: fmt.Sprintf("unknown field %q for --fields; valid fields: %s", name, strings.Join(fields, ", "))}
			}
		}
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
	return o
}
