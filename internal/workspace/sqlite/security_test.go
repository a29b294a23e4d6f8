package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// TestGrantRule: the privilege escalations of issue 14 item 1 are refused by the
// workspace, whoever calls it (the local file, the server, the next store): a user-admin
// cannot make itself (or anyone) a global-admin nor grant a role it lacks, an
// account-admin cannot mint a token for a global-admin nor revoke one, nor remove a
// global-admin; what they may do still works. Every refusal leaves the audit log as it was.
func TestGrantRule(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ctx := context.Background()
	owner := alice(db)
	addUser(t, owner, "root@fabrikam.com", domain.RoleGlobalAdmin)
	addUser(t, owner, "ua@fabrikam.com", domain.RoleUserAdmin)
	addUser(t, owner, "acc@fabrikam.com", domain.RoleAccountAdmin)
	addUser(t, owner, "desk@fabrikam.com", domain.RoleHelpdeskAgent)
	_, rootTok, err := owner.CreateToken(ctx, "root@fabrikam.com", "", domain.NeverExpires)
	if err != nil {
		t.Fatal(err)
	}
	ua := db.As(domain.Principal{User: "ua@fabrikam.com", Roles: []domain.Role{domain.RoleUserAdmin}})
	acc := db.As(domain.Principal{User: "acc@fabrikam.com", Roles: []domain.Role{domain.RoleAccountAdmin}})
	records := func() int {
		n := 0
		if err := owner.AuditLog(ctx, workspace.AuditQuery{}, func(workspace.AuditRecord) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := records()
	forbidden := []struct {
		name string
		do   func() error
		msg  string
	}{
		{"a user-admin makes itself global-admin", func() error {
			_, _, _, err := ua.AddUser(ctx, domain.User{Email: "ua@fabrikam.com", Roles: []domain.Role{domain.RoleGlobalAdmin}})
			return err
		}, "ua@fabrikam.com may not grant or remove the role global-admin: only a global-admin grants global-admin"},
		{"a user-admin grants a role it lacks", func() error {
			_, _, _, err := ua.AddUser(ctx, domain.User{Email: "new@fabrikam.com", Roles: []domain.Role{domain.RoleSalesAgent}})
			return err
		}, "ua@fabrikam.com may not grant or remove the role sales-agent: nobody grants a role they do not hold"},
		{"a user-admin imports a global-admin", func() error {
			_, err := ua.ImportUsers(ctx, []domain.User{{Email: "x@fabrikam.com", Roles: []domain.Role{domain.RoleGlobalAdmin}}}, false)
			return err
		}, "ua@fabrikam.com may not grant or remove the role global-admin: only a global-admin grants global-admin"},
		{"a user-admin takes a role it lacks away", func() error {
			_, err := ua.RemoveUser(ctx, "desk@fabrikam.com", []domain.Role{domain.RoleHelpdeskAgent})
			return err
		}, "ua@fabrikam.com may not grant or remove the role helpdesk-agent: nobody grants a role they do not hold"},
		{"a user-admin removes a global-admin", func() error {
			_, err := ua.RemoveUser(ctx, "root@fabrikam.com", nil)
			return err
		}, "ua@fabrikam.com may not remove root@fabrikam.com: root@fabrikam.com holds the role global-admin, which ua@fabrikam.com does not (only a global-admin, or a holder of every role of the user, may)"},
		{"an account-admin mints a token for a global-admin", func() error {
			_, _, err := acc.CreateToken(ctx, "root@fabrikam.com", "", domain.NeverExpires)
			return err
		}, "acc@fabrikam.com may not create an access token for root@fabrikam.com: root@fabrikam.com holds the role global-admin, which acc@fabrikam.com does not (only a global-admin, or a holder of every role of the user, may)"},
		{"an account-admin revokes a global-admin's token", func() error {
			_, err := acc.RevokeToken(ctx, rootTok.ID)
			return err
		}, "acc@fabrikam.com may not revoke an access token of root@fabrikam.com: root@fabrikam.com holds the role global-admin, which acc@fabrikam.com does not (only a global-admin, or a holder of every role of the user, may)"},
	}
	for _, c := range forbidden {
		err := c.do()
		var fe *domain.ForbiddenError
		if !errors.As(err, &fe) || err.Error() != c.msg {
			t.Errorf("%s: err = %v (%T), want a ForbiddenError %q", c.name, err, err, c.msg)
		}
	}
	if n := records(); n != before {
		t.Errorf("the refusals wrote %d audit records", n-before)
	}
	// What the rule allows.
	if _, _, _, err := ua.AddUser(ctx, domain.User{Email: "ua2@fabrikam.com", Roles: []domain.Role{domain.RoleUserAdmin}}); err != nil {
		t.Errorf("a user-admin grants user-admin: %v", err)
	}
	if _, _, err := acc.CreateToken(ctx, "acc@fabrikam.com", "mine", domain.DefaultTokenTTL); err != nil {
		t.Errorf("an account-admin's own token: %v", err)
	}
	if _, _, err := ua.CreateToken(ctx, "ua2@fabrikam.com", "", domain.DefaultTokenTTL); err != nil {
		t.Errorf("a token for a user whose roles the caller holds: %v", err)
	}
	if _, err := ua.RemoveUser(ctx, "ua2@fabrikam.com", nil); err != nil {
		t.Errorf("a user-admin removes a user-admin: %v", err)
	}
	root := db.As(domain.Principal{User: "root@fabrikam.com", Roles: []domain.Role{domain.RoleGlobalAdmin}})
	if _, _, _, err := root.AddUser(ctx, domain.User{Email: "ua@fabrikam.com", Roles: []domain.Role{domain.RoleGlobalAdmin, domain.RoleSalesAgent}}); err != nil {
		t.Errorf("a global-admin grants global-admin: %v", err)
	}
}

// TestAuditNamesToken: a change made through an access token is recorded with the token
// and who created it; the token records its creator.
func TestAuditNamesToken(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ctx := context.Background()
	owner := alice(db)
	addUser(t, owner, "acc@fabrikam.com", domain.RoleAccountAdmin)
	secret, tok, err := owner.CreateToken(ctx, "acc@fabrikam.com", "", domain.DefaultTokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	if tok.CreatedBy != "alice@contoso.com" {
		t.Errorf("token created by %q, want alice@contoso.com", tok.CreatedBy)
	}
	p, got, err := db.Authenticate(ctx, secret)
	if err != nil || got.CreatedBy != "alice@contoso.com" {
		t.Fatalf("Authenticate: %+v %v", got, err)
	}
	p.Token, p.TokenCreatedBy = got.ID, got.CreatedBy // as the server binds a request
	if _, _, _, err := db.As(p).AddUser(ctx, domain.User{Email: "acc2@fabrikam.com", Roles: []domain.Role{domain.RoleAccountAdmin}}); err != nil {
		t.Fatal(err)
	}
	var last workspace.AuditRecord
	if err := owner.AuditLog(ctx, workspace.AuditQuery{Limit: 1}, func(r workspace.AuditRecord) error { last = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if last.User != "acc@fabrikam.com" || last.Token != tok.ID || last.TokenCreatedBy != "alice@contoso.com" || last.Action != "user.add" {
		t.Errorf("last record %+v: want user acc@fabrikam.com, token %s created by alice@contoso.com", last, tok.ID)
	}
}

// TestInvitationTokenDrawn (issue 14, item 6): the workspace draws a partnership
// request's token (200 random bits), writes it where the body says {{token}}, and
// refuses a token its caller chose ("a", "", "../../x" alike) without saying whether one
// exists.
func TestInvitationTokenDrawn(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ctx := context.Background()
	ws := alice(db)
	inv, _, err := ws.InviteReseller(ctx, domain.Invitation{Email: "sales@fabrikam.com", Subject: "s", Body: "Accept at https://p.example/pcctl/v1/invitations/{{token}} soon"})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Token) != 40 || strings.Trim(inv.Token, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		t.Errorf("token %q: want 40 base32 characters (200 bits)", inv.Token)
	}
	if inv.Body != "Accept at https://p.example/pcctl/v1/invitations/"+inv.Token+" soon" {
		t.Errorf("body %q: the token is not in the link", inv.Body)
	}
	for _, tok := range []string{"a", "../../x", inv.Token} {
		_, _, err := ws.InviteReseller(ctx, domain.Invitation{Token: tok, Email: "other@northwind.com", Subject: "s", Body: "b"})
		var ie *domain.InvalidError
		if !errors.As(err, &ie) || ie.Field != "token" || ie.Value != "" || strings.Contains(err.Error(), tok) && tok != "a" {
			t.Errorf("a token given (%q): %v", tok, err)
		}
	}
}

// TestFreeTextControls (issue 14, items 7 and 14): ESC, BEL, a lone CR and bidirectional
// overrides are refused in every free-text field, whoever writes it; line breaks and tabs
// stay allowed where a text has lines (descriptions, notes, an email's body).
func TestFreeTextControls(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ctx := context.Background()
	ws := alice(db)
	if _, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "contoso.example", Country: "FR"}, ""); err != nil {
		t.Fatal(err)
	}
	sku := []domain.Solution{{Source: domain.OwnSolution, ID: "crm"}}
	deal, err := ws.CreateDeal(ctx, domain.Deal{Name: "Rollout", CustomerID: "contoso.example", Value: "500", Currency: "EUR", Solutions: sku})
	if err != nil {
		t.Fatal(err)
	}
	req, err := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.example", Title: "Mail down", Severity: domain.SeverityMinimal,
		Description: "Line one\r\nline two\n\tindented"})
	if err != nil {
		t.Fatalf("a description of lines: %v", err)
	}
	cases := []struct {
		name, field string
		do          func() error
	}{
		{"request title with ESC[2J", "title", func() error {
			_, err := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.example", Title: "x\x1b[2J", Severity: domain.SeverityMinimal})
			return err
		}},
		{"request description with BEL", "description", func() error {
			_, err := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.example", Title: "x", Description: "ring\a", Severity: domain.SeverityMinimal})
			return err
		}},
		{"request note with a lone CR", "note", func() error {
			_, err := ws.UpdateRequest(ctx, req.Ref, domain.RequestChange{Note: "done\rundone"})
			return err
		}},
		{"deal name with ESC", "name", func() error {
			_, err := ws.CreateDeal(ctx, domain.Deal{Name: "Roll\x1b]0;owned\aout", CustomerID: "contoso.example", Value: "500", Currency: "EUR", Solutions: sku})
			return err
		}},
		{"deal note with ESC", "note", func() error {
			_, err := ws.AddDealNote(ctx, deal.ID, "\x1b[2Jcleared", 0)
			return err
		}},
		{"invitation name with ESC", "name", func() error {
			_, _, err := ws.InviteReseller(ctx, domain.Invitation{Email: "a@fabrikam.com", Name: "F\x1b[31m", Subject: "s", Body: "b"})
			return err
		}},
		{"invitation subject with CR", "subject", func() error {
			_, _, err := ws.InviteReseller(ctx, domain.Invitation{Email: "a@fabrikam.com", Subject: "s\rBcc: x", Body: "b"})
			return err
		}},
		{"invitation body with BEL", "body", func() error {
			_, _, err := ws.InviteReseller(ctx, domain.Invitation{Email: "a@fabrikam.com", Subject: "s", Body: "b\a"})
			return err
		}},
		{"company name with U+202E", "companyName", func() error {
			_, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso \u202Eexe.txt", Domain: "evil.example", Country: "FR"}, "")
			return err
		}},
		{"user name with U+2066", "name", func() error {
			_, _, _, err := ws.AddUser(ctx, domain.User{Email: "u@fabrikam.com", Name: "Sue \u2066x", Roles: []domain.Role{domain.RoleSalesAgent}})
			return err
		}},
	}
	for _, c := range cases {
		err := c.do()
		var ie *domain.InvalidError
		if !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("%s: %v, want an InvalidError on %s", c.name, err, c.field)
		}
	}
}

// TestPasswordHashOnly (issue 14, item 12): the workspace stores only a bcrypt hash of
// cost domain.BcryptCost as a customer admin's password hash: a plain password, another
// cost or another scheme is refused, and not quoted back.
func TestPasswordHashOnly(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	ctx := context.Background()
	ws := alice(db)
	for i, h := range []string{"Summer2026!", "$2a$04$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"$1$abc$" + strings.Repeat("x", 53), "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lh W"} {
		_, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: fmt.Sprintf("c%d.example", i), Country: "FR"}, h)
		var ie *domain.InvalidError
		if !errors.As(err, &ie) || ie.Field != "adminPasswordHash" || strings.Contains(err.Error(), h) {
			t.Errorf("hash %q: %v", h, err)
		}
	}
	var n int
	if err := db.db.QueryRow(`SELECT count(*) FROM customers`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d customers stored (%v)", n, err)
	}
	if _, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Contoso", Domain: "ok.example", Country: "FR"},
		"$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"); err != nil {
		t.Errorf("a bcrypt hash of cost 10: %v", err)
	}
}
