package postgres

import (
	"context"
	"database/sql"
	"sync"
	"time"

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
//
// A server reads the counter with every request's token (DB.Authenticate), after the
// request arrived: a search of that request (workspace.WithArrival) then trusts the counter
// as read, without reading it again, and each principal's flags and pins are kept beside
// the results, under the same counter. A search of a request that has no such read (a
// command on the database, no server) reads the counter with the principal's marks.
type searchCache struct {
	mu      sync.Mutex
	seen    int64     // the counter the entries were computed at
	seenAt  time.Time // the latest start of a statement that read seen: it was the workspace's then
	entries map[string][]domain.Customer
	marks   map[string]userMarks // by user
	bytes   int                  // the memory the entries hold, about (entrySize)
}

// userMarks are a principal's flags and pins, by customer ID.
type userMarks struct {
	flagged map[string]time.Time
	pinned  map[string]bool
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

// lookup is the result of key kept under the version last seen. fresh tells that a read
// of that version began after arrival (zero: no arrival known): the result holds for a
// request that arrived then; otherwise the caller checks the version (withMarks).
func (c *searchCache) lookup(key string, arrival time.Time) (res []domain.Customer, seen int64, fresh, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res, ok = c.entries[key]
	return res, c.seen, !arrival.IsZero() && !c.seenAt.Before(arrival), ok
}

// observe records that a statement begun at at read the workspace's version: a newer one
// empties the cache.
func (c *searchCache) observe(version int64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.observeLocked(version, at)
}

func (c *searchCache) observeLocked(version int64, at time.Time) {
	switch {
	case version > c.seen:
		c.seen, c.seenAt, c.entries, c.marks, c.bytes = version, at, nil, nil, 0
	case version == c.seen && at.After(c.seenAt):
		c.seenAt = at
	}
}

// marksOf are the user's marks kept under version, if that is the version last seen.
func (c *searchCache) marksOf(user string, version int64) (userMarks, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.marks[user]
	return m, ok && version == c.seen
}

// putMarks keeps the user's marks read at version (the statement began at at).
func (c *searchCache) putMarks(user string, version int64, at time.Time, m userMarks) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.observeLocked(version, at)
	if version != c.seen {
		return
	}
	if c.marks == nil || len(c.marks) >= maxSearchEntries {
		c.marks = map[string]userMarks{}
	}
	c.marks[user] = m
}

// put stores a result computed from the workspace at version (read in the same snapshot
// as the result, or before it): a result of an older version than the newest seen may be
// stale and is not kept.
func (c *searchCache) put(key string, version int64, at time.Time, res []domain.Customer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.observeLocked(version, at)
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

// withMarks makes records of customers with the principal's marks.
func withMarks(found []domain.Customer, m userMarks) []workspace.CustomerRecord {
	out := make([]workspace.CustomerRecord, len(found))
	for i, c := range found {
		out[i].Customer = c
		if at, ok := m.flagged[c.ID]; ok {
			out[i].Flagged, out[i].FlaggedAt = true, at
		}
		out[i].Pinned = m.pinned[c.ID]
	}
	return out
}

// readMarks reads the principal's flags and pins and, in the same statement (one snapshot,
// one round trip), the workspace's version; the statement began at at.
func (s *session) readMarks(ctx context.Context) (m userMarks, version int64, at time.Time, err error) {
	at = time.Now()
	rows, err := s.db.QueryContext(ctx, `SELECT v.n, m.id, m.at, m.pin FROM pcctl_version v LEFT JOIN (
		SELECT c.id, f.flagged_at AS at, 0 AS pin FROM customer_flags f JOIN customers c ON c.pk = f.customer WHERE f.user = :user
		UNION ALL SELECT c.id, '', 1 FROM customer_pins p JOIN customers c ON c.pk = p.customer WHERE p.user = :user) m ON true`,
		sql.Named("user", s.who.User))
	if err != nil {
		return m, 0, at, err
	}
	defer rows.Close()
	m = userMarks{flagged: map[string]time.Time{}, pinned: map[string]bool{}}
	for rows.Next() {
		var id, flaggedAt sql.NullString
		var pin sql.NullInt64
		if err := rows.Scan(&version, &id, &flaggedAt, &pin); err != nil {
			return m, 0, at, err
		}
		switch {
		case !id.Valid:
		case pin.Int64 == 1:
			m.pinned[id.String] = true
		default:
			m.flagged[id.String] = parseTime(flaggedAt.String)
		}
	}
	return m, version, at, rows.Err()
}
