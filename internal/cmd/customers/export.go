package customers

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/progress"
	"github.com/pcctl/pcctl/internal/workspace"
)

// ExportOptions are the inputs of `customers export`.
type ExportOptions struct {
	F        *cmdutil.Factory
	Output   *output.Options
	Reseller string
	File     string
}

// NewCmdExport is `pcctl customers export`.
func NewCmdExport(f *cmdutil.Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{F: f}
	cmd := &cobra.Command{
		Use:   "export [--format csv|json|ndjson] [-o FILE]",
		Short: "Export every customer, for scripts and spreadsheets",
		Long: `Export every customer (or one reseller's) in a stable order: the order they were added.
The export streams, in constant memory whatever the number of customers, and reads one
consistent snapshot of the workspace even while others write to it.

CSV has a header row, RFC 4180 quoting and UTF-8, and 'customers import' reads it back.
With -o the output goes to a temporary file renamed at the end, so a failed or interrupted
export never leaves a truncated file behind.`,
		Example: `  pcctl customers export -o customers.csv
  pcctl customers export --format ndjson | jq -r .domain
  pcctl customers export --reseller 4847383 --format json -o reseller.json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return exportRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Reseller, "reseller", "", "only the customers of the indirect reseller with this MPN ID")
	_ = cmd.RegisterFlagCompletionFunc("reseller", f.CompleteFlag(workspace.CompleteResellers))
	cmd.Flags().StringVarP(&opts.File, "output", "o", "", "write to this file instead of standard output")
	opts.Output = output.AddFlags(cmd, []output.Format{output.CSV, output.JSON, output.NDJSON}, output.FieldNames(exportFields))
	return cmd
}

func exportRun(ctx context.Context, opts *ExportOptions) error {
	q := workspace.ExportQuery{}
	if opts.Reseller != "" {
		var err error
		if q.Reseller, err = domain.ParseMPNID(opts.Reseller); err != nil {
			return err
		}
	}
	ws, err := opts.F.Workspace(ctx)
	if err != nil {
		return err
	}
	var bar *progress.Bar // only with -o: progress by rows
	write := func(w io.Writer) (int, error) {
		ios := &iostreams.IOStreams{Out: w, ErrOut: opts.F.IOStreams.ErrOut}
		p, err := output.NewPrinter(ios, opts.Output, exportFields, nil)
		if err != nil {
			return 0, err
		}
		if err := ws.ExportCustomers(ctx, q, func(c *domain.Customer) error { bar.Add(1); return p.Print(c) }); err != nil {
			return 0, err
		}
		if p.Count() == 0 && q.Reseller != "" {
			if err := cmdutil.CheckResellerFilter(ctx, ws, q.Reseller); err != nil {
				return 0, err
			}
		}
		return p.Count(), p.Close()
	}
	if opts.File == "" || opts.File == "-" {
		_, err := write(opts.F.IOStreams.Out)
		return err
	}
	file, err := opts.F.CreateOutput("-o", opts.File)
	if err != nil {
		return err
	}
	defer file.Abort()
	total := int64(-1)
	if q.Reseller == "" && progress.Enabled(opts.F.IOStreams) {
		if n, err := ws.CountCustomers(ctx); err == nil {
			total = int64(n)
		}
	}
	bar = progress.New(opts.F.IOStreams, total, "Exporting customers")
	defer bar.Finish()
	n, err := write(file)
	bar.Finish()
	if err != nil {
		return err
	}
	if err := file.Commit(); err != nil {
		return err
	}
	noun := "customers"
	if n == 1 {
		noun = "customer"
	}
	opts.F.IOStreams.Notice("Exported %d %s to %s.", n, noun, opts.File)
	return nil
}
