package partnercenter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/pcctl/pcctl/internal/api"
)

// Partner Center's writes (REST reference, "Provide support", "Manage customer accounts",
// "Manage subscriptions"):
//
//	POST  /v1/servicerequests/{agent-locale}                 create a service request
//	PATCH /v1/servicerequests/{id}                           update one: status, newNote
//	GET   /v1/servicerequests/supporttopics                  the topics a request may name
//	PATCH /v1/customers/{id}                                 {"relationshipToPartner":"none"}: end the reseller relationship
//	GET   /v1/customers/{c}/subscriptions/{id}               one subscription
//	PATCH /v1/customers/{c}/subscriptions/{id}               the whole subscription, its status changed
//	GET   /v1/customers/relationshiprequests[?indirectResellerId=…]  the link a customer opens
//
// A write is sent once: only a 429 is sent again (Partner Center did not act on it); any
// other failure is an *Error with Partner Center's code, description and request ID. The
// customer's permission to buy its own products (Azure reservations, savings plans) has no
// REST API: Partner Center sets it on the customer's account page only.

// Paths of the writes.
const (
	SupportTopicsPath   = ServiceRequestsPath + "/supporttopics"
	DefaultAgentLocale  = "en-US"
	relationshipNone    = "none"
	objectTypeCustomer  = "Customer"
	statusActive        = "active"
	statusSuspended     = "suspended"
	relationshipReqPath = api.RelationshipRequestsPath
)

// Written is what Partner Center answered to a write: the resource, its ETag when it sent
// one, and the request ID to quote to its support.
type Written[T any] struct {
	Value     T
	ETag      string
	RequestID string
}

// decodeWritten reads an answer into T; an answer that cannot be read is an *Error naming
// the request (Partner Center acted on it: the caller says so).
func decodeWritten[T any](c *Client, method, path string, resp *Response, check func(*T) error) (Written[T], error) {
	var out Written[T]
	out.ETag, out.RequestID = resp.Header.Get("ETag"), resp.RequestID
	err := json.Unmarshal(resp.Body, &out.Value)
	if err == nil && check != nil {
		err = check(&out.Value)
	}
	if err != nil {
		_, display, _ := c.resolve(PartnerCenter, path)
		return out, &Error{API: PartnerCenter, Method: method, Path: display, Status: resp.Status, RequestID: resp.RequestID,
			CorrelationID: c.opts.CorrelationID, Err: fmt.Errorf("the answer cannot be read: %w", err)}
	}
	return out, nil
}

var localeRE = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)

// CreateServiceRequest files r (title, description, severity and supportTopicId are
// required; organization, primaryContact and notes optional) with POST
// /v1/servicerequests/{agent-locale}: locale is the locale of the organization filing it
// (DefaultAgentLocale when empty). The answer is the request as Partner Center made it:
// its ID, status and dates.
func (c *Client) CreateServiceRequest(ctx context.Context, locale string, r api.ServiceRequest) (Written[api.ServiceRequest], error) {
	if locale == "" {
		locale = DefaultAgentLocale
	}
	if !localeRE.MatchString(locale) {
		return Written[api.ServiceRequest]{}, fmt.Errorf("partnercenter: %q is not a locale such as en-US", locale)
	}
	body := r
	body.ID, body.Status, body.PCCTL, body.NewNote = "", api.Enum{}, nil, nil
	body.CreatedDate, body.LastModifiedDate, body.LastClosedDate = api.RequestDate{}, api.RequestDate{}, api.RequestDate{}
	body.Attributes = api.Attributes{ObjectType: "ServiceRequest"}
	path := ServiceRequestsPath + "/" + url.PathEscape(locale)
	resp, err := c.Do(ctx, Request{API: PartnerCenter, Method: http.MethodPost, Path: path, Body: body})
	if err != nil {
		return Written[api.ServiceRequest]{}, err
	}
	return decodeWritten(c, http.MethodPost, path, resp, func(sr *api.ServiceRequest) error {
		if sr.ID == "" {
			return fmt.Errorf("no id")
		}
		return nil
	})
}

