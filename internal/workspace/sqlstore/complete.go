package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// The completion queries read a range of a unique index: [prefix, prefix||{end}) holds
// exactly the values that begin with prefix ({end} is Dialect.PrefixEndSQL: SQLite's
// x'ff', a byte UTF-8 never has; PostgreSQL's largest code point), in index order, so
// LIMIT stops the scan after limit rows.
const (
	completeDomainsQuery = `SELECT domain, company_name FROM customers
		WHERE domain >= ?1 AND domain < ?1 || {end} ORDER BY domain LIMIT ?2`
	completeIDsQuery = `SELECT id, company_name || ' (' || domain || ')' FROM customers
		WHERE id >= ?1 AND id < ?1 || {end} ORDER BY id LIMIT ?2`
	completeResellersQuery = `SELECT mpn_id, name FROM resellers
		WHERE mpn_id >= ?1 AND mpn_id < ?1 || {end} AND (status = 'active' OR ?3 = 1) ORDER BY mpn_id LIMIT ?2`
	completeSubscriptionsQuery = `SELECT s.id, s.offer || ' for ' || c.company_name
		FROM subscriptions s JOIN customers c ON c.pk = s.customer
		WHERE s.id >= ?1 AND s.id < ?1 || {end} ORDER BY s.id LIMIT ?2`
	completeDealsQuery = `SELECT d.id, d.name || coalesce(' (' || c.company_name || ')', ' (' || o.name || ')', '')
		FROM deals d LEFT JOIN customers c ON c.pk = d.customer LEFT JOIN organizations o ON o.pk = d.organization
		WHERE d.id >= ?1 AND d.id < ?1 || {end} ORDER BY d.id LIMIT ?2`
	completeRequestsQuery = `SELECT r.ref, r.title || ' (' || c.company_name || ')'
		FROM service_requests r JOIN customers c ON c.pk = r.customer
		WHERE r.ref >= ?1 AND r.ref < ?1 || {end} ORDER BY r.ref LIMIT ?2`
)

func (s *Session) Complete(ctx context.Context, kind workspace.CompleteKind, prefix string, limit int) ([]workspace.Candidate, error) {
	if limit <= 0 {
		return nil, nil
	}
	switch kind {
	case workspace.CompleteCustomers:
		if err := s.Who.Require(domain.PermReadCustomers); err != nil {
			return nil, err
		}
		prefix = strings.ToLower(prefix)
		out, err := s.candidates(ctx, completeDomainsQuery, prefix, limit)
		if err != nil || prefix == "" || strings.Trim(prefix, "0123456789abcdef-") != "" {
			return out, err // tenant IDs only when the prefix could begin one
		}
		ids, err := s.candidates(ctx, completeIDsQuery, prefix, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
		slices.SortFunc(out, func(a, b workspace.Candidate) int { return strings.Compare(a.Value, b.Value) })
		return out[:min(len(out), limit)], nil
	case workspace.CompleteResellers, workspace.CompleteAnyResellers:
		if err := s.Who.Require(domain.PermManageResellers); err != nil {
			return nil, err
		}
		return s.candidates(ctx, completeResellersQuery, prefix, limit, kind == workspace.CompleteAnyResellers)
	case workspace.CompleteSubscriptions:
		if err := s.Who.Require(domain.PermReadCustomers); err != nil {
			return nil, err
		}
		return s.candidates(ctx, completeSubscriptionsQuery, strings.ToLower(prefix), limit)
	case workspace.CompleteDeals:
		if err := s.Who.Require(domain.PermDeals); err != nil {
			return nil, err
		}
		return s.candidates(ctx, completeDealsQuery, prefix, limit)
	case workspace.CompleteRequests:
		if err := s.Who.Require(domain.PermServiceRequests); err != nil {
			return nil, err
		}
		return s.candidates(ctx, completeRequestsQuery, prefix, limit)
	}
	return nil, fmt.Errorf("unknown completion kind %q", kind)
}

func (s *Session) candidates(ctx context.Context, query, prefix string, limit int, more ...any) ([]workspace.Candidate, error) {
	query = strings.ReplaceAll(query, "{end}", s.Dialect.PrefixEndSQL())
	rows, err := s.Pool.QueryContext(ctx, query, append([]any{prefix, limit}, more...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []workspace.Candidate
	for rows.Next() {
		var c workspace.Candidate
		if err := rows.Scan(&c.Value, &c.Description); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CompleteRangeQueries are the completion queries that read one table's index range
// (domains, IDs, resellers, subscriptions), as d runs them: for a store's test of their
// query plans.
func CompleteRangeQueries(d Dialect) []string {
	var out []string
	for _, q := range []string{completeDomainsQuery, completeIDsQuery, completeResellersQuery, completeSubscriptionsQuery} {
		out = append(out, strings.ReplaceAll(q, "{end}", d.PrefixEndSQL()))
	}
	return out
}
