// Package config finds pcctl's settings: the workspace location, the user name, the
// partnership request settings. The precedence is flag, then environment variable, then
// the selected profile of the config file, then the config file's top level, then default.
// The config file is YAML, at $PCCTL_CONFIG or $XDG_CONFIG_HOME/pcctl/config.yaml
// (~/.config/pcctl/config.yaml when XDG_CONFIG_HOME is unset):
//
//	workspace: /srv/pcctl/workspace.db
//	user: alice@contoso.com
//	token: pcctl_…            # an access token: the file must then be private (mode 0600)
//	                          # (so must one naming the endpoint a token is sent to)
//	profiles:
//	  test:
//	    workspace: /tmp/test.db
//
// A profile is selected with --profile NAME or PCCTL_PROFILE.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Key is one setting pcctl knows.
type Key struct {
	Name string // in the config file
	Env  string // environment variable
	Flag string // global flag that sets it, if any
	Doc  string
	// Secret keys are shown masked by List (config list); Get gives their value.
	Secret bool
}

// Keys lists the settings, in the order `config list` shows them.
var Keys = []Key{
	{Name: "workspace", Env: "PCCTL_WORKSPACE", Flag: "workspace", Doc: "workspace file"},
	{Name: "user", Env: "PCCTL_USER", Doc: "name your actions are recorded under"},
	{Name: "invite_base_url", Env: "PCCTL_INVITE_BASE_URL", Doc: "base of partnership request links"},
	{Name: "partner_name", Env: "PCCTL_PARTNER_NAME", Doc: "your company's name, signing requests"},
	{Name: "partner_domains", Env: "PCCTL_PARTNER_DOMAINS", Doc: "your company's mail domains, comma-separated (user import --psc)"},
	{Name: "endpoint", Env: "PCCTL_ENDPOINT", Flag: "endpoint", Doc: "address of a pcctl server whose workspace to use instead of a local file"},
	{Name: "token", Env: "PCCTL_TOKEN", Flag: "token", Doc: "access token for a pcctl server (the file must then be mode 0600)", Secret: true},
	{Name: "partner_center_url", Env: "PCCTL_PARTNER_CENTER_URL", Doc: "Partner Center's REST API (sovereign clouds have their own)"},
	{Name: "referrals_url", Env: "PCCTL_REFERRALS_URL", Doc: "Partner Center's Referrals API (deals)"},
	{Name: "authority", Env: "PCCTL_AUTHORITY", Doc: "the Microsoft identity platform pcctl auth login signs in with"},
	{Name: "client_id", Env: "PCCTL_CLIENT_ID", Doc: "your app registration's client ID, for pcctl auth login"},
	{Name: "tenant", Env: "PCCTL_TENANT", Doc: "your partner tenant (ID or domain), for pcctl auth login"},
}

// KeyNames are the names of Keys.
func KeyNames() []string {
	names := make([]string, len(Keys))
	for i, k := range Keys {
		names[i] = k.Name
	}
	return names
}

