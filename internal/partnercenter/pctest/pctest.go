// Package pctest is a stand-in for Partner Center's REST API and the Referrals API, for
// tests and benchmarks, built from the published reference and sample payloads: seek
// paging of customers and service requests (links.next with an MS-ContinuationToken
// header, a link without its /v1 as Partner Center sends some), the customer filter, the
// partner relationships of indirect resellers, each customer's subscriptions, the
// referrals with @odata.nextLink (naming the public host, as the reference's example
// does), the organization profile; payload quirks on demand (keys with capitals, enums
// as numbers, dates without a zone); faults on demand (Fault: 429 with Retry-After, 503,
// 401 for an expired token, a slow page, a malformed page); data that changes between
// two reads (Put…, Remove…); Partner Center's writes (pcwrites.go: service requests,
// ending a customer relationship, suspending and reactivating subscriptions, the
// relationship request link) and the Referrals API's (write.go).
package pctest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pcctl/pcctl/internal/api"
)

// Routes a Fault can target.
const (
	RouteCustomers       = "customers"
	RouteSubscriptions   = "subscriptions"
	RouteRelationships   = "relationships"
	RouteReferrals       = "referrals"
	RouteReferral        = "referral" // one referral: /v1.0/engagements/referrals/{id}
	RouteServiceRequests = "servicerequests"
	RouteProfile         = "profile"
)

// Fault is a misbehaviour to show on the requests of a route.
type Fault struct {
	Route      string // one of the Route… constants; "" for any
	Skip       int    // let this many matching requests through first
	Times      int    // how many requests it hits (default 1; -1: all)
	Status     int    // answer this status with a Partner Center error body
	RetryAfter string // the Retry-After header sent with Status
	// Expired answers 401 as for an expired token (Status is then 401).
	Expired bool
	// Delay answers (normally, or with Status) after this long: a slow page.
	Delay time.Duration
	// Malformed answers 200 with a body that is not a collection.
	Malformed bool
	// LoseAnswer acts on the request (a referral is created) and then drops the
	// connection without answering: an answer lost on the way back.
	LoseAnswer bool
	// Method limits the fault to requests of that method ("" for any).
	Method string
}

// Request is a request the stand-in received.
type Request struct {
	Method, Path, Query string
	Route               string
	RequestID           string
	CorrelationID       string
	ContinuationToken   string
	Token               string
	Status              int // 0 while it is being answered
}

// Server is the stand-in. Its data and faults may be changed while it serves.
type Server struct {
	*httptest.Server
	// TenantID and CompanyName are the partner's, answered by the organization profile.
	TenantID, CompanyName string
	// PageSize is the largest page of referrals and service requests (default 100; the
	// customers' is the size asked, up to api.MaxCustomerPageSize).
	PageSize int
	// Quirks sends keys with a capital letter, enumerations as numbers and service
	// request dates without a zone, as some Partner Center answers do.
	Quirks bool

	mu        sync.Mutex
	tokens    map[string]bool // accepted tokens (true) and expired ones (false); empty: any
	customers []api.Customer  // by ID
	subs      map[string][]api.Subscription
	resellers []api.Reseller
	referrals []api.Referral       // by ID
	requests  []api.ServiceRequest // by ID
	faults    []*Fault
	log       []Request
	versions  map[string]int // referral ID → version, its ETag
	created   int            // referrals created by POST, to number them

	topics       []SupportTopic      // GET /v1/servicerequests/supporttopics
	reservations map[string][]string // customer ID → open Azure reserved VM instance orders
	srCreated    int                 // service requests created by POST, to number them
}

// New starts a stand-in on a loopback port (TLS when tls is true). Close it when done.
func New(tls bool) *Server {
	s := &Server{TenantID: "8f0f9a8c-7c4a-4b1e-9f3a-2d1c5e6f7a80", CompanyName: "Contoso Partner", PageSize: 100,
		tokens: map[string]bool{}, subs: map[string][]api.Subscription{}, versions: map[string]int{},
		topics: append([]SupportTopic{}, DefaultSupportTopics...), reservations: map[string][]string{}}
	if tls {
		s.Server = httptest.NewTLSServer(s)
	} else {
		s.Server = httptest.NewServer(s)
	}
	return s
}

// SetTenant changes the partner tenant while the stand-in serves (TenantID and
// CompanyName may be set directly before it serves).
func (s *Server) SetTenant(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.TenantID, s.CompanyName = id, name
}

// AcceptToken makes the stand-in accept tok (once any is set, only those are accepted).
func (s *Server) AcceptToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = true
}

