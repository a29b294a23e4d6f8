package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/bench"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
)

// Targets of pcctl sync (issue 17), against the stand-in answering at once.
const (
	syncFirstCustomers = 100000
	syncFirstDeals     = 20000
	maxSyncFirst       = 60 * time.Second
	syncResyncChanged  = 100 // one customer in this many changes between the syncs (1%)
	maxSyncResync      = 15 * time.Second
	maxSyncRSS         = 150 << 20
)

func syncCustomer(i int) api.Customer {
	id := fmt.Sprintf("5c000000-0000-4000-8000-%012d", i)
	return api.Customer{ID: id, CompanyProfile: api.CompanyProfile{TenantID: id, Domain: fmt.Sprintf("client%d.onmicrosoft.com", i),
		CompanyName: fmt.Sprintf("Client Company %d", i)}, RelationshipToPartner: "reseller",
		BillingProfile: &api.BillingProfile{DefaultAddress: api.Address{Country: "US"}}}
}

// syncEnv is the environment of a pcctl signed in to the stand-in with a given token,
// its config and sign-in under dir.
func (b *harness) syncEnv(s *pctest.Server, dir, ws string) ([]string, error) {
	env := append(append([]string(nil), b.env...), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"PCCTL_PARTNER_CENTER_URL="+s.URL, "PCCTL_REFERRALS_URL="+s.URL, "PCCTL_WORKSPACE="+ws)
	cmd := exec.Command(b.pcctl, "auth", "login", "--with-token")
	cmd.Env, cmd.Stdin = env, strings.NewReader("bench-token\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pcctl auth login: %v\n%s", err, out)
	}
	return env, nil
}

