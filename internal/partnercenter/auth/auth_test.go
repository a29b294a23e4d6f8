package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/partnercenter/auth"
	"github.com/pcctl/pcctl/internal/partnercenter/pctest"
)

func setup(t *testing.T) (*pctest.Server, *pctest.Identity, auth.Settings) {
	t.Helper()
	pc := pctest.New(false)
	t.Cleanup(pc.Close)
	id := pctest.NewIdentity(pc)
	t.Cleanup(id.Close)
	s := auth.Settings{Authority: id.URL, File: filepath.Join(t.TempDir(), "pcctl", "auth.json"), HTTPClient: id.Client(),
		Env: func(string) string { return "" }}
	return pc, id, s
}

func client(t *testing.T, pc *pctest.Server, src partnercenter.TokenSource) *partnercenter.Client {
	c, err := partnercenter.New(partnercenter.Options{PartnerCenterURL: pc.URL, ReferralsURL: pc.URL, Tokens: src, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDeviceCodeThroughMSAL(t *testing.T) {
	pc, id, s := setup(t)
	var shown string
	sess, err := auth.DeviceCodeLogin(context.Background(), s, "11111111-2222-4333-8444-555555555555", "", func(m string) { shown = m })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown, "PCTEST42") || sess.Username != id.Username || sess.PartnerTenant != id.TenantID {
		t.Fatalf("shown %q, session %+v", shown, sess)
	}
	if err := auth.Save(s, sess); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(s.File)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("session file mode %04o", st.Mode().Perm())
	}
	loaded, err := auth.Load(s)
	if err != nil || loaded == nil {
		t.Fatal(loaded, err)
	}
	// A token from the cache (no new grant), then a silent refresh after a 401.
	grants := len(id.Grants())
	c := client(t, pc, auth.TokenSource(s, loaded))
	if _, err := c.OrganizationProfile(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(id.Grants()); n != grants {
		t.Errorf("%d grants after a cached token, want %d", n, grants)
	}
	first := pc.Requests()[0].Token
	pc.ExpireToken(first)
	if _, err := c.OrganizationProfile(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g := id.Grants(); g[len(g)-1] != "refresh_token" {
		t.Errorf("grants %v, want a refresh", g)
	}
	// The refreshed cache was saved: a new process uses the new token.
	again, _ := auth.Load(s)
	c = client(t, pc, auth.TokenSource(s, again))
	if _, err := c.OrganizationProfile(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := pc.Requests()
	if reqs[len(reqs)-1].Token == first {
		t.Error("the expired token was used again")
	}
	b, _ := os.ReadFile(s.File)
	if strings.Contains(string(b), "secret\":\"\"") {
		t.Log(string(b))
	}
}

func TestAppUserRefreshTokenThroughMSAL(t *testing.T) {
	pc, id, s := setup(t)
	id.ClientSecret = "s3cret"
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rt := id.IssueRefreshToken()
	sess, err := auth.AppUserLogin(context.Background(), s, auth.AppLogin{ClientID: "app-1", Tenant: id.TenantID, Secret: "s3cret", SecretFile: secretFile, RefreshToken: rt})
	if err != nil {
		t.Fatal(err)
	}
	if sess.PartnerTenant != id.TenantID || sess.Username != id.Username {
		t.Fatalf("session %+v", sess)
	}
	if err := auth.Save(s, sess); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(s.File)
	if strings.Contains(string(b), "s3cret") {
		t.Fatal("the client secret was saved")
	}
	loaded, _ := auth.Load(s)
	c := client(t, pc, auth.TokenSource(s, loaded))
	if _, err := c.OrganizationProfile(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Every refresh token revoked, and the access token refused: exit 5, run pcctl auth login.
	id.RevokeRefreshTokens()
	pc.ExpireToken(pc.Requests()[len(pc.Requests())-1].Token)
	_, err = c.OrganizationProfile(context.Background())
	var ae *domain.AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "run pcctl auth login") {
		t.Fatalf("err %v", err)
	}
	if strings.Contains(err.Error(), "rt-") {
		t.Errorf("the error names a token: %v", err)
	}

	// A wrong secret is refused at sign-in.
	_, err = auth.AppUserLogin(context.Background(), s, auth.AppLogin{ClientID: "app-1", Tenant: id.TenantID, Secret: "wrong", RefreshToken: id.IssueRefreshToken()})
	if !errors.As(err, &ae) {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestWithToken(t *testing.T) {
	_, _, s := setup(t)
	sess, err := auth.TokenLogin(s, "opaque-token\n")
	if err != nil || sess.Token != "opaque-token" {
		t.Fatal(sess, err)
	}
	src := auth.TokenSource(s, sess)
	if tok, err := src.Token(context.Background(), partnercenter.TokenRequest{}); err != nil || tok != "opaque-token" {
		t.Fatal(tok, err)
	}
	_, err = src.Token(context.Background(), partnercenter.TokenRequest{Refresh: true})
	var ae *domain.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("refresh of a given token: %v", err)
	}
	// A JWT that says it has expired is refused at once.
	_, err = auth.TokenLogin(s, "eyJhbGciOiJub25lIn0.eyJleHAiOjEwMDAsInRpZCI6InQifQ.x")
	if !errors.As(err, &ae) {
		t.Fatalf("expired JWT: %v", err)
	}
}

func TestLoadRefusesAFileOthersCanRead(t *testing.T) {
	_, _, s := setup(t)
	sess, _ := auth.TokenLogin(s, "tok")
	if err := auth.Save(s, sess); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.File, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := auth.Load(s)
	var ae *domain.AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("err %v", err)
	}
	if ok, err := auth.Logout(s); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if sess, err := auth.Load(s); sess != nil || err != nil {
		t.Fatal(sess, err)
	}
}

// certificate makes a self-signed certificate and its RSA key, as an admin makes one for
// an app registration, and writes them to a PEM file (the key as keyType: "PRIVATE KEY"
// for PKCS #8, "RSA PRIVATE KEY" for PKCS #1).
func certificate(t *testing.T, keyType string) (*x509.Certificate, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "pcctl test app"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	var keyDER []byte
	if keyType == "RSA PRIVATE KEY" {
		keyDER = x509.MarshalPKCS1PrivateKey(key)
	} else if keyDER, err = x509.MarshalPKCS8PrivateKey(key); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "app.pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: keyType, Bytes: keyDER})...)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, file
}

// TestAppUserCertificateThroughMSAL: the secure application model with a certificate
// credential, through MSAL's own client assertion, checked by the identity stand-in (the
// signature with the certificate's key, its thumbprint, the audience and the issuer).
func TestAppUserCertificateThroughMSAL(t *testing.T) {
	for _, keyType := range []string{"PRIVATE KEY", "RSA PRIVATE KEY"} {
		t.Run(strings.ReplaceAll(keyType, " ", "_"), func(t *testing.T) {
			pc, id, s := setup(t)
			cert, certFile := certificate(t, keyType)
			id.SetClientCertificate(cert)
			sess, err := auth.AppUserLogin(context.Background(), s, auth.AppLogin{ClientID: "app-cert", Tenant: id.TenantID, CertFile: certFile, RefreshToken: id.IssueRefreshToken()})
			if err != nil {
				t.Fatal(err)
			}
			if sess.Method != auth.MethodApp || sess.CertFile != certFile || sess.PartnerTenant != id.TenantID || sess.Username != id.Username {
				t.Fatalf("session %+v", sess)
			}
			if err := auth.Save(s, sess); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(s.File)
			if strings.Contains(string(b), "PRIVATE KEY") || strings.Contains(string(b), "CERTIFICATE") {
				t.Fatal("the certificate or its key was saved in the session")
			}
			// A later process: the cached token, then a refresh after a 401 (a new assertion).
			loaded, err := auth.Load(s)
			if err != nil {
				t.Fatal(err)
			}
			c := client(t, pc, auth.TokenSource(s, loaded))
			if _, err := c.OrganizationProfile(context.Background()); err != nil {
				t.Fatal(err)
			}
			grants := len(id.Grants())
			pc.ExpireToken(pc.Requests()[len(pc.Requests())-1].Token)
			if _, err := c.OrganizationProfile(context.Background()); err != nil {
				t.Fatal(err)
			}
			if g := id.Grants(); len(g) != grants+1 || g[len(g)-1] != "refresh_token" {
				t.Errorf("grants %v after a 401, want one more refresh_token", g)
			}
		})
	}
}

// TestAppUserCertificateRefused: a certificate the app registration does not hold, an
// unreadable file, a file without a key: each an AuthError naming the problem, never a
// key.
func TestAppUserCertificateRefused(t *testing.T) {
	_, id, s := setup(t)
	registered, _ := certificate(t, "PRIVATE KEY")
	id.SetClientCertificate(registered)
	_, other := certificate(t, "PRIVATE KEY")
	login := func(file string) error {
		_, err := auth.AppUserLogin(context.Background(), s, auth.AppLogin{ClientID: "app-cert", Tenant: id.TenantID, CertFile: file, RefreshToken: id.IssueRefreshToken()})
		return err
	}
	var ae *domain.AuthError
	err := login(other)
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "AADSTS700027") || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("another certificate: %v", err)
	}
	err = login(filepath.Join(t.TempDir(), "missing.pem"))
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("missing file: %v", err)
	}
	certOnly := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(certOnly, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: registered.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	err = login(certOnly)
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "credential cannot be used") {
		t.Errorf("no key: %v", err)
	}
	for _, e := range []error{err} {
		if e != nil && strings.Contains(e.Error(), "PRIVATE KEY") {
			t.Errorf("an error shows the key: %v", e)
		}
	}
}

// TestAppUserFilesKeptAbsolute: the certificate named by a relative path at sign-in is
// found by a later run started in another directory.
func TestAppUserFilesKeptAbsolute(t *testing.T) {
	pc, id, s := setup(t)
	cert, certFile := certificate(t, "PRIVATE KEY")
	id.SetClientCertificate(cert)
	t.Chdir(filepath.Dir(certFile))
	sess, err := auth.AppUserLogin(context.Background(), s, auth.AppLogin{ClientID: "app-cert", Tenant: id.TenantID, CertFile: filepath.Base(certFile), RefreshToken: id.IssueRefreshToken()})
	if err != nil {
		t.Fatal(err)
	}
	if sess.CertFile != certFile {
		t.Errorf("session names the certificate %q, want %q", sess.CertFile, certFile)
	}
	if err := auth.Save(s, sess); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	loaded, _ := auth.Load(s)
	c := client(t, pc, auth.TokenSource(s, loaded))
	if _, err := c.OrganizationProfile(context.Background()); err != nil {
		t.Fatal(err)
	}
	pc.ExpireToken(pc.Requests()[len(pc.Requests())-1].Token)
	if _, err := c.OrganizationProfile(context.Background()); err != nil {
		t.Fatalf("a refresh from another directory: %v", err)
	}
}