// ExpireToken makes tok answer 401 as an expired token.
func (s *Server) ExpireToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = false
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	if f.Expired {
		f.Status = http.StatusUnauthorized
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// Requests is what the stand-in received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// PutCustomer adds or replaces a customer (by ID).
func (s *Server) PutCustomer(c api.Customer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.CompanyProfile.TenantID == "" {
		c.CompanyProfile.TenantID = c.ID
	}
	c.Attributes.ObjectType, c.CompanyProfile.Attributes.ObjectType = api.CustomerObjectType, api.CompanyProfileType
	i := sort.Search(len(s.customers), func(i int) bool { return s.customers[i].ID >= c.ID })
	if i < len(s.customers) && s.customers[i].ID == c.ID {
		s.customers[i] = c
		return
	}
	s.customers = append(s.customers, api.Customer{})
	copy(s.customers[i+1:], s.customers[i:])
	s.customers[i] = c
}

// SetCustomers replaces every customer (sorted here by ID); for large data sets.
func (s *Server) SetCustomers(cs []api.Customer) {
	sorted := append([]api.Customer(nil), cs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	s.mu.Lock()
	defer s.mu.Unlock()
	s.customers = sorted
}

// Customer returns the customer with that ID.
func (s *Server) Customer(id string) (api.Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.customers), func(i int) bool { return s.customers[i].ID >= id })
	if i < len(s.customers) && s.customers[i].ID == id {
		return s.customers[i], true
	}
	return api.Customer{}, false
}

// RemoveCustomer removes a customer and its subscriptions.
func (s *Server) RemoveCustomer(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.customers), func(i int) bool { return s.customers[i].ID >= id })
	if i < len(s.customers) && s.customers[i].ID == id {
		s.customers = append(s.customers[:i], s.customers[i+1:]...)
	}
	delete(s.subs, id)
}

// SetSubscriptions sets a customer's subscriptions.
func (s *Server) SetSubscriptions(customerID string, subs []api.Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range subs {
		subs[i].Attributes.ObjectType = api.ObjectSubscription
	}
	s.subs[customerID] = subs
}

// SetResellers sets the active indirect resellers.
func (s *Server) SetResellers(rs []api.Reseller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resellers = nil
	for _, r := range rs {
		r.RelationshipType, r.Attributes.ObjectType = "is_indirect_cloud_solution_provider_of", api.ObjectPartnerRelationship
		if r.State == "" {
			r.State = "Active"
		}
		s.resellers = append(s.resellers, r)
	}
}

// PutReferral adds or replaces a referral (by ID).
func (s *Server) PutReferral(r api.Referral) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.referrals), func(i int) bool { return s.referrals[i].ID >= r.ID })
	if i < len(s.referrals) && s.referrals[i].ID == r.ID {
		s.referrals[i] = r
		return
	}
	s.referrals = append(s.referrals, api.Referral{})
	copy(s.referrals[i+1:], s.referrals[i:])
	s.referrals[i] = r
}

