package sqlstore

import (
	"context"
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

// Field is one field of an audited state: a name of docs/output.md and its value. It is
// an alias of a struct type literal, so that states are written unkeyed in every package
// ({"name", value}) without go vet's complaint about another package's struct.
type Field = struct {
	Name  string
	Value any
}

// Count is a number recorded even when 0 (an import's counts).
type Count int

// State is an entity's state as the audit log records it: compact JSON, fields in order.
type State []Field

// With returns s with more fields appended.
func (s State) With(fs ...Field) State { return append(s[:len(s):len(s)], fs...) }

// encode writes s as a JSON object; unless all, empty values (zero times, "", false, 0,
// empty lists) are left out.
func (s State) encode(all bool) (string, error) {
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	for _, f := range s {
		v := f.Value
		if t, ok := v.(time.Time); ok {
			if t.IsZero() {
				v = nil
			} else {
				v = FormatTime(t)
			}
		}
		if !all && isEmpty(v) {
			continue
		}
		j, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("audit: %s: %w", f.Name, err)
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		k, _ := json.Marshal(f.Name)
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
func diff(before, after State) (State, State, error) {
	enc := func(v any) (string, error) {
		if t, ok := v.(time.Time); ok {
			if t.IsZero() {
				return "null", nil
			}
			return FormatTime(t), nil
		}
		j, err := json.Marshal(v)
		return string(j), err
	}
	values := func(s State) (map[string]string, error) {
		m := make(map[string]string, len(s))
		for _, f := range s {
			j, err := enc(f.Value)
			if err != nil {
				return nil, fmt.Errorf("audit: %s: %w", f.Name, err)
			}
			m[f.Name] = j
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
	var b, a State
	for _, f := range before {
		if j, ok := av[f.Name]; !ok || j != bv[f.Name] {
			b = append(b, f)
		}
	}
	for _, f := range after {
		if j, ok := bv[f.Name]; !ok || j != av[f.Name] {
			a = append(a, f)
		}
	}
	return b, a, nil
}

// audit records one change of the entity (kind and ID) in tx, by the principal at the
// workspace's clock. action is "<entity>.<verb>". before and after are states, or nil
// when there is none (a creation, a deletion); both nil records the action alone.
func (s *Session) Audit(ctx context.Context, tx Tx, action, entity, id string, before, after State) error {
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
		FormatTime(s.now()), s.Who.User, s.Who.Token, s.Who.TokenCreatedBy, action, entity, id, b, a)
	if err != nil {
		return fmt.Errorf("recording the change in the audit log: %w", err)
	}
	return nil
}

// The kinds of entity, as workspace.AuditEntities lists them.
const (
	AuditCustomer     = "customer"
	AuditCustomers    = "customers" // a customer import, as a whole
	AuditReseller     = "reseller"  // by MPN ID; a partnership request by its address
	AuditSubscription = "subscription"
	AuditDeal         = "deal"
	AuditDeals        = "deals" // a PSC deal import, as a whole
	AuditRequest      = "request"
	AuditUser         = "user"
)

func CustomerState(c domain.Customer) State {
	return State{{"id", c.ID}, {"companyName", c.CompanyName}, {"domain", c.Domain}, {"country", c.Country},
		{"resellerMpnId", c.ResellerMPNID}, {"relationship", c.Relationship}, {"createdAt", c.CreatedAt},
		{"adminAccount", c.AdminAccount}}
}

// FlagState and PinState are the principal's own state of a customer.
func FlagState(c workspace.CustomerRecord) State {
	at := c.FlaggedAt
	if !c.Flagged {
		at = time.Time{}
	}
	return State{{"flagged", c.Flagged}, {"flaggedAt", at}}
}

// ImportState is what a customer import did.
func ImportState(r workspace.ImportResult) State {
	return State{{"read", Count(r.Read)}, {"created", Count(r.Created)}, {"updated", Count(r.Updated)},
		{"unchanged", Count(r.Unchanged)}, {"skipped", Count(r.Skipped)}}
}

func PinState(c workspace.CustomerRecord) State { return State{{"pinned", c.Pinned}} }

// InvitationState leaves the token out, and the body, which holds it in the link.
func InvitationState(inv domain.Invitation) State {
	return State{{"email", inv.Email}, {"name", inv.Name}, {"status", string(domain.ResellerPending)},
		{"subject", inv.Subject}, {"invitedAt", inv.CreatedAt}, {"expiresAt", inv.ExpiresAt()}}
}

func ResellerState(r domain.Reseller) State {
	return State{{"mpnId", r.MPNID}, {"name", r.Name}, {"email", r.Email}, {"status", string(r.Status)},
		{"invitedAt", r.InvitedAt}, {"acceptedAt", r.AcceptedAt}, {"removedAt", r.RemovedAt}}
}

func SubscriptionState(sub domain.Subscription) State {
	return State{{"id", sub.ID}, {"customerId", sub.CustomerID}, {"offer", sub.Offer}, {"quantity", sub.Quantity},
		{"status", sub.Status}, {"resellerMpnId", sub.ResellerMPNID}, {"supportContact", sub.SupportContact},
		{"termEnd", sub.TermEnd}, {"createdAt", sub.CreatedAt}}
}

// auditSolution is a deal's solution, With the names of docs/output.md.
type auditSolution struct {
	Source    string `json:"source"`
	ID        string `json:"id"`
	Quantity  int    `json:"quantity,omitempty"`
	UnitPrice string `json:"unitPrice,omitempty"`
}

// DealState is a deal without its notes: a note added is recorded as the field note.
func DealState(d domain.Deal) State {
	sols := make([]auditSolution, len(d.Solutions))
	for i, s := range d.Solutions {
		sols[i] = auditSolution{Source: string(s.Source), ID: s.ID, Quantity: s.Quantity, UnitPrice: s.UnitPrice}
	}
	team := d.Team
	if team == nil {
		team = []string{}
	}
	return State{{"id", d.ID}, {"engagementId", d.EngagementID}, {"name", d.Name},
		{"status", string(d.Status)}, {"substatus", string(d.Substatus)}, {"direction", string(d.Direction)},
		{"type", string(d.Type)}, {"customerName", d.Organization}, {"customerId", d.CustomerID},
		{"customerCountry", d.OrgCountry}, {"dealValue", d.Value}, {"currency", d.Currency},
		{"contactName", d.Contact.Name}, {"contactEmail", d.Contact.Email}, {"contactPhone", d.Contact.Phone},
		{"consent", d.Consent}, {"sellerName", d.SellerName}, {"sellerEmail", d.SellerEmail},
		{"sellerAccepted", d.SellerAccepted}, {"iotOem", d.IoTOEM}, {"closeDate", d.CloseDate},
		{"statusReason", d.StatusReason}, {"solutions", sols}, {"team", team},
		{"createdAt", d.CreatedAt}, {"updatedAt", d.UpdatedAt}, {"expiresAt", d.ExpiresAt}, {"version", d.Version}}
}

func NoteTexts(notes []domain.Note) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = n.Text
	}
	return out
}

// TokenState is an access token as recorded: never its secret nor the secret's hash.
// Its uses (last_used_at) are not changes and are not recorded.
func TokenState(t domain.Token) State {
	return State{{"id", t.ID}, {"user", t.User}, {"name", t.Name}, {"createdBy", t.CreatedBy}, {"createdAt", t.CreatedAt},
		{"expiresAt", t.ExpiresAt}, {"revokedAt", t.RevokedAt}}
}

func FavoriteState(favorite bool) State { return State{{"favorite", favorite}} }

// RequestState is a request without its notes: a note added is recorded as the field note.
func RequestState(r domain.ServiceRequest) State {
	return State{{"id", r.Ref}, {"customerId", r.CustomerID}, {"title", r.Title}, {"description", r.Description},
		{"severity", string(r.Severity)}, {"status", string(r.Status)}, {"supportTopicName", r.Topic},
		{"contactEmail", r.ContactEmail}, {"createdAt", r.CreatedAt}, {"updatedAt", r.UpdatedAt}, {"closedAt", r.ClosedAt}}
}

// UserState leaves the times out: the record has its own.
func UserState(u domain.User) State {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return State{{"email", u.Email}, {"name", u.Name}, {"roles", roles}}
}

// AuditDealImport records a PSC deal import that wrote something as one record of its
// counts, never one per deal.
func (s *Session) AuditDealImport(ctx context.Context, tx Tx, res *workspace.DealImportResult) error {
	n := map[workspace.DealOutcome]int{}
	for _, r := range res.Rows {
		n[r.Outcome]++
	}
	if n[workspace.DealImported]+n[workspace.DealUpdated]+res.OrgsCreated == 0 {
		return nil
	}
	return s.Audit(ctx, tx, "deal.import", AuditDeals, "", nil, State{{"read", Count(len(res.Rows))},
		{"imported", Count(n[workspace.DealImported])}, {"updated", Count(n[workspace.DealUpdated])},
		{"unchanged", Count(n[workspace.DealUnchanged])}, {"skipped", Count(n[workspace.DealSkipped])},
		{"failed", Count(n[workspace.DealFailed])}, {"orgsCreated", Count(res.OrgsCreated)}})
}

// AuditLog reads the audit log, newest first.
func (s *Session) AuditLog(ctx context.Context, q workspace.AuditQuery, each func(workspace.AuditRecord) error) error {
	if err := s.Who.Require(domain.PermAudit); err != nil {
		return err
	}
	var where []string
	var args []any
	if !q.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, FormatTime(q.Since))
	}
	if q.User != "" {
		where, args = append(where, s.Dialect.EqualNoCase("user")), append(args, strings.TrimSpace(q.User))
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
	rows, err := s.Pool.QueryContext(ctx, query, args...)
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
		r.At = ParseTime(at)
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
