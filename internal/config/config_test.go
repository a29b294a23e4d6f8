package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
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

const testToken = "pcctl_abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst"

// writeConfig writes a config file with a mode (set after writing, whatever the umask).
func writeConfig(t *testing.T, file, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, mode); err != nil {
		t.Fatal(err)
	}
}

// A token in the config file is used only when the file is private to its owner: a file
// others may read or write is refused, naming the file, its mode and the fix.
func TestTokenNeedsAPrivateFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	env := map[string]string{"PCCTL_CONFIG": file}

	writeConfig(t, file, "token: "+testToken+"\n", 0o600)
	if tok, err := load(t, env).Token(); err != nil || tok != testToken {
		t.Fatalf("0600: Token() = %q, %v", tok, err)
	}
	writeConfig(t, file, "token: "+testToken+"\n", 0o400)
	if tok, err := load(t, env).Token(); err != nil || tok != testToken {
		t.Fatalf("0400: Token() = %q, %v", tok, err)
	}

	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o602, 0o610, 0o666, 0o777} {
		writeConfig(t, file, "token: "+testToken+"\n", mode)
		tok, err := load(t, env).Token()
		var ie *InsecureFileError
		if !errors.As(err, &ie) || ie.File != file || ie.Mode != mode || tok != "" {
			t.Errorf("mode %04o: Token() = %q, %v; want an InsecureFileError", mode, tok, err)
			continue
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("the error shows the token: %v", err)
		}
	}
	writeConfig(t, file, "token: "+testToken+"\n", 0o644)
	_, err := load(t, env).Token()
	want := "config file " + file + " holds an access token but has mode 0644 (-rw-r--r--): other users may read or change it. " +
		"Make it private with 'chmod 600 " + file + "'; if others could read it, revoke the token and use a new one"
	if err == nil || err.Error() != want {
		t.Errorf("Token() error = %v\nwant %s", err, want)
	}

	// In the selected profile: checked; in another profile: not used, so not checked.
	writeConfig(t, file, "profiles:\n  srv:\n    token: "+testToken+"\n", 0o644)
	var ie *InsecureFileError
	if _, err := load(t, env, "--profile", "srv").Token(); !errors.As(err, &ie) {
		t.Errorf("token in the selected profile of a 0644 file: %v", err)
	}
	if tok, err := load(t, env).Token(); err != nil || tok != "" {
		t.Errorf("no profile selected: Token() = %q, %v; want none", tok, err)
	}

	// A token from the environment wins and needs no check of the file, even one that
	// holds a token too; a file without a token may have any mode.
	writeConfig(t, file, "token: "+testToken+"\n", 0o666)
	e := map[string]string{"PCCTL_CONFIG": file, "PCCTL_TOKEN": " pcctl_fromenv "}
	if tok, err := load(t, e).Token(); err != nil || tok != "pcctl_fromenv" {
		t.Errorf("from the environment: Token() = %q, %v", tok, err)
	}
	writeConfig(t, file, "user: bob\n", 0o666)
	if tok, err := load(t, env).Token(); err != nil || tok != "" {
		t.Errorf("no token: Token() = %q, %v", tok, err)
	}
	e = map[string]string{"PCCTL_CONFIG": filepath.Join(dir, "none.yaml"), "PCCTL_TOKEN": testToken}
	if tok, err := load(t, e).Token(); err != nil || tok != testToken {
		t.Errorf("no config file: Token() = %q, %v", tok, err)
	}

	// config set token writes the file 0600, so a token set by pcctl is usable.
	writeConfig(t, file, "user: bob\n", 0o644)
	c := load(t, env)
	if err := c.Set("token", testToken); err != nil {
		t.Fatal(err)
	}
	if tok, err := c.Token(); err != nil || tok != testToken {
		t.Errorf("after config set token: Token() = %q, %v", tok, err)
	}
}

