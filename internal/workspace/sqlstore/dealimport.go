package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// The deal import of the PSC migration (001). Everything happens in one write
// transaction: the organisations of every row are resolved with two set queries (a
// temporary table of the rows' keys joined to the name indexes of customers and
// organisations), the existing deals with one more, then rows are classified in Go and the
// new deals written with multi-row INSERTs. A failing row, unless SkipFailed, and DryRun
// roll everything back, so the workspace is as it was.

// orgCandidate is a customer or prospect organisation a name may resolve to.
type orgCandidate struct {
	customer bool
	pk       int64
	id       string // tenant ID (customers)
	name     string
	domain   string // customers
	country  string
	nameKey  string // the folded name
	translit bool   // found by the German transliteration of the name (domain.NameForms)
}

func (c orgCandidate) describe() string {
	if c.customer {
		return fmt.Sprintf("%s (customer %s, %s)", c.name, c.domain, orDash(c.country))
	}
	return fmt.Sprintf("%s (prospect organisation, %s)", c.name, orDash(c.country))
}

func orDash(s string) string {
	if s == "" {
		return "no country"
	}
	return s
}

// existingDeal is what the import needs to know of a deal already in the workspace.
type existingDeal struct {
	pk          int64
	status      domain.DealStatus
	substatus   domain.DealSubstatus
	fingerprint string
	engagement  string
}

var errRollback = errors.New("rollback")

// engagementNamespace is the UUID namespace of engagement IDs.
var engagementNamespace = uuid.MustParse("6f1d2a8e-3c4b-5a69-8e7f-50434354c0de")

// EngagementID is the engagement ID of a deal: a name-based UUID of the deal ID, so that
// a deal migrated from PSC gets the same one in every workspace, from its opportunity ID.
// (Deals from before schema version 5 got a random one.)
func EngagementID(dealID string) string {
	return uuid.NewSHA1(engagementNamespace, []byte(dealID)).String()
}

// importChunk is how many rows are resolved and written together: the rows of a chunk
// are in memory at once, not those of the whole file.
var importChunk = 4096

// SetImportChunk sets importChunk for a test (a small file in several chunks) and
// returns what restores it.
func SetImportChunk(n int) (restore func()) {
	old := importChunk
	importChunk = n
	return func() { importChunk = old }
}

