package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Deals are Partner Center referrals (docs/api/deals.md). A Referral carries every field
// of domain.Deal: under Partner Center's name where it has one (status, substatus,
// statusReason, customerProfile, details, team, consent…), in the "pcctl" sub-object where
// it has none (version, favorite, the Microsoft seller, IoT OEM; a solution's source,
// quantity and unit price).

// Paths of the deal routes.
const (
	// ReferralsPath is Partner Center's referrals collection; a referral is under it by ID.
	ReferralsPath = "/v1.0/engagements/referrals"
	// DealsPath is where pcctl's additions to a deal live: DealsPath/{id}/notes, /team/{email},
	// /favorite; DealImportPath is the PSC import.
	DealsPath      = Prefix + "/deals"
	DealImportPath = Prefix + "/deals/import"
)

// The enumerations of the Referrals API, in order: a number sent for one indexes its list.
var (
	ReferralStatuses       = []string{"New", "Active", "Closed"}
	ReferralSubstatuses    = []string{"Pending", "Received", "Accepted", "Engaged", "Declined", "Lost", "Won", "Expired", "Error"}
	ReferralTypes          = []string{"Independent", "Shared"}
	ReferralDirections     = []string{"Incoming", "Outgoing"}
	ReferralQualifications = []string{"SalesQualified", "MarketingQualified", "PartnerQualified", "Direct"}
)

// Referral is a deal as Partner Center's referral resource (referral.json).
type Referral struct {
	ID                  string `json:"id,omitempty"`
	EngagementID        string `json:"engagementId,omitempty"`
	Name                string `json:"name,omitempty"`
	ExternalReferenceID string `json:"externalReferenceId,omitempty"` // accepted, not kept
	// OrganizationID, OrganizationName and BusinessProfileID are the partner's in
	// Partner Center: accepted, not kept.
	OrganizationID     string     `json:"organizationId,omitempty"`
	OrganizationName   string     `json:"organizationName,omitempty"`
	BusinessProfileID  string     `json:"businessProfileId,omitempty"`
	CreatedDateTime    *time.Time `json:"createdDateTime,omitempty"`
	UpdatedDateTime    *time.Time `json:"updatedDateTime,omitempty"`
	ExpirationDateTime *time.Time `json:"expirationDateTime,omitempty"`
	Status             Enum       `json:"status,omitzero"`
	Substatus          Enum       `json:"substatus,omitzero"`
	StatusReason       string     `json:"statusReason,omitempty"`
	Qualification      Enum       `json:"qualification,omitzero"` // accepted, not kept
	Type               Enum       `json:"type,omitzero"`
	Direction          Enum       `json:"direction,omitzero"`

	CustomerProfile *ReferralCustomerProfile `json:"customerProfile,omitempty"`
	Consent         *ReferralConsent         `json:"consent,omitempty"`
	Details         *ReferralDetails         `json:"details,omitempty"`
	Team            []ReferralPerson         `json:"team,omitzero"`
	Notes           []ReferralNote           `json:"notes,omitzero"`
	Pcctl           *ReferralPcctl           `json:"pcctl,omitempty"`
	// TrackingInfo carries a migrated PSC deal's opportunity ID (migratedPSCDealId), sent
	// by pcctl deal publish.
	TrackingInfo *ReferralTrackingInfo `json:"trackingInfo,omitempty"`

	Links      *Links      `json:"links,omitempty"`
	Attributes *Attributes `json:"attributes,omitempty"`
}

// ReferralTrackingInfo is the referral's tracking information: the PSC deal it was
// migrated from.
type ReferralTrackingInfo struct {
	MigratedPSCDealID string `json:"migratedPSCDealId,omitempty"`
}

// ReferralCustomerProfile is the customer organisation and its contact. ids.tenantId is the
// customer's tenant ID when the organisation is a customer; address.country is a
// prospect organisation's country; team[0] is the customer contact.
type ReferralCustomerProfile struct {
	Name    string           `json:"name,omitempty"`
	Address *ReferralAddress `json:"address,omitempty"`
	Size    Enum             `json:"size,omitzero"` // accepted, not kept
	Team    []ReferralPerson `json:"team,omitzero"`
	IDs     map[string]any   `json:"ids,omitempty"`
}

