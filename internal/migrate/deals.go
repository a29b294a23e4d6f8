// Package migrate maps what Partner Sales Connect (PSC) exports onto pcctl's records
// (001): opportunities onto deals, users onto users and roles. Reading the files is
// package psc's job, the business rules are package domain's, and writing is the
// workspace's; this package joins them, row by row, keeping every problem with its
// position.
package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/psc"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Dropped counts the values the mapping drops (001): Deal Role and Licensing Program,
// which pcctl derives from the solutions, and Estimated Close Date outside IoT OEM deals.
type Dropped struct {
	DealRole         int `json:"dealRole"`
	LicensingProgram int `json:"licensingProgram"`
	CloseDate        int `json:"estimatedCloseDate"`
}

// RequiredColumns are the columns a deal needs besides those psc always requires: Partner
// Center needs the deal's value, its currency and its solutions. Give them to psc.Open
// (Options.Require), so that a file without them is refused at its header rather than on
// every row.
var RequiredColumns = []psc.Column{psc.DealValue, psc.Currency, psc.Products}

// OutcomeNotePrefix starts the note a PSC customer outcome becomes.
const OutcomeNotePrefix = "Customer outcome (PSC): "

// DealRows maps the rows of an export one at a time, as the workspace asks for them
// (workspace.DealRows): each file row is released once mapped, so the file's rows and the
// mapped deals are not both in memory. A row with problems carries them all in Errors.
type DealRows struct {
	f       *psc.File
	sc      *psc.Scanner
	Dropped Dropped // the values dropped so far
	values  badValues
}

// badValues are the values of the file that a column did not accept and a --map values:
// entry could read as another, by the RowError's field and reason.
type badValues map[[2]string]BadValue

// BadValue is a value of the file its column does not accept.
type BadValue struct {
	Column psc.Column
	Value  string
}

// mappable are the columns whose values are read from a list (or a code), which a --map
// values: entry can extend.
var mappable = map[psc.Column]bool{psc.Status: true, psc.DealType: true, psc.CustomerCountry: true, psc.Currency: true}

// BadValue returns the value an error of the rows is about, when a --map values: entry
// could read it as another value of its column: an unknown status, deal type, country or
// currency. It may be called once the rows are all read.
func (d *DealRows) BadValue(e workspace.RowError) (BadValue, bool) {
	v, ok := d.values[[2]string{e.Field, e.Reason}]
	return v, ok
}

// NewDealRows maps the rows of f (opened with psc.Open or read with psc.Read).
func NewDealRows(f *psc.File) *DealRows { return &DealRows{f: f, sc: f.Scan()} }

// Next maps the next row, or returns io.EOF after the last.
func (d *DealRows) Next() (workspace.DealImportRow, error) {
	row, err := d.sc.Next()
	if err != nil {
		return workspace.DealImportRow{}, err
	}
	if d.values == nil {
		d.values = badValues{}
	}
	return mapDeal(d.f, &row, &d.Dropped, d.values), nil
}

// Deals maps every row of the export at once.
func Deals(f *psc.File) ([]workspace.DealImportRow, Dropped) {
	rows := NewDealRows(f)
	out := make([]workspace.DealImportRow, 0, f.Len())
	for {
		r, err := rows.Next()
		if err != nil { // only io.EOF: psc.Open checked every record
			return out, rows.Dropped
		}
		out = append(out, r)
	}
}

type rowMapper struct {
	f      *psc.File
	row    *psc.Row
	errs   []workspace.RowError
	values badValues // nil: not recorded
}

func (m *rowMapper) fail(c psc.Column, reason string) {
	line := m.row.FieldLine[c]
	if line == 0 {
		line = m.row.Line
	}
	m.errs = append(m.errs, workspace.RowError{Line: line, Column: m.row.Column[c], Field: c.String(), Reason: reason})
}

// failErr records err against column c, without repeating the field name.
func (m *rowMapper) failErr(c psc.Column, err error) {
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		m.fail(c, inv.Detail())
		if m.values != nil && mappable[c] && inv.Value != "" {
			e := m.errs[len(m.errs)-1]
			m.values[[2]string{e.Field, e.Reason}] = BadValue{Column: c, Value: inv.Value}
		}
		return
	}
	m.fail(c, err.Error())
}

// text returns the value of c, refusing control characters.
func (m *rowMapper) text(c psc.Column) string {
	v := m.row.Values[c]
	if err := domain.CheckText(c.String(), v); err != nil {
		m.failErr(c, err)
		return ""
	}
	return v
}

