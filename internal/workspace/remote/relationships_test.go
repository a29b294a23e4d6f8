package remote_test

import (
	"context"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// TestRelationshipsRemoteMatchesLocal: every customer relationship method through a real
// server gives what the local file gives, results and refusals alike.
func TestRelationshipsRemoteMatchesLocal(t *testing.T) {
	f := rslStart(t)
	ctx := context.Background()
	local, remote := f.local, f.remote
	tpl := func(ref, mpn string) domain.RelationshipRequest {
		return domain.RelationshipRequest{CustomerID: ref, ResellerMPNID: mpn, Email: "Admin@Contoso.onmicrosoft.com",
			Subject: "Request", Body: "Open " + domain.LinkPlaceholder}
	}
	sub := rslMust[domain.Subscription](t)(local.AddSubscription(ctx, domain.Subscription{CustomerID: "contoso.onmicrosoft.com", Offer: "E3", Quantity: 1}))
	none := domain.RelationshipNone
	suspended, active := domain.SubscriptionSuspended, domain.SubscriptionActive
	yes := true

	// Refusals, word for word.
	for _, c := range []struct {
		what string
		do   func(ws workspace.Workspace) error
	}{
		{"request: has it already", func(ws workspace.Workspace) error {
			_, _, err := ws.RequestRelationship(ctx, tpl("contoso.onmicrosoft.com", ""))
			return err
		}},
		{"request: unknown customer", func(ws workspace.Workspace) error {
			_, _, err := ws.RequestRelationship(ctx, tpl("nowhere.com", ""))
			return err
		}},
		{"request: not a partner", func(ws workspace.Workspace) error {
			_, _, err := ws.RequestRelationship(ctx, tpl("contoso.onmicrosoft.com", "5555555"))
			return err
		}},
		{"request: no link", func(ws workspace.Workspace) error {
			r := tpl("contoso.onmicrosoft.com", "5555555")
			r.Body = "no link"
			_, _, err := ws.RequestRelationship(ctx, r)
			return err
		}},
		{"end: blocked", func(ws workspace.Workspace) error {
			_, _, err := ws.UpdateCustomer(ctx, "contoso.onmicrosoft.com", workspace.CustomerChange{Relationship: &none})
			return err
		}},
		{"end: unknown customer", func(ws workspace.Workspace) error {
			_, _, err := ws.UpdateCustomer(ctx, "nowhere.com", workspace.CustomerChange{Relationship: &none})
			return err
		}},
		{"empty change", func(ws workspace.Workspace) error {
			_, _, err := ws.UpdateCustomer(ctx, "contoso.onmicrosoft.com", workspace.CustomerChange{})
			return err
		}},
		{"reactivate an active one", func(ws workspace.Workspace) error {
			_, err := ws.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Status: &active})
			return err
		}},
		{"accept: unknown token", func(ws workspace.Workspace) error { _, err := ws.AcceptRelationship(ctx, "nosuchtoken"); return err }},
		{"accept: empty token", func(ws workspace.Workspace) error { _, err := ws.AcceptRelationship(ctx, ""); return err }},
	} {
		rslSameError(t, c.what, c.do(remote), c.do(local))
	}

	// Suspend, end, list the ended, ask again (the same request from both sides), accept.
	s := rslMust[domain.Subscription](t)(remote.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Status: &suspended}))
	if s.Status != suspended {
		t.Fatalf("suspend: %+v", s)
	}
	ended, changed, err := remote.UpdateCustomer(ctx, "contoso.onmicrosoft.com", workspace.CustomerChange{Relationship: &none})
	if err != nil || !changed || ended.Relationship != none {
		t.Fatalf("end: %+v %v %v", ended, changed, err)
	}
	rslEqual(t, "ended", ended, rslMust[workspace.CustomerRecord](t)(local.Customer(ctx, "contoso.onmicrosoft.com")))
	_, errR := remote.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Status: &active})
	_, errL := local.UpdateSubscription(ctx, sub.ID, workspace.SubscriptionChange{Status: &active})
	rslSameError(t, "reactivate while ended", errR, errL)
	_, _, errR = remote.UpdateCustomer(ctx, "contoso.onmicrosoft.com", workspace.CustomerChange{PurchasesAllowed: &yes})
	_, _, errL = local.UpdateCustomer(ctx, "contoso.onmicrosoft.com", workspace.CustomerChange{PurchasesAllowed: &yes})
	rslSameError(t, "purchases while ended", errR, errL)

	req, existing, err := remote.RequestRelationship(ctx, domain.RelationshipRequest{CustomerID: "contoso.onmicrosoft.com", Token: "chosen", Subject: "s", Body: domain.LinkPlaceholder})
	if err != nil || existing || req.Token == "chosen" || len(req.Token) != 40 {
		t.Fatalf("request: %+v %v %v", req, existing, err)
	}
	againL, exL, err := local.RequestRelationship(ctx, tpl("contoso.onmicrosoft.com", ""))
	if err != nil || !exL {
		t.Fatal(err, exL)
	}
	againR, exR, err := remote.RequestRelationship(ctx, tpl("contoso.onmicrosoft.com", ""))
	if err != nil || !exR {
		t.Fatal(err, exR)
	}
	rslEqual(t, "again", againR, againL)
	rslEqual(t, "again is the first", againR, req)
	rslEqual(t, "pending", rslMust[[]domain.RelationshipRequest](t)(remote.RelationshipRequests(ctx)),
		rslMust[[]domain.RelationshipRequest](t)(local.RelationshipRequests(ctx)))
	hR := rslMust[workspace.HomeOverview](t)(remote.Home(ctx))
	hL := rslMust[workspace.HomeOverview](t)(local.Home(ctx))
	rslEqual(t, "home's pending requests", hR.PendingRelationships, hL.PendingRelationships)

	back := rslMust[workspace.CustomerRecord](t)(remote.AcceptRelationship(ctx, req.Token))
	if back.Relationship != "reseller" {
		t.Errorf("reinstated: %+v", back)
	}
	_, errR = remote.AcceptRelationship(ctx, req.Token)
	_, errL = local.AcceptRelationship(ctx, req.Token)
	rslSameError(t, "accept twice", errR, errL)

	// The purchase permission.
	got, changed, err := remote.UpdateCustomer(ctx, "contoso.onmicrosoft.com", workspace.CustomerChange{PurchasesAllowed: &yes})
	if err != nil || !changed || !got.PurchasesAllowed {
		t.Fatalf("allow: %+v %v %v", got, changed, err)
	}
	_, changed, err = remote.UpdateCustomer(ctx, "contoso.onmicrosoft.com", workspace.CustomerChange{PurchasesAllowed: &yes})
	if err != nil || changed {
		t.Errorf("allow again: %v %v", changed, err)
	}
	rslEqual(t, "allowed", rslMust[workspace.CustomerRecord](t)(remote.Customer(ctx, "contoso.onmicrosoft.com")),
		rslMust[workspace.CustomerRecord](t)(local.Customer(ctx, "contoso.onmicrosoft.com")))
}
