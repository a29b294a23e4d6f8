// Package authcmd holds the `pcctl auth` commands: signing in to Partner Center (login),
// what the sign-in is (status), and signing out (logout).
package authcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/partnercenter/auth"
)

// RefreshTokenEnv is the environment variable a refresh token may be read from.
const RefreshTokenEnv = "PCCTL_REFRESH_TOKEN"

// NewCmdAuth is `pcctl auth`.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "Sign in to Partner Center, for pcctl sync",
		Long: `pcctl reads Partner Center (pcctl sync) as the account you sign in with, through the
Microsoft Authentication Library. The sign-in (MSAL's token cache) is kept in auth.json
beside the config file, mode 0600; never in the config file, a log or the audit log.
Access tokens are refreshed silently; when that fails, pcctl says to run 'pcctl auth login'
and exits with code 5.

The endpoints are settings ('pcctl config'), for tests and the sovereign clouds:
authority ($PCCTL_AUTHORITY, default https://login.microsoftonline.com),
partner_center_url ($PCCTL_PARTNER_CENTER_URL) and referrals_url ($PCCTL_REFERRALS_URL).`,
		Example: `  pcctl auth login --client-id 9b1a5c2e-0000-4000-8000-000000000001
  pcctl auth status
  pcctl auth logout`,
		GroupID: "admin",
	}
	cmdutil.NounCommand(cmd)
	cmd.AddCommand(newCmdLogin(f), newCmdStatus(f), newCmdLogout(f))
	return cmd
}

type loginOptions struct {
	clientID, tenant      string
	secretFile, certFile  string
	refreshTokenFile      string
	withToken, deviceCode bool
}

func newCmdLogin(f *cmdutil.Factory) *cobra.Command {
	var o loginOptions
	cmd := &cobra.Command{
		Use:   "login [--device-code | --client-secret-file FILE | --certificate FILE | --with-token]",
		Short: "Sign in to Partner Center",
		Long: `Sign in to Partner Center, one of three ways:

  A person (the default on a terminal, or --device-code): the device code flow. pcctl
  prints an address and a code on stderr; open the address anywhere, enter the code and
  sign in with your Partner Center account. --client-id (or client_id) is your app
  registration's client ID; --tenant your partner tenant (default: the account's).

  A script or a server: Partner Center's secure application model (App+User, which most of
  Partner Center's write APIs and the Referrals API require): your app registration's
  client ID, its secret (--client-secret-file, or $PCCTL_CLIENT_SECRET; never a flag's
  value) or a certificate (--certificate, a PEM file with the certificate and its key), and
  the refresh token your admin's consent gave it (--refresh-token-file, or
  $PCCTL_REFRESH_TOKEN), with --tenant. The secret is not stored: the sign-in names where
  to read it again.

  A token you have (--with-token): an access token for Partner Center read from standard
  input, for example from 'az account get-access-token', used until it expires.`,
		Example: `  pcctl auth login --client-id 9b1a5c2e-0000-4000-8000-000000000001
  pcctl auth login --client-id $APP_ID --tenant contoso.onmicrosoft.com --client-secret-file ~/.secrets/pcctl-app --refresh-token-file ~/.secrets/pcctl-rt
  az account get-access-token --resource https://api.partnercenter.microsoft.com --query accessToken -o tsv | pcctl auth login --with-token`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runLogin(cmd, f, o) },
	}
	fl := cmd.Flags()
	fl.StringVar(&o.clientID, "client-id", "", "your app registration's client ID (default: client_id, $PCCTL_CLIENT_ID)")
	fl.StringVar(&o.tenant, "tenant", "", "your partner tenant, ID or domain (default: tenant, $PCCTL_TENANT)")
	fl.StringVar(&o.secretFile, "client-secret-file", "", "file holding the app registration's client secret (or $PCCTL_CLIENT_SECRET)")
	fl.StringVar(&o.certFile, "certificate", "", "PEM file with the app registration's certificate and private key")
	fl.StringVar(&o.refreshTokenFile, "refresh-token-file", "", "file holding the refresh token of the secure application model (or $PCCTL_REFRESH_TOKEN)")
	fl.BoolVar(&o.withToken, "with-token", false, "read an access token from standard input")
	fl.BoolVar(&o.deviceCode, "device-code", false, "sign in with the device code flow even when not on a terminal")
	for _, n := range []string{"client-id", "tenant"} {
		_ = cmd.RegisterFlagCompletionFunc(n, cobra.NoFileCompletions)
	}
	return cmd
}

