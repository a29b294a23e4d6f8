package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Indirect resellers (docs/api/resellers.md). Partner Center lists the active ones as
// partner relationships (GET /v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf,
// sample indirect-resellers.json); pcctl's own resources (every status, one reseller,
// removal, partnership requests and their acceptance page) live under Prefix.
const (
	// RelationshipsPath is Partner Center's list of partner relationships.
	RelationshipsPath = "/v1/relationships"
	// RelationshipTypeParam is its query parameter, and IndirectResellersType the only
	// value pcctl keeps: the provider's indirect resellers.
	RelationshipTypeParam = "relationship_type"
	IndirectResellersType = "IsIndirectCloudSolutionProviderOf"
	// relationshipType is how Partner Center names the relationship in the items.
	relationshipType = "is_indirect_cloud_solution_provider_of"

	// ResellersPath lists resellers and requests of any status (?status=…); one reseller
	// is ResellersPath + "/" + MPN ID (GET, DELETE).
	ResellersPath = Prefix + "/resellers"
	// InvitationsPath records a partnership request (POST); InvitationsPath + "/" + token
	// is the link the reseller opens (GET: a page; POST: accept).
	InvitationsPath = Prefix + "/invitations"
	// SubscriptionsPath lists subscriptions across customers (GET ?customer=&reseller=&
	// expiring_within=); SubscriptionsPath + "/" + ID changes one (PATCH).
	SubscriptionsPath = Prefix + "/subscriptions"
)

// CustomerSubscriptionsPath is Partner Center's collection of a customer's subscriptions
// (GET: list, POST: add). ref is the customer's tenant ID or domain, escaped by the caller.
func CustomerSubscriptionsPath(ref string) string { return "/v1/customers/" + ref + "/subscriptions" }

// Object types of the resources of this file.
const (
	ObjectPartnerRelationship = "PartnerRelationship"
	ObjectRelationshipRequest = "RelationshipRequest"
	ObjectSubscription        = "Subscription"
)

// Reseller is an indirect reseller, or a partnership request not yet accepted, as
// Partner Center's PartnerRelationship (indirect-resellers.json). What Partner Center does
// not have is in the "pcctl" object.
type Reseller struct {
	// ID is Partner Center's partner tenant ID; pcctl does not know it (never sent).
	ID               string `json:"id,omitempty"`
	Name             string `json:"name"`
	RelationshipType string `json:"relationshipType"`
	// State is the status with a capital: Active, Pending, Expired or Removed.
	State string `json:"state"`
	MPNID string `json:"mpnId,omitempty"` // empty for a request not accepted
	// Location is Partner Center's country of the reseller; pcctl does not know it.
	Location   string        `json:"location,omitempty"`
	Pcctl      ResellerPcctl `json:"pcctl,omitzero"`
	Attributes Attributes    `json:"attributes"`
}

// ResellerPcctl is what pcctl keeps of a reseller that Partner Center does not show.
type ResellerPcctl struct {
	Email      string    `json:"email,omitempty"`
	InvitedAt  time.Time `json:"invitedAt,omitzero"`
	AcceptedAt time.Time `json:"acceptedAt,omitzero"`
	RemovedAt  time.Time `json:"removedAt,omitzero"`
	ExpiresAt  time.Time `json:"expiresAt,omitzero"` // of the partnership request
}

// resellerStatuses are the statuses in the order the API lists them.
var resellerStatuses = []domain.ResellerStatus{domain.ResellerPending, domain.ResellerExpired, domain.ResellerActive, domain.ResellerRemoved}

// ResellerStatusNames lists the values of ?status= (and "all").
const ResellerStatusNames = "pending, expired, active, removed, all"

// ParseResellerStatuses reads ?status= values, each of which may be a comma-separated
// list: pending, expired, active, removed, or all (the four). None given means active.
func ParseResellerStatuses(values []string) ([]domain.ResellerStatus, error) {
	var out []domain.ResellerStatus
	add := func(st domain.ResellerStatus) {
		for _, s := range out {
			if s == st {
				return
			}
		}
		out = append(out, st)
	}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			part = strings.ToLower(strings.TrimSpace(part))
			switch {
			case part == "":
			case part == "all":
				for _, st := range resellerStatuses {
					add(st)
				}
			default:
				st, ok := resellerStatus(part)
				if !ok {
					return nil, NewError(CodeBadRequest, fmt.Sprintf("invalid status %q: expected %s (several may be given, comma-separated)", part, ResellerStatusNames))
				}
				add(st)
			}
		}
	}
	if len(out) == 0 {
		out = []domain.ResellerStatus{domain.ResellerActive}
	}
	return out, nil
}

