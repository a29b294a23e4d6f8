package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// Customer search over the customer_search table: one row per search key of a customer
// (domain.SearchKeys: its folded name from the start of each word, and its folded domain),
// keyed by (prefix, name_key, customer, key), where prefix is the key's first three bytes
// (domain.KeyPrefix). Within a prefix the rows are in folded-name order, so a term of three
// bytes or more is answered by walking its one prefix in name order and stopping once the
// first results are known: the cost follows the results shown, not the number of matches.
//
// A shorter term spans many prefixes. When it matches few keys they are all fetched and
// ranked; when it matches many, the customers are walked in name order instead, and with
// that many matches the first ones come quickly.

// maxVariantKeys bounds the keys walked for each transliteration variant of a term: each
// costs a customer lookup (is the name written with an umlaut?), so a term such as "blue"
// (variant "blu") costs at most this many, about half a millisecond. A workspace with
// more than this many names without umlauts under the variant, alphabetically before the
// ones with, shows fewer of those.
const maxVariantKeys = 200

// shortTermLimit is how many keys a one- or two-byte term may match to be ranked in full.
var shortTermLimit = 20000 // a variable so tests can exercise both paths

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
	exact := strings.ToLower(strings.TrimSpace(text))
	var key string
	var version int64
	if s.search != nil {
		key = term + "\x00" + exact + "\x00" + strconv.Itoa(limit)
		hit, v, ok, err := s.search.get(ctx, key)
		if err != nil {
			return nil, err
		}
		if ok {
			return s.withMarks(ctx, hit)
		}
		version = v
	}
	it := domain.IndexTerm(term)
	lo, hi := it, it+"\xff" // every key beginning with it, in byte order

	// Exact matches rank first, wherever their name sorts.
	pks, err := s.pks(ctx, `SELECT pk FROM customers WHERE name_key = ? UNION SELECT pk FROM customers WHERE domain = ?`,
		term, exact)
	if err != nil {
		return nil, err
	}
	var more []int64
	switch {
	case len(it) >= domain.KeyPrefixLen:
		more, err = s.firstInNameOrder(ctx, limit, nil, `SELECT customer, name_key, '' FROM customer_search
			WHERE prefix = ? AND key >= ? AND key < ? ORDER BY name_key, customer`, domain.KeyPrefix(it), lo, hi)
	default:
		var n int
		if err := s.cached.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM customer_search
			WHERE prefix >= ? AND prefix < ? LIMIT ?)`, lo, hi, shortTermLimit).Scan(&n); err != nil {
			return nil, err
		}
		if n < shortTermLimit {
			more, err = s.pks(ctx, `SELECT DISTINCT customer FROM customer_search WHERE prefix >= ? AND prefix < ?`, lo, hi)
		} else {
			more, err = s.firstInNameOrder(ctx, limit, func(nameKey, dom string) bool {
				return strings.HasPrefix(nameKey, term) || strings.Contains(nameKey, " "+term) ||
					strings.HasPrefix(domain.Fold(dom), term)
			}, `SELECT pk, name_key, domain FROM customers INDEXED BY customers_name ORDER BY name_key, pk`)
		}
	}
	if err != nil {
		return nil, err
	}
	// The forms a term written with transliterated umlauts may be stored under ("wurzburg"
	// for "wuerzburg", domain.TransliterationVariants): each walked as the term is, a
	// bounded number of keys, keeping only the customers the term really matches.
	for _, v := range domain.TransliterationVariants(term) {
		vt := domain.IndexTerm(v)
		if len(vt) < domain.KeyPrefixLen {
			continue
		}
		found, err := s.firstInNameOrder(ctx, limit, func(_, name string) bool {
			// A name without an umlaut matches only as it is folded: the walk of the term
			// itself finds it.
			if domain.FoldTransliterated(name) == "" {
				return false
			}
			m, _ := domain.Matches(term, domain.Customer{CompanyName: name})
			return m
		}, `SELECT s.customer, s.name_key, c.company_name FROM customer_search s JOIN customers c ON c.pk = s.customer
			WHERE s.prefix = ? AND s.key >= ? AND s.key < ? ORDER BY s.name_key, s.customer LIMIT ?`,
			domain.KeyPrefix(vt), vt, vt+"\xff", maxVariantKeys)
		if err != nil {
			return nil, err
		}
		more = append(more, found...)
	}
	// A text written with umlauts is also looked for as German writes it without them
	// ("würzburg" finds "Wuerzburg GmbH"), walked as the term is.
	forms, _ := domain.SearchForms(text)
	if len(forms) > 1 {
		if at := domain.IndexTerm(forms[1]); len(at) >= domain.KeyPrefixLen {
			found, err := s.firstInNameOrder(ctx, limit, nil, `SELECT customer, name_key, '' FROM customer_search
				WHERE prefix = ? AND key >= ? AND key < ? ORDER BY name_key, customer`, domain.KeyPrefix(at), at, at+"\xff")
			if err != nil {
				return nil, err
			}
			more = append(more, found...)
		}
	}
	// The beginning of a tenant ID: the primary key's index, in ID order.
	if hex, ok := domain.IDPrefixTerm(term); ok {
		p := domain.TenantIDPrefix(hex)
		ids, err := s.pks(ctx, `SELECT pk FROM customers WHERE id >= ? AND id < ? ORDER BY id LIMIT ?`, p, p+"\xff", limit)
		if err != nil {
			return nil, err
		}
		more = append(more, ids...)
	}
	found, err := s.customersByPK(ctx, append(pks, more...))
	if err != nil {
		return nil, err
	}
	byID := make(map[string]workspace.CustomerRecord, len(found))
	plain := make([]domain.Customer, 0, len(found))
	for _, c := range found {
		if _, dup := byID[c.ID]; dup {
			continue
		}
		byID[c.ID] = c
		plain = append(plain, c.Customer)
	}
	ranked := domain.RankSearchForms(forms, plain, limit)
	if s.search != nil {
		s.search.put(key, version, ranked)
	}
	out := make([]workspace.CustomerRecord, len(ranked))
	for i, c := range ranked {
		out[i] = byID[c.ID]
	}
	return out, nil
}

// firstInNameOrder runs a query yielding (customer, name_key, domain) in name order and
// returns the first limit distinct customers that keep passes (all when keep is nil),
// going on to the end of the last name so that equal names are ranked together.
func (s *session) firstInNameOrder(ctx context.Context, limit int, keep func(nameKey, dom string) bool, query string, args ...any) ([]int64, error) {
	rows, err := s.cached.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	seen := make(map[int64]bool, limit)
	var last string
	for rows.Next() {
		var pk int64
		var nameKey, dom string
		if err := rows.Scan(&pk, &nameKey, &dom); err != nil {
			return nil, err
		}
		if len(out) >= limit && nameKey != last {
			break
		}
		if seen[pk] || keep != nil && !keep(nameKey, dom) {
			continue
		}
		seen[pk] = true
		out = append(out, pk)
		last = nameKey
	}
	return out, rows.Err()
}

func (s *session) pks(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.cached.QueryContext(ctx, query, args...)
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

// customersByPK loads customers by primary key, in no particular order, with the
// principal's flags and pins read once for all of them (a user has at most 30 flags)
// rather than looked up row by row.
func (s *session) customersByPK(ctx context.Context, pks []int64) ([]workspace.CustomerRecord, error) {
	if len(pks) == 0 {
		return nil, nil
	}
	list := make([]byte, 0, len(pks)*8)
	list = append(list, '[')
	for i, pk := range pks {
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, pk, 10)
	}
	list = append(list, ']')
	flagged := map[int64]string{}
	pinned := map[int64]bool{}
	marks, err := s.cached.QueryContext(ctx, `SELECT customer, flagged_at, 0 FROM customer_flags WHERE user = :user
		UNION ALL SELECT customer, '', 1 FROM customer_pins WHERE user = :user AND customer IN (SELECT value FROM json_each(:pks))`,
		sql.Named("user", s.who.User), sql.Named("pks", string(list)))
	if err != nil {
		return nil, err
	}
	for marks.Next() {
		var pk int64
		var at string
		var pin bool
		if err := marks.Scan(&pk, &at, &pin); err != nil {
			marks.Close()
			return nil, err
		}
		if pin {
			pinned[pk] = true
		} else {
			flagged[pk] = at
		}
	}
	marks.Close()
	if err := marks.Err(); err != nil {
		return nil, err
	}
	rows, err := s.cached.QueryContext(ctx, "SELECT "+sqlstore.CustomerCols+", NULL, 0 FROM customers c WHERE c.pk IN (SELECT value FROM json_each(?))", string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []workspace.CustomerRecord
	for rows.Next() {
		pk, c, err := sqlstore.ScanCustomer(rows)
		if err != nil {
			return nil, err
		}
		if at, ok := flagged[pk]; ok {
			c.Flagged, c.FlaggedAt = true, parseTime(at)
		}
		c.Pinned = pinned[pk]
		out = append(out, c)
	}
	return out, rows.Err()
}
