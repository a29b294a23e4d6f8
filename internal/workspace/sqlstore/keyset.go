package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/pcctl/pcctl/internal/domain"
)

// Keyset paging (the After field of the list queries): a list resumes after a record by
// the record's values of the list's order, looked up once, then compared as a row value
// ((a, b) > (x, y)), so that a page costs an index seek and the page, not a count of the
// pages before it.

// AfterKeys reads the order values of the record After names (query, with one ? for it),
// or refuses an After no record has.
func AfterKeys(ctx context.Context, q Reader, kind, after, query string, keys ...any) error {
	err := q.QueryRowContext(ctx, query, after).Scan(keys...)
	if errors.Is(err, sql.ErrNoRows) {
		return &domain.InvalidError{Field: "after", Value: after,
			Reason: "names no " + kind + " (removed since the page before?): start again from the first page"}
	}
	return err
}
