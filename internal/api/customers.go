package api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/jsonstr"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Customers (docs/api/customers.md). Partner Center's resource keeps its paths:
//
//	GET  /v1/customers[?size=N][&filter={"Field":…,"Value":…,"Operator":"starts_with"}]
//	GET  /v1/customers/{id}       (tenant ID or primary domain)
//	POST /v1/customers
//
// pcctl's own additions live under Prefix: the views, count, opens, flag, pin, import,
// export and completion.
const (
	CustomersPath       = "/v1/customers"
	CustomerViewsPath   = Prefix + "/customers"        // GET ?view=&sort=&reseller=&limit=
	CustomerCountPath   = Prefix + "/customers/count"  // GET
	CustomerImportPath  = Prefix + "/customers/import" // POST, NDJSON both ways
	CustomerExportPath  = Prefix + "/customers/export" // GET, NDJSON
	CompletePath        = Prefix + "/complete"         // GET /{kind}?prefix=&limit=
	CustomerObjectType  = "Customer"
	CompanyProfileType  = "CustomerCompanyProfile"
	BillingProfileType  = "CustomerBillingProfile"
	CandidateObjectType = "Candidate"
)

// Page sizes of GET /v1/customers.
const (
	DefaultCustomerPageSize = 100  // when size is not given (domain.SearchLimit)
	MaxCustomerPageSize     = 1000 // the largest size accepted
)

// Customer is a customer as Partner Center describes one (testdata/partnercenter/
// customer.json), with what pcctl keeps that Partner Center has no name for in Pcctl.
type Customer struct {
	ID                    string          `json:"id"`
	CompanyProfile        CompanyProfile  `json:"companyProfile"`
	BillingProfile        *BillingProfile `json:"billingProfile,omitempty"`
	RelationshipToPartner string          `json:"relationshipToPartner,omitempty"`
	Pcctl                 *CustomerPcctl  `json:"pcctl,omitempty"`
	Attributes            Attributes      `json:"attributes"`
}

// CompanyProfile is Partner Center's companyProfile. Address is read (Partner Center
// sends it) but pcctl writes the country in billingProfile.defaultAddress only.
type CompanyProfile struct {
	TenantID    string     `json:"tenantId"`
	Domain      string     `json:"domain"`
	CompanyName string     `json:"companyName"`
	Address     *Address   `json:"address,omitempty"`
	Attributes  Attributes `json:"attributes"`
}

// BillingProfile is Partner Center's billingProfile, of which pcctl knows the country.
type BillingProfile struct {
	DefaultAddress Address    `json:"defaultAddress"`
	Attributes     Attributes `json:"attributes"`
}

// Address is a Partner Center address, of which pcctl knows the country.
type Address struct {
	Country string `json:"country,omitempty"`
}

// CustomerPcctl holds what pcctl keeps about a customer that Partner Center has no field
// for: the reseller managing it (004), when the relationship began, the admin account
// created with it, and the principal's own state (flag, pin, recent opens).
type CustomerPcctl struct {
	ResellerMPNID string    `json:"resellerMpnId,omitempty"`
	CreatedAt     time.Time `json:"createdAt,omitzero"`
	AdminAccount  string    `json:"adminAccount,omitempty"`
	// PurchasesAllowed is the customer's permission to buy its own products (003).
	PurchasesAllowed bool `json:"purchasesAllowed,omitempty"`
	Flagged          bool `json:"flagged"`
	// FlaggedAt is when the principal flagged it; it is kept on a customer unflagged
	// to respect the 30-flag cap (FlagResult.Unflagged), with flagged false.
	FlaggedAt time.Time `json:"flaggedAt,omitzero"`
	Pinned    bool      `json:"pinned"`
	Opens     int       `json:"opens"` // accesses in the recent window (recent view only)
	// AdminPasswordHash is sent with POST /v1/customers only: the hash of the admin
	// account's temporary password. Never answered.
	AdminPasswordHash string `json:"adminPasswordHash,omitempty"`
}

// FromCustomerRecord describes a customer as the principal sees it.
func FromCustomerRecord(r workspace.CustomerRecord) Customer {
	c := Customer{
		ID: r.ID,
		CompanyProfile: CompanyProfile{TenantID: r.ID, Domain: r.Domain, CompanyName: r.CompanyName,
			Attributes: Attributes{ObjectType: CompanyProfileType}},
		RelationshipToPartner: r.Relationship,
		Pcctl: &CustomerPcctl{
			ResellerMPNID: r.ResellerMPNID, CreatedAt: utc(r.CreatedAt), AdminAccount: r.AdminAccount,
			PurchasesAllowed: r.PurchasesAllowed,
			Flagged:          r.Flagged, FlaggedAt: utc(r.FlaggedAt), Pinned: r.Pinned, Opens: r.Opens,
		},
		Attributes: Attributes{ObjectType: CustomerObjectType},
	}
	if r.Country != "" {
		c.BillingProfile = &BillingProfile{DefaultAddress: Address{Country: r.Country},
			Attributes: Attributes{ObjectType: BillingProfileType}}
	}
	return c
}

