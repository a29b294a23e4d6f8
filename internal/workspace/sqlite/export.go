package sqlite

import (
	"context"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// exportBatch is how many customers the reading goroutine hands over at a time.
const exportBatch = 512

// ExportCustomers streams customers in the order they were added (primary key order: a
// plain walk of the table, the fastest SQLite can read it). The statement is a single
// read transaction, so the export is one consistent snapshot even while other processes
// write.
//
// Reading rows through the driver costs about four times what formatting them does, so a
// goroutine reads while the caller's goroutine runs each; they trade a few batches of
// records back and forth, so memory stays constant.
func (s *session) ExportCustomers(ctx context.Context, q workspace.ExportQuery, each func(*domain.Customer) error) error {
	if err := s.who.Require(domain.PermReadCustomers); err != nil {
		return err
	}
	query := `SELECT id, company_name, domain, country, reseller_mpn_id, relationship, created_at
		FROM customers`
	var args []any
	if q.Reseller != "" {
		query += ` WHERE reseller_mpn_id = ?`
		args = append(args, q.Reseller)
	}
	rows, err := s.db.QueryContext(ctx, query+` ORDER BY pk`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const inFlight = 4
	free := make(chan []domain.Customer, inFlight)
	full := make(chan []domain.Customer, inFlight)
	for range inFlight {
		free <- make([]domain.Customer, exportBatch)
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(full)
		readErr <- func() error {
			var created string
			for {
				var buf []domain.Customer
				select {
				case buf = <-free:
				case <-ctx.Done():
					return nil
				}
				n := 0
				for n < len(buf) && rows.Next() {
					c := &buf[n]
					if err := rows.Scan(&c.ID, &c.CompanyName, &c.Domain, &c.Country, &c.ResellerMPNID,
						&c.Relationship, &created); err != nil {
						return err
					}
					c.CreatedAt = parseTime(created)
					n++
				}
				if n > 0 {
					full <- buf[:n]
				}
				if n < len(buf) {
					return rows.Err()
				}
			}
		}()
	}()
	var werr error
	for buf := range full {
		for i := range buf {
			if werr == nil {
				werr = each(&buf[i])
			}
		}
		if werr != nil {
			cancel() // stop the reader; drain what it already sent
			continue
		}
		free <- buf[:cap(buf)]
	}
	if err := <-readErr; err != nil {
		return err
	}
	return werr
}
