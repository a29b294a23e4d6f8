//go:build !windows

package app_test

// Helpers shared by the tests that run the real pcctl binary (built by buildPcctl) as
// separate processes: the concurrency, crash and resource limit tests. Unlike
// pcctlBinary.run, these never call t.Fatal, so that they can run in goroutines, and they
// report how the process ended (exit code or signal), its peak memory and its duration.

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // driver "sqlite"
)

// procResult is how one pcctl process ended.
type procResult struct {
	args           []string
	stdout, stderr string
	code           int            // exit code; -1 when killed by a signal
	signal         syscall.Signal // the signal that ended it, if any
	maxRSS         int64          // peak resident set size, in bytes (0 if unknown)
	start, end     time.Time
}

func (r procResult) String() string {
	how := fmt.Sprintf("exit code %d", r.code)
	if r.signal != 0 {
		how = "killed by " + r.signal.String()
	}
	return fmt.Sprintf("pcctl %s: %s after %v\nstdout: %s\nstderr: %s", quoteArgs(r.args), how,
		r.end.Sub(r.start).Round(time.Millisecond), clip(r.stdout, 2000), clip(r.stderr, 2000))
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = clip(a, 200)
	}
	return strings.Join(q, " ")
}

// clip shortens s for a test log, saying how long it was.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s… (%d bytes in all)", s[:n], len(s))
}

// procOpts are the settings of one run.
type procOpts struct {
	env     []string      // the environment; the binary's own when nil
	dir     string        // the working directory; the test's when empty
	stdin   io.Reader     // nil: /dev/null
	timeout time.Duration // stepTimeout when zero
	// measureRSS runs pcctl under a small wrapper process to measure its peak memory
	// alone (see rssWrapper); without it, maxRSS may be the test process's.
	measureRSS bool
}

// rssWrapperEnv makes this test binary, when set in its environment, a wrapper that runs
// the command of its arguments and reports its peak memory on file descriptor 3.
//
// Linux reports as the peak memory (ru_maxrss) of a process the largest of its own and of
// the memory of the process that started it, at the moment it did (exec records the
// high-water mark of the memory it replaces, and os/exec starts processes with vfork,
// which shares the parent's memory until then). A process started from this test binary,
// which has held hundreds of megabytes by then, would seem as big. The wrapper, freshly
// started, is small: pcctl started from it reports its own peak, give or take the
// wrapper's few megabytes.
const rssWrapperEnv = "PCCTL_TEST_RSS_WRAPPER"

func init() {
	if os.Getenv(rssWrapperEnv) == "" {
		return
	}
	os.Exit(rssWrapper(os.Args[1:]))
}

func rssWrapper(args []string) int {
	report := os.NewFile(3, "rss")
	if len(args) == 0 || report == nil {
		fmt.Fprintln(os.Stderr, "rss wrapper: no command, or no file descriptor 3")
		return 125
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, rssWrapperEnv+"=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "rss wrapper:", err)
		return 125
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru != nil {
		fmt.Fprintf(report, "%d\n", maxRSSBytes(ru))
	}
	report.Close()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

// running is a pcctl process started by start, to be collected by wait: runProc split in
// two for the crash test, which kills the process in between.
type running struct {
	cmd         *exec.Cmd
	ctx         context.Context
	cancel      context.CancelFunc
	out, errOut bytes.Buffer
	args        []string
	start       time.Time
	rss         *os.File // the wrapper's report, with procOpts.measureRSS
	rssWriter   *os.File
}

func (p *pcctlBinary) start(o procOpts, args ...string) (*running, error) {
	if o.timeout == 0 {
		o.timeout = stepTimeout
	}
	r := &running{args: args}
	r.ctx, r.cancel = context.WithTimeout(context.Background(), o.timeout)
	r.cmd = exec.CommandContext(r.ctx, p.bin, args...) // killed at the timeout: no test hangs
	r.cmd.Env = o.env
	if r.cmd.Env == nil {
		r.cmd.Env = p.env
	}
	if o.measureRSS {
		self, err := os.Executable()
		if err != nil {
			r.cancel()
			return nil, err
		}
		pr, pw, err := os.Pipe()
		if err != nil {
			r.cancel()
			return nil, err
		}
		env := r.cmd.Env
		r.cmd = exec.CommandContext(r.ctx, self, append([]string{p.bin}, args...)...)
		r.cmd.Env = withEnv(env, rssWrapperEnv+"=1")
		r.cmd.ExtraFiles = []*os.File{pw}
		// At the timeout, kill pcctl with its wrapper: both are in a process group.
		r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		r.cmd.Cancel = func() error { return syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL) }
		r.rss, r.rssWriter = pr, pw
	}
	r.cmd.WaitDelay = 10 * time.Second // output pipes a stray process holds open do not hang Wait
	r.cmd.Dir = o.dir
	r.cmd.Stdin = o.stdin
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.errOut
	r.start = time.Now()
	if err := r.cmd.Start(); err != nil {
		r.cancel()
		return nil, fmt.Errorf("starting pcctl %s: %v", quoteArgs(args), err)
	}
	if r.rssWriter != nil {
		r.rssWriter.Close() // the wrapper holds it now
	}
	return r, nil
}

// wait waits for the process to end. The error is about running it (it ran past its
// timeout, or could not be waited for), not about its exit code.
func (r *running) wait() (procResult, error) {
	defer r.cancel()
	err := r.cmd.Wait()
	res := procResult{args: r.args, stdout: r.out.String(), stderr: r.errOut.String(), start: r.start, end: time.Now()}
	ps := r.cmd.ProcessState
	if ps == nil {
		return res, fmt.Errorf("pcctl %s: %v", quoteArgs(r.args), err)
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		res.maxRSS = maxRSSBytes(ru)
	}
	ws, _ := ps.Sys().(syscall.WaitStatus)
	if r.rss != nil {
		// The wrapper's exit code is pcctl's, or 128+N when signal N ended it.
		b, _ := io.ReadAll(r.rss)
		r.rss.Close()
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return res, fmt.Errorf("pcctl %s: the memory wrapper reported %q: %s", quoteArgs(r.args), b, res)
		}
		res.maxRSS = n
		if c := ws.ExitStatus(); ws.Exited() && c > 128 {
			res.code, res.signal = -1, syscall.Signal(c-128)
			return res, nil
		}
	}
	switch {
	case ws.Signaled():
		res.code, res.signal = -1, ws.Signal()
	case ws.Exited():
		res.code = ws.ExitStatus()
	default:
		return res, fmt.Errorf("pcctl %s ended oddly: %v", quoteArgs(r.args), err)
	}
	if r.ctx.Err() != nil {
		return res, fmt.Errorf("pcctl %s was still running after %v, and was killed:\n%s",
			quoteArgs(r.args), res.end.Sub(r.start).Round(time.Millisecond), res)
	}
	return res, nil
}