// Record is the customer the description stands for. The ID is id, or
// companyProfile.tenantId when id is missing (both are empty for a customer to add whose
// ID the workspace generates); the country is the billing address's, or the company
// address's. An object of another type is refused.
func (c Customer) Record() (workspace.CustomerRecord, error) {
	var r workspace.CustomerRecord
	if t := c.Attributes.ObjectType; t != "" && t != CustomerObjectType {
		return r, fmt.Errorf("the object is a %s, not a %s", t, CustomerObjectType)
	}
	r.ID = c.ID
	if r.ID == "" {
		r.ID = c.CompanyProfile.TenantID
	}
	r.CompanyName, r.Domain = c.CompanyProfile.CompanyName, c.CompanyProfile.Domain
	switch {
	case c.BillingProfile != nil && c.BillingProfile.DefaultAddress.Country != "":
		r.Country = c.BillingProfile.DefaultAddress.Country
	case c.CompanyProfile.Address != nil:
		r.Country = c.CompanyProfile.Address.Country
	}
	r.Relationship = c.RelationshipToPartner
	if p := c.Pcctl; p != nil {
		r.ResellerMPNID, r.CreatedAt, r.AdminAccount = p.ResellerMPNID, utc(p.CreatedAt), p.AdminAccount
		r.PurchasesAllowed = p.PurchasesAllowed
		r.Flagged, r.FlaggedAt, r.Pinned, r.Opens = p.Flagged, utc(p.FlaggedAt), p.Pinned, p.Opens
	}
	return r, nil
}

// utc is t in UTC; the zero time stays the zero time.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// AppendJSON appends c as JSON, as encoding/json would write it, without reflection or
// allocation: lists and searches write thousands of customers a second.
func (c *Customer) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = AppendString(b, c.ID)
	b = append(b, `,"companyProfile":{"tenantId":`...)
	b = AppendString(b, c.CompanyProfile.TenantID)
	b = append(b, `,"domain":`...)
	b = AppendString(b, c.CompanyProfile.Domain)
	b = append(b, `,"companyName":`...)
	b = AppendString(b, c.CompanyProfile.CompanyName)
	if a := c.CompanyProfile.Address; a != nil {
		b = append(b, `,"address":{`...)
		if a.Country != "" {
			b = append(b, `"country":`...)
			b = AppendString(b, a.Country)
		}
		b = append(b, '}')
	}
	b = appendAttributes(b, c.CompanyProfile.Attributes)
	b = append(b, '}')
	if bp := c.BillingProfile; bp != nil {
		b = append(b, `,"billingProfile":{"defaultAddress":{`...)
		if bp.DefaultAddress.Country != "" {
			b = append(b, `"country":`...)
			b = AppendString(b, bp.DefaultAddress.Country)
		}
		b = append(b, '}')
		b = appendAttributes(b, bp.Attributes)
		b = append(b, '}')
	}
	if c.RelationshipToPartner != "" {
		b = append(b, `,"relationshipToPartner":`...)
		b = AppendString(b, c.RelationshipToPartner)
	}
	if p := c.Pcctl; p != nil {
		b = append(b, `,"pcctl":{`...)
		if p.ResellerMPNID != "" {
			b = append(b, `"resellerMpnId":`...)
			b = AppendString(b, p.ResellerMPNID)
			b = append(b, ',')
		}
		if !p.CreatedAt.IsZero() {
			b = append(b, `"createdAt":"`...)
			b = AppendTime(b, p.CreatedAt)
			b = append(b, `",`...)
		}
		if p.AdminAccount != "" {
			b = append(b, `"adminAccount":`...)
			b = AppendString(b, p.AdminAccount)
			b = append(b, ',')
		}
		if p.PurchasesAllowed {
			b = append(b, `"purchasesAllowed":true,`...)
		}
		b = append(b, `"flagged":`...)
		b = strconv.AppendBool(b, p.Flagged)
		if !p.FlaggedAt.IsZero() {
			b = append(b, `,"flaggedAt":"`...)
			b = AppendTime(b, p.FlaggedAt)
			b = append(b, '"')
		}
		b = append(b, `,"pinned":`...)
		b = strconv.AppendBool(b, p.Pinned)
		b = append(b, `,"opens":`...)
		b = strconv.AppendInt(b, int64(p.Opens), 10)
		if p.AdminPasswordHash != "" {
			b = append(b, `,"adminPasswordHash":`...)
			b = AppendString(b, p.AdminPasswordHash)
		}
		b = append(b, '}')
	}
	b = appendAttributes(b, c.Attributes)
	return append(b, '}')
}