func resellerStatus(s string) (domain.ResellerStatus, bool) {
	for _, st := range resellerStatuses {
		if strings.EqualFold(s, string(st)) {
			return st, true
		}
	}
	return "", false
}

// FromReseller is the API shape of r.
func FromReseller(r domain.Reseller) Reseller {
	state := string(r.Status)
	if state != "" {
		state = strings.ToUpper(state[:1]) + state[1:]
	}
	return Reseller{
		Name:             r.Name,
		RelationshipType: relationshipType,
		State:            state,
		MPNID:            r.MPNID,
		Pcctl: ResellerPcctl{Email: r.Email, InvitedAt: r.InvitedAt, AcceptedAt: r.AcceptedAt,
			RemovedAt: r.RemovedAt, ExpiresAt: r.ExpiresAt},
		Attributes: Attributes{ObjectType: ObjectPartnerRelationship},
	}
}

// Domain is the reseller r describes. A state that is none of pcctl's is refused.
func (r Reseller) Domain() (domain.Reseller, error) {
	st, ok := resellerStatus(r.State)
	if !ok {
		return domain.Reseller{}, fmt.Errorf("partner relationship %q has the state %q, not one of Active, Pending, Expired, Removed", r.MPNID, r.State)
	}
	return domain.Reseller{
		MPNID: r.MPNID, Name: r.Name, Email: r.Pcctl.Email, Status: st,
		InvitedAt: r.Pcctl.InvitedAt, AcceptedAt: r.Pcctl.AcceptedAt, RemovedAt: r.Pcctl.RemovedAt, ExpiresAt: r.Pcctl.ExpiresAt,
	}, nil
}

// Invitation is a partnership request: the body of POST InvitationsPath (token, email,
// name, subject and body; the rest is ignored) and its answer. URL is where Partner
// Center's RelationshipRequest (relationship-request.json) puts the link: the server's
// own acceptance page.
type Invitation struct {
	URL        string     `json:"url,omitempty"`
	Token      string     `json:"token"`
	Email      string     `json:"email"`
	Name       string     `json:"name,omitempty"`
	Subject    string     `json:"subject"`
	Body       string     `json:"body"`
	CreatedAt  time.Time  `json:"createdAt,omitzero"`
	ExpiresAt  time.Time  `json:"expiresAt,omitzero"`
	AcceptedAt time.Time  `json:"acceptedAt,omitzero"`
	MPNID      string     `json:"mpnId,omitempty"` // of the reseller who accepted
	Existing   bool       `json:"existing"`        // a pending request for the address, shown again
	Attributes Attributes `json:"attributes"`
}

// FromInvitation is the API shape of inv.
func FromInvitation(inv domain.Invitation, url string, existing bool) Invitation {
	out := Invitation{URL: url, Token: inv.Token, Email: inv.Email, Name: inv.Name, Subject: inv.Subject, Body: inv.Body,
		CreatedAt: inv.CreatedAt, AcceptedAt: inv.AcceptedAt, MPNID: inv.MPNID, Existing: existing,
		Attributes: Attributes{ObjectType: ObjectRelationshipRequest}}
	if !inv.CreatedAt.IsZero() {
		out.ExpiresAt = inv.ExpiresAt()
	}
	return out
}

// Domain is the invitation i describes.
func (i Invitation) Domain() domain.Invitation {
	return domain.Invitation{Token: i.Token, Email: i.Email, Name: i.Name, Subject: i.Subject, Body: i.Body,
		CreatedAt: i.CreatedAt, AcceptedAt: i.AcceptedAt, MPNID: i.MPNID}
}

// Acceptance is the body of POST InvitationsPath/{token} sent as JSON (the page sends the
// same fields as a form).
type Acceptance struct {
	MPNID string `json:"mpnId"`
	Name  string `json:"name"`
}

