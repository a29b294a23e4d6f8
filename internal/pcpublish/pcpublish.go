// Package pcpublish is `pcctl deal publish`: deals that exist only in the workspace (a PSC
// import, deals made before the workspace was linked) sent to the Referrals API, each
// exactly once.
//
// Exactly once, through any interruption: before a deal is sent, its intent is written to
// the workspace (workspace.PublishSending, in batches, before any of the batch is sent);
// the referral is sent with externalReferenceId = the deal's ID; Partner Center's answer
// (referral ID, engagement ID, ETag) is written as PublishPublished. A deal found
// PublishSending by a later run may have been created by Partner Center with its answer
// lost (the run killed, the connection dropped): it is looked up with
// $filter=externalReferenceId eq '<deal ID>' first, and sent only when Partner Center does
// not have it.
package pcpublish

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Outcome is what happened to one deal.
type Outcome string

// The outcomes.
const (
	Published        Outcome = "published"
	AlreadyPublished Outcome = "already published"
	Refused          Outcome = "refused" // Partner Center refused it: nothing was created
	Failed           Outcome = "failed"  // no answer: the next run looks it up before sending again
	WouldPublish     Outcome = "would publish"
	NotRun           Outcome = "not run" // the run stopped before this deal (interrupted)
)

// Row is one deal of the report: the columns of Partner Center's migration report, and
// the outcome.
type Row struct {
	EngagementID string  `json:"engagementId"`
	ReferralID   string  `json:"referralId"`
	DealName     string  `json:"dealName"`
	PSCDealID    string  `json:"pscDealId"`
	Errors       string  `json:"errors"`
	Outcome      Outcome `json:"outcome"`
	DealID       string  `json:"dealId"`
	// Found is true for a deal whose referral was found by its externalReferenceId: an
	// earlier run created it and its answer was lost.
	Found bool `json:"foundAgain,omitempty"`
}

// Summary counts the outcomes.
type Summary struct {
	Published        int `json:"published"`
	AlreadyPublished int `json:"alreadyPublished"`
	Refused          int `json:"refused"`
	Failed           int `json:"failed"`
	WouldPublish     int `json:"wouldPublish"`
	NotRun           int `json:"notRun"`
}

func (s *Summary) add(o Outcome) {
	switch o {
	case Published:
		s.Published++
	case AlreadyPublished:
		s.AlreadyPublished++
	case Refused:
		s.Refused++
	case Failed:
		s.Failed++
	case WouldPublish:
		s.WouldPublish++
	case NotRun:
		s.NotRun++
	}
}

// Options select the deals and how to send them.
type Options struct {
	IDs         []string // these deals; or
	Unpublished bool     // every deal not yet published (synced deals are Partner Center's already)
	DryRun      bool     // say what would be sent, sending and writing nothing
	Concurrency int      // referrals in flight (default 4)
	// Batch is how many intents are written in one transaction before their deals are
	// sent, and how many answers at most wait to be written (default 64).
	Batch int
	// Progress, when set, is told done of total after each deal answered, one call at a
	// time.
	Progress func(done, total int)
}

// Result is the report: one row per deal, in the order the deals were added.
type Result struct {
	Rows    []Row
	Summary Summary
	Tenant  string
}

// ErrNotLinked refuses a workspace no sync linked to a partner tenant.
var ErrNotLinked = &domain.RuleError{Rule: "workspace-linked", Msg: "this workspace is not linked to a partner tenant: run pcctl sync first (it links the workspace to the partner tenant signed in), then publish"}

