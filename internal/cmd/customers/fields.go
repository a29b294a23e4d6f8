// Package customers holds the `pcctl customers` commands, one verb per file.
package customers

import (
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
)

type rec = workspace.CustomerRecord

// recordFields are the fields of a customer as list, search and show print them
// (docs/output.md).
var recordFields = []output.Field[rec]{
	output.StrField("id", "ID", "tenant ID (GUID)", func(c *rec) string { return c.ID }),
	output.StrField("companyName", "COMPANY NAME", "company name", func(c *rec) string { return c.CompanyName }),
	output.StrField("domain", "DOMAIN", "primary domain", func(c *rec) string { return c.Domain }),
	output.StrField("country", "COUNTRY", "ISO 3166 alpha-2 country code; empty when unknown", func(c *rec) string { return c.Country }),
	output.StrField("resellerMpnId", "RESELLER", "MPN ID of the indirect reseller; empty when none", func(c *rec) string { return c.ResellerMPNID }),
	output.StrField("relationship", "RELATIONSHIP", "relationship to the partner; none once it ended", func(c *rec) string { return c.Relationship }),
	output.BoolField("purchasesAllowed", "OWN PURCHASES", "whether the customer may buy its own products and services (allow-purchases)", func(c *rec) bool { return c.PurchasesAllowed }),
	output.TimeField("createdAt", "CREATED", "when the relationship began", func(c *rec) time.Time { return c.CreatedAt }),
	output.StrField("adminAccount", "ADMIN ACCOUNT", "admin account created with the customer; empty for imported customers", func(c *rec) string { return c.AdminAccount }),
	output.BoolField("flagged", "FLAGGED", "flagged by you", func(c *rec) bool { return c.Flagged }),
	output.TimeField("flaggedAt", "FLAGGED AT", "when you flagged it; null when not flagged", func(c *rec) time.Time {
		if !c.Flagged {
			return time.Time{}
		}
		return c.FlaggedAt
	}),
	output.BoolField("pinned", "PINNED", "pinned to your home overview", func(c *rec) bool { return c.Pinned }),
}

// listDefaults are the columns a table shows.
var listDefaults = []string{"companyName", "domain", "country", "resellerMpnId", "flagged", "id"}

// listLeaveOut are the columns of listDefaults a narrow terminal leaves out, the least
// useful first: the tenant ID (the domain names the customer to every command), then the
// flag, the country and the reseller. --wide keeps them.
var listLeaveOut = []string{"id", "flagged", "country", "resellerMpnId"}

// narrowHelp says so in the help of list and search.
const narrowHelp = `On a terminal narrower than the table, the columns of least use are left out (the ID
first, then FLAGGED, COUNTRY, RESELLER) and long names shortened; --wide shows every
column in full, --fields the columns you name.`

// exportFields are the columns of `customers export`: the customer itself, without
// per-user state; the header names are those `customers import` reads back.
var exportFields = []output.Field[domain.Customer]{
	output.StrField("id", "ID", "tenant ID (GUID)", func(c *domain.Customer) string { return c.ID }),
	output.StrField("companyName", "COMPANY NAME", "company name", func(c *domain.Customer) string { return c.CompanyName }),
	output.StrField("domain", "DOMAIN", "primary domain", func(c *domain.Customer) string { return c.Domain }),
	output.StrField("country", "COUNTRY", "ISO 3166 alpha-2 country code; empty when unknown", func(c *domain.Customer) string { return c.Country }),
	output.StrField("resellerMpnId", "RESELLER", "MPN ID of the indirect reseller; empty when none", func(c *domain.Customer) string { return c.ResellerMPNID }),
	output.StrField("relationship", "RELATIONSHIP", "relationship to the partner", func(c *domain.Customer) string { return c.Relationship }),
	output.TimeField("createdAt", "CREATED", "when the relationship began", func(c *domain.Customer) time.Time { return c.CreatedAt }),
	// Last, so that a script reading columns by position keeps working; 'customers import'
	// reads it back without changing the permission ('customers allow-purchases' does).
	output.BoolField("purchasesAllowed", "OWN PURCHASES", "whether the customer may buy its own products and services (allow-purchases)", func(c *domain.Customer) bool { return c.PurchasesAllowed }),
}
