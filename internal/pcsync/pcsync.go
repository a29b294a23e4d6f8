// Package pcsync brings a workspace up to date from Partner Center: it pulls pages through
// partnercenter and hands each to the workspace's ApplySync (one call, one transaction per
// page), with the resume point after it, so an interrupted sync leaves what it committed
// consistent and the next one continues from there.
package pcsync

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Options tune a sync.
type Options struct {
	// Kinds to sync (all when empty), run in the order of workspace.SyncKinds.
	Kinds []workspace.SyncKind
	// DryRun fetches and counts, writing nothing.
	DryRun bool
	// Full starts every pass over, forgetting where an interrupted one stopped.
	Full bool
	// Concurrency is how many customers' subscriptions are read at once (default 4; the
	// client bounds the requests in flight too).
	Concurrency int
	// SubscriptionBatch is how many customers' subscriptions one step writes (default 200).
	SubscriptionBatch int
	// Progress, when set, is told how far a kind is: done of total (total 0 when unknown).
	Progress func(kind workspace.SyncKind, done, total int)
}

// Result is what a sync did.
type Result struct {
	Tenant, TenantName string
	Kinds              []KindResult
}

// KindResult is what a sync did to one kind; Resumed tells it went on from an interrupted
// pass, whose counts are included.
type KindResult struct {
	Kind    workspace.SyncKind
	Counts  workspace.SyncCounts
	Resumed bool
}

