package postgres

import (
	"context"
	"strings"
)

// batch inserts rows many at a time with multi-row INSERT statements: each call through
// database/sql and the driver costs a few microseconds, a hundred rows per call share it.
type batch struct {
	tx    *Tx
	head  string // "INSERT INTO t(a, b) VALUES"
	ncols int
	per   int
	full  *Stmt
	args  []any
	// parents are the batches whose rows this one's refer to: written before a full batch
	// of this one is (PostgreSQL checks a foreign key at each statement).
	parents []*batch
}

func newBatch(ctx context.Context, tx *Tx, head string, ncols, per int) (*batch, error) {
	b := &batch{tx: tx, head: head, ncols: ncols, per: per, args: make([]any, 0, ncols*per)}
	full, err := tx.PrepareContext(ctx, b.statement(per))
	if err != nil {
		return nil, err
	}
	b.full = full
	return b, nil
}

func (b *batch) statement(rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.ncols), ",") + ")"
	return b.head + " " + strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
}

// add queues one row; ctx must not be cancellable (see importer.quiet).
func (b *batch) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) < b.ncols*b.per {
		return nil
	}
	for _, p := range b.parents {
		if err := p.flush(ctx); err != nil {
			return err
		}
	}
	_, err := b.full.ExecContext(ctx, b.args...)
	b.args = b.args[:0]
	return err
}

// flush writes the queued rows.
func (b *batch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(ctx, b.statement(len(b.args)/b.ncols), b.args...)
	b.args = b.args[:0]
	return err
}

func (b *batch) close() { b.full.Close() }
