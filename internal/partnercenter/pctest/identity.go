package pctest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
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
	// ClientCertificate, when set, is the certificate of the app registration: a
	// confidential client must prove it holds its key with a signed client assertion
	// (instead of a secret).
	ClientCertificate *x509.Certificate
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

// SetClientCertificate: see SetTenant.
func (id *Identity) SetClientCertificate(cert *x509.Certificate) {
	id.mu.Lock()
	defer id.mu.Unlock()
	id.ClientCertificate = cert
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
	secret, cert := id.ClientSecret, id.ClientCertificate
	id.mu.Unlock()
	endpoint := id.URL + strings.TrimSuffix(r.URL.Path, "/")
	switch assertion := r.PostForm.Get("client_assertion"); {
	case cert != nil && assertion == "" && grant != "device_code":
		writeOAuth(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client",
			"error_description": "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."})
		return
	case cert != nil && assertion != "":
		if err := checkAssertion(cert, r.PostForm.Get("client_assertion_type"), assertion, r.PostForm.Get("client_id"), endpoint); err != nil {
			writeOAuth(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_description": err.Error()})
			return
		}
	case secret != "" && r.PostForm.Get("client_secret") != secret && assertion == "":
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

// checkAssertion checks a client assertion as the identity platform does for a
// certificate credential: a JWT signed with the certificate's key (PS256, or RS256),
// naming the certificate by its thumbprint (x5t#S256, or x5t: SHA-1), issued by and for
// the client ID, for this token endpoint, valid now.
func checkAssertion(cert *x509.Certificate, typ, assertion, clientID, endpoint string) error {
	const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	if typ != jwtBearer {
		return fmt.Errorf("AADSTS50027: client_assertion_type %q is not %s", typ, jwtBearer)
	}
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return errors.New("AADSTS50027: Invalid JWT token. The token is malformed.")
	}
	var head struct {
		Alg     string `json:"alg"`
		X5t     string `json:"x5t"`
		X5tS256 string `json:"x5t#S256"`
	}
	var claims struct {
		Aud, Iss, Sub string
		Exp, Nbf      int64
	}
	if decodeSegment(parts[0], &head) != nil || decodeSegment(parts[1], &claims) != nil {
		return errors.New("AADSTS50027: Invalid JWT token. The token is malformed.")
	}
	sum256, sum1 := sha256.Sum256(cert.Raw), sha1.Sum(cert.Raw)
	if !(head.X5tS256 != "" && sameB64(head.X5tS256, sum256[:]) || head.X5t != "" && sameB64(head.X5t, sum1[:])) {
		return errors.New("AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application.")
	}
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if !ok || err != nil {
		return errors.New("AADSTS700027: Client assertion failed signature validation.")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch head.Alg {
	case "PS256":
		err = rsa.VerifyPSS(key, crypto.SHA256, digest[:], sig, nil)
	case "RS256":
		err = rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig)
	default:
		err = fmt.Errorf("alg %q", head.Alg)
	}
	if err != nil {
		return errors.New("AADSTS700027: Client assertion failed signature validation.")
	}
	now := time.Now().Unix()
	switch {
	case claims.Iss != clientID || claims.Sub != clientID:
		return errors.New("AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.")
	case !strings.EqualFold(claims.Aud, endpoint):
		return fmt.Errorf("AADSTS700016: the client assertion's audience %q is not the token endpoint %s", claims.Aud, endpoint)
	case claims.Exp <= now || claims.Nbf > now+300:
		return errors.New("AADSTS700024: Client assertion is not within its valid time range.")
	}
	return nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// sameB64 compares a thumbprint written in base64 (standard or URL alphabet, padded
// or not) with sum.
func sameB64(s string, sum []byte) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return bytes.Equal(b, sum)
		}
	}
	return false
}