// noteSpaces turns the line breaks and tabs a note may hold into spaces, for CheckText.
var noteSpaces = strings.NewReplacer("\n", " ", "\t", " ")

// note returns the value of c as the text of a note: line breaks are kept (as LF), other
// control characters refused.
func (m *rowMapper) note(c psc.Column) string {
	v := strings.ReplaceAll(m.row.Values[c], "\r\n", "\n")
	if err := domain.CheckText(c.String(), noteSpaces.Replace(v)); err != nil {
		m.failErr(c, err)
		return ""
	}
	return v
}

func (m *rowMapper) required(c psc.Column) string {
	v := m.text(c)
	if v == "" && !m.f.Has[c] {
		return ""
	}
	if v == "" {
		m.fail(c, "is empty")
	}
	return v
}

func (m *rowMapper) email(c psc.Column) string {
	v := m.text(c)
	if v == "" {
		return ""
	}
	e, err := domain.ParseEmail(v)
	if err != nil {
		m.fail(c, fmt.Sprintf("%q is not an email address", v))
		return ""
	}
	return e
}

func (m *rowMapper) date(c psc.Column) time.Time {
	v := m.text(c)
	if v == "" {
		return time.Time{}
	}
	t, err := psc.ParseDate(v, m.f.Dates)
	if err != nil {
		m.failErr(c, err)
	}
	return t
}

func mapDeal(f *psc.File, row *psc.Row, dropped *Dropped, values badValues) workspace.DealImportRow {
	m := &rowMapper{f: f, row: row, values: values}
	r := workspace.DealImportRow{Line: row.Line, NameColumn: row.Column[psc.CustomerName]}
	d := &r.Deal
	d.Direction = domain.Outbound // the partner's own deals, created in PSC
	d.ID = m.required(psc.OpportunityID)
	st, err := domain.ParsePSCStatus(row.Values[psc.Status])
	if err != nil {
		m.failErr(psc.Status, err)
	}
	if st == domain.PSCDuplicate {
		// Never imported: the rest of the row does not matter.
		d.Name = m.text(psc.DealName)
		r.Duplicate, r.Errors = true, m.errs
		return r
	}
	d.Name = m.required(psc.DealName)
	d.Organization = m.required(psc.CustomerName)
	if country := m.text(psc.CustomerCountry); country != "" {
		if c, err := domain.ParseCountry(country, false); err != nil {
			m.failErr(psc.CustomerCountry, err)
		} else {
			d.OrgCountry = c
		}
	}
	if v := m.text(psc.CustomerDomain); v != "" {
		if dom, err := domain.ParseDomain(v); err != nil {
			m.failErr(psc.CustomerDomain, err)
		} else {
			r.CustomerDomain, r.PinColumn = dom, row.Column[psc.CustomerDomain]
		}
	}
	if v := m.text(psc.CustomerTenantID); v != "" {
		if id, err := domain.ParseTenantID(v); err != nil {
			m.failErr(psc.CustomerTenantID, err)
		} else {
			r.CustomerID = id
			if r.PinColumn == 0 {
				r.PinColumn = row.Column[psc.CustomerTenantID]
			}
		}
	}
	switch st {
	case domain.PSCOpen:
		d.Status, d.Substatus = domain.DealActive, domain.SubAccepted
	case domain.PSCWon:
		d.Status, d.Substatus = domain.DealClosed, domain.SubWon
	case domain.PSCLost:
		d.Status, d.Substatus = domain.DealClosed, domain.SubLost
	}

	symbolCurrency := ""
	if v := m.text(psc.DealValue); v == "" {
		m.fail(psc.DealValue, "is empty: Partner Center needs the deal's estimated value")
	} else if d.Value, symbolCurrency, err = psc.ParseAmount(v); err != nil {
		m.failErr(psc.DealValue, err)
	}
	switch cur := m.text(psc.Currency); {
	case cur != "":
		if d.Currency, err = domain.ParseCurrency(cur); err != nil {
			m.failErr(psc.Currency, err)
		} else if symbolCurrency != "" && symbolCurrency != d.Currency {
			m.fail(psc.DealValue, fmt.Sprintf("is in %s but the Currency column says %s", symbolCurrency, d.Currency))
		}
	case symbolCurrency != "":
		if d.Currency, err = domain.ParseCurrency(symbolCurrency); err != nil {
			m.fail(psc.DealValue, fmt.Sprintf("names the currency %q, which is not an ISO 4217 code (such as EUR, USD, GBP)", symbolCurrency))
		}
	default:
		m.fail(psc.Currency, "is empty and the Deal Value names no currency (give an ISO 4217 code such as USD)")
	}

	if m.text(psc.DealRole) != "" {
		dropped.DealRole++
	}
	if m.text(psc.LicensingProgram) != "" {
		dropped.LicensingProgram++
	}
	kind, err := domain.ParsePSCDealType(row.Values[psc.DealType])
	if err != nil {
		m.failErr(psc.DealType, err)
	}
	d.Type, d.IoTOEM = kind.Type, kind.IoTOEM
	if kind.Type == domain.CoSellDeal {
		// PSC shared the deal with Microsoft with the customer's consent.
		d.Consent = true
	}
	if kind.IoTOEM {
		d.CloseDate = m.date(psc.EstimatedCloseDate)
	} else if m.text(psc.EstimatedCloseDate) != "" {
		dropped.CloseDate++
	}

	if products := m.text(psc.Products); products == "" {
		m.fail(psc.Products, "is empty: a deal holds 1 to 50 solutions")
	} else if d.Solutions, err = domain.SplitProducts(products); err != nil {
		m.failErr(psc.Products, err)
	}
	if outcome := m.note(psc.CustomerOutcome); outcome != "" {
		d.Notes = []domain.Note{{Text: OutcomeNotePrefix + outcome}}
	}
	d.Contact = domain.Contact{Name: m.text(psc.ContactName), Email: m.email(psc.ContactEmail), Phone: m.text(psc.ContactPhone)}
	if seller := m.email(psc.SellerEmail); seller != "" {
		d.Team = []string{seller}
	}
	d.CreatedAt = m.date(psc.CreatedDate)
	d.UpdatedAt = m.date(psc.LastModifiedDate)
	if !d.CreatedAt.IsZero() && !d.UpdatedAt.IsZero() && d.UpdatedAt.Before(d.CreatedAt) {
		m.fail(psc.LastModifiedDate, "is before the Created Date")
	}

	if len(m.errs) == 0 {
		if err := domain.CheckDeal(*d); err != nil {
			var rule *domain.RuleError
			col := psc.Products
			if errors.As(err, &rule) && strings.HasPrefix(rule.Rule, "co-sell") {
				col = psc.ContactName
			}
			m.failErr(col, err)
		}
	}
	r.Errors = m.errs
	r.Fingerprint = fingerprint(d)
	return r
}

