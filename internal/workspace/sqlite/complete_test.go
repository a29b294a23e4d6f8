package sqlite

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/conformance"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

func values(cs []workspace.Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Value)
	}
	return out
}

func TestComplete(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	db, _ := openTest(t, path)
	ws := alice(db)
	ctx := context.Background()
	added := conformance.AddN(t, ws, 12) // c000.onmicrosoft.com … c011.onmicrosoft.com, "Customer 000" …
	conformance.Partner(t, ws, "4847383")
	conformance.Partner(t, ws, "4847999")
	conformance.Partner(t, ws, "5100200")
	if _, err := ws.RemoveReseller(ctx, "4847999"); err != nil {
		t.Fatal(err)
	}
	sub, err := ws.AddSubscription(ctx, domain.Subscription{CustomerID: added[3].ID, Offer: "Microsoft 365 E3", Quantity: 5})
	if err != nil {
		t.Fatal(err)
	}

	// Read through OpenExisting, as a completion does.
	ro, err := OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	cws := alice(ro)
	complete := func(kind workspace.CompleteKind, prefix string, limit int) []workspace.Candidate {
		t.Helper()
		got, err := cws.Complete(ctx, kind, prefix, limit)
		if err != nil {
			t.Fatalf("Complete(%s, %q, %d): %v", kind, prefix, limit, err)
		}
		return got
	}

	got := complete(workspace.CompleteCustomers, "C00", 3)
	want := []workspace.Candidate{cand("c000.onmicrosoft.com", "Customer 000"), cand("c001.onmicrosoft.com", "Customer 001"),
		cand("c002.onmicrosoft.com", "Customer 002")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("customers C00, limit 3: %v, want %v", got, want)
	}
	if got := values(complete(workspace.CompleteCustomers, "", 2)); !reflect.DeepEqual(got, []string{"c000.onmicrosoft.com", "c001.onmicrosoft.com"}) {
		t.Errorf("customers, empty prefix: %v", got)
	}
	if got := complete(workspace.CompleteCustomers, "c011.", 50); len(got) != 1 || got[0].Value != "c011.onmicrosoft.com" {
		t.Errorf("customers c011.: %v", got)
	}
	if got := complete(workspace.CompleteCustomers, "zz", 50); len(got) != 0 {
		t.Errorf("customers zz: %v", got)
	}
	// A tenant ID prefix finds the ID, described by name and domain.
	id := added[5].ID
	got = complete(workspace.CompleteCustomers, strings.ToUpper(id[:13]), 50)
	want = []workspace.Candidate{cand(id, "Customer 005 (c005.onmicrosoft.com)")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("customers %s: %v, want %v", id[:13], got, want)
	}
	// A prefix that can begin both a domain and an ID lists both, in order, within limit.
	if _, err := ws.AddCustomer(ctx, domain.Customer{CompanyName: "Hex", Domain: id[:2] + "zz.com", Country: "FR"}, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"); err != nil {
		t.Fatal(err)
	}
	if got := values(complete(workspace.CompleteCustomers, id[:1], 50)); !contains(got, id) || !contains(got, id[:2]+"zz.com") {
		t.Errorf("customers %s: %v, want both %s and %szz.com", id[:1], got, id, id[:2])
	}
	if got := complete(workspace.CompleteCustomers, id[:1], 1); len(got) != 1 {
		t.Errorf("customers %s, limit 1: %v", id[:1], got)
	}

	got = complete(workspace.CompleteResellers, "48", 50)
	want = []workspace.Candidate{cand("4847383", "Reseller 4847383")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("active resellers 48: %v, want %v", got, want)
	}
	if got := values(complete(workspace.CompleteAnyResellers, "", 50)); !reflect.DeepEqual(got, []string{"4847383", "4847999", "5100200"}) {
		t.Errorf("any resellers: %v", got)
	}

	got = complete(workspace.CompleteSubscriptions, sub.ID[:4], 50)
	want = []workspace.Candidate{cand(sub.ID, "Microsoft 365 E3 for Customer 003")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("subscriptions %s: %v, want %v", sub.ID[:4], got, want)
	}

	if got := complete(workspace.CompleteCustomers, "c", 0); got != nil {
		t.Errorf("limit 0: %v", got)
	}
	if _, err := cws.Complete(ctx, "nosuch", "", 5); err == nil {
		t.Error("an unknown kind is not an error")
	}
	nobody := ro.As(domain.Principal{User: "bob"})
	if _, err := nobody.Complete(ctx, workspace.CompleteResellers, "", 5); err == nil {
		t.Error("a user without the role completes resellers")
	}
}

func cand(value, description string) workspace.Candidate {
	return workspace.Candidate{Value: value, Description: description}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestCompleteQueryPlans checks that every completion query reads a range of an index, in
// its order: no table scan, no sort, so the time does not grow with the workspace.
func TestCompleteQueryPlans(t *testing.T) {
	db, _ := openTest(t, filepath.Join(t.TempDir(), "ws.db"))
	for _, q := range sqlstore.CompleteRangeQueries(dialect{}) {
		rows, err := db.db.Query("EXPLAIN QUERY PLAN "+q, "c", 50, false)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "; ")
		if !strings.Contains(plan[0], "SEARCH") || strings.Contains(text, "SCAN") || strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("query plan of\n%s\nis %q: want an index range search, no scan, no sort", q, text)
		}
	}
}

func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	// A missing file, or a missing folder, is an error and nothing is created.
	for _, path := range []string{filepath.Join(dir, "ws.db"), filepath.Join(dir, "no", "ws.db")} {
		if db, err := OpenExisting(ctx, path); err == nil {
			db.Close()
			t.Errorf("OpenExisting(%s) of nothing succeeded", path)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("OpenExisting created %v", entries)
	}
	if _, err := os.Stat(filepath.Join(dir, "no")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenExisting created the folder: %v", err)
	}

	// A file that is not a workspace is refused and left as it was.
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(other, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if db, err := OpenExisting(ctx, other); err == nil {
		db.Close()
		t.Error("OpenExisting of a text file succeeded")
	}
	if b, _ := os.ReadFile(other); string(b) != "hello" {
		t.Errorf("the text file now holds %q", b)
	}
	if db, err := OpenExisting(ctx, dir); err == nil {
		db.Close()
		t.Error("OpenExisting of a folder succeeded")
	}
}
