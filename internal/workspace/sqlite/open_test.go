package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

var testNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// clock is a settable clock for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openTest(t *testing.T, path string) (*DB, *clock) {
	t.Helper()
	clk := &clock{t: testNow}
	db, err := Open(context.Background(), path, Options{Now: clk.now})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db, clk
}

func alice(db *DB) workspace.Workspace { return db.As(domain.Owner("alice@contoso.com")) }

func TestOpenCreatesAndMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	db, _ := openTest(t, path)
	if !db.Created() || db.SchemaVersion() != LatestSchema {
		t.Fatalf("created=%v version=%d, want true, %d", db.Created(), db.SchemaVersion(), LatestSchema)
	}
	var mode string
	var appID, fk, timeout int
	q := db.db.QueryRow("SELECT * FROM pragma_journal_mode, pragma_application_id, pragma_foreign_keys, pragma_busy_timeout")
	if err := q.Scan(&mode, &appID, &fk, &timeout); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || appID != applicationID || fk != 1 || timeout != int(BusyTimeout.Milliseconds()) {
		t.Fatalf("journal_mode=%s application_id=%x foreign_keys=%d busy_timeout=%d", mode, appID, fk, timeout)
	}
	db.Close()
	again, _ := openTest(t, path)
	if again.Created() {
		t.Fatal("reopening an existing workspace reported it as created")
	}
}

func TestOpenRefusals(t *testing.T) {
	dir := t.TempDir()
	newer := filepath.Join(dir, "newer.db")
	raw, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA application_id=1346585428; PRAGMA user_version=99; CREATE TABLE future(x)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	foreign := filepath.Join(dir, "foreign.db")
	raw, _ = sql.Open("sqlite", foreign)
	if _, err := raw.Exec("CREATE TABLE notes(x); INSERT INTO notes VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	corrupt := filepath.Join(dir, "corrupt.db")
	if err := os.WriteFile(corrupt, bytes.Repeat([]byte("not a database, just bytes. "), 200), 0o600); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, path, want string
		newerErr         bool
	}{
		{"newer", newer, fmt.Sprintf("was written by a newer pcctl (schema version 99; this pcctl knows up to %d): upgrade pcctl to use it; the file was not changed", LatestSchema), true},
		{"foreign", foreign, "is a SQLite database but not a pcctl workspace; it was not changed", false},
		{"corrupt", corrupt, "is not a pcctl workspace: the file is not a SQLite database or is corrupt; it was not changed", false},
		{"missing folder", filepath.Join(dir, "nope", "ws.db"), "folder " + filepath.Join(dir, "nope") + " does not exist", false},
		{"folder", dir, "is a folder, not a workspace file", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadFile(c.path)
			_, err := Open(context.Background(), c.path, Options{})
			var oe *OpenError
			if !errors.As(err, &oe) {
				t.Fatalf("err = %v, want an *OpenError", err)
			}
			if oe.Reason != c.want {
				t.Errorf("reason = %q\nwant     %q", oe.Reason, c.want)
			}
			if errors.Is(err, ErrNewerSchema) != c.newerErr {
				t.Errorf("errors.Is(err, ErrNewerSchema) = %v", !c.newerErr)
			}
			after, _ := os.ReadFile(c.path)
			if !bytes.Equal(before, after) {
				t.Error("the file was changed")
			}
			if _, err := os.Stat(c.path + "-wal"); err == nil && c.name != "folder" {
				t.Error("a -wal file was left behind")
			}
		})
	}
}

func TestOpenCreatesDefaultFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "ws.db")
	db, err := Open(context.Background(), path, Options{CreateFolder: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err := os.Stat(filepath.Dir(path))
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("folder: %v, mode %v; want created with 0700", err, st.Mode().Perm())
	}
}

func TestOpenReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores file permissions")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), filepath.Join(dir, "ws.db"), Options{})
	if err == nil || !strings.Contains(err.Error(), "cannot create it: permission denied") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseTime(t *testing.T) {
	for _, s := range []string{"2026-11-21T10:00:00Z", "1999-01-31T23:59:59Z", "2024-02-29T00:00:00Z", "2026-11-21T10:00:00+01:00", "2026-13-01T00:00:00Z", "garbage", ""} {
		want, err := time.Parse(time.RFC3339, s)
		if err != nil {
			want = time.Time{}
		}
		if got := parseTime(s); !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestMigratesAnOlderWorkspace: a workspace left at schema 1 by an earlier pcctl is brought
// to the latest version on open, its customers kept; NoMigrate reports it as it is.
func TestMigratesAnOlderWorkspace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(migrations[0] + fmt.Sprintf(`; PRAGMA application_id=%d; PRAGMA user_version=1;
		INSERT INTO customers(id, company_name, name_key, domain, created_at) VALUES ('a0000000-0000-4000-8000-000000000001', 'Contoso', 'contoso', 'contoso.com', '2020-01-01T00:00:00Z')`, applicationID)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	old, err := Open(context.Background(), path, Options{NoMigrate: true})
	if err != nil || old.SchemaVersion() != 1 {
		t.Fatalf("NoMigrate: version %d, %v", old.SchemaVersion(), err)
	}
	old.Close()
	db, _ := openTest(t, path)
	if db.SchemaVersion() != LatestSchema {
		t.Fatalf("version %d after open, want %d", db.SchemaVersion(), LatestSchema)
	}
	if c, err := alice(db).Customer(context.Background(), "contoso.com"); err != nil || c.CompanyName != "Contoso" {
		t.Fatalf("customer after migration: %+v %v", c, err)
	}
	if _, err := alice(db).Resellers(context.Background(), []domain.ResellerStatus{domain.ResellerActive}); err != nil {
		t.Fatalf("the new tables are missing: %v", err)
	}
}
