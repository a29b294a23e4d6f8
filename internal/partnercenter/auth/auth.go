// Package auth signs in to Partner Center through the Microsoft Authentication Library
// (MSAL Go) and gives partnercenter its tokens:
//
//   - a person: the device code flow of a public client (the app registration's client ID);
//   - a script or a server: Partner Center's secure application model (App+User), a
//     confidential client (client secret or certificate) redeeming the refresh token the
//     partner's admin consented to once;
//   - a given access token (--with-token), used until it expires.
//
// What MSAL caches (tokens, the account) lives in one session file, mode 0600, beside the
// config file: never in the config, a log or an error message. A secret is never stored:
// the session names where to read it again (a file, or PCCTL_CLIENT_SECRET).
package auth

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
)

// DefaultAuthority is the Microsoft identity platform (setting authority).
const DefaultAuthority = "https://login.microsoftonline.com"

// Scopes of the two APIs (user_impersonation: App+User).
var Scopes = map[partnercenter.API][]string{
	partnercenter.PartnerCenter: {"https://api.partnercenter.microsoft.com/user_impersonation"},
	partnercenter.Referrals:     {"https://api.partner.microsoft.com/user_impersonation"},
}

// SecretEnv is the environment variable a client secret may be read from.
const SecretEnv = "PCCTL_CLIENT_SECRET"

// Methods of signing in.
const (
	MethodDeviceCode = "device-code"
	MethodApp        = "app+user"
	MethodToken      = "token"
)

// Settings are where the session lives and how to reach the authority.
type Settings struct {
	Authority  string // default DefaultAuthority
	File       string // the session file
	HTTPClient *http.Client
	Env        func(string) string
	Now        func() time.Time
}

func (s Settings) authority() string {
	if s.Authority == "" {
		return DefaultAuthority
	}
	return strings.TrimSuffix(s.Authority, "/")
}

func (s Settings) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Session is what a sign-in leaves in the session file.
type Session struct {
	Method        string    `json:"method"`
	Authority     string    `json:"authority"`
	Tenant        string    `json:"tenant"` // of the authority's path
	ClientID      string    `json:"clientId,omitempty"`
	SecretFile    string    `json:"secretFile,omitempty"` // app+user: where the secret is read ("" with SecretFromEnv)
	SecretFromEnv bool      `json:"secretFromEnv,omitempty"`
	CertFile      string    `json:"certFile,omitempty"` // app+user with a certificate (PEM: certificate and key)
	Account       string    `json:"account,omitempty"`  // MSAL's home account ID
	Username      string    `json:"username,omitempty"`
	PartnerTenant string    `json:"partnerTenant,omitempty"`
	SignedInAt    time.Time `json:"signedInAt"`
	// Token and ExpiresOn: --with-token's access token and when it expires (zero: unknown).
	Token     string          `json:"token,omitempty"`
	ExpiresOn time.Time       `json:"expiresOn,omitzero"`
	MSAL      json.RawMessage `json:"msal,omitempty"` // MSAL's cache, opaque
}

// APIs are the APIs the session can call.
func (s *Session) APIs() []string {
	if s.Method == MethodToken {
		return []string{"the token's audience only"}
	}
	return []string{partnercenter.PartnerCenter.String(), partnercenter.Referrals.String()}
}

// NotSignedIn is the error of a command that needs a sign-in when there is none.
var NotSignedIn = &domain.AuthError{Code: domain.AuthMissing, Reason: "nobody is signed in to Partner Center; run pcctl auth login"}

// Load reads the session; nil, nil when there is none. A session file readable by others
// is refused.
func Load(s Settings) (*Session, error) {
	f, err := os.Open(s.File)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the Partner Center sign-in %s: %w", s.File, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, &domain.AuthError{Code: domain.AuthMalformed, Reason: fmt.Sprintf("the sign-in file %s can be read by others (mode %04o): run chmod 600 on it, or pcctl auth login again", s.File, st.Mode().Perm())}
	}
	var sess Session
	if err := json.NewDecoder(f).Decode(&sess); err != nil {
		return nil, &domain.AuthError{Code: domain.AuthMalformed, Reason: fmt.Sprintf("the sign-in file %s cannot be read (%v); run pcctl auth login", s.File, err)}
	}
	return &sess, nil
}