// fingerprint identifies the mapped content of a deal: a re-import of a row that maps
// to the same deal is unchanged, whatever the file's dialect.
func fingerprint(d *domain.Deal) string {
	b := make([]byte, 0, 512)
	put := func(parts ...string) {
		for _, p := range parts {
			b = strconv.AppendInt(b, int64(len(p)), 10)
			b = append(b, ':')
			b = append(b, p...)
		}
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	put(d.ID, d.Name, domain.OrgKey(d.Organization), d.OrgCountry, string(d.Status), string(d.Substatus),
		d.Value, d.Currency, string(d.Type), strconv.FormatBool(d.IoTOEM), day(d.CloseDate),
		d.Contact.Name, d.Contact.Email, d.Contact.Phone, day(d.CreatedAt), day(d.UpdatedAt))
	for _, s := range d.Solutions {
		put("solution", s.String())
	}
	for _, t := range d.Team {
		put("team", t)
	}
	for _, n := range d.Notes {
		put("note", n.Text)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// prefetched is a row, or the error that ends the rows.
type prefetched struct {
	row workspace.DealImportRow
	err error
}

// Prefetch maps the rows in a goroutine of its own, ahead of the workspace writing them:
// reading and mapping a row costs about as much as writing it, and the machine has more
// than one core. Stop ends the goroutine early (when the import fails); calling it after
// the last row is harmless.
type Prefetch struct {
	ch   chan prefetched
	stop chan struct{}
	done bool
}

// NewPrefetch starts mapping rows ahead, up to n of them.
func NewPrefetch(rows workspace.DealRows, n int) *Prefetch {
	p := &Prefetch{ch: make(chan prefetched, n), stop: make(chan struct{})}
	go func() {
		defer close(p.ch)
		for {
			r, err := rows.Next()
			select {
			case p.ch <- prefetched{r, err}:
			case <-p.stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return p
}

// Next returns the next row, or the error that ended the rows (io.EOF after the last).
func (p *Prefetch) Next() (workspace.DealImportRow, error) {
	r, ok := <-p.ch
	if !ok {
		return workspace.DealImportRow{}, io.EOF
	}
	return r.row, r.err
}

// Stop ends the goroutine.
func (p *Prefetch) Stop() {
	if !p.done {
		p.done = true
		close(p.stop)
	}
}
