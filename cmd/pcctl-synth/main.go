// Command pcctl-synth writes deterministic synthetic data for benchmarks and
// demos. The generators live in internal/synth.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pcctl/pcctl/internal/synth"
)

const usage = `Usage:
  pcctl-synth customers [-seed N] [-n COUNT] [-dialect pcctl|partner-center] [-o FILE]

Writes COUNT synthetic CSP customers as CSV. The same seed always gives the
same bytes.

Flags:
  -seed N       random seed (default 1)
  -n COUNT      number of customers (default 1000)
  -dialect D    pcctl (comma, LF, RFC 3339 dates) or partner-center
                (Partner Center export as a French spreadsheet saves it:
                UTF-8 BOM, semicolons, CRLF) (default pcctl)
  -o FILE       output file, written atomically (default stdout)

Example:
  pcctl-synth customers -seed 42 -n 1000000 -o customers.csv
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "customers":
	default:
		fmt.Fprintf(stderr, "pcctl-synth: unknown command %q\n\n%s", args[0], usage)
		return 2
	}

	fs := flag.NewFlagSet("customers", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	seed := fs.Int64("seed", 1, "")
	n := fs.Int("n", 1000, "")
	dialectName := fs.String("dialect", "pcctl", "")
	out := fs.String("o", "", "")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "pcctl-synth: %v\n\n%s", err, usage)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "pcctl-synth: unexpected argument %q\n\n%s", fs.Arg(0), usage)
		return 2
	}
	if *n < 0 {
		fmt.Fprintf(stderr, "pcctl-synth: -n must not be negative\n\n%s", usage)
		return 2
	}
	dialect, err := synth.ParseDialect(*dialectName)
	if err != nil {
		fmt.Fprintf(stderr, "pcctl-synth: %v\n\n%s", err, usage)
		return 2
	}

	write := func(w io.Writer) error { return synth.WriteCustomersCSV(w, *seed, *n, dialect) }
	if *out == "" || *out == "-" {
		err = write(stdout)
	} else {
		err = writeFileAtomic(*out, write)
	}
	if err != nil {
		fmt.Fprintf(stderr, "pcctl-synth: %v\n", err)
		return 1
	}
	return 0
}

// writeFileAtomic writes to a temporary file in the folder of path and
// renames it over path once complete, so readers never see a partial file.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
