package postgres

import (
	"context"

	"github.com/pcctl/pcctl/internal/workspace"
)

func (s *session) Info(ctx context.Context) (workspace.Info, error) {
	info := workspace.Info{
		Location: s.where, Kind: "postgres", SchemaVersion: s.version, LatestSchema: LatestSchema,
		User: s.who.User, Counts: map[string]int{},
	}
	if err := s.db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&info.SizeBytes); err != nil {
		return info, s.txErr(err)
	}
	if s.version < LatestSchema {
		return info, nil // an older schema may lack tables: migrate first
	}
	return info, s.InfoCounts(ctx, &info)
}
