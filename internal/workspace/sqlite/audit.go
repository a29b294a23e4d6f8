package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// The audit log (schema version 6): every change the workspace makes is recorded by
// audit, in the write transaction that makes it, so that a change rolled back leaves no
// record and a change committed always has one. Records are never changed or deleted
// (triggers refuse it). Reads are not recorded, nor the accesses OpenCustomer keeps for
// the recent view, nor the expiry of New deals (a consequence of time, applied before
// deals are read: the deal itself says Closed/Expired).
//
// before and after are the entity's state as a state (ordered fields): when both are
// given, only the fields that differ are recorded; a creation has no before and a
// deletion no after, and then every field set is recorded. A change that changes nothing
// is not recorded. Secrets never go into a state: no password hash, no invitation token
// (nor the invitation's body, which holds it), no access token hash.

// field is one field of an audited state: a name of docs/output.md and its value.
type field struct {
	name  string
	value any
}

// count is a number recorded even when 0 (an import's counts).
type count int

// state is an entity's state as the audit log records it: compact JSON, fields in order.
type state []field

// with returns s with more fields appended.
func (s state) with(fs ...field) state { return append(s[:len(s):len(s)], fs...) }

// encode writes s as a JSON object; unless all, empty values (zero times, "", false, 0,
// empty lists) are left out.
func (s state) encode(all bool) (string, error) {
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	for _, f := range s {
		v := f.value
		if t, ok := v.(time.Time); ok {
			if t.IsZero() {
				v = nil
			} else {
				v = formatTime(t)
			}
		}
		if !all && isEmpty(v) {
			continue
		}
		j, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("audit: %s: %w", f.name, err)
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		k, _ := json.Marshal(f.name)
		b.Write(k)
		b.WriteByte(':')
		b.Write(j)
	}
	b.WriteByte('}')
	return b.String(), nil
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case int:
		return x == 0
	case int64:
		return x == 0
	case []string:
		return len(x) == 0
	case []auditSolution:
		return len(x) == 0
	}
	return false
}

// diff keeps the fields whose values differ between before and after; a field present on
// one side only is kept on that side.
func diff(before, after state) (state, state, error) {
	enc := func(v any) (string, error) {
		if t, ok := v.(time.Time); ok {
			if t.IsZero() {
				return "null", nil
			}
			return formatTime(t), nil
		}
		j, err := json.Marshal(v)
		return string(j), err
	}
	values := func(s state) (map[string]string, error) {
		m := make(map[string]string, len(s))
		for _, f := range s {
			j, err := enc(f.value)
			if err != nil {
				return nil, fmt.Errorf("audit: %s: %w", f.name, err)
			}
			m[f.name] = j
		}
		return m, nil
	}
	bv, err := values(before)
	if err != nil {
		return nil, nil, err
	}
	av, err := values(after)
	if err != nil {
		return nil, nil, err
	}
	var b, a state
	for _, f := range before {
		if j, ok := av[f.name]; !ok || j != bv[f.name] {
			b = append(b, f)
		}
	}
	for _, f := range after {
		if j, ok := bv[f.name]; !ok || j != av[f.name] {
			a = append(a, f)
		}
	}
	return b, a, nil
}