// Save writes the session, mode 0600, through a temporary file renamed over it.
func Save(s Settings, sess *Session) error {
	if err := os.MkdirAll(filepath.Dir(s.File), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(sess, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.File), ".auth-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.File)
}

// Logout removes the session; false when there was none.
func Logout(s Settings) (bool, error) {
	err := os.Remove(s.File)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// memCache is MSAL's cache accessor over the session's MSAL member. dropAccess, when set,
// hands MSAL the cache without its access tokens until MSAL exports a new one: the silent
// request refreshes.
type memCache struct {
	mu         sync.Mutex
	data       []byte
	dropAccess bool
	changed    bool
}

func (m *memCache) Replace(_ context.Context, c cache.Unmarshaler, _ cache.ReplaceHints) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	data := m.data
	if m.dropAccess && !m.changed && len(data) > 0 {
		var v map[string]json.RawMessage
		if json.Unmarshal(data, &v) == nil {
			delete(v, "AccessToken")
			data, _ = json.Marshal(v)
		}
	}
	if len(data) == 0 {
		return nil
	}
	return c.Unmarshal(data)
}

func (m *memCache) Export(_ context.Context, c cache.Marshaler, _ cache.ExportHints) error {
	b, err := c.Marshal()
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data, m.changed = b, true
	return nil
}

// DeviceCodeLogin signs a person in with the device code flow: show is given MSAL's
// message (the address and the code) and the sign-in waits for the person.
func DeviceCodeLogin(ctx context.Context, s Settings, clientID, tenant string, show func(message string)) (*Session, error) {
	if tenant == "" {
		tenant = "organizations"
	}
	mc := &memCache{}
	pca, err := newPublic(s, clientID, tenant, mc)
	if err != nil {
		return nil, err
	}
	dc, err := pca.AcquireTokenByDeviceCode(ctx, Scopes[partnercenter.PartnerCenter])
	if err != nil {
		return nil, signInError(err)
	}
	show(dc.Result.Message)
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		return nil, signInError(err)
	}
	sess := &Session{Method: MethodDeviceCode, Authority: s.authority(), Tenant: tenant, ClientID: clientID, SignedInAt: s.now().UTC(),
		Account: res.Account.HomeAccountID, Username: res.Account.PreferredUsername, PartnerTenant: res.IDToken.TenantID}
	if sess.PartnerTenant == "" {
		sess.PartnerTenant = res.Account.Realm
	}
	sess.MSAL = mc.data
	return sess, nil
}

// AppLogin is the secure application model's sign-in: an app registration (client ID, a
// secret or a certificate) and the refresh token a partner admin's consent gave it.
type AppLogin struct {
	ClientID, Tenant string
	// Secret and where it came from (SecretFile, or the environment when empty).
	Secret     string
	SecretFile string
	// CertFile is a PEM file with the certificate and its private key (instead of a secret).
	CertFile     string
	RefreshToken string
}

// AppUserLogin redeems the refresh token through MSAL (placed in MSAL's cache, then a
// silent request), checking it works, and returns the session.
func AppUserLogin(ctx context.Context, s Settings, l AppLogin) (*Session, error) {
	if l.Tenant == "" {
		return nil, &domain.InvalidError{Field: "tenant", Reason: "is needed with an app registration: the partner tenant's ID or domain"}
	}
	u, err := url.Parse(s.authority())
	if err != nil || u.Host == "" {
		return nil, &domain.InvalidError{Field: "authority", Value: s.authority(), Reason: "is not a URL such as " + DefaultAuthority}
	}
	// The session names the secret's and the certificate's files for later runs, which
	// may start in another directory.
	for _, f := range []*string{&l.SecretFile, &l.CertFile} {
		if *f != "" {
			if abs, err := filepath.Abs(*f); err == nil {
				*f = abs
			}
		}
	}
	hid := "pcctl-app." + strings.ToLower(l.Tenant)
	env := strings.ToLower(u.Host)
	seed := map[string]any{
		"Account": map[string]any{strings.ToLower(hid + "-" + env + "-" + l.Tenant): map[string]string{
			"home_account_id": hid, "environment": env, "realm": strings.ToLower(l.Tenant), "local_account_id": hid, "authority_type": "MSSTS"}},
		"RefreshToken": map[string]any{strings.ToLower(hid + "-" + env + "-refreshtoken-" + l.ClientID): map[string]string{
			"home_account_id": hid, "environment": env, "credential_type": "RefreshToken", "client_id": l.ClientID, "secret": l.RefreshToken}},
		"AppMetadata": map[string]any{strings.ToLower("appmetadata-" + env + "-" + l.ClientID): map[string]string{
			"client_id": l.ClientID, "environment": env}},
	}
	data, _ := json.Marshal(seed)
	sess := &Session{Method: MethodApp, Authority: s.authority(), Tenant: l.Tenant, ClientID: l.ClientID, SecretFile: l.SecretFile,
		SecretFromEnv: l.Secret != "" && l.SecretFile == "", CertFile: l.CertFile, Account: hid, SignedInAt: s.now().UTC(), MSAL: data}
	src := &tokenSource{settings: s, sess: sess, secret: l.Secret}
	if _, err := src.Token(ctx, partnercenter.TokenRequest{API: partnercenter.PartnerCenter}); err != nil {
		var ae *domain.AuthError
		if errors.As(err, &ae) && ae.Code == domain.AuthExpired {
			why := strings.TrimSuffix(strings.TrimPrefix(ae.Reason, "the Partner Center sign-in could not be refreshed "), "; run pcctl auth login")
			return nil, &domain.AuthError{Code: domain.AuthUnknown, Reason: "the sign-in failed " + why + ": check the app registration's client ID, its secret or certificate, and the refresh token"}
		}
		return nil, err
	}
	return sess, nil
}

