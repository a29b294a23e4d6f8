package domain

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Service requests (000, 002): filed by the partner for a customer, followed by status,
// found by reference number or customer name, marked as favorites. Severity and status
// follow Partner Center's service request resource.

// Severity is how urgent a request is.
type Severity string

// The severities.
const (
	SeverityCritical Severity = "critical"
	SeverityModerate Severity = "moderate"
	SeverityMinimal  Severity = "minimal"
)

// Severities lists them, most urgent first.
var Severities = []Severity{SeverityCritical, SeverityModerate, SeverityMinimal}

// RequestStatus is where a request stands.
type RequestStatus string

// The statuses.
const (
	RequestOpen            RequestStatus = "open"
	RequestAttentionNeeded RequestStatus = "attention_needed"
	RequestClosed          RequestStatus = "closed"
)

// RequestStatuses lists them.
var RequestStatuses = []RequestStatus{RequestOpen, RequestAttentionNeeded, RequestClosed}

// ParseSeverity reads a severity, in any case.
func ParseSeverity(s string) (Severity, error) {
	for _, v := range Severities {
		if string(v) == strings.ToLower(strings.TrimSpace(s)) {
			return v, nil
		}
	}
	return "", &InvalidError{Field: "severity", Value: s, Reason: "is not a severity (allowed: critical, moderate, minimal)"}
}

// ParseRequestStatus reads a status, in any case; "attention-needed" is accepted too.
func ParseRequestStatus(s string) (RequestStatus, error) {
	t := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	for _, v := range RequestStatuses {
		if string(v) == t {
			return v, nil
		}
	}
	return "", &InvalidError{Field: "status", Value: s, Reason: "is not a status (allowed: open, attention_needed, closed)"}
}

// ServiceRequest is a request filed on behalf of a customer.
type ServiceRequest struct {
	Ref          string // 15-digit reference number
	CustomerID   string
	CustomerName string
	Title        string
	Description  string
	Severity     Severity
	Status       RequestStatus
	Topic        string
	ContactEmail string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ClosedAt     time.Time
	Notes        []Note
}

// RefDigits is the length of a reference number, as Partner Center's.
const RefDigits = 15

// NewReference draws a 15-digit reference number from the random source (uniform, no
// leading zero). Uniqueness is the workspace's to enforce: it draws again on a clash.
func NewReference(random io.Reader) (string, error) {
	b := make([]byte, 1)
	out := make([]byte, RefDigits)
	for i := range out {
		for {
			if _, err := io.ReadFull(random, b); err != nil {
				return "", fmt.Errorf("drawing a reference number: %w", err)
			}
			if b[0] < 250 { // 250 = 25 × 10: no modulo bias
				break
			}
		}
		d := b[0] % 10
		if i == 0 && d == 0 {
			d = 1 + b[0]%9
		}
		out[i] = '0' + d
	}
	return string(out), nil
}

// CheckReference refuses a reference number that is not RefDigits digits (a reference
// given rather than drawn: Partner Center's, in a workspace linked to it).
func CheckReference(ref string) error {
	if len(ref) != RefDigits || strings.Trim(ref, "0123456789") != "" {
		return &InvalidError{Field: "ref", Value: ref, Reason: fmt.Sprintf("is not a reference number of %d digits", RefDigits)}
	}
	return nil
}

// IsReferencePrefix reports whether s (spaces removed) could begin a reference number.
func IsReferencePrefix(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	return s != "" && len(s) <= RefDigits && strings.Trim(s, "0123456789") == ""
}

// RequestChange is what an update sets.
type RequestChange struct {
	Status   RequestStatus // "" to keep
	Severity Severity      // "" to keep
	Note     string        // "" for none
}

// PlanRequestUpdate applies a change to a request under the rules: a closed request
// changes only by being reopened (status back to open), which is recorded as a note
// (returned as reopenNote); anything else on a closed request is refused.
func PlanRequestUpdate(r ServiceRequest, ch RequestChange, by string) (next ServiceRequest, reopenNote string, err error) {
	if err := CheckMultilineText("note", ch.Note); err != nil {
		return r, "", err
	}
	if ch.Status == "" && ch.Severity == "" && strings.TrimSpace(ch.Note) == "" {
		return r, "", &InvalidError{Field: "change", Reason: "is empty: give a status, a severity or a note"}
	}
	if r.Status == RequestClosed {
		if ch.Status != RequestOpen {
			return r, "", &RuleError{Rule: "request-closed", Msg: fmt.Sprintf(
				"service request %s is closed: reopen it first by setting its status back to open", r.Ref)}
		}
		reopenNote = "Reopened by " + by + "."
	}
	if ch.Status != "" {
		r.Status = ch.Status
	}
	if ch.Severity != "" {
		r.Severity = ch.Severity
	}
	return r, reopenNote, nil
}

// CheckRequestText refuses control characters and bidirectional controls in a request's
// title (one line) and description (lines): a helpdesk agent writes them, an administrator
// reads them on a terminal.
func CheckRequestText(r ServiceRequest) error {
	if err := CheckText("title", r.Title); err != nil {
		return err
	}
	if err := CheckText("supportTopicName", r.Topic); err != nil {
		return err
	}
	return CheckMultilineText("description", r.Description)
}
