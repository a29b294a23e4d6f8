package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pcctl/pcctl/internal/bench"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/synth"
)

// Targets of the remote workspace (issue 7, docs/performance.md).
const (
	serverClients   = 32
	minServerRate   = 3000 // prefix searches per second, all clients together
	maxServerP99    = 50 * time.Millisecond
	maxRemoteExport = 2.0 // remote export time / local export time
	maxServerRSS    = 128 << 20
	serverWarmup    = 2 * time.Second
	serverDuration  = 10 * time.Second
	serverDrain     = 5 * time.Second // an open loop's wait for the answers still due
	benchUser       = "bench@pcctl.example"
)

// measureServer starts `pcctl serve` on the workspace, then (1) drives it with 32
// concurrent clients doing prefix searches (GET /v1/customers with a starts_with filter)
// and (2) times `customers export --format csv` through it against the local export,
// with the peak memory of the client and of the server during the export.
func (b *harness) measureServer() error {
	token, err := b.benchToken()
	if err != nil {
		return err
	}
	srv, err := b.startServer()
	if err != nil {
		return err
	}
	defer func() { srv.stop() }()

	var rates []float64
	var p99s, p50s []time.Duration
	runs := importRuns(b.runs)
	for i := range runs {
		rate, p50, p99, errs, err := searchLoad(srv.url, token, b.prefixes)
		if err != nil {
			return err
		}
		if errs > 0 {
			return fmt.Errorf("%d searches failed under load", errs)
		}
		rates, p50s, p99s = append(rates, rate), append(p50s, p50), append(p99s, p99)
		progress("server search load %d/%d: %.0f req/s, p50 %s, p99 %s", i+1, runs, rate, fmtDur(p50), fmtDur(p99))
	}
	// The same load with no term repeated within the run: the server's search cache
	// (sqlite.Options.SearchCache) never has the answer, every search is computed.
	fresh := freshTerms(b.n, 60000)
	rate, p50, p99, errs, err := searchLoad(srv.url, token, fresh)
	if err != nil {
		return err
	}
	if errs > 0 {
		return fmt.Errorf("%d searches failed under load", errs)
	}
	progress("server search load, no term repeated (%d terms): %.0f req/s, p50 %s, p99 %s", len(fresh), rate, fmtDur(p50), fmtDur(p99))
	b.notes = append(b.notes, fmt.Sprintf("server search with no term repeated (%d different terms, the search cache never answers): %.0f requests/s, p50 %s, p99 %s",
		len(fresh), rate, fmtDur(p50), fmtDur(p99)))

	medRate := medianFloat(rates)
	b.rows = append(b.rows,
		row{metric: fmt.Sprintf("server: %d clients searching, requests/s (median of %d × %s)", serverClients, runs, serverDuration),
			value: fmt.Sprintf("%.0f", medRate), target: fmt.Sprintf("≥ %d", minServerRate), status: met(medRate >= minServerRate)},
		limitRow("server: search latency p99 (median of the runs)", bench.Median(p99s), maxServerP99),
		infoRow("server: search latency p50", bench.Median(p50s)))

	// Remote export against the local one, alternating, on a server started afresh (the
	// search load left its memory at its own peak).
	srv.stop()
	if srv, err = b.startServer(); err != nil {
		return err
	}
	// Remote export against the local one, alternating.
	remote := command{path: b.pcctl, args: []string{"customers", "export", "--format", "csv"},
		env: append(b.env[:len(b.env):len(b.env)], "PCCTL_ENDPOINT="+srv.url, "PCCTL_TOKEN="+token)}
	local := b.pcctlCmd("customers", "export", "--format", "csv")
	files := []string{filepath.Join(b.dir, "export-remote.csv"), filepath.Join(b.dir, "export-local.csv")}
	defer os.Remove(files[0])
	defer os.Remove(files[1])
	if _, err := timeRun(remote.with(files[0])); err != nil {
		return err
	}
	if _, err := timeRun(local.with(files[1])); err != nil {
		return err
	}
	same, err := sameFile(files[0], files[1])
	if err != nil {
		return err
	}
	b.rows = append(b.rows, row{metric: "remote export = local export, byte for byte", value: strconv.FormatBool(same), target: "true", status: met(same)})
	var r, l []sample
	var serverPeak int64
	for i := range b.runs {
		srv.resetPeak()
		s, err := timeRun(remote.with(files[0]))
		if err != nil {
			return err
		}
		serverPeak = max(serverPeak, srv.peak())
		t, err := timeRun(local.with(files[1]))
		if err != nil {
			return err
		}
		r, l = append(r, s), append(l, t)
		progress("export %d/%d: remote %s (client %s, server %s), local %s", i+1, b.runs, fmtDur(s.wall), fmtMB(s.maxRSS), fmtMB(srv.peak()), fmtDur(t.wall))
	}
	b.rows = append(b.rows,
		ratioRow(fmt.Sprintf("remote export to CSV (median of %d) vs local", b.runs), bench.Median(walls(r)), bench.Median(walls(l)), maxRemoteExport),
		memRow("remote export: client peak RSS (max)", peakOf(r), 0, maxExportRSS))
	if serverPeak > 0 {
		b.rows = append(b.rows, memRow("remote export: server peak RSS during the export (max)", serverPeak, 0, maxServerRSS))
	} else {
		b.rows = append(b.rows, skippedRow("remote export: server peak RSS", "this kernel cannot reset a process's peak (clear_refs)"))
	}
	return nil
}

