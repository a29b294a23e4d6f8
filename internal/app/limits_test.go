//go:build linux

package app_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// limitMaxRSS bounds the peak memory (resident set size) of pcctl on every input of
// TestLimitsImport, however big: the reader stops at 1 MiB per line or value, and an
// import streams its rows.
const limitMaxRSS = 256 << 20

// limitMillionRows is the size of the file with one bad row at its end (with -short,
// limitMillionRowsShort).
const (
	limitMillionRows      = 1_000_000
	limitMillionRowsShort = 100_000
)

// importFailed is what `customers import` adds after a bad row stops it (not after an error
// that ends reading the file, such as a line over the limit: no row can be skipped then).
const importFailed = "Nothing was imported. Fix the row, or pass --on-error skip to import the other rows.\n"

// limitCase is one input of TestLimitsImport: a file written at test time (or an endless
// standard input), and the exact end of stderr pcctl must give.
type limitCase struct {
	name  string
	file  string                              // the file imported, in the test's folder; "-": standard input
	write func(t *testing.T, w *bufio.Writer) // writes the file
	// generate makes the file, instead of write.
	generate func(t *testing.T, path string)
	stdin    func() io.Reader
	empty    bool   // import into an empty workspace (the bulk path), not one holding customers
	notice   bool   // stderr starts with one line of notice, before stderr
	stderr   string // stderr, exactly
}

