package domain

import (
	"errors"
	"fmt"
	"testing"
)

func TestNotFoundError(t *testing.T) {
	err := error(&NotFoundError{Kind: "customer", Ref: "contoso"})
	if got, want := err.Error(), `no customer matches "contoso"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, ErrNotFound) {
		t.Error("errors.Is(NotFoundError, ErrNotFound) = false")
	}
	wrapped := fmt.Errorf("show: %w", err)
	if !errors.Is(wrapped, ErrNotFound) {
		t.Error("a wrapped NotFoundError does not unwrap to ErrNotFound")
	}
	var nf *NotFoundError
	if !errors.As(wrapped, &nf) || nf.Kind != "customer" || nf.Ref != "contoso" {
		t.Errorf("errors.As = %+v", nf)
	}
	if got, want := (&NotFoundError{Kind: "reseller", Ref: `say "hi"`}).Error(), `no reseller matches "say \"hi\""`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if ErrNotFound.Error() != "not found" {
		t.Errorf("ErrNotFound = %q", ErrNotFound.Error())
	}
	if errors.Is(&RuleError{Rule: "x", Msg: "y"}, ErrNotFound) || errors.Is(&InvalidError{Field: "x"}, ErrNotFound) {
		t.Error("other errors unwrap to ErrNotFound")
	}
}

func TestRuleError(t *testing.T) {
	err := &RuleError{Rule: "flag-needs-global-admin", Msg: "flagging needs the global admin role"}
	if got, want := err.Error(), "flagging needs the global admin role"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestInvalidError(t *testing.T) {
	tests := []struct {
		err         InvalidError
		msg, detail string
	}{
		{InvalidError{Field: "domain", Value: "contoso", Reason: "needs at least two labels"},
			`domain "contoso" needs at least two labels`, `"contoso" needs at least two labels`},
		{InvalidError{Field: "companyName", Reason: "is empty"},
			"companyName is empty", "is empty"},
		{InvalidError{Field: "term", Value: `a"b`, Reason: "is odd"},
			`term "a\"b" is odd`, `"a\"b" is odd`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.msg {
			t.Errorf("Error() = %q, want %q", got, tt.msg)
		}
		if got := tt.err.Detail(); got != tt.detail {
			t.Errorf("Detail() = %q, want %q", got, tt.detail)
		}
	}
}
