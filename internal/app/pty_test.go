//go:build !windows

package app_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/pcctl/pcctl/internal/domain"
)

// stepTimeout bounds every wait of the pseudo-terminal test: the machine running it may be
// slow and busy, so it is generous; it only matters when something is broken.
const stepTimeout = 20 * time.Second

// TestPtyResellerRemove drives the real confirmation prompt of `pcctl reseller remove` (the
// survey prompter, on a pseudo-terminal): answering no changes nothing, answering yes
// removes the partnership and leaves the reseller's customers alone. Without a terminal and
// without --yes, the command refuses with exit code 2.
//
// pcctl runs as a real binary, built once here: the prompt decides from the process's own
// file descriptors whether it may ask (stdin and stdout are terminals).
func TestPtyResellerRemove(t *testing.T) {
	p := buildPcctl(t)
	bin, env, run, mustRun := p.bin, p.env, p.run, p.mustRun
	resellers := func(t *testing.T, status string) string {
		t.Helper()
		return mustRun(t, "reseller", "list", "--status", status, "--format", "ndjson", "--fields", "mpnId,name,status")
	}
	const active = `{"mpnId":"4847383","name":"Fabrikam","status":"active"}` + "\n"
	const removed = `{"mpnId":"4847383","name":"Fabrikam","status":"removed"}` + "\n"
	const customer = `{"domain":"contoso.onmicrosoft.com","resellerMpnId":"4847383"}` + "\n"

	// Reseller 4847383 becomes a partner, with a customer on its behalf.
	token := strings.TrimSpace(mustRun(t, "reseller", "invite", "--email", "r@fabrikam.com", "--format", "json", "--fields", "token"))
	m := regexp.MustCompile(`^\{"token":"([A-Za-z0-9_-]+)"\}$`).FindStringSubmatch(token)
	if m == nil {
		t.Fatalf("reseller invite --format json --fields token printed %q, not a token object", token)
	}
	mustRun(t, "reseller", "accept", m[1], "--mpn-id", "4847383", "--name", "Fabrikam")
	mustRun(t, "customers", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com", "--country", "GB", "--reseller", "4847383")
	if got := resellers(t, "active"); got != active {
		t.Fatalf("after accept, reseller list printed %q, want %q", got, active)
	}

	t.Run("answer no", func(t *testing.T) {
		term := startOnPty(t, bin, env, "reseller", "remove", "4847383")
		term.waitFor(t, "? Remove the partnership with Fabrikam? (y/N)")
		term.typeLine(t, "n")
		term.waitFor(t, "Nothing was removed.")
		if code := term.wait(t); code != 0 {
			t.Fatalf("exit code %d, want 0\n%s", code, term.text())
		}
		t.Logf("the terminal showed:\n%s", term.text())
		checkNotice(t, term.text())
		if strings.Contains(term.text(), "Removed the partnership") {
			t.Errorf("answering no still says the partnership was removed:\n%s", term.text())
		}
		if got := resellers(t, "active"); got != active {
			t.Errorf("after answering no, reseller list printed %q, want %q", got, active)
		}
	})
	if t.Failed() {
		return
	}

	t.Run("no terminal", func(t *testing.T) {
		out, errOut, code := run(t, "reseller", "remove", "4847383")
		if code != 2 {
			t.Errorf("exit code %d, want 2 (usage)\nstderr: %s", code, errOut)
		}
		if !strings.Contains(errOut, "--yes") {
			t.Errorf("stderr does not mention --yes: %q", errOut)
		}
		if out != "" {
			t.Errorf("stdout: %q, want nothing", out)
		}
		if got := resellers(t, "active"); got != active {
			t.Errorf("after the refusal, reseller list printed %q, want %q", got, active)
		}
	})

	t.Run("answer yes", func(t *testing.T) {
		term := startOnPty(t, bin, env, "reseller", "remove", "4847383")
		term.waitFor(t, "? Remove the partnership with Fabrikam? (y/N)")
		term.typeLine(t, "y")
		term.waitFor(t, "Removed the partnership with Fabrikam (MPN ID 4847383).")
		if code := term.wait(t); code != 0 {
			t.Fatalf("exit code %d, want 0\n%s", code, term.text())
		}
		t.Logf("the terminal showed:\n%s", term.text())
		checkNotice(t, term.text())
		if got := resellers(t, "active"); got != "" {
			t.Errorf("after answering yes, the active resellers are %q, want none", got)
		}
		if got := resellers(t, "removed"); got != removed {
			t.Errorf("after answering yes, reseller list --status removed printed %q, want %q", got, removed)
		}
		if got := mustRun(t, "customers", "list", "--reseller", "4847383", "--format", "ndjson", "--fields", "domain,resellerMpnId"); got != customer {
			t.Errorf("after the removal, customers list --reseller 4847383 printed %q, want %q", got, customer)
		}
	})
}

// ptyTestEnv is the environment of every pcctl run: the process's, without any PCCTL_
// variable or COLUMNS, with a workspace, config and home of the test's own.
func ptyTestEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PCCTL_") || strings.HasPrefix(kv, "COLUMNS=") || strings.HasPrefix(kv, "TERM=") ||
			strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+filepath.Join(dir, "home"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"PCCTL_WORKSPACE="+filepath.Join(dir, "ws.db"),
		"PCCTL_USER=alice@contoso.com",
		"PCCTL_CONFIG="+filepath.Join(dir, "no-such-config.yaml"),
		"TERM=xterm",
	)
}

