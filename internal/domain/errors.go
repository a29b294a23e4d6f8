package domain

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is wrapped by every "no such record" error.
var ErrNotFound = errors.New("not found")

// NotFoundError says which record was looked for.
type NotFoundError struct {
	Kind string // "customer", "reseller", …
	Ref  string // what the user typed
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("no %s matches %q", e.Kind, e.Ref) }

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// RuleError is a refusal by a business rule: the input is well formed but the rule forbids
// the change (flagging without the global admin role, editing a closed deal, …).
type RuleError struct {
	Rule string // short name of the rule, e.g. "flag-needs-global-admin"
	Msg  string
}

func (e *RuleError) Error() string { return e.Msg }

// InvalidError is a value that breaks a rule of form: a malformed domain, an unknown
// country code, an empty name.
type InvalidError struct {
	Field  string // stable field name, as in JSON output: "domain", "country", …
	Value  string
	Reason string
}

func (e *InvalidError) Error() string { return e.Field + " " + e.Detail() }

// Detail is the message without the field name: `"bad value" reason`.
func (e *InvalidError) Detail() string {
	if e.Value == "" {
		return e.Reason
	}
	return fmt.Sprintf("%q %s", e.Value, e.Reason)
}

// ForbiddenError is a principal refused for want of a role (domain.md, "Roles"): the
// request is well formed and the user known, but none of their roles grants the
// permission. A pcctl server answers it with 403; pcctl exits with code 5. It names the
// roles that would grant the permission.
//
// It unwraps to a *RuleError with the rule "role" and the same message, so that code
// treating every refusal alike (errors.As(err, &rule)) still sees it as one.
type ForbiddenError struct {
	User       string
	Permission Permission
	Roles      []Role // the roles that grant Permission, in the order of AllRoles
	// Reason, when set, says why in words instead of Roles (a rule of who may grant what).
	Reason string
}

func (e *ForbiddenError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("%s may not %s: %s", e.User, e.Permission, e.Reason)
	}
	names := make([]string, len(e.Roles))
	for i, r := range e.Roles {
		names[i] = string(r)
	}
	return fmt.Sprintf("%s may not %s: that needs the role %s", e.User, e.Permission, strings.Join(names, " or "))
}

// Unwrap makes errors.As(err, &rule) true, with rule.Rule "role".
func (e *ForbiddenError) Unwrap() error { return &RuleError{Rule: "role", Msg: e.Error()} }

// AuthError is a request that cannot be tied to a user: no access token, or one that is
// malformed, unknown, revoked or expired. A pcctl server answers it with 401; pcctl exits
// with code 5. Code is stable (one of the Auth… constants), Reason says it in words and
// never quotes the secret.
type AuthError struct {
	Code   string
	Reason string
}

// The codes of an AuthError.
const (
	AuthMissing   = "missing"   // no token given
	AuthMalformed = "malformed" // not the form of a pcctl token
	AuthUnknown   = "unknown"   // no token has that secret (never issued, or its user removed)
	AuthRevoked   = "revoked"
	AuthExpired   = "expired"
)

func (e *AuthError) Error() string { return "not authenticated: " + e.Reason }
