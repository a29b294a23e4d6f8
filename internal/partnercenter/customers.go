package partnercenter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/pcctl/pcctl/internal/api"
)

// NewCustomer is the body of POST /v1/customers (Create a customer): the new tenant's
// domain, and the billing profile's company name, country, culture and language.
// AssociatedPartnerID, when set, creates it for that indirect reseller.
type NewCustomer struct {
	CompanyProfile      NewCustomerCompany `json:"companyProfile"`
	BillingProfile      NewCustomerBilling `json:"billingProfile"`
	AssociatedPartnerID string             `json:"associatedPartnerId,omitempty"`
}

// NewCustomerCompany is the company profile of a new customer.
type NewCustomerCompany struct {
	Domain string `json:"domain"`
}

// NewCustomerBilling is the billing profile of a new customer.
type NewCustomerBilling struct {
	CompanyName    string      `json:"companyName"`
	Culture        string      `json:"culture"`
	Language       string      `json:"language"`
	DefaultAddress api.Address `json:"defaultAddress"`
}

// CreatedCustomer is Partner Center's answer to a new customer: the customer, and the
// admin account's user name and temporary password, given this once.
type CreatedCustomer struct {
	Customer           api.Customer
	UserName, Password string
	RequestID          string
}

// CreateCustomer sends POST /v1/customers. A 429 is waited out and sent again; any other
// failure is an *Error (after one without an answer, the tenant may exist: a sync of
// customers shows it).
func (c *Client) CreateCustomer(ctx context.Context, nc NewCustomer) (CreatedCustomer, error) {
	const path = "/v1/customers"
	resp, err := c.Do(ctx, Request{API: PartnerCenter, Method: http.MethodPost, Path: path, Body: nc})
	if err != nil {
		return CreatedCustomer{}, err
	}
	var body struct {
		api.Customer
		UserCredentials struct {
			UserName string `json:"userName"`
			Password string `json:"password"`
		} `json:"userCredentials"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil || body.ID == "" {
		if err == nil {
			err = fmt.Errorf("no id")
		}
		return CreatedCustomer{}, &Error{API: PartnerCenter, Method: http.MethodPost, Path: path, Status: resp.Status, RequestID: resp.RequestID,
			CorrelationID: c.opts.CorrelationID, Err: fmt.Errorf("the created customer cannot be read: %w", err)}
	}
	if body.CompanyProfile.TenantID == "" {
		body.CompanyProfile.TenantID = body.ID
	}
	return CreatedCustomer{Customer: body.Customer, UserName: body.UserCredentials.UserName, Password: body.UserCredentials.Password,
		RequestID: resp.RequestID}, nil
}
