package server

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
)

// AuthCacheTTL is how long the server trusts a token it checked: a request within that
// time of the last check of the same token is not checked against the workspace again.
// The cache is emptied by every change the server makes to users, roles or tokens, so a
// token revoked (or a role removed) through the server is refused from the next request
// on; such a change made to the workspace file by another process (pcctl on the server's
// machine) takes effect within this time.
const AuthCacheTTL = 2 * time.Second

// authCache remembers the principals of the tokens checked lately, by the hash of their
// secret (never the secret itself).
type authCache struct {
	off     bool // a SharedStore: every token is checked at every request
	mu      sync.Mutex
	entries map[string]authEntry
}

type authEntry struct {
	p         domain.Principal
	token     domain.Token
	checkedAt time.Time
}

// get is the principal of a token checked less than AuthCacheTTL ago (now, the real
// clock) and still valid at the workspace's time wsNow (it may expire within the TTL).
func (c *authCache) get(hash string, now, wsNow time.Time) (domain.Principal, bool) {
	if c.off {
		return domain.Principal{}, false
	}
	c.mu.Lock()
	e, ok := c.entries[hash]
	c.mu.Unlock()
	if !ok || now.Sub(e.checkedAt) >= AuthCacheTTL || now.Before(e.checkedAt) || domain.CheckTokenUse(e.token, wsNow) != nil {
		return domain.Principal{}, false
	}
	return e.p, true
}

func (c *authCache) put(hash string, p domain.Principal, t domain.Token, now time.Time) {
	if c.off {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= 10000 {
		c.entries = map[string]authEntry{} // bounded: start over rather than grow
	}
	c.entries[hash] = authEntry{p: p, token: t, checkedAt: now}
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
