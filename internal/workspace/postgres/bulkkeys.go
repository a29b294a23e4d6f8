package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// batchedKeys is the sqlstore.KeySink of a bulk customer import: the search keys are
// written as they come, in multi-row INSERTs (customer_search has no foreign key to wait
// for), and a duplicate customer's are deleted with it.
type batchedKeys struct {
	tx  sqlstore.Tx
	ins *sqlstore.Batch
}

func (d *DB) searchKeys(ctx context.Context, tx sqlstore.Tx) (sqlstore.KeySink, error) {
	ins, err := sqlstore.NewBatch(ctx, dialect{}, tx, `INSERT INTO customer_search(prefix, name_key, customer, key) VALUES`, 4, 200)
	if err != nil {
		return nil, err
	}
	return &batchedKeys{tx: tx, ins: ins}, nil
}

func (b *batchedKeys) Add(ctx context.Context, nameKey, key string, pk int64) error {
	return b.ins.Add(ctx, domain.KeyPrefix(key), nameKey, pk, key)
}

func (b *batchedKeys) Loaded(ctx context.Context) error { return b.ins.Flush(ctx) }

func (b *batchedKeys) Drop(ctx context.Context, pk int64) error {
	_, err := b.tx.ExecContext(ctx, `DELETE FROM customer_search WHERE customer = ?`, pk)
	return err
}

func (b *batchedKeys) Finish(context.Context, map[int64]bool) error { return nil }
func (b *batchedKeys) Close()                                       { b.ins.Close() }

// ExecMayFail runs query within a savepoint: in PostgreSQL a failed statement fails the
// whole transaction. A constraint's refusal is rolled back to it.
func (dialect) ExecMayFail(ctx context.Context, tx sqlstore.Tx, query string) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT build_index"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, query)
	if err != nil && isConstraint(err) {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT build_index"); rerr != nil {
			return rerr
		}
	}
	return err
}

func (dialect) IsConstraint(err error) bool { return isConstraint(err) }

// isConstraint tells whether err is an integrity constraint violation (SQLSTATE class 23).
func isConstraint(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && strings.HasPrefix(pe.Code, "23")
}
