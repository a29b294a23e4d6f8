package server

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
)

// authCache remembers the principals of the tokens checked lately, by the hash of their
// secret (never the secret itself), each with the workspace's change version it was
// checked at (sqlite.DB.ChangeVersion). An entry answers only while the version is the
// same: any change committed to the workspace — a token revoked, a user removed or a role
// taken away, by the server or by any other process on the file — makes every entry stale,
// so the change holds from the next request on. The server also empties the cache after
// its own requests that change users or tokens.
type authCache struct {
	mu      sync.Mutex
	entries map[string]authEntry
}

type authEntry struct {
	p       domain.Principal
	token   domain.Token
	version int64
}

// maxAuthEntries bounds the cache: when full, it starts over.
const maxAuthEntries = 10000

// get is the principal of a token checked at the workspace's change version, still valid
// at the workspace's time wsNow (it may have expired since).
func (c *authCache) get(hash string, version int64, wsNow time.Time) (domain.Principal, bool) {
	c.mu.Lock()
	e, ok := c.entries[hash]
	c.mu.Unlock()
	if !ok || e.version != version || domain.CheckTokenUse(e.token, wsNow) != nil {
		return domain.Principal{}, false
	}
	return e.p, true
}

// put remembers a principal checked from the workspace as it was at version or later (a
// later change only makes the entry miss).
func (c *authCache) put(hash string, p domain.Principal, t domain.Token, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxAuthEntries {
		c.entries = map[string]authEntry{} // bounded: start over rather than grow
	}
	c.entries[hash] = authEntry{p: p, token: t, version: version}
}

// clear forgets every token.
func (c *authCache) clear() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}

// changesAccess tells whether a request may change users, roles or tokens: the cache is
// emptied after it.
func changesAccess(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	p := r.URL.Path
	return strings.Contains(p, "/users") || strings.Contains(p, "/tokens")
}
