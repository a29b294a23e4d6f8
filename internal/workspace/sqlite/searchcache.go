package sqlite

import (
	"context"
	"database/sql"
	"sync"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// searchCache keeps the results of recent customer searches for a server
// (Options.SearchCache), where many people search the same first letters: the ranked
// customers of a search, without anyone's flags and pins, which are read for each request
// (customerMarks).
//
// A result is used only while the workspace is unchanged since it was computed: the
// changeWatcher's PRAGMA data_version changes whenever any other connection — of this
// process or another — commits a change. Every lookup asks it for a value read since the
// lookup began; a change empties the cache. So a search never returns what a committed
// change made stale, whoever made it.
type searchCache struct {
	mu      sync.Mutex
	changes *changeWatcher
	seen    int64 // the data_version the entries were computed at
	entries map[string][]domain.Customer
	bytes   int // the memory the entries hold, about (entrySize)
}

// The cache is bounded by entries and by bytes (issue 14, item 5: bounded by entries only,
// long terms made it hold gigabytes): when full, it starts over; a result larger than an
// eighth of it is not kept.
const (
	maxSearchEntries = 4096
	maxSearchBytes   = 32 << 20
)

// entrySize is about the memory an entry holds: its key, and each customer's strings and
// fixed fields.
func entrySize(key string, res []domain.Customer) int {
	n := len(key) + 64
	for _, c := range res {
		n += 160 + len(c.ID) + len(c.CompanyName) + len(c.Domain) + len(c.Country) + len(c.ResellerMPNID) +
			len(c.Relationship) + len(c.AdminAccount)
	}
	return n
}

// current reads data_version; it empties the cache when it changed. The caller holds mu.
func (c *searchCache) current(ctx context.Context) (int64, error) {
	v, err := c.changes.current(ctx, arrival(ctx))
	if err != nil {
		return 0, err
	}
	if v != c.seen {
		c.seen, c.entries, c.bytes = v, nil, 0
	}
	return v, nil
}

// get is the cached result of key, if the workspace has not changed since; otherwise it
// returns the current version, under which put may store a result computed now.
func (c *searchCache) get(ctx context.Context, key string) (res []domain.Customer, version int64, ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.current(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	res, ok = c.entries[key]
	return res, v, ok, nil
}

// put stores a result computed from the workspace at version: if the workspace changed
// meanwhile, the result may be stale and is not kept.
func (c *searchCache) put(key string, version int64, res []domain.Customer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.seen {
		return
	}
	size := entrySize(key, res)
	if size > maxSearchBytes/8 {
		return
	}
	if _, ok := c.entries[key]; ok {
		return
	}
	if c.entries == nil || len(c.entries) >= maxSearchEntries || c.bytes+size > maxSearchBytes {
		c.entries, c.bytes = map[string][]domain.Customer{}, 0
	}
	c.entries[key] = res
	c.bytes += size
}

// withMarks makes records of customers with the principal's flags and pins.
func (s *session) withMarks(ctx context.Context, found []domain.Customer) ([]workspace.CustomerRecord, error) {
	out := make([]workspace.CustomerRecord, len(found))
	for i, c := range found {
		out[i].Customer = c
	}
	if len(found) == 0 {
		return out, nil
	}
	rows, err := s.cached.QueryContext(ctx, `SELECT c.id, f.flagged_at, 0 FROM customer_flags f JOIN customers c ON c.pk = f.customer WHERE f.user = :user
		UNION ALL SELECT c.id, '', 1 FROM customer_pins p JOIN customers c ON c.pk = p.customer WHERE p.user = :user`, sql.Named("user", s.who.User))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	index := make(map[string]int, len(out))
	for i, c := range out {
		index[c.ID] = i
	}
	for rows.Next() {
		var id, at string
		var pin bool
		if err := rows.Scan(&id, &at, &pin); err != nil {
			return nil, err
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		if pin {
			out[i].Pinned = true
		} else {
			out[i].Flagged, out[i].FlaggedAt = true, parseTime(at)
		}
	}
	return out, rows.Err()
}
