package linked

import (
	"context"
	"fmt"
	"strings"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/workspace"
)

// AddCustomer has Partner Center create the customer (POST /v1/customers): a new tenant,
// whose ID is the customer's in the workspace, and its admin account. The admin account
// and temporary password Partner Center answers go to the caller through
// workspace.WithAdminCredentials and are never stored (not even as a hash: passwordHash,
// of a password pcctl generated, is not used). A tenant ID given (c.ID) is refused:
// Partner Center gives the new tenant's.
func (w *Workspace) AddCustomer(ctx context.Context, c domain.Customer, passwordHash string) (workspace.CustomerRecord, error) {
	c, err := domain.NormalizeCustomer(c)
	if err != nil {
		return workspace.CustomerRecord{}, err
	}
	if c.ID != "" {
		return workspace.CustomerRecord{}, &domain.RuleError{Rule: "new-tenant", Msg: fmt.Sprintf(
			"this workspace is linked to the partner tenant %s: a customer added here is a new tenant Partner Center creates, "+
				"with an ID of its own; an existing tenant (%s) becomes a customer by accepting a reseller relationship request, and a sync brings it in",
			w.opts.Tenant, c.ID)}
	}
	// What the workspace would refuse is never sent: the domain taken, the reseller
	// not an active one.
	if other, err := w.Workspace.Customer(ctx, c.Domain); err == nil {
		return workspace.CustomerRecord{}, &domain.RuleError{Rule: "unique-domain", Msg: fmt.Sprintf(
			"domain %s is already the primary domain of customer %s", c.Domain, other.ID)}
	}
	if c.ResellerMPNID != "" {
		r, err := w.Workspace.Reseller(ctx, c.ResellerMPNID)
		if err != nil {
			return workspace.CustomerRecord{}, err
		}
		if r.Status != domain.ResellerActive {
			return workspace.CustomerRecord{}, &domain.RuleError{Rule: "active-reseller", Msg: fmt.Sprintf(
				"reseller %s is %s: customers are added on behalf of active resellers only", r.MPNID, strings.ToLower(string(r.Status)))}
		}
	}
	pc, err := w.client(ctx)
	if err != nil {
		return workspace.CustomerRecord{}, err
	}
	// Partner Center names an indirect reseller by its partner tenant ID, which the
	// workspace does not keep: found from its MPN ID among the partner's indirect resellers.
	associated := ""
	if c.ResellerMPNID != "" {
		if associated, err = pc.ResellerTenantID(ctx, c.ResellerMPNID); err != nil {
			return workspace.CustomerRecord{}, readRefused(err, "list its indirect resellers")
		}
		if associated == "" {
			return workspace.CustomerRecord{}, &domain.RuleError{Rule: "reseller-not-in-partner-center", Msg: fmt.Sprintf(
				"the indirect reseller %s is not one of Partner Center's active indirect resellers of this partner: pcctl sync resellers shows them", c.ResellerMPNID)}
		}
	}
	created, err := pc.CreateCustomer(ctx, partnercenter.NewCustomer{
		CompanyProfile: partnercenter.NewCustomerCompany{Domain: c.Domain},
		BillingProfile: partnercenter.NewCustomerBilling{CompanyName: c.CompanyName, Culture: "en-US", Language: "en",
			DefaultAddress: api.Address{Country: c.Country}},
		AssociatedPartnerID: associated,
	})
	if err != nil {
		return workspace.CustomerRecord{}, refused(err, "create customer "+c.Domain, "a tenant with that domain exists already: choose another domain")
	}
	if creds := workspace.AdminCredentialsOf(ctx); creds != nil {
		creds.Account, creds.Password = created.UserName, created.Password
		if creds.Account != "" && !strings.Contains(creds.Account, "@") {
			creds.Account += "@" + created.Customer.CompanyProfile.Domain
		}
	}
	ctx = context.WithoutCancel(ctx)
	c.ID = created.Customer.CompanyProfile.TenantID
	if d := created.Customer.CompanyProfile.Domain; d != "" {
		c.Domain = strings.ToLower(d)
	}
	if n := created.Customer.CompanyProfile.CompanyName; n != "" {
		c.CompanyName = n
	}
	if creds := workspace.AdminCredentialsOf(ctx); creds != nil && creds.Account != "" {
		c.AdminAccount = creds.Account
	}
	rec, err := w.Workspace.AddCustomer(ctx, c, "")
	if err != nil {
		return rec, &UnrecordedError{What: fmt.Sprintf("created customer %s (tenant %s)", c.Domain, c.ID), RequestID: created.RequestID,
			Sync: workspace.SyncCustomers, Err: err}
	}
	return rec, nil
}
