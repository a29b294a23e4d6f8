package remote

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// The workspace, users, access tokens and the audit log (docs/api/admin.md).

// Info describes the server's workspace: Location is the server's address and Kind
// "remote"; the rest (schema, user, counts, size of the server's file) is the server's.
func (c *Client) Info(ctx context.Context) (workspace.Info, error) {
	var out api.WorkspaceInfo
	if err := c.call(ctx, http.MethodGet, api.WorkspacePath, nil, nil, &out); err != nil {
		return workspace.Info{}, err
	}
	return out.Info(c.Endpoint()), nil
}

// userFrom is a user as the server sent it; roles are kept as sent (a newer server may
// know more of them).
func userFrom(u api.User) domain.User {
	out := domain.User{Email: u.Email, Name: u.Name, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	for _, r := range u.Roles {
		out.Roles = append(out.Roles, domain.Role(r))
	}
	return out
}

func (c *Client) Users(ctx context.Context) ([]domain.User, error) {
	var out []domain.User
	err := c.pages(ctx, api.UsersPath, nil, func(raw json.RawMessage) error {
		var u api.User
		if err := json.Unmarshal(raw, &u); err != nil {
			return err
		}
		out = append(out, userFrom(u))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// userPath is the path of a user by address; an empty address, which no path can hold,
// is no user.
func userPath(email string) (string, error) {
	if strings.TrimSpace(email) == "" {
		return "", &domain.NotFoundError{Kind: "user", Ref: email}
	}
	return api.UsersPath + "/" + PathEscape(email), nil
}

func (c *Client) User(ctx context.Context, email string) (domain.User, error) {
	path, err := userPath(email)
	if err != nil {
		return domain.User{}, err
	}
	var out api.User
	if err := c.call(ctx, http.MethodGet, path, nil, nil, &out); err != nil {
		return domain.User{}, err
	}
	return userFrom(out), nil
}

func (c *Client) AddUser(ctx context.Context, u domain.User) (saved domain.User, created, changed bool, err error) {
	var out api.UserOutcome
	if err := c.call(ctx, http.MethodPost, api.UsersPath, nil, api.FromUser(u), &out); err != nil {
		return u, false, false, err
	}
	return userFrom(out.User), out.Created, out.Changed, nil
}

func (c *Client) RemoveUser(ctx context.Context, email string, roles []domain.Role) (domain.User, error) {
	path, err := userPath(email)
	if err != nil {
		return domain.User{}, err
	}
	var v url.Values
	for _, r := range roles {
		if v == nil {
			v = url.Values{}
		}
		v.Add("role", string(r))
	}
	var out api.User
	if err := c.call(ctx, http.MethodDelete, path, v, nil, &out); err != nil {
		return domain.User{}, err
	}
	return userFrom(out), nil
}

func (c *Client) ImportUsers(ctx context.Context, users []domain.User, dryRun bool) ([]workspace.UserImportOutcome, error) {
	body := api.UserImport{Users: make([]api.User, len(users)), DryRun: dryRun}
	for i, u := range users {
		body.Users[i] = api.FromUser(u)
	}
	var page api.Collection[api.UserOutcome]
	if err := c.call(ctx, http.MethodPost, api.UsersPath+"/import", nil, body, &page); err != nil {
		return nil, err
	}
	var out []workspace.UserImportOutcome
	for _, o := range page.Items {
		out = append(out, workspace.UserImportOutcome{User: userFrom(o.User), Created: o.Created, Changed: o.Changed})
	}
	return out, nil
}

func (c *Client) CreateToken(ctx context.Context, email, name string, ttl time.Duration) (string, domain.Token, error) {
	var out api.CreatedToken
	body := api.TokenCreate{User: email, Name: name, TTLSeconds: api.TTLSeconds(ttl)}
	if err := c.call(ctx, http.MethodPost, api.TokensPath, nil, body, &out); err != nil {
		return "", domain.Token{}, err
	}
	if out.Secret == "" {
		return "", domain.Token{}, errors.New("the pcctl server at " + c.Endpoint() + " created a token but sent no secret")
	}
	return out.Secret, out.Token.Domain(), nil
}

func (c *Client) Tokens(ctx context.Context, email string) ([]domain.Token, error) {
	var v url.Values
	if email != "" {
		v = url.Values{"user": {email}}
	}
	var out []domain.Token
	err := c.pages(ctx, api.TokensPath, v, func(raw json.RawMessage) error {
		var t api.Token
		if err := json.Unmarshal(raw, &t); err != nil {
			return err
		}
		out = append(out, t.Domain())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RevokeToken revokes by POST …/revoke, which is never sent twice. An ID that is a
// secret is refused here, as the workspace refuses it, without being sent anywhere.
func (c *Client) RevokeToken(ctx context.Context, id string) (domain.Token, error) {
	id, err := domain.ParseTokenID(id)
	if err != nil {
		return domain.Token{}, err
	}
	var out api.Token
	if err := c.call(ctx, http.MethodPost, api.TokensPath+"/"+PathEscape(id)+"/revoke", nil, nil, &out); err != nil {
		return domain.Token{}, err
	}
	return out.Domain(), nil
}

// Authenticate asks the server who secret is (GET /pcctl/v1/me, sent with secret instead
// of the client's own token). A secret that is missing or malformed is refused here, as
// the workspace refuses it, without being sent. A refused token is not returned with the
// error: that is for the server's log.
func (c *Client) Authenticate(ctx context.Context, secret string) (domain.Principal, domain.Token, error) {
	if err := domain.CheckTokenSecret(secret); err != nil {
		return domain.Principal{}, domain.Token{}, err
	}
	as := *c
	as.opts.Token = secret
	var out api.Me
	if err := as.call(ctx, http.MethodGet, api.MePath, nil, nil, &out); err != nil {
		return domain.Principal{}, domain.Token{}, err
	}
	p, t := out.Domain()
	return p, t, nil
}

// errLimit stops the paging once the query's limit is reached.
var errLimit = errors.New("limit reached")

func (c *Client) AuditLog(ctx context.Context, q workspace.AuditQuery, each func(workspace.AuditRecord) error) error {
	v := url.Values{}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.UTC().Format(time.RFC3339Nano))
	}
	if q.User != "" {
		v.Set("user", q.User)
	}
	if q.Entity != "" {
		v.Set("entity", q.Entity)
	}
	if q.EntityID != "" {
		v.Set("entityId", q.EntityID)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	n := 0
	err := c.pages(ctx, api.AuditPath, v, func(raw json.RawMessage) error {
		if q.Limit > 0 && n >= q.Limit {
			return errLimit
		}
		var r api.AuditRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		n++
		return each(r.Record())
	})
	if errors.Is(err, errLimit) {
		return nil
	}
	return err
}

var _ workspace.Workspace = (*Client)(nil)

// errSyncRemote refuses a sync through a server: the server keeps its workspace fresh
// itself (pcctl serve --sync-every), with its own sign-in.
var errSyncRemote = &domain.RuleError{Rule: "sync-on-server", Msg: "pcctl sync writes into a local workspace file; a workspace shared through pcctl serve is kept fresh by its server: start it with 'pcctl serve --sync-every 1h' (signed in with an app registration, pcctl auth login --client-id …)"}

// SyncState is refused through a server (errSyncRemote).
func (c *Client) SyncState(ctx context.Context) (workspace.SyncState, error) {
	return workspace.SyncState{}, errSyncRemote
}

// ApplySync is refused through a server (errSyncRemote).
func (c *Client) ApplySync(ctx context.Context, step workspace.SyncStep) (workspace.SyncCounts, error) {
	return workspace.SyncCounts{}, errSyncRemote
}

// errPublishRemote refuses pcctl deal publish through a server, as a sync is: the link to
// Partner Center is the server's (errSyncRemote).
var errPublishRemote = &domain.RuleError{Rule: "publish-on-server", Msg: "pcctl deal publish works on a local workspace file linked to Partner Center (pcctl sync); a workspace shared through pcctl serve is linked by its server"}

// DealPublications is refused through a server (errPublishRemote).
func (c *Client) DealPublications(ctx context.Context) ([]workspace.DealPublication, error) {
	return nil, errPublishRemote
}

// RecordPublications is refused through a server (errPublishRemote).
func (c *Client) RecordPublications(ctx context.Context, ps []workspace.DealPublication) error {
	return errPublishRemote
}