func lookupKey(name string) (Key, bool) {
	for _, k := range Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// Where a value comes from.
const (
	SourceFlag    = "flag"
	SourceEnv     = "env"
	SourceProfile = "profile"
	SourceFile    = "file"
	SourceDefault = "default"
)

// Setting is a key's value in this run and where it comes from.
type Setting struct {
	Key    string
	Value  string
	Source string
}

// UnknownKeyError is a key that is not one of Keys.
type UnknownKeyError struct{ Key string }

func (e *UnknownKeyError) Error() string {
	return fmt.Sprintf("unknown config key %q; valid keys: %s", e.Key, strings.Join(KeyNames(), ", "))
}

// InvalidValueError is a value its key's rule refuses.
type InvalidValueError struct{ Key, Value, Reason string }

func (e *InvalidValueError) Error() string {
	return fmt.Sprintf("invalid value %q for %s: %s", e.Value, e.Key, e.Reason)
}

// ProfileError is a profile name that is malformed or names no profile of the file.
type ProfileError struct{ Msg string }

func (e *ProfileError) Error() string { return e.Msg }

var profileName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Config is the settings of one pcctl run. Each run builds its own viper instance, bound to
// that run's flags, so tests can build as many as they like.
type Config struct {
	fv      *viper.Viper // the config file alone
	file    string
	env     func(string) string
	flags   *pflag.FlagSet
	profile string // selected profile, lower case; "" when none
}

// Load reads the config file (a missing file is fine, a malformed one is an error naming
// it) and binds the environment and the given flags (--workspace, --profile). env is
// os.Getenv in production. A selected profile that the file lacks is not an error here:
// see CheckProfile.
func Load(env func(string) string, flags *pflag.FlagSet) (*Config, error) {
	c := &Config{env: env, flags: flags}
	c.file = env("PCCTL_CONFIG")
	if c.file == "" {
		if d := configHome(env); d != "" {
			c.file = filepath.Join(d, "pcctl", "config.yaml")
		}
	}
	fv, err := readFile(c.file)
	if err != nil {
		return nil, err
	}
	c.fv = fv
	c.profile = env("PCCTL_PROFILE")
	if flags != nil {
		if f := flags.Lookup("profile"); f != nil && f.Changed {
			c.profile = f.Value.String()
		}
	}
	c.profile = strings.ToLower(strings.TrimSpace(c.profile))
	if c.profile != "" && !profileName.MatchString(c.profile) {
		return nil, &ProfileError{Msg: fmt.Sprintf("invalid profile name %q: use letters, digits, - and _", c.profile)}
	}
	return c, nil
}

// readFile reads the config file alone into a viper instance; a missing file is empty.
func readFile(file string) (*viper.Viper, error) {
	v := viper.New()
	v.SetConfigFile(file)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		var pe *fs.PathError
		if !errors.As(err, &pe) || !errors.Is(pe.Err, fs.ErrNotExist) {
			if _, statErr := os.Stat(file); statErr == nil {
				return nil, fmt.Errorf("config file %s: %w", file, err)
			}
		}
	}
	return v, nil
}