func setting(f *cmdutil.Factory, flag, key string) string {
	if flag != "" {
		return strings.TrimSpace(flag)
	}
	s, _ := f.Config.Get(key)
	return strings.TrimSpace(s.Value)
}

func runLogin(cmd *cobra.Command, f *cmdutil.Factory, o loginOptions) error {
	ctx := cmd.Context()
	ios := f.IOStreams
	s, err := f.AuthSettings()
	if err != nil {
		return err
	}
	if err := f.Config.CheckPartnerCenterFile(); err != nil {
		return err
	}
	clientID, tenant := setting(f, o.clientID, "client_id"), setting(f, o.tenant, "tenant")
	secretEnv := strings.TrimSpace(f.Env(auth.SecretEnv)) != ""
	app := o.secretFile != "" || o.certFile != "" || o.refreshTokenFile != "" || (secretEnv && f.Env(RefreshTokenEnv) != "")
	methods := 0
	for _, m := range []bool{o.withToken, o.deviceCode, app} {
		if m {
			methods++
		}
	}
	if methods > 1 {
		return cmdutil.Usagef("--with-token, --device-code and an app registration (--client-secret-file, --certificate, --refresh-token-file) are three ways to sign in: give one")
	}
	var sess *auth.Session
	switch {
	case o.withToken:
		b, err := io.ReadAll(io.LimitReader(ios.In, 64<<10))
		if err != nil {
			return err
		}
		if sess, err = auth.TokenLogin(s, string(b)); err != nil {
			return err
		}
	case app:
		if o.secretFile != "" && o.certFile != "" {
			return cmdutil.Usagef("--client-secret-file and --certificate are two credentials of the app registration: give one")
		}
		if clientID == "" || tenant == "" {
			return cmdutil.Usagef("an app registration sign-in needs --client-id and --tenant (or client_id and tenant in the config)")
		}
		l := auth.AppLogin{ClientID: clientID, Tenant: tenant, SecretFile: o.secretFile, CertFile: o.certFile}
		if o.certFile == "" {
			if l.Secret, err = auth.ReadSecret(o.secretFile, f.Env); err != nil {
				return err
			}
		}
		rt := strings.TrimSpace(f.Env(RefreshTokenEnv))
		if o.refreshTokenFile != "" {
			b, err := os.ReadFile(o.refreshTokenFile)
			if err != nil {
				return cmdutil.Usagef("cannot read --refresh-token-file: %v", err)
			}
			rt = strings.TrimSpace(string(b))
		}
		if rt == "" {
			return cmdutil.Usagef("an app registration sign-in needs the refresh token of Partner Center's secure application model: --refresh-token-file FILE or $%s", RefreshTokenEnv)
		}
		l.RefreshToken = rt
		if sess, err = auth.AppUserLogin(ctx, s, l); err != nil {
			return err
		}
	default:
		if !o.deviceCode && !ios.CanPrompt() {
			return cmdutil.Usagef("not on a terminal: sign in with --device-code, an app registration (--client-secret-file or --certificate, with --refresh-token-file), or --with-token")
		}
		if sess, err = auth.DeviceCodeLogin(ctx, s, clientID, tenant, func(msg string) { fmt.Fprintln(ios.ErrOut, msg) }); err != nil {
			return err
		}
	}
	if err := auth.Save(s, sess); err != nil {
		return fmt.Errorf("cannot save the sign-in: %w", err)
	}
	who := sess.Username
	if who == "" {
		who = "the token's account"
	}
	tenantText := sess.PartnerTenant
	if tenantText == "" {
		tenantText = "unknown until the first request"
	}
	ios.Notice("Signed in to Partner Center as %s (partner tenant %s, %s); the sign-in is kept in %s.", who, tenantText, sess.Method, s.File)
	return nil
}

