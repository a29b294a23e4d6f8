package domain

import (
	"fmt"
	"strings"
	"time"
)

// Co-sell deals (001), with the status model of the Partner Center Referrals API: New
// (Pending or Received), Active (Accepted), Closed (Won, Lost, Declined, Expired). Closed
// is terminal.

// DealStatus is a deal's status.
type DealStatus string

// DealSubstatus refines the status.
type DealSubstatus string

// The statuses and substatuses of the Referrals API.
const (
	DealNew    DealStatus = "New"
	DealActive DealStatus = "Active"
	DealClosed DealStatus = "Closed"

	SubPending  DealSubstatus = "Pending"  // outbound co-sell: waiting for the Microsoft seller
	SubReceived DealSubstatus = "Received" // inbound: waiting for the partner
	SubAccepted DealSubstatus = "Accepted"
	SubWon      DealSubstatus = "Won"
	SubLost     DealSubstatus = "Lost"
	SubDeclined DealSubstatus = "Declined"
	SubExpired  DealSubstatus = "Expired"
)

// DealDirection tells who started the deal.
type DealDirection string

// The directions (001): inbound deals come from a Microsoft seller, outbound ones from
// the partner.
const (
	Inbound  DealDirection = "inbound"
	Outbound DealDirection = "outbound"
)

// DealType tells whether Microsoft is asked to help.
type DealType string

// The types (001): a private pipeline deal is shared without Microsoft's help; a co-sell
// deal asks a Microsoft seller for help.
const (
	PrivateDeal DealType = "private"
	CoSellDeal  DealType = "co-sell"
)

// DealTTL is how long an inbound deal waits for the partner, and an outbound co-sell
// invitation for the Microsoft seller, before it expires (001).
const DealTTL = 14 * 24 * time.Hour

// MaxSolutions is how many solutions a deal holds at most (001).
const MaxSolutions = 50

// SolutionSource is where a solution comes from (001): mixed freely on one deal.
type SolutionSource string

// The sources of solutions.
const (
	OwnSolution          SolutionSource = "own"       // the partner's own co-sell solution
	MicrosoftSKU         SolutionSource = "microsoft" // a Microsoft first-party SKU
	OtherPartnerSolution SolutionSource = "partner"   // another partner's co-sell solution
)

// Solution is one solution of a deal. Quantity and unit price exist only for Microsoft
// first-party SKUs (001).
type Solution struct {
	ID        string
	Source    SolutionSource
	Quantity  int    // 0 when not given
	UnitPrice string // decimal, "" when not given
}

// Incentive reports whether the solution makes a won deal eligible for registration:
// Microsoft first-party SKUs carry the incentives.
func (s Solution) Incentive() bool { return s.Source == MicrosoftSKU }

// Contact is the customer contact of a deal.
type Contact struct {
	Name, Email, Phone string
}

// Deal is a co-sell deal.
type Deal struct {
	ID string // the PSC opportunity ID for migrated deals (001)
	// EngagementID groups the referrals of one opportunity, as Partner Center's
	// engagementId does; pcctl gives every deal its own engagement.
	EngagementID string
	Name         string
	Direction    DealDirection
	Type         DealType
	Status       DealStatus
	Substatus    DealSubstatus
	CreatedAt    time.Time
	// ExpiresAt is when a New deal expires if nobody acts: 14 days after it was received
	// (inbound) or created (outbound co-sell). Zero for deals that do not expire.
	ExpiresAt time.Time
	Solutions []Solution
	Contact   Contact
	Consent   bool
	// SellerAccepted records that the Microsoft seller took the deal: only then are the
	// seller's details shown to the partner (001).
	SellerAccepted bool
	IoTOEM         bool
	CloseDate      time.Time // estimated close date, IoT OEM deals only (001)

	// The customer organisation (mandatory, 001): an existing customer, or a prospect
	// organisation kept in the workspace.
	CustomerID   string // tenant ID when the organisation is a customer
	Organization string // company name (the customer's, or the prospect's)
	OrgCountry   string // the prospect's country
	Value        string // estimated value, a decimal with at most 2 decimals
	Currency     string // ISO 4217
	SellerName   string // the Microsoft seller; shown only once the seller accepted
	SellerEmail  string
	StatusReason string // why it was declined, won or lost
	Team         []string
	Notes        []Note
	UpdatedAt    time.Time
	Version      int // bumped by every write: a stale update is refused
}

