//go:build !windows

package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmd/root"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/iostreams"
)

// completionScripts are the files of completions/ and how `pcctl completion SHELL` (what
// `make completions` runs) generates each from the command tree.
var completionScripts = []struct {
	file string
	gen  func(*cobra.Command, io.Writer) error
}{
	{"pcctl.bash", func(c *cobra.Command, w io.Writer) error { return c.GenBashCompletionV2(w, true) }},
	{"_pcctl", func(c *cobra.Command, w io.Writer) error { return c.GenZshCompletion(w) }},
	{"pcctl.fish", func(c *cobra.Command, w io.Writer) error { return c.GenFishCompletion(w, true) }},
	{"pcctl.ps1", func(c *cobra.Command, w io.Writer) error { return c.GenPowerShellCompletionWithDesc(w) }},
}

// TestCompletionScriptsUpToDate fails when a script in completions/ is not what the
// command tree generates today.
func TestCompletionScriptsUpToDate(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := root.NewCmdRoot(cmdutil.New(ios))
	for _, s := range completionScripts {
		var want bytes.Buffer
		if err := s.gen(cmd, &want); err != nil {
			t.Fatalf("generating %s: %v", s.file, err)
		}
		path := filepath.Join("..", "..", "completions", s.file)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v; run `make completions`", path, err)
			continue
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("completions/%s is stale (it differs from what `pcctl completion` generates, from line %d): run `make completions`",
				s.file, firstDifferentLine(got, want.Bytes()))
		}
	}
}

func firstDifferentLine(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// completionTimeout bounds every process of the shell completion tests.
const completionTimeout = 30 * time.Second

// completionCase is a command line typed up to the cursor, and the candidates the shell
// must offer: "value\tdescription", in order.
type completionCase struct {
	line string
	want []string
}

var completionCases = []completionCase{
	{"pcctl customers show con", []string{
		"conte-e-figli.it\tConte e Figli",
		"contoso.onmicrosoft.com\tContoso Ltd",
		"contosopharma.com\tContoso Pharma",
	}},
	{"pcctl customers show 3f25", []string{
		"3f2504e0-4f89-41d3-9a0c-0305e82c3301\tContoso Ltd (contoso.onmicrosoft.com)",
	}},
	{"pcctl customers flag contoso.onmicrosoft.com contoso", []string{ // named already: not offered again
		"contosopharma.com\tContoso Pharma",
	}},
	{"pcctl customers list --reseller 48", []string{"4847383\tFabrikam Resale"}},
	{"pcctl cust", []string{"customers\tList, search, flag, import and export customers"}},
	{"pcctl customers show contoso.onmicrosoft.com ", nil}, // show takes one customer
	{"pcctl customers show zzz", nil},
}

// TestCompletionInShells runs the scripts of completions/ in real shells (bash always; zsh
// and fish when installed) against a real pcctl and workspace, and checks the candidates
// each offers for the command lines of completionCases.
func TestCompletionInShells(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build pcctl with")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	binDir := filepath.Join(dir, "bin")
	build := exec.Command(goTool, "build", "-o", filepath.Join(binDir, "pcctl"), "./cmd/pcctl")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/pcctl: %v\n%s", err, out)
	}
	scripts, err := filepath.Abs(filepath.Join("..", "..", "completions"))
	if err != nil {
		t.Fatal(err)
	}
	env := completionEnv(dir, binDir)
	run := func(t *testing.T, env []string, stdin string, name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env, cmd.Dir, cmd.Stdin = env, dir, strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %s: %v\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), err, out.String(), errOut.String())
		}
		return out.String()
	}

	// A workspace with four customers and an active reseller.
	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte(`id,companyName,domain,country
3f2504e0-4f89-41d3-9a0c-0305e82c3301,Contoso Ltd,contoso.onmicrosoft.com,GB
5a1b0c2d-0000-4000-8000-000000000002,Contoso Pharma,contosopharma.com,FR
7c3e9f10-0000-4000-8000-000000000003,Fabrikam Inc,fabrikam.com,US
9d4f0a21-0000-4000-8000-000000000004,Conte e Figli,conte-e-figli.it,IT
`), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, env, "", "pcctl", "customers", "import", csv)
	token := strings.TrimSpace(run(t, env, "", "pcctl", "reseller", "invite", "--email", "r@fabrikam.com", "--format", "json", "--fields", "token"))
	m := regexp.MustCompile(`^\{"token":"([A-Za-z0-9_-]+)"\}$`).FindStringSubmatch(token)
	if m == nil {
		t.Fatalf("reseller invite printed %q, not a token object", token)
	}
	run(t, env, "", "pcctl", "reseller", "accept", m[1], "--mpn-id", "4847383", "--name", "Fabrikam Resale")

	t.Run("bash", func(t *testing.T) {
		// bash calls a completion function with COMP_WORDS, COMP_CWORD, COMP_LINE and
		// COMP_POINT set; so does this script, then prints COMPREPLY. The script of
		// completions/ needs _get_comp_words_by_ref from the bash-completion package:
		// sourced when installed, else replaced by a minimal one (no COMP_WORDBREAKS
		// handling, which these command lines do not need).
		const driver = `
for f in /usr/share/bash-completion/bash_completion /etc/bash_completion; do
	if [[ -r $f ]]; then source "$f"; echo "using $f" >&2; break; fi
done
if ! declare -F _get_comp_words_by_ref >/dev/null; then
	_get_comp_words_by_ref() {
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	}
fi
compopt() { :; } # the builtin works only while bash itself is completing
source "$SCRIPTS/pcctl.bash"
COLUMNS=200
COMP_LINE=$LINE COMP_POINT=${#LINE} COMP_TYPE=9
read -ra COMP_WORDS <<<"$LINE"
[[ $LINE == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
__start_pcctl pcctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
`
		for _, c := range completionCases {
			out := run(t, append(env, "SCRIPTS="+scripts, "LINE="+c.line), driver, "bash", "--norc", "--noprofile", "-s")
			// Several candidates come as "value   (description)", padded; a single one
			// as the value alone, which bash then inserts.
			var got []string
			for l := range strings.Lines(out) {
				l = strings.TrimRight(l, "\n")
				if l == "" {
					continue
				}
				if v, d, ok := strings.Cut(l, " "); ok {
					d = strings.TrimSpace(d)
					l = v + "\t" + strings.TrimSuffix(strings.TrimPrefix(d, "("), ")")
				}
				got = append(got, l)
			}
			want := c.want
			if len(want) == 1 {
				want = []string{strings.Split(want[0], "\t")[0]}
			}
			if !slices.Equal(got, want) {
				t.Errorf("bash: %q offers %q, want %q", c.line, got, want)
			}
		}
	})

	t.Run("fish", func(t *testing.T) {
		fish, err := exec.LookPath("fish")
		if err != nil {
			t.Skip("fish is not installed")
		}
		// complete -C prints the candidates fish would offer, "value\tdescription".
		for _, c := range completionCases {
			out := run(t, append(env, "SCRIPTS="+scripts, "LINE="+c.line), "", fish, "--no-config", "-c",
				`source $SCRIPTS/pcctl.fish; complete -C $LINE`)
			var got []string
			for l := range strings.Lines(out) {
				got = append(got, strings.TrimRight(l, "\n"))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("fish: %q offers %q, want %q", c.line, got, c.want)
			}
		}
	})

	t.Run("zsh", func(t *testing.T) {
		zsh, err := exec.LookPath("zsh")
		if err != nil {
			t.Skip("zsh is not installed")
		}
		// An interactive zsh on a pseudo-terminal, with the completion system (compinit)
		// and completions/_pcctl, "types" the line and a TAB (pushed onto the line editor's
		// input when the first prompt shows), then kills the line and exits. compadd is
		// wrapped to record the candidates the completion system accepts (compadd -O: the
		// matches of the word typed) and the lines it would display (-d), descriptions
		// included.
		zdot := filepath.Join(dir, "zdot")
		if err := os.MkdirAll(zdot, 0o700); err != nil {
			t.Fatal(err)
		}
		const zshrc = `autoload -U compinit && compinit -u -D
source "$SCRIPTS/_pcctl"
compadd() {
	if (( ${@[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi
	local -a __matches
	builtin compadd -O __matches "$@"
	(( ${#__matches} )) && print -rl -- $__matches >>$CAPTURE
	local i=${@[(i)-d]}
	(( i < $# )) && print -rl -- "${(@P)${@[i+1]}}" >>$CAPTURE.display
	builtin compadd "$@"
}
__test_line() {
	[[ -n $__test_started ]] && return
	__test_started=1
	zle -U "$LINE"$'\t\x15exit\n'
}
zle -N zle-line-init __test_line
`
		if err := os.WriteFile(filepath.Join(zdot, ".zshrc"), []byte(zshrc), 0o600); err != nil {
			t.Fatal(err)
		}
		for i, c := range completionCases {
			capture := filepath.Join(dir, "zsh-capture-"+string(rune('a'+i)))
			screen := runOnPty(t, append(env, "SCRIPTS="+scripts, "LINE="+c.line, "ZDOTDIR="+zdot, "CAPTURE="+capture, "TERM=xterm"),
				zsh, "-i")
			matches, _ := os.ReadFile(capture)
			display, _ := os.ReadFile(capture + ".display")
			var got, want []string
			for l := range strings.Lines(string(matches)) {
				got = append(got, strings.TrimRight(l, "\n"))
			}
			for _, w := range c.want {
				value, desc, _ := strings.Cut(w, "\t")
				want = append(want, value)
				if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(value) + ` +-- ` + regexp.QuoteMeta(desc) + `$`).Match(display) {
					t.Errorf("zsh: %q does not display %q with its description %q; display lines:\n%s", c.line, value, desc, display)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("zsh: %q offers %q, want %q\nthe terminal showed: %q", c.line, got, want, screen)
			}
		}
	})
}

