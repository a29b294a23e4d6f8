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
  pcctl-synth psc-deals [-seed N] [-n COUNT] [-customers N] [-customer-seed S]
                        [-dialect D] [-prospects PERMILLE] [-duplicates PERMILLE]
                        [-partner-domain DOMAIN] [-o FILE]
  pcctl-synth psc-users [-seed N] [-n COUNT] [-partner-domain DOMAIN] [-o FILE]

customers writes COUNT synthetic CSP customers as CSV. psc-deals writes a
Partner Sales Connect opportunity export for pcctl deal import --psc, naming
the customers that customers -seed S -n N writes; psc-users writes a PSC user
export for pcctl user import --psc. The same flags always give the same bytes.

Flags of customers:
  -seed N       random seed (default 1)
  -n COUNT      number of customers (default 1000)
  -dialect D    pcctl (comma, LF, RFC 3339 dates) or partner-center
                (Partner Center export as a French spreadsheet saves it:
                UTF-8 BOM, semicolons, CRLF) (default pcctl)
  -o FILE       output file, written atomically (default stdout)

Flags of psc-deals:
  -seed N               random seed (default 1)
  -n COUNT              number of opportunities (default 1000)
  -customers N          the rows name the first N customers of the sequence,
                        those whose name (ignoring case, accents and legal
                        form) no other of them has (default 1000)
  -customer-seed S      seed of the customers (default 1)
  -dialect D            iso (UTF-8, comma, LF, 2006-01-31, 12345.67),
                        excel-us (UTF-8 BOM, comma, CRLF, 01/31/2006, 12,345.67),
                        excel-fr (Windows-1252, semicolons, CRLF, 31/01/2006,
                        12 345,67 €), excel-de (UTF-8, semicolons, CRLF,
                        31.01.2006, 12.345,67) or tab (UTF-8, tabs, LF, ISO
                        dates, 12345.67) (default iso)
  -prospects PERMILLE   rows per mille naming a prospect, not a customer
                        (imported with --create-missing-orgs) (default 0)
  -duplicates PERMILLE  rows per mille "Closed as Duplicate" (default 0)
  -partner-domain D     the partner's mail domain, of the seller emails
                        (default fabrikam-partner.com)
  -o FILE               output file, written atomically (default stdout)

Flags of psc-users:
  -seed N               random seed (default 1); the sellers of psc-deals
                        -seed N are among the first 50 users of psc-users -seed N
  -n COUNT              number of users (default 100)
  -partner-domain D     the partner's mail domain (default fabrikam-partner.com)
  -o FILE               output file, written atomically (default stdout)

Examples:
  pcctl-synth customers -seed 42 -n 1000000 -o customers.csv
  pcctl-synth psc-deals -customer-seed 42 -customers 1000000 -n 100000 -dialect excel-fr -o psc.csv
  pcctl-synth psc-users -n 200 -o psc-users.csv
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	seed := fs.Int64("seed", 1, "")
	out := fs.String("o", "", "")
	// check runs after parsing: it returns the writer, or a usage error.
	var check func() (func(io.Writer) error, error)
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "customers":
		n := fs.Int("n", 1000, "")
		dialectName := fs.String("dialect", "pcctl", "")
		check = func() (func(io.Writer) error, error) {
			if *n < 0 {
				return nil, errors.New("-n must not be negative")
			}
			dialect, err := synth.ParseDialect(*dialectName)
			if err != nil {
				return nil, err
			}
			return func(w io.Writer) error { return synth.WriteCustomersCSV(w, *seed, *n, dialect) }, nil
		}
	case "psc-deals":
		var o synth.PSCOptions
		fs.IntVar(&o.N, "n", 1000, "")
		fs.IntVar(&o.Customers, "customers", 1000, "")
		fs.Int64Var(&o.CustomerSeed, "customer-seed", 1, "")
		dialectName := fs.String("dialect", "iso", "")
		fs.IntVar(&o.ProspectPerMille, "prospects", 0, "")
		fs.IntVar(&o.DuplicatePerMille, "duplicates", 0, "")
		fs.StringVar(&o.PartnerDomain, "partner-domain", synth.DefaultPartnerDomain, "")
		check = func() (func(io.Writer) error, error) {
			switch {
			case o.N < 0:
				return nil, errors.New("-n must not be negative")
			case o.Customers < 0:
				return nil, errors.New("-customers must not be negative")
			case o.ProspectPerMille < 0 || o.ProspectPerMille > 1000:
				return nil, errors.New("-prospects must be between 0 and 1000 (per mille)")
			case o.DuplicatePerMille < 0 || o.DuplicatePerMille > 1000:
				return nil, errors.New("-duplicates must be between 0 and 1000 (per mille)")
			}
			var err error
			if o.Dialect, err = synth.ParsePSCDialect(*dialectName); err != nil {
				return nil, err
			}
			o.Seed = *seed
			return func(w io.Writer) error { return synth.WritePSCDeals(w, o) }, nil
		}
	case "psc-users":
		n := fs.Int("n", 100, "")
		partner := fs.String("partner-domain", synth.DefaultPartnerDomain, "")
		check = func() (func(io.Writer) error, error) {
			if *n < 0 {
				return nil, errors.New("-n must not be negative")
			}
			return func(w io.Writer) error { return synth.WritePSCUsers(w, *seed, *n, *partner) }, nil
		}
	default:
		fmt.Fprintf(stderr, "pcctl-synth: unknown command %q\n\n%s", args[0], usage)
		return 2
	}

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
	write, err := check()
	if err != nil {
		fmt.Fprintf(stderr, "pcctl-synth: %v\n\n%s", err, usage)
		return 2
	}

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
