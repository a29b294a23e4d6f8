package sqlstore

import (
	"context"

	"github.com/pcctl/pcctl/internal/workspace"
)

// Empty tells whether the workspace read in snapshot (a store's Snapshot) holds no record:
// what workspace copy asks of its target.
func Empty(ctx context.Context, snapshot func(context.Context, func(workspace.TableReader) error) error) (bool, error) {
	var empty bool
	err := snapshot(ctx, func(r workspace.TableReader) error {
		names, err := r.Tables(ctx)
		if err != nil {
			return err
		}
		for _, name := range names {
			n, err := r.Count(ctx, name)
			if err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
		}
		empty = true
		return nil
	})
	return empty, err
}
