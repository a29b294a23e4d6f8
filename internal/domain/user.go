package domain

import (
	"slices"
	"strings"
	"time"
)

// User is a person who works in the workspace, with the roles of domain.md. A remote
// workspace maps each access token to one user; a local workspace's owner holds every
// role whether or not they are listed.
type User struct {
	Email     string
	Name      string
	Roles     []Role // in the order of AllRoles, without duplicates
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NormalizeUser checks a user's address, name and roles, and sorts the roles in the order
// of AllRoles without duplicates. A user holds at least one role.
func NormalizeUser(u User) (User, error) {
	email, err := ParseEmail(u.Email)
	if err != nil {
		return u, err
	}
	u.Email = email
	if err := checkText("name", u.Name); err != nil {
		return u, err
	}
	u.Name = strings.Join(strings.Fields(u.Name), " ")
	if len(u.Roles) == 0 {
		return u, &InvalidError{Field: "role", Reason: "is missing: a user holds at least one role"}
	}
	u.Roles = SortRoles(u.Roles)
	return u, nil
}

// SortRoles returns the roles in the order of AllRoles, without duplicates.
func SortRoles(roles []Role) []Role {
	out := make([]Role, 0, len(roles))
	for _, r := range AllRoles {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out
}

// ParseRoles reads role names, each of which may itself be a comma-separated list.
func ParseRoles(names []string) ([]Role, error) {
	var roles []Role
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			r, err := ParseRole(part)
			if err != nil {
				return nil, err
			}
			roles = append(roles, r)
		}
	}
	return SortRoles(roles), nil
}
