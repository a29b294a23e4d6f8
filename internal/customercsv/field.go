package customercsv

import (
	"slices"
	"strconv"

	"github.com/pcctl/pcctl/internal/csvread"
)

// Field identifies a customer attribute a column can carry.
type Field int

const (
	FieldID            Field = iota // tenant GUID
	FieldCompanyName                // company (organization) name
	FieldDomain                     // primary domain, e.g. contoso.onmicrosoft.com
	FieldCountry                    // country or region
	FieldResellerMPNID              // indirect reseller's MPN ID
	FieldRelationship               // relationship to the partner
	FieldCreatedAt                  // when the customer or relationship was created
)

// NumFields is the number of Field values. Row's arrays are indexed by Field.
const NumFields = 7

var fieldNames = [NumFields]string{
	"id", "companyName", "domain", "country", "resellerMpnId", "relationship", "createdAt",
}

// fieldDescriptions name each field in plain English for messages.
var fieldDescriptions = [NumFields]string{
	"tenant ID", "company name", "domain", "country", "reseller MPN ID", "relationship", "creation date",
}

// fieldAliases lists the header names accepted for each field, canonical
// name first. They include the columns of Partner Center's customer export.
var fieldAliases = [NumFields][]string{
	FieldID:            {"id", "Microsoft ID", "Customer ID", "Tenant ID"},
	FieldCompanyName:   {"companyName", "Company name", "Name", "Customer name", "Company"},
	FieldDomain:        {"domain", "Primary domain name", "Primary domain", "Domain name"},
	FieldCountry:       {"country", "Country code", "Country/Region"},
	FieldResellerMPNID: {"resellerMpnId", "Reseller MPN ID", "Reseller", "Indirect reseller", "Indirect reseller MPN ID"},
	FieldRelationship:  {"relationship", "Relationship to partner"},
	FieldCreatedAt:     {"createdAt", "Created", "Created date", "Relationship start"},
}

// aliasIndex maps normalized header names to fields.
var aliasIndex = func() map[string]Field {
	m := make(map[string]Field)
	for f, names := range fieldAliases {
		for _, name := range names {
			m[normalizeHeader(name)] = Field(f)
		}
	}
	return m
}()

// String returns the field's stable lower camel name: id, companyName,
// domain, country, resellerMpnId, relationship or createdAt.
func (f Field) String() string {
	if f >= 0 && f < NumFields {
		return fieldNames[f]
	}
	return "Field(" + strconv.Itoa(int(f)) + ")"
}

// Aliases returns the header names accepted for f, canonical name first.
// Matching ignores case and spaces, underscores and hyphens.
func (f Field) Aliases() []string {
	if f >= 0 && f < NumFields {
		return slices.Clone(fieldAliases[f])
	}
	return nil
}

// Required reports whether the header must have a column for f. Only the
// company name and the domain are required.
func (f Field) Required() bool {
	return f == FieldCompanyName || f == FieldDomain
}

// lookupHeader returns the field a header name maps to.
func lookupHeader(name string) (Field, bool) {
	f, ok := aliasIndex[normalizeHeader(name)]
	return f, ok
}

// normalizeHeader lower-cases name and drops spaces, underscores and
// hyphens, so that "Company name", "company_name", "CompanyName" and
// "COMPANY NAME" are all "companyname".
func normalizeHeader(name string) string {
	return csvread.NormalizeHeader(name)
}
