package psc

import (
	"strconv"

	"github.com/pcctl/pcctl/internal/csvread"
)

// Column is one of the built-in PSC columns, in this order:
// Opportunity ID, Deal Name, Customer Name, Customer Country, Deal Value, Currency, Status,
// Deal Role, Licensing Program, Products, Estimated Close Date, Customer Outcome,
// Customer Contact Name, Customer Contact Email, Customer Contact Phone, Seller Email,
// Created Date, Last Modified Date, Deal Type, and two that PSC does not export but a
// migration operator may add to pin a row to its customer: Customer Domain and Customer
// ID (the tenant ID).
type Column int

// The columns of a PSC opportunity export. Row's arrays are indexed by Column.
const (
	OpportunityID Column = iota
	DealName
	CustomerName
	CustomerCountry
	DealValue
	Currency
	Status
	DealRole
	LicensingProgram
	Products
	EstimatedCloseDate
	CustomerOutcome
	ContactName
	ContactEmail
	ContactPhone
	SellerEmail
	CreatedDate
	LastModifiedDate
	DealType
	CustomerDomain   // optional: the customer's primary domain, pinning the match
	CustomerTenantID // optional: the customer's tenant ID (Microsoft ID), pinning the match
	NumColumns       // the number of columns, not a column
)

var columnNames = [NumColumns]string{
	"Opportunity ID", "Deal Name", "Customer Name", "Customer Country", "Deal Value", "Currency", "Status",
	"Deal Role", "Licensing Program", "Products", "Estimated Close Date", "Customer Outcome",
	"Customer Contact Name", "Customer Contact Email", "Customer Contact Phone", "Seller Email",
	"Created Date", "Last Modified Date", "Deal Type", "Customer Domain", "Customer ID",
}

// dateColumns are the columns holding dates, whose order Read detects.
var dateColumns = [...]Column{EstimatedCloseDate, CreatedDate, LastModifiedDate}

// columnIndex maps the normalised built-in names to columns.
var columnIndex = func() map[string]Column {
	m := make(map[string]Column, NumColumns)
	for c, name := range columnNames {
		m[normalize(name)] = Column(c)
	}
	return m
}()

// String returns the built-in header name, e.g. "Opportunity ID".
func (c Column) String() string {
	if c >= 0 && c < NumColumns {
		return columnNames[c]
	}
	return "Column(" + strconv.Itoa(int(c)) + ")"
}

// Required reports whether the export must have the column: Opportunity ID, Deal Name,
// Customer Name and Status.
func (c Column) Required() bool {
	return c == OpportunityID || c == DealName || c == CustomerName || c == Status
}

// ParseColumn returns the column whose built-in name is name, ignoring case, white space,
// underscores and hyphens: "Opportunity ID", "opportunityid", " OPPORTUNITY  ID " and
// "opportunity_id" are all OpportunityID.
func ParseColumn(name string) (Column, bool) {
	c, ok := columnIndex[normalize(name)]
	return c, ok
}

// normalize is the form in which header names are matched.
func normalize(name string) string {
	return csvread.NormalizeHeader(name)
}
