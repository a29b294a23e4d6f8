package postgres

import (
	"context"
	"database/sql"
	"sync"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// searchCache keeps the results of recent customer searches, where many people search
// the same first letters: the ranked customers of a search, without anyone's flags and
// pins, which are read for each request (withMarks).
//
// A result is used only while the workspace is unchanged since it was computed: the
// counter pcctl_version, which every write transaction raises (writeTx) and which becomes
// visible with its commit, whichever server made it. A search answered from the cache
// reads it in the statement that reads the principal's marks (withMarks: one round trip);
// a search computed reads it in the same snapshot as the result (searchOnce) or before it
// (searchShort), so a change committed in between makes the result be kept under an older
// number, never used again; a newer number empties the cache. A search never returns what
// a committed change made stale.
type searchCache struct {
	mu      sync.Mutex
	seen    int64 // the counter the entries were computed at
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

// lookup is the result of key kept under the version last seen, which the caller checks
// is still the workspace's (withMarks reads it).
func (c *searchCache) lookup(key string) (res []domain.Customer, seen int64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res, ok = c.entries[key]
	return res, c.seen, ok
}

// advance records that the workspace is at version: a newer one empties the cache.
func (c *searchCache) advance(version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanceLocked(version)
}

func (c *searchCache) advanceLocked(version int64) {
	if version > c.seen {
		c.seen, c.entries, c.bytes = version, nil, 0
	}
}

// put stores a result computed from the workspace at version (read in the same snapshot
// as the result, or before it): a result of an older version than the newest seen may be
// stale and is not kept.
func (c *searchCache) put(key string, version int64, res []domain.Customer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanceLocked(version)
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

// withMarks makes records of customers with the principal's flags and pins, and reads
// the workspace's version in the same statement (one snapshot, one round trip): the
// records are the answer only if that is the version the customers were found at.
func (s *session) withMarks(ctx context.Context, found []domain.Customer) ([]workspace.CustomerRecord, int64, error) {
	out := make([]workspace.CustomerRecord, len(found))
	for i, c := range found {
		out[i].Customer = c
	}
	rows, err := s.db.QueryContext(ctx, `SELECT v.n, m.id, m.at, m.pin FROM pcctl_version v LEFT JOIN (
		SELECT c.id, f.flagged_at AS at, 0 AS pin FROM customer_flags f JOIN customers c ON c.pk = f.customer WHERE f.user = :user
		UNION ALL SELECT c.id, '', 1 FROM customer_pins p JOIN customers c ON c.pk = p.customer WHERE p.user = :user) m ON true`,
		sql.Named("user", s.who.User))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	index := make(map[string]int, len(out))
	for i, c := range out {
		index[c.ID] = i
	}
	var version int64
	for rows.Next() {
		var id, at sql.NullString
		var pin sql.NullInt64
		if err := rows.Scan(&version, &id, &at, &pin); err != nil {
			return nil, 0, err
		}
		i, ok := index[id.String]
		if !id.Valid || !ok {
			continue
		}
		if pin.Int64 == 1 {
			out[i].Pinned = true
		} else {
			out[i].Flagged, out[i].FlaggedAt = true, parseTime(at.String)
		}
	}
	return out, version, rows.Err()
}
