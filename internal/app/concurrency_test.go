//go:build !windows

package app_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The size of TestConcurrentWriters: concProcs pcctl processes at once on one workspace,
// each making concWrites writes one after the other. With -short, concWritesShort.
const (
	concProcs       = 8
	concWrites      = 200
	concWritesShort = 40
	concSharedDeals = 4    // deals every process writes to
	concPool        = 40   // customers every process flags as its own user (more than 30)
	concDealValue   = 1000 // the shared deals' starting value, incremented by one per update
)

var concSeed = flag.Uint64("conc.seed", 0, "seed of TestConcurrentWriters' choices (0: from the clock)")

// concOp is a kind of write.
type concOp int

const (
	opAdd           concOp = iota // customers add
	opFlagOwn                     // customers flag, as the process's own user
	opUnflagOwn                   // customers unflag, as the process's own user
	opFlagShared                  // customers flag, as a user shared by half the processes
	opDealCreate                  // deal create
	opDealUpdate                  // deal update --if-version, on a deal of the process's own
	opDealNote                    // deal note on a shared deal
	opDealIncrement               // deal show, then deal update --value +1 --if-version, retried when stale
	opRequest                     // request new
	numOps
)

var opNames = [numOps]string{"customers add", "customers flag (own user)", "customers unflag (own user)",
	"customers flag (shared user)", "deal create", "deal update --if-version (own deal)", "deal note (shared deal)",
	"deal update --if-version (shared deal, retried)", "request new"}

// opWeights is the mix of writes, in percent. customers add is the slowest (bcrypt).
var opWeights = [numOps]int{10, 25, 3, 10, 8, 8, 14, 10, 12}

// TestConcurrentWriters runs concProcs pcctl processes at once on one local workspace, each
// making concWrites mixed writes one after the other (add customers, flag and unflag them
// as several users, create and update deals, note on deals everyone writes to, file service
// requests), then checks that nothing was lost or doubled:
//
//   - every command exited 0, and none said "database is locked" or busy; a deal update
//     refused as stale (--if-version, exit 4) is read again and retried, as a script would;
//   - every customer, deal and service request added is there exactly once, under its ID;
//   - each process's own user has exactly the flags a model of the 30-flag rule predicts
//     (the 31st flag unflags the one flagged longest ago), and each notice said so;
//   - two users shared by four processes each flagged many more than 30 customers: each
//     keeps exactly 30, every other one was unflagged exactly once with a notice, and none
//     was kept while one flagged after it had finished was unflagged;
//   - every note added to the shared deals is there once, every +1 update of their value
//     counts (value = start + updates), and their version is 1 + the number of changes.
//
// pcctl is the real binary, one process per command. The seed of the random choices is
// logged; -conc.seed=N replays a run's choices (not its timing).
func TestConcurrentWriters(t *testing.T) {
	writes := concWrites
	if testing.Short() {
		writes = concWritesShort
	}
	runConcurrentWriters(t, concProcs, writes, false)
}

// TestConcurrentClients is TestConcurrentWriters against a server: `pcctl serve` on the
// workspace, and concClients pcctl processes at once using it through PCCTL_ENDPOINT,
// each user with their own access token, each making concClientWrites writes (as many
// writes in all as the local test). The checks are the same, made on the file itself
// once the server has stopped; the server must also have stopped cleanly on SIGTERM and
// never logged a token.
func TestConcurrentClients(t *testing.T) {
	writes := concClientWrites
	if testing.Short() {
		writes = concWritesShort / 4
	}
	runConcurrentWriters(t, concClients, writes, true)
}

const (
	concClients      = 32
	concClientWrites = 50
)

