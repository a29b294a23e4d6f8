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
	// JQ is the --jq expression, "" when not given (the root command compiles it and
	// filters standard output through it).
	JQ string
	// Spreadsheet is --spreadsheet: CSV text cells that a spreadsheet would run as a
	// formula are escaped (SpreadsheetSafe).
	Spreadsheet bool
	// Wide is --wide: a table on a terminal shows every column in full, however wide
	// (AddWideFlag).
	Wide bool
}

// AddWideFlag adds --wide to a command whose table leaves columns out on a narrow
// terminal (Printer.LeaveOut).
func AddWideFlag(cmd *cobra.Command, o *Options) {
	cmd.Flags().BoolVar(&o.Wide, "wide", false, "on a terminal, show every column in full, however wide (lines may wrap)")
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
	for _, f := range allowed {
		if f == CSV {
			cmd.Flags().BoolVar(&o.Spreadsheet, "spreadsheet", false, "CSV for a spreadsheet: a ' before text cells beginning with = + - @ (not for scripts or re-import)")
			break
		}
	}
	jsonFormat := Format("")
	for _, f := range allowed {
		if f == JSON || f == NDJSON && jsonFormat == "" {
			jsonFormat = f
		}
	}
	if jsonFormat != "" {
		cmd.Flags().StringVar(&o.JQ, "jq", "", "filter the JSON output with a jq expression (implies --format "+string(jsonFormat)+")")
		_ = cmd.RegisterFlagCompletionFunc("jq", cobra.NoFileCompletions)
	}
	_ = cmd.RegisterFlagCompletionFunc("fields", cobra.FixedCompletions(fields, cobra.ShellCompDirectiveNoFileComp))

	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		if o.JQ != "" {
			if !c.Flags().Changed("format") {
				format = string(jsonFormat)
			} else if f := Format(strings.ToLower(strings.TrimSpace(format))); f != JSON && f != NDJSON {
				return &UsageError{Msg: fmt.Sprintf("--jq filters JSON: it cannot be used with --format %s (leave --format out, or give json)", format)}
			}
		}
		f := Format(strings.ToLower(strings.TrimSpace(format)))
		ok := false
		for _, a := range allowed {
			ok = ok || f == a
		}
		if !ok {
			return &UsageError{Msg: fmt.Sprintf("invalid --format %q; valid formats: %s", format, strings.Join(names, ", "))}
		}
		o.Format = f
		if o.Spreadsheet && f != CSV {
			return &UsageError{Msg: fmt.Sprintf("--spreadsheet protects CSV opened in a spreadsheet: it needs --format csv, not %s", f)}
		}
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