// checkNotice fails unless the removal notice (good faith; pcctl sends no notice) was shown
// before the question.
func checkNotice(t *testing.T, text string) {
	t.Helper()
	checkFits(t, text)
	text = strings.Join(strings.Fields(text), " ")
	notice := strings.Index(text, strings.Join(strings.Fields(domain.RemovalNotice), " "))
	question := strings.Index(text, "? Remove the partnership with Fabrikam?")
	if notice < 0 || question < notice {
		t.Errorf("the removal notice was not shown before the question:\n%s", text)
	}
	if !strings.Contains(domain.RemovalNotice, "good faith") || !strings.Contains(domain.RemovalNotice, "does not send any notice") {
		t.Errorf("domain.RemovalNotice lost its good-faith clause or its no-notice sentence:\n%s", domain.RemovalNotice)
	}
}

// checkFits fails when a line the 80-column terminal showed is wider than it: a notice
// wrapped by the terminal breaks words ("relatio" / "nship").
func checkFits(t *testing.T, text string) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("a line of %d characters on an 80-column terminal: %q", n, line)
		}
	}
}

// ptyTerm is pcctl running on a pseudo-terminal, with a little of a terminal emulator: it
// records everything pcctl writes (stdout and stderr both go to the terminal) and answers
// the cursor position requests (DSR, ESC [6n) that survey sends before it reads an answer.
//
// Until the test has typed its answer, those requests wait: the keys then go before the
// position report, as when someone types while the terminal is slow to reply, which survey
// handles (it keeps what precedes the report). Keys written just after a report could be
// read together with it and dropped, and the test would hang on a timing accident.
type ptyTerm struct {
	master *os.File
	done   chan struct{} // closed when the output is read to its end
	exited chan error    // the result of cmd.Wait

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever out changes
	out     []byte
	typed   bool     // the answer was typed: requests are answered at once
	held    [][]byte // position reports not yet sent

	// Several prompts (answer): script lists their texts in order. A position request is
	// held while the next prompt of the script shows, since mark, unanswered.
	script []string
	next   int
	mark   int
}

var (
	dsrQuery   = []byte("\x1b[6n")
	sizeProbe  = []byte("\x1b[999;999f") // survey moves there, then asks: the terminal's size
	ansiEscape = regexp.MustCompile(`\x1b(\[[0-9;?]*[A-Za-z]|[78])`)
)

func startOnPty(t *testing.T, bin string, env []string, args ...string) *ptyTerm {
	t.Helper()
	return startOnPtyScript(t, bin, env, nil, args...)
}

// startOnPtyScript starts pcctl on a pseudo-terminal, to be answered with answer: script
// lists the texts of the prompts expected, in order.
func startOnPtyScript(t *testing.T, bin string, env []string, script []string, args ...string) *ptyTerm {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*stepTimeout)
	cmd := exec.CommandContext(ctx, bin, args...) // killed when ctx ends: the test cannot hang
	cmd.Env = env
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		cancel()
		t.Fatalf("starting pcctl on a pseudo-terminal: %v", err)
	}
	p := &ptyTerm{master: master, done: make(chan struct{}), exited: make(chan error, 1), changed: make(chan struct{}), script: script}
	go func() { p.exited <- cmd.Wait() }()
	go p.read()
	t.Cleanup(func() {
		cancel() // kills pcctl if still running
		select {
		case <-p.done:
		case <-time.After(stepTimeout):
			t.Errorf("the pseudo-terminal's output never ended")
		}
		master.Close()
	})
	return p
}

