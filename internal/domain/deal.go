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
	ID        string // the PSC opportunity ID for migrated deals (001)
	Name      string
	Direction DealDirection
	Type      DealType
	Status    DealStatus
	Substatus DealSubstatus
	CreatedAt time.Time
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
