package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Customer search over the customer_search table. Each customer has one row per search key
// (domain.SearchKeys: its folded name from the start of each word, and its folded domain),
// stored twice over: in the table's primary key, bucketed by the key's first three bytes
// and ordered by folded name within a bucket, and in an index on the key alone.
//
// A term with few matches is answered from the key index: every match is fetched and
// ranked in Go. A term with many matches (a common three-letter prefix among a million
// customers) is answered by walking its bucket in name order and stopping once the first
// results are known, so the cost follows the results shown, not the matches.

// sparseLimit is how many matching keys a term may have to be answered from the key index.
const sparseLimit = 1000

func (s *session) SearchCustomers(ctx context.Context, text string, limit int) ([]workspace.CustomerRecord, error) {
	if err := s.who.Require(domain.PermReadCustomers); err != nil {
		return nil, err
	}
	term, err := domain.SearchTerm(text)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = domain.SearchLimit
	}
	it := domain.IndexTerm(term)
	lo, hi := it, it+"\xff"

	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM customer_search
		INDEXED BY customer_search_key WHERE key >= ? AND key < ? LIMIT ?)`, lo, hi, sparseLimit+1).Scan(&n); err != nil {
		return nil, err
	}
	var pks []int64
	if n <= sparseLimit {
		pks, err = s.pks(ctx, `SELECT DISTINCT customer FROM customer_search INDEXED BY customer_search_key
			WHERE key >= ? AND key < ?`, lo, hi)
	} else {
		pks, err = s.denseMatches(ctx, term, lo, hi, limit)
	}
	if err != nil {
		return nil, err
	}
	found, err := s.customersByPK(ctx, pks)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]workspace.CustomerRecord, len(found))
	plain := make([]domain.Customer, 0, len(found))
	for _, c := range found {
		byID[c.ID] = c
		plain = append(plain, c.Customer)
	}
	ranked := domain.RankSearch(term, plain, limit)
	out := make([]workspace.CustomerRecord, len(ranked))
	for i, c := range ranked {
		out[i] = byID[c.ID]
	}
	return out, nil
}

// denseMatches returns the exact matches of term and the first matches in name order, at
// least limit of them when there are so many, ending on a whole name so ties rank alike.
func (s *session) denseMatches(ctx context.Context, term, lo, hi string, limit int) ([]int64, error) {
	// Exact matches rank first, wherever their name sorts.
	pks, err := s.pks(ctx, `SELECT pk FROM customers WHERE name_key = ?
		UNION SELECT customer FROM customer_search INDEXED BY customer_search_key WHERE key = ?`, term, domain.IndexTerm(term))
	if err != nil {
		return nil, err
	}
	var rows *sql.Rows
	prefix := domain.KeyPrefix(lo)
	if len(prefix) == domain.KeyPrefixLen {
		rows, err = s.db.QueryContext(ctx, `SELECT customer, name_key, '' FROM customer_search
			WHERE prefix = ? AND key >= ? AND key < ? ORDER BY name_key, customer`, prefix, lo, hi)
	} else {
		// A term shorter than a bucket spans many buckets: walk the customers in name
		// order instead; with this many matches the first ones come quickly.
		rows, err = s.db.QueryContext(ctx, `SELECT c.pk, c.name_key, c.domain FROM customers c INDEXED BY customers_name
			WHERE c.name_key >= '' ORDER BY c.name_key, c.pk`)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := make(map[int64]bool, limit*2)
	var last string
	taken := 0
	for rows.Next() {
		var pk int64
		var nameKey, dom string
		if err := rows.Scan(&pk, &nameKey, &dom); err != nil {
			return nil, err
		}
		if taken >= limit && nameKey != last {
			break
		}
		if seen[pk] {
			continue
		}
		if len(prefix) < domain.KeyPrefixLen && !shortTermMatches(nameKey, dom, term) {
			continue
		}
		seen[pk] = true
		pks = append(pks, pk)
		taken++
		last = nameKey
	}
	return pks, rows.Err()
}

// shortTermMatches checks a term shorter than a bucket against a customer met in name
// order.
func shortTermMatches(nameKey, dom, term string) bool {
	return strings.HasPrefix(nameKey, term) || strings.Contains(nameKey, " "+term) ||
		strings.HasPrefix(domain.Fold(dom), term)
}

func (s *session) pks(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var pk int64
		if err := rows.Scan(&pk); err != nil {
			return nil, err
		}
		out = append(out, pk)
	}
	return out, rows.Err()
}

// customersByPK loads customers by primary key, in no particular order.
func (s *session) customersByPK(ctx context.Context, pks []int64) ([]workspace.CustomerRecord, error) {
	if len(pks) == 0 {
		return nil, nil
	}
	var b strings.Builder
	b.WriteString("SELECT " + userCols + " FROM customers c WHERE c.pk IN (")
	args := []any{sql.Named("user", s.who.User)}
	for i, pk := range pks {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('?')
		args = append(args, pk)
	}
	b.WriteByte(')')
	rows, err := s.db.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []workspace.CustomerRecord
	for rows.Next() {
		_, c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
