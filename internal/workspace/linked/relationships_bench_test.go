package linked_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// BenchmarkSubscriptionStatus suspends and reactivates, in turn, one subscription of a
// workspace of 1 and of 10,000 subscriptions: the subscription found by its ID
// (SubscriptionQuery.ID), the stand-in's GET and PATCH, the workspace's write. The
// scan variant reads every subscription to find it, as the first version did.
func BenchmarkSubscriptionStatus(b *testing.B) {
	for _, n := range []int{1, 10000} {
		b.Run(fmt.Sprintf("subscriptions=%d", n), func(b *testing.B) { benchSubscriptionStatus(b, n, false) })
	}
	b.Run("subscriptions=10000/scan", func(b *testing.B) { benchSubscriptionStatus(b, 10000, true) })
}

func benchSubscriptionStatus(b *testing.B, n int, scan bool) {
	t := &testing.T{}
	e := setup(t)
	ctx := context.Background()
	cs := make([]api.Customer, n)
	for i := range cs {
		id := fmt.Sprintf("c0000000-0000-4000-8000-%012d", i)
		cs[i] = api.Customer{ID: id, CompanyProfile: api.CompanyProfile{TenantID: id, Domain: fmt.Sprintf("c%d.example", i), CompanyName: fmt.Sprintf("Customer %d", i)},
			RelationshipToPartner: "reseller", BillingProfile: &api.BillingProfile{DefaultAddress: api.Address{Country: "US"}}}
		e.pc.SetSubscriptions(id, []api.Subscription{{ID: fmt.Sprintf("5ub00000-0000-4000-8000-%012d", i), OfferName: "Microsoft 365 E3", Quantity: 1, Status: "active"}})
	}
	e.pc.SetCustomers(cs)
	e.syncKinds(&testing.T{}, workspace.SyncCustomers, workspace.SyncSubscriptions)
	target := fmt.Sprintf("5ub00000-0000-4000-8000-%012d", n-1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if scan {
			found := false
			_ = e.inner.Subscriptions(ctx, workspace.SubscriptionQuery{}, func(s domain.Subscription) error {
				found = found || s.ID == target
				return nil
			})
			if !found {
				b.Fatal("not found")
			}
			continue
		}
		to := domain.SubscriptionSuspended
		if i%2 == 1 {
			to = domain.SubscriptionActive
		}
		if _, err := e.ws.UpdateSubscription(ctx, target, workspace.SubscriptionChange{Status: &to}); err != nil {
			b.Fatal(err)
		}
	}
}
