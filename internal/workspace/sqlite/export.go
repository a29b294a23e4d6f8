package sqlite

import (
	"context"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// ExportCustomers streams customers in the order they were added (primary key order: a
// plain walk of the table, the fastest SQLite can read it). The statement is a single
// read transaction, so the export is one consistent snapshot even while other processes
// write.
func (s *session) ExportCustomers(ctx context.Context, q workspace.ExportQuery, each func(*domain.Customer) error) error {
	if err := s.who.Require(domain.PermReadCustomers); err != nil {
		return err
	}
	query := `SELECT id, company_name, domain, country, reseller_mpn_id, relationship, created_at, admin_account
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
	var c domain.Customer
	var created string
	for rows.Next() {
		if err := rows.Scan(&c.ID, &c.CompanyName, &c.Domain, &c.Country, &c.ResellerMPNID,
			&c.Relationship, &created, &c.AdminAccount); err != nil {
			return err
		}
		c.CreatedAt = parseTime(created)
		if err := each(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}