// Note is an entry of a deal's notes: everything about customer interactions (001).
type Note struct {
	Author    string
	CreatedAt time.Time
	Text      string
}

// ParseAmount checks a deal value: a non-negative decimal with at most two decimals,
// returned in canonical form ("50000", "1234.5" stay; "0050.10" becomes "50.10").
func ParseAmount(s string) (string, error) {
	t := strings.TrimSpace(s)
	bad := &InvalidError{Field: "value", Value: s, Reason: "is not an amount (digits, with at most 2 decimals after a dot, such as 50000 or 1234.50)"}
	whole, frac, hasDot := strings.Cut(t, ".")
	if whole == "" || len(frac) > 2 || hasDot && frac == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return "", bad
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 15 {
		return "", &InvalidError{Field: "value", Value: s, Reason: "is too large"}
	}
	if hasDot {
		return whole + "." + frac, nil
	}
	return whole, nil
}

// ParseCurrency checks an ISO 4217 currency code and returns it in upper case.
func ParseCurrency(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if len(c) != 3 || !strings.Contains(currencyCodes, " "+c+" ") {
		return "", &InvalidError{Field: "currency", Value: s, Reason: "is not an ISO 4217 currency code (such as EUR, USD, GBP)"}
	}
	return c, nil
}

// currencyCodes are the active ISO 4217 currency codes.
const currencyCodes = " AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL "

// ParseSolution reads a solution as the command line gives it: [SOURCE:]ID, with SOURCE
// own (the default), microsoft or partner; a Microsoft SKU may add :QUANTITY[:UNITPRICE].
func ParseSolution(s string) (Solution, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	sol := Solution{Source: OwnSolution}
	switch SolutionSource(strings.ToLower(parts[0])) {
	case OwnSolution, MicrosoftSKU, OtherPartnerSolution:
		if len(parts) < 2 {
			return sol, &InvalidError{Field: "solution", Value: s, Reason: "has a source but no ID (as in microsoft:CFQ7TTC0LF8Q:25:12.50)"}
		}
		sol.Source, parts = SolutionSource(strings.ToLower(parts[0])), parts[1:]
	}
	sol.ID = strings.TrimSpace(parts[0])
	if sol.ID == "" {
		return sol, &InvalidError{Field: "solution", Value: s, Reason: "has an empty ID"}
	}
	rest := parts[1:]
	if len(rest) > 0 && sol.Source != MicrosoftSKU {
		return sol, &InvalidError{Field: "solution", Value: s, Reason: "takes no quantity or unit price: only Microsoft SKUs do"}
	}
	if len(rest) > 2 {
		return sol, &InvalidError{Field: "solution", Value: s, Reason: "has too many parts (microsoft:SKU:QUANTITY:UNITPRICE)"}
	}
	if len(rest) >= 1 {
		n := 0
		if _, err := fmt.Sscanf(rest[0], "%d", &n); err != nil || n < 1 || fmt.Sprint(n) != rest[0] {
			return sol, &InvalidError{Field: "solution", Value: s, Reason: "has a quantity that is not a whole number of at least 1"}
		}
		sol.Quantity = n
	}
	if len(rest) == 2 {
		p, err := ParseAmount(rest[1])
		if err != nil {
			return sol, &InvalidError{Field: "solution", Value: s, Reason: "has a unit price that is not an amount"}
		}
		sol.UnitPrice = p
	}
	return sol, nil
}

// String writes the solution back in the form ParseSolution reads.
func (s Solution) String() string {
	out := string(s.Source) + ":" + s.ID
	if s.Quantity > 0 {
		out += fmt.Sprintf(":%d", s.Quantity)
		if s.UnitPrice != "" {
			out += ":" + s.UnitPrice
		}
	}
	return out
}

// DealAction is something done to a deal.
type DealAction string

// The actions of the transition table.
const (
	ActAccept       DealAction = "accept"     // the partner accepts an inbound deal
	ActDecline      DealAction = "decline"    // the partner declines an inbound deal
	ActWin          DealAction = "close-won"  // the partner closes a deal as won
	ActLose         DealAction = "close-lost" // the partner closes a deal as lost
	ActDuplicate    DealAction = "close-duplicate"
	ActSellerAccept DealAction = "seller-accept" // the Microsoft seller takes an outbound co-sell invitation
	ActEdit         DealAction = "edit"          // any change of content: fields, solutions, notes, team
	ActExpire       DealAction = "expire"
)