// ReferralAddress is a postal address; pcctl keeps the country.
type ReferralAddress struct {
	AddressLine1 string `json:"addressLine1,omitempty"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	City         string `json:"city,omitempty"`
	State        string `json:"state,omitempty"`
	PostalCode   string `json:"postalCode,omitempty"`
	Country      string `json:"country,omitempty"`
}

// ReferralPerson is a member of a team: the customer's (the contact) or the deal's.
type ReferralPerson struct {
	FirstName         string                     `json:"firstName,omitempty"`
	LastName          string                     `json:"lastName,omitempty"`
	PhoneNumber       string                     `json:"phoneNumber,omitempty"`
	Email             string                     `json:"email,omitempty"`
	ContactPreference *ReferralContactPreference `json:"contactPreference,omitempty"` // accepted, not kept
}

// ReferralContactPreference is Partner Center's; pcctl does not keep it.
type ReferralContactPreference struct {
	Locale               string `json:"locale,omitempty"`
	DisableNotifications bool   `json:"disableNotifications"`
}

// ReferralConsent is the customer's consent. pcctl keeps one consent, to share its details:
// written to the three fields, read from consentToToShareInfoWithOthers (Partner
// Center's spelling).
type ReferralConsent struct {
	ConsentToShareInfoWithOthers                ReferralBool `json:"consentToToShareInfoWithOthers"`
	ConsentToContact                            ReferralBool `json:"consentToContact"`
	ConsentToMicrosoftToContactSpecificPartners ReferralBool `json:"consentToMicrosoftToContactSpecificPartners"`
}

// ReferralDetails are the deal's value, currency, estimated close date and solutions.
// Notes, a single text in Partner Center, is read as the first note of a new deal when
// the referral has no notes of its own.
type ReferralDetails struct {
	Notes           string                `json:"notes,omitempty"`
	DealValue       DealAmount            `json:"dealValue,omitzero"`
	Currency        string                `json:"currency,omitempty"`
	ClosingDateTime *time.Time            `json:"closingDateTime,omitempty"`
	Requirements    *ReferralRequirements `json:"requirements,omitempty"`
}

// ReferralRequirements are what the customer needs; pcctl keeps the solutions.
type ReferralRequirements struct {
	Industries []ReferralIDRef    `json:"industries,omitzero"`
	Products   []ReferralIDRef    `json:"products,omitzero"`
	Services   []ReferralIDRef    `json:"services,omitzero"`
	Solutions  []ReferralSolution `json:"solutions,omitzero"`
}

// ReferralIDRef names an item of a Partner Center list.
type ReferralIDRef struct {
	ID string `json:"id"`
}

// ReferralSolution is a solution of the deal. Without a pcctl object it is one of the
// partner's own solutions.
type ReferralSolution struct {
	ID    string         `json:"id"`
	Name  string         `json:"name,omitempty"` // accepted, not kept
	Type  string         `json:"type,omitempty"` // accepted, not kept
	Pcctl *SolutionPcctl `json:"pcctl,omitempty"`
}

// SolutionPcctl is what Partner Center has no name for: where the solution comes from
// (own, microsoft, partner) and a Microsoft SKU's quantity and unit price.
type SolutionPcctl struct {
	Source    string     `json:"source"`
	Quantity  int        `json:"quantity,omitempty"`
	UnitPrice DealAmount `json:"unitPrice,omitzero"`
}

// ReferralNote is one of the deal's notes.
type ReferralNote struct {
	Author          string     `json:"author,omitempty"`
	CreatedDateTime *time.Time `json:"createdDateTime,omitempty"`
	Text            string     `json:"text"`
}

// ReferralPcctl holds the fields of a deal Partner Center has no name for.
type ReferralPcctl struct {
	Version        int    `json:"version"`  // bumped by every change; also the ETag
	Favorite       bool   `json:"favorite"` // one of the caller's favorites
	SellerName     string `json:"sellerName,omitempty"`
	SellerEmail    string `json:"sellerEmail,omitempty"`
	SellerAccepted bool   `json:"sellerAccepted"`
	IoTOEM         bool   `json:"iotOem"`
}

// DealAmount is a decimal amount: written as a JSON number when it is one, else as a string
// (a value not yet checked, as an import row may hold); read from either.
type DealAmount string

// MarshalJSON writes a number when the amount is a valid JSON number.
func (a DealAmount) MarshalJSON() ([]byte, error) {
	b := []byte(a)
	if len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9') && json.Valid(b) {
		return b, nil
	}
	return json.Marshal(string(a))
}

// UnmarshalJSON reads a number (its text as sent) or a string.
func (a *DealAmount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*a = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = DealAmount(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("expected an amount (a number), got %s", b)
		}
		*a = DealAmount(n)
	}
	return nil
}

// ReferralBool is a boolean that Partner Center sometimes sends as a string ("true").
type ReferralBool bool

// UnmarshalJSON accepts true, false, "true", "false" (any case) and null.
func (v *ReferralBool) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	switch strings.ToLower(s) {
	case "true":
		*v = true
	case "false", "null", "":
		*v = false
	default:
		return fmt.Errorf("expected true or false, got %s", b)
	}
	return nil
}

// ReferralURI is the path of a referral.
func ReferralURI(id string) string { return ReferralsPath + "/" + url.PathEscape(id) }

// DealETag is the entity tag of a deal at a version: the version in quotes ("3").
func DealETag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ParseDealETag reads an If-Match header: the expected version, or 0 for none ("" or "*").
// A weak tag (W/"3") is taken as its version.
func ParseDealETag(h string) (int, error) {
	h = strings.TrimSpace(h)
	if h == "" || h == "*" {
		return 0, nil
	}
	v := strings.TrimPrefix(h, "W/")
	n, err := 0, error(nil)
	if len(v) >= 3 && v[0] == '"' && v[len(v)-1] == '"' {
		n, err = strconv.Atoi(v[1 : len(v)-1])
	} else {
		err = fmt.Errorf("not quoted")
	}
	if err != nil || n == 0 {
		return 0, NewError(CodeBadRequest, fmt.Sprintf(
			`the If-Match header must be the ETag of the referral as its answers give it (its version in quotes, such as "3"), or *; not %s`, h))
	}
	return n, nil
}

// FromDealRecord describes a deal as a referral, with its links.
func FromDealRecord(r workspace.DealRecord) Referral {
	ref := fromDeal(r.Deal)
	ref.Pcctl.Favorite = r.Favorite
	ref.Links = &Links{Self: &Link{URI: ReferralURI(r.ID), Method: "GET", Headers: []Header{}}}
	ref.Attributes = &Attributes{ObjectType: "Referral"}
	return ref
}

func dealTimePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func dealTimeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return utc(*p)
}

// dealSplitName splits a contact's name into first and last name at its first space, when
// joining them with one space gives it back; otherwise it is all first name.
func dealSplitName(name string) (first, last string) {
	if i := strings.IndexByte(name, ' '); i > 0 && i < len(name)-1 {
		return name[:i], name[i+1:]
	}
	return name, ""
}

func dealJoinName(first, last string) string {
	switch {
	case last == "":
		return first
	case first == "":
		return last
	}
	return first + " " + last
}

func fromDeal(d domain.Deal) Referral {
	ref := Referral{
		ID: d.ID, EngagementID: d.EngagementID, Name: d.Name,
		CreatedDateTime: dealTimePtr(d.CreatedAt), UpdatedDateTime: dealTimePtr(d.UpdatedAt), ExpirationDateTime: dealTimePtr(d.ExpiresAt),
		StatusReason: d.StatusReason,
		Pcctl: &ReferralPcctl{Version: d.Version, SellerName: d.SellerName, SellerEmail: d.SellerEmail,
			SellerAccepted: d.SellerAccepted, IoTOEM: d.IoTOEM},
		Consent: &ReferralConsent{ConsentToShareInfoWithOthers: ReferralBool(d.Consent), ConsentToContact: ReferralBool(d.Consent),
			ConsentToMicrosoftToContactSpecificPartners: ReferralBool(d.Consent)},
	}
	if d.Status != "" {
		ref.Status = Named(string(d.Status))
	}
	if d.Substatus != "" {
		ref.Substatus = Named(string(d.Substatus))
	}
	switch d.Type {
	case "":
	case domain.PrivateDeal:
		ref.Type = Named("Independent")
	case domain.CoSellDeal:
		ref.Type = Named("Shared")
	default:
		ref.Type = Named(string(d.Type))
	}
	switch d.Direction {
	case "":
	case domain.Inbound:
		ref.Direction = Named("Incoming")
	case domain.Outbound:
		ref.Direction = Named("Outgoing")
	default:
		ref.Direction = Named(string(d.Direction))
	}
	cp := &ReferralCustomerProfile{Name: d.Organization}
	if d.OrgCountry != "" {
		cp.Address = &ReferralAddress{Country: d.OrgCountry}
	}
	if d.CustomerID != "" {
		cp.IDs = map[string]any{"tenantId": d.CustomerID}
	}
	if d.Contact != (domain.Contact{}) {
		first, last := dealSplitName(d.Contact.Name)
		cp.Team = []ReferralPerson{{FirstName: first, LastName: last, Email: d.Contact.Email, PhoneNumber: d.Contact.Phone}}
	}
	ref.CustomerProfile = cp
	det := &ReferralDetails{DealValue: DealAmount(d.Value), Currency: d.Currency, ClosingDateTime: dealTimePtr(d.CloseDate)}
	if d.Solutions != nil {
		sols := make([]ReferralSolution, len(d.Solutions))
		for i, s := range d.Solutions {
			sols[i] = ReferralSolution{ID: s.ID, Pcctl: &SolutionPcctl{Source: string(s.Source), Quantity: s.Quantity, UnitPrice: DealAmount(s.UnitPrice)}}
		}
		det.Requirements = &ReferralRequirements{Solutions: sols}
	}
	ref.Details = det
	if d.Team != nil {
		ref.Team = make([]ReferralPerson, len(d.Team))
		for i, e := range d.Team {
			ref.Team[i] = ReferralPerson{Email: e}
		}
	}
	if d.Notes != nil {
		ref.Notes = make([]ReferralNote, len(d.Notes))
		for i, n := range d.Notes {
			ref.Notes[i] = ReferralNote{Author: n.Author, CreatedDateTime: dealTimePtr(n.CreatedAt), Text: n.Text}
		}
	}
	return ref
}

// Record is the deal a referral describes. Names of enumerations are taken in any case
// (and pcctl's own: inbound, private…); a number must be in its enumeration. Fields
// Partner Center has and pcctl does not keep are dropped.
func (r Referral) Record() (workspace.DealRecord, error) {
	var out workspace.DealRecord
	d := &out.Deal
	d.ID, d.EngagementID, d.Name, d.StatusReason = r.ID, r.EngagementID, r.Name, r.StatusReason
	d.CreatedAt, d.UpdatedAt, d.ExpiresAt = dealTimeOf(r.CreatedDateTime), dealTimeOf(r.UpdatedDateTime), dealTimeOf(r.ExpirationDateTime)
	s, err := dealEnumName("status", r.Status, ReferralStatuses, nil)
	if err != nil {
		return out, err
	}
	d.Status = domain.DealStatus(s)
	if s, err = dealEnumName("substatus", r.Substatus, ReferralSubstatuses, nil); err != nil {
		return out, err
	}
	d.Substatus = domain.DealSubstatus(s)
	if s, err = dealEnumName("type", r.Type, ReferralTypes, map[string]string{"independent": string(domain.PrivateDeal),
		"shared": string(domain.CoSellDeal), "private": string(domain.PrivateDeal), "co-sell": string(domain.CoSellDeal)}); err != nil {
		return out, err
	}
	d.Type = domain.DealType(s)
	if s, err = dealEnumName("direction", r.Direction, ReferralDirections, map[string]string{"incoming": string(domain.Inbound),
		"outgoing": string(domain.Outbound), "inbound": string(domain.Inbound), "outbound": string(domain.Outbound)}); err != nil {
		return out, err
	}
	d.Direction = domain.DealDirection(s)
	if cp := r.CustomerProfile; cp != nil {
		d.Organization = cp.Name
		if cp.Address != nil {
			d.OrgCountry = cp.Address.Country
		}
		for k, v := range cp.IDs {
			if s, ok := v.(string); ok && strings.EqualFold(k, "tenantId") {
				d.CustomerID = s
			}
		}
		if len(cp.Team) > 0 {
			p := cp.Team[0]
			d.Contact = domain.Contact{Name: dealJoinName(p.FirstName, p.LastName), Email: p.Email, Phone: p.PhoneNumber}
		}
	}
	if r.Consent != nil {
		d.Consent = bool(r.Consent.ConsentToShareInfoWithOthers)
	}
	if det := r.Details; det != nil {
		d.Value, d.Currency, d.CloseDate = string(det.DealValue), det.Currency, dealTimeOf(det.ClosingDateTime)
		if det.Requirements != nil && det.Requirements.Solutions != nil {
			d.Solutions = make([]domain.Solution, len(det.Requirements.Solutions))
			for i, s := range det.Requirements.Solutions {
				d.Solutions[i] = s.Solution()
			}
		}
		if r.Notes == nil && strings.TrimSpace(det.Notes) != "" {
			d.Notes = []domain.Note{{Text: det.Notes}}
		}
	}
	if r.Team != nil {
		d.Team = make([]string, len(r.Team))
		for i, p := range r.Team {
			d.Team[i] = p.Email
		}
	}
	if r.Notes != nil {
		d.Notes = make([]domain.Note, len(r.Notes))
		for i, n := range r.Notes {
			d.Notes[i] = domain.Note{Author: n.Author, CreatedAt: dealTimeOf(n.CreatedDateTime), Text: n.Text}
		}
	}
	if p := r.Pcctl; p != nil {
		d.Version, out.Favorite = p.Version, p.Favorite
		d.SellerName, d.SellerEmail, d.SellerAccepted, d.IoTOEM = p.SellerName, p.SellerEmail, p.SellerAccepted, p.IoTOEM
	}
	return out, nil
}

// Solution is the domain's solution: an own solution when the pcctl object is absent.
func (s ReferralSolution) Solution() domain.Solution {
	if s.Pcctl == nil {
		return domain.Solution{ID: s.ID, Source: domain.OwnSolution}
	}
	return domain.Solution{ID: s.ID, Source: domain.SolutionSource(s.Pcctl.Source), Quantity: s.Pcctl.Quantity, UnitPrice: string(s.Pcctl.UnitPrice)}
}

// FromDealSolution describes a solution of a deal.
func FromDealSolution(s domain.Solution) ReferralSolution {
	return ReferralSolution{ID: s.ID, Pcctl: &SolutionPcctl{Source: string(s.Source), Quantity: s.Quantity, UnitPrice: DealAmount(s.UnitPrice)}}
}

// dealEnumName resolves e against names: a number indexes names, a name matching one in any
// case is that one, then alias (keys in lower case) maps pcctl's names; any other name
// is kept as sent.
func dealEnumName(field string, e Enum, names []string, alias map[string]string) (string, error) {
	name, ok := e.Resolve(names)
	if !ok {
		return "", NewError(CodeBadRequest, fmt.Sprintf("referral %s %d is not a number of the enumeration (0 to %d: %s)",
			field, e.Number, len(names)-1, strings.Join(names, ", ")))
	}
	if a, ok := alias[strings.ToLower(name)]; ok {
		return a, nil
	}
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n, nil
		}
	}
	return name, nil
}

// Strict parsing of the values a client asks for (query parameters, status changes):
// anything but the domain's values is a bad request naming the allowed ones.

var (
	dealStatusValues    = []domain.DealStatus{domain.DealNew, domain.DealActive, domain.DealClosed}
	dealSubstatusValues = []domain.DealSubstatus{domain.SubPending, domain.SubReceived, domain.SubAccepted, domain.SubWon,
		domain.SubLost, domain.SubDeclined, domain.SubExpired}
)

// ParseDealStatus reads a status (a name in any case, or its number), as what names it.
func ParseDealStatus(what string, e Enum) (domain.DealStatus, error) {
	name, ok := e.Resolve(ReferralStatuses)
	for _, s := range dealStatusValues {
		if ok && strings.EqualFold(name, string(s)) {
			return s, nil
		}
	}
	return "", NewError(CodeBadRequest, fmt.Sprintf("%s %s is not a referral status: expected New, Active or Closed (or 0, 1, 2)", what, dealEnumText(e)))
}

// ParseDealSubstatus reads a substatus (a name in any case, or its number).
func ParseDealSubstatus(what string, e Enum) (domain.DealSubstatus, error) {
	name, ok := e.Resolve(ReferralSubstatuses)
	for _, s := range dealSubstatusValues {
		if ok && strings.EqualFold(name, string(s)) {
			return s, nil
		}
	}
	return "", NewError(CodeBadRequest, fmt.Sprintf(
		"%s %s is not a referral substatus pcctl knows: expected Pending, Received, Accepted, Won, Lost, Declined or Expired", what, dealEnumText(e)))
}

// ParseDealDirection reads a direction: Incoming or Outgoing (Partner Center), inbound or
// outbound (pcctl), in any case, or a number.
func ParseDealDirection(what string, e Enum) (domain.DealDirection, error) {
	name, ok := e.Resolve(ReferralDirections)
	switch strings.ToLower(name) {
	case "incoming", "inbound":
		if ok {
			return domain.Inbound, nil
		}
	case "outgoing", "outbound":
		if ok {
			return domain.Outbound, nil
		}
	}
	return "", NewError(CodeBadRequest, fmt.Sprintf("%s %s is not a referral direction: expected Incoming or Outgoing (or inbound, outbound)", what, dealEnumText(e)))
}

// ParseDealType reads a type: Independent or Shared (Partner Center), private or co-sell
// (pcctl), in any case, or a number.
func ParseDealType(what string, e Enum) (domain.DealType, error) {
	name, ok := e.Resolve(ReferralTypes)
	switch strings.ToLower(name) {
	case "independent", "private":
		if ok {
			return domain.PrivateDeal, nil
		}
	case "shared", "co-sell":
		if ok {
			return domain.CoSellDeal, nil
		}
	}
	return "", NewError(CodeBadRequest, fmt.Sprintf("%s %s is not a referral type: expected Independent or Shared (or private, co-sell)", what, dealEnumText(e)))
}

// DealEnumParam is a query parameter's value as an enumeration: a whole number is a
// number, anything else a name.
func DealEnumParam(v string) Enum {
	if n, err := strconv.Atoi(v); err == nil {
		return Enum{Number: n, IsNum: true, Set: true}
	}
	return Named(v)
}

func dealEnumText(e Enum) string {
	if e.IsNum {
		return strconv.Itoa(e.Number)
	}
	return strconv.Quote(e.Name)
}

// ReferralUpdate is the body of PATCH (or PUT) on a referral: either a status change
// (status and substatus, as referral-update-request.json, with statusReason; or
// pcctl.action), or, when it has none, a change of content. Whatever else the body holds
// (a whole referral, as Partner Center clients send) is ignored.
type ReferralUpdate struct {
	Status          Enum                           `json:"status,omitzero"`
	Substatus       Enum                           `json:"substatus,omitzero"`
	StatusReason    string                         `json:"statusReason,omitempty"`
	Name            *string                        `json:"name,omitempty"`
	CustomerProfile *ReferralCustomerProfileUpdate `json:"customerProfile,omitempty"`
	Details         *ReferralDetailsUpdate         `json:"details,omitempty"`
	Pcctl           *ReferralUpdatePcctl           `json:"pcctl,omitempty"`
}

// ReferralCustomerProfileUpdate changes the customer contact: team[0], or none when team is [].
type ReferralCustomerProfileUpdate struct {
	Team *[]ReferralPerson `json:"team,omitempty"`
}

// ReferralDetailsUpdate changes the deal's value or currency.
type ReferralDetailsUpdate struct {
	DealValue *DealAmount `json:"dealValue,omitempty"`
	Currency  *string     `json:"currency,omitempty"`
}

// ReferralUpdatePcctl is what a change says that Partner Center has no name for: an action of
// the status model (domain.DealAction), and solutions to add or remove (by ID).
type ReferralUpdatePcctl struct {
	Action          string             `json:"action,omitempty"`
	AddSolutions    []ReferralSolution `json:"addSolutions,omitempty"`
	RemoveSolutions []string           `json:"removeSolutions,omitempty"`
}

// DealUserActions are the actions a PATCH may name in pcctl.action, with the status pair
// each leads to (none for close-duplicate, which Partner Center does not have).
var DealUserActions = []struct {
	Action            domain.DealAction
	Status            domain.DealStatus
	Substatus         domain.DealSubstatus
	ReferralAvailable bool
}{
	{domain.ActAccept, domain.DealActive, domain.SubAccepted, true},
	{domain.ActSellerAccept, domain.DealActive, domain.SubAccepted, true},
	{domain.ActDecline, domain.DealClosed, domain.SubDeclined, true},
	{domain.ActWin, domain.DealClosed, domain.SubWon, true},
	{domain.ActLose, domain.DealClosed, domain.SubLost, true},
	{domain.ActDuplicate, "", "", false},
}

// DealStatusUpdate describes an action as a PATCH body.
func DealStatusUpdate(action domain.DealAction, reason string) ReferralUpdate {
	u := ReferralUpdate{StatusReason: reason, Pcctl: &ReferralUpdatePcctl{Action: string(action)}}
	for _, a := range DealUserActions {
		if a.Action == action && a.ReferralAvailable {
			u.Status, u.Substatus = Named(string(a.Status)), Named(string(a.Substatus))
		}
	}
	return u
}

// IsStatusChange tells whether the update changes the status rather than the content.
func (u ReferralUpdate) IsStatusChange() bool {
	return u.Status.Set || u.Substatus.Set || u.Pcctl != nil && u.Pcctl.Action != ""
}

// Action is the action of a status change. ambiguous is true when the body names
// Active/Accepted without pcctl.action: accept for an inbound deal, seller-accept for an
// outbound one (the caller looks at the deal).
func (u ReferralUpdate) Action() (action domain.DealAction, ambiguous bool, err error) {
	var st domain.DealStatus
	var sub domain.DealSubstatus
	if u.Substatus.Set {
		if sub, err = ParseDealSubstatus("substatus", u.Substatus); err != nil {
			return "", false, err
		}
	}
	if u.Status.Set {
		if st, err = ParseDealStatus("status", u.Status); err != nil {
			return "", false, err
		}
	}
	explicit := ""
	if u.Pcctl != nil {
		explicit = u.Pcctl.Action
	}
	if explicit != "" {
		for _, a := range DealUserActions {
			if string(a.Action) != explicit {
				continue
			}
			if (st != "" || sub != "") && (st != "" && st != a.Status || sub != a.Substatus) {
				if !a.ReferralAvailable {
					return "", false, NewError(CodeBadRequest, fmt.Sprintf(
						"pcctl.action %s has no status in Partner Center: send it without status and substatus", explicit))
				}
				return "", false, NewError(CodeBadRequest, fmt.Sprintf(
					"pcctl.action %s leads to %s/%s, not to the status and substatus sent (%s/%s)", explicit, a.Status, a.Substatus, dealOrNone(string(st)), dealOrNone(string(sub))))
			}
			return a.Action, false, nil
		}
		return "", false, NewError(CodeBadRequest, fmt.Sprintf(
			"pcctl.action %q is not an action on a deal: expected accept, seller-accept, decline, close-won, close-lost or close-duplicate", explicit))
	}
	if sub == "" {
		return "", false, NewError(CodeBadRequest, "a status change needs the substatus: Active/Accepted, Closed/Declined, Closed/Won or Closed/Lost")
	}
	switch {
	case sub == domain.SubAccepted && (st == "" || st == domain.DealActive):
		return domain.ActAccept, true, nil
	case sub == domain.SubDeclined && (st == "" || st == domain.DealClosed):
		return domain.ActDecline, false, nil
	case sub == domain.SubWon && (st == "" || st == domain.DealClosed):
		return domain.ActWin, false, nil
	case sub == domain.SubLost && (st == "" || st == domain.DealClosed):
		return domain.ActLose, false, nil
	}
	return "", false, NewError(CodeBadRequest, fmt.Sprintf(
		"%s/%s is not a status a referral can be given: expected Active/Accepted, Closed/Declined, Closed/Won or Closed/Lost "+
			"(New and Closed/Expired are set by pcctl itself; close as duplicate with \"pcctl\": {\"action\": \"close-duplicate\"})",
		dealOrNone(string(st)), sub))
}

func dealOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// DealContentUpdate describes a change of content as a PATCH body.
func DealContentUpdate(ch workspace.DealChange) ReferralUpdate {
	u := ReferralUpdate{Name: ch.Name}
	if ch.Value != nil || ch.Currency != nil {
		u.Details = &ReferralDetailsUpdate{Currency: ch.Currency}
		if ch.Value != nil {
			v := DealAmount(*ch.Value)
			u.Details.DealValue = &v
		}
	}
	if ch.Contact != nil {
		team := []ReferralPerson{}
		if *ch.Contact != (domain.Contact{}) {
			first, last := dealSplitName(ch.Contact.Name)
			team = append(team, ReferralPerson{FirstName: first, LastName: last, Email: ch.Contact.Email, PhoneNumber: ch.Contact.Phone})
		}
		u.CustomerProfile = &ReferralCustomerProfileUpdate{Team: &team}
	}
	if ch.AddSolutions != nil || ch.RemoveSolutions != nil {
		u.Pcctl = &ReferralUpdatePcctl{RemoveSolutions: ch.RemoveSolutions}
		for _, s := range ch.AddSolutions {
			u.Pcctl.AddSolutions = append(u.Pcctl.AddSolutions, FromDealSolution(s))
		}
	}
	return u
}

// Change is the change of content the update asks for.
func (u ReferralUpdate) Change() workspace.DealChange {
	ch := workspace.DealChange{Name: u.Name}
	if u.Details != nil {
		ch.Currency = u.Details.Currency
		if u.Details.DealValue != nil {
			v := string(*u.Details.DealValue)
			ch.Value = &v
		}
	}
	if u.CustomerProfile != nil && u.CustomerProfile.Team != nil {
		c := domain.Contact{}
		if team := *u.CustomerProfile.Team; len(team) > 0 {
			c = domain.Contact{Name: dealJoinName(team[0].FirstName, team[0].LastName), Email: team[0].Email, Phone: team[0].PhoneNumber}
		}
		ch.Contact = &c
	}
	if u.Pcctl != nil {
		ch.RemoveSolutions = u.Pcctl.RemoveSolutions
		for _, s := range u.Pcctl.AddSolutions {
			ch.AddSolutions = append(ch.AddSolutions, s.Solution())
		}
	}
	return ch
}

// DealNoteRequest is the body of POST DealsPath/{id}/notes.
type DealNoteRequest struct {
	Text string `json:"text"`
}

// DealImportRow is one row of a deal import's NDJSON body: every field of
// workspace.DealImportRow, the deal as a referral.
type DealImportRow struct {
	Line       int      `json:"line"`
	Deal       Referral `json:"deal"`
	NameColumn int      `json:"nameColumn,omitempty"`
	// The optional pin to a customer (workspace.DealImportRow).
	CustomerDomain string     `json:"customerDomain,omitempty"`
	CustomerID     string     `json:"customerId,omitempty"`
	PinColumn      int        `json:"pinColumn,omitempty"`
	Fingerprint    string     `json:"fingerprint,omitempty"`
	Duplicate      bool       `json:"duplicate,omitempty"`
	Errors         []RowError `json:"errors,omitzero"`
}

func dealFromRowErrors(errs []workspace.RowError) []RowError {
	if errs == nil {
		return nil
	}
	out := make([]RowError, len(errs))
	for i, e := range errs {
		out[i] = RowError(e)
	}
	return out
}

func dealRowErrors(errs []RowError) []workspace.RowError {
	if errs == nil {
		return nil
	}
	out := make([]workspace.RowError, len(errs))
	for i, e := range errs {
		out[i] = workspace.RowError(e)
	}
	return out
}

// FromDealImportRow describes a row to import.
func FromDealImportRow(r workspace.DealImportRow) DealImportRow {
	return DealImportRow{Line: r.Line, Deal: fromDeal(r.Deal), NameColumn: r.NameColumn, Fingerprint: r.Fingerprint,
		CustomerDomain: r.CustomerDomain, CustomerID: r.CustomerID, PinColumn: r.PinColumn,
		Duplicate: r.Duplicate, Errors: dealFromRowErrors(r.Errors)}
}

// Row is the row to import.
func (r DealImportRow) Row() (workspace.DealImportRow, error) {
	rec, err := r.Deal.Record()
	if err != nil {
		return workspace.DealImportRow{}, err
	}
	return workspace.DealImportRow{Line: r.Line, Deal: rec.Deal, NameColumn: r.NameColumn, Fingerprint: r.Fingerprint,
		CustomerDomain: r.CustomerDomain, CustomerID: r.CustomerID, PinColumn: r.PinColumn,
		Duplicate: r.Duplicate, Errors: dealRowErrors(r.Errors)}, nil
}

// DealImportResult is the answer of an import: what happened to each row, whether
// anything was written, how many prospect organisations were created. The server writes
// rows one at a time and the client reads them so.
type DealImportResult struct {
	Rows        []DealImportRowResult `json:"rows"`
	Written     bool                  `json:"written"`
	OrgsCreated int                   `json:"orgsCreated"`
	Attributes  Attributes            `json:"attributes"`
}

// DealImportRowResult is the report of one row (workspace.DealImportRowResult), with the
// columns of Partner Center's migration report.
type DealImportRowResult struct {
	Line          int        `json:"line"`
	OpportunityID string     `json:"opportunityId"`
	ReferralID    string     `json:"referralId,omitempty"`
	EngagementID  string     `json:"engagementId,omitempty"`
	Name          string     `json:"name"`
	Outcome       string     `json:"outcome"`
	Errors        []RowError `json:"errors,omitzero"`
	Resolution    string     `json:"customerResolution,omitempty"`
}

// FromDealImportRowResult describes the report of one row.
func FromDealImportRowResult(r workspace.DealImportRowResult) DealImportRowResult {
	return DealImportRowResult{Line: r.Line, OpportunityID: r.OpportunityID, ReferralID: r.ReferralID, EngagementID: r.EngagementID,
		Name: r.Name, Outcome: string(r.Outcome), Errors: dealFromRowErrors(r.Errors), Resolution: string(r.Resolution)}
}

// Result is the report of the row.
func (r DealImportRowResult) Result() workspace.DealImportRowResult {
	return workspace.DealImportRowResult{Line: r.Line, OpportunityID: r.OpportunityID, ReferralID: r.ReferralID,
		EngagementID: r.EngagementID, Name: r.Name, Outcome: workspace.DealOutcome(r.Outcome), Errors: dealRowErrors(r.Errors),
		Resolution: workspace.Resolution(r.Resolution)}
}

// FromDealImportResult describes a whole import's result (tests; the server streams it).
func FromDealImportResult(res workspace.DealImportResult) DealImportResult {
	out := DealImportResult{Rows: make([]DealImportRowResult, len(res.Rows)), Written: res.Written, OrgsCreated: res.OrgsCreated,
		Attributes: Attributes{ObjectType: "DealImportResult"}}
	for i, r := range res.Rows {
		out.Rows[i] = FromDealImportRowResult(r)
	}
	return out
}

// DealImportItem is one line of a deal import's body: a row, or, after the last row,
// {"end": N} with the number of rows sent. A body without its end line was cut short.
type DealImportItem struct {
	DealImportRow
	End *int `json:"end,omitempty"`
}
