package pcpublish_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
	"github.com/pcctl/pcctl/internal/pcpublish"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/storetest"
)

// openWorkspace opens the storage the tests run on: a workspace file, or (TestOnPostgres)
// a PostgreSQL database.
var openWorkspace storetest.Opener = storetest.SQLite

// TestOnPostgres runs the publishing tests again on a PostgreSQL workspace
// (PCCTL_TEST_DATABASE_URL; skipped without): DealPublications and RecordPublications
// behave the same. Not TestPublishOnceThroughFaults: whether a request meets the 429 burst
// more often than its retries allow depends on timing (1 run in 20 fails on a file, more
// on a database, which answers the publishing writes sooner); its storage side is the
// conformance suite's DealPublications.
func TestOnPostgres(t *testing.T) {
	open := storetest.Postgres(t, "pub")
	old := openWorkspace
	t.Cleanup(func() { openWorkspace = old })
	openWorkspace = open
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"PublishKilledMidway", TestPublishKilledMidway},
		{"PublishNeedsLink", TestPublishNeedsLink},
		{"ReferralPayload", TestReferralPayload},
	} {
		t.Run(tc.name, tc.fn)
	}
}

type env struct {
	pc *pctest.Server
	ws workspace.Workspace
	c  *partnercenter.Client
}