// TokenLogin keeps a given access token. What the token says of itself (expiry, tenant,
// user) is read without checking its signature, only to show it; Partner Center checks it.
func TokenLogin(s Settings, token string) (*Session, error) {
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		return nil, &domain.InvalidError{Field: "--with-token", Reason: "needs an access token on standard input (one line, no spaces)"}
	}
	sess := &Session{Method: MethodToken, Authority: s.authority(), Token: token, SignedInAt: s.now().UTC()}
	if claims, ok := jwtClaims(token); ok {
		if claims.Exp > 0 {
			sess.ExpiresOn = time.Unix(claims.Exp, 0).UTC()
			if !sess.ExpiresOn.After(s.now()) {
				return nil, &domain.AuthError{Code: domain.AuthExpired, Reason: "the access token given expired at " + sess.ExpiresOn.Format(time.RFC3339)}
			}
		}
		sess.PartnerTenant = claims.Tid
		sess.Username = claims.Upn
		if sess.Username == "" {
			sess.Username = claims.PreferredUsername
		}
	}
	return sess, nil
}

type claims struct {
	Exp               int64  `json:"exp"`
	Tid               string `json:"tid"`
	Upn               string `json:"upn"`
	PreferredUsername string `json:"preferred_username"`
}

func jwtClaims(tok string) (claims, bool) {
	var c claims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return c, false
	}
	return c, json.Unmarshal(b, &c) == nil
}

// TokenSource gives the session's tokens to partnercenter, refreshing silently through
// MSAL and saving what MSAL cached. A refresh that fails is an *domain.AuthError saying
// to run pcctl auth login.
func TokenSource(s Settings, sess *Session) partnercenter.TokenSource {
	return &tokenSource{settings: s, sess: sess, save: true}
}

type tokenSource struct {
	settings Settings
	sess     *Session
	secret   string // app+user: read once
	save     bool
	mu       sync.Mutex
}

func (t *tokenSource) Token(ctx context.Context, req partnercenter.TokenRequest) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	sess := t.sess
	switch sess.Method {
	case MethodToken:
		if req.Refresh || (!sess.ExpiresOn.IsZero() && !sess.ExpiresOn.After(t.settings.now())) {
			return "", &domain.AuthError{Code: domain.AuthExpired, Reason: "the access token given with --with-token has expired or was refused; run pcctl auth login"}
		}
		return sess.Token, nil
	case MethodDeviceCode, MethodApp:
	default:
		return "", &domain.AuthError{Code: domain.AuthMalformed, Reason: "the sign-in file names no known method; run pcctl auth login"}
	}
	mc := &memCache{data: sess.MSAL, dropAccess: req.Refresh}
	scopes := Scopes[req.API]
	var res interface {
		token() (string, string, string)
	}
	if sess.Method == MethodDeviceCode {
		pca, err := newPublic(t.settings, sess.ClientID, sess.Tenant, mc)
		if err != nil {
			return "", err
		}
		accts, err := pca.Accounts(ctx)
		if err != nil {
			return "", expired(err)
		}
		var acct *public.Account
		for i := range accts {
			if accts[i].HomeAccountID == sess.Account {
				acct = &accts[i]
			}
		}
		if acct == nil {
			return "", expired(errors.New("the account is not in the cache"))
		}
		r, err := pca.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(*acct))
		if err != nil {
			return "", expired(err)
		}
		res = result{r.AccessToken, r.Account.HomeAccountID, r.Account.PreferredUsername}
	} else {
		cca, err := t.confidential(mc)
		if err != nil {
			return "", err
		}
		acct, err := cca.Account(ctx, sess.Account)
		if err != nil {
			return "", expired(err)
		}
		r, err := cca.AcquireTokenSilent(ctx, scopes, confidential.WithSilentAccount(acct))
		if err != nil {
			return "", expired(err)
		}
		if sess.PartnerTenant == "" {
			sess.PartnerTenant = r.IDToken.TenantID
		}
		res = result{r.AccessToken, r.Account.HomeAccountID, r.Account.PreferredUsername}
	}
	tok, hid, user := res.token()
	if hid != "" && hid != sess.Account {
		sess.Account = hid
	}
	if user != "" {
		sess.Username = user
	}
	if mc.changed {
		sess.MSAL = mc.data
		if t.save {
			if err := Save(t.settings, sess); err != nil {
				return "", fmt.Errorf("cannot save the Partner Center sign-in: %w", err)
			}
		}
	}
	return tok, nil
}

