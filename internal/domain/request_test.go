package domain

import (
	"bytes"
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"testing"
)

func TestNewReference(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		ref, err := NewReference(rand.Reader)
		if err != nil || len(ref) != 15 || ref[0] == '0' || !IsReferencePrefix(ref) {
			t.Fatalf("%q %v", ref, err)
		}
		if seen[ref] {
			t.Fatalf("reference %s drawn twice", ref)
		}
		seen[ref] = true
	}
	// The same source gives the same number; the first digit is never 0.
	zeros := bytes.Repeat([]byte{0}, 64)
	if ref, _ := NewReference(bytes.NewReader(zeros)); ref != "100000000000000" {
		t.Errorf("all-zero source: %s", ref)
	}
	if _, err := NewReference(bytes.NewReader(nil)); err == nil {
		t.Error("an empty source gave a reference")
	}
	// A biased source (bytes of 250 and more are redrawn) still gives digits.
	if ref, err := NewReference(mrand.NewChaCha8([32]byte{1})); err != nil || !IsReferencePrefix(ref) {
		t.Errorf("%q %v", ref, err)
	}
}

func TestIsReferencePrefix(t *testing.T) {
	for s, want := range map[string]bool{"6161": true, "616 122 292": true, "616122292874576": true, "6161222928745761": false, "": false, "61a": false, "contoso": false} {
		if got := IsReferencePrefix(s); got != want {
			t.Errorf("IsReferencePrefix(%q) = %v", s, got)
		}
	}
}

func TestParseSeverityAndStatus(t *testing.T) {
	if s, err := ParseSeverity(" Critical "); err != nil || s != SeverityCritical {
		t.Errorf("%v %v", s, err)
	}
	if _, err := ParseSeverity("urgent"); err == nil || err.Error() != `severity "urgent" is not a severity (allowed: critical, moderate, minimal)` {
		t.Errorf("%v", err)
	}
	if s, err := ParseRequestStatus("Attention-Needed"); err != nil || s != RequestAttentionNeeded {
		t.Errorf("%v %v", s, err)
	}
	if _, err := ParseRequestStatus("pending"); err == nil || err.Error() != `status "pending" is not a status (allowed: open, attention_needed, closed)` {
		t.Errorf("%v", err)
	}
}

func TestPlanRequestUpdate(t *testing.T) {
	open := ServiceRequest{Ref: "616122292874576", Status: RequestOpen, Severity: SeverityModerate}
	next, reopen, err := PlanRequestUpdate(open, RequestChange{Status: RequestAttentionNeeded, Severity: SeverityCritical}, "alice")
	if err != nil || reopen != "" || next.Status != RequestAttentionNeeded || next.Severity != SeverityCritical {
		t.Fatalf("%+v %q %v", next, reopen, err)
	}
	closed := open
	closed.Status = RequestClosed
	for _, ch := range []RequestChange{{Note: "more info"}, {Severity: SeverityMinimal}, {Status: RequestAttentionNeeded}, {Status: RequestClosed}} {
		_, _, err := PlanRequestUpdate(closed, ch, "alice")
		var rule *RuleError
		if !errors.As(err, &rule) || rule.Msg != "service request 616122292874576 is closed: reopen it first by setting its status back to open" {
			t.Errorf("%+v on a closed request: %v", ch, err)
		}
	}
	next, reopen, err = PlanRequestUpdate(closed, RequestChange{Status: RequestOpen, Note: "customer called back"}, "alice")
	if err != nil || next.Status != RequestOpen || reopen != "Reopened by alice." {
		t.Fatalf("reopen: %+v %q %v", next, reopen, err)
	}
	var ie *InvalidError
	if _, _, err := PlanRequestUpdate(open, RequestChange{}, "alice"); !errors.As(err, &ie) {
		t.Errorf("an empty change: %v", err)
	}
}
