package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
)

// TestAuthenticateWhileWriteLockHeld: authentication never waits for nor fails on the
// write lock: last_used_at is noted and written later, once the lock is free. Another
// connection (as another process would) holds the write lock for the whole test; the
// workspace waits at most 200 ms for a lock, so a write on the request's path would fail.
func TestAuthenticateWhileWriteLockHeld(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	clk := &clock{t: testNow}
	db, err := Open(ctx, path, ForServer(Options{Now: clk.now, BusyTimeout: 200 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws := alice(db)
	addUser(t, ws, "sue@fabrikam.com", domain.RoleHelpdeskAgent)
	secret, tok, err := ws.CreateToken(ctx, "sue@fabrikam.com", "laptop", domain.NeverExpires)
	if err != nil {
		t.Fatal(err)
	}

	locker, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	lock, err := locker.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	held := true
	release := func() {
		if held {
			held = false
			if _, err := lock.ExecContext(ctx, `ROLLBACK`); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer release()

	// Several uses, a minute apart and within a minute: every one authenticates.
	for i, at := range []time.Duration{time.Hour, time.Hour + 10*time.Second, time.Hour + 2*time.Minute} {
		clk.t = testNow.Add(at)
		p, used, err := db.Authenticate(ctx, secret)
		if err != nil {
			t.Fatalf("use %d, with the write lock held by another connection: %v", i, err)
		}
		if p.User != "sue@fabrikam.com" || used.ID != tok.ID {
			t.Fatalf("use %d: %+v %+v", i, p, used)
		}
	}
	// The use is pending, not lost: the writer cannot write it while the lock is held.
	if err := db.uses.flush(ctx); err == nil {
		t.Fatal("the pending use was written although another connection holds the write lock")
	}
	stored := func() string {
		var s string
		if err := db.db.QueryRowContext(ctx, `SELECT last_used_at FROM tokens WHERE id = ?`, tok.ID).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := stored(); got != "" {
		t.Fatalf("last_used_at = %q while the lock is held", got)
	}
	release()
	if err := db.uses.flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := stored(); got != "2026-11-21T11:02:00Z" {
		t.Errorf("last_used_at = %q once the lock is free, want the last use, 2026-11-21T11:02:00Z", got)
	}
}

// TestTokenUsesCoalesced: uses within a minute of the last noted one are not noted again,
// and a workspace closed with a use pending writes it.
func TestTokenUsesCoalesced(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	db, clk := openTest(t, path)
	ws := alice(db)
	addUser(t, ws, "sue@fabrikam.com", domain.RoleHelpdeskAgent)
	secret, tok, err := ws.CreateToken(ctx, "sue@fabrikam.com", "", domain.NeverExpires)
	if err != nil {
		t.Fatal(err)
	}
	u := db.uses
	u.mu.Lock()
	u.started = true // as if the writer ran: none is started, and the uses stay pending
	u.mu.Unlock()
	for _, at := range []time.Duration{0, 30 * time.Second, 59 * time.Second} {
		clk.t = testNow.Add(at)
		if _, _, err := db.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	u.mu.Lock()
	pending := len(u.pending)
	first := u.pending[tok.ID]
	u.mu.Unlock()
	if pending != 1 || !first.Equal(testNow) {
		t.Fatalf("pending uses after three within a minute: %d, at %v", pending, first)
	}
	close(u.done) // the goroutine close waits for was never started
	db.Close()
	db2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	got, err := alice(db2).Tokens(ctx, "sue@fabrikam.com")
	if err != nil || len(got) != 1 || !got[0].LastUsedAt.Equal(testNow) {
		t.Fatalf("after closing: %+v %v", got, err)
	}
}

// TestChangeVersion: the version changes when another connection (as another process
// would) commits, and only then; a read that began before a caller's time is not reused.
func TestChangeVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	srv, err := Open(ctx, path, ForServer(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	other, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	v1, ok, err := srv.ChangeVersion(ctx, time.Now())
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if v, _, _ := srv.ChangeVersion(ctx, time.Now()); v != v1 {
		t.Fatalf("unchanged workspace: version %d then %d", v1, v)
	}
	addUser(t, alice(other), "sue@fabrikam.com", domain.RoleHelpdeskAgent)
	if v, _, _ := srv.ChangeVersion(ctx, time.Now()); v == v1 {
		t.Fatalf("version %d unchanged after another connection's commit", v)
	}
	if _, ok, _ := other.ChangeVersion(ctx, time.Now()); ok {
		t.Error("a workspace not opened for a server has no change version")
	}
}