// config list masks the token; config get gives it.
func TestTokenMaskedInList(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yaml")
	writeConfig(t, file, "token: "+testToken+"\n", 0o600)
	c := load(t, map[string]string{"PCCTL_CONFIG": file})
	found := false
	for _, s := range c.List() {
		if s.Key == "token" {
			found = true
			if s.Value != MaskedValue || s.Source != SourceFile {
				t.Errorf("List() token = %+v, want masked, from the file", s)
			}
		} else if s.Value == MaskedValue {
			t.Errorf("List() masks %s", s.Key)
		}
	}
	if !found {
		t.Error("List() has no token")
	}
	if s, err := c.Get("token"); err != nil || s.Value != testToken {
		t.Errorf("Get(token) = %+v, %v", s, err)
	}
	c = load(t, map[string]string{"PCCTL_CONFIG": filepath.Join(t.TempDir(), "none.yaml")})
	for _, s := range c.List() {
		if s.Key == "token" && (s.Value != "" || s.Source != SourceDefault) {
			t.Errorf("List() token without one = %+v", s)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/home/alice/.config/pcctl/config.yaml": "/home/alice/.config/pcctl/config.yaml",
		"/home/al ice/config.yaml":              "'/home/al ice/config.yaml'",
		"/tmp/it's.yaml":                        `'/tmp/it'\''s.yaml'`,
		"":                                      "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// A file that names the endpoint a token is sent to decides where the token goes: it is
// checked as a file holding the token is (issue 14, item 10), even when the token comes
// from the environment; so are its owner and its folder.
func TestEndpointNeedsAPrivateFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	dir := filepath.Join(t.TempDir(), "cfg")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "config.yaml")
	env := map[string]string{"PCCTL_CONFIG": file, "PCCTL_TOKEN": testToken}
	const body = "endpoint: https://pcctl.example.com\n"

	writeConfig(t, file, body, 0o600)
	if tok, err := load(t, env).Token(); err != nil || tok != testToken {
		t.Fatalf("0600: Token() = %q, %v", tok, err)
	}
	var ie *InsecureFileError
	for _, mode := range []os.FileMode{0o644, 0o660, 0o666} {
		writeConfig(t, file, body, mode)
		tok, err := load(t, env).Token()
		if !errors.As(err, &ie) || ie.Mode != mode || tok != "" {
			t.Errorf("mode %04o: Token() = %q, %v; want an InsecureFileError", mode, tok, err)
		}
	}
	writeConfig(t, file, body, 0o664)
	_, err := load(t, env).Token()
	want := "config file " + file + " names the endpoint your access token is sent to but has mode 0664 (-rw-rw-r--): other users may read or change it. " +
		"Make it private with 'chmod 600 " + file + "'"
	if err == nil || err.Error() != want {
		t.Errorf("Token() error = %v\nwant %s", err, want)
	}
	// In the selected profile too.
	writeConfig(t, file, "profiles:\n  srv:\n    endpoint: https://pcctl.example.com\n", 0o644)
	if _, err := load(t, env, "--profile", "srv").Token(); !errors.As(err, &ie) {
		t.Errorf("endpoint in the selected profile of a 0644 file: %v", err)
	}
	// An endpoint from the environment: the file decides nothing, any mode does; no token:
	// nothing is sent, nothing checked.
	writeConfig(t, file, body, 0o666)
	e := map[string]string{"PCCTL_CONFIG": file, "PCCTL_TOKEN": testToken, "PCCTL_ENDPOINT": "https://other.example.com"}
	if tok, err := load(t, e).Token(); err != nil || tok != testToken {
		t.Errorf("endpoint from the environment: Token() = %q, %v", tok, err)
	}
	if tok, err := load(t, map[string]string{"PCCTL_CONFIG": file}).Token(); err != nil || tok != "" {
		t.Errorf("no token: Token() = %q, %v", tok, err)
	}

	// The folder: writable by others, refused; sticky (as /tmp), accepted.
	writeConfig(t, file, body, 0o600)
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	_, err = load(t, env).Token()
	want = "config file " + file + " names the endpoint your access token is sent to but its folder " + dir +
		" has mode 0777 (-rwxrwxrwx): other users may replace the file. Make the folder private with 'chmod go-w " + dir + "', or move the file to a folder of your own"
	if err == nil || err.Error() != want {
		t.Errorf("Token() error = %v\nwant %s", err, want)
	}
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if tok, err := load(t, env).Token(); err != nil || tok != testToken {
		t.Errorf("sticky folder: Token() = %q, %v", tok, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}

	// The owner: only root can give a file away, so only root tests it.
	if os.Getuid() != 0 {
		return
	}
	if err := os.Chown(file, 4242, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, env).Token(); !errors.As(err, &ie) || !strings.Contains(err.Error(), "is owned by another user (uid 4242)") {
		t.Errorf("file of another user: %v", err)
	}
	if err := os.Chown(file, 0, -1); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 4242, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, env).Token(); !errors.As(err, &ie) || !strings.Contains(err.Error(), "its folder "+dir+" is owned by another user (uid 4242)") {
		t.Errorf("folder of another user: %v", err)
	}
}

// The addresses the Partner Center sign-in is sent to decide where it goes: named by the
// config file, the file is checked as one holding a token (issue 14, item 10).
func TestPartnerCenterEndpointsNeedAPrivateFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	file := filepath.Join(t.TempDir(), "config.yaml")
	env := map[string]string{"PCCTL_CONFIG": file}
	for _, k := range PartnerCenterKeys {
		writeConfig(t, file, k+": https://evil.example\n", 0o644)
		err := load(t, env).CheckPartnerCenterFile()
		var ie *InsecureFileError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "names "+k+", where your Partner Center sign-in is sent, but has mode 0644") {
			t.Errorf("%s in a 0644 file: %v", k, err)
		}
		writeConfig(t, file, k+": https://evil.example\n", 0o600)
		if err := load(t, env).CheckPartnerCenterFile(); err != nil {
			t.Errorf("%s in a 0600 file: %v", k, err)
		}
	}
	// From the environment, or not set (the defaults): the file decides nothing.
	writeConfig(t, file, "authority: https://evil.example\n", 0o644)
	if err := load(t, map[string]string{"PCCTL_CONFIG": file, "PCCTL_AUTHORITY": "https://login.microsoftonline.com"}).CheckPartnerCenterFile(); err != nil {
		t.Errorf("authority from the environment: %v", err)
	}
	writeConfig(t, file, "user: bob\n", 0o666)
	if err := load(t, env).CheckPartnerCenterFile(); err != nil {
		t.Errorf("no Partner Center setting: %v", err)
	}
}
