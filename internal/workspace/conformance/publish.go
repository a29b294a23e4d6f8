package conformance

import (
	"context"
	"errors"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func testDealPublications(t *testing.T, h Harness) {
	db, _ := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	rs := workspace.DealRowSlice{pscRow(2, "OPP-1", "Northwind", "US", domain.SubAccepted), pscRow(3, "OPP-2", "Northwind", "US", domain.SubWon)}
	if _, err := ws.ImportDeals(ctx, &rs, workspace.DealImportOptions{CreateMissingOrgs: true}); err != nil {
		t.Fatal(err)
	}
	pubs, err := ws.DealPublications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pubs) != 2 || pubs[0].DealID != "OPP-1" || !pubs[0].PSC || pubs[0].State != "" || pubs[1].Name != "Deal OPP-2" {
		t.Fatalf("before: %+v", pubs)
	}
	// An unknown deal: nothing written, the others included.
	err = ws.RecordPublications(ctx, []workspace.DealPublication{{DealID: "OPP-1", State: workspace.PublishSending}, {DealID: "NOPE", State: workspace.PublishSending}})
	var nf *domain.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("unknown deal: %v", err)
	}
	if err := ws.RecordPublications(ctx, []workspace.DealPublication{{DealID: "OPP-1", State: "bogus"}}); err == nil {
		t.Fatal("a state that is not one was recorded")
	}
	if pubs, _ = ws.DealPublications(ctx); pubs[0].State != "" {
		t.Fatalf("a refused batch wrote %+v", pubs[0])
	}
	if err := ws.RecordPublications(ctx, []workspace.DealPublication{{DealID: "OPP-1", State: workspace.PublishSending}, {DealID: "OPP-2", State: workspace.PublishSending}}); err != nil {
		t.Fatal(err)
	}
	if err := ws.RecordPublications(ctx, []workspace.DealPublication{{DealID: "OPP-1", State: workspace.PublishPublished, ReferralID: "ref-1", EngagementID: "eng-1", ETag: `W/"1"`},
		{DealID: "OPP-2", State: workspace.PublishRefused, Error: "no"}}); err != nil {
		t.Fatal(err)
	}
	pubs, _ = ws.DealPublications(ctx)
	if p := pubs[0]; p.State != workspace.PublishPublished || p.ReferralID != "ref-1" || p.EngagementID != "eng-1" || p.ETag != `W/"1"` || p.At.IsZero() {
		t.Fatalf("published: %+v", p)
	}
	if p := pubs[1]; p.State != workspace.PublishRefused || p.Error != "no" {
		t.Fatalf("refused: %+v", p)
	}
	// One deal's state, in one lookup: the same as in the list.
	for _, want := range pubs {
		if got, err := workspace.DealPublicationOf(ctx, ws, want.DealID); err != nil || got != want {
			t.Fatalf("DealPublicationOf(%s) = %+v, %v; want %+v", want.DealID, got, err, want)
		}
	}
	if _, err := workspace.DealPublicationOf(ctx, ws, "NOPE"); !errors.As(err, &nf) {
		t.Fatalf("DealPublicationOf an unknown deal: %v", err)
	}
	// A sync bringing the published referral back updates its deal, never a second one.
	if _, err := ws.ApplySync(ctx, workspace.SyncStep{Kind: workspace.SyncDeals, Tenant: "t-1", Start: true, Finish: true,
		Deals: []domain.Deal{{ID: "ref-1", EngagementID: "eng-1", Name: "Renamed in Partner Center", Direction: domain.Outbound, Type: domain.PrivateDeal,
			Status: domain.DealActive, Substatus: domain.SubAccepted, Organization: "Northwind", OrgCountry: "US", Value: "100", Currency: "USD", Solutions: sku()}}}); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, h, db, "deals"); n != 2 {
		t.Fatalf("%d deals after the sync, want 2", n)
	}
	d, err := ws.Deal(ctx, "OPP-1")
	if err != nil || d.Name != "Renamed in Partner Center" {
		t.Fatalf("the published deal after the sync: %+v %v", d.Deal.Name, err)
	}
}
