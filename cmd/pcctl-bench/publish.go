package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
)

// Targets of pcctl deal publish (issue 18), against the stand-in answering at once.
const (
	publishDeals    = 10000
	publishInFlight = 8
	maxPublish      = 30 * time.Second
	maxPublishRSS   = 100 << 20
)

// measurePublish times pcctl deal publish --unpublished of 10,000 PSC deals (imported
// first, the workspace linked by a sync) with 8 referrals in flight.
func (b *harness) measurePublish() error {
	dir := filepath.Join(b.dir, "publish")
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	csvPath := filepath.Join(dir, "psc.csv")
	if err := writePSCDeals(csvPath, publishDeals); err != nil {
		return err
	}
	s := pctest.New(false)
	defer s.Close()
	ws := filepath.Join(dir, "publish.db")
	env, err := b.syncEnv(s, dir, ws)
	if err != nil {
		return err
	}
	for _, args := range [][]string{{"deal", "import", "--psc", csvPath, "--create-missing-orgs"}, {"sync", "requests"}} {
		if _, err := timeRun(command{path: b.pcctl, args: args, env: env}); err != nil {
			return fmt.Errorf("pcctl %s: %w", strings.Join(args, " "), err)
		}
	}
	out := filepath.Join(dir, "publish.json")
	run, err := timeRun(command{path: b.pcctl, args: []string{"deal", "publish", "--unpublished", "--concurrency", fmt.Sprint(publishInFlight),
		"--report", filepath.Join(dir, "report.csv"), "--format", "json"}, env: env, stdout: out})
	if err != nil {
		return err
	}
	summary, _ := os.ReadFile(out)
	byExt, total := s.ReferralsWithExternalID()
	progress("publish of %d deals, %d in flight: %s (%s, CPU %s): %s; the stand-in has %d referrals for %d deals",
		publishDeals, publishInFlight, fmtDur(run.wall), fmtMB(run.maxRSS), fmtDur(run.cpu), strings.Join(strings.Fields(string(summary)), ""), total, len(byExt))
	if total != publishDeals || len(byExt) != publishDeals {
		return fmt.Errorf("pcctl deal publish: the stand-in has %d referrals for %d deals, want %d", total, len(byExt), publishDeals)
	}
	b.rows = append(b.rows,
		limitRow(fmt.Sprintf("pcctl deal publish --unpublished: %s PSC deals, %d in flight", thousands(publishDeals), publishInFlight), run.wall, maxPublish),
		memRow("pcctl deal publish: peak RSS", run.maxRSS, 0, maxPublishRSS),
		infoRow("pcctl deal publish: CPU time of pcctl (user + system)", run.cpu))
	b.notes = append(b.notes, fmt.Sprintf("publish: the stand-in runs in pcctl-bench itself, on the same cores as pcctl; load average at the end %s", loadAverage()))
	return nil
}

// writePSCDeals writes a PSC export of n opportunities (every 5th won, every 7th lost,
// the others open) for 17 prospect organisations.
func writePSCDeals(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "Opportunity ID,Deal Name,Customer Name,Customer Country,Deal Value,Currency,Status,Products,Created Date,Deal Type")
	for i := range n {
		status := "Open"
		switch {
		case i%7 == 6:
			status = "Lost"
		case i%5 == 4:
			status = "Won"
		}
		fmt.Fprintf(w, "OPP-%06d,Deal %d,Prospect %d,US,%d.00,USD,%s,CFQ7TTC0LF8Q,03/14/2026,Private\n", i, i, i%17, 1000+i, status)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
