package pctest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
)

// Partner Center's REST writes, as the reference describes them:
//
//   - POST /v1/servicerequests/{agent-locale} creates a service request: title, description,
//     severity (critical, moderate or minimal) and supportTopicId (one of
//     GET /v1/servicerequests/supporttopics) are required; the answer is the request with
//     its 15-digit ID, status open and its dates.
//   - PATCH /v1/servicerequests/{id} changes its status (open, closed, attention_needed),
//     its severity, and appends its newNote; 404 for an unknown ID.
//   - PATCH /v1/customers/{id} with relationshipToPartner "none" ends the reseller
//     relationship; refused (400) while the customer has an active subscription or an
//     Azure reserved VM instance order (SetReservedInstances), naming each. The answer is
//     the reference's example: the relationship, every other member null, keys with capitals.
//   - GET and PATCH /v1/customers/{c}/subscriptions/{id}: the PATCH carries the whole
//     subscription with its status active or suspended; reactivating one of a customer whose
//     relationship ended is refused.
//   - GET /v1/customers/relationshiprequests[?indirectResellerId=…]: the link a customer's
//     admin opens; indirectResellerId must be the tenant ID of an active indirect reseller.
//
// Refusals are answered in Partner Center's error shape ({"code","description","data",
// "source"}). The reference names the preconditions of ending a relationship but not the
// error code Partner Center answers: the codes below are the stand-in's.

// Routes of the writes, for a Fault.
const (
	RouteServiceRequest      = "servicerequest" // /v1/servicerequests/{locale|id}
	RouteSupportTopics       = "supporttopics"
	RouteCustomer            = "customer"     // /v1/customers/{id}
	RouteSubscription        = "subscription" // /v1/customers/{c}/subscriptions/{id}
	RouteRelationshipRequest = "relationshiprequests"
)

// Error codes the stand-in answers to the writes it refuses.
const (
	CodeInvalid             = "600400"
	CodeNotFound            = "600404"
	CodeActiveSubscriptions = "600431"
	CodeReservedInstances   = "600432"
	CodeRelationshipEnded   = "600433"
)

