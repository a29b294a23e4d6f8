package remote

import (
	"context"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func (c *Client) Info(ctx context.Context) (_ workspace.Info, err error) {
	err = errNotImplemented
	return
}

func (c *Client) Users(ctx context.Context) (_ []domain.User, err error) {
	err = errNotImplemented
	return
}

func (c *Client) User(ctx context.Context, email string) (_ domain.User, err error) {
	err = errNotImplemented
	return
}

func (c *Client) AddUser(ctx context.Context, u domain.User) (saved domain.User, created, changed bool, err error) {
	err = errNotImplemented
	return
}

func (c *Client) RemoveUser(ctx context.Context, email string, roles []domain.Role) (_ domain.User, err error) {
	err = errNotImplemented
	return
}

func (c *Client) ImportUsers(ctx context.Context, users []domain.User, dryRun bool) (_ []workspace.UserImportOutcome, err error) {
	err = errNotImplemented
	return
}

func (c *Client) CreateToken(ctx context.Context, email, name string, ttl time.Duration) (secret string, t domain.Token, err error) {
	err = errNotImplemented
	return
}

func (c *Client) Tokens(ctx context.Context, email string) (_ []domain.Token, err error) {
	err = errNotImplemented
	return
}

func (c *Client) RevokeToken(ctx context.Context, id string) (_ domain.Token, err error) {
	err = errNotImplemented
	return
}

func (c *Client) Authenticate(ctx context.Context, secret string) (_ domain.Principal, _ domain.Token, err error) {
	err = errNotImplemented
	return
}

func (c *Client) AuditLog(ctx context.Context, q workspace.AuditQuery, each func(workspace.AuditRecord) error) (err error) {
	err = errNotImplemented
	return
}

var _ workspace.Workspace = (*Client)(nil)