// measureSync times pcctl sync: a first sync of 100,000 customers with one subscription
// each and 20,000 deals into an empty workspace, then the customers re-sync of -n
// customers (a million by default) of which 1% changed, each max(3, runs/2) times (the
// medians), and a dry run of the re-sync.
func (b *harness) measureSync() error {
	dir := filepath.Join(b.dir, "sync")
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// First sync: customers, resellers and subscriptions.
	s := pctest.New(false)
	defer s.Close()
	s.PageSize = 1000
	cs := make([]api.Customer, syncFirstCustomers)
	for i := range cs {
		cs[i] = syncCustomer(i)
		s.SetSubscriptions(cs[i].ID, []api.Subscription{{ID: fmt.Sprintf("5b000000-0000-4000-8000-%012d", i), OfferName: "Microsoft 365 E3",
			Quantity: 1 + i%50, Status: "active", PartnerID: "4847383", CreationDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}})
	}
	s.SetCustomers(cs)
	s.SetResellers([]api.Reseller{{ID: "r1", Name: "First Up Consultants", MPNID: "4847383"}})
	when := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	refs := make([]api.Referral, syncFirstDeals)
	for i := range refs {
		refs[i] = api.Referral{ID: fmt.Sprintf("4ef00000-0000-4000-8000-%012d", i), EngagementID: fmt.Sprintf("e0000000-0000-4000-8000-%012d", i),
			Name: fmt.Sprintf("Opportunity %d", i), Status: api.Named("Active"), Substatus: api.Named("Accepted"), Type: api.Named("Independent"),
			Direction: api.Named("Outgoing"), CreatedDateTime: &when, UpdatedDateTime: &when,
			CustomerProfile: &api.ReferralCustomerProfile{Name: fmt.Sprintf("Prospect %d", i%5000), Address: &api.ReferralAddress{Country: "US"}},
			Details: &api.ReferralDetails{DealValue: "25000", Currency: "USD",
				Requirements: &api.ReferralRequirements{Solutions: []api.ReferralSolution{{ID: "SOL-Microsoft365", Name: "Microsoft365"}}}}}
	}
	s.SetReferrals(refs)
	// Each run into a new workspace (its own sign-in: the same stand-in).
	runs := importRuns(b.runs)
	var firsts []sample
	for run := range runs {
		ws := filepath.Join(dir, fmt.Sprintf("first%d.db", run))
		env, err := b.syncEnv(s, dir, ws)
		if err != nil {
			return err
		}
		first, err := timeRun(command{path: b.pcctl, args: []string{"sync"}, env: b.profiled(env, "first")})
		if err != nil {
			return err
		}
		progress("first sync of %d customers with their subscriptions and %d deals: %s (%s, CPU %s)", syncFirstCustomers, syncFirstDeals, fmtDur(first.wall), fmtMB(first.maxRSS), fmtDur(first.cpu))
		firsts = append(firsts, first)
		_ = os.Remove(ws)
	}
	b.rows = append(b.rows,
		limitRow(fmt.Sprintf("pcctl sync, first: %s customers (a subscriptions page each), %s deals, 4 in flight (median of %d)", thousands(syncFirstCustomers), thousands(syncFirstDeals), runs), bench.Median(walls(firsts)), maxSyncFirst),
		memRow("pcctl sync, first: peak RSS (max)", peakOf(firsts), 0, maxSyncRSS),
		infoRow("pcctl sync, first: CPU time of pcctl, user + system (median)", bench.Median(cpus(firsts))))
	s.Close()

	// Re-sync of -n customers, 1% changed.
	s = pctest.New(false)
	defer s.Close()
	cs = make([]api.Customer, b.n)
	for i := range cs {
		cs[i] = syncCustomer(i)
	}
	s.SetCustomers(cs)
	ws := filepath.Join(dir, "resync.db")
	env, err := b.syncEnv(s, dir, ws)
	if err != nil {
		return err
	}
	load, err := timeRun(command{path: b.pcctl, args: []string{"sync", "customers"}, env: b.profiled(env, "load")})
	if err != nil {
		return err
	}
	progress("sync of %d customers into an empty workspace: %s (%s, CPU %s)", b.n, fmtDur(load.wall), fmtMB(load.maxRSS), fmtDur(load.cpu))
	b.rows = append(b.rows, infoRow(fmt.Sprintf("pcctl sync customers, %s into an empty workspace", thousands(b.n)), load.wall))
	// Each run renames another 1% (a new name per run), so each finds 1% changed.
	var resyncs []sample
	for run := range runs {
		for i := 0; i < b.n; i += syncResyncChanged {
			c := syncCustomer(i)
			c.CompanyProfile.CompanyName = fmt.Sprintf("Renamed Company %d (%d)", i, run)
			cs[i] = c
		}
		s.SetCustomers(cs)
		out := filepath.Join(dir, "resync.json")
		resync, err := timeRun(command{path: b.pcctl, args: []string{"sync", "customers", "--format", "json"}, env: b.profiled(env, "resync"), stdout: out})
		if err != nil {
			return err
		}
		summary, _ := os.ReadFile(out)
		progress("re-sync of %d customers, 1%% changed: %s (%s, CPU %s): %s", b.n, fmtDur(resync.wall), fmtMB(resync.maxRSS), fmtDur(resync.cpu), strings.Join(strings.Fields(string(summary)), ""))
		resyncs = append(resyncs, resync)
	}
	b.rows = append(b.rows,
		limitRow(fmt.Sprintf("pcctl sync customers, re-sync of %s with 1%% changed (median of %d)", thousands(b.n), runs), bench.Median(walls(resyncs)), maxSyncResync),
		memRow("pcctl sync customers, re-sync: peak RSS (max)", peakOf(resyncs), 0, maxSyncRSS),
		infoRow("pcctl sync customers, re-sync: CPU time of pcctl, user + system (median)", bench.Median(cpus(resyncs))))
	// A dry run of the same pass: it writes nothing, holding the IDs it saw in memory.
	dry, err := timeRun(command{path: b.pcctl, args: []string{"sync", "customers", "--dry-run"}, env: env})
	if err != nil {
		return err
	}
	progress("dry run of the re-sync of %d customers: %s (%s, CPU %s)", b.n, fmtDur(dry.wall), fmtMB(dry.maxRSS), fmtDur(dry.cpu))
	b.rows = append(b.rows, infoRow(fmt.Sprintf("pcctl sync customers --dry-run, %s", thousands(b.n)), dry.wall),
		memRow("pcctl sync customers --dry-run: peak RSS", dry.maxRSS, 0, 0))
	b.notes = append(b.notes, fmt.Sprintf("sync: the stand-in runs in pcctl-bench itself, on the same cores as pcctl; load average at the end %s", loadAverage()))
	return nil
}

// profiled returns env with PCCTL_CPUPROFILE set for the run named run when
// -sync-cpuprofile asks for profiles.
func (b *harness) profiled(env []string, run string) []string {
	if b.syncProfile == "" {
		return env
	}
	return append(env[:len(env):len(env)], "PCCTL_CPUPROFILE="+b.syncProfile+"-"+run+".prof")
}

func cpus(samples []sample) []time.Duration {
	out := make([]time.Duration, len(samples))
	for i, s := range samples {
		out[i] = s.cpu
	}
	return out
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
