package migrate

import (
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/psc"
)

// FuzzMapDeals reads any text as a PSC export and maps its rows: no panic, no hang, and
// every row either carries errors or maps to a deal that the domain rules accept, with a
// fingerprint.
func FuzzMapDeals(f *testing.F) {
	header := "Opportunity ID,Deal Name,Customer Name,Customer Country,Deal Value,Currency,Status,Products,Estimated Close Date,Customer Outcome,Seller Email,Created Date,Last Modified Date,Deal Type\n"
	for _, row := range []string{
		"OPP-1,ERP,Contoso Ltd,GB,\"12,345.67\",USD,Open,A;B,,ok,ann@fabrikam.com,03/14/2026,10/02/2026,Private",
		"OPP-2,X,Y,,1.000,00 €,,Won,microsoft:M:2:3.5,31/03/2027,,,,,IoT OEM",
		"OPP-3,Dup,Y,,1,USD,Closed as Duplicate,A,,,,,,",
		"OPP-4,,,,,,Pending,,,,,,,Co-sell",
	} {
		f.Add(header + row + "\n")
	}
	f.Fuzz(func(t *testing.T, text string) {
		file, err := psc.Read(strings.NewReader(text), psc.Options{Name: "fuzz.csv"})
		if err != nil {
			return
		}
		rows, _ := Deals(file)
		if len(rows) != len(file.Rows) {
			t.Fatalf("%d rows mapped from %d", len(rows), len(file.Rows))
		}
		for _, r := range rows {
			if len(r.Errors) > 0 || r.Duplicate {
				continue
			}
			if err := domain.CheckDeal(r.Deal); err != nil {
				t.Fatalf("line %d: a row without errors maps to a deal the rules refuse: %v", r.Line, err)
			}
			if r.Fingerprint == "" || r.Deal.ID == "" || r.Deal.Organization == "" {
				t.Fatalf("line %d: %+v", r.Line, r)
			}
		}
	})
}
