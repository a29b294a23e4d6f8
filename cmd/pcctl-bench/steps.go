package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pcctl/pcctl/internal/bench"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/synth"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// refTable and refIndexes are the sqlite3 shell's table for the import reference: the CSV
// file's columns, with the same indexes as pcctl's customers table
// (internal/workspace/sqlite/schema.go).
const (
	refTable = `PRAGMA journal_mode=WAL;
CREATE TABLE customers (id TEXT NOT NULL, companyName TEXT NOT NULL, domain TEXT NOT NULL,
  country TEXT NOT NULL, resellerMpnId TEXT NOT NULL, createdAt TEXT NOT NULL);`
	refIndexes = `CREATE UNIQUE INDEX customers_id ON customers(id);
CREATE UNIQUE INDEX customers_domain ON customers(domain);
CREATE INDEX customers_name ON customers(companyName);
CREATE INDEX customers_created ON customers(createdAt);
CREATE INDEX customers_reseller ON customers(resellerMpnId) WHERE resellerMpnId <> '';`
)

// exportSQL is the sqlite3 shell's export: the columns pcctl exports, in its order.
const exportSQL = `SELECT id, company_name, domain, country, reseller_mpn_id, relationship, created_at FROM customers ORDER BY pk`

// generateCSV writes DIR/customers-N.csv (synth, seed 1, pcctl's dialect) unless it is
// there already.
func generateCSV(dir string, n int) (string, error) {
	return generateOnce(filepath.Join(dir, fmt.Sprintf("customers-%d.csv", n)), func(w io.Writer) error {
		return synth.WriteCustomersCSV(w, seed, n, synth.DialectPcctl)
	})
}

// generateOnce writes path with write unless it is there already. It is written under
// another name and renamed, so an interrupted run never leaves a short file to be reused.
func generateOnce(path string, write func(io.Writer) error) (string, error) {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		progress("reusing %s", path)
		return path, nil
	}
	progress("generating %s", path)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// pickTerms chooses what the quick measurements ask for: the search prefixes
// (bench.SearchPrefixes), the domains of 30 customers spread evenly over the file to flag,
// and of 20 others, also spread, to show.
func pickTerms(n int) (prefixes, flagged, shown []string) {
	prefixes = bench.SearchPrefixes(seed, n, searchTerms)
	want := map[int]*[]string{}
	for i := range flaggedCount {
		want[i*n/flaggedCount] = &flagged
	}
	for i := range processRuns {
		if _, dup := want[i*n/processRuns+n/(2*processRuns)]; !dup {
			want[i*n/processRuns+n/(2*processRuns)] = &shown
		}
	}
	gen := synth.NewCustomers(seed)
	for i := 0; i < n && len(want) > 0; i++ {
		c := gen.Next()
		if list, ok := want[i]; ok {
			*list = append(*list, c.Domain)
			delete(want, i)
		}
	}
	return prefixes, flagged, shown
}

func (b *harness) pcctlCmd(args ...string) command {
	return command{path: b.pcctl, args: append([]string{"--workspace", b.ws}, args...), env: b.env}
}

// importer is one way of loading the CSV file into a fresh database.
type importer struct {
	db     string  // the database, removed before each run
	schema string  // SQL run untimed on the new database before the import, if any
	cmd    command // the timed import
}

// measureImport times pcctl's import of the CSV into a fresh workspace against the
// sqlite3 shell's .import into a fresh table with the same indexes (the target's
// reference) and, for information, into a table without indexes followed by CREATE INDEX
// (how pcctl itself loads an empty workspace). The three alternate; pcctl's last
// workspace is kept as DIR/ws.db.
func (b *harness) measureImport() error {
	metric := fmt.Sprintf("import %s rows", thousands(b.n))
	if b.skipImport {
		got, err := b.countCustomers(b.ws)
		if err == nil && got == b.n {
			progress("-skip-import: reusing %s", b.ws)
			b.rows = append(b.rows, skippedRow(metric, "-skip-import"))
			b.notes = append(b.notes, "The imports were not timed (-skip-import): the workspace of an earlier run was reused.")
			return nil
		}
		progress("-skip-import: %s does not hold %d customers; importing", b.ws, b.n)
	}
	if err := readAll(b.csv); err != nil { // all start with the file in the page cache
		return err
	}
	dotImport := fmt.Sprintf(".import --skip 1 %q customers", b.csv)
	fresh := filepath.Join(b.dir, "import-pcctl.db")
	ref := filepath.Join(b.dir, "import-sqlite3.db")
	after := filepath.Join(b.dir, "import-sqlite3-after.db")
	defer func() { _ = removeDB(ref) }() // best effort: the work folder is reused anyway
	defer func() { _ = removeDB(after) }()
	imps := []importer{
		{db: fresh, cmd: command{path: b.pcctl, args: []string{"--workspace", fresh, "customers", "import", b.csv}, env: b.env}},
		{db: ref, schema: refTable + "\n" + refIndexes,
			cmd: command{path: b.sqlite3, args: []string{ref, "-cmd", ".mode csv", dotImport}}},
		{db: after, schema: refTable,
			cmd: command{path: b.sqlite3, args: []string{after, "-cmd", ".mode csv", dotImport, refIndexes}}},
	}
	runs := importRuns(b.runs)
	times := make([][]sample, len(imps))
	for i := range runs {
		for j, imp := range imps {
			s, err := b.timeImport(imp)
			if err != nil {
				return err
			}
			times[j] = append(times[j], s)
		}
		progress("import %d/%d: pcctl %s (%s), sqlite3 %s (%s), sqlite3 indexing after %s", i+1, runs,
			fmtDur(times[0][i].wall), fmtMB(times[0][i].maxRSS), fmtDur(times[1][i].wall),
			fmtMB(times[1][i].maxRSS), fmtDur(times[2][i].wall))
	}
	for _, imp := range imps {
		got, err := b.countCustomers(imp.db)
		if err != nil {
			return err
		}
		if got != b.n {
			return fmt.Errorf("%s holds %d customers after the import, want %d", imp.db, got, b.n)
		}
	}
	if err := moveDB(fresh, b.ws); err != nil {
		return err
	}
	mine := bench.Median(walls(times[0]))
	info := ratioRow("import, against sqlite3 indexing after loading", mine, bench.Median(walls(times[2])), 0)
	info.target, info.status = "", noTarget
	b.rows = append(b.rows,
		ratioRow(fmt.Sprintf("%s (median of %d)", metric, runs), mine, bench.Median(walls(times[1])), maxImportRatio),
		info,
		memRow("import peak RSS (max)", peakOf(times[0]), peakOf(times[1]), 0))
	return nil
}