func (s *Session) ImportDeals(ctx context.Context, rows workspace.DealRows, opts workspace.DealImportOptions) (workspace.DealImportResult, error) {
	var res workspace.DealImportResult
	if err := s.Who.Require(domain.PermDeals); err != nil {
		return res, err
	}
	now := s.now().UTC().Truncate(time.Second)
	// The new deals, their solutions and indexes are tens of megabytes of pages: with the
	// default 2 MB cache they would be spilled to the WAL and read back many times.
	// Foreign keys are off for the transaction: every key written is one the import just
	// read or allocated (the tests run foreign_key_check), and checking them cost a random
	// read of the million-row customers table per deal, and a statement journal per
	// multi-row INSERT. Temporary tables stay in memory.
	err := s.BulkTx(ctx, func(tx Tx) error {
		quiet := context.WithoutCancel(ctx)
		if err := s.closeExpired(ctx, tx); err != nil {
			return err
		}
		for _, t := range []string{s.Dialect.TempTable("import_keys", "key"), s.Dialect.TempTable("import_ids", "id")} {
			if _, err := tx.ExecContext(ctx, t); err != nil {
				return err
			}
		}
		defer func() {
			_, _ = tx.ExecContext(quiet, `DROP TABLE `+s.Dialect.Temp("import_keys")+`; DROP TABLE `+s.Dialect.Temp("import_ids"))
		}()
		// An import at least as large as the deals already there adds its rows to
		// the secondary indexes faster by building them again at the end (a tenth
		// of the time of 100,000 deals). A rollback restores them with the rest.
		var before int // deals there before the import
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM deals`).Scan(&before); err != nil {
			return err
		}
		rebuild := false
		if !opts.DryRun && opts.ExpectedRows > 0 {
			if rebuild = opts.ExpectedRows >= before; rebuild {
				for _, ix := range s.DealIndexes {
					if _, err := tx.ExecContext(ctx, "DROP INDEX "+ix.Name); err != nil {
						return err
					}
				}
			}
		}
		w, err := s.newDealWriter(quiet, tx, now, opts.DryRun)
		if err != nil {
			return err
		}
		defer w.close()
		imp := &dealImport{s: s, tx: tx, ctx: quiet, w: w, now: now, opts: opts, noDeals: before == 0,
			seenID: map[string]int{}, createdOrgs: map[string]orgCandidate{}, suggested: map[string]string{}}
		chunk := make([]workspace.DealImportRow, 0, importChunk)
		for done := false; !done; {
			chunk = chunk[:0]
			for len(chunk) < importChunk {
				r, err := rows.Next()
				if errors.Is(err, io.EOF) {
					done = true
					break
				}
				if err != nil {
					return err
				}
				chunk = append(chunk, r)
			}
			if err := imp.chunk(chunk, &res); err != nil {
				return err
			}
			if opts.Progress != nil {
				opts.Progress(len(res.Rows))
			}
		}
		res.OrgsCreated = len(imp.createdOrgs)
		failed := res.Count(workspace.DealFailed) > 0
		for i := range res.Rows {
			r := &res.Rows[i]
			switch {
			case r.Outcome != workspace.DealImported && r.Outcome != workspace.DealUpdated && r.Outcome != workspace.DealUnchanged:
				// Only a deal that exists (or will) has Partner Center IDs.
				r.ReferralID, r.EngagementID = "", ""
			case failed && !opts.SkipFailed:
				r.Outcome, r.ReferralID, r.EngagementID = workspace.DealNotWritten, "", ""
			}
		}
		if failed && !opts.SkipFailed {
			res.OrgsCreated = 0
			return errRollback
		}
		if opts.DryRun {
			return errRollback
		}
		if err := w.flush(); err != nil {
			return err
		}
		if rebuild {
			for _, ix := range s.DealIndexes {
				if _, err := tx.ExecContext(quiet, ix.Create); err != nil {
					return err
				}
			}
		}
		if err := s.AuditDealImport(quiet, tx, &res); err != nil {
			return err
		}
		res.Written = true
		return nil
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	if err != nil {
		res.Written = false
	}
	return res, err
}

// dealImport is the state of one import across its chunks.
type dealImport struct {
	s      *Session
	tx     Tx
	ctx    context.Context
	w      *dealWriter
	now    time.Time
	opts   workspace.DealImportOptions
	seenID map[string]int // opportunity IDs already read, with their line
	// noDeals: the workspace had no deal before the import (its first migration), so no
	// row can name an existing deal but one of the import's own, which seenID catches.
	noDeals     bool
	createdOrgs map[string]orgCandidate
	suggested   map[string]string // closestCustomers' answers
}

// chunk checks, resolves and records a chunk of rows, appending their results.
func (imp *dealImport) chunk(rows []workspace.DealImportRow, res *workspace.DealImportResult) error {
	keys := make([]string, len(rows))
	folded := make([]string, len(rows))
	// altKeys: the OrgKey of a name written with umlauts as German writes it without them
	// ("Würzburg Logistik" → "wuerzburg logistik"), looked up when the name finds nothing.
	altKeys := make([]string, len(rows))
	first := len(res.Rows)
	for i := range rows {
		r := &rows[i]
		// The results outlive the chunk: their strings are copies, so that they do not
		// keep the row's whole record alive.
		id := strings.Clone(r.Deal.ID)
		res.Rows = append(res.Rows, workspace.DealImportRowResult{Line: r.Line, OpportunityID: id, Name: strings.Clone(r.Deal.Name),
			Errors: slices.Clone(r.Errors)})
		out := &res.Rows[len(res.Rows)-1]
		if id != "" {
			if line, dup := imp.seenID[id]; dup {
				out.Errors = append(out.Errors, workspace.RowError{Line: r.Line, Field: "Opportunity ID",
					Reason: fmt.Sprintf("%s is also on line %d: an opportunity is imported once", id, line)})
			} else {
				imp.seenID[id] = r.Line
			}
		}
		if r.Duplicate || len(out.Errors) > 0 {
			continue
		}
		if err := normalizeImported(&r.Deal, imp.now); err != nil {
			out.Errors = append(out.Errors, rowError(r.Line, 0, err))
			continue
		}
		folded[i] = domain.Fold(r.Deal.Organization)
		keys[i] = domain.StripLegalSuffixes(folded[i])
		if t := domain.FoldTransliterated(r.Deal.Organization); t != "" {
			altKeys[i] = domain.StripLegalSuffixes(t)
		}
		if keys[i] == "" {
			out.Errors = append(out.Errors, workspace.RowError{Line: r.Line, Column: r.NameColumn, Field: "Customer Name",
				Reason: "is empty: every deal needs its customer organisation"})
		}
	}
	cands, err := resolveCandidates(imp.ctx, imp.s.Dialect, imp.tx, append(slices.Clip(keys), altKeys...))
	if err != nil {
		return err
	}
	existing := map[string]existingDeal{}
	if !imp.noDeals {
		if existing, err = existingDeals(imp.ctx, imp.s.Dialect, imp.tx, rows); err != nil {
			return err
		}
	}
	for i := range rows {
		r, out := &rows[i], &res.Rows[first+i]
		switch {
		case len(out.Errors) > 0:
			out.Outcome = workspace.DealFailed
		case r.Duplicate:
			out.Outcome = workspace.DealSkipped
			out.Errors = append(out.Errors, workspace.RowError{Line: r.Line, Field: "Status",
				Reason: "closed as duplicate is not available in Partner Center: not imported"})
		default:
			cs := cands[keys[i]]
			if len(cs) == 0 && altKeys[i] != "" {
				for _, c := range cands[altKeys[i]] {
					c.translit = true
					cs = append(cs, c)
				}
			}
			if err := imp.s.importRow(imp.ctx, imp.tx, imp.w, r, out, keys[i], folded[i], cs, existing, imp.createdOrgs, imp.suggested, imp.opts); err != nil {
				return err
			}
		}
	}
	return nil
}

// normalizeImported checks a mapped deal as CreateDeal would, and fills the times.
func normalizeImported(d *domain.Deal, now time.Time) error {
	d.Direction = domain.Outbound
	if d.Type == "" {
		d.Type = domain.PrivateDeal
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	if d.UpdatedAt.IsZero() || d.UpdatedAt.Before(d.CreatedAt) {
		d.UpdatedAt = d.CreatedAt
	}
	d.ExpiresAt = time.Time{}
	return NormalizeDeal(d)
}

func rowError(line, col int, err error) workspace.RowError {
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return workspace.RowError{Line: line, Column: col, Field: inv.Field, Reason: inv.Detail()}
	}
	return workspace.RowError{Line: line, Column: col, Reason: err.Error()}
}

// importRow resolves the organisation of one good row and records it: a new deal, an
// update of an open one, unchanged, or a failure.
func (s *Session) importRow(ctx context.Context, tx Tx, w *dealWriter, r *workspace.DealImportRow, out *workspace.DealImportRowResult,
	key, folded string, cands []orgCandidate, existing map[string]existingDeal, createdOrgs map[string]orgCandidate, suggested map[string]string, opts workspace.DealImportOptions) error {
	fail := func(col int, field, reason string) {
		out.Outcome = workspace.DealFailed
		out.Errors = append(out.Errors, workspace.RowError{Line: r.Line, Column: col, Field: field, Reason: reason})
	}
	d := &r.Deal
	out.ReferralID = out.OpportunityID
	cur, exists := existing[d.ID]
	if exists {
		out.EngagementID = cur.engagement
		if cur.fingerprint == r.Fingerprint {
			out.Outcome = workspace.DealUnchanged
			if _, how, ok := pickCandidate(cands, d.OrgCountry, folded); ok {
				out.Resolution = how
			}
			switch {
			case r.CustomerID != "":
				out.Resolution = workspace.ResolvedTenantID
			case r.CustomerDomain != "":
				out.Resolution = workspace.ResolvedDomain
			}
			return nil
		}
		if cur.status == domain.DealClosed {
			fail(0, "Opportunity ID", fmt.Sprintf("deal %s is closed (%s) and this row changes it: a closed deal can no longer be changed",
				d.ID, strings.ToLower(string(cur.substatus))))
			return nil
		}
	}
	org, how, ok := pickCandidate(cands, d.OrgCountry, folded)
	if r.CustomerDomain != "" || r.CustomerID != "" {
		pin, pinHow, reason, err := pinnedCustomer(ctx, tx, r)
		if err != nil {
			return err
		}
		if reason != "" {
			fail(r.PinColumn, pinField(r), reason)
			return nil
		}
		org, how, ok = pin, pinHow, true
	}
	switch {
	case ok:
		out.Resolution = how
	case len(cands) > 1:
		fail(r.NameColumn, "Customer Name", ambiguity(d.Organization, d.OrgCountry, cands))
		return nil
	case !opts.CreateMissingOrgs:
		near, err := closestCustomers(ctx, s.Dialect, tx, key, suggested)
		if err != nil {
			return err
		}
		if near != "" {
			fail(r.NameColumn, "Customer Name", fmt.Sprintf("%q matches no customer or organisation: did you mean %s? (correct the name, or pin the row to its customer with a Customer Domain or Customer ID column)", d.Organization, near))
			return nil
		}
		fail(r.NameColumn, "Customer Name", fmt.Sprintf("%q matches no customer or organisation (--create-missing-orgs creates it as a prospect organisation)", d.Organization))
		return nil
	default:
		country, err := domain.ParseCountry(d.OrgCountry, false)
		if err != nil || country == "" {
			fail(r.NameColumn, "Customer Name", fmt.Sprintf("%q matches no customer or organisation, and creating it needs its Customer Country (ISO 3166 code such as US)", d.Organization))
			return nil
		}
		org, ok = createdOrgs[key+"\x00"+country]
		out.Resolution = workspace.ResolvedCreated
		if !ok {
			org = orgCandidate{name: strings.TrimSpace(d.Organization), country: country}
			createdOrgs[key+"\x00"+country] = org
		}
	}
	if !exists {
		d.EngagementID = EngagementID(d.ID)
		out.EngagementID, out.Outcome = d.EngagementID, workspace.DealImported
		return w.add(d, org, r.Fingerprint)
	}
	if err := s.updateImported(ctx, tx, w, cur, d, org, r.Fingerprint); err != nil {
		var rule *domain.RuleError
		var inv *domain.InvalidError
		if errors.As(err, &rule) || errors.As(err, &inv) {
			out.Outcome = workspace.DealFailed
			out.Errors = append(out.Errors, rowError(r.Line, 0, err))
			return nil
		}
		return err
	}
	out.Outcome = workspace.DealUpdated
	return nil
}

// pinnedCustomer is the customer a row's Customer Domain or Customer ID names, or the
// reason it cannot be used.
func pinnedCustomer(ctx context.Context, tx Tx, r *workspace.DealImportRow) (orgCandidate, workspace.Resolution, string, error) {
	find := func(col, v string) (orgCandidate, bool, error) {
		c := orgCandidate{customer: true}
		err := tx.QueryRowContext(ctx, `SELECT pk, id, company_name, domain, country FROM customers WHERE `+col+` = ?`, v).
			Scan(&c.pk, &c.id, &c.name, &c.domain, &c.country)
		if errors.Is(err, sql.ErrNoRows) {
			return c, false, nil
		}
		return c, err == nil, err
	}
	var byDomain, byID orgCandidate
	if r.CustomerDomain != "" {
		c, ok, err := find("domain", r.CustomerDomain)
		if err != nil || !ok {
			return c, "", fmt.Sprintf("no customer has the primary domain %s", r.CustomerDomain), err
		}
		byDomain = c
	}
	if r.CustomerID != "" {
		c, ok, err := find("id", r.CustomerID)
		if err != nil || !ok {
			return c, "", fmt.Sprintf("no customer has the tenant ID %s", r.CustomerID), err
		}
		byID = c
	}
	switch {
	case r.CustomerDomain == "":
		return byID, workspace.ResolvedTenantID, "", nil
	case r.CustomerID == "":
		return byDomain, workspace.ResolvedDomain, "", nil
	case byDomain.pk != byID.pk:
		return byDomain, "", fmt.Sprintf("the Customer Domain %s is %s's and the Customer ID %s is %s's: give one customer",
			r.CustomerDomain, byDomain.name, r.CustomerID, byID.name), nil
	}
	return byID, workspace.ResolvedTenantID, "", nil
}

// pinField names the column a row's pin came from.
func pinField(r *workspace.DealImportRow) string {
	if r.CustomerDomain != "" {
		return "Customer Domain"
	}
	return "Customer ID"
}

// maxSuggested bounds the distinct names that match nothing for which an import looks for
// the closest customers: a file of unknown names stays quick.
const maxSuggested = 1000

// suggestScan bounds the customers read for each name's suggestions.
const suggestScan = 300

// closestCustomers says which customers a name that matched nothing (its OrgKey) may
// have meant, as "Trey Architects Inc (treyarchitectsinc.com)" joined by "or": those whose
// name begins with it, and those whose name begins with its first word and is a few
// typing mistakes away (domain.ClosestOrgKeys). Run only for failing rows, at most
// maxSuggested distinct names per import (suggested holds their answers).
func closestCustomers(ctx context.Context, d Dialect, tx Tx, key string, suggested map[string]string) (string, error) {
	if s, ok := suggested[key]; ok || len(suggested) >= maxSuggested {
		return s, nil
	}
	type near struct{ name, domain, nameKey string }
	var found []near
	seen := map[string]bool{}
	scan := func(lo string, limit int) error {
		rows, err := tx.QueryContext(ctx, `SELECT company_name, domain, name_key FROM customers`+d.IndexedBy("customers_name")+`
			WHERE name_key >= ? AND name_key < ? ORDER BY name_key LIMIT ?`, lo, lo+d.PrefixEnd(), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n near
			if err := rows.Scan(&n.name, &n.domain, &n.nameKey); err != nil {
				return err
			}
			if !seen[n.domain] {
				seen[n.domain] = true
				found = append(found, n)
			}
		}
		return rows.Err()
	}
	if err := scan(key, 5); err != nil {
		return "", err
	}
	if first, _, _ := strings.Cut(key, " "); len(first) >= 3 {
		if err := scan(first, suggestScan); err != nil {
			return "", err
		}
	}
	keys := make([]string, len(found))
	for i, n := range found {
		keys[i] = n.nameKey
	}
	var parts []string
	for _, i := range domain.ClosestOrgKeys(key, keys, 3) {
		parts = append(parts, fmt.Sprintf("%s (%s)", found[i].name, found[i].domain))
	}
	s := strings.Join(parts, " or ")
	suggested[key] = s
	return s, nil
}

// pickCandidate chooses the one organisation a name resolves to, and says how: the only
// candidate; else the only one whose whole folded name is the row's (the legal suffix
// included); else the only one in the row's country.
func pickCandidate(cands []orgCandidate, country, folded string) (orgCandidate, workspace.Resolution, bool) {
	if len(cands) == 1 {
		c := cands[0]
		switch {
		case c.translit:
			return c, workspace.ResolvedTransliteration, true
		case c.nameKey == folded:
			return c, workspace.ResolvedExactName, true
		}
		return c, workspace.ResolvedWithoutSuffix, true
	}
	if len(cands) == 0 {
		return orgCandidate{}, "", false
	}
	var found []orgCandidate
	for _, c := range cands {
		if c.nameKey == folded && !c.translit {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0], workspace.ResolvedExactName, true
	}
	if country == "" {
		return orgCandidate{}, "", false
	}
	found = found[:0]
	for _, c := range cands {
		if strings.EqualFold(c.country, strings.TrimSpace(country)) {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0], workspace.ResolvedCountry, true
	}
	return orgCandidate{}, "", false
}

// ambiguity lists the candidates of an ambiguous name, at most five.
func ambiguity(name, country string, cands []orgCandidate) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q is ambiguous: it matches %d organisations: ", name, len(cands))
	for i, c := range cands {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(cands)-5)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.describe())
	}
	if country != "" {
		fmt.Fprintf(&b, " (the Customer Country %s does not settle it: give the exact name, or pin the row with a Customer Domain or Customer ID column)", country)
	} else {
		b.WriteString(" (give the Customer Country, or the exact name)")
	}
	return b.String()
}

// resolveCandidates finds, for each distinct key, the customers and organisations whose
// name has that OrgKey. OrgKey(name) is the folded name or a beginning of it ending
// before a space, so the candidates of key k are among the names folded to k or to
// "k ..."; the range [k, k+"!") holds exactly those, since '!' follows the space and
// precedes every letter and digit.
func resolveCandidates(ctx context.Context, d Dialect, tx Tx, keys []string) (map[string][]orgCandidate, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+d.Temp("import_keys")); err != nil {
		return nil, err
	}
	ins, err := NewBatch(ctx, d, tx, `INSERT OR IGNORE INTO `+d.Temp("import_keys")+`(key) VALUES`, 1, 200)
	if err != nil {
		return nil, err
	}
	defer ins.Close()
	// A key holding ae, oe or ue is also looked up with each read as the folded umlaut
	// (domain.TransliterationVariants): the names found so are checked below.
	seen := map[string]bool{}
	variantOf := map[string][]string{} // a variant → the keys it is a variant of
	add := func(k string) error {
		if seen[k] {
			return nil
		}
		seen[k] = true
		return ins.Add(ctx, k)
	}
	for _, k := range keys {
		if k == "" || seen[k] && variantOf[k] == nil {
			continue
		}
		if err := add(k); err != nil {
			return nil, err
		}
		for _, v := range domain.TransliterationVariants(k) {
			if !slices.Contains(variantOf[v], k) {
				variantOf[v] = append(variantOf[v], k)
			}
			if err := add(v); err != nil {
				return nil, err
			}
		}
	}
	if err := ins.Flush(ctx); err != nil {
		return nil, err
	}
	// The name indexes alone (key, folded name, pk) say which names match; the other
	// columns are read only for the names several organisations share, where the country
	// settles it or the message lists them: a row lookup per candidate of a million
	// customers would be the import's main cost.
	out := map[string][]orgCandidate{}
	var viaVariant []struct {
		key string
		c   orgCandidate
	}
	rows, err := tx.QueryContext(ctx, `SELECT k.key, c.name_key, 1, c.pk
		FROM `+d.Temp("import_keys")+` k `+d.JoinInOrder()+` customers c ON c.name_key >= k.key AND c.name_key < k.key || '!'
		UNION ALL
		SELECT k.key, o.name_key, 0, o.pk
		FROM `+d.Temp("import_keys")+` k `+d.JoinInOrder()+` organizations o ON o.name_key >= k.key AND o.name_key < k.key || '!'`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var key, nameKey string
		var c orgCandidate
		if err := rows.Scan(&key, &nameKey, &c.customer, &c.pk); err != nil {
			rows.Close()
			return nil, err
		}
		if domain.StripLegalSuffixes(nameKey) == key {
			c.nameKey = nameKey
			for _, k := range variantOf[key] {
				viaVariant = append(viaVariant, struct {
					key string
					c   orgCandidate
				}{k, c})
			}
			out[key] = append(out[key], c)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	customer, err := d.Prepare(ctx, tx, `SELECT id, company_name, domain, country FROM customers WHERE pk = ?`)
	if err != nil {
		return nil, err
	}
	defer customer.Close()
	org, err := d.Prepare(ctx, tx, `SELECT name, country FROM organizations WHERE pk = ?`)
	if err != nil {
		return nil, err
	}
	defer org.Close()
	// A name found by a variant is a candidate of the key when its transliterated form
	// has that key ("Apotheke Würzburg" for "apotheke wuerzburg"), and only for a key no
	// name has as it is written.
	for _, v := range viaVariant {
		if len(out[v.key]) > 0 && !out[v.key][0].translit {
			continue
		}
		c := v.c
		var name string
		if c.customer {
			err = customer.QueryRowContext(ctx, c.pk).Scan(&c.id, &name, &c.domain, &c.country)
		} else {
			err = org.QueryRowContext(ctx, c.pk).Scan(&name, &c.country)
		}
		if err != nil {
			return nil, err
		}
		if t := domain.FoldTransliterated(name); t != "" && domain.StripLegalSuffixes(t) == v.key {
			c.name, c.translit = name, true
			out[v.key] = append(out[v.key], c)
		}
	}
	for _, cs := range out {
		if len(cs) < 2 {
			continue
		}
		for i := range cs {
			c := &cs[i]
			if c.customer {
				err = customer.QueryRowContext(ctx, c.pk).Scan(&c.id, &c.name, &c.domain, &c.country)
			} else {
				err = org.QueryRowContext(ctx, c.pk).Scan(&c.name, &c.country)
			}
			if err != nil {
				return nil, err
			}
		}
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].customer != cs[j].customer {
				return cs[i].customer
			}
			return cs[i].pk < cs[j].pk
		})
	}
	return out, nil
}

// existingDeals finds the deals the rows' opportunity IDs already name.
func existingDeals(ctx context.Context, d Dialect, tx Tx, rows []workspace.DealImportRow) (map[string]existingDeal, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+d.Temp("import_ids")); err != nil {
		return nil, err
	}
	ins, err := NewBatch(ctx, d, tx, `INSERT OR IGNORE INTO `+d.Temp("import_ids")+`(id) VALUES`, 1, 200)
	if err != nil {
		return nil, err
	}
	defer ins.Close()
	for _, r := range rows {
		if r.Deal.ID != "" {
			if err := ins.Add(ctx, r.Deal.ID); err != nil {
				return nil, err
			}
		}
	}
	if err := ins.Flush(ctx); err != nil {
		return nil, err
	}
	out := map[string]existingDeal{}
	q, err := tx.QueryContext(ctx, `SELECT d.id, d.pk, d.status, d.substatus, d.psc_fingerprint, d.engagement_id
		FROM `+d.Temp("import_ids")+` i `+d.JoinInOrder()+` deals d ON d.id = i.id`)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	for q.Next() {
		var id, status, substatus string
		var e existingDeal
		if err := q.Scan(&id, &e.pk, &status, &substatus, &e.fingerprint, &e.engagement); err != nil {
			return nil, err
		}
		e.status, e.substatus = domain.DealStatus(status), domain.DealSubstatus(substatus)
		out[id] = e
	}
	return out, q.Err()
}

// updateImported applies a changed PSC row to an open deal: its content is replaced, the
// seller joins the team, a new customer outcome is appended to the notes, and a won or
// lost row closes it.
func (s *Session) updateImported(ctx context.Context, tx Tx, w *dealWriter, cur existingDeal, d *domain.Deal, org orgCandidate, fingerprint string) error {
	_, before, err := s.loadDeal(ctx, tx, d.ID)
	if err != nil {
		return err
	}
	next, err := domain.Transition(before.Deal, domain.ActEdit, w.now)
	if err != nil {
		return err
	}
	switch d.Substatus {
	case domain.SubWon:
		next, err = domain.Transition(next, domain.ActWin, w.now)
	case domain.SubLost:
		next, err = domain.Transition(next, domain.ActLose, w.now)
	}
	if err != nil {
		return err
	}
	customer, orgPK, err := w.orgRef(org)
	if err != nil {
		return err
	}
	closeDate := ""
	if !d.CloseDate.IsZero() {
		closeDate = FormatTime(d.CloseDate)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deals SET name = ?, customer = ?, organization = ?, value = ?, currency = ?,
		contact_name = ?, contact_email = ?, contact_phone = ?, consent = `+s.Dialect.BoolOr("consent", "?")+`, iot_oem = ?, close_date = ?,
		status = ?, substatus = ?, expires_at = ?, psc_fingerprint = ?, updated_at = ?, version = version + 1 WHERE pk = ?`,
		d.Name, customer, orgPK, d.Value, d.Currency, d.Contact.Name, d.Contact.Email, d.Contact.Phone, d.Consent,
		d.IoTOEM, closeDate, next.Status, next.Substatus, "", fingerprint, FormatTime(w.now), cur.pk); err != nil {
		return err
	}
	if err := WriteSolutions(ctx, tx, cur.pk, d.Solutions); err != nil {
		return err
	}
	for _, e := range d.Team {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO deal_team(deal, email) VALUES (?, ?)`, cur.pk, e); err != nil {
			return err
		}
	}
	for _, n := range d.Notes {
		if !slices.ContainsFunc(before.Notes, func(have domain.Note) bool { return have.Text == strings.TrimSpace(n.Text) }) {
			if err := s.insertNote(ctx, tx, cur.pk, n.Text, w.now); err != nil {
				return err
			}
		}
	}
	return nil
}

// dealWriter writes the new deals of an import with multi-row INSERTs, and the prospect
// organisations they need. The INSERTs are OR FAIL: every row was checked before, and a
// failure rolls the whole transaction back anyway. Deal primary keys are given here (the transaction holds the
// write lock), so solutions, team and notes can be queued with the deal.
type dealWriter struct {
	s                        *Session
	ctx                      context.Context
	tx                       Tx
	now                      time.Time
	nextDeal, nextOrg        int64
	deals, sols, team, notes *Batch
	orgs                     *Batch
	orgPKs                   map[string]int64 // created organisations, by name and country
	// dryRun queues no deal: every check was made before a row is added, and the
	// transaction is rolled back anyway.
	dryRun bool
}

func (s *Session) newDealWriter(ctx context.Context, tx Tx, now time.Time, dryRun bool) (*dealWriter, error) {
	w := &dealWriter{s: s, ctx: ctx, tx: tx, now: now, dryRun: dryRun, orgPKs: map[string]int64{}}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(pk), 0) FROM deals`).Scan(&w.nextDeal); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(pk), 0) FROM organizations`).Scan(&w.nextOrg); err != nil {
		return nil, err
	}
	var err error
	mk := func(head string, ncols, per int) *Batch {
		if err != nil {
			return nil
		}
		var b *Batch
		b, err = NewBatch(ctx, s.Dialect, tx, head, ncols, per)
		return b
	}
	w.orgs = mk(`INSERT OR FAIL INTO organizations(pk, name, name_key, country, created_at) VALUES`, 5, 100)
	w.deals = mk(`INSERT OR FAIL INTO deals(pk, id, name, direction, type, status, substatus, customer, organization, value, currency,
		contact_name, contact_email, contact_phone, consent, iot_oem, close_date, created_at, updated_at, engagement_id,
		psc_fingerprint) VALUES`, 21, 100)
	w.sols = mk(`INSERT OR FAIL INTO deal_solutions(deal, position, source, id, quantity, unit_price) VALUES`, 6, 200)
	w.team = mk(`INSERT OR IGNORE INTO deal_team(deal, email) VALUES`, 2, 200)
	w.notes = mk(`INSERT OR FAIL INTO deal_notes(deal, author, created_at, text) VALUES`, 4, 200)
	if err != nil {
		w.close()
		return nil, err
	}
	// A full batch of deals may name organisations still queued, a full batch of their
	// solutions, team or notes deals still queued: those are written first.
	if s.Dialect.ForeignKeysInBulk() {
		w.deals.Parents = []*Batch{w.orgs}
		for _, b := range []*Batch{w.sols, w.team, w.notes} {
			b.Parents = []*Batch{w.orgs, w.deals}
		}
	}
	return w, nil
}

func (w *dealWriter) close() {
	for _, b := range []*Batch{w.orgs, w.deals, w.sols, w.team, w.notes} {
		if b != nil {
			b.Close()
		}
	}
}

// orgRef returns the customers or organizations key of the organisation, queueing a new
// prospect organisation (pk 0) for creation.
func (w *dealWriter) orgRef(org orgCandidate) (customer, orgPK sql.NullInt64, err error) {
	if org.customer {
		return sql.NullInt64{Int64: org.pk, Valid: true}, orgPK, nil
	}
	if org.pk != 0 {
		return customer, sql.NullInt64{Int64: org.pk, Valid: true}, nil
	}
	k := domain.Fold(org.name) + "\x00" + org.country
	pk, ok := w.orgPKs[k]
	if !ok {
		w.nextOrg++
		pk = w.nextOrg
		w.orgPKs[k] = pk
		if err := w.orgs.Add(w.ctx, pk, org.name, domain.Fold(org.name), org.country, FormatTime(w.now)); err != nil {
			return customer, orgPK, err
		}
	}
	return customer, sql.NullInt64{Int64: pk, Valid: true}, nil
}

// add queues a new deal with its solutions, team and notes.
func (w *dealWriter) add(d *domain.Deal, org orgCandidate, fingerprint string) error {
	customer, orgPK, err := w.orgRef(org)
	if err != nil || w.dryRun {
		return err
	}
	w.nextDeal++
	pk := w.nextDeal
	closeDate := ""
	if !d.CloseDate.IsZero() {
		closeDate = FormatTime(d.CloseDate)
	}
	if err := w.deals.Add(w.ctx, pk, d.ID, d.Name, d.Direction, d.Type, d.Status, d.Substatus, customer, orgPK, d.Value,
		d.Currency, d.Contact.Name, d.Contact.Email, d.Contact.Phone, d.Consent, d.IoTOEM, closeDate,
		FormatTime(d.CreatedAt), FormatTime(d.UpdatedAt), d.EngagementID, fingerprint); err != nil {
		return err
	}
	for i, sol := range d.Solutions {
		if err := w.sols.Add(w.ctx, pk, i+1, sol.Source, sol.ID, sol.Quantity, sol.UnitPrice); err != nil {
			return err
		}
	}
	for _, e := range d.Team {
		if err := w.team.Add(w.ctx, pk, e); err != nil {
			return err
		}
	}
	for _, n := range d.Notes {
		if t := strings.TrimSpace(n.Text); t != "" {
			if err := w.notes.Add(w.ctx, pk, w.s.Who.User, FormatTime(d.UpdatedAt), t); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes what is queued, parents first.
func (w *dealWriter) flush() error {
	for _, b := range []*Batch{w.orgs, w.deals, w.sols, w.team, w.notes} {
		if err := b.Flush(w.ctx); err != nil {
			return err
		}
	}
	// The keys were given here: the tables' own numbering must come after them.
	if err := w.s.Dialect.NextPK(w.ctx, w.tx, "deals", w.nextDeal+1); err != nil {
		return err
	}
	return w.s.Dialect.NextPK(w.ctx, w.tx, "organizations", w.nextOrg+1)
}