// TestLimitsImport gives `customers import` inputs meant to exhaust memory or time: a
// 10 MB value (unquoted on one line, or quoted over many lines), a 100,000-column header,
// a line without end (a 100 MB file without a newline, and an endless standard input);
// TestLimitsImportMillionRows a million-row file whose last row is bad. Each must fail
// with an error naming the position (file:line[:column]), exit code 1 (a bad row in an
// import, as `pcctl help exit-codes` documents), print nothing on stdout, stay under
// limitMaxRSS of memory, and write nothing to the workspace (here one holding two
// customers). The files are generated in a temporary folder.
func TestLimitsImport(t *testing.T) {
	p := buildPcctl(t)
	dir := t.TempDir()
	full := withEnv(p.env, "PCCTL_WORKSPACE="+filepath.Join(dir, "full.db"))
	if err := os.WriteFile(filepath.Join(dir, "base.csv"), []byte("companyName,domain,country\nContoso,contoso.example,GB\nFabrikam,fabrikam.example,FR\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.expect(t, procOpts{env: full, dir: dir}, 0, "customers", "import", "base.csv")

	const header = "companyName,domain\nContoso,contoso.example\n"
	cases := []limitCase{{
		name: "a 10 MB value on one line",
		file: "cell.csv",
		write: func(t *testing.T, w *bufio.Writer) {
			w.WriteString(header)
			w.WriteString(strings.Repeat("A", 10<<20))
			w.WriteString(",big.example\n")
		},
		stderr: "Error: cell.csv:3: line is longer than 1 MiB; this does not look like a CSV customer list\n",
	}, {
		name: "a 10 MB quoted value over 10,240 lines",
		file: "quoted.csv",
		write: func(t *testing.T, w *bufio.Writer) {
			w.WriteString(header + `"`)
			for range 10 << 10 {
				w.WriteString(strings.Repeat("A", 1023) + "\n")
			}
			w.WriteString("\",big.example\n")
		},
		stderr: "Error: quoted.csv:3:1: companyName: quoted value is longer than 1 MiB; is its closing quote missing?\n",
	}, {
		name:   "a 100,000-column header and a row of 3 fields",
		file:   "columns.csv",
		notice: true, // the 99,998 columns ignored (see TestLimitsImportColumnNotice)
		write: func(t *testing.T, w *bufio.Writer) {
			w.WriteString("companyName,domain")
			for i := range 100_000 - 2 {
				fmt.Fprintf(w, ",c%d", i)
			}
			w.WriteString("\nContoso,contoso.example,x\n")
		},
		stderr: "Error: columns.csv:2: 3 fields, but the header has 100000 (is a delimiter missing, or a quote unclosed?)\n" + importFailed,
	}, {
		name: "a 100,000-column header longer than 1 MiB",
		file: "wide.csv",
		write: func(t *testing.T, w *bufio.Writer) {
			w.WriteString("companyName,domain")
			for i := range 100_000 - 2 {
				fmt.Fprintf(w, ",column_%06d", i)
			}
			w.WriteString("\nContoso,contoso.example")
			w.WriteString(strings.Repeat(",", 100_000-2) + "\n")
		},
		stderr: "Error: wide.csv:1: line is longer than 1 MiB; this does not look like a CSV customer list\n",
	}, {
		name: "a 100 MB line without end",
		file: "endless.csv",
		write: func(t *testing.T, w *bufio.Writer) {
			w.WriteString(header)
			chunk := strings.Repeat("B", 1<<20)
			for range 100 {
				w.WriteString(chunk)
			}
		},
		stderr: "Error: endless.csv:3: line is longer than 1 MiB; this does not look like a CSV customer list\n",
	}, {
		name: "a 100 MB header without end",
		file: "endless-header.csv",
		write: func(t *testing.T, w *bufio.Writer) {
			chunk := strings.Repeat("B", 1<<20)
			for range 100 {
				w.WriteString(chunk)
			}
		},
		stderr: "Error: endless-header.csv:1: line is longer than 1 MiB; this does not look like a CSV customer list\n",
	}, {
		name:   "an endless line on standard input",
		file:   "-",
		stdin:  func() io.Reader { return io.MultiReader(strings.NewReader(header), endless('B')) },
		stderr: "Error: stdin:3: line is longer than 1 MiB; this does not look like a CSV customer list\n",
	}}

	runLimitCases(t, p, dir, full, nil, cases)
}

// TestLimitsImportMillionRows imports a file of a million good rows and a bad one at its
// end, into an empty workspace (the bulk path): as TestLimitsImport, the error must name
// the last line, and memory stay bounded (the rows and search keys before the bad one
// are held by the transaction until it is rolled back), and nothing be written. With
// -short, limitMillionRowsShort rows.
func TestLimitsImportMillionRows(t *testing.T) {
	p := buildPcctl(t)
	dir := t.TempDir()
	million := limitMillionRows
	if testing.Short() {
		million = limitMillionRowsShort
	}
	empty := withEnv(p.env, "PCCTL_WORKSPACE="+filepath.Join(dir, "empty.db"))
	p.expect(t, procOpts{env: empty, dir: dir}, 0, "workspace", "migrate")
	runLimitCases(t, p, dir, nil, empty, []limitCase{{
		name:  "a million rows, the last one bad", // limitMillionRowsShort with -short
		file:  "million.csv",
		empty: true,
		generate: func(t *testing.T, path string) {
			runSynth(t, path, 21, million)
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteString("ffffffff-ffff-4fff-8fff-ffffffffffff,Bad Row Ltd,badrow.example,XX,,2020-01-01T00:00:00Z\n"); err != nil {
				t.Fatal(err)
			}
		},
		stderr: fmt.Sprintf("Error: million.csv:%d: column D, country: \"XX\" is not an ISO 3166 country code: did you mean AX (Åland Islands), CX (Christmas Island), MX (Mexico), SX (Sint Maarten)?\n", million+2) + importFailed,
	}})
}

// runLimitCases runs each case as a subtest: full and empty are the environments of a
// workspace holding customers and of an empty one.
func runLimitCases(t *testing.T, p *pcctlBinary, dir string, full, empty []string, cases []limitCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, ws := full, filepath.Join(dir, "full.db")
			if c.empty {
				env, ws = empty, filepath.Join(dir, "empty.db")
			}
			if env == nil {
				t.Fatalf("no workspace for case %q", c.name)
			}
			before := countRows(t, ws, "customers")
			o := procOpts{env: env, dir: dir, timeout: 5 * time.Minute, measureRSS: true}
			if c.stdin != nil {
				o.stdin = c.stdin()
			} else {
				path := filepath.Join(dir, c.file)
				if c.generate != nil {
					c.generate(t, path)
				} else {
					writeBig(t, path, c.write)
				}
				defer os.Remove(path)
			}
			r, err := p.runProc(o, "customers", "import", c.file)
			if err != nil {
				t.Fatal(err)
			}
			took := r.end.Sub(r.start).Round(time.Millisecond)
			t.Logf("exit code %d after %v, peak memory %s; stderr %s", r.code, took, mib(r.maxRSS), clip(r.stderr, 300))
			if r.code != 1 {
				t.Errorf("exit code %d, want 1 (a bad row in an import)", r.code)
			}
			got := r.stderr
			if c.notice {
				_, got, _ = strings.Cut(got, "\n")
			}
			if got != c.stderr {
				t.Errorf("stderr:\n%q\nwant\n%q", clip(r.stderr, 1000), c.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q, want nothing", clip(r.stdout, 300))
			}
			if r.maxRSS == 0 || r.maxRSS > limitMaxRSS {
				t.Errorf("peak memory %s, want at most %s", mib(r.maxRSS), mib(limitMaxRSS))
			}
			if after := countRows(t, ws, "customers"); after != before {
				t.Errorf("%d customers after the failed import, %d before", after, before)
			}
			p.mustBeSound(t, env)
		})
	}
}