type result [3]string

func (r result) token() (string, string, string) { return r[0], r[1], r[2] }

// confidential builds the app registration's client, reading its secret or certificate.
func (t *tokenSource) confidential(mc *memCache) (confidential.Client, error) {
	sess := t.sess
	var cred confidential.Credential
	var err error
	switch {
	case sess.CertFile != "":
		pemData, rerr := os.ReadFile(sess.CertFile)
		if rerr != nil {
			return confidential.Client{}, &domain.AuthError{Code: domain.AuthMissing, Reason: fmt.Sprintf("cannot read the certificate %s: %v", sess.CertFile, rerr)}
		}
		var certs []*x509.Certificate
		var key crypto.PrivateKey
		certs, key, err = confidential.CertFromPEM(pemData, "")
		if err == nil {
			cred, err = confidential.NewCredFromCert(certs, key)
		}
	default:
		secret := t.secret
		if secret == "" {
			secret, err = ReadSecret(sess.SecretFile, t.settings.Env)
			if err != nil {
				return confidential.Client{}, err
			}
			t.secret = secret
		}
		cred, err = confidential.NewCredFromSecret(secret)
	}
	if err != nil {
		return confidential.Client{}, &domain.AuthError{Code: domain.AuthMalformed, Reason: "the app registration's credential cannot be used: " + err.Error()}
	}
	opts := []confidential.Option{confidential.WithCache(mc), confidential.WithInstanceDiscovery(t.settings.authority() == DefaultAuthority)}
	if t.settings.HTTPClient != nil {
		opts = append(opts, confidential.WithHTTPClient(t.settings.HTTPClient))
	}
	return confidential.New(t.settings.authority()+"/"+sess.Tenant, sess.ClientID, cred, opts...)
}

// ReadSecret reads a client secret from file, or from PCCTL_CLIENT_SECRET when file is "".
func ReadSecret(file string, env func(string) string) (string, error) {
	if file == "" {
		if env == nil {
			env = os.Getenv
		}
		if s := strings.TrimSpace(env(SecretEnv)); s != "" {
			return s, nil
		}
		return "", &domain.AuthError{Code: domain.AuthMissing, Reason: "the app registration's client secret is needed: set " + SecretEnv + " or give --client-secret-file; run pcctl auth login"}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", &domain.AuthError{Code: domain.AuthMissing, Reason: fmt.Sprintf("cannot read the client secret file %s: %v", file, err)}
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", &domain.InvalidError{Field: "client-secret-file", Value: file, Reason: "is empty"}
	}
	return s, nil
}

func newPublic(s Settings, clientID, tenant string, mc *memCache) (public.Client, error) {
	if clientID == "" {
		return public.Client{}, &domain.InvalidError{Field: "client_id", Reason: "is needed: the app registration's client ID (--client-id, PCCTL_CLIENT_ID or the config's client_id)"}
	}
	opts := []public.Option{public.WithAuthority(s.authority() + "/" + tenant), public.WithCache(mc),
		public.WithInstanceDiscovery(s.authority() == DefaultAuthority)}
	if s.HTTPClient != nil {
		opts = append(opts, public.WithHTTPClient(s.HTTPClient))
	}
	return public.New(clientID, opts...)
}

// signInError words an MSAL error of a sign-in, without any token.
func signInError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &domain.AuthError{Code: domain.AuthUnknown, Reason: "the sign-in failed: " + reason(err)}
}

// expired words a failed silent refresh: exit 5 and what to do.
func expired(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &domain.AuthError{Code: domain.AuthExpired, Reason: "the Partner Center sign-in could not be refreshed (" + reason(err) + "); run pcctl auth login"}
}

// reason words an MSAL error: the identity platform's error code and the first sentence
// of its description when it answered one (never a token: an error answer holds none),
// else the error's first line.
func reason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "\n{"); i >= 0 {
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal([]byte(msg[i+1:]), &body) == nil && body.Error != "" {
			d := firstLine(body.Description)
			if j := strings.Index(d, ". "); j >= 0 {
				d = d[:j+1]
			}
			if d == "" {
				return body.Error
			}
			return body.Error + ": " + d
		}
	}
	return firstLine(msg)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
