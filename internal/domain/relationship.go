package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Customer relationships (003, 004): the partner asks an existing customer for a reseller
// relationship (a link the customer's admin opens and accepts, possibly on behalf of one
// of the provider's active indirect resellers), ends it (relationship "none": the customer
// stays, with its history, out of the default views), and reinstates it by asking again.
// While it lasts, subscriptions can be suspended and reactivated, and the customer may be
// given permission to buy its own products or services.

// RelationshipNone is the relationship of a customer whose relationship with the partner
// ended (Partner Center's relationshipToPartner "none").
const RelationshipNone = "none"

// Ended reports whether the customer's relationship with the partner ended.
func (c Customer) Ended() bool { return c.Relationship == RelationshipNone }

// RelationshipRequestStatus is where a relationship request stands.
type RelationshipRequestStatus string

// The statuses of a relationship request.
const (
	RelationshipPending  RelationshipRequestStatus = "pending"
	RelationshipExpired  RelationshipRequestStatus = "expired"
	RelationshipAccepted RelationshipRequestStatus = "accepted"
)

// RelationshipRequest is a request to an existing customer for a reseller relationship: a
// single-use link, valid as long as a partnership request is (InvitationTTL).
type RelationshipRequest struct {
	// Token is the secret of the link: drawn by the workspace (never chosen by a client),
	// single use.
	Token        string
	CustomerID   string
	CustomerName string
	Domain       string
	// ResellerMPNID is the active indirect reseller the request is made on behalf of; ""
	// for the partner itself.
	ResellerMPNID string
	Email         string // the customer's admin the draft is addressed to; "" when not given
	Subject       string
	Body          string // holds the acceptance link
	CreatedAt     time.Time
	AcceptedAt    time.Time // zero until used
	// Link is the acceptance link when the workspace knows it: in a workspace linked to
	// Partner Center, the one Partner Center gives. Empty for pcctl's own link, which the
	// command makes of invite_base_url and Token.
	Link string
}

// ExpiresAt is when the request can no longer be accepted.
func (r RelationshipRequest) ExpiresAt() time.Time { return r.CreatedAt.Add(InvitationTTL) }

// Status is pending, expired or accepted at now.
func (r RelationshipRequest) Status(now time.Time) RelationshipRequestStatus {
	switch {
	case !r.AcceptedAt.IsZero():
		return RelationshipAccepted
	case !now.Before(r.ExpiresAt()):
		return RelationshipExpired
	}
	return RelationshipPending
}

// CheckRelationshipAcceptance refuses a request that cannot be accepted now: used or
// expired.
func CheckRelationshipAcceptance(r RelationshipRequest, now time.Time) error {
	if !r.AcceptedAt.IsZero() {
		return &RuleError{Rule: "relationship-request-used", Msg: fmt.Sprintf(
			"this relationship request was already accepted on %s; a link can be used once",
			r.AcceptedAt.UTC().Format("2006-01-02"))}
	}
	if !now.Before(r.ExpiresAt()) {
		return &RuleError{Rule: "relationship-request-expired", Msg: fmt.Sprintf(
			"this relationship request expired on %s (requests last 30 days); ask the partner for a new one",
			r.ExpiresAt().UTC().Format("2006-01-02"))}
	}
	return nil
}

// CheckRelationshipRequest refuses asking a customer for the relationship it already has:
// with the partner directly (resellerMPNID "") or through the same reseller. A customer
// whose relationship ended may always be asked again: that reinstates it.
func CheckRelationshipRequest(c Customer, resellerMPNID string) error {
	if c.Ended() || c.ResellerMPNID != resellerMPNID {
		return nil
	}
	how := "with you"
	if resellerMPNID != "" {
		how = "through the indirect reseller " + resellerMPNID
	}
	return &RuleError{Rule: "relationship-exists", Msg: fmt.Sprintf(
		"%s (%s) already has a reseller relationship %s: no request needed", c.CompanyName, c.Domain, how)}
}

// Accept is the customer once the request is accepted: the relationship (reinstated if it
// had ended) and, when the request named one, the reseller.
func (r RelationshipRequest) Accept(c Customer) Customer {
	if c.Ended() || c.Relationship == "" {
		c.Relationship = DefaultRelationship
	}
	if r.ResellerMPNID != "" {
		c.ResellerMPNID = r.ResellerMPNID
	}
	return c
}