// ServiceRequestPatch is the body of PATCH /v1/servicerequests/{id}: only the values to
// change. Status is open, closed or attention_needed; NewNote a note to append.
type ServiceRequestPatch struct {
	Status   string
	Severity string
	NewNote  string
}

// UpdateServiceRequest changes the request id (PATCH /v1/servicerequests/{id}) and returns
// it as Partner Center holds it afterwards.
func (c *Client) UpdateServiceRequest(ctx context.Context, id string, p ServiceRequestPatch) (Written[api.ServiceRequest], error) {
	body := map[string]any{"attributes": api.Attributes{ObjectType: "ServiceRequest"}}
	if p.Status != "" {
		body["status"] = p.Status
	}
	if p.Severity != "" {
		body["severity"] = p.Severity
	}
	if p.NewNote != "" {
		body["newNote"] = map[string]string{"text": p.NewNote}
	}
	path := ServiceRequestsPath + "/" + url.PathEscape(id)
	resp, err := c.Do(ctx, Request{API: PartnerCenter, Method: http.MethodPatch, Path: path, Body: body})
	if err != nil {
		return Written[api.ServiceRequest]{}, err
	}
	return decodeWritten(c, http.MethodPatch, path, resp, func(sr *api.ServiceRequest) error {
		if sr.ID == "" {
			sr.ID = id
		}
		return nil
	})
}