// SetReferrals replaces every referral.
func (s *Server) SetReferrals(rs []api.Referral) {
	sorted := append([]api.Referral(nil), rs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	s.mu.Lock()
	defer s.mu.Unlock()
	s.referrals = sorted
}

// PutServiceRequest adds or replaces a service request (by ID).
func (s *Server) PutServiceRequest(r api.ServiceRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Attributes.ObjectType = "ServiceRequest"
	i := sort.Search(len(s.requests), func(i int) bool { return s.requests[i].ID >= r.ID })
	if i < len(s.requests) && s.requests[i].ID == r.ID {
		s.requests[i] = r
		return
	}
	s.requests = append(s.requests, api.ServiceRequest{})
	copy(s.requests[i+1:], s.requests[i:])
	s.requests[i] = r
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := routeOf(r)
	reqID := r.Header.Get(api.RequestIDHeader)
	if reqID == "" {
		reqID = "pctest-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	w.Header().Set(api.RequestIDHeader, reqID)
	if c := r.Header.Get(api.CorrelationIDHeader); c != "" {
		w.Header().Set(api.CorrelationIDHeader, c)
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	entry := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Route: route, RequestID: reqID,
		CorrelationID: r.Header.Get(api.CorrelationIDHeader), ContinuationToken: r.Header.Get(api.ContinuationHeader), Token: tok}

	s.mu.Lock()
	fault := s.takeFault(route, r.Method)
	valid, known := s.tokens[tok]
	anyToken := len(s.tokens) == 0
	s.log = append(s.log, entry) // on arrival: a slow request is seen while it waits
	i := len(s.log) - 1
	s.mu.Unlock()
	status := s.serve(w, r, route, fault, tok, anyToken, valid, known)
	s.mu.Lock()
	s.log[i].Status = status
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, route string, fault *Fault, tok string, anyToken, valid, known bool) int {
	if fault != nil && fault.Delay > 0 {
		// The body read first: the server then watches the connection, and a client
		// that goes away (killed) ends the wait.
		if b, err := io.ReadAll(r.Body); err == nil {
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		select {
		case <-time.After(fault.Delay):
		case <-r.Context().Done():
			return 0
		}
	}
	switch {
	case tok == "" || (!anyToken && !known):
		return writeError(w, http.StatusUnauthorized, "", "900401", "The access token is missing or not valid.")
	case !anyToken && !valid, fault != nil && fault.Expired:
		return writeError(w, http.StatusUnauthorized, "", "900402", "The access token has expired.")
	case fault != nil && fault.Status != 0:
		return writeError(w, fault.Status, fault.RetryAfter, strconv.Itoa(600000+fault.Status), http.StatusText(fault.Status))
	case fault != nil && fault.Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"totalCount": 2, "items": [{"id": "b44bb1fb-c595-45b0-9e09-d6573655`))
		return http.StatusOK
	}
	if route == RouteReferrals && r.Method == http.MethodPost {
		return s.createReferral(w, r, fault != nil && fault.LoseAnswer)
	}
	if route == RouteReferral && r.Method == http.MethodPatch {
		return s.updateReferral(w, r)
	}
	if route == RouteCustomers && r.Method == http.MethodPost {
		return s.createCustomer(w, r)
	}
	if route == RouteReferral && r.Method == http.MethodGet {
		return s.getReferral(w, r)
	}
	if status, ok := s.serveWrite(w, r, route, fault != nil && fault.LoseAnswer); ok {
		return status
	}
	if r.Method != http.MethodGet {
		return writeError(w, http.StatusMethodNotAllowed, "", "600405", "The stand-in answers reads and the referrals' writes only.")
	}
	switch route {
	case RouteProfile:
		s.mu.Lock()
		tenant, name := s.TenantID, s.CompanyName
		s.mu.Unlock()
		return s.writeJSON(w, map[string]any{"id": tenant, "tenantId": tenant, "companyName": name,
			"attributes": map[string]string{"objectType": "OrganizationProfile"}})
	case RouteCustomers:
		return s.customersPage(w, r)
	case RouteSubscriptions:
		id, _ := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/customers/"), "/subscriptions"))
		s.mu.Lock()
		subs := append([]api.Subscription(nil), s.subs[id]...)
		s.mu.Unlock()
		return s.writeJSON(w, api.NewCollection(subs, r.URL.RequestURI(), "", ""))
	case RouteRelationships:
		if !strings.EqualFold(r.URL.Query().Get(api.RelationshipTypeParam), api.IndirectResellersType) {
			return writeError(w, http.StatusBadRequest, "", "600400", "relationship_type must be IsIndirectCloudSolutionProviderOf.")
		}
		s.mu.Lock()
		rs := append([]api.Reseller(nil), s.resellers...)
		s.mu.Unlock()
		c := api.NewCollection(rs, r.URL.RequestURI(), "", "")
		c.Links.Self = nil // as in indirect-resellers.json
		return s.writeJSON(w, c)
	case RouteServiceRequests:
		return s.requestsPage(w, r)
	case RouteReferrals:
		return s.referralsPage(w, r)
	}
	return writeError(w, http.StatusNotFound, "", "600404", "No such resource.")
}

func routeOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == "/v1/profiles/organization":
		return RouteProfile
	case p == "/v1/customers":
		return RouteCustomers
	case strings.HasPrefix(p, "/v1/customers/") && strings.HasSuffix(p, "/subscriptions"):
		return RouteSubscriptions
	case p == api.RelationshipsPath:
		return RouteRelationships
	case p == "/v1/servicerequests":
		return RouteServiceRequests
	case p == api.ReferralsPath:
		return RouteReferrals
	case strings.HasPrefix(p, api.ReferralsPath+"/"):
		return RouteReferral
	}
	return writeRoute(p)
}

// takeFault returns the fault for this request, if any (s.mu held).
func (s *Server) takeFault(route, method string) *Fault {
	for i, f := range s.faults {
		if f.Route != "" && f.Route != route || f.Method != "" && f.Method != method {
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return f
	}
	return nil
}

// seek is what a continuation token carries: the last key sent and the query.
type seek struct {
	After  string `json:"a"`
	Size   int    `json:"s"`
	Filter string `json:"f,omitempty"`
}

func encodeSeek(k seek) string {
	b, _ := json.Marshal(k)
	return base64.StdEncoding.EncodeToString(b)
}

func decodeSeek(tok string) (seek, bool) {
	var k seek
	b, err := base64.StdEncoding.DecodeString(tok)
	return k, err == nil && json.Unmarshal(b, &k) == nil
}

func (s *Server) customersPage(w http.ResponseWriter, r *http.Request) int {
	q := r.URL.Query()
	var k seek
	if tok := r.Header.Get(api.ContinuationHeader); tok != "" || q.Get("seekOperation") != "" {
		var ok bool
		if k, ok = decodeSeek(tok); !ok || !strings.EqualFold(q.Get("seekOperation"), "Next") {
			return writeError(w, http.StatusBadRequest, "", "600400", "The continuation token is not valid.")
		}
	} else {
		size, err := api.ParsePageSize(q.Get("size"))
		if err != nil {
			return writeError(w, http.StatusBadRequest, "", "600400", err.Error())
		}
		k = seek{Size: size, Filter: q.Get("filter")}
	}
	var filter *api.CustomerFilter
	if k.Filter != "" {
		f, err := api.ParseCustomerFilter(k.Filter)
		if err != nil {
			return writeError(w, http.StatusBadRequest, "", "600400", err.Error())
		}
		filter = &f
	}
	s.mu.Lock()
	i := sort.Search(len(s.customers), func(i int) bool { return s.customers[i].ID > k.After })
	page := make([]api.Customer, 0, k.Size)
	for ; i < len(s.customers) && len(page) < k.Size; i++ {
		c := s.customers[i]
		if filter != nil && !matches(c, *filter) {
			continue
		}
		page = append(page, c)
	}
	more := i < len(s.customers)
	s.mu.Unlock()
	next := ""
	if more && len(page) > 0 {
		next = encodeSeek(seek{After: page[len(page)-1].ID, Size: k.Size, Filter: k.Filter})
	}
	// Partner Center's next links omit the API version.
	col := api.NewCollection([]api.Customer{}, r.URL.RequestURI(), "/customers?size="+strconv.Itoa(k.Size)+"&seekOperation=Next", next)
	col.TotalCount = len(page)
	s.mu.Lock()
	quirks := s.Quirks
	s.mu.Unlock()
	if quirks {
		col.Items = page
		return s.writeJSON(w, col)
	}
	// Without quirks, the items are written by api.Customer.AppendJSON: a benchmark's
	// stand-in serves a million customers.
	head, _ := json.Marshal(col)
	at := bytes.Index(head, []byte(`"items":[]`))
	b := make([]byte, 0, 512*len(page)+len(head))
	b = append(b, head[:at+len(`"items":[`)]...)
	for j := range page {
		if j > 0 {
			b = append(b, ',')
		}
		b = page[j].AppendJSON(b)
	}
	b = append(b, head[at+len(`"items":[`):]...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return http.StatusOK
}

func matches(c api.Customer, f api.CustomerFilter) bool {
	var v string
	switch f.Field {
	case api.FilterCompanyName:
		v = c.CompanyProfile.CompanyName
	case api.FilterDomain:
		v = c.CompanyProfile.Domain
	case api.FilterIndirectReseller:
		if c.Pcctl != nil {
			v = c.Pcctl.ResellerMPNID
		}
		return v == f.Value
	}
	return strings.HasPrefix(strings.ToLower(v), strings.ToLower(f.Value))
}

func (s *Server) requestsPage(w http.ResponseWriter, r *http.Request) int {
	after := ""
	if tok := r.Header.Get(api.ContinuationHeader); tok != "" {
		k, ok := decodeSeek(tok)
		if !ok {
			return writeError(w, http.StatusBadRequest, "", "600400", "The continuation token is not valid.")
		}
		after = k.After
	}
	s.mu.Lock()
	i := sort.Search(len(s.requests), func(i int) bool { return s.requests[i].ID > after })
	end := min(i+s.PageSize, len(s.requests))
	page := append([]api.ServiceRequest(nil), s.requests[i:end]...)
	more := end < len(s.requests)
	s.mu.Unlock()
	next := ""
	if more {
		next = encodeSeek(seek{After: page[len(page)-1].ID})
	}
	return s.writeJSON(w, api.NewCollection(page, r.URL.RequestURI(), "/servicerequests?seekOperation=Next", next))
}

func (s *Server) referralsPage(w http.ResponseWriter, r *http.Request) int {
	after := ""
	if tok := r.URL.Query().Get("$skiptoken"); tok != "" {
		k, ok := decodeSeek(tok)
		if !ok {
			return writeError(w, http.StatusBadRequest, "", "BadRequest", "The $skiptoken is not valid.")
		}
		after = k.After
	}
	ext, filtered, ok := externalFilter(r.URL.Query().Get("$filter"))
	if !ok {
		return writeReferralError(w, http.StatusBadRequest, "InvalidFilter", "The $filter is not supported by the stand-in: it answers externalReferenceId eq '…' only.")
	}
	s.mu.Lock()
	all := s.referrals
	if filtered {
		all = nil
		for _, ref := range s.referrals {
			if ref.ExternalReferenceID == ext {
				all = append(all, ref)
			}
		}
	}
	i := sort.Search(len(all), func(i int) bool { return all[i].ID > after })
	end := min(i+s.PageSize, len(all))
	page := append([]api.Referral{}, all[i:end]...)
	more := end < len(all)
	s.mu.Unlock()
	body := map[string]any{
		"@odata.context": "http://api.partner.microsoft.com/v1.0/$metadata#Referrals",
		"@odata.count":   len(page),
		"value":          page,
	}
	if more {
		// As in the reference's example: the public host, over http.
		q := url.Values{"$skiptoken": {encodeSeek(seek{After: page[len(page)-1].ID})}}
		if filtered {
			q.Set("$filter", r.URL.Query().Get("$filter"))
		}
		body["@odata.nextLink"] = "http://api.partner.microsoft.com" + api.ReferralsPath + "?" + q.Encode()
	}
	return s.writeJSON(w, body)
}

func (s *Server) writeJSON(w http.ResponseWriter, v any) int {
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
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return http.StatusOK
}

// writeError answers a Partner Center error body.
func writeError(w http.ResponseWriter, status int, retryAfter, code, desc string) int {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"code": code, "description": desc, "data": []string{}, "source": "PartnerFD"})
	_, _ = w.Write(b)
	return status
}

// Enumerations sent as numbers under Quirks, by member name.
var quirkEnums = map[string][]string{
	"severity":  api.SeverityNames,
	"status":    nil, // per object: see quirkValue
	"substatus": api.ReferralSubstatuses,
	"direction": api.ReferralDirections,
	"type":      api.ReferralTypes,
}

// quirk rewrites an answer as some Partner Center answers look: every key with a capital
// first letter, enumerations as numbers, dates without a zone.
func quirk(b []byte) []byte {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if d.Decode(&v) != nil {
		return b
	}
	out, err := json.Marshal(quirkValue(v, ""))
	if err != nil {
		return b
	}
	return out
}

func quirkValue(v any, objectType string) any {
	switch x := v.(type) {
	case map[string]any:
		ot := objectType
		if a, ok := x["attributes"].(map[string]any); ok {
			if t, ok := a["objectType"].(string); ok {
				ot = t
			}
		}
		if _, ok := x["substatus"]; ok {
			ot = "Referral"
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			if k == "" || k[0] == '@' {
				m[k] = e
				continue
			}
			e = quirkValue(e, ot)
			if s, ok := e.(string); ok {
				e = quirkScalar(k, s, ot)
			}
			m[strings.ToUpper(k[:1])+k[1:]] = e
		}
		return m
	case []any:
		for i := range x {
			x[i] = quirkValue(x[i], objectType)
		}
		return x
	}
	return v
}

func quirkScalar(key, s, objectType string) any {
	names := quirkEnums[key]
	if key == "status" {
		switch objectType {
		case "ServiceRequest":
			names = api.RequestStatusNames
		case "Referral":
			names = api.ReferralStatuses
		}
	}
	if objectType == "ServiceRequest" && strings.HasSuffix(key, "Date") && strings.HasSuffix(s, "Z") {
		return strings.TrimSuffix(s, "Z") // a date without a zone
	}
	for i, n := range names {
		if strings.EqualFold(n, s) {
			return i
		}
	}
	return s
}

// Describe is a short description of the stand-in's data, for logs.
func (s *Server) Describe() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("%d customers, %d resellers, %d referrals, %d service requests", len(s.customers), len(s.resellers), len(s.referrals), len(s.requests))
}

// ClearFaults drops the faults not yet shown.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}
