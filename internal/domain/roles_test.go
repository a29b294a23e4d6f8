package domain

import (
	"errors"
	"slices"
	"testing"
)

// Roles: domain.md, "Roles" (002, 003, 004, 001).

var allPermissions = []Permission{
	PermReadCustomers, PermWriteCustomers, PermFlagCustomers, PermManageUsers,
	PermManageResellers, PermSubscriptions, PermServiceRequests, PermDeals, PermCompanyProfile,
	PermAudit, PermRelationships,
}

func TestRoleNames(t *testing.T) {
	want := []Role{"global-admin", "user-admin", "admin-agent", "sales-agent",
		"helpdesk-agent", "account-admin", "referrals-admin"}
	if !slices.Equal(AllRoles, want) {
		t.Errorf("AllRoles = %v, want %v", AllRoles, want)
	}
}

// TestRoleTable spells out, for every role, every permission it has; it has none other.
func TestRoleTable(t *testing.T) {
	table := map[Role][]Permission{
		// everything, including flagging customers (002) and user management
		RoleGlobalAdmin: allPermissions,
		// manage users, invite and remove indirect resellers (004); read the audit log
		RoleUserAdmin: {PermManageUsers, PermManageResellers, PermAudit},
		// customers, subscriptions, resellers, service requests (003, 004); customer
		// relationships: global-admin and admin-agent only (003)
		RoleAdminAgent: {PermReadCustomers, PermWriteCustomers, PermSubscriptions, PermManageResellers, PermServiceRequests, PermRelationships},
		// customers, subscriptions, resellers (003, 004); no service requests
		RoleSalesAgent: {PermReadCustomers, PermWriteCustomers, PermSubscriptions, PermManageResellers},
		// read customers, file and manage service requests (003)
		RoleHelpdeskAgent: {PermReadCustomers, PermServiceRequests},
		// manage users and the company profile (001); read the audit log
		RoleAccountAdmin: {PermManageUsers, PermCompanyProfile, PermAudit},
		// read and write every deal; the only deal role (001)
		RoleReferralsAdmin: {PermDeals},
	}
	if len(table) != len(AllRoles) {
		t.Fatalf("test table has %d roles, AllRoles %d", len(table), len(AllRoles))
	}
	for _, role := range AllRoles {
		p := Principal{User: "u", Roles: []Role{role}}
		for _, perm := range allPermissions {
			want := slices.Contains(table[role], perm)
			if got := p.Can(perm); got != want {
				t.Errorf("%s Can(%q) = %v, want %v", role, perm, got, want)
			}
			if err := p.Require(perm); (err == nil) != want {
				t.Errorf("%s Require(%q) = %v, want allowed %v", role, perm, err, want)
			}
		}
	}
}

func TestRoleRules(t *testing.T) {
	// Spot checks of the rules as domain.md words them.
	for _, r := range AllRoles {
		can := Principal{Roles: []Role{r}}.Can(PermFlagCustomers)
		if can != (r == RoleGlobalAdmin) {
			t.Errorf("%s may flag customers: %v; only global-admin may (002)", r, can)
		}
		deals := Principal{Roles: []Role{r}}.Can(PermDeals)
		if deals != (r == RoleGlobalAdmin || r == RoleReferralsAdmin) {
			t.Errorf("%s may work deals: %v; only referrals-admin (and global-admin) may (001)", r, deals)
		}
	}
	helpdesk := Principal{User: "hd", Roles: []Role{RoleHelpdeskAgent}}
	if !helpdesk.Can(PermReadCustomers) || !helpdesk.Can(PermServiceRequests) || helpdesk.Can(PermWriteCustomers) {
		t.Error("helpdesk-agent reads customers and handles service requests, but may not write customers")
	}
	sales := Principal{User: "s", Roles: []Role{RoleSalesAgent}}
	if sales.Can(PermServiceRequests) {
		t.Error("sales-agent may not handle service requests")
	}
	for _, r := range []Role{RoleGlobalAdmin, RoleUserAdmin, RoleAccountAdmin} {
		if !(Principal{Roles: []Role{r}}).Can(PermManageUsers) {
			t.Errorf("%s may not manage users", r)
		}
	}
	// The audit log is read by those who manage users (and global-admin); the agents,
	// whose changes it records, may not read it.
	for _, r := range AllRoles {
		can := Principal{Roles: []Role{r}}.Can(PermAudit)
		want := r == RoleGlobalAdmin || r == RoleUserAdmin || r == RoleAccountAdmin
		if can != want {
			t.Errorf("%s may read the audit log: %v, want %v", r, can, want)
		}
	}
}

func TestPrincipalWithSeveralRoles(t *testing.T) {
	p := Principal{User: "ann", Roles: []Role{RoleHelpdeskAgent, RoleReferralsAdmin}}
	for perm, want := range map[Permission]bool{
		PermReadCustomers: true, PermServiceRequests: true, PermDeals: true,
		PermWriteCustomers: false, PermFlagCustomers: false, PermManageUsers: false,
	} {
		if got := p.Can(perm); got != want {
			t.Errorf("Can(%q) = %v, want %v", perm, got, want)
		}
	}
	none := Principal{User: "nobody"}
	for _, perm := range allPermissions {
		if none.Can(perm) {
			t.Errorf("a principal without roles Can(%q)", perm)
		}
	}
}

