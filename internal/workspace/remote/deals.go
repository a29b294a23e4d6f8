package remote

import (
	"context"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func (c *Client) CreateDeal(ctx context.Context, d domain.Deal) (_ workspace.DealRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) ReceiveDeal(ctx context.Context, d domain.Deal) (_ workspace.DealRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) Deal(ctx context.Context, id string) (_ workspace.DealRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) ListDeals(ctx context.Context, q workspace.DealQuery, each func(workspace.DealRecord) error) (err error) {
	err = errNotImplemented
	return
}

func (c *Client) ActOnDeal(ctx context.Context, id string, action domain.DealAction, reason string, expectVersion int) (_ workspace.DealRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) UpdateDeal(ctx context.Context, id string, ch workspace.DealChange, expectVersion int) (_ workspace.DealRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) AddDealNote(ctx context.Context, id, text string, expectVersion int) (_ workspace.DealRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) SetDealTeamMember(ctx context.Context, id, email string, member bool, expectVersion int) (_ workspace.DealRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) SetDealFavorite(ctx context.Context, id string, favorite bool) (_ workspace.DealRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) ImportDeals(ctx context.Context, rows workspace.DealRows, opts workspace.DealImportOptions) (_ workspace.DealImportResult, err error) {
	err = errNotImplemented
	return
}
