package server_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// helperEnv makes the test binary a helper process that changes a workspace file, as
// `pcctl token revoke` or `pcctl user remove` run beside the server would.
const helperEnv = "PCCTL_SERVER_TEST_HELPER"

func TestMain(m *testing.M) {
	if op := os.Getenv(helperEnv); op != "" {
		if err := runHelper(op, os.Getenv("HELPER_WORKSPACE"), os.Getenv("HELPER_ARG")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runHelper(op, path, arg string) error {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, sqlite.Options{MustExist: true})
	if err != nil {
		return err
	}
	defer db.Close()
	ws := db.As(domain.Owner("admin@pcctl.test"))
	switch op {
	case "revoke":
		_, err = ws.RevokeToken(ctx, arg)
	case "remove-user":
		_, err = ws.RemoveUser(ctx, arg, nil)
	case "remove-helpdesk":
		_, err = ws.RemoveUser(ctx, arg, []domain.Role{domain.RoleHelpdeskAgent})
	default:
		err = fmt.Errorf("unknown helper operation %q", op)
	}
	return err
}

// inAnotherProcess runs op on the workspace file in a process of its own, to its end.
func inAnotherProcess(t *testing.T, path, op, arg string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+op, "HELPER_WORKSPACE="+path, "HELPER_ARG="+arg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s in another process: %v\n%s", op, arg, err, out)
	}
}

// TestAccessChangesHoldAtNextRequest: a token revoked, a user removed or a role taken away
// by another process on the workspace file (pcctl beside pcctl serve) is refused from the
// very next request, although the server had just checked and cached that token. No
// sleep: the request right after the other process ends must see the change.
func TestAccessChangesHoldAtNextRequest(t *testing.T) {
	e := servertest.Start(t, servertest.Options{})
	path := e.DB.Path()
	sue := e.Token("sue@fabrikam.com", domain.RoleHelpdeskAgent)
	bob := e.Token("bob@fabrikam.com", domain.RoleHelpdeskAgent)
	carol := e.Token("carol@fabrikam.com", domain.RoleHelpdeskAgent, domain.RoleSalesAgent)
	tokens, err := e.Local("admin@pcctl.test").Tokens(context.Background(), "sue@fabrikam.com")
	if err != nil || len(tokens) != 1 {
		t.Fatal(tokens, err)
	}
	customers, requests := e.URL+api.CustomersPath, e.URL+"/v1/servicerequests"
	warm := func(token, url string) {
		t.Helper()
		for i := 0; i < 3; i++ { // the first checks the token, the others use the cache
			if status, apiErr, _ := do(t, http.MethodGet, url, token, nil); status != http.StatusOK {
				t.Fatalf("before the change: %d %+v", status, apiErr)
			}
		}
	}

	warm(sue, customers)
	inAnotherProcess(t, path, "revoke", tokens[0].ID)
	if status, apiErr, _ := do(t, http.MethodGet, customers, sue, nil); status != http.StatusUnauthorized || apiErr.AuthCode != domain.AuthRevoked {
		t.Errorf("the request right after another process revoked the token: %d %+v, want 401 revoked", status, apiErr)
	}

	warm(bob, customers)
	inAnotherProcess(t, path, "remove-user", "bob@fabrikam.com")
	if status, apiErr, _ := do(t, http.MethodGet, customers, bob, nil); status != http.StatusUnauthorized || apiErr.AuthCode != domain.AuthUnknown {
		t.Errorf("the request right after another process removed the user: %d %+v, want 401 unknown", status, apiErr)
	}

	warm(carol, requests)
	inAnotherProcess(t, path, "remove-helpdesk", "carol@fabrikam.com")
	if status, apiErr, _ := do(t, http.MethodGet, requests, carol, nil); status != http.StatusForbidden {
		t.Errorf("the request right after another process took the role away: %d %+v, want 403", status, apiErr)
	}
	if status, apiErr, _ := do(t, http.MethodGet, customers, carol, nil); status != http.StatusOK {
		t.Errorf("carol still reads customers as a sales agent: %d %+v", status, apiErr)
	}
}
