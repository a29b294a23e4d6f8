package sqlite

import (
	"context"
	"time"
)

// completeBusyTimeout is how long a completion waits for a lock: reads in WAL mode do not
// wait for writers, so this only matters in rare moments (a checkpoint, a recovery), and
// a shell completion should rather show nothing than hang.
const completeBusyTimeout = 200 * time.Millisecond

// OpenExisting opens the workspace at path for shell completion: only if the file exists
// (it is never created, nor its folder), without migrating it, with a short busy timeout.
// Completion itself is sqlstore.Session.Complete.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	return Open(ctx, path, Options{MustExist: true, NoMigrate: true, BusyTimeout: completeBusyTimeout})
}