// UnknownKeys lists the keys of the config file that are not settings pcctl knows (a typo
// such as "worksapce"), as "key" or "profiles.NAME.key", in order: pcctl ignores them, and
// says so.
func (c *Config) UnknownKeys() []string {
	var out []string
	for _, k := range c.fv.AllKeys() {
		name := k
		if rest, ok := strings.CutPrefix(k, "profiles."); ok {
			if _, key, ok := strings.Cut(rest, "."); ok {
				name = key
			}
		}
		if _, ok := lookupKey(name); !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// File is the config file's path (it may not exist).
func (c *Config) File() string { return c.file }

// Profile is the selected profile ("" when none).
func (c *Config) Profile() string { return c.profile }

// Profiles are the names of the file's profiles, sorted.
func (c *Config) Profiles() []string {
	var names []string
	for name := range c.fv.GetStringMap("profiles") {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// CheckProfile fails when a profile is selected that the config file does not have.
func (c *Config) CheckProfile() error {
	if c.profile == "" || slices.Contains(c.Profiles(), c.profile) {
		return nil
	}
	have := "it has none"
	if p := c.Profiles(); len(p) > 0 {
		have = "profiles: " + strings.Join(p, ", ")
	}
	return &ProfileError{Msg: fmt.Sprintf("no profile %q in config file %s (%s)", c.profile, c.file, have)}
}

// Get is a key's value in this run and its source. An unknown key is an *UnknownKeyError.
func (c *Config) Get(name string) (Setting, error) {
	k, ok := lookupKey(name)
	if !ok {
		return Setting{}, &UnknownKeyError{Key: name}
	}
	s := Setting{Key: k.Name}
	switch {
	case k.Flag != "" && c.flags != nil && c.flags.Lookup(k.Flag) != nil && c.flags.Lookup(k.Flag).Changed:
		s.Value, s.Source = c.flags.Lookup(k.Flag).Value.String(), SourceFlag
	case c.env(k.Env) != "":
		s.Value, s.Source = c.env(k.Env), SourceEnv
	case c.profile != "" && c.fv.GetString("profiles."+c.profile+"."+k.Name) != "":
		s.Value, s.Source = c.fv.GetString("profiles."+c.profile+"."+k.Name), SourceProfile
	case c.fv.GetString(k.Name) != "":
		s.Value, s.Source = c.fv.GetString(k.Name), SourceFile
	default:
		s.Value, s.Source = c.defaultValue(k.Name), SourceDefault
	}
	return s, nil
}

// MaskedValue is what List shows of a secret key that is set.
const MaskedValue = "********"

// List is every key's setting, in the order of Keys. The value of a secret key (token) is
// MaskedValue when set, so that a listing can be shown or pasted safely.
func (c *Config) List() []Setting {
	out := make([]Setting, 0, len(Keys))
	for _, k := range Keys {
		s, _ := c.Get(k.Name)
		if k.Secret && s.Value != "" {
			s.Value = MaskedValue
		}
		out = append(out, s)
	}
	return out
}

func (c *Config) get(name string) Setting {
	s, err := c.Get(name)
	if err != nil {
		panic(err)
	}
	return s
}

func (c *Config) defaultValue(name string) string {
	switch name {
	case "workspace":
		if d := dataHome(c.env); d != "" {
			return filepath.Join(d, "pcctl", "workspace.db")
		}
		return "" // no HOME: Workspace's caller says so
	case "user":
		return defaultUser(c.env)
	case "invite_base_url":
		return DefaultInviteBaseURL
	case "partner_center_url":
		return DefaultPartnerCenterURL
	case "referrals_url":
		return DefaultReferralsURL
	case "authority":
		return DefaultAuthority
	}
	return ""
}

// The default endpoints of Partner Center (partner_center_url, referrals_url, authority).
const (
	DefaultPartnerCenterURL = "https://api.partnercenter.microsoft.com"
	DefaultReferralsURL     = "https://api.partner.microsoft.com"
	DefaultAuthority        = "https://login.microsoftonline.com"
)

// PartnerCenterURL, ReferralsURL and Authority are the Partner Center endpoints in force.
func (c *Config) PartnerCenterURL() string {
	return strings.TrimSpace(c.get("partner_center_url").Value)
}

// ReferralsURL is the Referrals API's endpoint in force.
func (c *Config) ReferralsURL() string { return strings.TrimSpace(c.get("referrals_url").Value) }

// Authority is the identity platform's endpoint in force.
func (c *Config) Authority() string { return strings.TrimSpace(c.get("authority").Value) }

// AuthFile is the Partner Center sign-in (MSAL's token cache), beside the config file;
// "" when there is no config folder (no HOME).
func (c *Config) AuthFile() string {
	if c.file == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(c.file), "auth.json")
}

// Workspace is where the workspace file is, and whether it is the default location (whose
// folder pcctl creates on first use).
func (c *Config) Workspace() (path string, isDefault bool) {
	s := c.get("workspace")
	if s.Source == SourceDefault {
		return s.Value, true
	}
	return expandHome(s.Value, c.env), false
}

// Endpoint is the address of the pcctl server to use (endpoint), "" for a local
// workspace. An endpoint from any source wins over a workspace file from the
// environment, the config file or the default; a --workspace flag wins over an endpoint
// from the environment or the config file (the flag names a file: that file is meant).
// Both flags at once are refused by CheckFlags.
func (c *Config) Endpoint() string {
	s := c.get("endpoint")
	if s.Source != SourceFlag && c.get("workspace").Source == SourceFlag {
		return ""
	}
	return strings.TrimSpace(s.Value)
}

// CheckFlags refuses --endpoint and --workspace together: one workspace at a time.
func (c *Config) CheckFlags() error {
	if c.get("endpoint").Source == SourceFlag && c.get("workspace").Source == SourceFlag {
		return &InvalidValueError{Key: "--endpoint", Value: c.get("endpoint").Value,
			Reason: "--endpoint and --workspace name two different workspaces: give one of them"}
	}
	return nil
}

// User is the name flags, pins and accesses are recorded under in a local workspace:
// PCCTL_USER or the config's user, else the login name.
func (c *Config) User() string { return c.get("user").Value }

func defaultUser(env func(string) string) string {
	if u := env("USER"); u != "" {
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

// configHome and dataHome follow the XDG base directory spec: a relative XDG_* path is
// ignored. Without HOME either, they are "": there is no default place (rather than one
// relative to whatever folder pcctl runs in).
func configHome(env func(string) string) string {
	return xdgHome(env, "XDG_CONFIG_HOME", ".config")
}

func dataHome(env func(string) string) string {
	return xdgHome(env, "XDG_DATA_HOME", filepath.Join(".local", "share"))
}

func xdgHome(env func(string) string, variable, underHome string) string {
	if d := env(variable); filepath.IsAbs(d) {
		return d
	}
	if h := home(env); filepath.IsAbs(h) {
		return filepath.Join(h, underHome)
	}
	return ""
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
	s := c.get("invite_base_url")
	return s.Value, s.Source != SourceDefault
}

// PartnerName is the provider's name as partnership requests sign it (partner_name).
func (c *Config) PartnerName() string { return c.get("partner_name").Value }

// PartnerDomains are the partner's own mail domains (partner_domains), lower case.
func (c *Config) PartnerDomains() []string {
	var out []string
	for _, d := range strings.Split(c.get("partner_domains").Value, ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// Token is the access token for a pcctl server (token): $PCCTL_TOKEN, else the config
// file's, from the selected profile or the top level; "" when there is none. The config
// file is checked (checkPrivate) when the token is about to be used and the file decides
// where it goes: when the file holds the token, or names the endpoint the token is sent
// to (a token from the environment or --token too: whoever may change the file could
// point it at their own server). A file that is refused gives an *InsecureFileError,
// naming the fix: one that anyone but its owner may read or write (mode & 0o077 != 0),
// one owned by another user, one in a folder others may write (who could replace it).
// A file that decides nothing about a token may keep any mode. (Windows has no such
// modes: nothing is checked there.)
func (c *Config) Token() (string, error) {
	s := c.get("token")
	token := strings.TrimSpace(s.Value)
	if token == "" {
		return "", nil
	}
	what := ""
	switch ep := c.get("endpoint"); {
	case s.Source == SourceProfile || s.Source == SourceFile:
		what = "holds an access token"
	case (ep.Source == SourceProfile || ep.Source == SourceFile) && c.Endpoint() != "":
		what = "names the endpoint your access token is sent to"
	default:
		return token, nil
	}
	if err := checkPrivate(c.file, what); err != nil {
		return "", err
	}
	return token, nil
}

// PartnerCenterKeys are the settings that decide where the Partner Center sign-in (its
// credentials and tokens) is sent.
var PartnerCenterKeys = []string{"authority", "partner_center_url", "referrals_url"}

// CheckPartnerCenterFile checks the config file as Token does (checkPrivate) when it names
// one of PartnerCenterKeys, in the selected profile or at the top level: whoever may
// change the file could send the sign-in to their own server. Called before signing in
// or using the sign-in.
func (c *Config) CheckPartnerCenterFile() error {
	for _, k := range PartnerCenterKeys {
		if s := c.get(k); s.Source == SourceProfile || s.Source == SourceFile {
			return checkPrivate(c.file, "names "+k+", where your Partner Center sign-in is sent,")
		}
	}
	return nil
}

// InsecureFileError is a config file deciding an access token's use (holding it, or
// naming where it is sent) that others may read or change.
type InsecureFileError struct {
	File    string
	What    string      // what the file decides: "holds an access token", ...
	Mode    fs.FileMode // permission bits, when they are the problem
	Problem string      // the problem, when it is not the mode
	Fix     string
}

func (e *InsecureFileError) Error() string {
	if e.Problem != "" {
		return fmt.Sprintf("config file %s %s but %s. %s", e.File, e.What, e.Problem, e.Fix)
	}
	fix := ""
	if e.What == "holds an access token" {
		fix = "; if others could read it, revoke the token and use a new one"
	}
	return fmt.Sprintf("config file %s %s but has mode %04o (%s): other users may read or change it. "+
		"Make it private with 'chmod 600 %s'%s",
		e.File, e.What, uint32(e.Mode.Perm()), e.Mode.Perm(), shellQuote(e.File), fix)
}

// checkPrivate refuses a config file that anyone but its owner may read or write, one
// owned by another user, and one whose folder another user may write or owns (root may):
// what describes what the file decides, for the message.
func checkPrivate(file, what string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	st, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("config file %s: %w", file, plain(err))
	}
	if st.Mode().Perm()&0o077 != 0 {
		return &InsecureFileError{File: file, What: what, Mode: st.Mode().Perm()}
	}
	if uid, ok := owner(st); ok && uid != os.Getuid() {
		return &InsecureFileError{File: file, What: what,
			Problem: fmt.Sprintf("is owned by another user (uid %d), who could change it", uid),
			Fix:     "Use a config file of your own (PCCTL_CONFIG), written by 'pcctl config set'"}
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return fmt.Errorf("config file %s: %w", file, err)
	}
	dir := filepath.Dir(abs)
	dst, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("config file %s: %w", file, plain(err))
	}
	// A folder others may write lets them rename the file away and put their own in its
	// place, unless it is sticky (as /tmp is): then only the file's owner may.
	if dst.Mode().Perm()&0o022 != 0 && dst.Mode()&fs.ModeSticky == 0 {
		return &InsecureFileError{File: file, What: what,
			Problem: fmt.Sprintf("its folder %s has mode %04o (%s): other users may replace the file", dir, uint32(dst.Mode().Perm()), dst.Mode().Perm()),
			Fix:     fmt.Sprintf("Make the folder private with 'chmod go-w %s', or move the file to a folder of your own", shellQuote(dir))}
	}
	if uid, ok := owner(dst); ok && uid != os.Getuid() && uid != 0 {
		return &InsecureFileError{File: file, What: what,
			Problem: fmt.Sprintf("its folder %s is owned by another user (uid %d), who could replace the file", dir, uid),
			Fix:     "Move the file to a folder of your own (PCCTL_CONFIG names it)"}
	}
	return nil
}

// shellQuote quotes a path for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CheckEnv checks the settings the environment gives as 'config set' checks values: a
// blank PCCTL_USER or an ftp PCCTL_INVITE_BASE_URL is an error naming the variable rather
// than a setting quietly used.
func (c *Config) CheckEnv() error {
	for _, k := range Keys {
		if v := c.env(k.Env); v != "" {
			if err := Validate(k.Name, v); err != nil {
				var iv *InvalidValueError
				if errors.As(err, &iv) {
					return &InvalidValueError{Key: k.Env, Value: iv.Value, Reason: strings.Replace(iv.Reason, "use 'pcctl config unset "+k.Name+"'", "unset "+k.Env, 1)}
				}
				return err
			}
		}
	}
	return nil
}

// Validate checks a value for a key: the key must be known, the value not empty, and
// invite_base_url an http or https URL with a host.
func Validate(name, value string) error {
	if _, ok := lookupKey(name); !ok {
		return &UnknownKeyError{Key: name}
	}
	if strings.TrimSpace(value) == "" {
		return &InvalidValueError{Key: name, Value: value, Reason: "it is empty (use 'pcctl config unset " + name + "' to remove it)"}
	}
	if name == "partner_domains" {
		for _, d := range strings.Split(value, ",") {
			d = strings.TrimSpace(d)
			if d == "" || !strings.Contains(d, ".") || strings.ContainsAny(d, " @/:") {
				return &InvalidValueError{Key: name, Value: value, Reason: "expected mail domains separated by commas, such as contoso.com,contoso.fr"}
			}
		}
	}
	if name == "invite_base_url" || name == "endpoint" || name == "partner_center_url" || name == "referrals_url" || name == "authority" {
		u, err := url.Parse(strings.TrimSpace(value))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			example := "https://pcctl.contoso.com"
			switch name {
			case "partner_center_url":
				example = DefaultPartnerCenterURL
			case "referrals_url":
				example = DefaultReferralsURL
			case "authority":
				example = DefaultAuthority
			}
			return &InvalidValueError{Key: name, Value: value, Reason: "expected an http or https URL, such as " + example}
		}
		if name == "endpoint" && (u.RawQuery != "" || u.Fragment != "") {
			return &InvalidValueError{Key: name, Value: value, Reason: "expected the server's address without a query or fragment, such as https://pcctl.contoso.com"}
		}
	}
	return nil
}

// Set writes key: value into the config file, in the selected profile if there is one
// (creating it), else at the top level. The other keys and profiles are kept; comments are
// not. The file is written with mode 0600 (its folder created 0700), through a temporary
// file renamed over it.
func (c *Config) Set(name, value string) error {
	if err := Validate(name, value); err != nil {
		return err
	}
	return c.update(func(m map[string]any) {
		target := m
		if c.profile != "" {
			profiles, _ := m["profiles"].(map[string]any)
			if profiles == nil {
				profiles = map[string]any{}
				m["profiles"] = profiles
			}
			target, _ = profiles[c.profile].(map[string]any)
			if target == nil {
				target = map[string]any{}
				profiles[c.profile] = target
			}
		}
		target[name] = value
	})
}

// Unset removes a key from the config file (from the selected profile if there is one; a
// profile left empty is removed). It reports whether the key was there.
func (c *Config) Unset(name string) (removed bool, err error) {
	if _, ok := lookupKey(name); !ok {
		return false, &UnknownKeyError{Key: name}
	}
	err = c.update(func(m map[string]any) {
		if c.profile == "" {
			_, removed = m[name]
			delete(m, name)
			return
		}
		profiles, _ := m["profiles"].(map[string]any)
		p, _ := profiles[c.profile].(map[string]any)
		if p == nil {
			return
		}
		_, removed = p[name]
		delete(p, name)
		if len(p) == 0 {
			delete(profiles, c.profile)
		}
		if len(profiles) == 0 {
			delete(m, "profiles")
		}
	})
	return removed, err
}

// update rereads the file, changes its settings with change and writes it back atomically
// with mode 0600; then this Config sees the new file.
func (c *Config) update(change func(map[string]any)) error {
	if c.file == "" {
		return errors.New("there is no default place for the config file: HOME is not set (nor XDG_CONFIG_HOME, as an absolute path); name it with PCCTL_CONFIG")
	}
	fv, err := readFile(c.file)
	if err != nil {
		return err
	}
	m := fv.AllSettings()
	change(m)
	out := viper.New()
	out.SetConfigType("yaml")
	if err := out.MergeConfigMap(m); err != nil {
		return err
	}
	var buf bytes.Buffer
	if len(m) > 0 {
		if err := out.WriteConfigTo(&buf); err != nil {
			return fmt.Errorf("config file %s: %w", c.file, err)
		}
	}
	if err := writeAtomic(c.file, buf.Bytes()); err != nil {
		return err
	}
	c.fv, err = readFile(c.file)
	return err
}

// writeAtomic writes data to file through a temporary file in the same folder, renamed
// over it, with mode 0600; a missing folder is created with mode 0700.
func writeAtomic(file string, data []byte) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the config folder %s: %w", dir, plain(err))
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(file)+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write the config file %s: %w", file, plain(err))
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write the config file %s: %w", file, plain(err))
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write the config file %s: %w", file, plain(err))
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write the config file %s: %w", file, plain(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write the config file %s: %w", file, plain(err))
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("cannot write the config file %s: %w", file, plain(err))
	}
	return nil
}

// plain drops the operation and path that os errors repeat.
func plain(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