// DraftRelationshipRequest writes the email asking the customer for the relationship:
// subject and body, with the link. A custom text follows the rules of DraftInvitation
// (a first "Subject:" line, LinkPlaceholder where the link goes, refused without it).
// resellerName is the reseller the request is made on behalf of ("" for none). A zero
// expires (Partner Center's link, in a linked workspace, is neither single use nor
// expiring) leaves out the sentence on the link's use and expiry.
func DraftRelationshipRequest(provider, customerName, resellerName, link string, expires time.Time, custom string) (subject, body string, err error) {
	subject = "Request for a reseller relationship"
	who := "We"
	if provider != "" {
		subject, who = provider+": request for a reseller relationship", provider
	}
	if custom != "" {
		return customMessage(subject, link, custom)
	}
	if resellerName != "" {
		partner := "us"
		if provider != "" {
			partner = provider
		}
		who = resellerName + ", working with " + partner + ","
	}
	body = "Hello " + customerName + ",\n\n" +
		who + " would like to be your partner in the Microsoft Cloud Solution Provider\n" +
		"program, managing your subscriptions and buying products and services for you.\n\n" +
		"To accept this reseller relationship, a global administrator of your organisation opens\n" +
		"this link, signs in and accepts:\n\n" +
		"    " + link + "\n"
	if !expires.IsZero() {
		body += "\nThe link is personal to this request, can be used once, and expires on " + expires.UTC().Format("2 January 2006") + ".\n"
	}
	return subject, body, nil
}

// customMessage applies a user's text to a draft: a first line "Subject: ..." sets the
// subject, LinkPlaceholder is replaced by the link, a text without the link is refused.
func customMessage(subject, link, custom string) (string, string, error) {
	if err := CheckMessageText("message", custom); err != nil {
		return "", "", err
	}
	if s, rest, ok := strings.Cut(custom, "\n"); ok && strings.HasPrefix(strings.ToLower(s), "subject:") {
		subject, custom = strings.TrimSpace(s[len("subject:"):]), strings.TrimLeft(rest, "\r\n")
	}
	if !strings.Contains(custom, LinkPlaceholder) && !strings.Contains(custom, link) {
		return "", "", &InvalidError{Field: "message", Reason: "does not hold the acceptance link: write " + LinkPlaceholder +
			" where it goes (the link is personalised for your account; the request is useless without it)"}
	}
	return subject, strings.ReplaceAll(custom, LinkPlaceholder, link), nil
}

// CheckMessageText refuses, in a text of several lines (an email's body), what has no
// place in one: invalid UTF-8, control characters other than line breaks and tabs, and
// the bidirectional overrides and isolates that make a text read otherwise than it is
// stored (a link shown reversed).
func CheckMessageText(field, s string) error {
	if !utf8.ValidString(s) {
		return &InvalidError{Field: field, Reason: "is not valid UTF-8 text"}
	}
	line := 1
	for _, r := range s {
		switch {
		case r == '\n':
			line++
		case r == '\r' || r == '\t':
		case unicode.IsControl(r):
			return &InvalidError{Field: field, Reason: fmt.Sprintf("has a control character (U+%04X) on line %d", r, line)}
		case isBidiControl(r):
			return &InvalidError{Field: field, Reason: fmt.Sprintf("has a bidirectional text control (U+%04X) on line %d, which would show the text otherwise than it is", r, line)}
		}
	}
	return nil
}

// isBidiControl is one of the explicit bidirectional formatting characters: embeddings,
// overrides, isolates and their terminators (U+202A–U+202E, U+2066–U+2069).
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// Blockers of ending a relationship (003; Partner Center's reference for removing a
// reseller relationship).
const (
	BlockerSubscription = "subscription"      // an active subscription: suspend it first
	BlockerReservation  = "reserved-instance" // an Azure reserved VM instance order: Azure support cancels it
)

// Blocker is something that keeps a relationship from ending.
type Blocker struct {
	Kind           string // BlockerSubscription or BlockerReservation
	SubscriptionID string
	Offer          string
}

func (b Blocker) String() string {
	if b.Kind == BlockerReservation {
		return fmt.Sprintf("the Azure reserved VM instance order %s (%s) is active: only Azure support can cancel it, ask them to", b.SubscriptionID, b.Offer)
	}
	return fmt.Sprintf("the subscription %s (%s) is active: suspend it first ('pcctl subscription suspend %s')", b.SubscriptionID, b.Offer, b.SubscriptionID)
}

// IsAzureReservation reports whether an offer is an Azure reserved VM instance order,
// which only Azure support can cancel and which cannot be suspended: its name speaks of a
// reservation or of reserved instances.
func IsAzureReservation(offer string) bool {
	o := strings.ToLower(offer)
	return strings.Contains(o, "reservation") || strings.Contains(o, "reserved") && strings.Contains(o, "instance")
}