// setup is a workspace linked to the stand-in's tenant holding n PSC deals: every 5th
// won, every 7th lost, every 11th closed as declined (which Partner Center refuses to
// create closed), the others active.
func setup(t *testing.T, n int) *env {
	t.Helper()
	pc := pctest.New(false)
	t.Cleanup(pc.Close)
	ws := openWorkspace(t).As(domain.Owner("admin@fabrikam.com"))
	c, err := partnercenter.New(partnercenter.Options{PartnerCenterURL: pc.URL, ReferralsURL: pc.URL, Tokens: partnercenter.StaticToken("tok"),
		Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rows := make([]workspace.DealImportRow, n)
	for i := range rows {
		st, sub := domain.DealActive, domain.SubAccepted
		switch {
		case i%11 == 10:
			st, sub = domain.DealClosed, domain.SubDeclined
		case i%7 == 6:
			st, sub = domain.DealClosed, domain.SubLost
		case i%5 == 4:
			st, sub = domain.DealClosed, domain.SubWon
		}
		id := fmt.Sprintf("OPP-%04d", i)
		rows[i] = workspace.DealImportRow{Line: i + 2, NameColumn: 3, Fingerprint: "fp-" + id,
			Deal: domain.Deal{ID: id, Name: "Deal " + id, Organization: fmt.Sprintf("Prospect %d", i%17), OrgCountry: "US", Status: st, Substatus: sub,
				Value: "100", Currency: "USD", Solutions: []domain.Solution{{ID: "CFQ7TTC0LF8Q", Source: domain.MicrosoftSKU, Quantity: 25, UnitPrice: "12.50"}},
				Notes: []domain.Note{{Text: "Customer outcome (PSC): happy"}}}}
	}
	rs := workspace.DealRowSlice(rows)
	if _, err := ws.ImportDeals(ctx, &rs, workspace.DealImportOptions{CreateMissingOrgs: true}); err != nil {
		t.Fatal(err)
	}
	// Linked: an empty sync step of the stand-in's tenant.
	if _, err := ws.ApplySync(ctx, workspace.SyncStep{Kind: workspace.SyncRequests, Tenant: pc.TenantID, TenantName: pc.CompanyName, Start: true, Finish: true}); err != nil {
		t.Fatal(err)
	}
	return &env{pc: pc, ws: ws, c: c}
}

func refusedIndex(i int) bool { return i%11 == 10 }

// checkOnce checks that each deal that Partner Center accepts exists there once, and
// none of those it refuses.
func checkOnce(t *testing.T, e *env, n int) {
	t.Helper()
	byExt, total := e.pc.ReferralsWithExternalID()
	want := 0
	for i := range n {
		id := fmt.Sprintf("OPP-%04d", i)
		w := 1
		if refusedIndex(i) {
			w = 0
		}
		want += w
		if byExt[id] != w {
			t.Errorf("%s is in Partner Center %d times, want %d", id, byExt[id], w)
		}
	}
	if total != want {
		t.Errorf("Partner Center has %d referrals, want %d", total, want)
	}
}

func TestPublishOnceThroughFaults(t *testing.T) {
	const n = 120
	e := setup(t, n)
	ctx := context.Background()

	// Dry run: nothing sent, nothing written.
	res, err := pcpublish.Run(ctx, e.ws, e.c, pcpublish.Options{Unpublished: true, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.WouldPublish != n || len(res.Rows) != n {
		t.Fatalf("dry run: %+v", res.Summary)
	}
	if _, total := e.pc.ReferralsWithExternalID(); total != 0 {
		t.Fatalf("a dry run created %d referrals", total)
	}

	// 429 bursts, and three answers lost after Partner Center created the referral.
	e.pc.Inject(pctest.Fault{Route: pctest.RouteReferrals, Method: http.MethodPost, Skip: 5, Times: 6, Status: 429, RetryAfter: "0"})
	e.pc.Inject(pctest.Fault{Route: pctest.RouteReferrals, Method: http.MethodPost, Skip: 20, Times: 3, LoseAnswer: true})
	e.pc.Inject(pctest.Fault{Route: pctest.RouteReferrals, Method: http.MethodPost, Skip: 40, Times: 6, Status: 429, RetryAfter: "0"})
	res, err = pcpublish.Run(ctx, e.ws, e.c, pcpublish.Options{Unpublished: true, Concurrency: 8, Batch: 16})
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for i := range n {
		if refusedIndex(i) {
			refused++
		}
	}
	// A lost answer that falls on a deal Partner Center refuses is a refusal (nothing
	// created): 1 to 3 answers are lost.
	lost := res.Summary.Failed
	if s := res.Summary; lost < 1 || lost > 3 || s.Published != n-refused-lost || s.Refused != refused {
		t.Fatalf("first run: %+v, want %d published, %d refused, 1 to 3 failed", s, n-refused-lost, refused)
	}
	for _, r := range res.Rows {
		switch r.Outcome {
		case pcpublish.Published:
			if r.ReferralID == "" || r.EngagementID == "" || r.PSCDealID != r.DealID {
				t.Errorf("published row without Partner Center's IDs: %+v", r)
			}
			ref, ok := e.pc.Referral(r.ReferralID)
			if !ok || ref.ExternalReferenceID != r.DealID || ref.TrackingInfo == nil || ref.TrackingInfo.MigratedPSCDealID != r.DealID {
				t.Errorf("%s: the referral %+v does not name the deal", r.DealID, ref)
			}
		case pcpublish.Refused:
			if !strings.Contains(r.Errors, "substatus Won or Lost") || !strings.Contains(r.Errors, "MS-RequestId") {
				t.Errorf("refusal without Partner Center's message and request ID: %q", r.Errors)
			}
		case pcpublish.Failed:
			if !strings.Contains(r.Errors, "asks Partner Center") {
				t.Errorf("failure: %q", r.Errors)
			}
		}
	}
	// The lost answers: in Partner Center once, and recorded as being sent.
	pubs, err := e.ws.DealPublications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sending := 0
	for _, p := range pubs {
		if p.State == workspace.PublishSending {
			sending++
		}
		if p.State == workspace.PublishPublished && (p.ETag == "" || p.ReferralID == "") {
			t.Errorf("published without ETag or referral ID: %+v", p)
		}
	}
	if sending != lost {
		t.Errorf("%d deals left sending, want %d", sending, lost)
	}
	checkOnce(t, e, n)

	// The second run finds the lost ones again (no POST for them) and sends the refused ones
	// again (refused again).
	before := len(e.pc.Requests())
	res, err = pcpublish.Run(ctx, e.ws, e.c, pcpublish.Options{Unpublished: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Summary; s.Published != lost || s.AlreadyPublished != n-refused-lost || s.Refused != refused || s.Failed != 0 {
		t.Fatalf("second run: %+v", s)
	}
	found, posts, lookups := 0, 0, 0
	for _, r := range res.Rows {
		if r.Found {
			found++
		}
	}
	for _, r := range e.pc.Requests()[before:] {
		switch {
		case r.Method == http.MethodPost:
			posts++
		case strings.Contains(r.Query, "externalReferenceId"):
			lookups++
		}
	}
	if found != lost || lookups != lost || posts != refused {
		t.Errorf("second run: %d found again, %d lookups, %d POSTs; want %d, %d, %d", found, lookups, posts, lost, lost, refused)
	}
	checkOnce(t, e, n)

	// Named deals: one published, one unknown (refused before anything is sent).
	res, err = pcpublish.Run(ctx, e.ws, e.c, pcpublish.Options{IDs: []string{"OPP-0000"}})
	if err != nil || res.Summary.AlreadyPublished != 1 {
		t.Fatalf("named: %+v %v", res.Summary, err)
	}
	_, err = pcpublish.Run(ctx, e.ws, e.c, pcpublish.Options{IDs: []string{"OPP-0000", "NOPE"}})
	var nf *domain.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("unknown deal: %v", err)
	}
}

func TestPublishKilledMidway(t *testing.T) {
	// A run cancelled while referrals are in flight (as a kill would, minus the last
	// writes): every deal still ends in Partner Center once after the next run.
	const n = 200
	e := setup(t, n)
	e.pc.Inject(pctest.Fault{Route: pctest.RouteReferrals, Method: http.MethodPost, Skip: 60, Times: 1, Delay: 2 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if reqs := e.pc.Requests(); len(reqs) > 62 {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	_, err := pcpublish.Run(ctx, e.ws, e.c, pcpublish.Options{Unpublished: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	calls, last, total := 0, 0, 0 // not locked: the race detector sees calls at once
	res, err := pcpublish.Run(context.Background(), e.ws, e.c, pcpublish.Options{Unpublished: true, Concurrency: 8,
		Progress: func(done, tot int) { calls++; last, total = done, tot }})
	if err != nil {
		t.Fatal(err)
	}
	if calls != last || last != total || total != res.Summary.Published+res.Summary.Refused {
		t.Errorf("progress: %d calls, last %d of %d; %+v", calls, last, total, res.Summary)
	}
	if s := res.Summary; s.Published+s.AlreadyPublished+s.Refused != n || s.Failed != 0 {
		t.Fatalf("after the interruption: %+v", s)
	}
	checkOnce(t, e, n)
}

func TestPublishNeedsLink(t *testing.T) {
	pc := pctest.New(false)
	defer pc.Close()
	db := openWorkspace(t)
	c, _ := partnercenter.New(partnercenter.Options{PartnerCenterURL: pc.URL, ReferralsURL: pc.URL, Tokens: partnercenter.StaticToken("tok")})
	_, err := pcpublish.Run(context.Background(), db.As(domain.Owner("a@b.com")), c, pcpublish.Options{Unpublished: true})
	var re *domain.RuleError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "pcctl sync") {
		t.Fatalf("not linked: %v", err)
	}
	// Another tenant signed in.
	e := setup(t, 3)
	e.pc.TenantID = "11111111-0000-4000-8000-000000000000"
	_, err = pcpublish.Run(context.Background(), e.ws, e.c, pcpublish.Options{Unpublished: true})
	if !errors.As(err, &re) || !slices.ContainsFunc([]string{"linked to the partner tenant"}, func(s string) bool { return strings.Contains(err.Error(), s) }) {
		t.Fatalf("another tenant: %v", err)
	}
}

func TestReferralPayload(t *testing.T) {
	d := domain.Deal{ID: "OPP-1", Name: "N", Status: domain.DealClosed, Substatus: domain.SubWon, StatusReason: "signed",
		Organization: "Org", Currency: "EUR", Value: "10", Notes: []domain.Note{{Text: "a"}, {Text: "b"}}}
	ref := pcpublish.Referral(d, true)
	if ref.ExternalReferenceID != "OPP-1" || ref.TrackingInfo.MigratedPSCDealID != "OPP-1" || ref.ID != "" || ref.Pcctl != nil ||
		ref.Details.Notes != "a\n\nb" || ref.Notes != nil || ref.Status.Name != "Closed" || ref.Substatus.Name != "Won" || ref.StatusReason != "signed" {
		t.Fatalf("%+v", ref)
	}
	if pcpublish.Referral(d, false).TrackingInfo != nil {
		t.Fatal("a deal not from PSC names a PSC deal")
	}
}