// SupportTopic is a topic a service request may name: Partner Center's SupportTopic.
type SupportTopic struct {
	ID          TopicID `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
}

// TopicID is a support topic's ID, which Partner Center writes as a number (32444671) and
// takes as a string in a ServiceRequest's supportTopicId.
type TopicID string

// UnmarshalJSON reads a number or a string.
func (t *TopicID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = TopicID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("a support topic id is a number or a string, not %s", b)
	}
	*t = TopicID(n.String())
	return nil
}

// SupportTopics lists the topics a service request may name (GET
// /v1/servicerequests/supporttopics).
func (c *Client) SupportTopics(ctx context.Context) ([]SupportTopic, error) {
	var out []SupportTopic
	err := walk(ctx, c, PartnerCenter, pcCollection, Cursor{Path: SupportTopicsPath}, func(p Page[SupportTopic]) error {
		out = append(out, p.Items...)
		return nil
	})
	return out, err
}

// FindSupportTopic is the topic named name (in any case) among topics, or false.
func FindSupportTopic(topics []SupportTopic, name string) (SupportTopic, bool) {
	name = strings.TrimSpace(name)
	for _, t := range topics {
		if strings.EqualFold(t.Name, name) || string(t.ID) == name {
			return t, true
		}
	}
	return SupportTopic{}, false
}

// EndRelationship removes the reseller relationship with the customer (PATCH
// /v1/customers/{id} with relationshipToPartner set to none, "Remove a reseller
// relationship with a customer"). Partner Center refuses while the customer has an active
// subscription or an Azure reserved VM instance order (only Azure support cancels one).
// The answer is the customer as Partner Center returns it, which may carry only the
// relationship (the reference's example has every other member null).
func (c *Client) EndRelationship(ctx context.Context, customerID string) (Written[api.Customer], error) {
	body := struct {
		RelationshipToPartner string         `json:"relationshipToPartner"`
		Attributes            api.Attributes `json:"attributes"`
	}{relationshipNone, api.Attributes{ObjectType: objectTypeCustomer}}
	path := api.CustomersPath + "/" + url.PathEscape(customerID)
	resp, err := c.Do(ctx, Request{API: PartnerCenter, Method: http.MethodPatch, Path: path, Body: body})
	if err != nil {
		return Written[api.Customer]{}, err
	}
	return decodeWritten(c, http.MethodPatch, path, resp, func(cu *api.Customer) error {
		if !strings.EqualFold(cu.RelationshipToPartner, relationshipNone) {
			return fmt.Errorf("the relationship is %q, not none", cu.RelationshipToPartner)
		}
		if cu.ID == "" {
			cu.ID = customerID
		}
		return nil
	})
}

// CustomerSubscriptionPath is one subscription of a customer; both IDs are escaped here.
func CustomerSubscriptionPath(customerID, subscriptionID string) string {
	return api.CustomerSubscriptionsPath(url.PathEscape(customerID)) + "/" + url.PathEscape(subscriptionID)
}

// Subscription reads one subscription of a customer.
func (c *Client) Subscription(ctx context.Context, customerID, subscriptionID string) (Written[api.Subscription], error) {
	path := CustomerSubscriptionPath(customerID, subscriptionID)
	resp, err := c.Do(ctx, Request{API: PartnerCenter, Path: path})
	if err != nil {
		return Written[api.Subscription]{}, err
	}
	return decodeWritten[api.Subscription](c, http.MethodGet, path, resp, nil)
}

// SetSubscriptionStatus suspends (status "suspended") or reactivates ("active") a
// subscription: as the reference says ("Suspend a subscription"), the subscription is read,
// its status changed, and the whole resource sent back with PATCH. The answer is the
// subscription as Partner Center holds it afterwards.
func (c *Client) SetSubscriptionStatus(ctx context.Context, customerID, subscriptionID, status string) (Written[api.Subscription], error) {
	status = strings.ToLower(strings.TrimSpace(status))
	if status != statusActive && status != statusSuspended {
		return Written[api.Subscription]{}, fmt.Errorf("partnercenter: a subscription's status is set to active or suspended, not %q", status)
	}
	cur, err := c.Subscription(ctx, customerID, subscriptionID)
	if err != nil {
		return cur, err
	}
	sub := cur.Value
	sub.Status, sub.Pcctl = status, api.SubscriptionPcctl{}
	if sub.Attributes.ObjectType == "" {
		sub.Attributes.ObjectType = api.ObjectSubscription
	}
	path := CustomerSubscriptionPath(customerID, subscriptionID)
	resp, err := c.Do(ctx, Request{API: PartnerCenter, Method: http.MethodPatch, Path: path, Body: sub})
	if err != nil {
		return Written[api.Subscription]{}, err
	}
	return decodeWritten(c, http.MethodPatch, path, resp, func(s *api.Subscription) error {
		if !strings.EqualFold(s.Status, status) {
			return fmt.Errorf("the subscription's status is %q, not %s", s.Status, status)
		}
		return nil
	})
}

// RelationshipLink is Partner Center's RelationshipRequest: the URL a customer's admin
// opens to accept a reseller relationship.
type RelationshipLink struct {
	URL        string         `json:"url"`
	Attributes api.Attributes `json:"attributes"`
}

// RelationshipRequestLink asks Partner Center for the link that establishes a reseller
// relationship with a customer (GET /v1/customers/relationshiprequests). For an indirect
// provider asking on behalf of one of its indirect resellers, resellerTenantID is that
// reseller's partner tenant ID (indirectResellerId; ResellerTenantID finds it from its MPN
// ID); "" asks for the partner itself.
func (c *Client) RelationshipRequestLink(ctx context.Context, resellerTenantID string) (Written[RelationshipLink], error) {
	path := relationshipReqPath
	if resellerTenantID != "" {
		path += "?" + url.Values{"indirectResellerId": {resellerTenantID}}.Encode()
	}
	resp, err := c.Do(ctx, Request{API: PartnerCenter, Path: path})
	if err != nil {
		return Written[RelationshipLink]{}, err
	}
	return decodeWritten(c, http.MethodGet, path, resp, func(l *RelationshipLink) error {
		u, err := url.Parse(l.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("the url %q is not an https link", l.URL)
		}
		return nil
	})
}

// ResellerTenantID finds the partner tenant ID of the active indirect reseller whose MPN
// ID is mpnID, among the provider's indirect resellers; "" when none has it.
func (c *Client) ResellerTenantID(ctx context.Context, mpnID string) (string, error) {
	found := ""
	err := c.IndirectResellers(ctx, func(p Page[api.Reseller]) error {
		for _, r := range p.Items {
			if found == "" && r.MPNID == mpnID && r.ID != "" && (r.State == "" || strings.EqualFold(r.State, "active")) {
				found = r.ID
			}
		}
		return nil
	})
	return found, err
}
