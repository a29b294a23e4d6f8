package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func flagSet(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("pcctl", pflag.ContinueOnError)
	fs.String("workspace", "", "")
	fs.String("profile", "", "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func load(t *testing.T, env map[string]string, args ...string) *Config {
	t.Helper()
	c, err := Load(envOf(env), flagSet(t, args...))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The file is created 0600 in a new folder 0700, and stays 0600 when rewritten even if it
// was more open before.
func TestSetWritesMode0600(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": dir}
	c := load(t, env)
	if err := c.Set("user", "bob@contoso.com"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "pcctl", "config.yaml")
	if c.File() != file {
		t.Fatalf("File() = %s, want %s", c.File(), file)
	}
	assertMode(t, filepath.Dir(file), 0o700)
	assertMode(t, file, 0o600)

	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("partner_name", "Contoso"); err != nil {
		t.Fatal(err)
	}
	assertMode(t, file, 0o600)
	if _, err := c.Unset("partner_name"); err != nil {
		t.Fatal(err)
	}
	assertMode(t, file, 0o600)
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 {
		t.Fatalf("the config folder holds %d entries, want only config.yaml (no temporary file left)", len(entries))
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", path, got, want)
	}
}

// Set keeps the file's other keys (known or not) and profiles.
func TestSetKeepsOtherKeysAndProfiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	orig := "# a comment\nworkspace: /a.db\nfuture_key: 42\nprofiles:\n  test:\n    workspace: /t.db\n"
	if err := os.WriteFile(file, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PCCTL_CONFIG": file}
	if err := load(t, env).Set("user", "bob"); err != nil {
		t.Fatal(err)
	}
	if err := load(t, env, "--profile", "prod").Set("workspace", "/p.db"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	for _, want := range []string{"workspace: /a.db", "future_key: 42", "user: bob", "test:", "workspace: /t.db", "prod:", "workspace: /p.db"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the file lacks %q:\n%s", want, data)
		}
	}
	// Unsetting a profile's last key removes the profile.
	if _, err := load(t, env, "--profile", "prod").Unset("workspace"); err != nil {
		t.Fatal(err)
	}
	if p := load(t, env).Profiles(); len(p) != 1 || p[0] != "test" {
		t.Errorf("profiles after unset = %v, want [test]", p)
	}
}

// flag > environment > profile > file top level > default.
func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	yaml := "workspace: /file.db\nuser: fileuser\nprofiles:\n  test:\n    workspace: /profile.db\n    user: profileuser\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PCCTL_CONFIG": file, "XDG_DATA_HOME": "/data", "HOME": dir}
	cases := []struct {
		env          map[string]string
		args         []string
		value, sourc string
	}{
		{nil, nil, "/file.db", SourceFile},
		{nil, []string{"--profile", "test"}, "/profile.db", SourceProfile},
		{map[string]string{"PCCTL_PROFILE": "test"}, nil, "/profile.db", SourceProfile},
		{map[string]string{"PCCTL_PROFILE": "test", "PCCTL_WORKSPACE": "/env.db"}, nil, "/env.db", SourceEnv},
		{map[string]string{"PCCTL_WORKSPACE": "/env.db"}, []string{"--profile", "test", "--workspace", "/flag.db"}, "/flag.db", SourceFlag},
		{map[string]string{"PCCTL_CONFIG": filepath.Join(dir, "none.yaml")}, nil, "/data/pcctl/workspace.db", SourceDefault},
	}
	for _, tc := range cases {
		e := map[string]string{}
		for k, v := range env {
			e[k] = v
		}
		for k, v := range tc.env {
			e[k] = v
		}
		s, err := load(t, e, tc.args...).Get("workspace")
		if err != nil {
			t.Fatal(err)
		}
		if s.Value != tc.value || s.Source != tc.sourc {
			t.Errorf("env %v args %v: workspace = %q from %s, want %q from %s", tc.env, tc.args, s.Value, s.Source, tc.value, tc.sourc)
		}
	}
	if u := load(t, env, "--profile", "TEST").User(); u != "profileuser" {
		t.Errorf("User() with --profile TEST = %q, want profileuser (profile names ignore case)", u)
	}
}

func TestValidateAndProfiles(t *testing.T) {
	var uk *UnknownKeyError
	if err := Validate("colour", "red"); !errors.As(err, &uk) || !strings.Contains(err.Error(), "workspace, user, invite_base_url, partner_name") {
		t.Errorf("Validate(colour) = %v", err)
	}
	var iv *InvalidValueError
	for _, bad := range []string{"ftp://x.com", "pcctl.contoso.com", "https://", ""} {
		if err := Validate("invite_base_url", bad); !errors.As(err, &iv) {
			t.Errorf("Validate(invite_base_url, %q) = %v, want an InvalidValueError", bad, err)
		}
	}
	if err := Validate("invite_base_url", "https://pcctl.contoso.com/base"); err != nil {
		t.Error(err)
	}
	dir := t.TempDir()
	env := map[string]string{"PCCTL_CONFIG": filepath.Join(dir, "c.yaml")}
	if _, err := Load(envOf(env), flagSet(t, "--profile", "a.b")); err == nil {
		t.Error("Load accepted the profile name a.b")
	}
	var pe *ProfileError
	if err := load(t, env, "--profile", "nosuch").CheckProfile(); !errors.As(err, &pe) {
		t.Errorf("CheckProfile of a missing profile = %v", err)
	}
}

// A malformed file is an error that names it; nothing is written over it.
func TestMalformedFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte("workspace: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(envOf(map[string]string{"PCCTL_CONFIG": file}), nil); err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("Load = %v, want an error naming %s", err, file)
	}
}
