package workspace

import (
	"iter"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
)

// SyncKind is a kind of record a sync brings from Partner Center.
type SyncKind string

// The kinds a sync brings, in the order a sync of all of them runs (subscriptions need
// their customers, resellers their names before customers' subscriptions credit them).
const (
	SyncCustomers     SyncKind = "customers"
	SyncResellers     SyncKind = "resellers"
	SyncSubscriptions SyncKind = "subscriptions"
	SyncDeals         SyncKind = "deals"
	SyncRequests      SyncKind = "requests"
)

// SyncKinds are the kinds, in the order a sync of all of them runs.
var SyncKinds = []SyncKind{SyncCustomers, SyncResellers, SyncSubscriptions, SyncDeals, SyncRequests}

// SyncState is a workspace's link to Partner Center.
type SyncState struct {
	// Tenant is the partner tenant the workspace is linked to ("" before the first sync),
	// TenantName its company name, LinkedAt when the first sync linked it.
	Tenant, TenantName string
	LinkedAt           time.Time
	// Passes are the passes under way (interrupted), by kind.
	Passes map[SyncKind]SyncPass
	// Last is when each kind's last complete pass ended.
	Last map[SyncKind]time.Time
}

// SyncPass is a pass through one kind that has not ended: where it goes on, and what it
// did so far.
type SyncPass struct {
	StartedAt time.Time
	Resume    string // opaque to the workspace: the sync's resume point
	Counts    SyncCounts
}

// SyncStep is one step of a sync of Kind: records of one page (of the kind's type; for
// subscriptions, those of every customer named in Customers), and the resume point after
// them. Every step checks the tenant: the first links the workspace to it, another
// tenant's step is refused (*domain.RuleError), so two partners' data never mix.
type SyncStep struct {
	Kind               SyncKind
	Tenant, TenantName string
	// Start begins a new pass, forgetting any pass of Kind under way (--full, or no pass
	// to resume).
	Start bool

	Customers     []domain.Customer // Partner Center's fields: ID, name, domain, country, relationship
	Resellers     []domain.Reseller // Partner Center's fields: MPN ID, name
	Subscriptions []domain.Subscription
	// SubscriptionsOf are the customers (IDs) whose subscriptions Subscriptions are, all
	// of them: a subscription of theirs not in Subscriptions is no longer in Partner Center.
	SubscriptionsOf []string
	Deals           []domain.Deal
	Requests        []domain.ServiceRequest

	// Resume is where the pass goes on after this step.
	Resume string
	// Finish ends a complete pass: customers and resellers Partner Center had before and
	// this pass did not see are marked ended (never deleted); the pass's counts are
	// recorded in one audit record.
	Finish bool
	// DryRun computes the counts and writes nothing. Seen then yields the IDs the whole
	// pass saw, for Finish to count what would end (a sequence: a million IDs need not be
	// held as strings at once).
	DryRun bool
	Seen   iter.Seq[string]
}

// SyncCounts are what a sync did to one kind. Skipped are records pcctl cannot hold
// (Problems say why, at most a few).
type SyncCounts struct {
	Fetched   int      `json:"fetched"`
	Created   int      `json:"created"`
	Updated   int      `json:"updated"`
	Unchanged int      `json:"unchanged"`
	Ended     int      `json:"ended"`
	Skipped   int      `json:"skipped"`
	EndedIDs  []string `json:"endedIds,omitempty"` // of this step
	Problems  []string `json:"problems,omitempty"`
}

// Add adds o's counts to c.
func (c *SyncCounts) Add(o SyncCounts) {
	c.Fetched += o.Fetched
	c.Created += o.Created
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
	c.Ended += o.Ended
	c.Skipped += o.Skipped
	c.EndedIDs = append(c.EndedIDs, o.EndedIDs...)
	if len(c.Problems) < 20 {
		c.Problems = append(c.Problems, o.Problems...)
	}
}