// benchToken makes the bench user (global-admin) and a token of theirs in the workspace.
func (b *harness) benchToken() (string, error) {
	if _, err := output(b.dir, b.pcctl, "--workspace", b.ws, "user", "add", benchUser, "--role", "global-admin"); err != nil {
		return "", err
	}
	out, err := output(b.dir, b.pcctl, "--workspace", b.ws, "token", "create", "--user", benchUser, "--name", "bench", "--expires", "1d")
	if err != nil {
		return "", err
	}
	tok := regexp.MustCompile(`pcctl_[a-z2-7]+`).FindString(out)
	if tok == "" {
		return "", fmt.Errorf("no token in the output of token create: %q", out)
	}
	return tok, nil
}

// server is a running `pcctl serve`.
type server struct {
	cmd *exec.Cmd
	url string
}

func (b *harness) startServer(env ...string) (*server, error) {
	cmd := exec.Command(b.pcctl, "--workspace", b.ws, "serve", "--addr", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = append(b.env[:len(b.env):len(b.env)], env...)
	if b.serverProfile != "" {
		cmd.Env = append(cmd.Env[:len(cmd.Env):len(cmd.Env)], "PCCTL_CPUPROFILE="+b.serverProfile)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := bufio.NewScanner(stderr)
	addr := regexp.MustCompile(`at (https?://[0-9.:]+) `)
	s := &server{cmd: cmd}
	for lines.Scan() {
		if m := addr.FindStringSubmatch(lines.Text()); m != nil {
			s.url = m[1]
			break
		}
	}
	if s.url == "" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("pcctl serve did not say where it listens")
	}
	go io.Copy(io.Discard, stderr) // the access log
	return s, nil
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// resetPeak resets the server's peak RSS (Linux: clear_refs 5); peak reads it (VmHWM).
func (s *server) resetPeak() {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.cmd.Process.Pid), []byte("5"), 0)
}

func (s *server) peak() int64 { return vmHWM(s.cmd.Process.Pid) }

// searchLoad runs serverClients clients, each sending prefix searches one after the
// other on its own keep-alive connection for serverDuration after serverWarmup, and
// returns the rate and latencies of the measured part. The clients speak HTTP/1.1 on raw
// connections (rawClient), as wrk would: the load generator shares the machine's two
// cores with the server, and net/http's client would take a third of them.
func searchLoad(base, token string, prefixes []string) (rate float64, p50, p99 time.Duration, errs int, err error) {
	all, _, errs, err := searchSamples(base, token, prefixes, serverClients, 0)
	if err != nil {
		return 0, 0, 0, errs, err
	}
	return float64(len(all)) / serverDuration.Seconds(), bench.Percentile(all, 50), bench.Percentile(all, 99), errs, nil
}

