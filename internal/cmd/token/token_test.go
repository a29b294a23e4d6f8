package token

import (
	"fmt"
	"testing"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
)

// Exit code 5: access denied, whether the token is refused (a server's 401) or a role is
// missing (403). No local command reaches it (the local owner holds every role), so the
// mapping is pinned here, next to the commands that manage the tokens.
func TestExitCodeDenied(t *testing.T) {
	forbidden := domain.Principal{User: "sue@fabrikam.com", Roles: []domain.Role{domain.RoleReferralsAdmin}}.Require(domain.PermManageUsers)
	for _, tt := range []struct {
		err  error
		want int
	}{
		{&domain.AuthError{Code: domain.AuthExpired, Reason: "expired"}, cmdutil.ExitDenied},
		{fmt.Errorf("request: %w", &domain.AuthError{Code: domain.AuthUnknown}), cmdutil.ExitDenied},
		{forbidden, cmdutil.ExitDenied},
		{fmt.Errorf("token list: %w", forbidden), cmdutil.ExitDenied},
		// The other refusals keep their codes.
		{&domain.RuleError{Rule: "token-revoked", Msg: "already revoked"}, cmdutil.ExitRefused},
		{&domain.NotFoundError{Kind: "token", Ref: "x"}, cmdutil.ExitNotFound},
		{&domain.InvalidError{Field: "expires"}, cmdutil.ExitUsage},
	} {
		if got := cmdutil.ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	if cmdutil.ExitDenied != 5 {
		t.Errorf("ExitDenied = %d, want 5 (pcctl help exit-codes)", cmdutil.ExitDenied)
	}
}
