package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace/conformance"
)

// TestBackupWhileWriting copies the workspace while another connection adds customers:
// the copy is a sound workspace holding a consistent count, and opens as one.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	db, _ := openTest(t, filepath.Join(dir, "ws.db"))
	conformance.AddN(t, alice(db), 50)
	writer, err := Open(context.Background(), filepath.Join(dir, "ws.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 100 {
			if _, err := alice(writer).AddCustomer(context.Background(), domain.Customer{CompanyName: "W", Domain: fmt.Sprintf("w%d.com", i)}, ""); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var sizes []int64
	for i := range 5 {
		size, err := db.Backup(context.Background(), filepath.Join(dir, fmt.Sprintf("copy%d.db", i)), false)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, size)
	}
	wg.Wait()
	for i := range sizes {
		copyDB, _ := openTest(t, filepath.Join(dir, fmt.Sprintf("copy%d.db", i)))
		problems, err := copyDB.Check(context.Background())
		if err != nil || len(problems) != 0 {
			t.Fatalf("copy %d: %v %v", i, problems, err)
		}
		n, _ := alice(copyDB).CountCustomers(context.Background())
		found, _ := alice(copyDB).SearchCustomers(context.Background(), "customer", 100)
		if n < 50 || n > 150 || len(found) != 50 {
			t.Fatalf("copy %d holds %d customers, %d found by search", i, n, len(found))
		}
	}
	// An existing file is kept unless replaced; the workspace itself is refused.
	if _, err := db.Backup(context.Background(), filepath.Join(dir, "copy0.db"), false); err == nil || !strings.Contains(err.Error(), "pass --force") {
		t.Fatalf("existing: %v", err)
	}
	if _, err := db.Backup(context.Background(), filepath.Join(dir, "copy0.db"), true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Backup(context.Background(), filepath.Join(dir, "ws.db"), true); err == nil {
		t.Fatal("backed up onto itself")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestCheckFindsDamage(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	conformance.AddN(t, alice(db), 3)
	if problems, err := db.Check(context.Background()); err != nil || len(problems) != 0 {
		t.Fatalf("a sound workspace: %v %v", problems, err)
	}
	// A flag pointing at a customer that is gone (written with foreign keys off).
	if _, err := db.db.Exec(`PRAGMA foreign_keys=0; INSERT INTO customer_flags(user, customer, flagged_at) VALUES ('x', 999, '2026-01-01T00:00:00Z'); PRAGMA foreign_keys=1`); err != nil {
		t.Fatal(err)
	}
	problems, err := db.Check(context.Background())
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0], "customer_flags refers to a missing row of customers") {
		t.Fatalf("%v %v", problems, err)
	}
}
