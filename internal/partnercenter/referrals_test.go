package partnercenter_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
)

func newReferral(ext string) api.Referral {
	return api.Referral{Name: "Deal " + ext, ExternalReferenceID: ext, Type: api.Named("Independent"),
		CustomerProfile: &api.ReferralCustomerProfile{Name: "Northwind"}, Details: &api.ReferralDetails{DealValue: "100", Currency: "USD"}}
}

func TestCreateReferralAndFindIt(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	s.PageSize = 2
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	ctx := context.Background()
	// 429 twice: waited out and sent again (Partner Center did not act on it).
	s.Inject(pctest.Fault{Route: pctest.RouteReferrals, Method: http.MethodPost, Status: 429, RetryAfter: "0", Times: 2})
	got, err := c.CreateReferral(ctx, newReferral("OPP-1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Referral.ID == "" || got.Referral.EngagementID == "" || got.ETag != pctest.ReferralETag(1) || got.RequestID == "" {
		t.Fatalf("created: %+v", got)
	}
	if byExt, total := s.ReferralsWithExternalID(); total != 1 || byExt["OPP-1"] != 1 {
		t.Fatalf("the stand-in has %d referrals: %v", total, byExt)
	}
	// Five others, one with a quote in its ID: the filter finds each across pages.
	for i := range 5 {
		if _, err := c.CreateReferral(ctx, newReferral(fmt.Sprintf("OPP-%d", i+2))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateReferral(ctx, newReferral("O'Brien")); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"OPP-1", "OPP-6", "O'Brien"} {
		found, err := c.ReferralsByExternalID(ctx, ext)
		if err != nil || len(found) != 1 || found[0].ExternalReferenceID != ext {
			t.Fatalf("%s: %+v %v", ext, found, err)
		}
	}
	if found, err := c.ReferralsByExternalID(ctx, "NOPE"); err != nil || len(found) != 0 {
		t.Fatalf("NOPE: %+v %v", found, err)
	}

	// An answer lost after the referral was created: an error (no retry of a write),
	// and the referral is there to be found.
	s.Inject(pctest.Fault{Route: pctest.RouteReferrals, Method: http.MethodPost, LoseAnswer: true})
	if _, err := c.CreateReferral(ctx, newReferral("OPP-LOST")); err == nil {
		t.Fatal("a lost answer was taken as an answer")
	}
	if found, _ := c.ReferralsByExternalID(ctx, "OPP-LOST"); len(found) != 1 {
		t.Fatalf("the referral whose answer was lost: %+v", found)
	}
}

func TestReferralRefusals(t *testing.T) {
	s := pctest.New(false)
	defer s.Close()
	c := newClient(t, s, partnercenter.StaticToken("tok"), nil)
	ctx := context.Background()
	bad := newReferral("OPP-1")
	bad.Details.Currency = "dollars"
	_, err := c.CreateReferral(ctx, bad)
	var pe *partnercenter.Error
	if !errors.As(err, &pe) || pe.Status != 400 || pe.Code != "InvalidInput" || !strings.Contains(pe.Description, "Details.Currency") ||
		!strings.Contains(err.Error(), "MS-RequestId: "+pe.RequestID) {
		t.Fatalf("validation: %v", err)
	}
	closed := newReferral("OPP-2")
	closed.Status, closed.Substatus = api.Named("Closed"), api.Named("Declined")
	if _, err := c.CreateReferral(ctx, closed); !errors.As(err, &pe) || pe.Status != 400 {
		t.Fatalf("closed as declined: %v", err)
	}
	if _, total := s.ReferralsWithExternalID(); total != 0 {
		t.Fatal("a refused referral was created")
	}
	// PATCH with If-Match: the right ETag is taken, a stale one is 412.
	won := newReferral("OPP-3")
	won.Status, won.Substatus = api.Named("Closed"), api.Named("Won")
	created, err := c.CreateReferral(ctx, won)
	if err != nil {
		t.Fatal(err)
	}
	// A won referral stays closed: a JSON Patch reopening it is refused (400).
	if _, err := c.UpdateReferral(ctx, created.Referral.ID, created.ETag, []partnercenter.PatchOp{
		partnercenter.Replace("/status", "Active"), partnercenter.Replace("/substatus", "Accepted")}); !errors.As(err, &pe) || pe.Status != 400 {
		t.Fatalf("reopened: %v", err)
	}
	open, err := c.CreateReferral(ctx, newReferral("OPP-4"))
	if err != nil {
		t.Fatal(err)
	}
	patch := func(etag string) (partnercenter.Created, error) {
		return c.UpdateReferral(ctx, open.Referral.ID, etag, []partnercenter.PatchOp{
			partnercenter.Replace("/details/dealValue", "10000"), partnercenter.Add("/team/-", map[string]string{"email": "jane@contoso.com"})})
	}
	got, err := patch(open.ETag)
	if err != nil || got.ETag != pctest.ReferralETag(2) || string(got.Referral.Details.DealValue) != "10000" ||
		len(got.Referral.Team) != 1 || got.Referral.Team[0].Email != "jane@contoso.com" || got.Referral.Name != open.Referral.Name {
		t.Fatalf("patch: %+v %v", got, err)
	}
	if _, err := patch(open.ETag); !errors.As(err, &pe) || pe.Status != http.StatusPreconditionFailed {
		t.Fatalf("stale ETag: %v", err)
	}
	if _, err := c.UpdateReferral(ctx, open.Referral.ID, got.ETag, []partnercenter.PatchOp{{Op: "remove", Path: "/team"}}); !errors.As(err, &pe) || pe.Status != 400 {
		t.Fatalf("remove: %v", err)
	}
	if _, err := c.UpdateReferral(ctx, "nope", "*", []partnercenter.PatchOp{partnercenter.Replace("/name", "x")}); !errors.As(err, &pe) || pe.Status != 404 {
		t.Fatalf("unknown referral: %v", err)
	}
	read, err := c.Referral(ctx, open.Referral.ID)
	if err != nil || read.ETag != got.ETag || string(read.Referral.Details.DealValue) != "10000" {
		t.Fatalf("get: %+v %v", read, err)
	}
}