// Subscription is a customer's subscription with Partner Center's names (subscription
// resource): id, offerName, quantity, status, partnerId (the MPN ID of the reseller
// credited), creationDate, commitmentEndDate (the end of the term). What Partner Center
// does not carry in the resource is in the "pcctl" object.
type Subscription struct {
	ID                string            `json:"id,omitempty"`
	OfferName         string            `json:"offerName"`
	Quantity          int               `json:"quantity"`
	Status            string            `json:"status,omitempty"`
	PartnerID         string            `json:"partnerId,omitempty"`
	CreationDate      time.Time         `json:"creationDate,omitzero"`
	CommitmentEndDate time.Time         `json:"commitmentEndDate,omitzero"`
	Pcctl             SubscriptionPcctl `json:"pcctl,omitzero"`
	Attributes        Attributes        `json:"attributes"`
}

// SubscriptionPcctl is what pcctl keeps of a subscription that Partner Center's resource
// does not carry: the customer (Partner Center has it in the path) and the reseller
// designated as support contact (a separate resource there).
type SubscriptionPcctl struct {
	CustomerID     string `json:"customerId,omitempty"`
	CustomerName   string `json:"customerName,omitempty"`
	SupportContact string `json:"supportContact,omitempty"` // MPN ID
}

// FromSubscription is the API shape of s.
func FromSubscription(s domain.Subscription) Subscription {
	return Subscription{
		ID: s.ID, OfferName: s.Offer, Quantity: s.Quantity, Status: s.Status, PartnerID: s.ResellerMPNID,
		CreationDate: s.CreatedAt, CommitmentEndDate: s.TermEnd,
		Pcctl:      SubscriptionPcctl{CustomerID: s.CustomerID, CustomerName: s.CustomerName, SupportContact: s.SupportContact},
		Attributes: Attributes{ObjectType: ObjectSubscription},
	}
}

// Domain is the subscription s describes. Every value decoding lets through is passed
// on as is (the workspace applies the rules, so that a remote request meets the errors of
// a local one): the error is for a value pcctl could not hold, and is nil today.
func (s Subscription) Domain() (domain.Subscription, error) {
	return domain.Subscription{
		ID: s.ID, CustomerID: s.Pcctl.CustomerID, CustomerName: s.Pcctl.CustomerName, Offer: s.OfferName,
		Quantity: s.Quantity, Status: s.Status, ResellerMPNID: s.PartnerID, SupportContact: s.Pcctl.SupportContact,
		TermEnd: s.CommitmentEndDate, CreatedAt: s.CreationDate,
	}, nil
}

// SubscriptionPatch is the body of PATCH SubscriptionsPath/{id}: a part of a
// Subscription. An absent (or null) field stays as it is; "" as partnerId or
// pcctl.supportContact removes the association.
type SubscriptionPatch struct {
	// Status suspends ("suspended") or reactivates ("active") the subscription, as
	// Partner Center's PATCH does; alone.
	Status    *string                 `json:"status,omitempty"`
	Quantity  *int                    `json:"quantity,omitempty"`
	PartnerID *string                 `json:"partnerId,omitempty"`
	Pcctl     *SubscriptionPatchPcctl `json:"pcctl,omitempty"`
}

// SubscriptionPatchPcctl is the "pcctl" part of a SubscriptionPatch.
type SubscriptionPatchPcctl struct {
	SupportContact *string `json:"supportContact,omitempty"`
}

// FromSubscriptionChange is the patch of ch.
func FromSubscriptionChange(ch workspace.SubscriptionChange) SubscriptionPatch {
	p := SubscriptionPatch{Status: ch.Status, Quantity: ch.Quantity, PartnerID: ch.Reseller}
	if ch.SupportContact != nil {
		p.Pcctl = &SubscriptionPatchPcctl{SupportContact: ch.SupportContact}
	}
	return p
}

// Change is the change p describes.
func (p SubscriptionPatch) Change() workspace.SubscriptionChange {
	ch := workspace.SubscriptionChange{Status: p.Status, Quantity: p.Quantity, Reseller: p.PartnerID}
	if p.Pcctl != nil {
		ch.SupportContact = p.Pcctl.SupportContact
	}
	return ch
}

// ParseExpiringWithin reads ?expiring_within=: a whole number of days ("30d"), or a Go
// duration ("720h", "90m"; what pcctl sends). A negative one selects nothing, as in a
// local workspace.
func ParseExpiringWithin(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	bad := NewError(CodeBadRequest, fmt.Sprintf("invalid expiring_within %q: expected a duration, as whole days (30d) or hours and minutes (720h, 90m)", v))
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.ParseInt(n, 10, 64)
		if err != nil || days > 100*366 || days < -100*366 {
			return 0, bad
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, bad
	}
	return d, nil
}
