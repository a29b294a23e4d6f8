package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/workspace/postgres/pgtest"
)

// restartClusterEnv names a PostgreSQL cluster made by .ci/pg-cluster that
// TestServersSurviveDatabaseRestart may stop and start (.ci/run starts one for it, apart
// from the cluster the other tests use while it runs). A server of one's own is never
// restarted by the tests.
const restartClusterEnv = "PCCTL_TEST_PG_RESTART_CLUSTER"

const restartSkipMessage = "\n*** TestServersSurviveDatabaseRestart SKIPPED: " + restartClusterEnv + " is not set. It restarts\n" +
	"*** PostgreSQL for real: give it a cluster of its own made by .ci/pg-cluster start DIR PORT (.ci/run does). ***\n"

// unavailableMsg is what a request that needs the database says while it cannot be reached.
const unavailableMsg = "the workspace database cannot be reached just now; retry shortly"

// TestServersSurviveDatabaseRestart: two servers on one database under a load of writes;
// PostgreSQL is stopped (a fast shutdown, as a restart or a failover does) and started
// again. While it is down, every request that needs it is answered 503 with Retry-After
// and a clear message, which the client prints and exits 1 on (a write at once, a read
// after its retries); writes under way fail with that message or succeed, never with an
// internal error. Once it is up the servers answer again without being restarted, and
// every write a client saw succeed is in the database.
func TestServersSurviveDatabaseRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := os.Getenv(restartClusterEnv)
	if dir == "" {
		fmt.Fprint(os.Stderr, restartSkipMessage)
		t.Skip(restartSkipMessage)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "url"))
	if err != nil {
		t.Fatalf("%s=%s: not a cluster made by .ci/pg-cluster start (%v)", restartClusterEnv, dir, err)
	}
	dbURL := strings.TrimSpace(string(raw))
	script, err := filepath.Abs(filepath.Join("..", "..", ".ci", "pg-cluster"))
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	cluster := func(verb string) {
		t.Helper()
		if out, err := exec.Command(script, verb, dir).CombinedOutput(); err != nil {
			t.Fatalf(".ci/pg-cluster %s %s: %v\n%s", verb, dir, err, out)
		}
		down.Store(verb == "down")
	}
	t.Cleanup(func() { // never leave the cluster down
		if down.Load() {
			exec.Command(script, "up", dir).Run()
		}
	})

	dsn := pgtest.WithSchema(t, dbURL, fmt.Sprintf("restart%d", os.Getpid()))
	p := buildPcctl(t)
	ws := filepath.Join(t.TempDir(), "ws.db")
	const admin = "admin@contoso.test"
	base := withEnv(p.env, "PCCTL_WORKSPACE="+ws, "PCCTL_USER="+admin)
	tokens := provisionTokens(t, ws, []string{admin})
	p.expect(t, procOpts{env: base, timeout: time.Minute}, 0, "workspace", "copy", ws, dsn)
	dbEnv := withEnv(base, "PCCTL_DATABASE_URL="+dsn)
	srvs := []*serveProc{startServe(t, p, dbEnv), startServe(t, p, dbEnv)}
	client := func(srv *serveProc) []string {
		return withEnv(base, "PCCTL_ENDPOINT="+srv.url, "PCCTL_TOKEN="+tokens[admin])
	}

	// The load: clients adding customers one after another, through both servers, until
	// told to stop.
	type outcome struct {
		domain string
		ok     bool
		msg    string
	}
	const clients = 4
	var stop atomic.Bool
	var okAdds atomic.Int64
	results := make([][]outcome, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				dom := fmt.Sprintf("r%d-%04d.example", c, i)
				r, err := p.runProc(procOpts{env: client(srvs[(c+i)%2]), timeout: time.Minute},
					"customers", "add", "--name", "R "+dom, "--domain", dom, "--country", "FR")
				if err != nil {
					t.Error(err)
					return
				}
				results[c] = append(results[c], outcome{domain: dom, ok: r.code == 0, msg: r.stderr})
				if r.code == 0 {
					okAdds.Add(1)
				} else {
					time.Sleep(100 * time.Millisecond) // as a user would, before trying again
				}
			}
		})
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				stop.Store(true)
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	waitFor("the first adds", func() bool { return okAdds.Load() >= 2*clients })

	// PostgreSQL goes down mid-load.
	cluster("down")
	t.Logf("PostgreSQL stopped after %d adds", okAdds.Load())
	for i, srv := range srvs {
		// The answer itself: 503, Retry-After, the message, as JSON.
		filter := url.QueryEscape(`{"Field":"CompanyName","Value":"r0","Operator":"starts_with"}`)
		req, _ := http.NewRequest("GET", srv.url+"/v1/customers?filter="+filter, nil)
		req.Header.Set("Authorization", "Bearer "+tokens[admin])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("server %d while PostgreSQL is down: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct{ Code, Description string }
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			json.Unmarshal(body, &e) != nil || e.Description != unavailableMsg {
			t.Errorf("server %d while PostgreSQL is down: %s, Retry-After %q, %s; want 503, Retry-After, %q",
				i, resp.Status, resp.Header.Get("Retry-After"), bytes.TrimSpace(body), unavailableMsg)
		}
		// The health check does not ask the database: a balancer keeps the server.
		if resp, err := http.Get(srv.url + "/healthz"); err != nil {
			t.Errorf("server %d: /healthz while PostgreSQL is down: %v", i, err)
		} else {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("server %d: /healthz while PostgreSQL is down: %s, want 200", i, resp.Status)
			}
		}
		// Through the client: a write fails at once.
		dom := fmt.Sprintf("down%d.example", i)
		r := p.expect(t, procOpts{env: client(srv)}, cmdutil.ExitFailure, "customers", "add", "--name", "Down", "--domain", dom, "--country", "FR")
		if got := errLine(r.stderr); got != "Error: "+unavailableMsg {
			t.Errorf("customers add while PostgreSQL is down: %q, want %q", got, "Error: "+unavailableMsg)
		}
	}
	// A read is retried (Retry-After) and, the database still down, fails the same way.
	r := p.expect(t, procOpts{env: client(srvs[0]), timeout: time.Minute}, cmdutil.ExitFailure, "customers", "search", "r0")
	if got := errLine(r.stderr); got != "Error: "+unavailableMsg {
		t.Errorf("customers search while PostgreSQL is down: %q, want %q", got, "Error: "+unavailableMsg)
	}
	t.Logf("customers search gave up after %s of retries", r.end.Sub(r.start).Round(100*time.Millisecond))

	// PostgreSQL comes back: both servers answer again, without being restarted.
	cluster("up")
	before := okAdds.Load()
	for i, srv := range srvs {
		waitFor(fmt.Sprintf("server %d to answer again", i), func() bool {
			r, err := p.runProc(procOpts{env: client(srv)}, "customers", "add", "--name", "Back", "--domain", fmt.Sprintf("back%d.example", i), "--country", "FR")
			return err == nil && r.code == 0
		})
		if srv.cmd.ProcessState != nil {
			t.Fatalf("server %d exited: %s", i, srv.logText())
		}
	}
	waitFor("the load to go on", func() bool { return okAdds.Load() >= before+2*clients })
	stop.Store(true)
	wg.Wait()

	// Every add a client saw succeed is there; every failure said why.
	out := p.expect(t, procOpts{env: client(srvs[1]), timeout: time.Minute}, 0, "customers", "export", "--format", "csv")
	failures := map[string]int{}
	n := 0
	for _, rs := range results {
		for _, r := range rs {
			if !r.ok {
				if msg := errLine(r.msg); msg != "Error: "+unavailableMsg {
					t.Errorf("%s failed unclearly: %s", r.domain, r.msg)
				} else {
					failures[msg]++
				}
				continue
			}
			n++
			if !strings.Contains(out.stdout, ","+r.domain+",") {
				t.Errorf("%s was added (exit 0) but is not in the database", r.domain)
			}
		}
	}
	for _, d := range []string{"back0.example", "back1.example"} {
		if !strings.Contains(out.stdout, ","+d+",") {
			t.Errorf("%s was added after the restart but is not in the database", d)
		}
	}
	t.Logf("%d adds succeeded; failures: %v", n, failures)
	for _, srv := range srvs {
		srv.stop(t, tokens)
	}
}

// errLine is the first line of what a command wrote to stderr.
func errLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}
