package remote

import (
	"context"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func (c *Client) CreateRequest(ctx context.Context, r domain.ServiceRequest) (_ workspace.RequestRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) Request(ctx context.Context, ref string) (_ workspace.RequestRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) ListRequests(ctx context.Context, q workspace.RequestQuery, each func(workspace.RequestRecord) error) (err error) {
	err = errNotImplemented
	return
}

func (c *Client) SearchRequests(ctx context.Context, term string, limit int) (_ []workspace.RequestRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) UpdateRequest(ctx context.Context, ref string, ch domain.RequestChange) (_ workspace.RequestRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) SetRequestFavorite(ctx context.Context, ref string, favorite bool) (_ workspace.RequestRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) Home(ctx context.Context) (_ workspace.HomeOverview, err error) {
	err = errNotImplemented
	return
}
