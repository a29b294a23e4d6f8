package api

import (
	"errors"
	"net/http"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Error codes: what kind of error an Error is. The client turns each back into the error
// type pcctl would have met on a local workspace, so that the message and the exit code
// are the same (pcctl help exit-codes).
const (
	CodeNotFound        = "not_found"       // 404, *domain.NotFoundError
	CodeInvalid         = "invalid"         // 400, *domain.InvalidError
	CodeRule            = "rule"            // 409, *domain.RuleError (412 for a stale version)
	CodeForbidden       = "forbidden"       // 403, *domain.ForbiddenError
	CodeUnauthenticated = "unauthenticated" // 401, *domain.AuthError
	CodeRow             = "row"             // 422, *workspace.RowError: a bad row aborted an import
	CodeBadRequest      = "bad_request"     // 400: the request itself is malformed
	CodeTooLarge        = "too_large"       // 413: the body is over the server's limit
	CodeTimeout         = "timeout"         // 408: the body stopped coming
	CodeMethod          = "method_not_allowed"
	CodeUnavailable     = "unavailable" // 503: shutting down, or the workspace is busy
	CodeInternal        = "internal"    // 500
)

// Error is the body of every error answer: a stable code, a description in words (the
// message pcctl prints) and the fields that rebuild the typed error.
type Error struct {
	Code        string `json:"code"`
	Description string `json:"description"`

	Kind       string   `json:"kind,omitempty"`       // not_found: customer, reseller…
	Ref        string   `json:"ref,omitempty"`        // not_found: what was looked for
	Rule       string   `json:"rule,omitempty"`       // rule: the rule's short name
	Field      string   `json:"field,omitempty"`      // invalid, row
	Value      string   `json:"value,omitempty"`      // invalid
	Reason     string   `json:"reason,omitempty"`     // invalid, row
	User       string   `json:"user,omitempty"`       // forbidden
	Permission string   `json:"permission,omitempty"` // forbidden
	Roles      []string `json:"roles,omitempty"`      // forbidden: the roles that would grant it
	AuthCode   string   `json:"authCode,omitempty"`   // unauthenticated: domain.Auth… code
	Line       int      `json:"line,omitempty"`       // row
	Column     int      `json:"column,omitempty"`     // row

	Attributes Attributes `json:"attributes"`
}

func (e *Error) Error() string { return e.Description }

// NewError makes an error answer of a code other than the typed ones.
func NewError(code, description string) *Error {
	return &Error{Code: code, Description: description, Attributes: Attributes{ObjectType: "Error"}}
}

// Status is the HTTP status of an error answer.
func (e *Error) Status() int {
	switch e.Code {
	case CodeNotFound:
		return http.StatusNotFound
	case CodeInvalid, CodeBadRequest:
		return http.StatusBadRequest
	case CodeRule:
		if e.Rule == "stale" {
			return http.StatusPreconditionFailed
		}
		return http.StatusConflict
	case CodeForbidden:
		return http.StatusForbidden
	case CodeUnauthenticated:
		return http.StatusUnauthorized
	case CodeRow:
		return http.StatusUnprocessableEntity
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeTimeout:
		return http.StatusRequestTimeout
	case CodeMethod:
		return http.StatusMethodNotAllowed
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ErrorFrom describes err as an error answer. Errors of no known type are internal: their
// text is not sent (it may name server paths); the server logs it.
func ErrorFrom(err error) *Error {
	var (
		apiErr    *Error
		notFound  *domain.NotFoundError
		invalid   *domain.InvalidError
		forbidden *domain.ForbiddenError
		auth      *domain.AuthError
		rule      *domain.RuleError
		row       *workspace.RowError
	)
	e := NewError(CodeInternal, "internal error")
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &notFound):
		e.Code, e.Kind, e.Ref = CodeNotFound, notFound.Kind, notFound.Ref
	case errors.As(err, &invalid):
		e.Code, e.Field, e.Value, e.Reason = CodeInvalid, invalid.Field, invalid.Value, invalid.Reason
	case errors.As(err, &forbidden): // before rule: it unwraps to one
		e.Code, e.User, e.Permission, e.Reason = CodeForbidden, forbidden.User, string(forbidden.Permission), forbidden.Reason
		for _, r := range forbidden.Roles {
			e.Roles = append(e.Roles, string(r))
		}
	case errors.As(err, &auth):
		e.Code, e.AuthCode, e.Reason = CodeUnauthenticated, auth.Code, auth.Reason
	case errors.As(err, &rule):
		e.Code, e.Rule = CodeRule, rule.Rule
	case errors.As(err, &row):
		e.Code, e.Line, e.Column, e.Field, e.Reason = CodeRow, row.Line, row.Column, row.Field, row.Reason
	default:
		return e
	}
	e.Description = err.Error()
	return e
}

// Err rebuilds the error the server met, as the type a local workspace returns, so that
// pcctl prints the same message and exits with the same code: the message is the
// server's own description, and errors.As finds the typed error behind it.
func (e *Error) Err() error {
	var typed error
	switch e.Code {
	case CodeNotFound:
		typed = &domain.NotFoundError{Kind: e.Kind, Ref: e.Ref}
	case CodeInvalid:
		typed = &domain.InvalidError{Field: e.Field, Value: e.Value, Reason: e.Reason}
	case CodeForbidden:
		f := &domain.ForbiddenError{User: e.User, Permission: domain.Permission(e.Permission), Reason: e.Reason}
		for _, r := range e.Roles {
			f.Roles = append(f.Roles, domain.Role(r))
		}
		typed = f
	case CodeUnauthenticated:
		typed = &domain.AuthError{Code: e.AuthCode, Reason: e.Reason}
	case CodeRule:
		typed = &domain.RuleError{Rule: e.Rule, Msg: e.Description}
	case CodeRow:
		typed = &workspace.RowError{Line: e.Line, Column: e.Column, Field: e.Field, Reason: e.Reason}
	default:
		return e
	}
	if typed.Error() == e.Description {
		return typed
	}
	return &described{msg: e.Description, err: typed}
}

// described is a typed error with the server's words for it (a local workspace may have
// wrapped it with context).
type described struct {
	msg string
	err error
}

func (e *described) Error() string { return e.msg }
func (e *described) Unwrap() error { return e.err }
