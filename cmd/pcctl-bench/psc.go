package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pcctl/pcctl/internal/bench"
	"github.com/pcctl/pcctl/internal/synth"
)

// The PSC migration targets (issue 5): 100,000 generated opportunities imported into the
// workspace of the generated customers.
const (
	pscRows      = 100_000
	maxPSCImport = 5 * time.Second
	maxPSCDryRun = 3 * time.Second
	maxPSCRSS    = 150 << 20
	pscDialect   = synth.PSCExcelFR // Windows-1252, semicolons, 12 345,67 €, DD/MM/YYYY
)

// generatePSC writes DIR/psc-N.csv: pscRows opportunities naming customers of the
// generated ones, in a French spreadsheet's dialect, unless it is there already.
func (b *harness) generatePSC() (string, error) {
	return generateOnce(filepath.Join(b.dir, fmt.Sprintf("psc-%d-of-%d.csv", pscRows, b.n)), func(w io.Writer) error {
		return synth.WritePSCDeals(w, synth.PSCOptions{Seed: seed, N: pscRows, Customers: b.n, CustomerSeed: seed, Dialect: pscDialect})
	})
}

// copyFile copies the workspace for one run, and flushes it to disk so that the
// writeback of the copy does not land in the timed run.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	flushDirty()
	return nil
}

// measurePSCImport times `deal import --psc` of the generated export into a copy of the
// customers workspace, for real and as a dry run, alternating.
func (b *harness) measurePSCImport() error {
	file, err := b.generatePSC()
	if err != nil {
		return err
	}
	// A workspace of an older schema (-skip-import) is migrated once, not in every run.
	if _, err := timeRun(b.pcctlCmd("workspace", "migrate")); err != nil {
		return err
	}
	ws := filepath.Join(b.dir, "psc-ws.db")
	defer os.Remove(ws)
	summary := filepath.Join(b.dir, "psc-summary.json")
	defer os.Remove(summary)
	run := func(extra ...string) (sample, error) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(ws + suffix)
		}
		if err := copyFile(ws, b.ws); err != nil {
			return sample{}, err
		}
		args := append([]string{"--workspace", ws, "deal", "import", "--psc", file, "--format", "json"}, extra...)
		return timeRun(command{path: b.pcctl, args: args, env: b.env, stdout: summary})
	}
	runs := importRuns(b.runs)
	var full, dry []sample
	for i := range runs {
		s, err := run()
		if err != nil {
			return err
		}
		d, err := run("--dry-run")
		if err != nil {
			return err
		}
		full, dry = append(full, s), append(dry, d)
		if i == 0 {
			// The dry run's summary: every row would be imported, none fail.
			var sum struct{ Read, Imported, Failed int }
			data, err := os.ReadFile(summary)
			if err == nil {
				err = json.Unmarshal(data, &sum)
			}
			if err != nil {
				return fmt.Errorf("reading the import summary: %w", err)
			}
			b.rows = append(b.rows, row{metric: "PSC rows imported (of rows read)", value: thousands(sum.Imported),
				ref: thousands(sum.Read), target: thousands(pscRows) + ", 0 failed", status: met(sum.Imported == pscRows && sum.Failed == 0)})
		}
		progress("psc import %d/%d: %s (%s), dry run %s (%s)", i+1, runs, fmtDur(s.wall), fmtMB(s.maxRSS), fmtDur(d.wall), fmtMB(d.maxRSS))
	}
	rows := thousands(pscRows)
	b.rows = append(b.rows,
		limitRow(fmt.Sprintf("PSC import %s deals into %s customers (median of %d)", rows, thousands(b.n), runs), bench.Median(walls(full)), maxPSCImport),
		memRow("PSC import peak RSS (max)", peakOf(full), 0, maxPSCRSS),
		limitRow(fmt.Sprintf("PSC import --dry-run (median of %d)", runs), bench.Median(walls(dry)), maxPSCDryRun),
		memRow("PSC import --dry-run peak RSS (max)", peakOf(dry), 0, maxPSCRSS))
	return nil
}
