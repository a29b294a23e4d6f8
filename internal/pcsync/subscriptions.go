package pcsync

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/workspace"
)

// subscriptions reads each customer's subscriptions, opts.Concurrency customers at once,
// in the order of their IDs, and writes them a batch of customers per step; the resume
// point is the last customer written. A customer Partner Center does not know (added in
// pcctl, or ended) is passed over.
func (r *runner) subscriptions(ctx context.Context, kr *KindResult, resume string) error {
	var ids []string
	if err := r.ws.ExportCustomers(ctx, workspace.ExportQuery{}, func(c *domain.Customer) error {
		if c.ID > resume {
			ids = append(ids, c.ID)
		}
		return nil
	}); err != nil {
		return err
	}
	slices.Sort(ids)
	st := r.stepper(kr)
	total := len(ids)
	if total == 0 {
		return st.apply(ctx, workspace.SyncStep{Finish: true})
	}

	type result struct {
		subs  []domain.Subscription
		known bool
		err   error
		done  chan struct{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]*result, len(ids))
	for i := range results {
		results[i] = &result{done: make(chan struct{})}
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range r.opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res := results[i]
				res.known = true
				res.err = r.pc.Subscriptions(ctx, ids[i], func(p partnercenter.Page[api.Subscription]) error {
					for _, s := range p.Items {
						d, err := s.Domain()
						if err != nil {
							return err
						}
						d.CustomerID = ids[i]
						res.subs = append(res.subs, d)
					}
					return nil
				})
				var pe *partnercenter.Error
				if errors.As(res.err, &pe) && pe.Status == http.StatusNotFound {
					res.err, res.known = nil, false
				}
				close(res.done)
			}
		}()
	}
	// Hand out work at most a window ahead of the writer, so memory stays bounded.
	window := r.opts.SubscriptionBatch * 2
	feed := make(chan struct{}, window)
	go func() {
		defer close(next)
		for i := range ids {
			select {
			case feed <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()

	step := workspace.SyncStep{}
	for i := range ids {
		res := results[i]
		select {
		case <-res.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-feed
		if res.err != nil {
			cancel()
			return res.err
		}
		if res.known {
			step.SubscriptionsOf = append(step.SubscriptionsOf, ids[i])
			step.Subscriptions = append(step.Subscriptions, res.subs...)
		}
		results[i] = nil
		last := i == len(ids)-1
		if len(step.SubscriptionsOf) >= r.opts.SubscriptionBatch || last {
			step.Resume, step.Finish = ids[i], last
			if err := st.apply(ctx, step); err != nil {
				cancel()
				return err
			}
			step = workspace.SyncStep{}
			r.opts.Progress(kr.Kind, i+1, total)
		}
	}
	return nil
}
