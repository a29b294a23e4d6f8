package sqlite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace/conformance"
)

// TestTokenSecretNotStored: the file keeps the hash of each secret and nothing else of it:
// no secret, nor its random part, is anywhere in the database, its WAL or shared memory.
func TestTokenSecretNotStored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.db")
	db, _ := openTest(t, path)
	ws := alice(db)
	ctx := context.Background()
	conformance.AddUser(t, ws, "sue@fabrikam.com", domain.RoleReferralsAdmin)
	var secrets []string
	for range 20 {
		s, _, err := ws.CreateToken(ctx, "sue@fabrikam.com", "", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ws.Authenticate(ctx, s); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, s)
	}
	check := func(when string) {
		t.Helper()
		var files [][]byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if b, err := os.ReadFile(path + suffix); err == nil {
				files = append(files, b)
			}
		}
		all := bytes.Join(files, nil)
		for _, s := range secrets {
			if bytes.Contains(all, []byte(s[len(domain.TokenPrefix):])) {
				t.Fatalf("%s: secret %s is in the workspace files", when, s)
			}
		}
		// The search is real: the hashes are there to be found.
		if !bytes.Contains(all, []byte(domain.HashTokenSecret(secrets[0]))) {
			t.Fatalf("%s: the hash of the first secret is not in the files either: the search proves nothing", when)
		}
	}
	check("open")
	db.Close()
	check("closed")
	var hashes int
	db2, _ := openTest(t, path)
	if err := db2.db.QueryRow(`SELECT count(*) FROM tokens WHERE length(secret_hash) = 64 AND secret_hash NOT GLOB '*[^0-9a-f]*'`).Scan(&hashes); err != nil || hashes != len(secrets) {
		t.Fatalf("%d hex hashes stored, want %d (%v)", hashes, len(secrets), err)
	}
}

// TestTokenPermissions: managing tokens needs a role that manages users; authenticating
// needs none.
