package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var inviteDay = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func TestInvitationLifecycle(t *testing.T) {
	inv := Invitation{Email: "sales@fabrikam.com", CreatedAt: inviteDay}
	if got := inv.ExpiresAt(); !got.Equal(inviteDay.Add(30 * 24 * time.Hour)) {
		t.Fatalf("ExpiresAt = %v", got)
	}
	cases := []struct {
		name   string
		inv    Invitation
		at     time.Time
		status ResellerStatus
		err    string
	}{
		{"pending", inv, inviteDay, ResellerPending, ""},
		{"last second", inv, inviteDay.Add(InvitationTTL - time.Second), ResellerPending, ""},
		{"expired at 30 days", inv, inviteDay.Add(InvitationTTL), ResellerExpired,
			"this partnership request expired on 2026-12-21 (requests last 30 days); invite sales@fabrikam.com again"},
		{"used", Invitation{Email: inv.Email, CreatedAt: inviteDay, AcceptedAt: inviteDay.Add(time.Hour), MPNID: "4847383"}, inviteDay.Add(2 * time.Hour), ResellerActive,
			"this partnership request was already accepted on 2026-11-21 (MPN ID 4847383); a link can be used once"},
		{"used, then past expiry", Invitation{Email: inv.Email, CreatedAt: inviteDay, AcceptedAt: inviteDay.Add(time.Hour), MPNID: "4847383"}, inviteDay.Add(40 * 24 * time.Hour), ResellerActive,
			"this partnership request was already accepted on 2026-11-21 (MPN ID 4847383); a link can be used once"},
	}
	for _, c := range cases {
		if got := c.inv.Status(c.at); got != c.status {
			t.Errorf("%s: status %s, want %s", c.name, got, c.status)
		}
		err := CheckAcceptance(c.inv, c.at)
		if c.err == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var rule *RuleError
		if !errors.As(err, &rule) || rule.Msg != c.err {
			t.Errorf("%s: err = %v\nwant %s", c.name, err, c.err)
		}
	}
}

func TestDraftInvitation(t *testing.T) {
	link := "https://pc.example/pcctl/v1/invitations/abc"
	subject, body, err := DraftInvitation("Contoso Distribution", "Fabrikam", link, inviteDay.Add(InvitationTTL), "")
	if err != nil || subject != "Contoso Distribution: partnership request for the Cloud Solution Provider program" ||
		!strings.HasPrefix(body, "Hello Fabrikam,\n") || !strings.Contains(body, "    "+link+"\n") || !strings.Contains(body, "expires on 21 December 2026") {
		t.Fatalf("%q\n%s\n%v", subject, body, err)
	}
	_, body, _ = DraftInvitation("", "", link, inviteDay, "")
	if !strings.HasPrefix(body, "Hello,\n\nYour indirect provider would like") {
		t.Fatalf("default greeting and provider: %s", body)
	}
	// A custom text keeps the link where {{link}} stands; a first Subject: line sets the subject.
	subject, body, err = DraftInvitation("P", "", link, inviteDay, "Subject: Let's work together\n\nHi, click {{link}} please.\n")
	if err != nil || subject != "Let's work together" || body != "Hi, click "+link+" please.\n" {
		t.Fatalf("custom: %q %q %v", subject, body, err)
	}
	if _, body, err = DraftInvitation("P", "", link, inviteDay, "Already has it: "+link); err != nil || body != "Already has it: "+link {
		t.Fatalf("custom with the link itself: %q %v", body, err)
	}
	_, _, err = DraftInvitation("P", "", link, inviteDay, "Hello, please join us.")
	var ie *InvalidError
	if !errors.As(err, &ie) || ie.Field != "message" || !strings.HasPrefix(ie.Reason, "does not hold the acceptance link: write {{link}}") {
		t.Fatalf("message without the link: %v", err)
	}
}

func TestRemovalNoticeSaysWhatSeed004Requires(t *testing.T) {
	for _, want := range []string{"will not be removed", "delegated admin", "good faith", "legitimate business purpose",
		"legal notice of termination", "does not send any notice"} {
		if !strings.Contains(strings.Join(strings.Fields(RemovalNotice), " "), want) {
			t.Errorf("the removal notice lacks %q", want)
		}
	}
}

func TestParseEmail(t *testing.T) {
	for in, want := range map[string]string{"Sales@Fabrikam.COM": "sales@fabrikam.com", " a.b+c@x.fr ": "a.b+c@x.fr"} {
		if got, err := ParseEmail(in); err != nil || got != want {
			t.Errorf("ParseEmail(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "fabrikam.com", "a@b", "Sales <sales@fabrikam.com>", "a@@b.com", "a@exa_mple.com"} {
		if _, err := ParseEmail(in); err == nil {
			t.Errorf("ParseEmail(%q) accepted", in)
		}
	}
}

func TestAssociationRules(t *testing.T) {
	if err := CheckQuantity(1); err != nil {
		t.Error(err)
	}
	for _, n := range []int{0, -3} {
		var ie *InvalidError
		if err := CheckQuantity(n); !errors.As(err, &ie) || ie.Reason != "must be at least 1" {
			t.Errorf("quantity %d: %v", n, err)
		}
	}
	active := Reseller{MPNID: "4847383", Name: "Fabrikam", Status: ResellerActive}
	if err := CheckActiveReseller(active, true, "4847383", "the support contact"); err != nil {
		t.Error(err)
	}
	removed := Reseller{MPNID: "4847383", Name: "Fabrikam", Status: ResellerRemoved, RemovedAt: inviteDay}
	var rule *RuleError
	if err := CheckActiveReseller(removed, true, "4847383", "the support contact"); !errors.As(err, &rule) ||
		rule.Msg != "Fabrikam (MPN ID 4847383) was removed on 2026-11-21, so it cannot be the support contact: invite it again first" {
		t.Errorf("removed: %v", err)
	}
	if err := CheckActiveReseller(Reseller{}, false, "1234567", "credited for this subscription"); !errors.As(err, &rule) ||
		rule.Msg != "MPN ID 1234567 is not one of your indirect resellers, so it cannot be credited for this subscription: invite it first ('pcctl reseller invite')" {
		t.Errorf("unknown: %v", err)
	}
}