// TestLimitsImportColumnNotice imports a file whose header has 100,000 columns, 99,998 of
// them unknown, and rows of as many fields: the import succeeds (no rule limits the
// number of columns), but the notice of ignored columns should stay readable.
func TestLimitsImportColumnNotice(t *testing.T) {
	p := buildPcctl(t)
	dir := t.TempDir()
	writeBig(t, filepath.Join(dir, "columns.csv"), func(t *testing.T, w *bufio.Writer) {
		w.WriteString("companyName,domain")
		for i := range 100_000 - 2 {
			fmt.Fprintf(w, ",c%d", i)
		}
		w.WriteString("\nContoso,contoso.example" + strings.Repeat(",", 100_000-2) + "\n")
	})
	r := p.expect(t, procOpts{dir: dir, measureRSS: true}, 0, "customers", "import", "columns.csv")
	notice, _, _ := strings.Cut(r.stderr, "\n")
	t.Logf("peak memory %s; the notice is %d bytes: %s", mib(r.maxRSS), len(notice), clip(notice, 200))
	if notice != "columns.csv: ignoring unknown column(s): c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 99988 more" {
		t.Errorf("stderr does not start with the notice of the ignored columns: %s", clip(r.stderr, 300))
	}
	if !strings.Contains(r.stderr, "Imported columns.csv: 1 created, 0 updated, 0 unchanged, 0 skipped.\n") {
		t.Errorf("the import did not say it created the customer: %s", clip(r.stderr, 300))
	}
	if r.maxRSS > limitMaxRSS {
		t.Errorf("peak memory %s, want at most %s", mib(r.maxRSS), mib(limitMaxRSS))
	}
	// (It named every one of the 99,998 ignored columns, a line of 789 KB; now ten and a count.)
	if len(notice) > 4096 {
		t.Errorf("the notice of ignored columns is %d bytes long", len(notice))
	}
}

// runSynth writes n synthetic customers to path with cmd/pcctl-synth (built without the
// race detector, it is several times faster than internal/synth in this test binary).
func runSynth(t *testing.T, path string, seed, n int) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build pcctl-synth with")
	}
	bin := filepath.Join(t.TempDir(), "pcctl-synth")
	build := exec.Command(goTool, "build", "-o", bin, "./cmd/pcctl-synth")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/pcctl-synth: %v\n%s", err, out)
	}
	gen := exec.Command(bin, "customers", "-seed", strconv.Itoa(seed), "-n", strconv.Itoa(n), "-o", path)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("pcctl-synth: %v\n%s", err, out)
	}
}

// endless is an io.Reader of the same byte, forever.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// writeBig writes a file through a buffer.
func writeBig(t *testing.T, path string, write func(t *testing.T, w *bufio.Writer)) {
	t.Helper()
	writeBigFile(t, path, func(w io.Writer) error {
		write(t, w.(*bufio.Writer))
		return nil
	})
}

