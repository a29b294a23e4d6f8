package api

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// pcctl's administration resources (docs/api/admin.md): the workspace, users, access
// tokens, the principal of a token and the audit log. None has a Partner Center
// counterpart; all live under Prefix.

// Paths of the administration resources.
const (
	WorkspacePath = Prefix + "/workspace"
	UsersPath     = Prefix + "/users"
	TokensPath    = Prefix + "/tokens"
	MePath        = Prefix + "/me"
	AuditPath     = Prefix + "/audit"
	HomePath      = Prefix + "/home"
)

// WorkspaceInfo describes the server's workspace (workspace.Info without what only the
// client knows: its location and kind).
type WorkspaceInfo struct {
	SchemaVersion int            `json:"schemaVersion"`
	LatestSchema  int            `json:"latestSchema"`
	User          string         `json:"user"`
	Counts        map[string]int `json:"counts"`
	SizeBytes     int64          `json:"sizeBytes"`
	Attributes    Attributes     `json:"attributes"`
}

// FromInfo is the server's description of its workspace: never its file's path.
func FromInfo(i workspace.Info) WorkspaceInfo {
	counts := i.Counts
	if counts == nil {
		counts = map[string]int{}
	}
	return WorkspaceInfo{SchemaVersion: i.SchemaVersion, LatestSchema: i.LatestSchema, User: i.User, Counts: counts,
		SizeBytes: i.SizeBytes, Attributes: Attributes{ObjectType: "Workspace"}}
}

// Info is the workspace as a client at location (its endpoint) sees it: a remote one.
func (w WorkspaceInfo) Info(location string) workspace.Info {
	counts := w.Counts
	if counts == nil {
		counts = map[string]int{}
	}
	return workspace.Info{Location: location, Kind: "remote", SchemaVersion: w.SchemaVersion, LatestSchema: w.LatestSchema,
		User: w.User, Counts: counts, SizeBytes: w.SizeBytes}
}

// User is a user of the workspace with their roles (names of domain.AllRoles).
type User struct {
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	Roles      []string   `json:"roles"`
	CreatedAt  time.Time  `json:"createdAt,omitzero"`
	UpdatedAt  time.Time  `json:"updatedAt,omitzero"`
	Attributes Attributes `json:"attributes"`
}

// FromUser is a user as the API sends it.
func FromUser(u domain.User) User {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return User{Email: u.Email, Name: u.Name, Roles: roles, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		Attributes: Attributes{ObjectType: "User"}}
}

