package postgres

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/conformance"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// A file copied to a database and back holds the same records; the database goes on
// numbering after the copied keys; the audit log comes along and stays append-only.
func TestCopyFileToDatabaseAndBack(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) }
	file, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), sqlite.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	owner := domain.Owner("alice@contoso.com")
	ws := file.As(owner)
	if _, err := ws.ImportCustomers(ctx, conformance.RowsOf(conformance.Generated(500)), workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	cs := conformance.AddN(t, ws, 3)
	if _, err := ws.FlagCustomer(ctx, cs[1].Domain); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: cs[0].Domain, Title: "Down", Severity: domain.SeverityMinimal}); err != nil {
		t.Fatal(err)
	}

	db := openTest(t, now)
	counts, err := workspace.Copy(ctx, file, db, workspace.CopyProgress{})
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(counts, func(c workspace.TableCount) bool { return c.Table == "customers" }); i < 0 || counts[i].Rows != 503 {
		t.Fatalf("counts %+v", counts)
	}
	want := conformance.ExportAll(t, ws)
	if got := conformance.ExportAll(t, db.As(owner)); !slices.Equal(got, want) {
		t.Fatalf("database holds %d customers, file %d, or they differ", len(got), len(want))
	}
	if got, err := db.As(owner).SearchCustomers(ctx, cs[1].CompanyName, 5); err != nil || len(got) == 0 || !got[0].Flagged {
		t.Fatalf("search after copy: %+v %v", got, err)
	}
	// New records number after the copied ones.
	if _, err := db.As(owner).AddCustomer(ctx, domain.Customer{CompanyName: "After", Domain: "after.example"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.As(owner).CreateRequest(ctx, domain.ServiceRequest{CustomerID: cs[0].Domain, Title: "Again", Severity: domain.SeverityMinimal}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
		t.Fatal("the copied audit log can be deleted")
	}
	if empty, err := db.Empty(ctx); err != nil || empty {
		t.Fatalf("empty = %v, %v", empty, err)
	}

	back, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "back.db"), sqlite.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if _, err := workspace.Copy(ctx, db, back, workspace.CopyProgress{}); err != nil {
		t.Fatal(err)
	}
	if got := conformance.ExportAll(t, back.As(owner)); len(got) != 504 {
		t.Fatalf("back: %d customers", len(got))
	}
	if problems, err := back.Check(ctx); err != nil || len(problems) > 0 {
		t.Fatal(problems, err)
	}
	var n int
	if err := back.As(owner).AuditLog(ctx, workspace.AuditQuery{}, func(workspace.AuditRecord) error { n++; return nil }); err != nil || n < 5 {
		t.Fatalf("audit log: %d records, %v", n, err)
	}
}