// DealActions lists every action, for tests and help.
var DealActions = []DealAction{ActAccept, ActDecline, ActWin, ActLose, ActDuplicate, ActSellerAccept, ActEdit, ActExpire}

type dealState struct {
	s  DealStatus
	ss DealSubstatus
}

// transitions is the status model: from a state, the actions allowed and where they lead.
// ActEdit keeps the state. Anything not listed is refused.
var transitions = map[dealState]map[DealAction]dealState{
	{DealNew, SubReceived}: {
		ActAccept:  {DealActive, SubAccepted},
		ActDecline: {DealClosed, SubDeclined},
		ActExpire:  {DealClosed, SubExpired},
		ActEdit:    {DealNew, SubReceived},
	},
	{DealNew, SubPending}: {
		ActSellerAccept: {DealActive, SubAccepted},
		ActWin:          {DealClosed, SubWon},
		ActLose:         {DealClosed, SubLost},
		ActExpire:       {DealClosed, SubExpired},
		ActEdit:         {DealNew, SubPending},
	},
	{DealActive, SubAccepted}: {
		ActWin:  {DealClosed, SubWon},
		ActLose: {DealClosed, SubLost},
		ActEdit: {DealActive, SubAccepted},
	},
}

// Expired reports whether a New deal is past its expiry at now.
func (d Deal) Expired(now time.Time) bool {
	return d.Status == DealNew && !d.ExpiresAt.IsZero() && !now.Before(d.ExpiresAt)
}

// ApplyExpiry closes a New deal that has passed its expiry, as Closed/Expired. It is
// applied whenever deals are read or written, so no background process is needed.
func ApplyExpiry(d Deal, now time.Time) (Deal, bool) {
	if !d.Expired(now) {
		return d, false
	}
	d.Status, d.Substatus = DealClosed, SubExpired
	return d, true
}

// Transition applies action to d at now, after expiry, and returns the deal in its new
// state, or a *RuleError naming the rule that refuses it.
func Transition(d Deal, action DealAction, now time.Time) (Deal, error) {
	d, _ = ApplyExpiry(d, now)
	if action == ActDuplicate {
		return d, &RuleError{Rule: "no-duplicate", Msg: "closing a deal as duplicate is not available in Partner Center: close it as lost, with the reason in a note"}
	}
	if d.Status == DealClosed {
		if action == ActAccept && d.Substatus == SubExpired {
			return d, &RuleError{Rule: "deal-expired", Msg: fmt.Sprintf(
				"deal %s expired on %s (not accepted within 14 days) and can no longer be accepted", d.ID, d.ExpiresAt.UTC().Format("2006-01-02"))}
		}
		return d, &RuleError{Rule: "deal-closed", Msg: fmt.Sprintf(
			"deal %s is closed (%s): a closed deal can no longer be changed", d.ID, strings.ToLower(string(d.Substatus)))}
	}
	next, ok := transitions[dealState{d.Status, d.Substatus}][action]
	if !ok {
		return d, &RuleError{Rule: "transition", Msg: fmt.Sprintf(
			"a deal that is %s/%s cannot be %s", d.Status, d.Substatus, actionWords[action])}
	}
	if action == ActSellerAccept {
		d.SellerAccepted = true
	}
	if next.s != DealNew {
		d.ExpiresAt = time.Time{}
	}
	d.Status, d.Substatus = next.s, next.ss
	return d, nil
}

var actionWords = map[DealAction]string{
	ActAccept: "accepted", ActDecline: "declined", ActWin: "closed as won", ActLose: "closed as lost",
	ActSellerAccept: "accepted by the Microsoft seller", ActEdit: "edited", ActExpire: "expired",
}

// NewOutboundDeal starts a deal the partner creates: a private pipeline deal is active at
// once; a co-sell deal waits for the Microsoft seller for 14 days.
func NewOutboundDeal(d Deal, now time.Time) Deal {
	d.Direction, d.CreatedAt = Outbound, now
	if d.Type == CoSellDeal {
		d.Status, d.Substatus, d.ExpiresAt = DealNew, SubPending, now.Add(DealTTL)
	} else {
		d.Type, d.Status, d.Substatus = PrivateDeal, DealActive, SubAccepted
	}
	return d
}