func appendAttributes(b []byte, a Attributes) []byte {
	b = append(b, `,"attributes":{`...)
	if a.ObjectType != "" {
		b = append(b, `"objectType":`...)
		b = AppendString(b, a.ObjectType)
	}
	return append(b, '}')
}

// AppendTime appends t in UTC, RFC 3339 with as many fractional digits as it needs.
func AppendTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, time.RFC3339Nano)
}

// ParseTime reads a time written by AppendTime (any RFC 3339 time), in UTC; "" is the
// zero time.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	// The common case, whole seconds in UTC, read by hand: an export reads a million.
	if len(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' {
		var n [6]int
		ok := true
		for i, r := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
			for j := r[0]; j < r[1]; j++ {
				if s[j] < '0' || s[j] > '9' {
					ok = false
				}
				n[i] = n[i]*10 + int(s[j]-'0')
			}
		}
		if ok && n[1] >= 1 && n[1] <= 12 && n[2] >= 1 && n[2] <= 31 && n[3] < 24 && n[4] < 60 && n[5] < 60 {
			t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC)
			if t.Day() == n[2] { // not 31 April
				return t, nil
			}
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

// AppendString appends s as a JSON string, escaped as encoding/json escapes it (but for
// <, > and &, which need no escaping outside HTML).
func AppendString(b []byte, s string) []byte { return jsonstr.Append(b, s, true) }

// Filters of GET /v1/customers, as Partner Center spells them.
const (
	FilterCompanyName      = "CompanyName"
	FilterDomain           = "Domain"
	FilterIndirectReseller = "IndirectReseller"
	FilterStartsWith       = "starts_with"
)

// CustomerFilter is the filter parameter of GET /v1/customers: URL-encoded JSON.
type CustomerFilter struct {
	Field    string `json:"Field"`
	Value    string `json:"Value"`
	Operator string `json:"Operator"`
}

const filterShape = `{"Field":"CompanyName"|"Domain"|"IndirectReseller","Value":"…","Operator":"starts_with"}`

// ParseCustomerFilter reads a filter parameter; a malformed one is a bad request that
// says what is expected. Field and Operator are matched ignoring case, and returned as
// spelled here.
func ParseCustomerFilter(s string) (CustomerFilter, error) {
	var f CustomerFilter
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		return f, NewError(CodeBadRequest, fmt.Sprintf("the filter parameter is not valid: %v; expected %s", err, filterShape))
	}
	switch {
	case strings.EqualFold(f.Field, FilterCompanyName):
		f.Field = FilterCompanyName
	case strings.EqualFold(f.Field, FilterDomain):
		f.Field = FilterDomain
	case strings.EqualFold(f.Field, FilterIndirectReseller):
		f.Field = FilterIndirectReseller
	default:
		return f, NewError(CodeBadRequest, fmt.Sprintf("the filter's Field %q is not one of CompanyName, Domain, IndirectReseller; expected %s", f.Field, filterShape))
	}
	if !strings.EqualFold(f.Operator, FilterStartsWith) {
		return f, NewError(CodeBadRequest, fmt.Sprintf("the filter's Operator %q is not supported: use starts_with; expected %s", f.Operator, filterShape))
	}
	f.Operator = FilterStartsWith
	return f, nil
}

// String is the filter as its parameter's JSON.
func (f CustomerFilter) String() string {
	b, _ := json.Marshal(f)
	return string(b)
}

