package domain

import (
	"encoding/base32"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
)

// Indirect resellers (004): the provider emails a partnership request holding a link
// personalised for its account; when the reseller accepts, it joins the provider's
// indirect resellers; it can be removed later, leaving its customers and subscriptions as
// they are, and invited again.

// InvitationTTL is how long a partnership request can be accepted.
const InvitationTTL = 30 * 24 * time.Hour

// ResellerStatus is where a reseller stands with the provider.
type ResellerStatus string

// The statuses a reseller list shows. Pending and expired describe invitations not
// accepted; active and removed describe resellers.
const (
	ResellerPending ResellerStatus = "pending"
	ResellerExpired ResellerStatus = "expired"
	ResellerActive  ResellerStatus = "active"
	ResellerRemoved ResellerStatus = "removed"
)

// Reseller is an indirect reseller, or a partnership request not yet accepted.
type Reseller struct {
	MPNID      string // empty until accepted
	Name       string
	Email      string
	Status     ResellerStatus
	InvitedAt  time.Time
	AcceptedAt time.Time // zero until accepted
	RemovedAt  time.Time // zero unless removed
	ExpiresAt  time.Time // of the invitation
}

// Invitation is a partnership request.
type Invitation struct {
	Token      string // single use, unguessable: drawn by the workspace (NewInvitationToken), never by its caller
	Email      string
	Name       string
	Subject    string
	Body       string // holds the acceptance link
	CreatedAt  time.Time
	AcceptedAt time.Time // zero until used
	MPNID      string    // of the reseller who accepted
}

// TokenPlaceholder stands for the invitation's token in the body given to
// Workspace.InviteReseller: the workspace draws the token (a caller never chooses one,
// issue 14 item 6) and writes it there, in the acceptance link.
const TokenPlaceholder = "{{token}}"

// NewInvitationToken draws an invitation token from random (crypto/rand in production):
// 200 random bits in lower-case base32, letters and digits only, so that a token never
// starts with '-' (where it would read as a flag) and survives being typed or mailed.
func NewInvitationToken(random io.Reader) (string, error) {
	raw := make([]byte, 25)
	if _, err := io.ReadFull(random, raw); err != nil {
		return "", fmt.Errorf("drawing the invitation token: %w", err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)), nil
}

// ErrInvitationTokenGiven refuses a partnership request whose caller chose its token.
var ErrInvitationTokenGiven = &InvalidError{Field: "token",
	Reason: "is drawn by the workspace: a partnership request's token is never given (leave it out, and write " + TokenPlaceholder + " where the body's link needs it)"}

// ExpiresAt is when the invitation can no longer be accepted.
func (i Invitation) ExpiresAt() time.Time { return i.CreatedAt.Add(InvitationTTL) }

// Status is pending, expired or, once used, active (the reseller's own status may have
// changed since).
func (i Invitation) Status(now time.Time) ResellerStatus {
	switch {
	case !i.AcceptedAt.IsZero():
		return ResellerActive
	case !now.Before(i.ExpiresAt()):
		return ResellerExpired
	}
	return ResellerPending
}

// CheckAcceptance refuses an invitation that cannot be accepted now: used or expired.
func CheckAcceptance(i Invitation, now time.Time) error {
	if !i.AcceptedAt.IsZero() {
		return &RuleError{Rule: "invitation-used", Msg: fmt.Sprintf(
			"this partnership request was already accepted on %s (MPN ID %s); a link can be used once",
			i.AcceptedAt.UTC().Format("2006-01-02"), i.MPNID)}
	}
	if !now.Before(i.ExpiresAt()) {
		return &RuleError{Rule: "invitation-expired", Msg: fmt.Sprintf(
			"this partnership request expired on %s (requests last 30 days); invite %s again",
			i.ExpiresAt().UTC().Format("2006-01-02"), i.Email)}
	}
	return nil
}