// audit records one change of the entity (kind and ID) in tx, by the principal at the
// workspace's clock. action is "<entity>.<verb>". before and after are states, or nil
// when there is none (a creation, a deletion); both nil records the action alone.
func (s *session) audit(ctx context.Context, tx *sql.Tx, action, entity, id string, before, after state) error {
	var b, a string
	var err error
	switch {
	case before != nil && after != nil:
		db, da, err := diff(before, after)
		if err != nil {
			return err
		}
		if len(db) == 0 && len(da) == 0 {
			return nil // nothing changed
		}
		if b, err = db.encode(true); err != nil {
			return err
		}
		if a, err = da.encode(true); err != nil {
			return err
		}
	case before != nil:
		b, err = before.encode(false)
	case after != nil:
		a, err = after.encode(false)
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log(at, user, token_id, token_created_by, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(s.now()), s.who.User, s.who.Token, s.who.TokenCreatedBy, action, entity, id, b, a)
	if err != nil {
		return fmt.Errorf("recording the change in the audit log: %w", err)
	}
	return nil
}

// The kinds of entity, as workspace.AuditEntities lists them.
const (
	auditCustomer     = "customer"
	auditCustomers    = "customers" // a customer import, as a whole
	auditReseller     = "reseller"  // by MPN ID; a partnership request by its address
	auditSubscription = "subscription"
	auditDeal         = "deal"
	auditDeals        = "deals" // a PSC deal import, as a whole
	auditRequest      = "request"
	auditUser         = "user"
)

func customerState(c domain.Customer) state {
	return state{{"id", c.ID}, {"companyName", c.CompanyName}, {"domain", c.Domain}, {"country", c.Country},
		{"resellerMpnId", c.ResellerMPNID}, {"relationship", c.Relationship}, {"createdAt", c.CreatedAt},
		{"adminAccount", c.AdminAccount}}
}

// flagState and pinState are the principal's own state of a customer.
func flagState(c workspace.CustomerRecord) state {
	at := c.FlaggedAt
	if !c.Flagged {
		at = time.Time{}
	}
	return state{{"flagged", c.Flagged}, {"flaggedAt", at}}
}

// importState is what a customer import did.
func importState(r workspace.ImportResult) state {
	return state{{"read", count(r.Read)}, {"created", count(r.Created)}, {"updated", count(r.Updated)},
		{"unchanged", count(r.Unchanged)}, {"skipped", count(r.Skipped)}}
}

func pinState(c workspace.CustomerRecord) state { return state{{"pinned", c.Pinned}} }

// invitationState leaves the token out, and the body, which holds it in the link.
func invitationState(inv domain.Invitation) state {
	return state{{"email", inv.Email}, {"name", inv.Name}, {"status", string(domain.ResellerPending)},
		{"subject", inv.Subject}, {"invitedAt", inv.CreatedAt}, {"expiresAt", inv.ExpiresAt()}}
}

func resellerState(r domain.Reseller) state {
	return state{{"mpnId", r.MPNID}, {"name", r.Name}, {"email", r.Email}, {"status", string(r.Status)},
		{"invitedAt", r.InvitedAt}, {"acceptedAt", r.AcceptedAt}, {"removedAt", r.RemovedAt}}
}

func subscriptionState(sub domain.Subscription) state {
	return state{{"id", sub.ID}, {"customerId", sub.CustomerID}, {"offer", sub.Offer}, {"quantity", sub.Quantity},
		{"status", sub.Status}, {"resellerMpnId", sub.ResellerMPNID}, {"supportContact", sub.SupportContact},
		{"termEnd", sub.TermEnd}, {"createdAt", sub.CreatedAt}}
}

// auditSolution is a deal's solution, with the names of docs/output.md.
type auditSolution struct {
	Source    string `json:"source"`
	ID        string `json:"id"`
	Quantity  int    `json:"quantity,omitempty"`
	UnitPrice string `json:"unitPrice,omitempty"`
}

// dealState is a deal without its notes: a note added is recorded as the field note.
func dealState(d domain.Deal) state {
	sols := make([]auditSolution, len(d.Solutions))
	for i, s := range d.Solutions {
		sols[i] = auditSolution{Source: string(s.Source), ID: s.ID, Quantity: s.Quantity, UnitPrice: s.UnitPrice}
	}
	team := d.Team
	if team == nil {
		team = []string{}
	}
	return state{{"id", d.ID}, {"engagementId", d.EngagementID}, {"name", d.Name},
		{"status", string(d.Status)}, {"substatus", string(d.Substatus)}, {"direction", string(d.Direction)},
		{"type", string(d.Type)}, {"customerName", d.Organization}, {"customerId", d.CustomerID},
		{"customerCountry", d.OrgCountry}, {"dealValue", d.Value}, {"currency", d.Currency},
		{"contactName", d.Contact.Name}, {"contactEmail", d.Contact.Email}, {"contactPhone", d.Contact.Phone},
		{"consent", d.Consent}, {"sellerName", d.SellerName}, {"sellerEmail", d.SellerEmail},
		{"sellerAccepted", d.SellerAccepted}, {"iotOem", d.IoTOEM}, {"closeDate", d.CloseDate},
		{"statusReason", d.StatusReason}, {"solutions", sols}, {"team", team},
		{"createdAt", d.CreatedAt}, {"updatedAt", d.UpdatedAt}, {"expiresAt", d.ExpiresAt}, {"version", d.Version}}
}

func noteTexts(notes []domain.Note) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = n.Text
	}
	return out
}

