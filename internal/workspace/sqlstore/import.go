package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// ImportCustomers runs the whole import in one write transaction: any error, or a
// refused row that OnRowError does not skip, rolls everything back.
//
// Into an empty workspace it loads in bulk: rows are appended with the indexes dropped,
// then the indexes are built from sorted data, which is several times faster than growing
// them row by row. Duplicates in the file show up when the unique indexes are built and
// are then reported by line. Into a workspace that holds customers already, each row is
// matched by ID (or by domain when the file has no ID column) and created, updated or left
// unchanged.
func (s *Session) ImportCustomers(ctx context.Context, rows workspace.CustomerRows, opts workspace.ImportOptions) (workspace.ImportResult, error) {
	var res workspace.ImportResult
	if err := s.Who.Require(domain.PermWriteCustomers); err != nil {
		return res, err
	}
	if opts.OnRowError == nil {
		opts.OnRowError = func(e *workspace.RowError) error { return e }
	}
	if opts.Now.IsZero() {
		opts.Now = s.now()
	}
	err := s.WriteTx(ctx, func(tx Tx) error {
		res = workspace.ImportResult{}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM customers").Scan(&n); err != nil {
			return err
		}
		imp := &importer{s: s, tx: tx, opts: opts, res: &res}
		var err error
		if n == 0 {
			err = imp.bulk(ctx, rows)
		} else {
			err = imp.incremental(ctx, rows)
		}
		if err == nil && opts.Probe && res.Skipped > 0 {
			return workspace.ErrProbed // rolled back
		}
		if err != nil || res.Created+res.Updated == 0 {
			return err
		}
		// One record for the whole import, never one per customer.
		return s.Audit(ctx, tx, "customer.import", AuditCustomers, "", nil, ImportState(res))
	})
	return res, err
}

type importer struct {
	s    *Session
	tx   Tx
	rows workspace.CustomerRows
	opts workspace.ImportOptions
	res  *workspace.ImportResult
}

// next reads the next row and normalises it, handing bad rows to OnRowError. It returns
// io.EOF at the end.
func (imp *importer) next() (workspace.CustomerRow, error) {
	for {
		row, err := imp.nextRaw()
		if err != nil {
			var re *workspace.RowError
			if errors.As(err, &re) {
				if err := imp.reject(re); err != nil {
					return row, err
				}
				continue
			}
			return row, err
		}
		return row, nil
	}
}

func (imp *importer) nextRaw() (workspace.CustomerRow, error) {
	row, err := imp.rows.Next()
	var re *workspace.RowError
	if err == nil || errors.As(err, &re) {
		imp.res.Read++ // every data row, good or bad: read = created+updated+unchanged+skipped
	}
	if err != nil {
		return row, err
	}
	c, err := domain.NormalizeCustomer(row.Customer)
	if err != nil {
		var ie *domain.InvalidError
		if errors.As(err, &ie) {
			return row, &workspace.RowError{Line: row.Line, Field: ie.Field, Reason: ie.Detail()}
		}
		return row, err
	}
	if c.ID == "" {
		if row.HasID {
			return row, &workspace.RowError{Line: row.Line, Field: "id", Reason: "is empty"}
		}
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = imp.opts.Now.UTC().Truncate(1e9)
	}
	row.Customer = c
	return row, nil
}

// reject hands a refused row to OnRowError and counts it as skipped if it is skipped.
func (imp *importer) reject(re *workspace.RowError) error {
	if err := imp.opts.OnRowError(re); err != nil {
		return err
	}
	imp.res.Skipped++
	return nil
}

func (imp *importer) newID() (string, error) {
	id, err := uuid.NewRandomFromReader(imp.s.Random)
	if err != nil {
		return "", fmt.Errorf("generating a tenant ID: %w", err)
	}
	return id.String(), nil
}

