package cmdutil

import (
	"context"
	"errors"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/partnercenter/auth"
)

// AuthSettings are where the Partner Center sign-in lives (beside the config file) and
// the identity platform to sign in with (authority).
func (f *Factory) AuthSettings() (auth.Settings, error) {
	file := f.Config.AuthFile()
	if file == "" {
		return auth.Settings{}, Usagef("there is no place for the Partner Center sign-in: HOME is not set (nor XDG_CONFIG_HOME, nor PCCTL_CONFIG)")
	}
	return auth.Settings{Authority: f.Config.Authority(), File: file, Env: f.Env, Now: f.Now}, nil
}

// PartnerCenter is a client of Partner Center's APIs (partner_center_url, referrals_url)
// with the signed-in session's tokens, refreshed silently; not signed in is an
// *domain.AuthError (exit 5) saying to run pcctl auth login. tune, when set, adjusts the
// client's options (concurrency, retry notices).
func (f *Factory) PartnerCenter(ctx context.Context, tune func(*partnercenter.Options)) (*partnercenter.Client, *auth.Session, error) {
	s, err := f.AuthSettings()
	if err != nil {
		return nil, nil, err
	}
	if err := f.Config.CheckPartnerCenterFile(); err != nil {
		return nil, nil, err
	}
	sess, err := auth.Load(s)
	if err != nil {
		return nil, nil, err
	}
	if sess == nil {
		return nil, nil, auth.NotSignedIn
	}
	o := partnercenter.Options{PartnerCenterURL: f.Config.PartnerCenterURL(), ReferralsURL: f.Config.ReferralsURL(),
		Tokens: auth.TokenSource(s, sess)}
	if tune != nil {
		tune(&o)
	}
	c, err := partnercenter.New(o)
	if err != nil {
		var inv *domain.InvalidError
		if errors.As(err, &inv) {
			return nil, nil, Usagef("%v (set it with pcctl config set %s URL or %s)", err, inv.Field, envOf(inv.Field))
		}
		return nil, nil, err
	}
	return c, sess, nil
}

func envOf(setting string) string {
	switch setting {
	case "partner_center_url":
		return "PCCTL_PARTNER_CENTER_URL"
	case "referrals_url":
		return "PCCTL_REFERRALS_URL"
	}
	return "PCCTL_AUTHORITY"
}
