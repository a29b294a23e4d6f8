package domain

import (
	"errors"
	"fmt"
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
