package migrate

import (
	"errors"
	"fmt"
	"io"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/psc"
)

// LoadMapping reads a --map file (psc.LoadMapping) and checks each value it maps to against
// pcctl's rules for its column: a PSC status, a PSC deal type, a country, a currency, text
// without control characters. A value that is none is an *psc.Error naming the mapping file,
// the line and column of the value, and the values allowed.
func LoadMapping(r io.Reader, name string) (*psc.Mapping, error) {
	m, err := psc.LoadMapping(r, name)
	if err != nil {
		return nil, err
	}
	for _, v := range m.Values {
		if err := checkTarget(v.Column, v.To); err != nil {
			reason := err.Error()
			var inv *domain.InvalidError
			if errors.As(err, &inv) {
				reason = inv.Reason
			}
			return nil, &psc.Error{File: name, Line: v.Line, Column: v.Col,
				Reason: fmt.Sprintf("%s value %q maps to %q, which %s", v.Column, v.From, v.To, reason)}
		}
	}
	return m, nil
}

// checkTarget checks a value a mapping gives column c, as mapDeal will read it.
func checkTarget(c psc.Column, v string) error {
	var err error
	switch c {
	case psc.Status:
		_, err = domain.ParsePSCStatus(v)
	case psc.DealType:
		_, err = domain.ParsePSCDealType(v)
	case psc.CustomerCountry:
		_, err = domain.ParseCountry(v, false)
	case psc.Currency:
		_, err = domain.ParseCurrency(v)
	default:
		err = domain.CheckText(c.String(), v)
	}
	return err
}
