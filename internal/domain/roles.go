package domain

import (
	"slices"
	"strings"
)

// Role is a Partner Center role (domain.md, "Roles").
type Role string

// The roles of domain.md.
const (
	RoleGlobalAdmin    Role = "global-admin"
	RoleUserAdmin      Role = "user-admin"
	RoleAdminAgent     Role = "admin-agent"
	RoleSalesAgent     Role = "sales-agent"
	RoleHelpdeskAgent  Role = "helpdesk-agent"
	RoleAccountAdmin   Role = "account-admin"
	RoleReferralsAdmin Role = "referrals-admin"
)

// AllRoles lists every role, in the order of domain.md.
var AllRoles = []Role{RoleGlobalAdmin, RoleUserAdmin, RoleAdminAgent, RoleSalesAgent,
	RoleHelpdeskAgent, RoleAccountAdmin, RoleReferralsAdmin}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(AllRoles, r) {
		return r, nil
	}
	names := make([]string, len(AllRoles))
	for i, r := range AllRoles {
		names[i] = string(r)
	}
	return "", &InvalidError{Field: "role", Value: s, Reason: "is not a role (allowed: " + strings.Join(names, ", ") + ")"}
}

// Permission is something a role may do.
type Permission string

// The permissions the role table grants.
const (
	PermReadCustomers   Permission = "read customers"
	PermWriteCustomers  Permission = "add and change customers"
	PermFlagCustomers   Permission = "flag customers"
	PermManageUsers     Permission = "manage users"
	PermManageResellers Permission = "invite and remove indirect resellers"
	PermSubscriptions   Permission = "manage subscriptions"
	PermServiceRequests Permission = "file and manage service requests"
	PermDeals           Permission = "read and write deals"
	PermCompanyProfile  Permission = "manage the company profile"
	PermAudit           Permission = "read the audit log"
	// PermRelationships covers customer relationships (003): ask, end, reinstate, suspend
	// and reactivate subscriptions, and the customer's permission to buy its own.
	PermRelationships Permission = "manage customer relationships"
)

// grants is the role table of domain.md. global-admin may do everything and is not listed.
var grants = map[Role][]Permission{
	RoleUserAdmin:      {PermManageUsers, PermManageResellers, PermAudit},
	RoleAdminAgent:     {PermReadCustomers, PermWriteCustomers, PermSubscriptions, PermManageResellers, PermServiceRequests, PermRelationships},
	RoleSalesAgent:     {PermReadCustomers, PermWriteCustomers, PermSubscriptions, PermManageResellers},
	RoleHelpdeskAgent:  {PermReadCustomers, PermServiceRequests},
	RoleAccountAdmin:   {PermManageUsers, PermCompanyProfile, PermAudit},
	RoleReferralsAdmin: {PermDeals},
}

// Principal is who acts on a workspace: a user and the roles they hold.
type Principal struct {
	User  string
	Roles []Role
}

// Owner is the principal of a local workspace: the person who opened it holds every role
// (domain.md, "Roles").
// The roles are a copy: changing them leaves AllRoles alone.
func Owner(user string) Principal { return Principal{User: user, Roles: slices.Clone(AllRoles)} }

// Can reports whether the principal holds a role granting p.
func (p Principal) Can(perm Permission) bool {
	for _, r := range p.Roles {
		if r == RoleGlobalAdmin || slices.Contains(grants[r], perm) {
			return true
		}
	}
	return false
}

// Require returns a *ForbiddenError naming the roles that grant perm when p holds none
// (it unwraps to a *RuleError with the rule "role").
func (p Principal) Require(perm Permission) error {
	if p.Can(perm) {
		return nil
	}
	var who []Role
	for _, r := range AllRoles {
		if r == RoleGlobalAdmin || slices.Contains(grants[r], perm) {
			who = append(who, r)
		}
	}
	return &ForbiddenError{User: p.User, Permission: perm, Roles: who}
}

// roleSummaries say what each role may do, as domain.md's table does.
var roleSummaries = map[Role]string{
	RoleGlobalAdmin:    "everything, including flagging customers and managing users",
	RoleUserAdmin:      "manage users; invite and remove indirect resellers; read the audit log",
	RoleAdminAgent:     "customers and their relationships, subscriptions, resellers, service requests",
	RoleSalesAgent:     "customers, subscriptions, resellers; no service requests",
	RoleHelpdeskAgent:  "read customers; file and manage service requests",
	RoleAccountAdmin:   "manage users and the company profile; read the audit log (PSC admins)",
	RoleReferralsAdmin: "read and write every deal (PSC deal managers and sellers)",
}

// RoleSummary says in a few words what the role may do.
func RoleSummary(r Role) string { return roleSummaries[r] }