// Run syncs ws from pc.
func Run(ctx context.Context, ws workspace.Workspace, pc *partnercenter.Client, opts Options) (Result, error) {
	var res Result
	kinds := opts.Kinds
	if len(kinds) == 0 {
		kinds = workspace.SyncKinds
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.SubscriptionBatch <= 0 {
		opts.SubscriptionBatch = 200
	}
	if opts.Progress == nil {
		opts.Progress = func(workspace.SyncKind, int, int) {}
	}
	profile, err := pc.OrganizationProfile(ctx)
	if err != nil {
		return res, err
	}
	res.Tenant, res.TenantName = profile.TenantID, profile.CompanyName
	st, err := ws.SyncState(ctx)
	if err != nil {
		return res, err
	}
	if st.Tenant != "" && !strings.EqualFold(st.Tenant, res.Tenant) {
		// Refused before anything is read; the workspace refuses it again on every step.
		_, err := ws.ApplySync(ctx, workspace.SyncStep{Kind: workspace.SyncCustomers, Tenant: res.Tenant, TenantName: res.TenantName, DryRun: true})
		if err == nil {
			err = &domain.RuleError{Rule: "one-partner-tenant", Msg: "this workspace is linked to another partner tenant"}
		}
		return res, err
	}
	r := &runner{ws: ws, pc: pc, opts: opts, tenant: res.Tenant, name: res.TenantName, state: st}
	for _, k := range workspace.SyncKinds {
		if !slices.Contains(kinds, k) {
			continue
		}
		kr := KindResult{Kind: k}
		pass, resumable := st.Passes[k]
		if resumable && !opts.Full && !opts.DryRun {
			kr.Resumed = true
			kr.Counts = pass.Counts
		} else {
			pass = workspace.SyncPass{}
		}
		var err error
		switch k {
		case workspace.SyncCustomers:
			err = r.customers(ctx, &kr, pass.Resume)
		case workspace.SyncResellers:
			err = r.resellers(ctx, &kr)
		case workspace.SyncSubscriptions:
			err = r.subscriptions(ctx, &kr, pass.Resume)
		case workspace.SyncDeals:
			err = r.deals(ctx, &kr, pass.Resume)
		case workspace.SyncRequests:
			err = r.requests(ctx, &kr, pass.Resume)
		}
		res.Kinds = append(res.Kinds, kr)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

type runner struct {
	ws           workspace.Workspace
	pc           *partnercenter.Client
	opts         Options
	tenant, name string
	state        workspace.SyncState
}

// stepper hands steps of one kind's pass to the workspace: the first starts the pass
// unless it resumes one; the counts add up in kr.
type stepper struct {
	r       *runner
	kr      *KindResult
	started bool
	seen    seenSet // dry run: the IDs the pass saw
}

func (r *runner) stepper(kr *KindResult) *stepper {
	return &stepper{r: r, kr: kr, started: kr.Resumed}
}

func (s *stepper) apply(ctx context.Context, step workspace.SyncStep) error {
	step.Kind, step.Tenant, step.TenantName = s.kr.Kind, s.r.tenant, s.r.name
	step.Start = !s.started
	step.DryRun = s.r.opts.DryRun
	if step.DryRun && step.Finish {
		step.Seen = s.seen.all()
	}
	// A step is the unit of consistency: once the page is read, it is written whole even
	// when the sync is being interrupted.
	c, err := s.r.ws.ApplySync(context.WithoutCancel(ctx), step)
	if err != nil {
		return err
	}
	s.started = true
	s.kr.Counts.Add(c)
	return ctx.Err()
}

func cursorJSON(c *partnercenter.Cursor) string {
	if c == nil {
		return ""
	}
	b, _ := json.Marshal(c)
	return string(b)
}

func parseCursor(s string) partnercenter.Cursor {
	var c partnercenter.Cursor
	if s != "" {
		_ = json.Unmarshal([]byte(s), &c)
	}
	return c
}

// A step holds up to maxStepPages pages already read: pages that come at once share one
// transaction (its fixed cost: the pass's bookkeeping and a commit), and a page that is
// slow to come does not hold back the ones read before it longer than stepWait.
const (
	maxStepPages = 10
	stepWait     = 100 * time.Millisecond
)

// pages runs walk in a goroutine, up to maxStepPages pages ahead of the writer: reading
// the next pages overlaps writing these. each is handed the pages read so far (at least
// one, at most maxStepPages), to be written as one step.
func pages[T any](ctx context.Context, walk func(context.Context, func(partnercenter.Page[T]) error) error, each func([]partnercenter.Page[T]) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan partnercenter.Page[T], maxStepPages)
	errc := make(chan error, 1)
	go func() {
		defer close(ch)
		errc <- walk(ctx, func(p partnercenter.Page[T]) error {
			select {
			case ch <- p:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	timer := time.NewTimer(stepWait)
	defer timer.Stop()
	for p := range ch {
		batch := []partnercenter.Page[T]{p}
		timer.Reset(stepWait)
	more:
		for len(batch) < maxStepPages && batch[len(batch)-1].Next != nil {
			select {
			case q, ok := <-ch:
				if !ok {
					break more
				}
				batch = append(batch, q)
			case <-timer.C:
				break more
			}
		}
		if err := each(batch); err != nil {
			cancel()
			for range ch {
			}
			<-errc
			return err
		}
	}
	return <-errc
}

// stepOf is the step writing pages ps: it goes on after the last of them.
func stepOf[T any](ps []partnercenter.Page[T]) workspace.SyncStep {
	last := ps[len(ps)-1]
	return workspace.SyncStep{Resume: cursorJSON(last.Next), Finish: last.Next == nil}
}

// items are the items of pages ps, in order.
func items[T any](ps []partnercenter.Page[T]) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		i := 0
		for _, p := range ps {
			for _, x := range p.Items {
				if !yield(i, x) {
					return
				}
				i++
			}
		}
	}
}

// restartable tells whether a resumed pass's first request was refused as a stale
// continuation (Partner Center's tokens do not last for ever): the pass starts over.
func restartable(err error) bool {
	var pe *partnercenter.Error
	return errors.As(err, &pe) && pe.Status == http.StatusBadRequest
}

func (r *runner) customers(ctx context.Context, kr *KindResult, resume string) error {
	cur := parseCursor(resume)
	st := r.stepper(kr)
	done := 0
	err := pages(ctx, func(ctx context.Context, each func(partnercenter.Page[api.Customer]) error) error {
		return r.pc.Customers(ctx, cur, each)
	}, func(ps []partnercenter.Page[api.Customer]) error {
		step := stepOf(ps)
		n := 0
		for _, c := range items(ps) {
			n++
			rec, err := c.Record()
			if err != nil {
				step.Customers = append(step.Customers, domain.Customer{ID: c.ID, CompanyName: c.CompanyProfile.CompanyName})
				continue
			}
			step.Customers = append(step.Customers, domain.Customer{ID: rec.ID, CompanyName: rec.CompanyName, Domain: rec.Domain,
				Country: rec.Country, Relationship: rec.Relationship})
			if r.opts.DryRun {
				st.seen.add(strings.ToLower(rec.ID))
			}
		}
		if err := st.apply(ctx, step); err != nil {
			return err
		}
		done += n
		r.opts.Progress(kr.Kind, done, 0)
		return nil
	})
	if err != nil && kr.Resumed && cur.Path != "" && done == 0 && restartable(err) {
		kr.Resumed, kr.Counts = false, workspace.SyncCounts{}
		return r.customers(ctx, kr, "")
	}
	return err
}

func (r *runner) resellers(ctx context.Context, kr *KindResult) error {
	// One short list: a pass is never resumed in the middle.
	kr.Resumed, kr.Counts = false, workspace.SyncCounts{}
	st := r.stepper(kr)
	st.started = false
	return pages(ctx, func(ctx context.Context, each func(partnercenter.Page[api.Reseller]) error) error {
		return r.pc.IndirectResellers(ctx, each)
	}, func(ps []partnercenter.Page[api.Reseller]) error {
		step := stepOf(ps)
		n := 0
		for _, x := range items(ps) {
			n++
			if x.State != "" && !strings.EqualFold(x.State, "active") {
				continue
			}
			step.Resellers = append(step.Resellers, domain.Reseller{MPNID: x.MPNID, Name: x.Name})
			if r.opts.DryRun {
				st.seen.add(x.MPNID)
			}
		}
		if err := st.apply(ctx, step); err != nil {
			return err
		}
		r.opts.Progress(kr.Kind, len(step.Resellers), 0)
		return nil
	})
}

func (r *runner) deals(ctx context.Context, kr *KindResult, resume string) error {
	return listed(ctx, r, kr, resume, "deal", r.pc.Referrals, func(step *workspace.SyncStep, x api.Referral) (string, error) {
		rec, err := x.Record()
		if err == nil {
			step.Deals = append(step.Deals, rec.Deal)
		}
		return x.ID, err
	})
}

func (r *runner) requests(ctx context.Context, kr *KindResult, resume string) error {
	return listed(ctx, r, kr, resume, "service request", r.pc.ServiceRequests, func(step *workspace.SyncStep, x api.ServiceRequest) (string, error) {
		rec, err := x.Record()
		if err == nil {
			step.Requests = append(step.Requests, rec.ServiceRequest)
		}
		return x.ID, err
	})
}

// listed syncs a kind Partner Center lists in pages of T from a cursor (deals, service
// requests): add puts one item into the step, or says why it cannot be held (the item is
// then skipped and named, by its ID, among the problems). A resumed pass whose cursor
// Partner Center no longer takes starts over.
func listed[T any](ctx context.Context, r *runner, kr *KindResult, resume, what string,
	list func(context.Context, partnercenter.Cursor, func(partnercenter.Page[T]) error) error,
	add func(*workspace.SyncStep, T) (id string, err error)) error {
	cur := parseCursor(resume)
	st := r.stepper(kr)
	done := 0
	err := pages(ctx, func(ctx context.Context, each func(partnercenter.Page[T]) error) error {
		return list(ctx, cur, each)
	}, func(ps []partnercenter.Page[T]) error {
		step := stepOf(ps)
		n := 0
		for _, x := range items(ps) {
			n++
			if id, err := add(&step, x); err != nil {
				kr.Counts.Fetched++
				kr.Counts.Skipped++
				kr.Counts.Problems = append(kr.Counts.Problems, what+" "+id+": "+err.Error())
			}
		}
		if err := st.apply(ctx, step); err != nil {
			return err
		}
		done += n
		r.opts.Progress(kr.Kind, done, 0)
		return nil
	})
	if err != nil && kr.Resumed && cur.Path != "" && done == 0 && restartable(err) {
		kr.Resumed, kr.Counts = false, workspace.SyncCounts{}
		return listed(ctx, r, kr, "", what, list, add)
	}
	return err
}