// bulk loads rows into an empty workspace: customers are appended with their secondary
// indexes dropped, the indexes are then built from the data at once, and the search keys,
// collected and sorted in memory, are appended to customer_search in primary-key order.
// The primary key of each customer is its line in the file, so duplicates found by the
// unique indexes are reported by line.
func (imp *importer) bulk(ctx context.Context, rows workspace.CustomerRows) error {
	imp.rows = rows
	tx := imp.tx
	quiet := context.WithoutCancel(ctx)
	for _, ix := range imp.s.CustomerIndexes {
		if _, err := tx.ExecContext(ctx, "DROP INDEX "+ix.Name); err != nil {
			return err
		}
	}
	ins, err := NewBatch(ctx, imp.s.Dialect, tx, `INSERT INTO customers(pk, id, company_name, name_key, domain,
		country, reseller_mpn_id, relationship, created_at) VALUES`, 9, 100)
	if err != nil {
		return err
	}
	defer ins.Close()

	keys, err := imp.s.SearchKeys(ctx, tx)
	if err != nil {
		return err
	}
	defer keys.Close()
	created := 0
	var maxPK int64
	for {
		if created%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		row, err := imp.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		c := row.Customer
		if c.ID == "" {
			if c.ID, err = imp.newID(); err != nil {
				return err
			}
		}
		nameKey := domain.Fold(c.CompanyName)
		pk := int64(row.Line)
		maxPK = max(maxPK, pk)
		if err := ins.Add(quiet, pk, c.ID, c.CompanyName, nameKey, c.Domain, c.Country,
			c.ResellerMPNID, c.Relationship, FormatTime(c.CreatedAt)); err != nil {
			return err
		}
		for _, k := range domain.SearchKeys(nameKey, c.Domain) {
			if err := keys.Add(quiet, nameKey, k, pk); err != nil {
				return err
			}
		}
		created++
	}
	if err := ins.Flush(quiet); err != nil {
		return err
	}
	if err := keys.Loaded(quiet); err != nil {
		return err
	}
	// The rows were given their line as primary key: new customers must be numbered after.
	if err := imp.s.Dialect.NextPK(ctx, tx, "customers", maxPK+1); err != nil {
		return err
	}

	dropped := map[int64]bool{}
	for _, ix := range imp.s.CustomerIndexes {
		err := imp.s.Dialect.ExecMayFail(ctx, tx, ix.Create)
		if err != nil && imp.s.Dialect.IsConstraint(err) && (ix.Name == "customers_id" || ix.Name == "customers_domain") {
			if err := imp.dropDuplicates(ctx, strings.TrimPrefix(ix.Name, "customers_"), dropped, keys); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, ix.Create)
		}
		if err != nil {
			return fmt.Errorf("building index %s: %w", ix.Name, err)
		}
	}
	if err := keys.Finish(ctx, dropped); err != nil {
		return fmt.Errorf("building the search index: %w", err)
	}
	imp.res.Created = created - len(dropped)
	return nil
}

