//go:build linux

package app_test

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/synth"
)

// crashKills is how many times TestCrash kills pcctl in each case (with -short, a quarter).
const crashKills = 20

// The imports of TestCrash, each about a second long on the project's 2-core machine: the
// bulk path (into an empty workspace) is much faster per row than the incremental one.
const (
	crashBulkRows        = 35000
	crashIncrementalRows = 2500
	crashBaseRows        = 100   // customers in the workspace of the incremental import
	crashExportRows      = 10000 // customers exported: 1.2 MB of CSV, several writes
)

var crashSeed = flag.Uint64("crash.seed", 0, "seed of TestCrash's kill delays (0: from the clock)")

// crashRig is the state a crash case works on: the binary, a folder, and the workspace of
// the current run (PCCTL_WORKSPACE in env; pcctl runs in dir).
type crashRig struct {
	p   *pcctlBinary
	dir string
	ws  string
	env []string
}

// use makes ws the workspace of the next runs.
func (r *crashRig) use(ws string) {
	r.ws = ws
	r.env = withEnv(r.p.env, "PCCTL_WORKSPACE="+ws)
}

// freshCopy replaces the workspace of the next runs by a copy of the closed workspace src
// (its -wal and -shm files, if a killed process left any, are removed first).
func (r *crashRig) freshCopy(t *testing.T, src, ws string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if err := os.Remove(ws + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	copyFile(t, src, ws)
	r.use(ws)
}

// pcctl runs pcctl to its end on the current workspace, requiring exit code 0.
func (r *crashRig) pcctl(t *testing.T, args ...string) procResult {
	t.Helper()
	return r.p.expect(t, procOpts{env: r.env, dir: r.dir, timeout: 2 * time.Minute}, 0, args...)
}

// crashOutcome is how a run ended: killed, or exited before the kill came.
type crashOutcome struct {
	killed bool
	res    procResult
	delay  time.Duration // when the kill was sent, after the start; 0 for the uninterrupted run
}

// crashCase is a command TestCrash kills: setup runs once; then for each run, prepare
// makes the state the command starts from, command gives its arguments (pcctl runs in
// rig.dir on rig.ws), and check verifies what the killed (or finished) command left.
// Run -1 is uninterrupted: it measures how long the command takes (the kill delays are
// drawn up to a little more than that), and check sees what the complete command leaves.
//
// Most cases are all-or-nothing writes, which writeCase makes from a workspace, the
// command and the tables it writes: TestCrashDealImport is such a case, in a few lines.
type crashCase struct {
	name    string
	kills   int
	setup   func(t *testing.T, r *crashRig)
	prepare func(t *testing.T, r *crashRig, i int)
	command func(r *crashRig, i int) []string
	check   func(t *testing.T, r *crashRig, i int, o crashOutcome)
}

// writeCase is a crashCase for a command that writes to the workspace all or nothing.
// setup makes the workspace every run starts from (a copy of it) and returns its path;
// after every kill, the workspace must be sound and the number of rows of each of tables
// must be the same as before the command, or the same as after the uninterrupted run
// (which must have changed them).
func writeCase(name string, kills int, tables []string, setup func(t *testing.T, r *crashRig) string, args ...string) crashCase {
	var base string
	var before, after []int
	return crashCase{
		name: name, kills: kills,
		setup: func(t *testing.T, r *crashRig) {
			base = setup(t, r)
			before = tableCounts(t, base, tables)
		},
		prepare: func(t *testing.T, r *crashRig, i int) { r.freshCopy(t, base, filepath.Join(r.dir, "ws.db")) },
		command: func(r *crashRig, i int) []string { return args },
		check: func(t *testing.T, r *crashRig, i int, o crashOutcome) {
			r.p.mustBeSound(t, r.env)
			got := tableCounts(t, r.ws, tables)
			switch {
			case i == -1 && slices.Equal(got, before):
				t.Fatalf("the uninterrupted run changed none of %v: %v rows", tables, got)
			case i == -1:
				after = got
			case slices.Equal(got, after):
			case o.killed && slices.Equal(got, before):
			default:
				t.Errorf("rows of %v: %v (killed: %v), want %v (nothing written) or %v (everything)", tables, got, o.killed, before, after)
			}
		},
	}
}

// tableCounts counts the rows of each table of the workspace file at path.
func tableCounts(t *testing.T, path string, tables []string) []int {
	t.Helper()
	db := openSQLite(t, path)
	defer db.Close()
	counts := make([]int, len(tables))
	for i, table := range tables {
		if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&counts[i]); err != nil {
			t.Fatalf("counting %s in %s: %v", table, path, err)
		}
	}
	return counts
}

// crashSeedOf is the seed of a crash test, logged.
func crashSeedOf(t *testing.T) uint64 {
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -crash.seed=%d)", seed, seed)
	return seed
}

