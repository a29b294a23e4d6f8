package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// testRequestGivenReference: a request created with a reference and a creation date (Partner
// Center's, in a workspace linked to it) keeps both; a reference already held is refused
// and nothing is written; a reference that is not 15 digits is refused.
func testRequestGivenReference(t *testing.T, h Harness) {
	db, _ := openTest(t, h)
	ws := alice(db)
	ctx := context.Background()
	addN(t, ws, 1)
	at := time.Date(2026, 11, 20, 8, 30, 15, 0, time.UTC)
	r, err := ws.CreateRequest(ctx, domain.ServiceRequest{Ref: "700000000000001", CreatedAt: at, CustomerID: "c000.onmicrosoft.com",
		Title: "Mail down", Severity: domain.SeverityCritical})
	if err != nil || r.Ref != "700000000000001" || !r.CreatedAt.Equal(at) || !r.UpdatedAt.Equal(at) || r.Status != domain.RequestOpen {
		t.Fatalf("%+v %v", r, err)
	}
	if got, err := ws.Request(ctx, "700000000000001"); err != nil || got.Title != "Mail down" {
		t.Fatalf("read back: %+v %v", got, err)
	}
	var rule *domain.RuleError
	if _, err := ws.CreateRequest(ctx, domain.ServiceRequest{Ref: "700000000000001", CustomerID: "c000.onmicrosoft.com",
		Title: "Again", Severity: domain.SeverityMinimal}); !errors.As(err, &rule) || rule.Rule != "unique-request-ref" {
		t.Fatalf("a reference held twice: %v", err)
	}
	var invalid *domain.InvalidError
	for _, bad := range []string{"12345", "70000000000000x", "7000000000000012"} {
		if _, err := ws.CreateRequest(ctx, domain.ServiceRequest{Ref: bad, CustomerID: "c000.onmicrosoft.com",
			Title: "Bad", Severity: domain.SeverityMinimal}); !errors.As(err, &invalid) || invalid.Field != "ref" {
			t.Fatalf("reference %q: %v", bad, err)
		}
	}
	n := 0
	if err := ws.ListRequests(ctx, workspace.RequestQuery{}, func(workspace.RequestRecord) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("%d requests after refusals, want 1 (%v)", n, err)
	}
}
