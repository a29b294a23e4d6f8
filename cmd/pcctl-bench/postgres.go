package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pcctl/pcctl/internal/bench"
)

// Targets of the PostgreSQL workspace (issue 20, docs/postgres.md).
const (
	minPostgresRate    = 2000 // prefix searches per second, two servers together
	maxPostgresP99     = 50 * time.Millisecond
	maxPostgresCopy    = 60 * time.Second
	maxPostgresExport  = 2.0 // remote export through a server on PostgreSQL / through a server on the file
	postgresServers    = 2
	postgresBenchUsage = "set -database or PCCTL_BENCH_DATABASE_URL to a PostgreSQL database the benchmark may fill (its password in PGPASSWORD or ~/.pgpass)"
)

// measurePostgres copies the workspace into the database (-database), then drives two
// servers on it with 32 clients searching (16 on each), one server alone, and times a
// remote export through a server on the database against one through a server on the
// file.
func (b *harness) measurePostgres() error {
	if b.database == "" {
		b.rows = append(b.rows, skippedRow("PostgreSQL: copy, search, export", postgresBenchUsage))
		return nil
	}
	token, err := b.benchToken()
	if err != nil {
		return err
	}
	copyCmd := b.pcctlCmd("workspace", "copy", b.ws, b.database, "--force")
	s, err := timeRun(copyCmd)
	if err != nil {
		return err
	}
	progress("workspace copy to PostgreSQL: %s", fmtDur(s.wall))
	b.rows = append(b.rows, limitRow(fmt.Sprintf("workspace copy of %d customers to PostgreSQL", b.n), s.wall, maxPostgresCopy))
	// PostgreSQL's autovacuum visits the freshly loaded tables a minute or so later and
	// takes a core for seconds (and until then searches read table pages beside the index):
	// vacuum them now, untimed, as after any bulk load, so the loads measure the servers.
	if err := vacuum(b.database); err != nil {
		return err
	}

	var srvs []*server
	defer func() {
		for _, s := range srvs {
			s.stop()
		}
	}()
	for range postgresServers {
		srv, err := b.startServer("PCCTL_DATABASE_URL=" + b.database)
		if err != nil {
			return err
		}
		srvs = append(srvs, srv)
	}
	// load runs the clients on every server at once, an equal share on each: flat out
	// (rate 0), or offering that many searches per second in all (an open loop).
	load := func(srvs []*server, terms []string, rate float64) ([]time.Duration, float64, error) {
		var mu sync.Mutex
		var all []time.Duration
		var span time.Duration
		var errs int
		var firstErr error
		var wg sync.WaitGroup
		for _, srv := range srvs {
			wg.Go(func() {
				got, sp, e, err := searchSamples(srv.url, token, terms, serverClients/len(srvs), rate/float64(len(srvs)))
				mu.Lock()
				defer mu.Unlock()
				all, span, errs = append(all, got...), max(span, sp), errs+e
				if err != nil && firstErr == nil {
					firstErr = err
				}
			})
		}
		wg.Wait()
		if firstErr == nil && errs > 0 {
			firstErr = fmt.Errorf("%d searches failed under load", errs)
		}
		return all, float64(len(all)) / span.Seconds(), firstErr
	}
	runs := importRuns(b.runs)
	var rates, offeredRates, oneRates []float64
	var p50s, p99s, offeredP50s, offeredP99s, oneP99s []time.Duration
	for i := range runs {
		// Flat out: every client sends its next search when the last is answered.
		all, rate, err := load(srvs, b.prefixes, 0)
		if err != nil {
			return err
		}
		p50, p99 := bench.Percentile(all, 50), bench.Percentile(all, 99)
		rates, p50s, p99s = append(rates, rate), append(p50s, p50), append(p99s, p99)
		progress("PostgreSQL %d/%d, %d servers, %d clients flat out: %.0f req/s, p50 %s, p99 %s", i+1, runs, len(srvs), serverClients, rate, fmtDur(p50), fmtDur(p99))
		// The target's load: 2,000 searches a second offered, whatever the answers do.
		all, rate, err = load(srvs, b.prefixes, minPostgresRate)
		if err != nil {
			return err
		}
		p50, p99 = bench.Percentile(all, 50), bench.Percentile(all, 99)
		offeredRates, offeredP50s, offeredP99s = append(offeredRates, rate), append(offeredP50s, p50), append(offeredP99s, p99)
		progress("PostgreSQL %d/%d, %d servers, %d searches/s offered by %d clients: %.0f answered/s, p50 %s, p99 %s", i+1, runs, len(srvs), minPostgresRate, serverClients, rate, fmtDur(p50), fmtDur(p99))
		// One server alone, flat out.
		all, rate, err = load(srvs[:1], b.prefixes, 0)
		if err != nil {
			return err
		}
		p99 = bench.Percentile(all, 99)
		oneRates, oneP99s = append(oneRates, rate), append(oneP99s, p99)
		progress("PostgreSQL %d/%d, one server, %d clients flat out: %.0f req/s, p50 %s, p99 %s", i+1, runs, serverClients, rate, fmtDur(bench.Percentile(all, 50)), fmtDur(p99))
	}
	fresh := freshTerms(b.n, 60000)
	freshAll, freshRate, err := load(srvs, fresh, 0)
	if err != nil {
		return err
	}
	progress("PostgreSQL, %d servers, no term repeated: %.0f req/s, p50 %s, p99 %s", len(srvs), freshRate, fmtDur(bench.Percentile(freshAll, 50)), fmtDur(bench.Percentile(freshAll, 99)))
	medRate, medOffered := medianFloat(rates), medianFloat(offeredRates)
	b.rows = append(b.rows,
		row{metric: fmt.Sprintf("PostgreSQL: %d servers, %d clients flat out, searches/s (median of %d × %s)", len(srvs), serverClients, runs, serverDuration),
			value: fmt.Sprintf("%.0f", medRate), target: fmt.Sprintf("≥ %d", minPostgresRate), status: met(medRate >= minPostgresRate)},
		limitRow("PostgreSQL: flat out, search latency p99 (median of the runs)", bench.Median(p99s), maxPostgresP99),
		infoRow("PostgreSQL: flat out, search latency p50", bench.Median(p50s)),
		row{metric: fmt.Sprintf("PostgreSQL: %d servers, %d searches/s offered (open loop), answered/s", len(srvs), minPostgresRate),
			value: fmt.Sprintf("%.0f", medOffered), target: fmt.Sprintf("≥ %d", minPostgresRate*99/100), status: met(medOffered >= minPostgresRate*0.99)},
		limitRow(fmt.Sprintf("PostgreSQL: %d searches/s offered, latency p99 from the time due (median of the runs)", minPostgresRate), bench.Median(offeredP99s), maxPostgresP99),
		infoRow(fmt.Sprintf("PostgreSQL: %d searches/s offered, latency p50", minPostgresRate), bench.Median(offeredP50s)),
		infoRow(fmt.Sprintf("PostgreSQL: no term repeated (%d terms, %.0f requests/s), p99", len(fresh), freshRate), bench.Percentile(freshAll, 99)))
	b.notes = append(b.notes, fmt.Sprintf("PostgreSQL, one server alone, %d clients flat out: %.0f searches/s, p99 %s (medians of %d runs)",
		serverClients, medianFloat(oneRates), fmtDur(bench.Median(oneP99s)), runs))

	// Remote export: through a server on the database, against one on the file.
	fileSrv, err := b.startServer()
	if err != nil {
		return err
	}
	defer fileSrv.stop()
	export := func(srv *server) command {
		return command{path: b.pcctl, args: []string{"customers", "export", "--format", "csv"},
			env: append(b.env[:len(b.env):len(b.env)], "PCCTL_ENDPOINT="+srv.url, "PCCTL_TOKEN="+token)}
	}
	files := []string{filepath.Join(b.dir, "export-pg.csv"), filepath.Join(b.dir, "export-file.csv")}
	defer os.Remove(files[0])
	defer os.Remove(files[1])
	var pg, file []sample
	for i := range b.runs {
		s, err := timeRun(export(srvs[0]).with(files[0]))
		if err != nil {
			return err
		}
		t, err := timeRun(export(fileSrv).with(files[1]))
		if err != nil {
			return err
		}
		pg, file = append(pg, s), append(file, t)
		progress("remote export %d/%d: PostgreSQL %s, file %s", i+1, b.runs, fmtDur(s.wall), fmtDur(t.wall))
	}
	same, err := sameFile(files[0], files[1])
	if err != nil {
		return err
	}
	b.rows = append(b.rows,
		row{metric: "remote export from PostgreSQL = from the file, byte for byte", value: fmt.Sprint(same), target: "true", status: met(same)},
		ratioRow(fmt.Sprintf("remote export, server on PostgreSQL vs on the file (median of %d)", b.runs), bench.Median(walls(pg)), bench.Median(walls(file)), maxPostgresExport))
	return nil
}

// vacuum runs VACUUM on the database.
func vacuum(dsn string) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("VACUUM after the copy: %w", err)
	}
	defer conn.Close(ctx)
	start := time.Now()
	if _, err := conn.Exec(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("VACUUM after the copy: %w", err)
	}
	progress("VACUUM after the copy (untimed): %s", fmtDur(time.Since(start)))
	return nil
}