// mountTmpfs mounts a tmpfs of the given size (such as "1m") on a new folder dir, unmounted
// at the end of the test; it skips the test where mounting is not allowed (not root, or no
// CAP_SYS_ADMIN, as in most CI containers).
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0755"); err != nil {
		t.Skipf("cannot mount a tmpfs on %s (%v): this test needs root (CAP_SYS_ADMIN) to make a small or read-only file system", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", dir, err)
		}
	})
}

// fillDisk writes dir/fill until the file system holding dir is full but for about
// leave bytes, and returns the file's path (removing it frees the space).
func fillDisk(t *testing.T, dir string, leave int64) string {
	t.Helper()
	path := filepath.Join(dir, "fill")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	buf := make([]byte, 4096)
	for written := int64(0); leave == 0 || written < free-leave; written += int64(len(buf)) {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			t.Fatal(err)
		}
	}
	return path
}

// TestLimitsFullDisk runs pcctl with its workspace, or the file it writes, on a file system
// that is full (a small tmpfs, filled): each command fails with exit code 1 and a message,
// and nothing is lost: once space is freed, the workspace is sound and holds what it held.
// It needs root to mount the tmpfs, and is skipped otherwise.
func TestLimitsFullDisk(t *testing.T) {
	p := buildPcctl(t)
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	mountTmpfs(t, small, "1m")
	out := filepath.Join(dir, "out")
	mountTmpfs(t, out, "64k")
	ws := filepath.Join(small, "ws.db")
	env := withEnv(p.env, "PCCTL_WORKSPACE="+ws)
	o := procOpts{env: env, dir: dir}

	var base strings.Builder
	base.WriteString("companyName,domain,country\n")
	for j := range 100 {
		fmt.Fprintf(&base, "Baseline %03d,baseline-%03d.example,FR\n", j, j)
	}
	if err := os.WriteFile(filepath.Join(dir, "base.csv"), []byte(base.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	writeSynthCSV(t, dir, "more.csv", 31, 3000)
	p.expect(t, o, 0, "customers", "import", "base.csv")
	p.expect(t, o, 0, "customers", "export", "-o", "before.csv")
	intact := func(t *testing.T) {
		t.Helper()
		p.mustBeSound(t, env)
		r := p.expect(t, o, 0, "customers", "export")
		if want, _ := os.ReadFile(filepath.Join(dir, "before.csv")); r.stdout != string(want) {
			t.Errorf("the workspace changed: the export has %d bytes, %d before", len(r.stdout), len(want))
		}
	}

	t.Run("no room for the shared-memory file", func(t *testing.T) {
		fill := fillDisk(t, small, 0)
		want := "Error: workspace " + ws + ": the disk holding it is full (SQLite needs room for its -wal and -shm files, even to read); free some space and retry; nothing was changed\n"
		for _, args := range [][]string{
			{"customers", "list", "--view", "all"},
			{"customers", "add", "--name", "Northwind", "--domain", "northwind.example", "--country", "US"},
			{"workspace", "check"},
		} {
			r := p.expect(t, o, 1, args...)
			if r.stderr != want {
				t.Errorf("pcctl %s: stderr %q, want %q", quoteArgs(args), r.stderr, want)
			}
		}
		os.Remove(fill)
		intact(t)
		// (It said "disk I/O error (4874)", SQLITE_IOERR_SHMSIZE. Reading needs the room
		// too: a WAL workspace cannot be read without its shared-memory file.)
	})

	t.Run("an import that does not fit", func(t *testing.T) {
		fill := fillDisk(t, small, 192<<10)
		r := p.expect(t, o, 1, "customers", "import", "more.csv")
		const want = "Error: the disk holding the workspace is full: nothing was written; free some space and retry\n"
		if r.stderr != want {
			t.Errorf("stderr %q, want %q", r.stderr, want)
		}
		os.Remove(fill)
		intact(t)
	})

	t.Run("a new workspace on a full disk", func(t *testing.T) {
		fill := fillDisk(t, small, 0)
		newWS := filepath.Join(small, "new.db")
		// A command that writes: one that only reads does not create a named workspace.
		r := p.expect(t, procOpts{env: withEnv(env, "PCCTL_WORKSPACE="+newWS)}, 1, "workspace", "migrate")
		if want := "Error: workspace " + newWS + ": the disk holding it is full (SQLite needs room for its -wal and -shm files, even to read); free some space and retry; nothing was changed\n"; r.stderr != want {
			t.Errorf("stderr %q, want %q", r.stderr, want)
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if _, err := os.Stat(newWS + suffix); err == nil {
				t.Errorf("new.db%s was left behind", suffix)
			}
		}
		os.Remove(fill)
	})

	t.Run("an export to a full disk", func(t *testing.T) {
		fill := fillDisk(t, out, 0)
		r := p.expect(t, o, 1, "customers", "export", "-o", "out/customers.csv")
		if want := "Error: writing out/customers.csv: no space left on device\n"; r.stderr != want {
			t.Errorf("stderr %q, want %q", r.stderr, want)
		}
		left, _ := filepath.Glob(filepath.Join(out, "*customers.csv*"))
		if len(left) > 0 {
			t.Errorf("the failed export left %v", left)
		}
		os.Remove(fill)
		intact(t)
	})
}

// TestLimitsReadOnlyFileSystem runs pcctl with its workspace on a read-only file system (a
// tmpfs remounted read-only, which root cannot write either, unlike a folder without write
// permission): every command is refused with exit code 1, even those that only read.
// Needs root; skipped otherwise.
func TestLimitsReadOnlyFileSystem(t *testing.T) {
	p := buildPcctl(t)
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	mountTmpfs(t, ro, "1m")
	ws := filepath.Join(ro, "ws.db")
	env := withEnv(p.env, "PCCTL_WORKSPACE="+ws)
	o := procOpts{env: env, dir: dir}
	if err := os.WriteFile(filepath.Join(dir, "base.csv"), []byte("companyName,domain\nContoso,contoso.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.expect(t, o, 0, "customers", "import", "base.csv")
	if err := syscall.Mount("", ro, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount %s read-only: %v", ro, err)
	}

	// The workspace can be read and checked, and backed up elsewhere; a change is refused.
	want := "Error: workspace " + ws + ": is on a read-only file system: it can be read, not changed (copy it to a writable folder to change it)\n"
	for _, args := range [][]string{
		{"customers", "add", "--name", "Northwind", "--domain", "northwind.example", "--country", "US"},
		{"customers", "flag", "contoso.example"},
	} {
		if r := p.expect(t, o, 1, args...); r.stderr != want {
			t.Errorf("pcctl %s: stderr %q, want %q", quoteArgs(args), r.stderr, want)
		}
	}
	if r := p.expect(t, o, 0, "customers", "list", "--view", "all", "--fields", "domain"); r.stdout != "contoso.example\n" {
		t.Errorf("customers list: %s", r)
	}
	if r := p.expect(t, o, 0, "customers", "show", "contoso.example", "--fields", "domain"); !strings.Contains(r.stdout, "contoso.example") {
		t.Errorf("customers show (the access is not recorded): %s", r)
	}
	if r := p.expect(t, o, 0, "workspace", "check"); !strings.Contains(r.stdout, "is sound") {
		t.Errorf("workspace check: %s", r)
	}
	p.expect(t, o, 0, "workspace", "backup", filepath.Join(dir, "copy.db"))
	if r := p.expect(t, procOpts{env: withEnv(env, "PCCTL_WORKSPACE="+filepath.Join(dir, "copy.db"))}, 0, "customers", "list", "--view", "all", "--fields", "domain"); r.stdout != "contoso.example\n" {
		t.Errorf("the backup of a read-only workspace: %s", r)
	}
	newWS := filepath.Join(ro, "new.db")
	// A command that writes: one that only reads does not create a named workspace.
	r := p.expect(t, procOpts{env: withEnv(env, "PCCTL_WORKSPACE="+newWS)}, 1, "workspace", "migrate")
	if want := "Error: workspace " + newWS + ": cannot create it: read-only file system\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	other := withEnv(env, "PCCTL_WORKSPACE="+filepath.Join(dir, "other.db"))
	p.expect(t, procOpts{env: other}, 0, "workspace", "migrate")
	r = p.expect(t, procOpts{env: other, dir: dir}, 1, "customers", "export", "-o", "ro/out.csv")
	if want := "Error: cannot write ro/out.csv: read-only file system\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
}
