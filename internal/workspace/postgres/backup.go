package postgres

import (
	"context"
	"fmt"
)

// Check looks for problems: a foreign key PostgreSQL does not enforce cannot break, so it
// checks what the schema cannot say: search keys of no customer, customers without their
// search keys, and that the audit log's append-only triggers are in place. It returns the
// problems found, none when the workspace is sound.
func (d *DB) Check(ctx context.Context) ([]string, error) {
	var problems []string
	checks := []struct{ query, says string }{
		{`SELECT count(*) FROM customer_search s WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.pk = s.customer)`,
			"search keys of customers that no longer exist"},
		{`SELECT count(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM customer_search s WHERE s.customer = c.pk)`,
			"customers without search keys (they cannot be found by search)"},
		{`SELECT 2 - count(*) FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal AND tgenabled <> 'D'`,
			"audit log triggers missing or disabled: the log is not protected from changes"},
	}
	for _, c := range checks {
		var n int
		if err := d.db.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
			return nil, d.txErr(err)
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, c.says))
		}
	}
	return problems, nil
}
