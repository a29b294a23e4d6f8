package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Service requests (docs/api/requests.md), in the shape of Partner Center's ServiceRequest
// resource (testdata/partnercenter/servicerequest.json).

// SeverityNames is Partner Center's ServiceRequestSeverity enumeration, in order: a
// severity sent as a number indexes it. "unknown" (0) means none given.
var SeverityNames = []string{"unknown", string(domain.SeverityCritical), string(domain.SeverityModerate), string(domain.SeverityMinimal)}

// RequestStatusNames is Partner Center's ServiceRequestStatus enumeration, in order: a
// status sent as a number indexes it. "none" (0) means none given.
var RequestStatusNames = []string{"none", string(domain.RequestOpen), string(domain.RequestClosed), string(domain.RequestAttentionNeeded)}

// ServiceRequest is Partner Center's ServiceRequest resource. pcctl's own fields are in
// the member "pcctl".
type ServiceRequest struct {
	ID               string                    `json:"id,omitempty"`
	Title            string                    `json:"title"`
	Description      string                    `json:"description"`
	Severity         Enum                      `json:"severity"`
	SupportTopicID   string                    `json:"supportTopicId,omitempty"`
	SupportTopicName string                    `json:"supportTopicName"`
	Status           Enum                      `json:"status"`
	Organization     *ServiceRequestOrg        `json:"organization,omitempty"`
	ProductID        string                    `json:"productId,omitempty"`
	PrimaryContact   *ServiceRequestContact    `json:"primaryContact,omitempty"`
	CreatedDate      RequestDate               `json:"createdDate"`
	LastModifiedDate RequestDate               `json:"lastModifiedDate"`
	LastClosedDate   RequestDate               `json:"lastClosedDate"`
	Notes            []ServiceRequestNote      `json:"notes,omitempty"`
	NewNote          *ServiceRequestNote       `json:"newNote,omitempty"` // PATCH only: a note to append
	PCCTL            *ServiceRequestExtensions `json:"pcctl,omitempty"`
	Attributes       Attributes                `json:"attributes"`
}

