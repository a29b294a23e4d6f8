package sqlite

import (
	"context"
	"os"

	"github.com/pcctl/pcctl/internal/workspace"
)

// OpenCustomer is sqlstore's, but for a workspace on read-only media: the customer is
// shown; the access cannot be recorded.
func (s *session) OpenCustomer(ctx context.Context, ref string) (workspace.CustomerRecord, error) {
	if s.readOnly {
		return s.Customer(ctx, ref)
	}
	return s.Session.OpenCustomer(ctx, ref)
}

func (s *session) Info(ctx context.Context) (workspace.Info, error) {
	info := workspace.Info{
		Location: s.path, Kind: "local", SchemaVersion: s.version, LatestSchema: LatestSchema,
		User: s.who.User, Counts: map[string]int{},
	}
	if st, err := os.Stat(s.path); err == nil {
		info.SizeBytes = st.Size()
		if wal, err := os.Stat(s.path + "-wal"); err == nil {
			info.SizeBytes += wal.Size()
		}
	}
	if s.version < LatestSchema {
		return info, nil // an older schema may lack tables: migrate first
	}
	return info, s.InfoCounts(ctx, &info)
}