func runConcurrentWriters(t *testing.T, procs, writes int, remote bool) {
	seed := *concSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("%d processes × %d writes; seed %d (rerun with -conc.seed=%d)", procs, writes, seed, seed)

	p := buildPcctl(t)
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	base := withEnv(p.env, "PCCTL_WORKSPACE="+ws, "PCCTL_USER=admin@contoso.test")
	concProcs := procs

	// Every process's plan, drawn first: the seed data depends on it.
	plans := make([][]concOp, concProcs)
	sharedFlags := make([]int, concProcs)
	for i := range plans {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		for range writes {
			op := pickOp(rng)
			plans[i] = append(plans[i], op)
			if op == opFlagShared {
				sharedFlags[i]++
			}
		}
	}

	// Seed data: the flag pool, each process's customers to flag as a shared user, the
	// customer of every deal and request, and the shared deals.
	var csv strings.Builder
	csv.WriteString("companyName,domain,country\n")
	for j := range concPool {
		fmt.Fprintf(&csv, "Pool %02d,pool-%02d.example,FR\n", j, j)
	}
	for i := range concProcs {
		for j := range sharedFlags[i] {
			fmt.Fprintf(&csv, "Shared P%d %03d,sp%d-%03d.example,DE\n", i, j, i, j)
		}
	}
	csv.WriteString("Deal Co,dealco.example,GB\n")
	if err := os.WriteFile(filepath.Join(dir, "seed.csv"), []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	p.expect(t, procOpts{env: base, dir: dir}, 0, "customers", "import", "seed.csv")
	seeded := countRows(t, ws, "customers")
	shared := make([]string, concSharedDeals)
	for k := range shared {
		r := p.expect(t, procOpts{env: base}, 0, "deal", "create", "--name", fmt.Sprintf("Shared deal %d", k),
			"--customer", "dealco.example", "--value", strconv.Itoa(concDealValue), "--currency", "EUR", "--solution", "shared-sol")
		shared[k] = strings.TrimSpace(r.stdout)
	}

	workerEnv, tokens := base, map[string]string(nil)
	var srv *serveProc
	if remote {
		users := []string{"admin@contoso.test", "shared0@contoso.test", "shared1@contoso.test"}
		for i := range procs {
			users = append(users, fmt.Sprintf("own%d@contoso.test", i))
		}
		tokens = provisionTokens(t, ws, users)
		srv = startServe(t, p, base)
		workerEnv = withEnv(base, "PCCTL_ENDPOINT="+srv.url)
	}

	logs := make([]*concLog, concProcs)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range concProcs {
		logs[i] = &concLog{proc: i, own: map[string]*concDeal{}}
		wg.Go(func() {
			w := &concWorker{p: p, env: workerEnv, tokens: tokens, proc: i, shared: shared, log: logs[i],
				rng: rand.New(rand.NewPCG(seed, 1000+uint64(i)))}
			w.run(plans[i])
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if srv != nil {
		srv.stop(t, tokens)
	}

	var total, invocations, retries int
	var counts [numOps]int
	failed := false
	for _, l := range logs {
		total += l.writes
		invocations += l.invocations
		retries += l.retries
		for k, n := range l.counts {
			counts[k] += n
		}
		for _, e := range l.errors {
			t.Errorf("process %d: %s", l.proc, e)
			failed = true
		}
	}
	t.Logf("%d writes (%d pcctl invocations, %d stale --if-version refusals retried) by %d processes in %v",
		total, invocations, retries, concProcs, elapsed.Round(time.Millisecond))
	for k, n := range counts {
		t.Logf("  %5d × %s", n, opNames[k])
	}
	if failed {
		t.FailNow()
	}
	if want := concProcs * writes; total != want {
		t.Fatalf("%d writes made, want %d", total, want)
	}

	p.mustBeSound(t, base)
	integrityCheck(t, ws)
	checkCustomers(t, p, base, seeded, logs)
	checkOwnFlags(t, p, base, logs)
	checkSharedFlags(t, p, base, logs)
	checkDeals(t, p, base, shared, logs)
	checkRequests(t, p, base, logs)
}

func pickOp(rng *rand.Rand) concOp {
	n := rng.IntN(100)
	for op, w := range opWeights {
		if n < w {
			return concOp(op)
		}
		n -= w
	}
	panic("opWeights do not add up to 100")
}

// concLog is what one process did, for the checks at the end.
type concLog struct {
	proc                         int
	writes, invocations, retries int
	ownEvictions                 int // flags of the own user that unflagged another
	counts                       [numOps]int
	errors                       []string

	customers map[string]string // ID → domain of the customers added
	ownFlags  []string          // the model: the own user's flagged domains, oldest first
	flagged   []flagEvent       // flags as the shared user
	own       map[string]*concDeal
	notes     []concNote
	increment map[string]int // shared deal → +1 updates made
	requests  map[string]string
}

type concDeal struct {
	name    string
	version int
	value   int
}

type concNote struct{ deal, text string }

// flagEvent is one flag of a fresh customer by a shared user: when the command ran and
// which customer it unflagged, if any.
type flagEvent struct {
	domain, evicted string
	start, end      time.Time
}

// concWorker is one process's sequence of pcctl invocations.
type concWorker struct {
	p      *pcctlBinary
	env    []string
	tokens map[string]string // each user's access token, against a server; nil for a local workspace
	proc   int
	shared []string
	log    *concLog
	rng    *rand.Rand
	added  []string // domains of the customers this process added
	nextSP int
}

func (w *concWorker) ownUser() string    { return fmt.Sprintf("own%d@contoso.test", w.proc) }
func (w *concWorker) sharedUser() string { return fmt.Sprintf("shared%d@contoso.test", w.proc%2) }

func (w *concWorker) run(plan []concOp) {
	l := w.log
	l.customers, l.increment, l.requests = map[string]string{}, map[string]int{}, map[string]string{}
	for k, op := range plan {
		if op == opDealUpdate && len(l.own) == 0 {
			op = opDealCreate // nothing of its own to update yet
		}
		if op == opUnflagOwn && len(l.ownFlags) == 0 {
			op = opFlagOwn
		}
		if err := w.do(k, op); err != nil {
			l.errors = append(l.errors, fmt.Sprintf("write %d (%s): %v", k, opNames[op], err))
			return // the rest would only repeat the problem
		}
		l.writes++
		l.counts[op]++
	}
}

// pcctl runs one command as user, and returns its result unless it failed: exit code not
// want, or a busy word on stderr.
func (w *concWorker) pcctl(user string, want int, args ...string) (procResult, error) {
	w.log.invocations++
	env := withEnv(w.env, "PCCTL_USER="+user)
	if w.tokens != nil {
		env = withEnv(env, "PCCTL_TOKEN="+w.tokens[user])
	}
	r, err := w.p.runProc(procOpts{env: env, timeout: 2 * time.Minute}, args...)
	if err != nil {
		return r, err
	}
	if b := busyText(r.stderr); b != "" {
		return r, fmt.Errorf("stderr says %q: %s", b, r)
	}
	if r.code != want {
		return r, fmt.Errorf("want exit code %d: %s", want, r)
	}
	return r, nil
}

var (
	evictedRe = regexp.MustCompile(`(?m)^Unflagged .* \(([a-z0-9.-]+)\), flagged longest ago \([0-9: -]+\): you may flag at most 30 customers\.$`)
	staleRe   = regexp.MustCompile(`^Error: deal [0-9a-f-]+ changed since version \d+ \(it is at version \d+\): show it again and retry\n$`)
)

func (w *concWorker) do(k int, op concOp) error {
	l := w.log
	switch op {
	case opAdd:
		dom := fmt.Sprintf("p%d-c%03d.example", w.proc, k)
		r, err := w.pcctl(w.ownUser(), 0, "customers", "add", "--name", fmt.Sprintf("P%d Customer %03d", w.proc, k),
			"--domain", dom, "--country", "FR", "--format", "json", "--fields", "id,domain")
		if err != nil {
			return err
		}
		var c struct{ ID, Domain string }
		if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || c.Domain != dom || c.ID == "" {
			return fmt.Errorf("unexpected output (%v): %s", err, r)
		}
		l.customers[c.ID] = dom
		w.added = append(w.added, dom)

	case opFlagOwn:
		dom := w.pickOwnCustomer()
		r, err := w.pcctl(w.ownUser(), 0, "customers", "flag", dom)
		if err != nil {
			return err
		}
		// The model of the rule: flagging a flagged customer changes nothing; the 31st
		// flag unflags the one flagged longest ago.
		var want string
		switch {
		case slices.Contains(l.ownFlags, dom):
			want = "is already flagged."
		case len(l.ownFlags) == 30:
			evicted := l.ownFlags[0]
			l.ownFlags = append(l.ownFlags[1:], dom)
			l.ownEvictions++
			m := evictedRe.FindStringSubmatch(r.stderr)
			if m == nil || m[1] != evicted {
				return fmt.Errorf("flagging a 31st customer should unflag %s, flagged longest ago: %s", evicted, r)
			}
			want = "Flagged "
		default:
			l.ownFlags = append(l.ownFlags, dom)
			want = "Flagged "
			if evictedRe.MatchString(r.stderr) {
				return fmt.Errorf("a flag under the cap unflagged a customer: %s", r)
			}
		}
		if !strings.Contains(r.stderr, want) {
			return fmt.Errorf("stderr lacks %q: %s", want, r)
		}

	case opUnflagOwn:
		dom := l.ownFlags[w.rng.IntN(len(l.ownFlags))]
		if _, err := w.pcctl(w.ownUser(), 0, "customers", "unflag", dom); err != nil {
			return err
		}
		l.ownFlags = slices.DeleteFunc(l.ownFlags, func(d string) bool { return d == dom })

	case opFlagShared:
		dom := fmt.Sprintf("sp%d-%03d.example", w.proc, w.nextSP)
		w.nextSP++
		r, err := w.pcctl(w.sharedUser(), 0, "customers", "flag", dom)
		if err != nil {
			return err
		}
		ev := flagEvent{domain: dom, start: r.start, end: r.end}
		if m := evictedRe.FindStringSubmatch(r.stderr); m != nil {
			ev.evicted = m[1]
		}
		l.flagged = append(l.flagged, ev)

	case opDealCreate:
		name := fmt.Sprintf("P%d deal %03d", w.proc, k)
		r, err := w.pcctl(w.ownUser(), 0, "deal", "create", "--name", name, "--customer", "dealco.example",
			"--value", "100", "--currency", "USD", "--solution", fmt.Sprintf("sol-p%d", w.proc))
		if err != nil {
			return err
		}
		id := strings.TrimSpace(r.stdout)
		if id == "" || strings.Contains(id, "\n") {
			return fmt.Errorf("deal create printed no single ID: %s", r)
		}
		l.own[id] = &concDeal{name: name, version: 1, value: 100}

	case opDealUpdate:
		ids := make([]string, 0, len(l.own))
		for id := range l.own {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		id := ids[w.rng.IntN(len(ids))]
		d := l.own[id]
		r, err := w.pcctl(w.ownUser(), 0, "deal", "update", id, "--value", strconv.Itoa(d.value+1),
			"--if-version", strconv.Itoa(d.version))
		if err != nil {
			return err
		}
		d.value++
		d.version++
		if want := fmt.Sprintf("Updated deal %s (%s): version %d.", id, d.name, d.version); !strings.Contains(r.stderr, want) {
			return fmt.Errorf("stderr lacks %q: %s", want, r)
		}

	case opDealNote:
		id := w.shared[w.rng.IntN(len(w.shared))]
		text := fmt.Sprintf("note %d/%03d", w.proc, k)
		if _, err := w.pcctl(w.ownUser(), 0, "deal", "note", id, text); err != nil {
			return err
		}
		l.notes = append(l.notes, concNote{deal: id, text: text})

	case opDealIncrement:
		id := w.shared[w.rng.IntN(len(w.shared))]
		for attempt := 0; ; attempt++ {
			if attempt == 500 {
				return fmt.Errorf("deal %s: still stale after %d attempts", id, attempt)
			}
			r, err := w.pcctl(w.ownUser(), 0, "deal", "show", id, "--format", "json", "--fields", "version,dealValue")
			if err != nil {
				return err
			}
			var d struct {
				Version   int
				DealValue float64
			}
			if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
				return fmt.Errorf("deal show: %v: %s", err, r)
			}
			r, err = w.pcctl(w.ownUser(), 0, "deal", "update", id, "--value", strconv.Itoa(int(d.DealValue)+1),
				"--if-version", strconv.Itoa(d.Version))
			if err == nil {
				break
			}
			if r.code != 4 || !staleRe.MatchString(r.stderr) || busyText(r.stderr) != "" {
				return err
			}
			l.retries++
		}
		l.increment[id]++

	case opRequest:
		title := fmt.Sprintf("P%d request %03d", w.proc, k)
		r, err := w.pcctl(w.ownUser(), 0, "request", "new", "--customer", "dealco.example", "--title", title,
			"--severity", "minimal")
		if err != nil {
			return err
		}
		ref := strings.TrimSpace(r.stdout)
		if !regexp.MustCompile(`^[1-9][0-9]{14}$`).MatchString(ref) {
			return fmt.Errorf("request new printed no reference number: %s", r)
		}
		l.requests[ref] = title
	}
	return nil
}

// pickOwnCustomer chooses a customer to flag as the process's own user, from the pool or
// those the process added: mostly one not flagged yet, so that the user goes over 30
// flags, sometimes one flagged already.
func (w *concWorker) pickOwnCustomer() string {
	cands := make([]string, 0, concPool+len(w.added))
	for j := range concPool {
		cands = append(cands, fmt.Sprintf("pool-%02d.example", j))
	}
	cands = append(cands, w.added...)
	if len(w.log.ownFlags) > 0 && w.rng.IntN(5) == 0 {
		return w.log.ownFlags[w.rng.IntN(len(w.log.ownFlags))]
	}
	cands = slices.DeleteFunc(cands, func(d string) bool { return slices.Contains(w.log.ownFlags, d) })
	return cands[w.rng.IntN(len(cands))]
}

// ndjson runs a listing command and decodes each line into a map.
func ndjson(t *testing.T, p *pcctlBinary, env []string, args ...string) []map[string]any {
	t.Helper()
	r := p.expect(t, procOpts{env: env, timeout: time.Minute}, 0, args...)
	var out []map[string]any
	for line := range strings.Lines(r.stdout) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%s: line %q: %v", quoteArgs(args), line, err)
		}
		out = append(out, m)
	}
	return out
}

func checkCustomers(t *testing.T, p *pcctlBinary, env []string, seeded int, logs []*concLog) {
	t.Helper()
	got := map[string]int{}
	domains := map[string]string{}
	for _, c := range ndjson(t, p, env, "customers", "export", "--format", "ndjson", "--fields", "id,domain") {
		id := c["id"].(string)
		got[id]++
		domains[id] = c["domain"].(string)
	}
	want := seeded
	for _, l := range logs {
		want += len(l.customers)
		for id, dom := range l.customers {
			if got[id] != 1 || domains[id] != dom {
				t.Errorf("customer %s (%s), added by process %d: %d in the export, domain %q", id, dom, l.proc, got[id], domains[id])
			}
		}
	}
	if len(got) != want {
		t.Errorf("%d customers in the export, want %d (%d seeded and those added)", len(got), want, seeded)
	}
}

func flaggedDomains(t *testing.T, p *pcctlBinary, env []string, user string) []string {
	t.Helper()
	var out []string
	for _, c := range ndjson(t, p, withEnv(env, "PCCTL_USER="+user), "customers", "list", "--view", "flagged",
		"--format", "ndjson", "--fields", "domain") {
		out = append(out, c["domain"].(string))
	}
	slices.Sort(out)
	return out
}

func checkOwnFlags(t *testing.T, p *pcctlBinary, env []string, logs []*concLog) {
	t.Helper()
	for _, l := range logs {
		user := fmt.Sprintf("own%d@contoso.test", l.proc)
		got := flaggedDomains(t, p, env, user)
		want := slices.Sorted(slices.Values(l.ownFlags))
		if len(got) > 30 || !slices.Equal(got, want) {
			t.Errorf("%s has %d flags %v,\nwant the %d the model keeps: %v", user, len(got), got, len(want), want)
		}
		t.Logf("%s: %d flags kept, %d flags over the cap unflagged the oldest", user, len(got), l.ownEvictions)
	}
}

func checkSharedFlags(t *testing.T, p *pcctlBinary, env []string, logs []*concLog) {
	t.Helper()
	for u := range 2 {
		user := fmt.Sprintf("shared%d@contoso.test", u)
		var events []flagEvent
		for _, l := range logs {
			if l.proc%2 == u {
				events = append(events, l.flagged...)
			}
		}
		kept := flaggedDomains(t, p, env, user)
		isKept := map[string]bool{}
		for _, d := range kept {
			isKept[d] = true
		}
		if want := min(30, len(events)); len(kept) != want {
			t.Errorf("%s flagged %d customers and has %d flags, want %d", user, len(events), len(kept), want)
		}
		evicted := map[string]int{}
		flagged := map[string]flagEvent{}
		for _, e := range events {
			flagged[e.domain] = e
			if e.evicted != "" {
				evicted[e.evicted]++
			}
		}
		for _, e := range events {
			switch n := evicted[e.domain]; {
			case isKept[e.domain] && n > 0:
				t.Errorf("%s: %s is still flagged but a notice said it was unflagged", user, e.domain)
			case !isKept[e.domain] && n != 1:
				t.Errorf("%s: %s is no longer flagged, and %d notices said it was unflagged (want 1)", user, e.domain, n)
			}
		}
		for d := range evicted {
			if _, ok := flagged[d]; !ok {
				t.Errorf("%s: a notice unflagged %s, which this user never flagged", user, d)
			}
		}
		// The ones kept are the most recent: none of them was flagged (command ended)
		// before an unflagged one was flagged (command started).
		for d := range evicted {
			x := flagged[d]
			for _, k := range kept {
				if y := flagged[k]; y.end.Before(x.start) {
					t.Errorf("%s: %s was unflagged though flagged after %s (still flagged) had been", user, d, k)
				}
			}
		}
		t.Logf("%s: %d flags by %d processes, %d kept, %d unflagged with a notice", user, len(events), len(logs)/2, len(kept), len(evicted))
	}
}

func checkDeals(t *testing.T, p *pcctlBinary, env []string, shared []string, logs []*concLog) {
	t.Helper()
	type row struct {
		name           string
		version, value int
		n              int
	}
	got := map[string]*row{}
	for _, d := range ndjson(t, p, env, "deal", "list", "--format", "ndjson", "--fields", "id,name,version,dealValue") {
		id := d["id"].(string)
		if got[id] == nil {
			got[id] = &row{name: d["name"].(string), version: int(d["version"].(float64)), value: int(d["dealValue"].(float64))}
		}
		got[id].n++
	}
	want := len(shared)
	for _, l := range logs {
		want += len(l.own)
		for id, d := range l.own {
			g := got[id]
			if g == nil || g.n != 1 || g.name != d.name || g.version != d.version || g.value != d.value {
				t.Errorf("deal %s of process %d: got %+v, want name %q, version %d, value %d, listed once", id, l.proc, g, d.name, d.version, d.value)
			}
		}
	}
	if len(got) != want {
		t.Errorf("%d deals listed, want %d", len(got), want)
	}

	for _, id := range shared {
		var notes []string
		increments := 0
		for _, l := range logs {
			increments += l.increment[id]
			for _, n := range l.notes {
				if n.deal == id {
					notes = append(notes, n.text)
				}
			}
		}
		r := p.expect(t, procOpts{env: env}, 0, "deal", "show", id, "--format", "json")
		var d struct {
			Version   int
			DealValue float64
			Notes     []struct{ Text string }
		}
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
			t.Fatalf("deal show %s: %v", id, err)
		}
		var gotNotes []string
		for _, n := range d.Notes {
			gotNotes = append(gotNotes, n.Text)
		}
		slices.Sort(gotNotes)
		slices.Sort(notes)
		if !slices.Equal(gotNotes, notes) {
			t.Errorf("shared deal %s has %d notes, want the %d added, each once;\ngot  %v\nwant %v", id, len(gotNotes), len(notes), gotNotes, notes)
		}
		if want := concDealValue + increments; int(d.DealValue) != want {
			t.Errorf("shared deal %s: value %v after %d updates of +1, want %d: an update was lost", id, d.DealValue, increments, want)
		}
		if want := 1 + len(notes) + increments; d.Version != want {
			t.Errorf("shared deal %s at version %d after %d notes and %d updates, want %d", id, d.Version, len(notes), increments, want)
		}
		t.Logf("shared deal %s: %d notes, %d updates, version %d", id, len(notes), increments, d.Version)
	}
}

func checkRequests(t *testing.T, p *pcctlBinary, env []string, logs []*concLog) {
	t.Helper()
	got := map[string]int{}
	titles := map[string]string{}
	for _, r := range ndjson(t, p, env, "request", "list", "--status", "all", "--format", "ndjson", "--fields", "id,title") {
		id := r["id"].(string)
		got[id]++
		titles[id] = r["title"].(string)
	}
	want := 0
	for _, l := range logs {
		want += len(l.requests)
		for ref, title := range l.requests {
			if got[ref] != 1 || titles[ref] != title {
				t.Errorf("request %s (%q) of process %d: listed %d times, title %q", ref, title, l.proc, got[ref], titles[ref])
			}
		}
	}
	if len(got) != want {
		t.Errorf("%d service requests listed, want %d", len(got), want)
	}
}

// TestConcurrentFirstUse starts concProcs pcctl processes at once on a workspace that does
// not exist yet (half of them adding a customer, half migrating it), several times: each must succeed, exactly
// one says it created the workspace, every customer added is there, and the workspace is
// sound. (It found that a process could find the new workspace foreign, between two reads
// of its header, and then remove the file the others had written to.)
// concFirstUseRounds is how many new workspaces TestConcurrentFirstUse starts on.
var concFirstUseRounds = 10

func TestConcurrentFirstUse(t *testing.T) {
	p := buildPcctl(t)
	dir := t.TempDir()
	for round := range concFirstUseRounds {
		ws := filepath.Join(dir, fmt.Sprintf("ws%d.db", round))
		env := withEnv(p.env, "PCCTL_WORKSPACE="+ws)
		results := make([]procResult, concProcs)
		errs := make([]error, concProcs)
		var wg sync.WaitGroup
		for i := range concProcs {
			// Commands that write: one that only reads does not create a workspace named
			// explicitly (exit 3, first_contact_exit.txtar).
			args := []string{"workspace", "migrate"}
			if i%2 == 1 {
				args = []string{"customers", "add", "--name", fmt.Sprintf("First %d", i), "--domain",
					fmt.Sprintf("first%d.example", i), "--country", "FR"}
			}
			wg.Go(func() { results[i], errs[i] = p.runProc(procOpts{env: env}, args...) })
		}
		wg.Wait()
		created := 0
		for i, r := range results {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if r.code != 0 || busyText(r.stderr) != "" {
				t.Errorf("round %d: %s", round, r)
			}
			created += strings.Count(r.stderr, "Created a new workspace at ")
		}
		if created != 1 {
			t.Errorf("round %d: %d processes said they created the workspace, want 1", round, created)
		}
		p.mustBeSound(t, env)
		if n := countRows(t, ws, "customers"); n != concProcs/2 {
			t.Errorf("round %d: %d customers, want the %d added", round, n, concProcs/2)
		}
		if t.Failed() {
			return
		}
	}
}
