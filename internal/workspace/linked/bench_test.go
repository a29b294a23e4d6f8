package linked_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// BenchmarkDealNote is a write-through note on one deal of a workspace of 1 and of 10,000
// deals: the deal's place in Partner Center is found among every deal's publishing state
// (DealPublications), then one PATCH of the stand-in and the workspace's write.
func BenchmarkDealNote(b *testing.B) {
	for _, n := range []int{0, 10000} {
		b.Run(fmt.Sprintf("deals=%d", n+1), func(b *testing.B) { benchDealNote(b, n) })
	}
}

func benchDealNote(b *testing.B, others int) {
	t := &testing.T{}
	e := setup(t)
	ctx := context.Background()
	rows := make([]workspace.DealImportRow, others)
	for i := range rows {
		id := fmt.Sprintf("OPP-%05d", i)
		rows[i] = workspace.DealImportRow{Line: i + 2, NameColumn: 3, Fingerprint: "fp-" + id,
			Deal: domain.Deal{ID: id, Name: "Deal " + id, Organization: fmt.Sprintf("Prospect %d", i%17), OrgCountry: "US",
				Status: domain.DealActive, Substatus: domain.SubAccepted, Value: "100", Currency: "USD",
				Solutions: []domain.Solution{{ID: "SOL-1", Source: domain.OwnSolution}}}}
	}
	if others > 0 {
		rs := workspace.DealRowSlice(rows)
		if _, err := e.inner.ImportDeals(ctx, &rs, workspace.DealImportOptions{CreateMissingOrgs: true}); err != nil {
			b.Fatal(err)
		}
	}
	rec, err := e.ws.CreateDeal(ctx, newDeal())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.ws.AddDealNote(ctx, rec.ID, fmt.Sprintf("note %d", i), 0); err != nil {
			b.Fatal(err)
		}
	}
}