// Domain is the user the API describes. Each role must be a role's name
// (domain.ParseRole: an *domain.InvalidError otherwise); an empty list is no role.
func (u User) Domain() (domain.User, error) {
	out := domain.User{Email: u.Email, Name: u.Name, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	roles, err := ParseRoleNames(u.Roles)
	if err != nil {
		return out, err
	}
	out.Roles = roles
	return out, nil
}

// ParseRoleNames reads role names, in the order given; nil when there are none.
func ParseRoleNames(names []string) ([]domain.Role, error) {
	var roles []domain.Role
	for _, n := range names {
		r, err := domain.ParseRole(n)
		if err != nil {
			return nil, err
		}
		roles = append(roles, r)
	}
	return roles, nil
}

// UserOutcome is what adding or importing a user did: the user as saved, whether it was
// created, and whether anything changed (created, or roles or name added).
type UserOutcome struct {
	User    User `json:"user"`
	Created bool `json:"created"`
	Changed bool `json:"changed"`
}

// UserImport is the body of an import of users: all in one transaction; with dryRun,
// nothing is written but the outcomes are those a real import would have.
type UserImport struct {
	Users  []User `json:"users"`
	DryRun bool   `json:"dryRun"`
}

// Token is an access token, never with its secret.
type Token struct {
	ID         string     `json:"id"`
	User       string     `json:"user"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"createdAt,omitzero"`
	ExpiresAt  time.Time  `json:"expiresAt,omitzero"`  // absent: never expires
	RevokedAt  time.Time  `json:"revokedAt,omitzero"`  // absent: not revoked
	LastUsedAt time.Time  `json:"lastUsedAt,omitzero"` // absent: never used
	CreatedBy  string     `json:"createdBy,omitempty"` // who created it
	Attributes Attributes `json:"attributes"`
}

// FromToken is a token as the API sends it.
func FromToken(t domain.Token) Token {
	return Token{ID: t.ID, User: t.User, Name: t.Name, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt,
		LastUsedAt: t.LastUsedAt, CreatedBy: t.CreatedBy, Attributes: Attributes{ObjectType: "AccessToken"}}
}

// Domain is the token the API describes.
func (t Token) Domain() domain.Token {
	return domain.Token{ID: t.ID, User: t.User, Name: t.Name, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
		RevokedAt: t.RevokedAt, LastUsedAt: t.LastUsedAt, CreatedBy: t.CreatedBy}
}

// TokenCreate is the body of POST /pcctl/v1/tokens. TTLSeconds is required: the
// lifetime in seconds, 0 for a token that never expires (domain.NeverExpires).
type TokenCreate struct {
	User       string `json:"user"`
	Name       string `json:"name"`
	TTLSeconds *int64 `json:"ttlSeconds"`
}

// TTLSeconds is a lifetime in whole seconds, for TokenCreate.
func TTLSeconds(ttl time.Duration) *int64 {
	s := int64(ttl / time.Second)
	return &s
}

// CreatedToken is the answer to POST /pcctl/v1/tokens: the only time the secret is sent.
type CreatedToken struct {
	Secret string `json:"secret"`
	Token  Token  `json:"token"`
}

// Principal is who a token acts for: its user and the roles they hold now.
type Principal struct {
	User  string   `json:"user"`
	Roles []string `json:"roles"`
}

// Me is the answer to GET /pcctl/v1/me: the principal of the request's token, and the
// token (without its secret).
type Me struct {
	Principal  Principal  `json:"principal"`
	Token      Token      `json:"token"`
	Attributes Attributes `json:"attributes"`
}

// FromPrincipal is the answer of GET /pcctl/v1/me.
func FromPrincipal(p domain.Principal, t domain.Token) Me {
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	return Me{Principal: Principal{User: p.User, Roles: roles}, Token: FromToken(t), Attributes: Attributes{ObjectType: "Principal"}}
}

// Domain is the principal and token of the answer.
func (m Me) Domain() (domain.Principal, domain.Token) {
	p := domain.Principal{User: m.Principal.User}
	for _, r := range m.Principal.Roles {
		p.Roles = append(p.Roles, domain.Role(r))
	}
	return p, m.Token.Domain()
}

// AuditRecord is one record of the audit log. Before and after are the JSON objects the
// log keeps (null when there is none: before a creation, after a deletion).
type AuditRecord struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	User       string          `json:"user"`
	Token      string          `json:"token,omitempty"`          // the access token's ID; absent for a local change
	TokenBy    string          `json:"tokenCreatedBy,omitempty"` // who created that token
	Action     string          `json:"action"`
	Entity     string          `json:"entity"`
	EntityID   string          `json:"entityId"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	Attributes Attributes      `json:"attributes"`
}

// FromAuditRecord is a record as the API sends it.
func FromAuditRecord(r workspace.AuditRecord) AuditRecord {
	return AuditRecord{Seq: r.Seq, At: r.At, User: r.User, Token: r.Token, TokenBy: r.TokenCreatedBy, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID,
		Before: auditJSON(r.Before), After: auditJSON(r.After), Attributes: Attributes{ObjectType: "AuditRecord"}}
}

// auditJSON is a stored state as JSON: null when empty, the object itself when it is
// valid JSON, a string otherwise (never met: the workspace writes JSON).
func auditJSON(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

// Record is the record the API describes.
func (r AuditRecord) Record() workspace.AuditRecord {
	return workspace.AuditRecord{Seq: r.Seq, At: r.At, User: r.User, Token: r.Token, TokenCreatedBy: r.TokenBy, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID,
		Before: auditState(r.Before), After: auditState(r.After)}
}

func auditState(b json.RawMessage) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return ""
	}
	if b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) == nil {
			return s
		}
	}
	return string(b)
}