// ParsePageSize reads the size parameter of GET /v1/customers ("" is the default).
func ParsePageSize(s string) (int, error) {
	if s == "" {
		return DefaultCustomerPageSize, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxCustomerPageSize {
		return 0, NewError(CodeBadRequest, fmt.Sprintf("the size parameter must be a whole number from 1 to %d, not %q", MaxCustomerPageSize, s))
	}
	return n, nil
}

// FlagAnswer is the answer of PUT /pcctl/v1/customers/{id}/flag (workspace.FlagResult).
type FlagAnswer struct {
	Customer       Customer   `json:"customer"`
	AlreadyFlagged bool       `json:"alreadyFlagged"`
	Unflagged      *Customer  `json:"unflagged,omitempty"` // flagged longest ago, unflagged past 30
	Attributes     Attributes `json:"attributes"`
}

// ChangeAnswer is the answer of unflag, pin and unpin: the customer and whether the
// request changed anything.
type ChangeAnswer struct {
	Customer   Customer   `json:"customer"`
	Changed    bool       `json:"changed"`
	Attributes Attributes `json:"attributes"`
}

// CountAnswer is the answer of GET /pcctl/v1/customers/count.
type CountAnswer struct {
	Count int `json:"count"`
}

// Candidate is one completion (workspace.Candidate).
type Candidate struct {
	Value       string `json:"value"`
	Description string `json:"description"`
}

// Export and import lines. An export is NDJSON: a first line naming the columns, then
// one JSON array of strings per customer in ExportColumns order, then a last line
// {"end":true,"count":N}, or {"error":{…}} if the export failed after it began (a stream
// without its last line was cut short).
var ExportColumns = []string{"id", "companyName", "domain", "country", "resellerMpnId", "relationship", "createdAt", "purchasesAllowed"}

// AppendExportLine appends the array line of one exported customer (with its newline).
func AppendExportLine(b []byte, c *domain.Customer) []byte {
	b = append(b, '[')
	b = AppendString(b, c.ID)
	b = append(b, ',')
	b = AppendString(b, c.CompanyName)
	b = append(b, ',')
	b = AppendString(b, c.Domain)
	b = append(b, ',')
	b = AppendString(b, c.Country)
	b = append(b, ',')
	b = AppendString(b, c.ResellerMPNID)
	b = append(b, ',')
	b = AppendString(b, c.Relationship)
	b = append(b, ',', '"')
	if !c.CreatedAt.IsZero() {
		b = AppendTime(b, c.CreatedAt)
	}
	if c.PurchasesAllowed {
		return append(b, `","true"]`+"\n"...)
	}
	return append(b, `","false"]`+"\n"...)
}

// ParseExportLine fills c from an array line of an export (AdminAccount is left as it
// is: an export does not carry it).
func ParseExportLine(line []byte, c *domain.Customer) error {
	var f [8]string
	if err := ParseArray(line, f[:]); err != nil {
		return err
	}
	t, err := ParseTime(f[6])
	if err != nil {
		return err
	}
	switch f[7] {
	case "true":
		c.PurchasesAllowed = true
	case "false":
		c.PurchasesAllowed = false
	default:
		return fmt.Errorf("purchasesAllowed %q is not true or false", f[7])
	}
	c.ID, c.CompanyName, c.Domain, c.Country, c.ResellerMPNID, c.Relationship, c.CreatedAt = f[0], f[1], f[2], f[3], f[4], f[5], t
	return nil
}

// StreamEnd is the last line of an export, or of an import's answer: the result or the
// error that ended it.
type StreamEnd struct {
	End    bool                    `json:"end,omitempty"`
	Count  int                     `json:"count,omitempty"`
	Result *workspace.ImportResult `json:"result,omitempty"`
	Error  *Error                  `json:"error,omitempty"`
}

// The import. The request body is NDJSON, one line per item, in the order of the rows:
//
//	[line,"flags","id","companyName","domain","country","resellerMpnId","relationship","createdAt","adminAccount"]
//	{"rowError":{"line":3,"column":2,"field":"domain","reason":"…"}}   a row the client could not read
//	{"end":N}                                                            after the last of N items
//	{"decision":"skip"}                                                  ask mode: the answer to a row error
//
// flags holds I, C, R, T and D when the file has the id, country, reseller,
// relationship and createdAt columns (workspace.CustomerRow.Has…). The answer is NDJSON
// too: {"rowError":{…}} for each refused row, in order, then a StreamEnd with the result
// or the error.

// Modes of an import's onRowError parameter.
const (
	OnRowErrorAsk   = "ask"   // each refused row is sent to the client, which answers with a decision
	OnRowErrorSkip  = "skip"  // refused rows are skipped and reported
	OnRowErrorAbort = "abort" // the first refused row aborts the import (422): nothing is written
)

// RowError is a workspace.RowError on the wire.
type RowError struct {
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// FromRowError describes e.
func FromRowError(e *workspace.RowError) *RowError {
	return &RowError{Line: e.Line, Column: e.Column, Field: e.Field, Reason: e.Reason}
}

// Err is the workspace.RowError described.
func (e *RowError) Err() *workspace.RowError {
	return &workspace.RowError{Line: e.Line, Column: e.Column, Field: e.Field, Reason: e.Reason}
}

// ImportItem is an object line of an import's body, or of its answer before the end.
type ImportItem struct {
	RowError *RowError `json:"rowError,omitempty"`
	End      *int      `json:"end,omitempty"`
	Decision string    `json:"decision,omitempty"`
}

// AppendImportRow appends the array line of one row (with its newline).
func AppendImportRow(b []byte, r *workspace.CustomerRow) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(r.Line), 10)
	b = append(b, ',', '"')
	for _, f := range [...]struct {
		has bool
		c   byte
	}{{r.HasID, 'I'}, {r.HasCountry, 'C'}, {r.HasReseller, 'R'}, {r.HasRelationship, 'T'}, {r.HasCreatedAt, 'D'}} {
		if f.has {
			b = append(b, f.c)
		}
	}
	b = append(b, '"')
	c := &r.Customer
	for _, s := range [...]string{c.ID, c.CompanyName, c.Domain, c.Country, c.ResellerMPNID, c.Relationship} {
		b = append(b, ',')
		b = AppendString(b, s)
	}
	b = append(b, ',', '"')
	if !c.CreatedAt.IsZero() {
		b = AppendTime(b, c.CreatedAt)
	}
	b = append(b, '"', ',')
	b = AppendString(b, c.AdminAccount)
	return append(b, ']', '\n')
}

