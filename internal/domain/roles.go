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
	// Token and TokenCreatedBy name the access token the principal acts through, and who
	// created it ("" for a local workspace's owner): the audit log records both.
	Token          string
	TokenCreatedBy string
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

// Holds reports whether the principal holds role r: a global-admin holds every role.
func (p Principal) Holds(r Role) bool {
	return slices.Contains(p.Roles, RoleGlobalAdmin) || slices.Contains(p.Roles, r)
}

// The grant rule (docs/api/admin.md, `pcctl user --help`): who may give which role, and
// who may act on whose access tokens. It closes the way up from a role that manages users
// (user-admin, account-admin) to global-admin.
//
//   - Nobody grants (or takes away) a role they do not hold; only a global-admin grants
//     global-admin (a global-admin holds every role).
//   - Removing a user, creating or revoking an access token for another user, needs every
//     role that user holds (a global-admin may always). A user's own tokens are their own.

// CheckGrant refuses, with a *ForbiddenError, roles the principal may not give or take away.
func CheckGrant(by Principal, roles []Role) error {
	for _, r := range SortRoles(roles) {
		if by.Holds(r) {
			continue
		}
		reason := "nobody grants a role they do not hold"
		if r == RoleGlobalAdmin {
			reason = "only a global-admin grants global-admin"
		}
		return &ForbiddenError{User: by.User, Permission: Permission("grant or remove the role " + string(r)), Reason: reason}
	}
	return nil
}

// CheckActOnUser refuses, with a *ForbiddenError, acting on another user (what: "remove",
// "create an access token for", "revoke an access token of") when that user holds a role
// the principal does not. Acting on oneself is allowed.
func CheckActOnUser(by Principal, what string, target User) error {
	if strings.EqualFold(by.User, target.Email) {
		return nil
	}
	for _, r := range target.Roles {
		if !by.Holds(r) {
			return &ForbiddenError{User: by.User, Permission: Permission(what + " " + target.Email),
				Reason: target.Email + " holds the role " + string(r) + ", which " + by.User + " does not (only a global-admin, or a holder of every role of the user, may)"}
		}
	}
	return nil
}