// ParseEmail checks an email address and returns it in its plain form, lower case.
func ParseEmail(s string) (string, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") {
		return "", &InvalidError{Field: "email", Value: s, Reason: "is not an email address (such as sales@fabrikam.com)"}
	}
	at := strings.LastIndex(a.Address, "@")
	if _, err := ParseDomain(a.Address[at+1:]); err != nil {
		return "", &InvalidError{Field: "email", Value: s, Reason: "does not end with a valid domain name"}
	}
	return strings.ToLower(a.Address), nil
}

// LinkPlaceholder stands for the acceptance link in a message the user edits.
const LinkPlaceholder = "{{link}}"

// DraftInvitation writes the partnership request: subject and body, with the link. A
// custom body must hold LinkPlaceholder (or the link itself): the link is personalised for
// the provider's account and the request is useless without it (004).
func DraftInvitation(provider, resellerName, link string, expires time.Time, custom string) (subject, body string, err error) {
	if provider == "" {
		provider = "Your indirect provider"
	}
	subject = provider + ": partnership request for the Cloud Solution Provider program"
	if custom != "" {
		return customMessage(subject, link, custom)
	}
	greeting := "Hello,"
	if resellerName != "" {
		greeting = "Hello " + resellerName + ","
	}
	body = greeting + "\n\n" +
		provider + " would like to work with you as an indirect reseller in the Microsoft Cloud\n" +
		"Solution Provider program, so that we can both serve common customers.\n\n" +
		"To accept this partnership request, open this link and sign in with the partner account\n" +
		"(MPN ID) your organisation onboarded with:\n\n" +
		"    " + link + "\n\n" +
		"The link is personal to this request, can be used once, and expires on " + expires.UTC().Format("2 January 2006") + ".\n"
	return subject, body, nil
}

// RemovalNotice is what removing a reseller asks the user to confirm (004).
const RemovalNotice = `Customers associated with the indirect reseller will not be removed, and any delegated admin
privileges granted will remain unchanged.

You represent that the decision to discontinue your relationship with the partner was made
in good faith, for a legitimate business purpose, and in accordance with your agreement with
your customer or partner. You must provide legal notice of termination to your customer or
partner if your agreement requires it: this tool does not send any notice to the customer
or partner.`

// Subscription is a customer's subscription, enough for the association rules of 004.
type Subscription struct {
	ID             string // GUID
	CustomerID     string
	CustomerName   string
	Offer          string
	Quantity       int
	Status         string // "active"
	ResellerMPNID  string // the reseller credited for incentives; "" when none
	SupportContact string // MPN ID of the reseller designated as support contact; "" when none
	TermEnd        time.Time
	CreatedAt      time.Time
}

// CheckQuantity refuses a quantity below one.
func CheckQuantity(n int) error {
	if n < 1 {
		return &InvalidError{Field: "quantity", Value: fmt.Sprint(n), Reason: "must be at least 1"}
	}
	return nil
}

// CheckActiveReseller refuses a reseller that is not an active partner of the provider for
// a role it would play (credited for incentives, support contact, customers added on its
// behalf): only resellers who accepted a partnership request and were not removed (004).
func CheckActiveReseller(r Reseller, found bool, mpnID, role string) error {
	switch {
	case !found:
		return &RuleError{Rule: "reseller-not-partner", Msg: fmt.Sprintf(
			"MPN ID %s is not one of your indirect resellers, so it cannot be %s: invite it first ('pcctl reseller invite')", mpnID, role)}
	case r.Status == ResellerRemoved:
		return &RuleError{Rule: "reseller-removed", Msg: fmt.Sprintf(
			"%s (MPN ID %s) was removed on %s, so it cannot be %s: invite it again first", r.Name, mpnID,
			r.RemovedAt.UTC().Format("2006-01-02"), role)}
	}
	return nil
}

// CheckInvitationText refuses control characters and bidirectional controls in a
// partnership request's name and subject (one line) and body (lines).
func CheckInvitationText(inv Invitation) error {
	if err := CheckText("name", inv.Name); err != nil {
		return err
	}
	if err := CheckText("subject", inv.Subject); err != nil {
		return err
	}
	return CheckMultilineText("body", inv.Body)
}