// tokenState is an access token as recorded: never its secret nor the secret's hash.
// Its uses (last_used_at) are not changes and are not recorded.
func tokenState(t domain.Token) state {
	return state{{"id", t.ID}, {"user", t.User}, {"name", t.Name}, {"createdBy", t.CreatedBy}, {"createdAt", t.CreatedAt},
		{"expiresAt", t.ExpiresAt}, {"revokedAt", t.RevokedAt}}
}

func favoriteState(favorite bool) state { return state{{"favorite", favorite}} }

// requestState is a request without its notes: a note added is recorded as the field note.
func requestState(r domain.ServiceRequest) state {
	return state{{"id", r.Ref}, {"customerId", r.CustomerID}, {"title", r.Title}, {"description", r.Description},
		{"severity", string(r.Severity)}, {"status", string(r.Status)}, {"supportTopicName", r.Topic},
		{"contactEmail", r.ContactEmail}, {"createdAt", r.CreatedAt}, {"updatedAt", r.UpdatedAt}, {"closedAt", r.ClosedAt}}
}

// userState leaves the times out: the record has its own.
func userState(u domain.User) state {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return state{{"email", u.Email}, {"name", u.Name}, {"roles", roles}}
}

// auditDealImport records a PSC deal import that wrote something as one record of its
// counts, never one per deal.
func (s *session) auditDealImport(ctx context.Context, tx *sql.Tx, res *workspace.DealImportResult) error {
	n := map[workspace.DealOutcome]int{}
	for _, r := range res.Rows {
		n[r.Outcome]++
	}
	if n[workspace.DealImported]+n[workspace.DealUpdated]+res.OrgsCreated == 0 {
		return nil
	}
	return s.audit(ctx, tx, "deal.import", auditDeals, "", nil, state{{"read", count(len(res.Rows))},
		{"imported", count(n[workspace.DealImported])}, {"updated", count(n[workspace.DealUpdated])},
		{"unchanged", count(n[workspace.DealUnchanged])}, {"skipped", count(n[workspace.DealSkipped])},
		{"failed", count(n[workspace.DealFailed])}, {"orgsCreated", count(res.OrgsCreated)}})
}

// AuditLog reads the audit log, newest first.
func (s *session) AuditLog(ctx context.Context, q workspace.AuditQuery, each func(workspace.AuditRecord) error) error {
	if err := s.who.Require(domain.PermAudit); err != nil {
		return err
	}
	var where []string
	var args []any
	if !q.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, formatTime(q.Since))
	}
	if q.User != "" {
		where, args = append(where, "user = ? COLLATE NOCASE"), append(args, strings.TrimSpace(q.User))
	}
	if q.Entity != "" {
		where, args = append(where, "entity = ?"), append(args, strings.ToLower(strings.TrimSpace(q.Entity)))
		if q.EntityID != "" {
			where, args = append(where, "entity_id = ?"), append(args, strings.TrimSpace(q.EntityID))
		}
	} else if q.EntityID != "" {
		where, args = append(where, "entity_id = ?"), append(args, strings.TrimSpace(q.EntityID))
	}
	if q.Before > 0 {
		where, args = append(where, "seq < ?"), append(args, q.Before)
	}
	query := `SELECT seq, at, user, token_id, token_created_by, action, entity, entity_id, before, after FROM audit_log`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY seq DESC"
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r workspace.AuditRecord
		var at string
		if err := rows.Scan(&r.Seq, &at, &r.User, &r.Token, &r.TokenCreatedBy, &r.Action, &r.Entity, &r.EntityID, &r.Before, &r.After); err != nil {
			return err
		}
		r.At = parseTime(at)
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
