package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
	defer srv.stop()

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
	medRate := medianFloat(rates)
	b.rows = append(b.rows,
		row{metric: fmt.Sprintf("server: %d clients searching, requests/s (median of %d × %s)", serverClients, runs, serverDuration),
			value: fmt.Sprintf("%.0f", medRate), target: fmt.Sprintf("≥ %d", minServerRate), status: met(medRate >= minServerRate)},
		limitRow("server: search latency p99 (median of the runs)", bench.Median(p99s), maxServerP99),
		infoRow("server: search latency p50", bench.Median(p50s)))

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

func (b *harness) startServer() (*server, error) {
	cmd := exec.Command(b.pcctl, "--workspace", b.ws, "serve", "--addr", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = b.env
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

func (s *server) peak() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// searchLoad runs serverClients clients, each sending prefix searches one after the
// other for serverDuration after serverWarmup, and returns the rate and latencies of
// the measured part.
func searchLoad(base, token string, prefixes []string) (rate float64, p50, p99 time.Duration, errs int, err error) {
	tr := &http.Transport{MaxIdleConns: serverClients * 2, MaxIdleConnsPerHost: serverClients * 2, MaxConnsPerHost: serverClients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	urls := make([]string, len(prefixes))
	for i, p := range prefixes {
		f, _ := json.Marshal(map[string]string{"Field": "CompanyName", "Value": p, "Operator": "starts_with"})
		urls[i] = base + "/v1/customers?size=20&filter=" + url.QueryEscape(string(f))
	}
	// One request first: a failure here is an error, not a figure.
	if err := get(client, urls[0], token); err != nil {
		return 0, 0, 0, 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), serverWarmup+serverDuration)
	defer cancel()
	start := time.Now()
	measureFrom := start.Add(serverWarmup)
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	for c := range serverClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			failed := 0
			for i := c; ctx.Err() == nil; i += serverClients {
				t := time.Now()
				err := get(client, urls[i%len(urls)], token)
				if ctx.Err() != nil {
					break
				}
				if err != nil {
					failed++
					continue
				}
				if t.After(measureFrom) {
					mine = append(mine, time.Since(t))
				}
			}
			mu.Lock()
			all = append(all, mine...)
			errs += failed
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(all) == 0 {
		return 0, 0, 0, errs, fmt.Errorf("no search completed")
	}
	return float64(len(all)) / serverDuration.Seconds(), bench.Percentile(all, 50), bench.Percentile(all, 99), errs, nil
}

func get(c *http.Client, u, token string) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
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
