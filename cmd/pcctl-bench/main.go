// Command pcctl-bench measures pcctl against the performance targets of the project
// (docs/performance.md) on a workspace of generated customers, next to the sqlite3 shell
// doing the same work, and prints a table of the figures with their ratios. `make bench`
// runs it; -write puts the figures into docs/performance.md.
//
// Exit status: 0 when every target is met, 1 when one is missed (after printing
// everything), 2 when something could not be measured.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const usage = `Usage: go run ./cmd/pcctl-bench [flags]

Builds pcctl, generates customers (internal/synth, seed 1), imports them and measures
import, export, search, list and show against the sqlite3 shell and the targets, and the
import of 100,000 generated Partner Sales Connect opportunities into them, then
runs the Go benchmarks of internal/workspace/sqlite on the same workspace. Prints a
table; exits 1 if a target is missed. Needs the sqlite3 shell on PATH.

Flags:
`

// seed is the synth seed of the generated customers and of the choice of search terms.
const seed = 1

// Targets (docs/performance.md).
const (
	maxImportRatio = 2.0
	maxExportRatio = 2.0
	maxExportRSS   = 64 << 20
	maxProcess     = 25 * time.Millisecond // whole process: search, list, show
	maxQuery       = 2 * time.Millisecond  // search query in process
)

const (
	searchTerms  = 100 // different prefixes searched
	processRuns  = 20  // runs of list, show and pcctl --version
	flaggedCount = 30  // customers flagged before timing the flagged view
)

// harness is one benchmark session: its settings, and the figures as they come.
type harness struct {
	n, runs               int
	dir, doc, benchtime   string
	write, skipImport     bool
	only                  string // steps to run ("" for all)
	database              string // PostgreSQL URL for the postgres step ("" skips it)
	serverProfile         string // CPU profile of pcctl serve ("" for none)
	syncProfile           string // CPU profiles of the pcctl sync runs: PREFIX-first, -load, -resync ("" for none)
	root                  string // module root, where go build and go test run
	pcctl, sqlite3        string // binaries
	csv, ws               string // generated file and the workspace measured
	env                   []string
	machine               machine
	rows                  []row
	goBench, notes        []string
	prefixes, flagDomains []string
	showDomains           []string
}

func main() {
	b := &harness{}
	flag.IntVar(&b.n, "n", 1000000, "number of generated customers")
	flag.StringVar(&b.dir, "dir", ".bench", "work folder (generated CSV, pcctl binary, workspace)")
	flag.IntVar(&b.runs, "runs", 5, "repetitions of the quick measurements (imports: see -help)")
	flag.BoolVar(&b.write, "write", false, "write the figures into -doc")
	flag.BoolVar(&b.skipImport, "skip-import", false, "reuse DIR/ws.db when it holds -n customers instead of timing the imports")
	flag.StringVar(&b.doc, "doc", "docs/performance.md", "document -write updates (relative to the module root)")
	flag.StringVar(&b.benchtime, "benchtime", "1s", "-benchtime of the Go benchmarks")
	flag.StringVar(&b.serverProfile, "server-cpuprofile", "", "write a CPU profile of pcctl serve to this file")
	flag.StringVar(&b.syncProfile, "sync-cpuprofile", "", "write CPU profiles of the pcctl sync runs to PREFIX-first.prof, PREFIX-load.prof and PREFIX-resync.prof")
	flag.StringVar(&b.database, "database", os.Getenv("PCCTL_BENCH_DATABASE_URL"), "PostgreSQL database the postgres step fills (its workspace is replaced); none: the step is skipped")
	flag.StringVar(&b.only, "only", "", "run only these steps, comma-separated (import, export, psc import, search, list and show, server, postgres, go test -bench, sync, publish); import is needed unless -skip-import, but for sync and publish alone")
	flag.Usage = func() {
		fmt.Fprint(os.Stderr, usage)
		flag.PrintDefaults()
		fmt.Fprintf(os.Stderr, "\nImports run %s: each takes about half a minute for a million customers.\n", importRunsHelp)
	}
	flag.Parse()
	if flag.NArg() > 0 || b.n < 1 || b.runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	failed, err := b.run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pcctl-bench:", err)
		os.Exit(2)
	}
	if failed {
		fmt.Fprintln(os.Stderr, "pcctl-bench: a target was missed (ok = NO above)")
		os.Exit(1)
	}
}

// importRunsHelp and importRuns: a million-row import takes about 30 s, so imports run
// fewer times than the quick measurements, but at least 3 times for a median that means
// something (fewer only when -runs asks for fewer, for a quick try).
const importRunsHelp = "max(3, runs/2) times each (runs times when -runs is under 3)"

func importRuns(runs int) int {
	if runs < 3 {
		return runs
	}
	return max(3, runs/2)
}

func (b *harness) run() (failed bool, err error) {
	if err := b.setup(); err != nil {
		return false, err
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"import", b.measureImport},
		{"export", b.measureExport},
		{"psc import", b.measurePSCImport},
		{"search", b.measureSearch},
		{"list and show", b.measureListShow},
		{"server", b.measureServer},
		{"postgres", b.measurePostgres},
		{"go test -bench", b.runGoBenchmarks},
		{"sync", b.measureSync},
		{"publish", b.measurePublish},
	}
	for _, s := range steps {
		if b.only != "" && !slices.Contains(strings.Split(b.only, ","), s.name) {
			continue
		}
		progress("== %s", s.name)
		if err := s.fn(); err != nil {
			return false, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	fmt.Println()
	printTable(os.Stdout, b.rows)
	if len(b.goBench) > 0 {
		fmt.Printf("\n%s\n", strings.Join(b.goBench, "\n"))
	}
	for _, n := range b.notes {
		fmt.Println("note:", n)
	}
	if b.write {
		if err := b.writeDoc(b.doc); err != nil {
			return false, err
		}
		progress("wrote the figures into %s", b.doc)
	}
	for _, r := range b.rows {
		if r.status == fail {
			failed = true
		}
	}
	return failed, nil
}

// setup checks the tools, builds pcctl and generates the customers.
func (b *harness) setup() error {
	var err error
	// pcctl sync and deal publish need neither the sqlite3 shell nor the customers' CSV file.
	syncOnly := b.only != "" && !slices.ContainsFunc(strings.Split(b.only, ","), func(s string) bool { return s != "sync" && s != "publish" })
	if b.sqlite3, err = exec.LookPath("sqlite3"); err != nil && !syncOnly {
		return errors.New("the sqlite3 shell is not on PATH; the reference timings need it.\n" +
			"Install it (Debian, Ubuntu): apt-get install -y sqlite3")
	}
	gomod, err := output("", "go", "env", "GOMOD")
	if err != nil || gomod == "" || gomod == os.DevNull {
		return fmt.Errorf("run pcctl-bench inside the pcctl module (go env GOMOD: %q, %v)", gomod, err)
	}
	b.root = filepath.Dir(gomod)
	if !filepath.IsAbs(b.doc) {
		b.doc = filepath.Join(b.root, b.doc)
	}
	if b.dir, err = filepath.Abs(b.dir); err != nil {
		return err
	}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return err
	}
	b.machine = describeMachine(b.root)
	progress("machine: %s", b.machine)
	b.pcctl = filepath.Join(b.dir, "pcctl")
	progress("building %s", b.pcctl)
	if _, err := output(b.root, "go", "build", "-o", b.pcctl, "./cmd/pcctl"); err != nil {
		return err
	}
	b.ws = filepath.Join(b.dir, "ws.db")
	b.env = benchEnv()
	if syncOnly {
		return nil
	}
	if b.csv, err = generateCSV(b.dir, b.n); err != nil {
		return err
	}
	b.prefixes, b.flagDomains, b.showDomains = pickTerms(b.n)
	return nil
}

// benchEnv is the harness's environment without pcctl's own variables (a stray
// PCCTL_CPUPROFILE or PCCTL_NOW would skew the figures), acting as user "bench".
func benchEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PCCTL_") {
			env = append(env, kv)
		}
	}
	return append(env, "PCCTL_USER=bench")
}

func (b *harness) commandLine() string {
	return strings.TrimSpace("go run ./cmd/pcctl-bench " + strings.Join(os.Args[1:], " "))
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pcctl-bench: "+format+"\n", args...)
}
