// Package archtest checks the import rules of docs/architecture.md.
package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const mod = "github.com/pcctl/pcctl/"

type pkg struct {
	ImportPath string
	Imports    []string
}

func packages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "github.com/pcctl/pcctl/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var ps []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

func isStd(path string) bool { return !strings.Contains(strings.Split(path, "/")[0], ".") }

// rules maps a package (relative to the module) to the imports it may have besides the
// standard library: module-relative paths for pcctl packages, full paths (prefixes) for
// third-party ones.
var rules = map[string][]string{
	"internal/domain":           {"golang.org/x/text/"},
	"internal/workspace":        {"internal/domain"},
	"internal/workspace/sqlite": {"internal/workspace", "internal/domain", "internal/workspace/sqlstore", "modernc.org/sqlite", "github.com/google/uuid"},
	"internal/jsonstr":          {},
	"internal/output":           {"internal/iostreams", "internal/jsonstr", "github.com/itchyny/gojq", "github.com/olekukonko/tablewriter", "github.com/mattn/go-runewidth", "github.com/spf13/cobra"},
	"internal/iostreams":        {"golang.org/x/term"},
	"internal/csvread":          {},
	"internal/customercsv":      {"internal/csvread"},
	"internal/psc":              {"internal/csvread", "golang.org/x/text/", "go.yaml.in/yaml/", "gopkg.in/yaml.v3"},
	"internal/migrate":          {"internal/psc", "internal/domain", "internal/workspace", "internal/csvread"},
	"internal/fileutil":         {"golang.org/x/sys/"},
	"internal/config":           {"github.com/spf13/viper", "github.com/spf13/pflag"},
	"internal/prompter":         {"internal/iostreams", "github.com/AlecAivazis/survey/v2"},
	"internal/progress":         {"internal/iostreams", "github.com/schollz/progressbar/v3"},
	"internal/api":              {"internal/domain", "internal/workspace", "internal/jsonstr"},
	"internal/workspace/remote": {"internal/api", "internal/domain", "internal/workspace", "internal/buildinfo"},
	// Partner Center (issue 17): the client knows nothing of workspaces; the stand-in
	// serves the same shapes.
	"internal/partnercenter":             {"internal/api", "internal/domain", "github.com/goccy/go-json"},
	"internal/partnercenter/pctest":      {"internal/api"},
	"internal/pcsync":                    {"internal/partnercenter", "internal/api", "internal/domain", "internal/workspace"},
	"internal/partnercenter/auth":        {"internal/partnercenter", "internal/domain", "github.com/AzureAD/microsoft-authentication-library-for-go/"},
	"internal/server":                    {"internal/api", "internal/domain", "internal/workspace", "internal/output", "internal/customercsv"},
	"internal/workspace/postgres":        {"internal/workspace", "internal/domain", "internal/workspace/sqlstore", "github.com/jackc/pgx/v5", "github.com/google/uuid"},
	"internal/workspace/postgres/pgtest": {"github.com/jackc/pgx/v5"},
	"internal/workspace/storetest":       {"internal/workspace", "internal/domain", "internal/workspace/sqlite", "internal/workspace/postgres", "internal/workspace/postgres/pgtest"},
	"internal/workspace/conformance":     {"internal/workspace", "internal/domain", "internal/synth", "github.com/google/uuid"},
	// The SQL the two stores share (issue 20's clean-up): no driver of its own.
	"internal/workspace/sqlstore": {"internal/workspace", "internal/domain", "github.com/google/uuid"},
	// Publishing deals (issue 18): as the sync, through partnercenter and the workspace.
	"internal/pcpublish": {"internal/partnercenter", "internal/api", "internal/domain", "internal/workspace"},
	// Write-through (issue 18): a workspace.Workspace around the local one, sending the
	// changes to Partner Center first; a deal is sent as pcpublish sends it.
	"internal/workspace/linked": {"internal/workspace", "internal/domain", "internal/partnercenter", "internal/pcpublish", "internal/api"},
}

func allowed(imp string, allow []string) bool {
	for _, a := range allow {
		if strings.HasPrefix(a, "internal/") {
			if imp == mod+a {
				return true
			}
		} else if imp == strings.TrimSuffix(a, "/") || strings.HasPrefix(imp, strings.TrimSuffix(a, "/")+"/") {
			return true
		}
	}
	return false
}

func TestImportRules(t *testing.T) {
	ps := packages(t)
	if len(ps) < 10 {
		t.Fatalf("go list found only %d packages", len(ps))
	}
	for _, p := range ps {
		rel := strings.TrimPrefix(p.ImportPath, mod)
		allow, ok := rules[rel]
		for _, imp := range p.Imports {
			if isStd(imp) {
				continue
			}
			switch {
			case ok && !allowed(imp, allow):
				t.Errorf("%s imports %s, which docs/architecture.md does not allow", rel, imp)
			case strings.HasPrefix(rel, "internal/cmd/") && imp == mod+"internal/workspace/sqlite" && rel != "internal/cmd/workspacecmd":
				t.Errorf("%s imports the SQLite workspace: commands go through workspace.Workspace", rel)
			case strings.HasPrefix(rel, "internal/cmd/") && imp == mod+"internal/workspace/postgres" && rel != "internal/cmd/workspacecmd" && rel != "internal/cmd/serve":
				t.Errorf("%s imports the PostgreSQL workspace: commands go through workspace.Workspace", rel)
			case imp == mod+"internal/pcpublish" && rel != "internal/cmd/deal" && rel != "internal/workspace/linked":
				t.Errorf("%s imports %s: only pcctl deal publish (and write-through, for the referral's payload) publishes deals", rel, imp)
			case imp == mod+"internal/workspace/linked" && rel != "internal/cmdutil":
				t.Errorf("%s imports %s: only the Factory chooses write-through; commands go through workspace.Workspace", rel, imp)
			case imp == mod+"internal/workspace/storetest":
				t.Errorf("%s imports %s: only tests open stores that way", rel, imp)
			case imp == mod+"internal/workspace/sqlstore" && rel != "internal/workspace/sqlite" && rel != "internal/workspace/postgres":
				t.Errorf("%s imports %s: only the two SQL stores share it", rel, imp)
			case (imp == mod+"internal/partnercenter/auth" || imp == mod+"internal/pcsync") &&
				!slices.Contains([]string{"internal/cmdutil", "internal/cmd/authcmd", "internal/cmd/synccmd", "internal/cmd/serve"}, rel):
				t.Errorf("%s imports %s: only cmdutil, the auth, sync and serve commands sign in to or sync from Partner Center", rel, imp)
			case imp == mod+"internal/app" || imp == mod+"internal/cmd/root":
				if rel != "cmd/pcctl" && rel != "internal/app" && rel != "cmd/pcctl-docs" {
					t.Errorf("%s imports %s: only main (and the man page generator) builds the command tree", rel, imp)
				}
			}
		}
	}
}