// EndBlockers lists what keeps the customer's relationship from ending: every active
// subscription (suspend it first) and every active Azure reserved VM instance order.
func EndBlockers(subs []Subscription) []Blocker {
	var out []Blocker
	for _, s := range subs {
		if s.Status != SubscriptionActive {
			continue
		}
		kind := BlockerSubscription
		if IsAzureReservation(s.Offer) {
			kind = BlockerReservation
		}
		out = append(out, Blocker{Kind: kind, SubscriptionID: s.ID, Offer: s.Offer})
	}
	return out
}

// CheckEndRelationship refuses to end a relationship that ended already, or one with
// blockers, naming each (reserved instance orders first: they take longest).
func CheckEndRelationship(c Customer, subs []Subscription) error {
	if c.Ended() {
		return &RuleError{Rule: "relationship-ended", Msg: fmt.Sprintf(
			"the relationship with %s (%s) has already ended", c.CompanyName, c.Domain)}
	}
	bs := EndBlockers(subs)
	if len(bs) == 0 {
		return nil
	}
	var lines []string
	for _, kind := range []string{BlockerReservation, BlockerSubscription} {
		for _, b := range bs {
			if b.Kind == kind {
				lines = append(lines, "  - "+b.String())
			}
		}
	}
	return &RuleError{Rule: "relationship-blocked", Msg: fmt.Sprintf(
		"the relationship with %s (%s) cannot end yet:\n%s", c.CompanyName, c.Domain, strings.Join(lines, "\n"))}
}

// EndNotice is what ending a relationship asks the user to confirm (003, 004).
const EndNotice = `The customer keeps its history, flags and audit trail in pcctl, with the relationship
"none"; delegated admin access to its tenant ends with the relationship. A new
relationship request ('pcctl customers request-relationship') reinstates it.

You represent that the decision to discontinue your relationship with the customer was
made in good faith, for a legitimate business purpose, and in accordance with your
agreement with your customer. You must provide legal notice of termination to your
customer if your agreement requires it: this tool does not send any notice.`

// Subscription statuses.
const (
	SubscriptionActive    = "active"
	SubscriptionSuspended = "suspended"
)

// CheckSubscriptionStatus refuses a change of a subscription's status to `to` that the
// rules forbid: a status other than active or suspended (InvalidError); an Azure
// reservation, which Azure support cancels; a customer whose relationship ended; and
// suspending a subscription that is not active or reactivating one that is not suspended.
func CheckSubscriptionStatus(s Subscription, c Customer, to string) error {
	if to != SubscriptionActive && to != SubscriptionSuspended {
		return &InvalidError{Field: "status", Value: to, Reason: "is not a status a subscription can be set to (allowed: active, suspended)"}
	}
	verb := "suspended"
	if to == SubscriptionActive {
		verb = "reactivated"
	}
	switch {
	case IsAzureReservation(s.Offer):
		return &RuleError{Rule: "reservation", Msg: fmt.Sprintf(
			"the subscription %s (%s) is an Azure reserved VM instance order: it cannot be %s; only Azure support can cancel it", s.ID, s.Offer, verb)}
	case c.Ended():
		return &RuleError{Rule: "relationship-ended", Msg: fmt.Sprintf(
			"the relationship with %s (%s) has ended: its subscriptions cannot be %s; a new relationship request reinstates it", c.CompanyName, c.Domain, verb)}
	case to == SubscriptionSuspended && s.Status != SubscriptionActive:
		return &RuleError{Rule: "subscription-not-active", Msg: fmt.Sprintf(
			"the subscription %s (%s) is %s: only an active subscription can be suspended", s.ID, s.Offer, s.Status)}
	case to == SubscriptionActive && s.Status != SubscriptionSuspended:
		return &RuleError{Rule: "subscription-not-suspended", Msg: fmt.Sprintf(
			"the subscription %s (%s) is %s: only a suspended subscription can be reactivated", s.ID, s.Offer, s.Status)}
	}
	return nil
}

// CheckPurchasePermission refuses to change the customer's permission to buy its own
// products or services (003) once its relationship has ended.
func CheckPurchasePermission(c Customer) error {
	if c.Ended() {
		return &RuleError{Rule: "relationship-ended", Msg: fmt.Sprintf(
			"the relationship with %s (%s) has ended: its purchase permission cannot change; a new relationship request reinstates it", c.CompanyName, c.Domain)}
	}
	return nil
}