// ParseImportRow reads an array line of an import's body.
func ParseImportRow(line []byte) (workspace.CustomerRow, error) {
	var f [10]string
	var r workspace.CustomerRow
	if err := ParseArray(line, f[:]); err != nil {
		return r, err
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return r, fmt.Errorf("the row's line %q is not a number", f[0])
	}
	r.Line = n
	for _, c := range []byte(f[1]) {
		switch c {
		case 'I':
			r.HasID = true
		case 'C':
			r.HasCountry = true
		case 'R':
			r.HasReseller = true
		case 'T':
			r.HasRelationship = true
		case 'D':
			r.HasCreatedAt = true
		default:
			return r, fmt.Errorf("the row's flags %q hold %q, not one of I, C, R, T, D", f[1], c)
		}
	}
	t, err := ParseTime(f[8])
	if err != nil {
		return r, err
	}
	r.Customer = domain.Customer{ID: f[2], CompanyName: f[3], Domain: f[4], Country: f[5],
		ResellerMPNID: f[6], Relationship: f[7], CreatedAt: t, AdminAccount: f[9]}
	return r, nil
}

// ParseArray reads a JSON array of exactly len(dst) values, strings or whole numbers
// (given as their digits), into dst. The strings share one allocation when none is
// escaped.
func ParseArray(line []byte, dst []string) error {
	i := 0
	skip := func() {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n') {
			i++
		}
	}
	bad := func(what string) error {
		return fmt.Errorf("a line is not an array of %d values: %s at byte %d", len(dst), what, i)
	}
	skip()
	if i >= len(line) || line[i] != '[' {
		return bad("no [")
	}
	i++
	var all string // the line as a string, made once when needed
	for k := range dst {
		skip()
		if k > 0 {
			if i >= len(line) || line[i] != ',' {
				return bad("expected ,")
			}
			i++
			skip()
		}
		if i >= len(line) {
			return bad("too short")
		}
		switch c := line[i]; {
		case c == '"':
			i++
			start, escaped := i, false
			for i < len(line) && line[i] != '"' {
				if line[i] == '\\' {
					escaped = true
					i++
				} else if line[i] < 0x20 {
					return bad("control character in a string")
				}
				i++
			}
			if i >= len(line) {
				return bad("unterminated string")
			}
			if escaped {
				var s string
				if err := json.Unmarshal(line[start-1:i+1], &s); err != nil {
					return bad(err.Error())
				}
				dst[k] = s
			} else {
				if all == "" {
					all = string(line)
				}
				dst[k] = all[start:i]
			}
			i++
		case c == '-' || c >= '0' && c <= '9':
			start := i
			i++
			for i < len(line) && line[i] >= '0' && line[i] <= '9' {
				i++
			}
			dst[k] = string(line[start:i])
		default:
			return bad("expected a string or a whole number")
		}
	}
	skip()
	if i >= len(line) || line[i] != ']' {
		return bad("expected ]")
	}
	i++
	skip()
	if i != len(line) {
		return bad("more after ]")
	}
	return nil
}