// ServiceRequestOrg is the customer the request is filed for: tenant ID and company name.
type ServiceRequestOrg struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ServiceRequestContact is the request's primary contact; pcctl keeps only the address.
type ServiceRequestContact struct {
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	Email       string `json:"email"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

// ServiceRequestNote is a note of a request: createdByName is its author (an address in
// pcctl).
type ServiceRequestNote struct {
	CreatedByName string      `json:"createdByName,omitempty"`
	CreatedDate   RequestDate `json:"createdDate"`
	Text          string      `json:"text"`
}

// ServiceRequestExtensions are pcctl's additions to a request, as the principal sees it.
type ServiceRequestExtensions struct {
	Favorite bool `json:"favorite"`
}

// FromRequestRecord is a request as the API sends it.
func FromRequestRecord(r workspace.RequestRecord) ServiceRequest {
	out := ServiceRequest{
		ID:               r.Ref,
		Title:            r.Title,
		Description:      r.Description,
		Severity:         Named(string(r.Severity)),
		SupportTopicName: r.Topic,
		Status:           Named(string(r.Status)),
		CreatedDate:      RequestDate(r.CreatedAt),
		LastModifiedDate: RequestDate(r.UpdatedAt),
		LastClosedDate:   RequestDate(r.ClosedAt),
		PCCTL:            &ServiceRequestExtensions{Favorite: r.Favorite},
		Attributes:       Attributes{ObjectType: "ServiceRequest"},
	}
	if r.Status == "" {
		out.Status = Enum{}
	}
	if r.CustomerID != "" || r.CustomerName != "" {
		out.Organization = &ServiceRequestOrg{ID: r.CustomerID, Name: r.CustomerName}
	}
	if r.ContactEmail != "" {
		out.PrimaryContact = &ServiceRequestContact{Email: r.ContactEmail}
	}
	for _, n := range r.Notes {
		out.Notes = append(out.Notes, ServiceRequestNote{CreatedByName: n.Author, CreatedDate: RequestDate(n.CreatedAt), Text: n.Text})
	}
	return out
}

// Record is the request the API describes. A severity or status sent as a number is
// read in Partner Center's enumeration (SeverityNames, RequestStatusNames); a name is
// read in any case, attention_needed also as attentionNeeded or attention-needed; 0
// (unknown, none) is no value. Another name is kept as sent, for the workspace to refuse
// with its own words; a number out of the enumeration is an *domain.InvalidError.
func (r ServiceRequest) Record() (workspace.RequestRecord, error) {
	var rec workspace.RequestRecord
	sev, err := srResolveEnum(r.Severity, "severity", SeverityNames)
	if err != nil {
		return rec, err
	}
	status, err := srResolveEnum(r.Status, "status", RequestStatusNames)
	if err != nil {
		return rec, err
	}
	rec.ServiceRequest = domain.ServiceRequest{
		Ref:         r.ID,
		Title:       r.Title,
		Description: r.Description,
		Severity:    domain.Severity(sev),
		Status:      domain.RequestStatus(status),
		Topic:       r.SupportTopicName,
		CreatedAt:   time.Time(r.CreatedDate),
		UpdatedAt:   time.Time(r.LastModifiedDate),
		ClosedAt:    time.Time(r.LastClosedDate),
	}
	if r.Organization != nil {
		rec.CustomerID, rec.CustomerName = r.Organization.ID, r.Organization.Name
	}
	if r.PrimaryContact != nil {
		rec.ContactEmail = r.PrimaryContact.Email
	}
	for _, n := range r.Notes {
		rec.Notes = append(rec.Notes, domain.Note{Author: n.CreatedByName, CreatedAt: time.Time(n.CreatedDate), Text: n.Text})
	}
	if r.PCCTL != nil {
		rec.Favorite = r.PCCTL.Favorite
	}
	return rec, nil
}

// RequestChange is the change a PATCH of a service request asks for: its status, its
// severity and its newNote (the other members are ignored). Names are checked as
// domain.ParseRequestStatus and domain.ParseSeverity check them.
func (r ServiceRequest) RequestChange() (domain.RequestChange, error) {
	var ch domain.RequestChange
	rec, err := r.Record()
	if err != nil {
		return ch, err
	}
	if rec.Status != "" {
		if ch.Status, err = domain.ParseRequestStatus(string(rec.Status)); err != nil {
			return ch, err
		}
	}
	if rec.Severity != "" {
		if ch.Severity, err = domain.ParseSeverity(string(rec.Severity)); err != nil {
			return ch, err
		}
	}
	if r.NewNote != nil {
		ch.Note = r.NewNote.Text
	}
	return ch, nil
}

// FromRequestChange is the PATCH body of a change.
func FromRequestChange(ch domain.RequestChange) ServiceRequest {
	out := ServiceRequest{Attributes: Attributes{ObjectType: "ServiceRequest"}}
	if ch.Status != "" {
		out.Status = Named(string(ch.Status))
	}
	if ch.Severity != "" {
		out.Severity = Named(string(ch.Severity))
	}
	if ch.Note != "" {
		out.NewNote = &ServiceRequestNote{Text: ch.Note}
	}
	return out
}

// srResolveEnum reads an enumerated value: a number indexes names, a name is matched in any
// case and without _ or -; the first number (0: unknown, none) is no value.
func srResolveEnum(e Enum, field string, names []string) (string, error) {
	name, ok := e.Resolve(names)
	if !ok {
		return "", &domain.InvalidError{Field: field, Value: strconv.Itoa(e.Number), Reason: fmt.Sprintf(
			"is not a %s number (allowed: %s)", field, srEnumNumbers(names))}
	}
	key := srFoldEnum(name)
	for i, n := range names {
		if srFoldEnum(n) == key {
			if i == 0 && !e.IsNum {
				break // unknown, none by name: as sent, for the workspace to refuse
			}
			if i == 0 {
				return "", nil
			}
			return n, nil
		}
	}
	return name, nil
}

func srFoldEnum(s string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(s))
}

func srEnumNumbers(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%d=%s", i, n)
	}
	return strings.Join(parts, ", ")
}

// RequestDate is a date and time as Partner Center writes it: RFC 3339, or without a zone
// ("2017-01-09T23:31:15.373", read as UTC); "0001-01-01T00:00:00", "" and null are no
// date (the zero time). pcctl writes RFC 3339 in UTC, and null for no date.
type RequestDate time.Time

// requestDateLayouts are the forms RequestDate reads, after RFC 3339.
var requestDateLayouts = []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"}

// ParseRequestDate reads a date as RequestDate does.
func ParseRequestDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	for _, layout := range requestDateLayouts {
		if err == nil {
			break
		}
		t, err = time.Parse(layout, s)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date and time (expected RFC 3339, such as 2017-01-09T23:31:15Z)", s)
	}
	if t.Year() <= 1 {
		return time.Time{}, nil // .NET's DateTime.MinValue: no date
	}
	return t.UTC(), nil
}

// UnmarshalJSON reads a string or null.
func (d *RequestDate) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*d = RequestDate{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("expected a date and time as a string, got %s", b)
	}
	t, err := ParseRequestDate(s)
	if err != nil {
		return err
	}
	*d = RequestDate(t)
	return nil
}

// MarshalJSON writes RFC 3339 in UTC, or null.
func (d RequestDate) MarshalJSON() ([]byte, error) {
	t := time.Time(d)
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

// Time is the date as a time.Time.
func (d RequestDate) Time() time.Time { return time.Time(d) }

// Home is the principal's home overview (GET /pcctl/v1/home): pinned customers, the
// number flagged, subscriptions ending within 30 days, open service requests (open and
// attention_needed), New deals expiring within 3 days and inbound deals awaiting the
// partner. A section the principal's roles do not read is empty. The lists are always
// arrays; hasSubscriptions and hasDeals say whether the workspace holds any at all.
type Home struct {
	PinnedCustomers       []Customer       `json:"pinnedCustomers"`
	FlaggedCount          int              `json:"flaggedCount"`
	HasSubscriptions      bool             `json:"hasSubscriptions"`
	ExpiringSubscriptions []Subscription   `json:"expiringSubscriptions"`
	OpenRequests          []ServiceRequest `json:"openRequests"`
	HasDeals              bool             `json:"hasDeals"`
	ExpiringDeals         []Referral       `json:"expiringDeals"`
	AwaitingDeals         []Referral       `json:"awaitingDeals"`
	// PendingRelationshipRequests are the relationship requests customers have not
	// accepted yet (with the role for customer relationships).
	PendingRelationshipRequests []RelationshipRequest `json:"pendingRelationshipRequests"`
	Attributes                  Attributes            `json:"attributes"`
}

// FromHome is the overview as the API sends it.
func FromHome(h workspace.HomeOverview) Home {
	out := Home{
		PinnedCustomers:       make([]Customer, len(h.Pinned)),
		FlaggedCount:          h.Flagged,
		HasSubscriptions:      h.HasSubscriptions,
		ExpiringSubscriptions: make([]Subscription, len(h.ExpiringSubscriptions)),
		OpenRequests:          make([]ServiceRequest, len(h.OpenRequests)),
		HasDeals:              h.HasDeals,
		ExpiringDeals:         make([]Referral, len(h.ExpiringDeals)),
		AwaitingDeals:         make([]Referral, len(h.AwaitingDeals)),
		Attributes:            Attributes{ObjectType: "Home"},
	}
	out.PendingRelationshipRequests = make([]RelationshipRequest, len(h.PendingRelationships))
	for i, r := range h.PendingRelationships {
		out.PendingRelationshipRequests[i] = FromRelationshipRequest(r, "", false)
	}
	for i, c := range h.Pinned {
		out.PinnedCustomers[i] = FromCustomerRecord(c)
	}
	for i, s := range h.ExpiringSubscriptions {
		out.ExpiringSubscriptions[i] = FromSubscription(s)
	}
	for i, r := range h.OpenRequests {
		out.OpenRequests[i] = FromRequestRecord(r)
	}
	for i, d := range h.ExpiringDeals {
		out.ExpiringDeals[i] = FromDealRecord(d)
	}
	for i, d := range h.AwaitingDeals {
		out.AwaitingDeals[i] = FromDealRecord(d)
	}
	return out
}

// Overview is the overview the API describes; an empty list is nil, as a workspace
// gives it.
func (h Home) Overview() (workspace.HomeOverview, error) {
	out := workspace.HomeOverview{Flagged: h.FlaggedCount, HasSubscriptions: h.HasSubscriptions, HasDeals: h.HasDeals}
	for _, c := range h.PinnedCustomers {
		rec, err := c.Record()
		if err != nil {
			return out, err
		}
		out.Pinned = append(out.Pinned, rec)
	}
	for _, s := range h.ExpiringSubscriptions {
		sub, err := s.Domain()
		if err != nil {
			return out, err
		}
		out.ExpiringSubscriptions = append(out.ExpiringSubscriptions, sub)
	}
	for _, r := range h.OpenRequests {
		rec, err := r.Record()
		if err != nil {
			return out, err
		}
		out.OpenRequests = append(out.OpenRequests, rec)
	}
	for _, r := range h.PendingRelationshipRequests {
		out.PendingRelationships = append(out.PendingRelationships, r.Domain())
	}
	for _, list := range []struct {
		from []Referral
		to   *[]workspace.DealRecord
	}{{h.ExpiringDeals, &out.ExpiringDeals}, {h.AwaitingDeals, &out.AwaitingDeals}} {
		for _, d := range list.from {
			rec, err := d.Record()
			if err != nil {
				return out, err
			}
			*list.to = append(*list.to, rec)
		}
	}
	return out, nil
}
