package remote

import (
	"context"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func (c *Client) AddCustomer(ctx context.Context, cust domain.Customer, passwordHash string) (_ workspace.CustomerRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) Customer(ctx context.Context, ref string) (_ workspace.CustomerRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) OpenCustomer(ctx context.Context, ref string) (_ workspace.CustomerRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) CountCustomers(ctx context.Context) (_ int, err error) {
	err = errNotImplemented
	return
}

func (c *Client) ListCustomers(ctx context.Context, q workspace.ListQuery, each func(workspace.CustomerRecord) error) (err error) {
	err = errNotImplemented
	return
}

func (c *Client) SearchCustomers(ctx context.Context, term string, limit int) (_ []workspace.CustomerRecord, err error) {
	err = errNotImplemented
	return
}

func (c *Client) FlagCustomer(ctx context.Context, ref string) (_ workspace.FlagResult, err error) {
	err = errNotImplemented
	return
}

func (c *Client) UnflagCustomer(ctx context.Context, ref string) (rec workspace.CustomerRecord, changed bool, err error) {
	err = errNotImplemented
	return
}

func (c *Client) PinCustomer(ctx context.Context, ref string) (rec workspace.CustomerRecord, changed bool, err error) {
	err = errNotImplemented
	return
}

func (c *Client) UnpinCustomer(ctx context.Context, ref string) (rec workspace.CustomerRecord, changed bool, err error) {
	err = errNotImplemented
	return
}

func (c *Client) ImportCustomers(ctx context.Context, rows workspace.CustomerRows, opts workspace.ImportOptions) (_ workspace.ImportResult, err error) {
	err = errNotImplemented
	return
}

func (c *Client) ExportCustomers(ctx context.Context, q workspace.ExportQuery, each func(*domain.Customer) error) (err error) {
	err = errNotImplemented
	return
}

func (c *Client) Complete(ctx context.Context, kind workspace.CompleteKind, prefix string, limit int) (_ []workspace.Candidate, err error) {
	err = errNotImplemented
	return
}