// read copies the terminal's output until the process and its terminal are gone (EIO),
// answering cursor position requests.
func (p *ptyTerm) read() {
	defer close(p.done)
	buf := make([]byte, 4096)
	scanned := 0
	for {
		n, err := p.master.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.out = append(p.out, buf[:n]...)
			var reply []byte
			for {
				i := bytes.Index(p.out[scanned:], dsrQuery)
				if i < 0 {
					break
				}
				report := []byte("\x1b[24;1R")
				if bytes.Contains(p.out[scanned:scanned+i], sizeProbe) {
					report = []byte("\x1b[24;80R")
				}
				scanned += i + len(dsrQuery)
				hold := !p.typed
				if p.script != nil {
					hold = p.next < len(p.script) && strings.Contains(
						ansiEscape.ReplaceAllString(string(p.out[p.mark:scanned-len(dsrQuery)]), ""), p.script[p.next])
				}
				if hold {
					p.held = append(p.held, report)
				} else {
					reply = append(reply, report...)
				}
			}
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
			if len(reply) > 0 {
				_, _ = p.master.Write(reply) // the program may be gone; its exit is checked
			}
		}
		if err != nil {
			return
		}
	}
}

// text is what the terminal showed so far, without escape sequences and carriage returns.
func (p *ptyTerm) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.textLocked()
}

func (p *ptyTerm) textLocked() string {
	return strings.ReplaceAll(ansiEscape.ReplaceAllString(string(p.out), ""), "\r", "")
}

// waitFor waits until the terminal shows s.
func (p *ptyTerm) waitFor(t *testing.T, s string) {
	t.Helper()
	// Whatever the line breaks: on the terminal, long messages break between words.
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	p.await(t, "the terminal to show "+strconv.Quote(s), func() bool { return strings.Contains(flat(p.textLocked()), flat(s)) })
}

// typeLine types line and Enter, then the position reports held back (see ptyTerm).
func (p *ptyTerm) typeLine(t *testing.T, line string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.typed {
		t.Fatalf("typeLine %q: an answer was already typed", line)
	}
	keys := []byte(line + "\r")
	for _, r := range p.held {
		keys = append(keys, r...)
	}
	p.held, p.typed = nil, true
	if _, err := p.master.Write(keys); err != nil {
		t.Fatalf("typing %q: %v", line, err)
	}
}

// answer waits for the next prompt of the script, then types line and Enter, then the
// position reports held back (see ptyTerm).
func (p *ptyTerm) answer(t *testing.T, line string) {
	t.Helper()
	p.mu.Lock()
	if p.next >= len(p.script) {
		p.mu.Unlock()
		t.Fatalf("answer %q: no prompt left in the script", line)
	}
	prompt := p.script[p.next]
	p.mu.Unlock()
	p.await(t, "the prompt "+strconv.Quote(prompt), func() bool {
		return strings.Contains(ansiEscape.ReplaceAllString(string(p.out[p.mark:]), ""), prompt)
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := []byte(line + "\r")
	for _, r := range p.held {
		keys = append(keys, r...)
	}
	p.held = nil
	p.next++
	p.mark = len(p.out)
	if _, err := p.master.Write(keys); err != nil {
		t.Fatalf("typing %q: %v", line, err)
	}
}

// await waits until cond, called with p.mu held, holds.
func (p *ptyTerm) await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	timeout := time.After(stepTimeout)
	for {
		p.mu.Lock()
		ok, changed := cond(), p.changed
		p.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-p.done:
			p.mu.Lock()
			ok := cond()
			p.mu.Unlock()
			if !ok {
				t.Fatalf("pcctl ended without %s; it showed:\n%s", what, p.text())
			}
			return
		case <-timeout:
			t.Fatalf("waited %v for %s; it showed:\n%s", stepTimeout, what, p.text())
		}
	}
}

// wait waits for pcctl to exit and for its output to end, and returns its exit code.
func (p *ptyTerm) wait(t *testing.T) int {
	t.Helper()
	var err error
	select {
	case err = <-p.exited:
	case <-time.After(stepTimeout):
		t.Fatalf("pcctl did not exit within %v; it showed:\n%s", stepTimeout, p.text())
	}
	select {
	case <-p.done:
	case <-time.After(stepTimeout):
		t.Fatalf("the terminal's output did not end within %v after pcctl exited", stepTimeout)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.Exited():
		return exit.ExitCode()
	}
	t.Fatalf("pcctl: %v; it showed:\n%s", err, p.text())
	return -1
}