// timeImport runs one import into a new database.
func (b *harness) timeImport(imp importer) (sample, error) {
	if err := removeDB(imp.db); err != nil {
		return sample{}, err
	}
	if imp.schema != "" {
		if _, err := output("", b.sqlite3, imp.db, imp.schema); err != nil {
			return sample{}, err
		}
	}
	flushDirty()
	return timeRun(imp.cmd)
}

// measureExport times pcctl's CSV export of the workspace against the sqlite3 shell's
// -csv SELECT of the same columns in the same order, both writing to /dev/null,
// alternating. A first, untimed run of each writes to a file in DIR: it warms the page
// cache and checks that both wrote every customer.
func (b *harness) measureExport() error {
	mine := b.pcctlCmd("customers", "export", "--format", "csv")
	theirs := command{path: b.sqlite3, args: []string{"-csv", b.ws, exportSQL}}
	files := []string{filepath.Join(b.dir, "export-pcctl.csv"), filepath.Join(b.dir, "export-sqlite3.csv")}
	defer os.Remove(files[0])
	defer os.Remove(files[1])
	var lines [2]int
	for i, c := range []command{mine, theirs} {
		if _, err := timeRun(c.with(files[i])); err != nil {
			return err
		}
		var err error
		if lines[i], err = countLines(files[i]); err != nil {
			return err
		}
	}
	b.rows = append(b.rows, row{metric: "export lines (pcctl has a header)", value: strconv.Itoa(lines[0]),
		ref: strconv.Itoa(lines[1]), target: "reference + 1", status: met(lines[0] == lines[1]+1)})

	var a, r []sample
	for i := range b.runs {
		s, err := timeRun(mine)
		if err != nil {
			return err
		}
		t, err := timeRun(theirs)
		if err != nil {
			return err
		}
		a, r = append(a, s), append(r, t)
		progress("export %d/%d: pcctl %s (%s), sqlite3 %s", i+1, b.runs, fmtDur(s.wall), fmtMB(s.maxRSS), fmtDur(t.wall))
	}
	b.rows = append(b.rows,
		ratioRow(fmt.Sprintf("export %s rows to CSV (median of %d)", thousands(lines[1]), b.runs),
			bench.Median(walls(a)), bench.Median(walls(r)), maxExportRatio),
		memRow("export peak RSS (max)", peakOf(a), peakOf(r), maxExportRSS))
	return nil
}

// measureSearch times `pcctl customers search PREFIX` as whole processes, then the
// search alone, in this process, through the workspace's SearchCustomers. Each has an
// untimed pass over every prefix first.
func (b *harness) measureSearch() error {
	search := func(p string) command { return b.pcctlCmd("customers", "search", p) }
	for _, p := range b.prefixes {
		if _, err := timeRun(search(p)); err != nil {
			return err
		}
	}
	var s []time.Duration
	for range b.runs {
		for _, p := range b.prefixes {
			t, err := timeRun(search(p))
			if err != nil {
				return err
			}
			s = append(s, t.wall)
		}
	}
	what := fmt.Sprintf("%d prefixes × %d", len(b.prefixes), b.runs)
	b.rows = append(b.rows,
		limitRow("search, whole process, p50 ("+what+")", bench.Percentile(s, 50), maxProcess),
		infoRow("search, whole process, p95", bench.Percentile(s, 95)))
	progress("search, whole process: p50 %s, p95 %s", fmtDur(bench.Percentile(s, 50)), fmtDur(bench.Percentile(s, 95)))

	q, empty, err := b.timeQueries()
	if err != nil {
		return err
	}
	if empty > 0 {
		b.notes = append(b.notes, fmt.Sprintf("%d of the timed searches found nothing.", empty))
	}
	b.rows = append(b.rows,
		limitRow("search, query in process, p50 ("+what+")", bench.Percentile(q, 50), maxQuery),
		infoRow("search, query in process, p95", bench.Percentile(q, 95)))
	progress("search, query: p50 %s, p95 %s", fmtDur(bench.Percentile(q, 50)), fmtDur(bench.Percentile(q, 95)))
	return nil
}