// SupportTopic is a topic of GET /v1/servicerequests/supporttopics (its id a number, as
// the reference's example has it).
type SupportTopic struct {
	ID          int            `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Attributes  api.Attributes `json:"attributes"`
}

// DefaultSupportTopics are the topics the stand-in starts with.
var DefaultSupportTopics = []SupportTopic{
	{ID: 32444667, Name: "Partner Center Issues", Description: "Questions from CSP partners using Partner Center"},
	{ID: 32444671, Name: "Cannot manage my profile", Description: "Profile management"},
	{ID: 32569836, Name: "Billing", Description: "Invoices and payments"},
	{ID: 32569840, Name: "Sign-in", Description: "Signing in and access"},
}

func writeRoute(p string) string {
	switch {
	case p == SupportTopicsPathV1:
		return RouteSupportTopics
	case strings.HasPrefix(p, "/v1/servicerequests/") && !strings.Contains(strings.TrimPrefix(p, "/v1/servicerequests/"), "/"):
		return RouteServiceRequest
	case p == api.RelationshipRequestsPath:
		return RouteRelationshipRequest
	case strings.HasPrefix(p, "/v1/customers/"):
		rest := strings.Split(strings.TrimPrefix(p, "/v1/customers/"), "/")
		switch {
		case len(rest) == 1 && rest[0] != "":
			return RouteCustomer
		case len(rest) == 3 && rest[1] == "subscriptions" && rest[2] != "":
			return RouteSubscription
		}
	}
	return ""
}

// SupportTopicsPathV1 is the path of the support topics.
const SupportTopicsPathV1 = "/v1/servicerequests/supporttopics"

// SetSupportTopics replaces the support topics.
func (s *Server) SetSupportTopics(ts []SupportTopic) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.topics = append([]SupportTopic{}, ts...)
}

// SetReservedInstances sets the open Azure reserved VM instance orders of a customer,
// which block ending its relationship.
func (s *Server) SetReservedInstances(customerID string, orderIDs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reservations[customerID] = append([]string(nil), orderIDs...)
}

// ServiceRequest is the service request with that ID.
func (s *Server) ServiceRequest(id string) (api.ServiceRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.requests), func(i int) bool { return s.requests[i].ID >= id })
	if i < len(s.requests) && s.requests[i].ID == id {
		return s.requests[i], true
	}
	return api.ServiceRequest{}, false
}

// ServiceRequestCount is how many service requests the stand-in holds.
func (s *Server) ServiceRequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Subscriptions are a customer's subscriptions as the stand-in holds them.
func (s *Server) Subscriptions(customerID string) []api.Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]api.Subscription(nil), s.subs[customerID]...)
}

// serveWrite answers the routes of this file; handled is false for another route.
func (s *Server) serveWrite(w http.ResponseWriter, r *http.Request, route string, lose bool) (status int, handled bool) {
	switch {
	case route == RouteSupportTopics && r.Method == http.MethodGet:
		s.mu.Lock()
		ts := append([]SupportTopic{}, s.topics...)
		s.mu.Unlock()
		for i := range ts {
			ts[i].Attributes.ObjectType = "SupportTopic"
		}
		return s.writeJSON(w, api.NewCollection(ts, r.URL.RequestURI(), "", "")), true
	case route == RouteServiceRequest && r.Method == http.MethodPost:
		return s.createServiceRequest(w, r, lose), true
	case route == RouteServiceRequest && r.Method == http.MethodPatch:
		return s.updateServiceRequest(w, r, lose), true
	case route == RouteServiceRequest && r.Method == http.MethodGet:
		id := lastSegment(r)
		sr, ok := s.ServiceRequest(id)
		if !ok {
			return writeError(w, http.StatusNotFound, "", CodeNotFound, "The service request "+id+" does not exist."), true
		}
		return s.writeJSON(w, sr), true
	case route == RouteCustomer && r.Method == http.MethodGet:
		id := lastSegment(r)
		c, ok := s.Customer(id)
		if !ok {
			return writeError(w, http.StatusNotFound, "", CodeNotFound, "The customer "+id+" does not exist."), true
		}
		return s.writeJSON(w, c), true
	case route == RouteCustomer && r.Method == http.MethodPatch:
		return s.patchCustomer(w, r, lose), true
	case route == RouteSubscription && (r.Method == http.MethodGet || r.Method == http.MethodPatch):
		return s.subscription(w, r, lose), true
	case route == RouteRelationshipRequest && r.Method == http.MethodGet:
		return s.relationshipRequest(w, r), true
	case route == RouteSupportTopics || route == RouteServiceRequest || route == RouteCustomer || route == RouteSubscription || route == RouteRelationshipRequest:
		return writeError(w, http.StatusMethodNotAllowed, "", "600405", "The method "+r.Method+" is not allowed on "+r.URL.Path+"."), true
	}
	return 0, false
}

func lastSegment(r *http.Request) string {
	p := r.URL.Path
	seg, _ := url.PathUnescape(p[strings.LastIndex(p, "/")+1:])
	return seg
}

// dropAnswer closes the connection without answering: Partner Center acted, the answer
// was lost on the way back.
func dropAnswer(w http.ResponseWriter) int {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return 0
		}
	}
	panic(http.ErrAbortHandler)
}

var agentLocale = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)

// requestSeverities are the severities a new request may have.
var requestSeverities = []string{"critical", "moderate", "minimal"}

func foldEnum(s string) string {
	return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
}

func (s *Server) createServiceRequest(w http.ResponseWriter, r *http.Request, lose bool) int {
	locale := lastSegment(r)
	if !agentLocale.MatchString(locale) {
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, fmt.Sprintf("The agent locale %q is not a locale such as en-US.", locale))
	}
	var sr api.ServiceRequest
	if err := json.NewDecoder(r.Body).Decode(&sr); err != nil {
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, "The request body is not a ServiceRequest: "+err.Error())
	}
	sev, _ := sr.Severity.Resolve(api.SeverityNames)
	switch {
	case strings.TrimSpace(sr.Title) == "":
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, "The field Title is required.")
	case strings.TrimSpace(sr.Description) == "":
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, "The field Description is required.")
	case !contains(requestSeverities, strings.ToLower(sev)):
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, fmt.Sprintf("The field Severity must be critical, moderate or minimal, not %q.", sev))
	case strings.TrimSpace(sr.SupportTopicID) == "":
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, "The field SupportTopicId is required: one of GET /v1/servicerequests/supporttopics.")
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	s.mu.Lock()
	var topic *SupportTopic
	for i := range s.topics {
		if strconv.Itoa(s.topics[i].ID) == strings.TrimSpace(sr.SupportTopicID) {
			topic = &s.topics[i]
		}
	}
	if topic == nil {
		s.mu.Unlock()
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, fmt.Sprintf("The support topic %s does not exist.", sr.SupportTopicID))
	}
	sr.SupportTopicName = topic.Name
	s.srCreated++
	sr.ID = strconv.FormatInt(700000000000000+int64(s.srCreated), 10)
	s.mu.Unlock()
	sr.Severity, sr.Status = api.Named(strings.ToLower(sev)), api.Named("open")
	sr.CreatedDate, sr.LastModifiedDate, sr.LastClosedDate = api.RequestDate(now), api.RequestDate(now), api.RequestDate{}
	sr.PCCTL, sr.NewNote = nil, nil
	for i := range sr.Notes {
		sr.Notes[i].CreatedDate = api.RequestDate(now)
		if sr.Notes[i].CreatedByName == "" {
			sr.Notes[i].CreatedByName = "Partner"
		}
	}
	s.PutServiceRequest(sr)
	if lose {
		return dropAnswer(w)
	}
	return s.writeJSONStatus(w, sr, http.StatusCreated)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) updateServiceRequest(w http.ResponseWriter, r *http.Request, lose bool) int {
	id := lastSegment(r)
	cur, ok := s.ServiceRequest(id)
	if !ok {
		return writeError(w, http.StatusNotFound, "", CodeNotFound, "The service request "+id+" does not exist.")
	}
	var patch api.ServiceRequest
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, "The request body is not a ServiceRequest: "+err.Error())
	}
	status, _ := patch.Status.Resolve(api.RequestStatusNames)
	sev, _ := patch.Severity.Resolve(api.SeverityNames)
	note := ""
	if patch.NewNote != nil {
		note = strings.TrimSpace(patch.NewNote.Text)
	}
	switch {
	case status == "" && sev == "" && note == "":
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, "Nothing to update: give a status, a severity or a newNote.")
	case status != "" && !contains([]string{"open", "closed", "attentionneeded"}, foldEnum(status)):
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, fmt.Sprintf("The status %q is not open, closed or attention_needed.", status))
	case sev != "" && !contains(requestSeverities, strings.ToLower(sev)):
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, fmt.Sprintf("The field Severity must be critical, moderate or minimal, not %q.", sev))
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	if status != "" {
		st := strings.ToLower(status)
		if foldEnum(st) == "attentionneeded" {
			st = "attention_needed"
		}
		cur.Status = api.Named(st)
		if st == "closed" {
			cur.LastClosedDate = api.RequestDate(now)
		}
	}
	if sev != "" {
		cur.Severity = api.Named(strings.ToLower(sev))
	}
	if note != "" {
		by := "Partner"
		if patch.NewNote.CreatedByName != "" {
			by = patch.NewNote.CreatedByName
		}
		cur.Notes = append(cur.Notes, api.ServiceRequestNote{CreatedByName: by, CreatedDate: api.RequestDate(now), Text: patch.NewNote.Text})
	}
	cur.LastModifiedDate = api.RequestDate(now)
	s.PutServiceRequest(cur)
	if lose {
		return dropAnswer(w)
	}
	return s.writeJSON(w, cur)
}

func (s *Server) patchCustomer(w http.ResponseWriter, r *http.Request, lose bool) int {
	id := lastSegment(r)
	c, ok := s.Customer(id)
	if !ok {
		return writeError(w, http.StatusNotFound, "", CodeNotFound, "The customer "+id+" does not exist.")
	}
	var patch struct {
		RelationshipToPartner *string `json:"relationshipToPartner"`
	}
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, "The request body is not a Customer: "+err.Error())
	}
	if patch.RelationshipToPartner == nil || !strings.EqualFold(*patch.RelationshipToPartner, "none") {
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, "Only the relationship to partner may be changed, and only to none.")
	}
	s.mu.Lock()
	var active []string
	for _, sub := range s.subs[id] {
		if strings.EqualFold(sub.Status, "active") {
			active = append(active, sub.ID)
		}
	}
	orders := append([]string(nil), s.reservations[id]...)
	s.mu.Unlock()
	switch {
	case len(orders) > 0:
		return writeError(w, http.StatusBadRequest, "", CodeReservedInstances, fmt.Sprintf(
			"The customer has open Azure reserved VM instance orders (%s): Azure support must cancel them before the reseller relationship is removed.", strings.Join(orders, ", ")))
	case len(active) > 0:
		return writeError(w, http.StatusBadRequest, "", CodeActiveSubscriptions, fmt.Sprintf(
			"The customer has active subscriptions (%s): suspend them before the reseller relationship is removed.", strings.Join(active, ", ")))
	}
	c.RelationshipToPartner = "none"
	s.PutCustomer(c)
	if lose {
		return dropAnswer(w)
	}
	// As the reference's response example.
	b := []byte(`{"Id":null,"CommerceId":null,"CompanyProfile":null,"BillingProfile":null,"RelationshipToPartner":"none","AllowDelegatedAccess":null,"UserCredentials":null,"CustomDomains":null,"AssociatedPartnerId":null,"Attributes":{"ObjectType":"Customer"}}`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return http.StatusOK
}

func (s *Server) subscription(w http.ResponseWriter, r *http.Request, lose bool) int {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/customers/"), "/")
	cid, _ := url.PathUnescape(parts[0])
	sid, _ := url.PathUnescape(parts[2])
	c, ok := s.Customer(cid)
	if !ok {
		return writeError(w, http.StatusNotFound, "", CodeNotFound, "The customer "+cid+" does not exist.")
	}
	s.mu.Lock()
	idx := -1
	for i, sub := range s.subs[cid] {
		if sub.ID == sid {
			idx = i
		}
	}
	var cur api.Subscription
	if idx >= 0 {
		cur = s.subs[cid][idx]
	}
	s.mu.Unlock()
	if idx < 0 {
		return writeError(w, http.StatusNotFound, "", CodeNotFound, "The subscription "+sid+" of customer "+cid+" does not exist.")
	}
	if r.Method == http.MethodGet {
		return s.writeJSON(w, cur)
	}
	var sub api.Subscription
	if err := json.NewDecoder(r.Body).Decode(&sub); err != nil {
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, "The request body is not a Subscription: "+err.Error())
	}
	status := strings.ToLower(sub.Status)
	switch {
	case sub.ID != "" && sub.ID != sid:
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, fmt.Sprintf("The subscription's id %q is not the path's %q.", sub.ID, sid))
	case status != "active" && status != "suspended":
		return writeError(w, http.StatusBadRequest, "", CodeInvalid, fmt.Sprintf("The status %q is not active or suspended.", sub.Status))
	case status == "active" && strings.EqualFold(c.RelationshipToPartner, "none"):
		return writeError(w, http.StatusBadRequest, "", CodeRelationshipEnded, "The customer "+cid+" has no reseller relationship with the partner: its subscriptions cannot be reactivated.")
	}
	cur.Status = status
	s.mu.Lock()
	s.subs[cid][idx] = cur
	s.mu.Unlock()
	if lose {
		return dropAnswer(w)
	}
	return s.writeJSON(w, cur)
}

func (s *Server) relationshipRequest(w http.ResponseWriter, r *http.Request) int {
	reseller := r.URL.Query().Get("indirectResellerId")
	s.mu.Lock()
	tenant := s.TenantID
	active := false
	for _, rs := range s.resellers {
		if rs.ID == reseller && strings.EqualFold(rs.State, "active") {
			active = true
		}
	}
	s.mu.Unlock()
	link := "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=" + url.QueryEscape(tenant) +
		"&msppId=0&DAP=false#/BillingAccounts/partner-invitation"
	if reseller != "" {
		if !active {
			return writeError(w, http.StatusBadRequest, "", CodeInvalid, "The indirectResellerId "+reseller+" is not an active indirect reseller of the partner.")
		}
		link = "https://admin.microsoft.com/Adminportal/Home?invType=IndirectResellerRelationship&partnerId=" + url.QueryEscape(reseller) +
			"&indirectCSPId=" + url.QueryEscape(tenant) + "&msppId=0&DAP=false#/BillingAccounts/partner-invitation"
	}
	return s.writeJSON(w, map[string]any{"url": link, "attributes": map[string]string{"objectType": "RelationshipRequest"}})
}

func (s *Server) writeJSONStatus(w http.ResponseWriter, v any, status int) int {
	b, err := json.Marshal(v)
	if err != nil {
		return writeError(w, http.StatusInternalServerError, "", "600500", err.Error())
	}
	s.mu.Lock()
	quirks := s.Quirks
	s.mu.Unlock()
	if quirks {
		b = quirk(b)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return status
}