// runOnPty runs a program on a pseudo-terminal until it exits, and returns what it wrote.
func runOnPty(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...) // killed when ctx ends: the test cannot hang
	cmd.Env = env
	cmd.Dir = t.TempDir()
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatalf("starting %s on a pseudo-terminal: %v", name, err)
	}
	defer term.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() { _, _ = io.Copy(&out, term); close(done) }() // ends with EIO once the program is gone
	err = cmd.Wait()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	var exit *exec.ExitError
	if ctx.Err() != nil || (err != nil && !errors.As(err, &exit)) {
		t.Fatalf("%s %s: %v (timeout %v)\nthe terminal showed: %q", name, strings.Join(args, " "), err, completionTimeout, out.String())
	}
	return out.String()
}

// completionEnv is the environment of the shells: pcctl first on PATH, a fresh home,
// config and workspace.
func completionEnv(dir, binDir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PCCTL_") || strings.HasPrefix(kv, "COLUMNS=") || strings.HasPrefix(kv, "TERM=") ||
			strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_") || strings.HasPrefix(kv, "PATH=") ||
			strings.HasPrefix(kv, "BASH_COMP_DEBUG_FILE=") || strings.HasPrefix(kv, "ZDOTDIR=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+filepath.Join(dir, "home"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"PCCTL_WORKSPACE="+filepath.Join(dir, "ws.db"),
		"PCCTL_USER=alice@contoso.com",
		"PCCTL_CONFIG="+filepath.Join(dir, "no-such-config.yaml"),
	)
}