// timeQueries times SearchCustomers(prefix, 100) for every prefix, runs times, after an
// untimed pass, and counts the searches that found nothing.
func (b *harness) timeQueries() (times []time.Duration, empty int, err error) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, b.ws, sqlite.Options{})
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	ws := db.As(domain.Owner("bench"))
	for pass := range b.runs + 1 {
		for _, p := range b.prefixes {
			start := time.Now()
			found, err := ws.SearchCustomers(ctx, p, domain.SearchLimit)
			d := time.Since(start)
			if err != nil {
				return nil, 0, fmt.Errorf("search %q: %w", p, err)
			}
			if pass > 0 {
				times = append(times, d)
				if len(found) == 0 {
					empty++
				}
			}
		}
	}
	return times, empty, nil
}

// measureListShow flags 30 customers, then times `customers list --view flagged` and
// `customers show DOMAIN` (20 different customers) as whole processes, and
// `pcctl --version` for the cost of starting pcctl at all.
func (b *harness) measureListShow() error {
	if _, err := timeRun(b.pcctlCmd(append([]string{"customers", "flag"}, b.flagDomains...)...)); err != nil {
		return err
	}
	list := b.pcctlCmd("customers", "list", "--view", "flagged")
	listed := filepath.Join(b.dir, "flagged.txt")
	defer os.Remove(listed)
	if _, err := timeRun(list.with(listed)); err != nil { // untimed; checks the view
		return err
	}
	if n, err := countLines(listed); err != nil {
		return err
	} else if n != len(b.flagDomains) {
		return fmt.Errorf("customers list --view flagged printed %d lines, want %d", n, len(b.flagDomains))
	}
	ls, err := timeRuns(list, processRuns)
	if err != nil {
		return err
	}

	show := func(i int) command { return b.pcctlCmd("customers", "show", b.showDomains[i%len(b.showDomains)]) }
	if _, err := timeRun(show(0)); err != nil {
		return err
	}
	var ss []sample
	for i := range processRuns {
		s, err := timeRun(show(i))
		if err != nil {
			return err
		}
		ss = append(ss, s)
	}

	vs, err := timeRuns(command{path: b.pcctl, args: []string{"--version"}, env: b.env}, processRuns)
	if err != nil {
		return err
	}
	b.rows = append(b.rows,
		limitRow(fmt.Sprintf("list --view flagged, whole process, p50 of %d", processRuns), bench.Median(walls(ls)), maxProcess),
		limitRow(fmt.Sprintf("show DOMAIN, whole process, p50 of %d", processRuns), bench.Median(walls(ss)), maxProcess),
		infoRow(fmt.Sprintf("pcctl --version (process start), p50 of %d", processRuns), bench.Median(walls(vs))))
	return nil
}

// goTestArgs is the command line of the Go benchmarks.
func (b *harness) goTestArgs() []string {
	return []string{"go", "test", "-run", "^$", "-bench", ".", "-benchtime", b.benchtime, "-benchmem",
		"./internal/workspace/sqlite/"}
}

// runGoBenchmarks runs the Go benchmarks of the workspace package on DIR/ws.db and keeps
// their result lines.
func (b *harness) runGoBenchmarks() error {
	args := b.goTestArgs()
	progress("%s", strings.Join(args, " "))
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = b.root
	cmd.Env = append(benchEnv(), "PCCTL_BENCH_WORKSPACE="+b.ws)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, lastLines(string(out), 20))
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			cells := strings.Split(l, "\t")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
	}
	tw.Flush()
	for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		if l != "" {
			b.goBench = append(b.goBench, strings.TrimRight(l, " "))
		}
	}
	return nil
}

// countCustomers asks the sqlite3 shell how many customers a database holds.
func (b *harness) countCustomers(db string) (int, error) {
	if _, err := os.Stat(db); err != nil {
		return 0, err
	}
	s, err := output("", b.sqlite3, "-readonly", db, "SELECT count(*) FROM customers")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}

// countLines counts the newlines of a file.
func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	buf := make([]byte, 1<<20)
	n := 0
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// readAll reads a file through, so that it is in the page cache.
func readAll(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}

var dbSuffixes = []string{"", "-wal", "-shm", "-journal"}

// removeDB removes a SQLite database and its side files.
func removeDB(path string) error {
	for _, s := range dbSuffixes {
		if err := os.Remove(path + s); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// moveDB renames a closed SQLite database, and any side files, to path.
func moveDB(from, to string) error {
	if err := removeDB(to); err != nil {
		return err
	}
	for _, s := range dbSuffixes {
		if err := os.Rename(from+s, to+s); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// thousands formats n with commas: 1,000,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
