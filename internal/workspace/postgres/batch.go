package postgres

import (
	"context"

	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// batch is sqlstore.Batch for this package's own bulk paths (the sync).
type batch struct {
	*sqlstore.Batch
	// parents are the batches whose rows this one's refer to: written before a full batch
	// of this one is (sqlstore.Batch.Parents).
	parents []*batch
}

func newBatch(ctx context.Context, tx sqlstore.Tx, head string, ncols, per int) (*batch, error) {
	b, err := sqlstore.NewBatch(ctx, dialect{}, tx, head, ncols, per)
	if err != nil {
		return nil, err
	}
	return &batch{Batch: b}, nil
}

// add queues one row; ctx must not be cancellable.
func (b *batch) add(ctx context.Context, vals ...any) error {
	if len(b.Parents) != len(b.parents) {
		b.Parents = make([]*sqlstore.Batch, len(b.parents))
		for i, p := range b.parents {
			b.Parents[i] = p.Batch
		}
	}
	return b.Add(ctx, vals...)
}

func (b *batch) flush(ctx context.Context) error { return b.Flush(ctx) }
func (b *batch) close()                          { b.Close() }
