package pctest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Identity is a stand-in of the Microsoft identity platform's endpoints that MSAL calls
// for an authority https://host/{tenant} with instance discovery off: the OpenID
// configuration, the device code endpoint and the token endpoint (device code and refresh
// token grants). Access tokens it issues are accepted by the Partner Center stand-in
// given to NewIdentity.
type Identity struct {
	*httptest.Server
	// TenantID is the partner tenant a user signs in to; Username the user.
	TenantID, Username string
	// ClientSecret, when set, is required of a confidential client.
	ClientSecret string
	// ExpiresIn is the lifetime of the access tokens issued (default 1 hour).
	ExpiresIn time.Duration

	pc       *Server
	mu       sync.Mutex
	n        int
	refresh  map[string]bool // refresh tokens valid now
	pending  map[string]int  // device codes: polls to answer authorization_pending
	tokenLog []string        // grant types asked, in order
}

// NewIdentity starts a TLS identity stand-in whose access tokens pc accepts (pc may be nil).
func NewIdentity(pc *Server) *Identity {
	id := &Identity{TenantID: "8f0f9a8c-7c4a-4b1e-9f3a-2d1c5e6f7a80", Username: "admin@contosopartner.onmicrosoft.com",
		ExpiresIn: time.Hour, pc: pc, refresh: map[string]bool{}, pending: map[string]int{}}
	if pc != nil {
		id.TenantID = pc.TenantID
	}
	id.Server = httptest.NewTLSServer(id)
	return id
}

// Authority is the authority to give MSAL for tenant ("" for the partner tenant).
func (id *Identity) Authority() string { return id.URL }

// SetTenant changes the partner tenant users sign in to, and SetClientSecret the secret
// required, while the stand-in serves (the fields may be set directly before).
func (id *Identity) SetTenant(tenant string) {
	id.mu.Lock()
	defer id.mu.Unlock()
	id.TenantID = tenant
}

// SetClientSecret: see SetTenant.
func (id *Identity) SetClientSecret(secret string) {
	id.mu.Lock()
	defer id.mu.Unlock()
	id.ClientSecret = secret
}

// IssueRefreshToken makes a refresh token the token endpoint accepts, as Partner
// Center's secure application model hands one to an app (consent once, then the app
// uses it).
func (id *Identity) IssueRefreshToken() string {
	id.mu.Lock()
	defer id.mu.Unlock()
	id.n++
	rt := fmt.Sprintf("rt-%d", id.n)
	id.refresh[rt] = true
	return rt
}

// RevokeRefreshTokens makes every refresh token issued so far invalid.
func (id *Identity) RevokeRefreshTokens() {
	id.mu.Lock()
	defer id.mu.Unlock()
	id.refresh = map[string]bool{}
}

// Grants lists the grant types the token endpoint was asked for, in order.
func (id *Identity) Grants() []string {
	id.mu.Lock()
	defer id.mu.Unlock()
	return append([]string(nil), id.tokenLog...)
}

// ServeHTTP answers the identity endpoints.
func (id *Identity) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	if len(parts) != 2 {
		http.NotFound(w, r)
		return
	}
	tenant, rest := parts[0], parts[1]
	authority := id.URL + "/" + tenant
	id.mu.Lock()
	partnerTenant := id.TenantID
	id.mu.Unlock()
	switch rest {
	case "v2.0/.well-known/openid-configuration":
		writeOAuth(w, http.StatusOK, map[string]any{
			"token_endpoint":                authority + "/oauth2/v2.0/token",
			"authorization_endpoint":        authority + "/oauth2/v2.0/authorize",
			"device_authorization_endpoint": authority + "/oauth2/v2.0/devicecode",
			"issuer":                        id.URL + "/" + partnerTenant + "/v2.0",
			"jwks_uri":                      authority + "/discovery/v2.0/keys",
		})
	case "oauth2/v2.0/devicecode":
		_ = r.ParseForm()
		id.mu.Lock()
		id.n++
		code := fmt.Sprintf("dc-%d", id.n)
		id.pending[code] = 1
		id.mu.Unlock()
		writeOAuth(w, http.StatusOK, map[string]any{
			"user_code": "PCTEST42", "device_code": code, "verification_uri": "https://microsoft.com/devicelogin",
			"expires_in": 900, "interval": 1,
			"message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code PCTEST42 to authenticate.",
		})
	case "oauth2/v2.0/token":
		id.token(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (id *Identity) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuth(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	grant := r.PostForm.Get("grant_type")
	id.mu.Lock()
	id.tokenLog = append(id.tokenLog, grant)
	secret := id.ClientSecret
	id.mu.Unlock()
	if secret != "" && r.PostForm.Get("client_secret") != secret && r.PostForm.Get("client_assertion") == "" {
		writeOAuth(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
		return
	}
	switch grant {
	case "device_code":
		code := r.PostForm.Get("device_code")
		id.mu.Lock()
		left, ok := id.pending[code]
		if ok && left > 0 {
			id.pending[code] = left - 1
		}
		id.mu.Unlock()
		switch {
		case !ok:
			writeOAuth(w, http.StatusBadRequest, map[string]any{"error": "expired_token", "error_description": "AADSTS70019: the code has expired."})
		case left > 0:
			writeOAuth(w, http.StatusBadRequest, map[string]any{"error": "authorization_pending", "error_description": "AADSTS70016: pending."})
		default:
			id.issue(w, r.PostForm.Get("scope"))
		}
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		id.mu.Lock()
		ok := id.refresh[rt]
		id.mu.Unlock()
		if !ok {
			writeOAuth(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant",
				"error_description": "AADSTS700082: The refresh token has expired due to inactivity."})
			return
		}
		id.issue(w, r.PostForm.Get("scope"))
	default:
		writeOAuth(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type"})
	}
}

// issue answers a token response: an access token the Partner Center stand-in accepts, an
// ID token and client info naming the user and the partner tenant, a new refresh token.
func (id *Identity) issue(w http.ResponseWriter, scope string) {
	id.mu.Lock()
	id.n++
	at := fmt.Sprintf("at-%d", id.n)
	rt := fmt.Sprintf("rt-%d", id.n)
	id.refresh[rt] = true
	tenant, user := id.TenantID, id.Username
	id.mu.Unlock()
	if id.pc != nil {
		id.pc.AcceptToken(at)
	}
	now := time.Now()
	b64 := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	oid := "5a8b3c1d-0000-4000-8000-00000000a11c"
	idToken := b64(map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64(map[string]any{
		"aud": "client", "iss": id.URL + "/" + tenant + "/v2.0", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"tid": tenant, "oid": oid, "sub": oid, "preferred_username": user, "name": "Partner Admin",
	}) + ".sig"
	writeOAuth(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "scope": scope, "expires_in": int(id.ExpiresIn / time.Second), "ext_expires_in": int(id.ExpiresIn / time.Second),
		"access_token": at, "refresh_token": rt, "id_token": idToken,
		"client_info": b64(map[string]string{"uid": oid, "utid": tenant}),
	})
}

func writeOAuth(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