// NewInboundDeal records a deal a Microsoft seller sent: it waits for the partner for 14
// days. The seller sent it, so the seller is involved.
func NewInboundDeal(d Deal, now time.Time) Deal {
	d.Direction, d.Type, d.CreatedAt = Inbound, CoSellDeal, now
	d.Status, d.Substatus, d.ExpiresAt = DealNew, SubReceived, now.Add(DealTTL)
	d.SellerAccepted = true
	return d
}

// CheckDeal checks the content rules of a deal (001): a name; 1 to 50 solutions, with a
// quantity and unit price only on Microsoft SKUs; a customer contact and explicit consent
// when Microsoft is asked to help; an estimated close date only for IoT OEM deals.
func CheckDeal(d Deal) error {
	if strings.TrimSpace(d.Name) == "" {
		return &InvalidError{Field: "name", Reason: "is empty"}
	}
	for _, f := range []struct{ name, value string }{{"name", d.Name}, {"contactName", d.Contact.Name},
		{"contactPhone", d.Contact.Phone}, {"sellerName", d.SellerName}, {"statusReason", d.StatusReason}} {
		if err := CheckText(f.name, f.value); err != nil {
			return err
		}
	}
	for _, n := range d.Notes {
		if err := CheckMultilineText("note", n.Text); err != nil {
			return err
		}
	}
	switch n := len(d.Solutions); {
	case n == 0:
		return &InvalidError{Field: "solution", Reason: "is missing: a deal holds 1 to 50 solutions"}
	case n > MaxSolutions:
		return &RuleError{Rule: "max-solutions", Msg: fmt.Sprintf("a deal holds at most %d solutions, not %d", MaxSolutions, n)}
	}
	seen := map[string]bool{}
	for _, s := range d.Solutions {
		if strings.TrimSpace(s.ID) == "" {
			return &InvalidError{Field: "solution", Reason: "has an empty ID"}
		}
		key := string(s.Source) + ":" + s.ID
		if seen[key] {
			return &InvalidError{Field: "solution", Value: s.ID, Reason: "is on the deal twice"}
		}
		seen[key] = true
		switch s.Source {
		case OwnSolution, OtherPartnerSolution:
			if s.Quantity != 0 || s.UnitPrice != "" {
				return &InvalidError{Field: "solution", Value: s.ID, Reason: "takes no quantity or unit price: only Microsoft SKUs do"}
			}
		case MicrosoftSKU:
			if s.Quantity < 0 {
				return &InvalidError{Field: "solution", Value: s.ID, Reason: "has a negative quantity"}
			}
		default:
			return &InvalidError{Field: "solution", Value: string(s.Source), Reason: "is not a solution source (allowed: own, microsoft, partner)"}
		}
	}
	if d.Type == CoSellDeal && d.Direction == Outbound {
		if d.Contact.Name == "" || d.Contact.Email == "" || d.Contact.Phone == "" {
			return &RuleError{Rule: "co-sell-contact", Msg: "a co-sell deal (Microsoft invited) needs the customer contact's name, email and phone"}
		}
		if !d.Consent {
			return &RuleError{Rule: "co-sell-consent", Msg: "a co-sell deal (Microsoft invited) needs the customer's explicit consent to share its details (--consent)"}
		}
	}
	if !d.CloseDate.IsZero() && !d.IoTOEM {
		return &RuleError{Rule: "close-date-iot-only", Msg: "an estimated close date exists only for IoT OEM deals"}
	}
	return nil
}

// RegistrationEligibility tells whether a deal can be registered (001, Q7): it is won, an
// incentive solution is attached, and a Microsoft seller is involved (the seller sent it,
// or accepted the partner's invitation). It returns the reasons when it is not.
func RegistrationEligibility(d Deal) (eligible bool, missing []string) {
	if d.Substatus != SubWon {
		missing = append(missing, "the deal is not won")
	}
	incentive := false
	for _, s := range d.Solutions {
		incentive = incentive || s.Incentive()
	}
	if !incentive {
		missing = append(missing, "no incentive solution (a Microsoft SKU) is attached")
	}
	if !d.SellerAccepted {
		missing = append(missing, "no Microsoft seller is involved")
	}
	return len(missing) == 0, missing
}
