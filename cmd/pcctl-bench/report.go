package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// status is how a figure compares with its target.
type status int

const (
	noTarget status = iota // context for the other figures
	pass                   // target met
	fail                   // target missed
	skipped                // not measured this time
)

func (s status) String() string {
	return [...]string{noTarget: "", pass: "yes", fail: "NO", skipped: "skipped"}[s]
}

// row is one line of the results table.
type row struct {
	metric, value, ref, ratio, target string
	status                            status
}

// ratioRow compares pcctl's time with the reference's: met when at most maxRatio times.
func ratioRow(metric string, got, ref time.Duration, maxRatio float64) row {
	r := float64(got) / float64(ref)
	return row{metric: metric, value: fmtDur(got), ref: fmtDur(ref), ratio: fmtRatio(r),
		target: fmt.Sprintf("≤ %.1f×", maxRatio), status: met(r <= maxRatio)}
}

// limitRow checks a time against a limit it must stay under.
func limitRow(metric string, got, limit time.Duration) row {
	return row{metric: metric, value: fmtDur(got), target: "< " + fmtDur(limit), status: met(got < limit)}
}

// memRow reports a peak RSS, with the reference's when ref > 0, against limit when > 0.
func memRow(metric string, got, ref, limit int64) row {
	r := row{metric: metric, value: fmtMB(got)}
	if ref > 0 {
		r.ref, r.ratio = fmtMB(ref), fmtRatio(float64(got)/float64(ref))
	}
	if limit > 0 {
		r.target, r.status = "< "+fmtMB(limit), met(got < limit)
	}
	return r
}

// infoRow is a figure without a target.
func infoRow(metric string, got time.Duration) row {
	return row{metric: metric, value: fmtDur(got)}
}

func skippedRow(metric, why string) row {
	return row{metric: metric, value: why, status: skipped}
}

func met(ok bool) status {
	if ok {
		return pass
	}
	return fail
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
}

// fmtMB formats bytes in MB of 2^20 bytes.
func fmtMB(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

func fmtRatio(r float64) string { return fmt.Sprintf("%.2f×", r) }

var header = []string{"metric", "pcctl", "reference", "ratio", "target", "ok"}

func (r row) cells() []string {
	return []string{r.metric, r.value, r.ref, r.ratio, r.target, r.status.String()}
}

// printTable writes the rows as an aligned text table.
func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r.cells(), "\t"))
	}
	tw.Flush()
}

// markdownTable writes the rows as a Markdown table.
func markdownTable(w io.Writer, rows []row) {
	line := func(cells []string) {
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	line(header)
	line([]string{"---", "---:", "---:", "---:", "---", "---"})
	for _, r := range rows {
		c := r.cells()
		for i := range c {
			if c[i] == "" {
				c[i] = "–"
			}
		}
		line(c)
	}
}

// machine describes where the figures were taken.
type machine struct {
	cpu, memory, kernel, goVersion, sqlite, commit, load string
	cpus                                                 int
	date                                                 time.Time
}

func describeMachine(root string) machine {
	m := machine{cpus: runtime.NumCPU(), date: time.Now().UTC(), cpu: "unknown", memory: "unknown",
		kernel: runtime.GOOS, load: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					m.memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.load = strings.Join(f[:3], " ")
		}
	}
	m.goVersion, _ = output(root, "go", "version")
	if v, err := output(root, "sqlite3", "--version"); err == nil {
		m.sqlite = strings.Join(strings.Fields(v)[:min(2, len(strings.Fields(v)))], " ")
	}
	if c, err := output(root, "git", "describe", "--always", "--dirty"); err == nil {
		m.commit = c
	} else {
		m.commit = "unknown"
	}
	return m
}

func (m machine) String() string {
	return fmt.Sprintf("%s, %d CPUs (nproc), %s memory, %s, %s, sqlite3 %s; load average at start %s",
		m.cpu, m.cpus, m.memory, m.kernel, m.goVersion, m.sqlite, m.load)
}

// The figures in docs/performance.md sit between these markers; -write replaces them and
// leaves the rest of the file, written by hand, alone.
const (
	beginMarker = "<!-- pcctl-bench:begin (written by go run ./cmd/pcctl-bench -write; do not edit) -->"
	endMarker   = "<!-- pcctl-bench:end -->"
)

// figures is the generated part of docs/performance.md.
func (b *harness) figures() []byte {
	var w bytes.Buffer
	fmt.Fprintf(&w, "Last run: %s, `%s` at commit `%s`.\n\n",
		b.machine.date.Format("2006-01-02 15:04 MST"), b.commandLine(), b.machine.commit)
	fmt.Fprintf(&w, "Machine: %s.\n\n", b.machine)
	markdownTable(&w, b.rows)
	if len(b.goBench) > 0 {
		fmt.Fprintf(&w, "\nGo benchmarks (`%s`, with `PCCTL_BENCH_WORKSPACE` set to the workspace above):\n\n",
			strings.Join(b.goTestArgs(), " "))
		fmt.Fprintf(&w, "```\n%s\n```\n", strings.Join(b.goBench, "\n"))
	}
	if len(b.notes) > 0 {
		w.WriteString("\n")
		for _, n := range b.notes {
			fmt.Fprintf(&w, "- %s\n", n)
		}
	}
	return w.Bytes()
}

// writeDoc replaces the figures between the markers of path.
func (b *harness) writeDoc(path string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	start := bytes.Index(doc, []byte(beginMarker))
	end := bytes.Index(doc, []byte(endMarker))
	if start < 0 || end < start {
		return errors.New(path + " has no " + beginMarker + " ... " + endMarker + " section to replace")
	}
	var out bytes.Buffer
	out.Write(doc[:start+len(beginMarker)])
	out.WriteString("\n\n")
	out.Write(b.figures())
	out.WriteString("\n")
	out.Write(doc[end:])
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
