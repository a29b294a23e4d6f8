package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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
// Reading values through the driver is what an export spends its time on, about a quarter
// of a microsecond per value. So SQLite joins each row's fields into one value, separated
// by the unit separator (U+001F, which no field may hold: domain refuses control
// characters), and a goroutine reads those while the caller's goroutine splits them and
// runs each; they trade a few batches back and forth, so memory stays constant.
func (s *Session) ExportCustomers(ctx context.Context, q workspace.ExportQuery, each func(*domain.Customer) error) error {
	if err := s.Who.Require(domain.PermReadCustomers); err != nil {
		return err
	}
	us := s.Dialect.Chr(31)
	query := `SELECT id || ` + us + ` || company_name || ` + us + ` || domain || ` + us + ` || country || ` + us + ` ||
		reseller_mpn_id || ` + us + ` || relationship || ` + us + ` || created_at || ` + us + ` || purchases_allowed FROM customers`
	var args []any
	if q.Reseller != "" {
		query += ` WHERE reseller_mpn_id = ?`
		args = append(args, q.Reseller)
	}
	rows, err := s.Pool.QueryContext(ctx, query+` ORDER BY pk`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const inFlight = 4
	free := make(chan []string, inFlight)
	full := make(chan []string, inFlight)
	for range inFlight {
		free <- make([]string, exportBatch)
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(full)
		readErr <- func() error {
			var raw sql.RawBytes
			for {
				var buf []string
				select {
				case buf = <-free:
				case <-ctx.Done():
					return nil
				}
				n := 0
				for n < len(buf) && rows.Next() {
					if err := rows.Scan(&raw); err != nil {
						return err
					}
					buf[n] = string(raw) // one allocation a row; the fields are slices of it
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
	var c domain.Customer
	for buf := range full {
		for _, line := range buf {
			if werr == nil {
				if werr = splitCustomer(line, &c); werr == nil {
					werr = each(&c)
				}
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

// splitCustomer fills c from a row joined by ExportCustomers' query.
func splitCustomer(line string, c *domain.Customer) error {
	var f [8]string
	for i := range 7 {
		j := strings.IndexByte(line, 0x1f)
		if j < 0 {
			return fmt.Errorf("export: a row has %d fields, not 8", i+1)
		}
		f[i], line = line[:j], line[j+1:]
	}
	if strings.IndexByte(line, 0x1f) >= 0 {
		// Only a hand edit of the file puts one there: refuse rather than shift fields.
		return fmt.Errorf("export: customer %s holds a U+001F control character; correct it in the workspace", f[0])
	}
	f[7] = line
	c.ID, c.CompanyName, c.Domain, c.Country, c.ResellerMPNID, c.Relationship = f[0], f[1], f[2], f[3], f[4], f[5]
	c.CreatedAt = ParseTime(f[6])
	c.PurchasesAllowed = f[7] == "1"
	return nil
}
