package migrate

import (
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/psc"
)

func TestLoadMappingChecksTargets(t *testing.T) {
	good := "columns:\n  Statut: Status\nvalues:\n  Statut: {Gagné: Won, Perdu: Closed Lost}\n  Deal Type: {Standard: Private, Autre: ''}\n  Customer Country: {Hexagone: fr}\n  Currency: {'€': EUR}\n  Deal Role: {Revendeur: Reseller}\n"
	m, err := LoadMapping(strings.NewReader(good), "map.yaml")
	if err != nil || len(m.Values) != 7 || m.Columns["statut"] != psc.Status {
		t.Fatalf("LoadMapping = %+v, %v", m, err)
	}
	tests := []struct{ name, in, want string }{
		{"status", "values:\n  Status: {Gagné: Winner}\n",
			`map.yaml:2:19: Status value "Gagné" maps to "Winner", which is not a PSC status (allowed: ` + domain.PSCStatusNames + `)`},
		{"deal type", "values:\n  Deal Type:\n    Standard: Normal\n",
			`map.yaml:3:15: Deal Type value "Standard" maps to "Normal", which is not a PSC deal type (allowed: ` + domain.PSCDealTypeNames + `)`},
		{"country", "values:\n  Customer Country: {Hexagone: XX}\n",
			`map.yaml:2:32: Customer Country value "Hexagone" maps to "XX", which is not an ISO 3166 country code`},
		{"currency", "values:\n  Currency: {Euro: EURO}\n",
			`map.yaml:2:20: Currency value "Euro" maps to "EURO", which is not an ISO 4217 currency code (such as EUR, USD, GBP)`},
		{"psc error first", "values:\n  Statu: {a: Won}\n", `map.yaml:2:3: "Statu" under "values" is neither a PSC column`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := LoadMapping(strings.NewReader(tt.in), "map.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || m != nil {
				t.Fatalf("LoadMapping = %v, %v\nwant %s", m, err, tt.want)
			}
			if _, ok := err.(*psc.Error); !ok {
				t.Errorf("error is a %T", err)
			}
		})
	}
}