// dropDuplicates finds rows of this bulk load that repeat an id or domain of an earlier
// line, reports each through OnRowError and deletes the skipped ones, adding them to
// dropped. It runs only when building a unique index failed.
func (imp *importer) dropDuplicates(ctx context.Context, col string, dropped map[int64]bool, keys KeySink) error {
	tx := imp.tx
	if _, err := tx.ExecContext(ctx, "CREATE INDEX temp_dups ON customers("+col+", pk)"); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+col+`, `+imp.s.Dialect.Concat("CAST(pk AS TEXT)")+` FROM customers
		GROUP BY `+col+` HAVING count(*) > 1 ORDER BY min(pk)`)
	if err != nil {
		return err
	}
	type dup struct {
		value string
		lines []int64
	}
	var dups []dup
	for rows.Next() {
		var d dup
		var list string
		if err := rows.Scan(&d.value, &list); err != nil {
			rows.Close()
			return err
		}
		for _, f := range strings.Split(list, ",") {
			pk, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				rows.Close()
				return err
			}
			d.lines = append(d.lines, pk)
		}
		dups = append(dups, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Report in line order, each repeat pointing at the first line with the value.
	type repeat struct {
		line, first int64
		value       string
	}
	var repeats []repeat
	for _, d := range dups {
		slices.Sort(d.lines)
		for _, l := range d.lines[1:] {
			repeats = append(repeats, repeat{l, d.lines[0], d.value})
		}
	}
	slices.SortFunc(repeats, func(a, b repeat) int { return cmp.Compare(a.line, b.line) })
	for _, r := range repeats {
		re := &workspace.RowError{Line: int(r.line), Field: col,
			Reason: fmt.Sprintf("%s appears again (first on line %d)", r.value, r.first)}
		if err := imp.reject(re); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM customers WHERE pk = ?`, r.line); err != nil {
			return err
		}
		if err := keys.Drop(ctx, r.line); err != nil {
			return err
		}
		dropped[r.line] = true
	}
	_, err = tx.ExecContext(ctx, "DROP INDEX temp_dups")
	return err
}

// incremental merges rows into a workspace that holds customers already.
func (imp *importer) incremental(ctx context.Context, rows workspace.CustomerRows) error {
	imp.rows = rows
	tx := imp.tx
	if _, err := tx.ExecContext(ctx, imp.s.Dialect.TempTable("import_seen", "key", "line")); err != nil {
		return err
	}
	// Best effort: a temporary table goes with the connection (or the transaction) anyway.
	defer func() {
		_, _ = tx.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+imp.s.Dialect.Temp("import_seen"))
	}()
	for {
		row, err := imp.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := imp.merge(ctx, row); err != nil {
			var re *workspace.RowError
			if errors.As(err, &re) {
				if err := imp.reject(re); err != nil {
					return err
				}
				continue
			}
			return err
		}
	}
}

// seen records that this import has used an id or domain, returning the earlier line
// that did if any.
func (imp *importer) seen(ctx context.Context, key string, line int) (int, error) {
	var first int
	err := imp.tx.QueryRowContext(ctx, `SELECT line FROM import_seen WHERE key = ?`, key).Scan(&first)
	if err == nil {
		return first, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	_, err = imp.tx.ExecContext(ctx, `INSERT INTO import_seen(key, line) VALUES (?, ?)`, key, line)
	return 0, err
}

func (imp *importer) merge(ctx context.Context, row workspace.CustomerRow) error {
	tx := imp.tx
	c := row.Customer
	for _, k := range []struct{ Field, value string }{{"id", c.ID}, {"domain", c.Domain}} {
		if k.value == "" {
			continue
		}
		first, err := imp.seen(ctx, k.Field+":"+k.value, row.Line)
		if err != nil {
			return err
		}
		if first != 0 {
			return &workspace.RowError{Line: row.Line, Field: k.Field,
				Reason: fmt.Sprintf("%s appears again (first on line %d)", k.value, first)}
		}
	}
	ref := c.Domain
	if row.HasID {
		ref = c.ID
	}
	pk, old, err := imp.s.FindCustomer(ctx, tx, ref)
	var nf *domain.NotFoundError
	if errors.As(err, &nf) {
		return imp.create(ctx, row)
	}
	if err != nil {
		return err
	}
	merged := old.Customer
	merged.CompanyName, merged.Domain = c.CompanyName, c.Domain
	if row.HasCountry {
		merged.Country = c.Country
	}
	if row.HasReseller {
		merged.ResellerMPNID = c.ResellerMPNID
	}
	if row.HasRelationship {
		merged.Relationship = c.Relationship
	}
	if row.HasCreatedAt {
		merged.CreatedAt = c.CreatedAt
	}
	if merged == old.Customer {
		imp.res.Unchanged++
		return nil
	}
	if merged.Domain != old.Domain {
		if err := imp.domainFree(ctx, row.Line, merged.Domain, merged.ID); err != nil {
			return err
		}
	}
	nameKey := domain.Fold(merged.CompanyName)
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET company_name = ?, name_key = ?, domain = ?,
		country = ?, reseller_mpn_id = ?, relationship = ?, created_at = ? WHERE pk = ?`,
		merged.CompanyName, nameKey, merged.Domain, merged.Country, merged.ResellerMPNID,
		merged.Relationship, FormatTime(merged.CreatedAt), pk); err != nil {
		return err
	}
	if merged.CompanyName != old.CompanyName || merged.Domain != old.Domain {
		oldKey := domain.Fold(old.CompanyName)
		for _, k := range domain.SearchKeys(oldKey, old.Domain) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM customer_search WHERE prefix = ? AND name_key = ? AND customer = ? AND key = ?`,
				domain.KeyPrefix(k), oldKey, pk, k); err != nil {
				return err
			}
		}
		if err := InsertKeys(ctx, tx, pk, merged); err != nil {
			return err
		}
	}
	imp.res.Updated++
	return nil
}

func (imp *importer) create(ctx context.Context, row workspace.CustomerRow) error {
	c := row.Customer
	if err := imp.domainFree(ctx, row.Line, c.Domain, c.ID); err != nil {
		return err
	}
	if c.ID == "" {
		var err error
		if c.ID, err = imp.newID(); err != nil {
			return err
		}
	}
	pk, err := InsertCustomer(ctx, imp.s.Dialect, imp.tx, c, "")
	if err != nil {
		return err
	}
	if err := InsertKeys(ctx, imp.tx, pk, c); err != nil {
		return err
	}
	imp.res.Created++
	return nil
}

// domainFree refuses a domain that is the primary domain of another customer.
func (imp *importer) domainFree(ctx context.Context, line int, dom, id string) error {
	var other string
	err := imp.tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE domain = ?`, dom).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) || err == nil && other == id {
		return nil
	}
	if err != nil {
		return err
	}
	return &workspace.RowError{Line: line, Field: "domain",
		Reason: fmt.Sprintf("%s is already the primary domain of customer %s", dom, other)}
}
