package conformance

import (
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Helpers for a storage's own tests, the same the suite uses.

// AddN adds n customers, "Customer 000" at c000.onmicrosoft.com and on.
func AddN(t *testing.T, ws workspace.Workspace, n int) []workspace.CustomerRecord {
	return addN(t, ws, n)
}

// RowsOf is an import of the customers, from line 2 on.
func RowsOf(cs []domain.Customer) workspace.CustomerRows { return rowsOf(cs) }

// Generated is n synthetic customers (internal/synth), the same each time.
func Generated(n int) []domain.Customer { return generated(n) }

// Partner makes mpnID an active indirect reseller.
func Partner(t *testing.T, ws workspace.Workspace, mpnID string) { partner(t, ws, mpnID) }

// ExportAll exports every customer, in order.
func ExportAll(t *testing.T, ws workspace.Workspace) []domain.Customer { return exportAll(t, ws) }

// AddUser adds a user with the roles.
func AddUser(t *testing.T, ws workspace.Workspace, email string, roles ...domain.Role) {
	addUser(t, ws, email, roles...)
}