// crashKillsOf is how many times a crash test kills each command.
func crashKillsOf() int {
	if testing.Short() {
		return crashKills / 4
	}
	return crashKills
}

// runCrashCases runs the cases one after the other: a kill delay is drawn from the
// command's duration, measured alone.
func runCrashCases(t *testing.T, p *pcctlBinary, seed uint64, cases []crashCase) {
	for k, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rig := &crashRig{p: p, dir: t.TempDir()}
			runCrashCase(t, rig, rand.New(rand.NewPCG(seed, uint64(k))), c)
		})
	}
}

// customersTables are the tables a customer import writes.
var customersTables = []string{"customers", "customer_search"}

// TestCrash kills pcctl with SIGKILL at random moments of commands that must be
// all-or-nothing, crashKills times each, and checks after every kill that the workspace
// opens and passes `pcctl workspace check` (SQLite's integrity and foreign key checks),
// and that the command left everything or nothing:
//
//   - customers import into an empty workspace (the bulk path: rows appended without
//     indexes, indexes built at the end): no customer or all, with their search keys;
//   - customers import into a workspace holding customers (the incremental path): the
//     customers there before, or those and all of the file's;
//   - customers export -o FILE: FILE is absent (or keeps its previous content) or is the
//     complete export, never part of one.
//
// Where in each run the kill comes (a fraction of the command's duration) is drawn from a
// seed that is logged; -crash.seed=N draws the same fractions.
func TestCrash(t *testing.T) {
	seed, kills := crashSeedOf(t), crashKillsOf()
	p := buildPcctl(t)
	top := t.TempDir()
	bulkCSV := writeSynthCSV(t, top, "bulk.csv", 11, crashBulkRows)
	incCSV := writeSynthCSV(t, top, "incremental.csv", 12, crashIncrementalRows)
	exportCSV := writeSynthCSV(t, top, "export.csv", 13, crashExportRows)

	runCrashCases(t, p, seed, []crashCase{
		writeCase("customers import into an empty workspace", kills, customersTables,
			func(t *testing.T, r *crashRig) string {
				r.use(filepath.Join(r.dir, "empty.db"))
				r.pcctl(t, "workspace", "migrate")
				return r.ws
			}, "customers", "import", bulkCSV),
		writeCase("customers import into a workspace with customers", kills, customersTables,
			func(t *testing.T, r *crashRig) string {
				var b strings.Builder
				b.WriteString("companyName,domain,country\n")
				for j := range crashBaseRows {
					fmt.Fprintf(&b, "Baseline %03d,baseline-%03d.example,FR\n", j, j)
				}
				if err := os.WriteFile(filepath.Join(r.dir, "base.csv"), []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				r.use(filepath.Join(r.dir, "base.db"))
				r.pcctl(t, "customers", "import", "base.csv")
				return r.ws
			}, "customers", "import", incCSV),
		exportCase(kills, exportCSV),
	})
}

// The PSC import of TestCrashDealImport: about a second on the project's machine.
const (
	crashPSCDeals     = 15000
	crashPSCCustomers = 2000
)

// TestCrashDealImport kills `pcctl deal import --psc FILE` (a Partner Sales Connect
// export of crashPSCDeals opportunities naming customers of the workspace) as TestCrash
// kills the customer import: after each kill the workspace is sound and holds none of the
// deals, their solutions, team members and notes, or all of them.
func TestCrashDealImport(t *testing.T) {
	seed, kills := crashSeedOf(t), crashKillsOf()
	p := buildPcctl(t)
	top := t.TempDir()
	customers := writeSynthCSV(t, top, "customers.csv", 41, crashPSCCustomers)
	psc := filepath.Join(top, "psc.csv")
	writeBigFile(t, psc, func(w io.Writer) error {
		return synth.WritePSCDeals(w, synth.PSCOptions{Seed: 42, N: crashPSCDeals, Customers: crashPSCCustomers, CustomerSeed: 41})
	})
	runCrashCases(t, p, seed, []crashCase{
		writeCase("deal import --psc", kills, []string{"deals", "deal_solutions", "deal_team", "deal_notes", "organizations"},
			func(t *testing.T, r *crashRig) string {
				r.use(filepath.Join(r.dir, "base.db"))
				r.pcctl(t, "customers", "import", customers)
				return r.ws
			}, "deal", "import", "--psc", psc),
	})
}

// exportCase kills `customers export -o out.csv` on a workspace of the customers of csv:
// out.csv must be absent (or hold what it held before) or be the complete export.
func exportCase(kills int, csv string) crashCase {
	var ref []byte
	return crashCase{
		name: "customers export -o FILE", kills: kills,
		setup: func(t *testing.T, r *crashRig) {
			r.use(filepath.Join(r.dir, "ws.db"))
			r.pcctl(t, "customers", "import", csv)
			r.pcctl(t, "customers", "export", "-o", "reference.csv")
			var err error
			if ref, err = os.ReadFile(filepath.Join(r.dir, "reference.csv")); err != nil {
				t.Fatal(err)
			}
		},
		prepare: func(t *testing.T, r *crashRig, i int) {
			out := filepath.Join(r.dir, "out.csv")
			if i%2 == 0 {
				if err := os.Remove(out); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(out, []byte(previousExport), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		command: func(r *crashRig, i int) []string { return []string{"customers", "export", "-o", "out.csv"} },
		check: func(t *testing.T, r *crashRig, i int, o crashOutcome) {
			r.p.mustBeSound(t, r.env)
			if n := countRows(t, r.ws, "customers"); n != crashExportRows {
				t.Errorf("the export changed the workspace: %d customers, want %d", n, crashExportRows)
			}
			got, err := os.ReadFile(filepath.Join(r.dir, "out.csv"))
			switch {
			case err == nil && bytes.Equal(got, ref):
			case o.killed && i%2 == 0 && errors.Is(err, os.ErrNotExist):
			case o.killed && i%2 != 0 && err == nil && string(got) == previousExport:
			case err != nil:
				t.Errorf("out.csv: %v (killed: %v)", err, o.killed)
			default:
				t.Errorf("out.csv holds %d bytes, neither the complete export (%d bytes) nor its previous content (killed: %v)",
					len(got), len(ref), o.killed)
			}
			// The export writes an unnamed file (O_TMPFILE), named only just before it is
			// renamed over the target: a kill leaves nothing behind, but in the instant
			// between the two (logged; where the file system has no O_TMPFILE, the file
			// has a hidden name all along).
			tmps, _ := filepath.Glob(filepath.Join(r.dir, ".out.csv.*.tmp"))
			for _, f := range tmps {
				if st, err := os.Stat(f); err == nil {
					t.Logf("    a temporary file was left behind: %s (%d bytes)", filepath.Base(f), st.Size())
				}
				os.Remove(f)
			}
		},
	}
}

// previousExport is what out.csv holds before half of the killed exports.
const previousExport = "previous export\n"

func runCrashCase(t *testing.T, rig *crashRig, rng *rand.Rand, c crashCase) {
	if c.setup != nil {
		c.setup(t, rig)
	}
	// The uninterrupted run: how long the command takes, and that check accepts its result.
	c.prepare(t, rig, -1)
	args := c.command(rig, -1)
	r, err := rig.p.runProc(procOpts{env: rig.env, dir: rig.dir, timeout: 2 * time.Minute}, args...)
	if err != nil {
		t.Fatal(err)
	}
	if r.code != 0 {
		t.Fatalf("the uninterrupted run failed: %s", r)
	}
	c.check(t, rig, -1, crashOutcome{res: r})
	// took is the shortest complete run seen: on a busy machine the first may be slow.
	took := r.end.Sub(r.start)
	t.Logf("pcctl %s takes %v uninterrupted", quoteArgs(args), took.Round(time.Millisecond))

	killed := 0
	for i := range c.kills {
		c.prepare(t, rig, i)
		args := c.command(rig, i)
		// The seed decides where in the run the kill comes: a fraction of its duration.
		frac := rng.Float64() * 1.1
		delay := time.Duration(frac * float64(took))
		run, err := rig.p.start(procOpts{env: rig.env, dir: rig.dir, timeout: 2 * time.Minute}, args...)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		if err := run.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Fatalf("kill: %v", err)
		}
		r, err := run.wait()
		if err != nil {
			t.Fatal(err)
		}
		o := crashOutcome{killed: r.signal == syscall.SIGKILL, res: r, delay: delay}
		switch {
		case o.killed:
			killed++
			t.Logf("run %2d: killed after %v (%.0f%% of %v)", i, delay.Round(time.Millisecond), 100*frac, took.Round(time.Millisecond))
		case r.code == 0:
			t.Logf("run %2d: finished before the kill (sent after %v)", i, delay.Round(time.Millisecond))
			took = min(took, r.end.Sub(r.start))
		default:
			t.Fatalf("run %d: neither killed nor successful: %s", i, r)
		}
		c.check(t, rig, i, o)
		if t.Failed() {
			t.Fatalf("run %d, killed after %v: the checks above failed", i, delay.Round(time.Millisecond))
		}
	}
	t.Logf("%d runs: %d killed midway, %d finished first; the workspace was sound and whole after each", c.kills, killed, c.kills-killed)
}

// writeSynthCSV writes n synthetic customers (internal/synth) to dir/name, and returns its path.
func writeSynthCSV(t *testing.T, dir, name string, seed int64, n int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	writeBigFile(t, path, func(w io.Writer) error { return synth.WriteCustomersCSV(w, seed, n, synth.DialectPcctl) })
	return path
}

// writeBigFile writes a file through a buffer.
func writeBigFile(t *testing.T, path string, write func(w io.Writer) error) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	if err := write(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