// searchSamples is searchLoad's load with that many clients, returning the latency of
// every search measured. With a rate (searches per second, all clients together), the
// load is an open loop instead: each client sends its searches on a fixed schedule (client
// c's j-th at (j×clients+c)/rate after the start) whether or not the answers keep up, and
// a search's latency runs from the time it was due, so a server that falls behind is
// charged the wait of the searches queued behind it (no coordinated omission). span is
// the time from the start of the measurement to its last answer: the measured searches
// were answered at len(all)/span a second.
func searchSamples(base, token string, prefixes []string, clients int, rate float64) (all []time.Duration, span time.Duration, errs int, err error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, 0, 0, err
	}
	reqs := make([][]byte, len(prefixes))
	for i, p := range prefixes {
		f, _ := json.Marshal(map[string]string{"Field": "CompanyName", "Value": p, "Operator": "starts_with"})
		target := "/v1/customers?size=20&filter=" + url.QueryEscape(string(f))
		reqs[i] = []byte("GET " + target + " HTTP/1.1\r\nHost: " + u.Host + "\r\nAuthorization: Bearer " + token + "\r\n\r\n")
	}
	// One request first: a failure here is an error, not a figure.
	first, err := dialRaw(u.Host)
	if err != nil {
		return nil, 0, 0, err
	}
	if err := first.do(reqs[0]); err != nil {
		return nil, 0, 0, err
	}
	first.conn.Close()
	// An open loop sends no search due after the end, and waits for the answers of those
	// sent (up to serverDrain): a backlog's last searches are the slowest.
	start := time.Now()
	end := start.Add(serverWarmup + serverDuration)
	deadline := end
	if rate > 0 {
		deadline = end.Add(serverDrain)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	measureFrom := start.Add(serverWarmup)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var dialErr error
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var lastDone time.Time
			failed := 0
			rc, err := dialRaw(u.Host)
			if err != nil {
				mu.Lock()
				dialErr = err
				mu.Unlock()
				return
			}
			defer rc.conn.Close()
			for i := c; ctx.Err() == nil; i += clients {
				t := time.Now()
				if rate > 0 {
					if t = start.Add(time.Duration(float64(i) / rate * float64(time.Second))); !t.Before(end) {
						break
					}
					if wait := time.Until(t); wait > 0 {
						time.Sleep(wait)
					}
				}
				err := rc.do(reqs[i%len(reqs)])
				if ctx.Err() != nil {
					break
				}
				if err != nil {
					failed++
					rc.conn.Close()
					if rc, err = dialRaw(u.Host); err != nil {
						break
					}
					continue
				}
				if t.After(measureFrom) {
					now := time.Now()
					mine = append(mine, now.Sub(t))
					lastDone = now
				}
			}
			mu.Lock()
			all = append(all, mine...)
			errs += failed
			span = max(span, lastDone.Sub(measureFrom), serverDuration)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if dialErr != nil {
		return nil, 0, errs, dialErr
	}
	if len(all) == 0 {
		return nil, 0, errs, fmt.Errorf("no search completed")
	}
	return all, span, errs, nil
}

// rawClient is one keep-alive HTTP/1.1 connection.
type rawClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(host string) (*rawClient, error) {
	c, err := net.Dial("tcp", host)
	if err != nil {
		return nil, err
	}
	return &rawClient{conn: c, r: bufio.NewReaderSize(c, 64<<10)}, nil
}

// do sends a request and reads the whole answer, which must be 200.
func (c *rawClient) do(req []byte) error {
	if _, err := c.conn.Write(req); err != nil {
		return err
	}
	status, err := c.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	ok := bytes.HasPrefix(status, []byte("HTTP/1.1 200 "))
	length, chunked := -1, false
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		k, v, _ := bytes.Cut(bytes.TrimSpace(line), []byte(":"))
		switch strings.ToLower(string(k)) {
		case "content-length":
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		case "transfer-encoding":
			chunked = bytes.Contains(v, []byte("chunked"))
		}
	}
	switch {
	case chunked:
		for {
			line, err := c.r.ReadSlice('\n')
			if err != nil {
				return err
			}
			n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
			if err != nil {
				return fmt.Errorf("bad chunk size %q", line)
			}
			if _, err := c.r.Discard(int(n) + 2); err != nil {
				return err
			}
			if n == 0 {
				break
			}
		}
	case length >= 0:
		if _, err := c.r.Discard(length); err != nil {
			return err
		}
	default:
		return fmt.Errorf("an answer without a length")
	}
	if !ok {
		return fmt.Errorf("answer %q", bytes.TrimSpace(status))
	}
	return nil
}

// freshTerms are up to max different search terms of four and five letters, from the
// generated customers' names, in an order that spreads them.
func freshTerms(n, max int) []string {
	gen := synth.NewCustomers(seed)
	seen := map[string]bool{}
	var out []string
	for i := 0; i < n && len(out) < max; i++ {
		for _, w := range strings.Fields(domain.Fold(gen.Next().CompanyName)) {
			r := []rune(w)
			for _, k := range []int{4, 5} {
				if len(r) >= k && !seen[string(r[:k])] {
					seen[string(r[:k])] = true
					out = append(out, string(r[:k]))
				}
			}
		}
	}
	return out
}

func medianFloat(v []float64) float64 {
	s := append([]float64(nil), v...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}

// sameFile tells whether two files hold the same bytes.
func sameFile(a, b string) (bool, error) {
	x, err := os.ReadFile(a)
	if err != nil {
		return false, err
	}
	y, err := os.ReadFile(b)
	if err != nil {
		return false, err
	}
	return string(x) == string(y), nil
}
