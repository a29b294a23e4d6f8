package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

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
// Such a term costs one statement, one round trip to the database (searchOnce): on two
// cores shared by the servers and PostgreSQL, each round trip is a wake-up on both sides.
//
// A shorter term spans many prefixes. When it matches few keys they are all fetched and
// ranked; when it matches many, the customers are walked in name order instead, and with
// that many matches the first ones come quickly.

// maxVariantKeys bounds the keys walked for each transliteration variant of a term: each
// costs a customer lookup (is the name written with an umlaut?), so a term such as "blue"
// (variant "blu") costs at most this many. A workspace with more than this many names
// without umlauts under the variant, alphabetically before the ones with, shows fewer of
// those.
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
	key := term + "\x00" + exact + "\x00" + strconv.Itoa(limit)
	// A result computed before: it holds if the workspace is still at the version it was
	// computed at, as read since the request arrived (searchCache), with the principal's
	// flags and pins kept under that version too; otherwise one statement reads both.
	arrival, _ := workspace.Arrival(ctx)
	if hit, seen, fresh, ok := s.search.lookup(key, arrival); ok {
		if m, ok := s.search.marksOf(s.who.User, seen); ok && fresh {
			return withMarks(hit, m), nil
		}
		m, version, at, err := s.readMarks(ctx)
		if err != nil {
			return nil, err
		}
		s.search.putMarks(s.who.User, version, at, m)
		if version == seen {
			return withMarks(hit, m), nil
		}
	}
	forms, _ := domain.SearchForms(text)
	if it := domain.IndexTerm(term); len(it) >= domain.KeyPrefixLen {
		return s.searchOnce(ctx, key, term, exact, forms, limit)
	}
	return s.searchShort(ctx, key, term, exact, forms, limit)
}