// TestPtyDealCreate drives the prompts of `pcctl deal create` for the values missing: the
// deal's name, the customer chosen by the first letters of its name (or a prospect
// organisation instead), the value, the currency and a solution. Without a terminal, the
// command lists every missing flag and exits with code 2.
func TestPtyDealCreate(t *testing.T) {
	p := buildPcctl(t)
	bin, env, run, mustRun := p.bin, p.env, p.run, p.mustRun
	mustRun(t, "customers", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com", "--country", "GB")
	mustRun(t, "customers", "add", "--name", "Adatum", "--domain", "adatum.example", "--country", "FR")
	deals := func(t *testing.T) string {
		t.Helper()
		return mustRun(t, "deal", "list", "--format", "ndjson", "--fields", "name,customerName,customerCountry,dealValue,currency,type")
	}

	t.Run("no terminal", func(t *testing.T) {
		out, errOut, code := run(t, "deal", "create", "--value", "10")
		if code != 2 {
			t.Errorf("exit code %d, want 2 (usage)\nstderr: %s", code, errOut)
		}
		const want = "Error: pcctl deal create needs --name, --customer (or --org-name and --org-country), --currency and --solution; see 'pcctl deal create --help'\n"
		if errOut != want {
			t.Errorf("stderr: %q, want %q", errOut, want)
		}
		if out != "" {
			t.Errorf("stdout: %q, want nothing", out)
		}
	})

	t.Run("customer", func(t *testing.T) {
		term := startOnPtyScript(t, bin, env, []string{"Deal name:", "Customer (the first letters of its name or domain):",
			"Customer organisation:", "Estimated value", "Estimated value", "Currency", "Solution"}, "deal", "create")
		// No capital R in an answer: survey reads the keys typed before a position report up
		// to the first 'R', and loses the report when that 'R' is not one.
		term.answer(t, "Contoso migration")
		term.answer(t, "cont")
		term.answer(t, "") // the first choice: the customer found
		term.answer(t, "12.345")
		term.waitFor(t, `"12.345" is not an amount`) // asked again
		term.answer(t, "50000")
		term.answer(t, "usd")
		term.answer(t, "microsoft:CFQ7TTC0LF8Q:25:12.50")
		term.waitFor(t, `Created private pipeline deal "Contoso migration" for Contoso Ltd.`)
		if code := term.wait(t); code != 0 {
			t.Fatalf("exit code %d, want 0\n%s", code, term.text())
		}
		t.Logf("the terminal showed:\n%s", term.text())
		if !strings.Contains(term.text(), "Contoso Ltd (contoso.onmicrosoft.com)") {
			t.Errorf("the customer found was not offered:\n%s", term.text())
		}
		const want = `{"name":"Contoso migration","customerName":"Contoso Ltd","customerCountry":"","dealValue":50000,"currency":"USD","type":"private"}` + "\n"
		if got := deals(t); got != want {
			t.Errorf("deal list printed %q, want %q", got, want)
		}
	})
	if t.Failed() {
		return
	}

	t.Run("prospect", func(t *testing.T) {
		term := startOnPtyScript(t, bin, env, []string{"Customer (the first letters of its name or domain):",
			"Customer organisation:", "Organisation name:", "Country of Wingtip Toys"},
			"deal", "create", "--name", "Wingtip fleet", "--value", "900", "--currency", "EUR", "--solution", "own:fleet")
		term.answer(t, "wingtip")
		term.answer(t, "") // no customer found: the only choice is a prospect organisation
		term.answer(t, "Wingtip Toys")
		term.answer(t, "us")
		term.waitFor(t, `Created private pipeline deal "Wingtip fleet" for Wingtip Toys.`)
		if code := term.wait(t); code != 0 {
			t.Fatalf("exit code %d, want 0\n%s", code, term.text())
		}
		t.Logf("the terminal showed:\n%s", term.text())
		const want = `{"name":"Wingtip fleet","customerName":"Wingtip Toys","customerCountry":"US","dealValue":900,"currency":"EUR","type":"private"}` + "\n"
		if got := deals(t); !strings.HasPrefix(got, want) {
			t.Errorf("deal list printed %q, want it to begin with %q", got, want)
		}
	})
}

// TestPtyRequestNew drives the prompts of `pcctl request new` for the values missing: the
// customer chosen by the first letters of its name, the title, the severity from a list and
// a description. Without a terminal, the command lists every missing flag and exits with
// code 2.
func TestPtyRequestNew(t *testing.T) {
	p := buildPcctl(t)
	bin, env, run, mustRun := p.bin, p.env, p.run, p.mustRun
	mustRun(t, "customers", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com", "--country", "GB")
	mustRun(t, "customers", "add", "--name", "Adatum", "--domain", "adatum.example", "--country", "FR")

	t.Run("no terminal", func(t *testing.T) {
		out, errOut, code := run(t, "request", "new", "--severity", "minimal")
		if code != 2 {
			t.Errorf("exit code %d, want 2 (usage)\nstderr: %s", code, errOut)
		}
		const want = "Error: pcctl request new needs --customer and --title; see 'pcctl request new --help'\n"
		if errOut != want {
			t.Errorf("stderr: %q, want %q", errOut, want)
		}
		if out != "" {
			t.Errorf("stdout: %q, want nothing", out)
		}
	})

	t.Run("prompts", func(t *testing.T) {
		term := startOnPtyScript(t, bin, env, []string{"Customer (the first letters of its name or domain):",
			"Customer:", "Customer (the first letters of its name or domain):", "Customer:", "Title:", "Severity:",
			"Description (optional):"}, "request", "new")
		// No capital R in an answer: survey reads the keys typed before a position report up
		// to the first 'R', and loses the report when that 'R' is not one.
		term.answer(t, "wingtip")
		term.answer(t, "") // nobody found: the only choice is to search again
		term.answer(t, "cont")
		term.answer(t, "") // the first choice: the customer found
		term.answer(t, "Cannot assign licences")
		term.answer(t, "mod")                                 // the list filtered to moderate
		term.answer(t, "the admin portal shows an error\r\r") // two empty lines end it (survey)
		term.waitFor(t, `"Cannot assign licences" (moderate).`)
		if code := term.wait(t); code != 0 {
			t.Fatalf("exit code %d, want 0\n%s", code, term.text())
		}
		t.Logf("the terminal showed:\n%s", term.text())
		if !strings.Contains(term.text(), "Contoso Ltd (contoso.onmicrosoft.com)") {
			t.Errorf("the customer found was not offered:\n%s", term.text())
		}
		if !regexp.MustCompile(`(?m)^[1-9][0-9]{14}$`).MatchString(term.text()) {
			t.Errorf("no 15-digit reference number was printed:\n%s", term.text())
		}
		const want = `{"customerName":"Contoso Ltd","title":"Cannot assign licences","severity":"moderate","status":"open","description":"the admin portal shows an error"}` + "\n"
		if got := mustRun(t, "request", "list", "--format", "ndjson", "--fields", "customerName,title,severity,status,description"); got != want {
			t.Errorf("request list printed %q, want %q", got, want)
		}
	})
}

// pcctlBinary is pcctl built once for a test, with an isolated environment.
type pcctlBinary struct {
	bin string
	env []string
}

// buildPcctl builds pcctl into a temporary folder (the test is skipped without the go
// command) and gives it a workspace of its own there.
func buildPcctl(t *testing.T) *pcctlBinary {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build pcctl with")
	}
	start := time.Now()
	dir := t.TempDir()
	bin := filepath.Join(dir, "pcctl")
	build := exec.Command(goTool, "build", "-o", bin, "./cmd/pcctl")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/pcctl: %v\n%s", err, out)
	}
	t.Logf("built pcctl in %v", time.Since(start).Round(time.Millisecond))
	return &pcctlBinary{bin: bin, env: ptyTestEnv(dir)}
}

// run runs pcctl without a terminal (stdin is /dev/null) and returns its output and exit
// code; a process that cannot run, or runs too long, fails the test.
func (p *pcctlBinary) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = p.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && ctx.Err() == nil:
		code = exit.ExitCode()
	default:
		t.Fatalf("pcctl %s: %v (stderr: %s)", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), errOut.String(), code
}

// mustRun is run, failing the test unless pcctl exits 0.
func (p *pcctlBinary) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := p.run(t, args...)
	if code != 0 {
		t.Fatalf("pcctl %s: exit code %d\nstderr: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}