// maxRSSBytes is the peak resident set size of a rusage, in bytes: Linux counts it in
// kilobytes, macOS and the BSDs in bytes.
func maxRSSBytes(ru *syscall.Rusage) int64 {
	if runtime.GOOS == "linux" {
		return int64(ru.Maxrss) * 1024
	}
	return int64(ru.Maxrss)
}

// runProc runs pcctl to its end. The error is about running it (it could not start, or ran
// past its timeout), not about its exit code.
func (p *pcctlBinary) runProc(o procOpts, args ...string) (procResult, error) {
	r, err := p.start(o, args...)
	if err != nil {
		return procResult{args: args}, err
	}
	return r.wait()
}

// expect runs pcctl and fails the test unless it exits with code want.
func (p *pcctlBinary) expect(t *testing.T, o procOpts, want int, args ...string) procResult {
	t.Helper()
	r, err := p.runProc(o, args...)
	if err != nil {
		t.Fatal(err)
	}
	if r.code != want {
		t.Fatalf("want exit code %d: %s", want, r)
	}
	return r
}

// withEnv returns env with each KEY=VALUE of kv set, replacing any earlier value.
func withEnv(env []string, kv ...string) []string {
	out := make([]string, 0, len(env)+len(kv))
	for _, e := range env {
		k, _, _ := strings.Cut(e, "=")
		replaced := false
		for _, n := range kv {
			if nk, _, _ := strings.Cut(n, "="); nk == k {
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, e)
		}
	}
	return append(out, kv...)
}

// busyWords are what a "database is locked" or busy failure would show on stderr.
var busyWords = []string{"locked", "busy", "SQLITE_BUSY", "(5)", "(517)", "(261)"}

// busyText returns the first busy word in stderr, or "".
func busyText(stderr string) string {
	for _, w := range busyWords {
		if strings.Contains(stderr, w) {
			return w
		}
	}
	return ""
}

// mustBeSound runs `pcctl workspace check` (SQLite's integrity and foreign key checks) on
// the workspace of env, and fails the test unless it says the workspace is sound.
func (p *pcctlBinary) mustBeSound(t *testing.T, env []string) {
	t.Helper()
	r := p.expect(t, procOpts{env: env, timeout: time.Minute}, 0, "workspace", "check")
	if !strings.Contains(r.stdout+r.stderr, "is sound") {
		t.Fatalf("workspace check did not say the workspace is sound: %s", r)
	}
}

// integrityCheck runs PRAGMA integrity_check on the file at path through database/sql,
// apart from pcctl.
func integrityCheck(t *testing.T, path string) {
	t.Helper()
	db := openSQLite(t, path)
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("PRAGMA integrity_check on %s: %q, %v", path, res, err)
	}
}

// openSQLite opens a workspace file directly (never creating it).
func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(30000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// countRows counts the rows of table in the workspace file at path (closing it again).
func countRows(t *testing.T, path, table string) int {
	t.Helper()
	return queryInt(t, path, "SELECT count(*) FROM "+table)
}

// queryInt runs a query giving one number on the workspace file at path.
func queryInt(t *testing.T, path, query string) int {
	t.Helper()
	db := openSQLite(t, path)
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s on %s: %v", query, path, err)
	}
	return n
}

// copyFile copies src to dst (a workspace closed by every process, so a plain copy).
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// mib formats a byte count in MiB.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