// searchOnce answers a term of KeyPrefixLen bytes or more in one statement, one round
// trip to the database: the workspace's version (for the cache), the customers found by
// every way the term is looked for (its walk in name order, exact name or domain, its
// German forms, the beginning of a tenant ID), with the principal's flags and pins. The
// walks of the transliteration variants come back as candidates, in name order, for the
// rule that keeps them (a name with an umlaut the term really matches), which is Go's.
func (s *session) searchOnce(ctx context.Context, key, term, exact string, forms []string, limit int) ([]workspace.CustomerRecord, error) {
	var variants []string
	for _, v := range domain.TransliterationVariants(term) {
		if vt := domain.IndexTerm(v); len(vt) >= domain.KeyPrefixLen {
			variants = append(variants, vt)
		}
	}
	form := ""
	if len(forms) > 1 {
		if at := domain.IndexTerm(forms[1]); len(at) >= domain.KeyPrefixLen {
			form = at
		}
	}
	idPrefix := ""
	if hex, ok := domain.IDPrefixTerm(term); ok {
		idPrefix = domain.TenantIDPrefix(hex)
	}
	it := domain.IndexTerm(term)
	args := []any{sql.Named("user", s.who.User), sql.Named("lim", limit), sql.Named("term", term), sql.Named("exact", exact),
		sql.Named("p0", domain.KeyPrefix(it)), sql.Named("lo0", it), sql.Named("hi0", it+"\U0010FFFF")}
	if form != "" {
		args = append(args, sql.Named("p1", domain.KeyPrefix(form)), sql.Named("lo1", form), sql.Named("hi1", form+"\U0010FFFF"))
	}
	if idPrefix != "" {
		args = append(args, sql.Named("idlo", idPrefix), sql.Named("idhi", idPrefix+"\U0010FFFF"))
	}
	if len(variants) > 0 {
		args = append(args, sql.Named("vmax", maxVariantKeys))
	}
	for i, v := range variants {
		n := strconv.Itoa(i)
		args = append(args, sql.Named("vp"+n, domain.KeyPrefix(v)), sql.Named("vlo"+n, v), sql.Named("vhi"+n, v+"\U0010FFFF"))
	}
	at := time.Now()
	rows, err := s.db.QueryContext(ctx, searchStatement(form != "", idPrefix != "", len(variants)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type candidate struct {
		rec     workspace.CustomerRecord
		nameKey string
	}
	var found []workspace.CustomerRecord
	walks := make([][]candidate, len(variants))
	version := int64(-1)
	for rows.Next() {
		var branch, ord int64
		var nameKey string
		_, c, err := sqlstore.ScanCustomer(rows, &nameKey, &branch, &ord, &version)
		if err != nil {
			return nil, err
		}
		if branch == 0 {
			found = append(found, c)
		} else {
			walks[branch-1] = append(walks[branch-1], candidate{c, nameKey})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Each variant's walk, as firstInNameOrder would keep it: the first limit customers
	// the term really matches, and those of the same name as the last.
	for _, walk := range walks {
		seen := make(map[string]bool, limit)
		kept, last := 0, ""
		for _, c := range walk {
			if kept >= limit && c.nameKey != last {
				break
			}
			if seen[c.rec.ID] || domain.FoldTransliterated(c.rec.CompanyName) == "" {
				continue
			}
			if m, _ := domain.Matches(term, domain.Customer{CompanyName: c.rec.CompanyName}); !m {
				continue
			}
			seen[c.rec.ID] = true
			found = append(found, c.rec)
			kept, last = kept+1, c.nameKey
		}
	}
	ranked, byID := rank(forms, found, limit)
	if version >= 0 { // nothing found: no version read, nothing kept
		s.search.put(key, version, at, ranked)
	}
	return records(ranked, byID), nil
}

// searchStatements holds the statements searchOnce sends, by shape.
var searchStatements sync.Map // searchShape → string

type searchShape struct {
	form, id bool
	variants int
}

// searchStatement is searchOnce's statement for a term with a German form or not, a
// tenant ID beginning or not, and that many transliteration variants. Its named
// arguments: user, lim, term, exact; p0, lo0, hi0 (the term's prefix and key range);
// p1, lo1, hi1 (the form's); idlo, idhi; vmax and vpN, vloN, vhiN for each variant.
// Each row: a customer (sqlstore.CustomerCols, flagged_at, pinned), its name_key, its branch (0:
// found; N: a candidate of variant N-1), its place in that walk, and the workspace's
// version, all as of the statement's one snapshot.
func searchStatement(form, id bool, variants int) string {
	shape := searchShape{form, id, variants}
	if q, ok := searchStatements.Load(shape); ok {
		return q.(string)
	}
	var b strings.Builder
	// A walk: the first lim customers in name order with a key in the range, and every
	// customer of the same name as the last of them (ranked together).
	walk := func(n string) {
		fmt.Fprintf(&b, `w%[1]s AS (SELECT DISTINCT name_key, customer FROM customer_search
			WHERE prefix = :p%[1]s AND key >= :lo%[1]s AND key < :hi%[1]s ORDER BY name_key, customer LIMIT :lim),
		`, n)
	}
	walkRows := func(n string) {
		fmt.Fprintf(&b, `SELECT customer FROM w%[1]s
			UNION SELECT customer FROM customer_search WHERE prefix = :p%[1]s AND key >= :lo%[1]s AND key < :hi%[1]s
				AND name_key = (SELECT max(name_key) FROM w%[1]s)
			`, n)
	}
	b.WriteString("WITH ")
	walk("0")
	if form {
		walk("1")
	}
	b.WriteString("found (pk) AS (")
	walkRows("0")
	if form {
		b.WriteString("UNION ")
		walkRows("1")
	}
	b.WriteString(`UNION SELECT pk FROM customers WHERE name_key = :term
			UNION SELECT pk FROM customers WHERE domain = :exact
			`)
	if id {
		b.WriteString("UNION (SELECT pk FROM customers WHERE id >= :idlo AND id < :idhi ORDER BY id LIMIT :lim)\n")
	}
	b.WriteString("),\ncandidates (branch, ord, pk) AS (SELECT 0, 0::bigint, pk FROM found\n")
	for i := range variants {
		fmt.Fprintf(&b, `UNION ALL SELECT %[2]d, row_number() OVER (ORDER BY name_key, customer), customer FROM
			(SELECT name_key, customer FROM customer_search WHERE prefix = :vp%[1]d AND key >= :vlo%[1]d AND key < :vhi%[1]d
				ORDER BY name_key, customer LIMIT :vmax) v%[1]d
			`, i, i+1)
	}
	b.WriteString(`)
		SELECT ` + sqlstore.CustomerCols + `, f.flagged_at, p.customer IS NOT NULL, c.name_key, x.branch, x.ord, (SELECT n FROM pcctl_version)
		FROM candidates x JOIN customers c ON c.pk = x.pk
		LEFT JOIN customer_flags f ON f.customer = c.pk AND f.user = :user
		LEFT JOIN customer_pins p ON p.customer = c.pk AND p.user = :user
		ORDER BY x.branch, x.ord`)
	q := b.String()
	searchStatements.Store(shape, q)
	return q
}

// searchShort answers a term shorter than KeyPrefixLen bytes, which spans many prefixes:
// when it matches few keys they are all fetched and ranked; when it matches many, the
// customers are walked in name order instead, and with that many matches the first ones
// come quickly. Several statements: the version first (searchCache), then the search.
func (s *session) searchShort(ctx context.Context, key, term, exact string, forms []string, limit int) ([]workspace.CustomerRecord, error) {
	var version int64
	at := time.Now()
	if err := s.db.QueryRowContext(ctx, `SELECT n FROM pcctl_version`).Scan(&version); err != nil {
		return nil, err
	}
	it := domain.IndexTerm(term)
	lo, hi := it, it+"\U0010FFFF" // every key beginning with it, in byte order

	// Exact matches rank first, wherever their name sorts.
	pks, err := s.pks(ctx, `SELECT pk FROM customers WHERE name_key = ? UNION SELECT pk FROM customers WHERE domain = ?`,
		term, exact)
	if err != nil {
		return nil, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM customer_search
		WHERE prefix >= ? AND prefix < ? LIMIT ?) x`, lo, hi, shortTermLimit).Scan(&n); err != nil {
		return nil, err
	}
	var more []int64
	if n < shortTermLimit {
		more, err = s.pks(ctx, `SELECT DISTINCT customer FROM customer_search WHERE prefix >= ? AND prefix < ?`, lo, hi)
	} else {
		more, err = s.firstInNameOrder(ctx, limit, func(nameKey, dom string) bool {
			return strings.HasPrefix(nameKey, term) || strings.Contains(nameKey, " "+term) ||
				strings.HasPrefix(domain.Fold(dom), term)
		}, `SELECT pk, name_key, domain FROM customers ORDER BY name_key, pk`)
	}
	if err != nil {
		return nil, err
	}
	// A text written with umlauts is also looked for as German writes it without them
	// ("üb" finds "Uebersee"), walked as a longer term is. A term this short has no
	// transliteration variant or tenant ID beginning the index could walk.
	if len(forms) > 1 {
		if at := domain.IndexTerm(forms[1]); len(at) >= domain.KeyPrefixLen {
			found, err := s.firstInNameOrder(ctx, limit, nil, `SELECT customer, name_key, '' FROM customer_search
				WHERE prefix = ? AND key >= ? AND key < ? ORDER BY name_key, customer`, domain.KeyPrefix(at), at, at+"\U0010FFFF")
			if err != nil {
				return nil, err
			}
			more = append(more, found...)
		}
	}
	found, err := s.customersByPK(ctx, append(pks, more...))
	if err != nil {
		return nil, err
	}
	ranked, byID := rank(forms, found, limit)
	s.search.put(key, version, at, ranked)
	return records(ranked, byID), nil
}

// rank ranks the customers found (once each) for the forms of a text.
func rank(forms []string, found []workspace.CustomerRecord, limit int) ([]domain.Customer, map[string]workspace.CustomerRecord) {
	byID := make(map[string]workspace.CustomerRecord, len(found))
	plain := make([]domain.Customer, 0, len(found))
	for _, c := range found {
		if _, dup := byID[c.ID]; dup {
			continue
		}
		byID[c.ID] = c
		plain = append(plain, c.Customer)
	}
	return domain.RankSearchForms(forms, plain, limit), byID
}

// records are the ranked customers with the principal's marks.
func records(ranked []domain.Customer, byID map[string]workspace.CustomerRecord) []workspace.CustomerRecord {
	out := make([]workspace.CustomerRecord, len(ranked))
	for i, c := range ranked {
		out[i] = byID[c.ID]
	}
	return out
}

// firstInNameOrder runs a query yielding (customer, name_key, domain) in name order and
// returns the first limit distinct customers that keep passes (all when keep is nil),
// going on to the end of the last name so that equal names are ranked together.
func (s *session) firstInNameOrder(ctx context.Context, limit int, keep func(nameKey, dom string) bool, query string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
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

// customersByPK loads customers by primary key, in no particular order, with the
// principal's flags and pins read once for all of them (a user has at most 30 flags)
// rather than looked up row by row.
func (s *session) customersByPK(ctx context.Context, pks []int64) ([]workspace.CustomerRecord, error) {
	if len(pks) == 0 {
		return nil, nil
	}
	list := make([]byte, 0, len(pks)*8)
	list = append(list, '{')
	for i, pk := range pks {
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, pk, 10)
	}
	list = append(list, '}')
	flagged := map[int64]string{}
	pinned := map[int64]bool{}
	marks, err := s.db.QueryContext(ctx, `SELECT customer, flagged_at, 0 FROM customer_flags WHERE user = :user
		UNION ALL SELECT customer, '', 1 FROM customer_pins WHERE user = :user AND customer = ANY(:pks::bigint[])`,
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
	rows, err := s.db.QueryContext(ctx, "SELECT "+sqlstore.CustomerCols+", NULL, 0 FROM customers c WHERE c.pk = ANY(?::bigint[])", string(list))
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