// Run publishes. An error stops the run (a refused sign-in, another tenant, the workspace
// failing): what was published stays recorded, and the rows say what each deal became.
func Run(ctx context.Context, ws workspace.Workspace, pc *partnercenter.Client, opts Options) (res Result, err error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Batch <= 0 {
		opts.Batch = 64
	}
	if opts.Progress == nil {
		opts.Progress = func(int, int) {}
	}
	st, err := ws.SyncState(ctx)
	if err != nil {
		return res, err
	}
	if st.Tenant == "" {
		return res, ErrNotLinked
	}
	res.Tenant = st.Tenant
	profile, err := pc.OrganizationProfile(ctx)
	if err != nil {
		return res, err
	}
	if !strings.EqualFold(profile.TenantID, st.Tenant) {
		return res, &domain.RuleError{Rule: "one-partner-tenant", Msg: fmt.Sprintf(
			"this workspace is linked to the partner tenant %s (%s), and the sign-in is to %s (%s): sign in to the workspace's tenant (pcctl auth login)",
			st.Tenant, st.TenantName, profile.TenantID, profile.CompanyName)}
	}
	pubs, err := ws.DealPublications(ctx)
	if err != nil {
		return res, err
	}
	chosen, err := choose(pubs, opts)
	if err != nil {
		return res, err
	}
	res.Rows = make([]Row, len(chosen))
	var todo []int // indexes into chosen/rows
	for i, p := range chosen {
		r := &res.Rows[i]
		*r = Row{DealID: p.DealID, DealName: p.Name, ReferralID: p.ReferralID, EngagementID: p.EngagementID, Outcome: NotRun}
		if p.PSC {
			r.PSCDealID = p.DealID
		}
		switch {
		case p.State == workspace.PublishPublished || p.State == workspace.PublishSynced:
			r.Outcome = AlreadyPublished
		case opts.DryRun:
			r.Outcome = WouldPublish
			if p.State == workspace.PublishSending {
				r.Errors = "an earlier run was interrupted while sending it: Partner Center will be asked for it first"
			}
		default:
			r.ReferralID, r.EngagementID = "", ""
			todo = append(todo, i)
		}
	}
	defer func() {
		res.Summary = Summary{}
		for _, r := range res.Rows {
			res.Summary.add(r.Outcome)
		}
	}()
	if len(todo) == 0 {
		return res, nil
	}
	// The deals' records, for the referrals' content: one pass over the workspace.
	want := make(map[string]int, len(todo))
	for _, i := range todo {
		want[chosen[i].DealID] = i
	}
	deals := make(map[int]domain.Deal, len(todo))
	err = ws.ListDeals(ctx, workspace.DealQuery{}, func(d workspace.DealRecord) error {
		if i, ok := want[d.ID]; ok {
			deals[i] = d.Deal
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	p := &publisher{ws: ws, pc: pc, opts: opts, chosen: chosen, deals: deals, rows: res.Rows, total: len(todo)}
	return res, p.run(ctx, todo)
}

// choose is the deals to consider: those named (each must exist), or every unpublished
// one and those published already (for a complete report). Synced deals are Partner
// Center's own and are left out of --unpublished.
func choose(pubs []workspace.DealPublication, opts Options) ([]workspace.DealPublication, error) {
	if len(opts.IDs) == 0 {
		out := make([]workspace.DealPublication, 0, len(pubs))
		for _, p := range pubs {
			if p.State != workspace.PublishSynced {
				out = append(out, p)
			}
		}
		return out, nil
	}
	byID := make(map[string]int, len(pubs))
	for i, p := range pubs {
		byID[p.DealID] = i
	}
	var out []workspace.DealPublication
	seen := map[string]bool{}
	for _, id := range opts.IDs {
		i, ok := byID[id]
		if !ok {
			return nil, &domain.NotFoundError{Kind: "deal", Ref: id}
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, pubs[i])
		}
	}
	return out, nil
}

type publisher struct {
	ws     workspace.Workspace
	pc     *partnercenter.Client
	opts   Options
	chosen []workspace.DealPublication
	deals  map[int]domain.Deal
	rows   []Row
	total  int

	wsMu    sync.Mutex // one workspace call at a time
	mu      sync.Mutex // rows, pending, done
	pending []workspace.DealPublication
	done    int
}

type job struct {
	i        int
	recheck  bool // sent before without an answer: ask Partner Center first
	referral api.Referral
}

// run sends the deals of todo: intents written a batch at a time, then the batch's
// referrals sent by Concurrency workers; answers written in batches as they come.
func (p *publisher) run(outer context.Context, todo []int) error {
	ctx, cancel := context.WithCancel(outer)
	defer cancel()
	var errMu sync.Mutex
	var firstErr error
	stop := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
		cancel()
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range p.opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := p.send(ctx, j); err != nil {
					stop(err)
				}
			}
		}()
	}
	tickerDone, flushDone := make(chan struct{}), make(chan struct{})
	go func() { // answers written at least every 250 ms
		defer close(flushDone)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-tickerDone:
				return
			case <-t.C:
				if err := p.flush(); err != nil {
					stop(err)
				}
			}
		}
	}()
dispatch:
	for start := 0; start < len(todo); start += p.opts.Batch {
		batch := todo[start:min(start+p.opts.Batch, len(todo))]
		intents := make([]workspace.DealPublication, 0, len(batch))
		for _, i := range batch {
			if p.chosen[i].State != workspace.PublishSending {
				intents = append(intents, workspace.DealPublication{DealID: p.chosen[i].DealID, State: workspace.PublishSending})
			}
		}
		if len(intents) > 0 && ctx.Err() == nil {
			p.wsMu.Lock()
			err := p.ws.RecordPublications(context.WithoutCancel(ctx), intents)
			p.wsMu.Unlock()
			if err != nil {
				stop(err)
				break
			}
		}
		for _, i := range batch {
			j := job{i: i, recheck: p.chosen[i].State == workspace.PublishSending, referral: Referral(p.deals[i], p.chosen[i].PSC)}
			select {
			case jobs <- j:
			case <-ctx.Done():
				break dispatch
			}
		}
	}
	close(jobs)
	wg.Wait()
	close(tickerDone)
	<-flushDone
	ferr := p.flush() // what was answered is written, even after an interruption
	errMu.Lock()
	defer errMu.Unlock()
	switch {
	case firstErr != nil:
		return firstErr
	case outer.Err() != nil:
		return outer.Err()
	}
	return ferr
}

