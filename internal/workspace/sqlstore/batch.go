package sqlstore

import (
	"context"
	"strings"
)

// Batch inserts rows many at a time with multi-row INSERT statements: each call through
// database/sql and the driver costs a few microseconds, a hundred rows per call share it.
type Batch struct {
	tx    Tx
	head  string // "INSERT INTO t(a, b) VALUES"
	ncols int
	per   int
	full  Stmt
	args  []any
	// Parents are the batches whose rows this one's refer to: written before a full batch
	// of this one is (PostgreSQL checks a foreign key at each statement).
	Parents []*Batch
}

// NewBatch prepares a batch of rows of ncols values for head, per rows a statement.
func NewBatch(ctx context.Context, d Dialect, tx Tx, head string, ncols, per int) (*Batch, error) {
	b := &Batch{tx: tx, head: head, ncols: ncols, per: per, args: make([]any, 0, ncols*per)}
	full, err := d.Prepare(ctx, tx, b.statement(per))
	if err != nil {
		return nil, err
	}
	b.full = full
	return b, nil
}

func (b *Batch) statement(rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.ncols), ",") + ")"
	return b.head + " " + strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
}

// Add queues one row; ctx must not be cancellable (see importer.quiet).
func (b *Batch) Add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) < b.ncols*b.per {
		return nil
	}
	for _, p := range b.Parents {
		if err := p.Flush(ctx); err != nil {
			return err
		}
	}
	_, err := b.full.ExecContext(ctx, b.args...)
	b.args = b.args[:0]
	return err
}

// Flush writes the queued rows.
func (b *Batch) Flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(ctx, b.statement(len(b.args)/b.ncols), b.args...)
	b.args = b.args[:0]
	return err
}

// Close closes the prepared statement.
func (b *Batch) Close() { b.full.Close() }