func TestOwner(t *testing.T) {
	o := Owner("alice@contoso.com")
	if o.User != "alice@contoso.com" {
		t.Errorf("Owner user = %q", o.User)
	}
	for _, r := range AllRoles {
		if !slices.Contains(o.Roles, r) {
			t.Errorf("Owner lacks %s", r)
		}
	}
	for _, perm := range allPermissions {
		if err := o.Require(perm); err != nil {
			t.Errorf("Owner Require(%q) = %v", perm, err)
		}
	}
	// The owner's roles are its own: changing them changes neither AllRoles nor another
	// owner.
	o.Roles[0] = RoleSalesAgent
	if AllRoles[0] != RoleGlobalAdmin {
		t.Errorf("changing an owner's roles changed AllRoles: %v", AllRoles)
	}
	if other := Owner("bob"); !other.Can(PermFlagCustomers) {
		t.Errorf("changing an owner's roles changed another owner's: %v", other.Roles)
	}
}

func TestRequireMessage(t *testing.T) {
	tests := []struct {
		p    Principal
		perm Permission
		msg  string
	}{
		{Principal{User: "hd@contoso.com", Roles: []Role{RoleHelpdeskAgent}}, PermWriteCustomers,
			"hd@contoso.com may not add and change customers: that needs the role global-admin or admin-agent or sales-agent"},
		{Principal{User: "bob", Roles: []Role{RoleAdminAgent}}, PermFlagCustomers,
			"bob may not flag customers: that needs the role global-admin"},
		{Principal{User: "bob", Roles: []Role{RoleReferralsAdmin}}, PermReadCustomers,
			"bob may not read customers: that needs the role global-admin or admin-agent or sales-agent or helpdesk-agent"},
		{Principal{User: "bob", Roles: []Role{RoleSalesAgent}}, PermManageUsers,
			"bob may not manage users: that needs the role global-admin or user-admin or account-admin"},
		{Principal{User: "bob", Roles: []Role{RoleHelpdeskAgent}}, PermManageResellers,
			"bob may not invite and remove indirect resellers: that needs the role global-admin or user-admin or admin-agent or sales-agent"},
		{Principal{User: "bob", Roles: []Role{RoleHelpdeskAgent}}, PermSubscriptions,
			"bob may not manage subscriptions: that needs the role global-admin or admin-agent or sales-agent"},
		{Principal{User: "bob", Roles: []Role{RoleSalesAgent}}, PermServiceRequests,
			"bob may not file and manage service requests: that needs the role global-admin or admin-agent or helpdesk-agent"},
		{Principal{User: "bob", Roles: []Role{RoleAdminAgent}}, PermDeals,
			"bob may not read and write deals: that needs the role global-admin or referrals-admin"},
		{Principal{User: "bob"}, PermCompanyProfile,
			"bob may not manage the company profile: that needs the role global-admin or account-admin"},
		{Principal{User: "bob", Roles: []Role{RoleReferralsAdmin, RoleAdminAgent}}, PermAudit,
			"bob may not read the audit log: that needs the role global-admin or user-admin or account-admin"},
	}
	for _, tt := range tests {
		err := tt.p.Require(tt.perm)
		var re *RuleError
		if !errors.As(err, &re) {
			t.Errorf("Require(%q) = %v (%T), want *RuleError", tt.perm, err, err)
			continue
		}
		if re.Rule != "role" {
			t.Errorf("Require(%q) rule = %q, want role", tt.perm, re.Rule)
		}
		if err.Error() != tt.msg {
			t.Errorf("Require(%q) = %q\nwant %q", tt.perm, err.Error(), tt.msg)
		}
	}
}

func TestParseRole(t *testing.T) {
	ok := []struct {
		in   string
		want Role
	}{
		{"global-admin", RoleGlobalAdmin},
		{"GLOBAL-ADMIN", RoleGlobalAdmin},
		{" helpdesk-agent ", RoleHelpdeskAgent},
		{"Referrals-Admin", RoleReferralsAdmin},
		{"user-admin", RoleUserAdmin},
		{"admin-agent", RoleAdminAgent},
		{"sales-agent", RoleSalesAgent},
		{"account-admin", RoleAccountAdmin},
	}
	for _, tt := range ok {
		got, err := ParseRole(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
		}
	}
	const allowed = "(allowed: global-admin, user-admin, admin-agent, sales-agent, helpdesk-agent, account-admin, referrals-admin)"
	bad := []struct{ in, msg string }{
		{"admin", `role "admin" is not a role ` + allowed},
		{"global admin", `role "global admin" is not a role ` + allowed},
		{"", "role is not a role " + allowed},
	}
	for _, tt := range bad {
		got, err := ParseRole(tt.in)
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Field != "role" || ie.Value != tt.in {
			t.Errorf("ParseRole(%q) = %q, %v; want *InvalidError on role", tt.in, got, err)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("ParseRole(%q) error = %q\nwant %q", tt.in, err.Error(), tt.msg)
		}
	}
}
