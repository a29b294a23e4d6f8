package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// changeWatcher tells whether anyone changed the workspace: SQLite's PRAGMA data_version,
// read on a connection of its own that never writes, changes whenever another connection
// (of this process or of any other) commits. The search cache and the server's token
// check use it to trust what they computed only while nothing changed.
//
// Reads are shared: a caller asks for a value read by a query that began no earlier than
// a time of its choosing (when its request arrived), and takes the value of a read that
// began since rather than run one more. A change committed before the caller's time is
// thus always seen, and 32 concurrent requests cost a few reads, not 32 one after the
// other on the one connection.
type changeWatcher struct {
	mu      sync.Mutex
	db      *sql.DB   // one connection
	version *sql.Stmt // PRAGMA data_version on it
	readAt  time.Time // when the last read began (monotonic), zero before the first
	value   int64     // what it read
}

func newChangeWatcher(ctx context.Context, dsn string) (*changeWatcher, error) {
	db, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	st, err := db.PrepareContext(ctx, `PRAGMA data_version`)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &changeWatcher{db: db, version: st}, nil
}

// current is data_version as read by a query that began at or after since.
func (w *changeWatcher) current(ctx context.Context, since time.Time) (int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.readAt.IsZero() && !w.readAt.Before(since) {
		return w.value, nil
	}
	start := time.Now()
	var v int64
	if err := w.version.QueryRowContext(ctx).Scan(&v); err != nil {
		return 0, err
	}
	w.readAt, w.value = start, v
	return v, nil
}

// WithArrival marks ctx with when its request arrived (a server's): the change checks
// made for the request (the search cache's) may then share a read of data_version that
// began since, rather than run one more: a change committed before the request arrived
// is seen all the same. (workspace.WithArrival, which a server calls.)
func WithArrival(ctx context.Context, t time.Time) context.Context {
	return workspace.WithArrival(ctx, t)
}

// arrival is the time of WithArrival, or now.
func arrival(ctx context.Context) time.Time {
	if t, ok := workspace.Arrival(ctx); ok {
		return t
	}
	return time.Now()
}

func (w *changeWatcher) close() {
	w.version.Close()
	w.db.Close()
}

// ChangeVersion is a number that changes whenever anyone commits a change to the
// workspace (this process or another), as read by a query that began at or after since:
// what was read from the workspace under one value is still true while ChangeVersion
// returns the same value. ok is false when the workspace was not opened for a server
// (Options.ReadPool or SearchCache), which keeps no connection to read it on.
func (d *DB) ChangeVersion(ctx context.Context, since time.Time) (v int64, ok bool, err error) {
	if d.changes == nil {
		return 0, false, nil
	}
	v, err = d.changes.current(ctx, since)
	return v, err == nil, err
}

// tokenUses records when tokens were last used (last_used_at) off the request's path:
// Authenticate notes a use and returns at once; a goroutine writes the uses noted, several
// in one transaction, waiting at most useBusyTimeout for the write lock and trying again
// later when another writer holds it. Authentication thus never waits for, nor fails
// because of, this bookkeeping. A use is noted at most once per tokenUseGranularity per
// token; the uses still pending when the workspace is closed get one last try.
type tokenUses struct {
	d       *DB
	flushMu sync.Mutex // one flush at a time: a flush returns once what was pending is written
	mu      sync.Mutex
	pending map[string]time.Time // token ID → the use to record
	noted   map[string]time.Time // token ID → the last use noted (recorded or pending)
	started bool
	closed  bool
	wake    chan struct{} // a use was noted
	stop    chan struct{} // closed by close
	done    chan struct{} // closed when the goroutine ends
}

// useBusyTimeout bounds each wait of the use writer for the write lock.
const useBusyTimeout = time.Second

// useRetry is how long the writer waits before trying again after a failed write.
const useRetry = 2 * time.Second

// maxNotedUses bounds the tokens remembered: past it, the memory of recorded uses starts
// over (a token may then be written once more within tokenUseGranularity).
const maxNotedUses = 10000

func newTokenUses(d *DB) *tokenUses {
	return &tokenUses{d: d, pending: map[string]time.Time{}, noted: map[string]time.Time{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// note records that token id was used at now, unless a use within tokenUseGranularity
// is already recorded or pending.
func (u *tokenUses) note(id string, now time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return
	}
	if prev, ok := u.noted[id]; ok && now.Before(prev.Add(sqlstore.TokenUseGranularity)) && !now.Before(prev) {
		return
	}
	if len(u.noted) >= maxNotedUses {
		u.noted = map[string]time.Time{}
	}
	u.noted[id], u.pending[id] = now, now
	if !u.started {
		u.started = true
		go u.run()
	}
	select {
	case u.wake <- struct{}{}:
	default:
	}
}

func (u *tokenUses) run() {
	defer close(u.done)
	for {
		select {
		case <-u.stop:
			return
		case <-u.wake:
		}
		for u.flush(context.Background()) != nil {
			select {
			case <-u.stop:
				return
			case <-time.After(useRetry):
			}
		}
	}
}

// flush writes the pending uses in one transaction; on failure they stay pending (unless
// a later use of the same token was noted meanwhile).
func (u *tokenUses) flush(ctx context.Context) error {
	u.flushMu.Lock()
	defer u.flushMu.Unlock()
	u.mu.Lock()
	batch := u.pending
	u.pending = map[string]time.Time{}
	u.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := u.d.writeTxWith(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", useBusyTimeout.Milliseconds()),
		fmt.Sprintf("PRAGMA busy_timeout = %d", u.d.busyTimeout.Milliseconds()), func(tx *sql.Tx) error {
			st, err := tx.PrepareContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ? AND revoked_at = '' AND last_used_at < ?`)
			if err != nil {
				return err
			}
			defer st.Close()
			for id, at := range batch {
				if _, err := st.ExecContext(ctx, formatTime(at), id, formatTime(at)); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		u.mu.Lock()
		for id, at := range batch {
			if _, newer := u.pending[id]; !newer {
				u.pending[id] = at
			}
		}
		u.mu.Unlock()
	}
	return err
}

// close stops the writer and gives the pending uses one last try.
func (u *tokenUses) close() {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return
	}
	u.closed = true
	started := u.started
	u.mu.Unlock()
	close(u.stop)
	if started {
		<-u.done
	}
	_ = u.flush(context.Background())
}
