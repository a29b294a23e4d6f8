package sqlite

import (
	"context"
	"errors"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// sortedKeys is the sqlstore.KeySink of a bulk customer import: the search keys are
// collected and sorted (keySorter, through temporary runs past chunkKeys), then appended
// to customer_search in its primary-key order once the customers are in, which is several
// times faster than growing the index in the order of the file.
type sortedKeys struct {
	tx   sqlstore.Tx
	keys *keySorter
}

func (d *DB) searchKeys(_ context.Context, tx sqlstore.Tx) (sqlstore.KeySink, error) {
	return &sortedKeys{tx: tx, keys: newKeySorter(d.chunkKeys)}, nil
}

func (s *sortedKeys) Add(_ context.Context, nameKey, key string, pk int64) error {
	return s.keys.add(searchKey{nameKey: nameKey, key: key, pk: pk})
}

func (s *sortedKeys) Loaded(context.Context) error      { return nil }
func (s *sortedKeys) Drop(context.Context, int64) error { return nil } // Finish leaves it out
func (s *sortedKeys) Close()                            { s.keys.close() }
func (s *sortedKeys) Finish(ctx context.Context, dropped map[int64]bool) error {
	return insertSortedKeys(ctx, s.tx, s.keys, dropped)
}

// insertSortedKeys appends the keys to customer_search in its primary-key order, leaving
// out those of dropped customers.
func insertSortedKeys(ctx context.Context, tx sqlstore.Tx, keys *keySorter, dropped map[int64]bool) error {
	quiet := context.WithoutCancel(ctx)
	ins, err := sqlstore.NewBatch(ctx, dialect{}, tx, `INSERT INTO customer_search(prefix, name_key, customer, key) VALUES`, 4, 200)
	if err != nil {
		return err
	}
	defer ins.Close()
	i := 0
	err = keys.each(func(k searchKey) error {
		if i++; i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if dropped[k.pk] {
			return nil
		}
		return ins.Add(quiet, domain.KeyPrefix(k.key), k.nameKey, k.pk, k.key)
	})
	if err != nil {
		return err
	}
	return ins.Flush(quiet)
}

func (dialect) ExecMayFail(ctx context.Context, tx sqlstore.Tx, query string) error {
	_, err := tx.ExecContext(ctx, query)
	return err
}

func (dialect) IsConstraint(err error) bool {
	var se *sqlite3.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3lib.SQLITE_CONSTRAINT
}
