package pctest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/pcctl/pcctl/internal/api"
)

// POST /v1/customers creates a customer (Create a customer, Partner Center REST): a new
// tenant with the company profile's domain, and its admin account, answered 201 with the
// customer and userCredentials (the admin's user name and temporary password), which
// Partner Center gives this once. What it refuses is answered in Partner Center's error
// shape ({"code","description"}): 400 for a missing or malformed field (the domain, the
// company name, the billing country), 409 for a domain another tenant has.

// NewCustomerRequest is the body of POST /v1/customers as the stand-in reads it.
type NewCustomerRequest struct {
	CompanyProfile struct {
		Domain string `json:"domain"`
	} `json:"companyProfile"`
	BillingProfile struct {
		CompanyName    string `json:"companyName"`
		Email          string `json:"email"`
		Culture        string `json:"culture"`
		Language       string `json:"language"`
		DefaultAddress struct {
			Country string `json:"country"`
		} `json:"defaultAddress"`
	} `json:"billingProfile"`
	AssociatedPartnerID string `json:"associatedPartnerId,omitempty"`
}

var dnsName = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)

// checkNewCustomer is the validation of a new customer: the reason it is refused, or "".
func checkNewCustomer(c *NewCustomerRequest) string {
	switch {
	case strings.TrimSpace(c.CompanyProfile.Domain) == "":
		return "The domain is required (companyProfile.domain)."
	case !dnsName.MatchString(c.CompanyProfile.Domain):
		return fmt.Sprintf("The domain %q is not a valid domain name.", c.CompanyProfile.Domain)
	case strings.TrimSpace(c.BillingProfile.CompanyName) == "":
		return "The company name is required (billingProfile.companyName)."
	case len(c.BillingProfile.DefaultAddress.Country) != 2:
		return fmt.Sprintf("The country %q is not an ISO 3166 alpha-2 code (billingProfile.defaultAddress.country).", c.BillingProfile.DefaultAddress.Country)
	}
	return ""
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) int {
	var req NewCustomerRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return writeError(w, http.StatusBadRequest, "", "600008", "The request body is not a customer: "+err.Error())
	}
	if msg := checkNewCustomer(&req); msg != "" {
		return writeError(w, http.StatusBadRequest, "", "600008", msg)
	}
	domain := strings.ToLower(req.CompanyProfile.Domain)
	s.mu.Lock()
	if id := req.AssociatedPartnerID; id != "" && !s.hasReseller(id) {
		s.mu.Unlock()
		return writeError(w, http.StatusBadRequest, "", "600019", fmt.Sprintf("associatedPartnerId %s is not an indirect reseller of this partner.", id))
	}
	for _, c := range s.customers {
		if strings.EqualFold(c.CompanyProfile.Domain, domain) {
			s.mu.Unlock()
			return writeError(w, http.StatusConflict, "", "600060", fmt.Sprintf("The domain %s is already in use by another tenant.", domain))
		}
	}
	s.created++
	n := s.created
	s.mu.Unlock()
	id := fmt.Sprintf("%08x-0000-4000-a000-%012x", n, n)
	c := api.Customer{ID: id, CompanyProfile: api.CompanyProfile{TenantID: id, Domain: domain, CompanyName: req.BillingProfile.CompanyName},
		BillingProfile:        &api.BillingProfile{DefaultAddress: api.Address{Country: strings.ToUpper(req.BillingProfile.DefaultAddress.Country)}},
		RelationshipToPartner: "reseller"}
	s.PutCustomer(c)
	c, _ = s.Customer(id)
	body := map[string]any{}
	b, _ := json.Marshal(c)
	_ = json.Unmarshal(b, &body)
	body["userCredentials"] = map[string]string{"userName": "admin", "password": fmt.Sprintf("Pc-Temp-%04d!x", n)}
	if req.AssociatedPartnerID != "" {
		body["associatedPartnerId"] = req.AssociatedPartnerID
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Location", "/v1/customers/"+id)
	w.WriteHeader(http.StatusCreated)
	b, _ = json.Marshal(body)
	_, _ = w.Write(b)
	return http.StatusCreated
}

// Customers are the stand-in's customers, by ID.
func (s *Server) Customers() []api.Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]api.Customer(nil), s.customers...)
}

// hasReseller reports whether id is the partner tenant ID of one of the indirect
// resellers (Partner Center's associatedPartnerId names a reseller that way). s.mu held.
func (s *Server) hasReseller(id string) bool {
	for _, r := range s.resellers {
		if strings.EqualFold(r.ID, id) {
			return true
		}
	}
	return false
}
