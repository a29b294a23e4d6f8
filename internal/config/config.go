// Package config finds pcctl's settings: the workspace location, the user name. The
// precedence is flag, then environment variable, then config file, then default. The
// config file is YAML, at $PCCTL_CONFIG or $XDG_CONFIG_HOME/pcctl/config.yaml
// (~/.config/pcctl/config.yaml when XDG_CONFIG_HOME is unset).
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is the settings of one pcctl run. Each run builds its own viper instance, bound to
// that run's flags, so tests can build as many as they like.
type Config struct {
	v    *viper.Viper
	file string
	env  func(string) string
}

// Load reads the config file (a missing file is fine, a malformed one is an error naming
// it) and binds the environment and the given flags. env is os.Getenv in production.
func Load(env func(string) string, flags *pflag.FlagSet) (*Config, error) {
	c := &Config{v: viper.New(), env: env}
	c.file = env("PCCTL_CONFIG")
	if c.file == "" {
		c.file = filepath.Join(configHome(env), "pcctl", "config.yaml")
	}
	c.v.SetConfigFile(c.file)
	c.v.SetConfigType("yaml")
	if err := c.v.ReadInConfig(); err != nil {
		var pe *fs.PathError
		if !errors.As(err, &pe) || !errors.Is(pe.Err, fs.ErrNotExist) {
			if _, statErr := os.Stat(c.file); statErr == nil {
				return nil, fmt.Errorf("config file %s: %w", c.file, err)
			}
		}
	}
	for key, envName := range map[string]string{"workspace": "PCCTL_WORKSPACE", "user": "PCCTL_USER",
		"invite_base_url": "PCCTL_INVITE_BASE_URL", "partner_name": "PCCTL_PARTNER_NAME"} {
		if err := c.v.BindEnv(key, envName); err != nil {
			return nil, err
		}
	}
	if flags != nil {
		if f := flags.Lookup("workspace"); f != nil {
			if err := c.v.BindPFlag("workspace", f); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// Workspace is where the workspace file is, and whether it is the default location (whose
// folder pcctl creates on first use).
func (c *Config) Workspace() (path string, isDefault bool) {
	if p := c.v.GetString("workspace"); p != "" {
		return expandHome(p, c.env), false
	}
	return filepath.Join(dataHome(c.env), "pcctl", "workspace.db"), true
}

// User is the name flags, pins and accesses are recorded under in a local workspace:
// PCCTL_USER or the config's user, else the login name.
func (c *Config) User() string {
	if u := c.v.GetString("user"); u != "" {
		return u
	}
	if u := c.env("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "owner"
}

func home(env func(string) string) string {
	if h := env("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

func configHome(env func(string) string) string {
	if d := env("XDG_CONFIG_HOME"); d != "" {
		return d
	}
	return filepath.Join(home(env), ".config")
}

func dataHome(env func(string) string) string {
	if d := env("XDG_DATA_HOME"); d != "" {
		return d
	}
	return filepath.Join(home(env), ".local", "share")
}

func expandHome(p string, env func(string) string) string {
	if len(p) >= 2 && p[:2] == "~/" {
		return filepath.Join(home(env), p[2:])
	}
	return p
}

// DefaultInviteBaseURL is where partnership request links point when the config names no
// invite_base_url: the default address of `pcctl serve`, which serves them.
const DefaultInviteBaseURL = "http://127.0.0.1:8787"

// InviteBaseURL is the base of partnership request links (invite_base_url), and whether it
// was configured.
func (c *Config) InviteBaseURL() (url string, configured bool) {
	if u := c.v.GetString("invite_base_url"); u != "" {
		return u, true
	}
	return DefaultInviteBaseURL, false
}

// PartnerName is the provider's name as partnership requests sign it (partner_name).
func (c *Config) PartnerName() string { return c.v.GetString("partner_name") }