// status is what `auth status` shows: never a token.
type status struct {
	Method, User, PartnerTenant, ClientID, Authority, File string
	APIs                                                   []string
	SignedInAt, AccessUntil                                time.Time
}

var statusFields = []output.Field[status]{
	output.StrField("method", "Method", "device-code, app+user or token", func(s *status) string { return s.Method }),
	output.StrField("user", "User", "the account signed in (empty when the token does not say)", func(s *status) string { return s.User }),
	output.StrField("partnerTenant", "Partner tenant", "the partner tenant signed in to", func(s *status) string { return s.PartnerTenant }),
	output.ListField("apis", "APIs", "the APIs the sign-in reaches", func(s *status) []string { return s.APIs }),
	output.StrField("clientId", "Client ID", "the app registration", func(s *status) string { return s.ClientID }),
	output.StrField("authority", "Authority", "the identity platform", func(s *status) string { return s.Authority }),
	output.TimeField("signedInAt", "Signed in", "when", func(s *status) time.Time { return s.SignedInAt }),
	output.TimeField("accessUntil", "Access token until", "when the current access token expires (refreshed silently after, but with --with-token)", func(s *status) time.Time { return s.AccessUntil }),
	output.StrField("file", "Kept in", "the sign-in file (mode 0600)", func(s *status) string { return s.File }),
}

func newCmdStatus(f *cmdutil.Factory) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show who is signed in to Partner Center, never a token",
		Long: `Show the Partner Center sign-in: how (device-code, app+user or token), the account,
the partner tenant, the APIs it reaches and until when the current access token lasts.
No token is ever shown. Not signed in: exit code 5.`,
		Example: `  pcctl auth status
  pcctl auth status --format json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.AuthSettings()
			if err != nil {
				return err
			}
			sess, err := auth.Load(s)
			if err != nil {
				return err
			}
			if sess == nil {
				return auth.NotSignedIn
			}
			st := status{Method: sess.Method, User: sess.Username, PartnerTenant: sess.PartnerTenant, ClientID: sess.ClientID,
				Authority: sess.Authority, File: s.File, APIs: sess.APIs(), SignedInAt: sess.SignedInAt, AccessUntil: accessUntil(sess)}
			if err := output.PrintOne(f.IOStreams, o, statusFields, nil, &st); err != nil {
				return err
			}
			if sess.Method == auth.MethodToken && !st.AccessUntil.IsZero() && !st.AccessUntil.After(f.Now()) {
				return &domain.AuthError{Code: domain.AuthExpired, Reason: "the access token given with --with-token has expired; run pcctl auth login"}
			}
			return nil
		},
	}
	o = output.AddFlags(cmd, nil, output.FieldNames(statusFields))
	return cmd
}

// accessUntil is when the session's access token expires: --with-token's, or the latest
// of MSAL's cached ones.
func accessUntil(sess *auth.Session) time.Time {
	if sess.Method == auth.MethodToken {
		return sess.ExpiresOn
	}
	var cache struct {
		AccessToken map[string]struct {
			ExpiresOn string `json:"expires_on"`
		}
	}
	var latest time.Time
	if json.Unmarshal(sess.MSAL, &cache) == nil {
		for _, at := range cache.AccessToken {
			var n int64
			if _, err := fmt.Sscan(at.ExpiresOn, &n); err == nil {
				if t := time.Unix(n, 0).UTC(); t.After(latest) {
					latest = t
				}
			}
		}
	}
	return latest
}

func newCmdLogout(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "logout",
		Short:   "Sign out of Partner Center: forget the sign-in and its tokens",
		Example: `  pcctl auth logout`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.AuthSettings()
			if err != nil {
				return err
			}
			removed, err := auth.Logout(s)
			if err != nil {
				return err
			}
			if removed {
				f.IOStreams.Notice("Signed out of Partner Center (removed %s).", s.File)
			} else {
				f.IOStreams.Notice("Not signed in to Partner Center: nothing to do.")
			}
			return nil
		},
	}
}
