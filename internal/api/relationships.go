package api

import (
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Customer relationships (docs/api/relationships.md). Partner Center's paths where it has
// them:
//
//	GET   /v1/customers/relationshiprequests   the pending relationship requests
//	PATCH /v1/customers/{id}                   {"relationshipToPartner":"none"} ends the relationship;
//	                                           {"pcctl":{"purchasesAllowed":true}} the purchase permission
//	PATCH /pcctl/v1/subscriptions/{id}         {"status":"suspended"|"active"}
//
// and pcctl's own: POST /pcctl/v1/customers/{id}/relationshiprequests records a request;
// /pcctl/v1/relationshiprequests/{token} is the link the customer's admin opens (GET: a
// page; POST: accept).
const (
	RelationshipRequestsPath    = CustomersPath + "/relationshiprequests"
	RelationshipRequestLinkPath = Prefix + "/relationshiprequests"
)

// CustomerRelationshipRequestsPath is where a request for the customer ref is recorded
// (POST); ref is escaped by the caller.
func CustomerRelationshipRequestsPath(ref string) string {
	return CustomerViewsPath + "/" + ref + "/relationshiprequests"
}

// RelationshipRequest is a request for a reseller relationship: Partner Center's
// RelationshipRequest (relationship-request.json: url, the link the customer opens) with
// what pcctl keeps of it. As the body of a POST, only indirectResellerId, email, subject
// and body are read: the server draws the token, the customer is the path's.
type RelationshipRequest struct {
	URL                string     `json:"url,omitempty"`
	Token              string     `json:"token,omitempty"`
	CustomerID         string     `json:"customerId,omitempty"`
	CompanyName        string     `json:"companyName,omitempty"`
	CustomerDomain     string     `json:"domain,omitempty"`
	IndirectResellerID string     `json:"indirectResellerId,omitempty"` // MPN ID; Partner Center's query parameter
	Email              string     `json:"email,omitempty"`
	Subject            string     `json:"subject"`
	Body               string     `json:"body"`
	CreatedAt          time.Time  `json:"createdAt,omitzero"`
	ExpiresAt          time.Time  `json:"expiresAt,omitzero"`
	AcceptedAt         time.Time  `json:"acceptedAt,omitzero"`
	Existing           bool       `json:"existing"` // a pending request for the customer, shown again
	Attributes         Attributes `json:"attributes"`
}

// FromRelationshipRequest is the API shape of r, its link url.
func FromRelationshipRequest(r domain.RelationshipRequest, url string, existing bool) RelationshipRequest {
	out := RelationshipRequest{URL: url, Token: r.Token, CustomerID: r.CustomerID, CompanyName: r.CustomerName,
		CustomerDomain: r.Domain, IndirectResellerID: r.ResellerMPNID, Email: r.Email, Subject: r.Subject, Body: r.Body,
		CreatedAt: utc(r.CreatedAt), AcceptedAt: utc(r.AcceptedAt), Existing: existing,
		Attributes: Attributes{ObjectType: ObjectRelationshipRequest}}
	if !r.CreatedAt.IsZero() {
		out.ExpiresAt = utc(r.ExpiresAt())
	}
	return out
}

// Domain is the request r describes.
func (r RelationshipRequest) Domain() domain.RelationshipRequest {
	return domain.RelationshipRequest{Token: r.Token, CustomerID: r.CustomerID, CustomerName: r.CompanyName,
		Domain: r.CustomerDomain, ResellerMPNID: r.IndirectResellerID, Email: r.Email, Subject: r.Subject, Body: r.Body,
		CreatedAt: utc(r.CreatedAt), AcceptedAt: utc(r.AcceptedAt)}
}

// CustomerPatch is the body of PATCH /v1/customers/{id}: Partner Center's customer with
// the relationship set to "none" ends it; pcctl.purchasesAllowed sets the customer's
// permission to buy its own products. An absent field stays as it is. The answer is a
// ChangeAnswer.
type CustomerPatch struct {
	RelationshipToPartner *string             `json:"relationshipToPartner,omitempty"`
	Pcctl                 *CustomerPatchPcctl `json:"pcctl,omitempty"`
}

// CustomerPatchPcctl is the "pcctl" part of a CustomerPatch.
type CustomerPatchPcctl struct {
	PurchasesAllowed *bool `json:"purchasesAllowed,omitempty"`
}

// FromCustomerChange is the patch of ch.
func FromCustomerChange(ch workspace.CustomerChange) CustomerPatch {
	p := CustomerPatch{RelationshipToPartner: ch.Relationship}
	if ch.PurchasesAllowed != nil {
		p.Pcctl = &CustomerPatchPcctl{PurchasesAllowed: ch.PurchasesAllowed}
	}
	return p
}

// Change is the change p describes.
func (p CustomerPatch) Change() workspace.CustomerChange {
	ch := workspace.CustomerChange{Relationship: p.RelationshipToPartner}
	if p.Pcctl != nil {
		ch.PurchasesAllowed = p.Pcctl.PurchasesAllowed
	}
	return ch
}