// send publishes one deal. Its error stops the run (a refused sign-in, the context
// ended); Partner Center's refusal of the deal and a lost answer are outcomes.
func (p *publisher) send(ctx context.Context, j job) error {
	if ctx.Err() != nil {
		return nil
	}
	dealID := p.chosen[j.i].DealID
	if j.recheck {
		found, err := p.pc.ReferralsByExternalID(ctx, dealID)
		if err != nil {
			return p.failed(ctx, j.i, err)
		}
		if len(found) > 0 {
			slices.SortFunc(found, func(a, b api.Referral) int { return strings.Compare(a.ID, b.ID) })
			f := found[0]
			p.answer(j.i, Row{ReferralID: f.ID, EngagementID: f.EngagementID, Outcome: Published, Found: true},
				workspace.DealPublication{DealID: dealID, State: workspace.PublishPublished, ReferralID: f.ID, EngagementID: f.EngagementID})
			return nil
		}
	}
	c, err := p.pc.CreateReferral(ctx, j.referral)
	if err != nil {
		return p.failed(ctx, j.i, err)
	}
	p.answer(j.i, Row{ReferralID: c.Referral.ID, EngagementID: c.Referral.EngagementID, Outcome: Published},
		workspace.DealPublication{DealID: dealID, State: workspace.PublishPublished, ReferralID: c.Referral.ID,
			EngagementID: c.Referral.EngagementID, ETag: c.ETag})
	return nil
}

// failed sorts an error: Partner Center's refusal (a 4xx other than 401, 403, 429) is the
// deal's; no answer is the deal's too (failed; the intent stays, to be looked up next
// time); anything else stops the run.
func (p *publisher) failed(ctx context.Context, i int, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	var auth *domain.AuthError
	if errors.As(err, &auth) {
		return err
	}
	var pe *partnercenter.Error
	if !errors.As(err, &pe) {
		return err
	}
	dealID := p.chosen[i].DealID
	if pe.Status >= 400 && pe.Status < 500 && pe.Status != 429 {
		p.answer(i, Row{Outcome: Refused, Errors: pe.Error()},
			workspace.DealPublication{DealID: dealID, State: workspace.PublishRefused, Error: pe.Error()})
		return nil
	}
	p.answer(i, Row{Outcome: Failed, Errors: pe.Error() + " (the next run asks Partner Center for it before sending it again)"}, workspace.DealPublication{})
	return nil
}

// answer records a deal's outcome; rec, when it has a state, waits to be written.
func (p *publisher) answer(i int, r Row, rec workspace.DealPublication) {
	p.mu.Lock()
	row := &p.rows[i]
	row.ReferralID, row.EngagementID, row.Outcome, row.Errors, row.Found = r.ReferralID, r.EngagementID, r.Outcome, r.Errors, r.Found
	if rec.State != "" {
		p.pending = append(p.pending, rec)
	}
	p.done++
	p.opts.Progress(p.done, p.total) // one call at a time, in order
	full := len(p.pending) >= p.opts.Batch
	p.mu.Unlock()
	if full {
		_ = p.flush() // an error is seen again by the last flush
	}
}

// flush writes the answers waiting, in one transaction. On an error they stay waiting.
func (p *publisher) flush() error {
	p.wsMu.Lock()
	defer p.wsMu.Unlock()
	p.mu.Lock()
	batch := p.pending
	p.pending = nil
	p.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := p.ws.RecordPublications(context.Background(), batch); err != nil {
		p.mu.Lock()
		p.pending = append(batch, p.pending...)
		p.mu.Unlock()
		return err
	}
	return nil
}

// Referral is the referral a deal is published as: externalReferenceId its ID, a PSC
// deal's ID as trackingInfo.migratedPSCDealId; a won or lost deal is a Closed referral
// with that substatus. What only pcctl keeps (version, favorite, sources of solutions)
// is not sent; the notes are the details' notes.
func Referral(d domain.Deal, psc bool) api.Referral {
	ref := api.FromDealRecord(workspace.DealRecord{Deal: d})
	ref.ID, ref.EngagementID = "", ""
	ref.Pcctl, ref.Links, ref.Attributes = nil, nil, nil
	ref.CreatedDateTime, ref.UpdatedDateTime, ref.ExpirationDateTime = nil, nil, nil
	ref.ExternalReferenceID = d.ID
	if psc {
		ref.TrackingInfo = &api.ReferralTrackingInfo{MigratedPSCDealID: d.ID}
	}
	if ref.Details != nil && ref.Details.Requirements != nil {
		for i := range ref.Details.Requirements.Solutions {
			ref.Details.Requirements.Solutions[i].Pcctl = nil
		}
	}
	if len(ref.Notes) > 0 && ref.Details != nil {
		texts := make([]string, len(ref.Notes))
		for i, n := range ref.Notes {
			texts[i] = n.Text
		}
		ref.Details.Notes = strings.Join(texts, "\n\n")
	}
	ref.Notes = nil
	return ref
}
