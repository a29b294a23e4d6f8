//go:build !windows

package app_test

import (
	"bufio"
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// provisionTokens gives each user global-admin and a token in the workspace file at path
// (as an operator does on the server's machine before serving it), and returns the tokens.
func provisionTokens(t *testing.T, path string, users []string) map[string]string {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin := db.As(domain.Owner("operator"))
	tokens := map[string]string{}
	for _, u := range users {
		if _, _, _, err := admin.AddUser(ctx, domain.User{Email: u, Roles: []domain.Role{domain.RoleGlobalAdmin}}); err != nil {
			t.Fatal(err)
		}
		secret, _, err := admin.CreateToken(ctx, u, "test", domain.NeverExpires)
		if err != nil {
			t.Fatal(err)
		}
		tokens[u] = secret
	}
	return tokens
}

// serveProc is a `pcctl serve` process.
type serveProc struct {
	cmd  *exec.Cmd
	url  string
	mu   sync.Mutex
	log  bytes.Buffer // its standard error: notices and the access log
	done chan struct{}
}

// startServe starts `pcctl serve` on a free loopback port with env (its workspace).
func startServe(t *testing.T, p *pcctlBinary, env []string) *serveProc {
	t.Helper()
	s := &serveProc{done: make(chan struct{})}
	s.cmd = exec.Command(p.bin, "serve", "--addr", "127.0.0.1:0", "--log-format", "json")
	s.cmd.Env = env
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	addr := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+) `)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
			if m := addr.FindStringSubmatch(line); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case s.url = <-urls:
	case <-s.done:
		s.cmd.Wait()
		t.Fatalf("pcctl serve ended before listening:\n%s", s.logText())
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		t.Fatal("pcctl serve did not say where it listens within 30 s")
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	return s
}

func (s *serveProc) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// stop sends SIGTERM and requires a clean exit (code 0, "Stopped") within 30 s, and
// that no token appears in the server's output.
func (s *serveProc) stop(t *testing.T, tokens map[string]string) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { <-s.done; exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("pcctl serve after SIGTERM: %v\n%s", err, clip(s.logText(), 4000))
		}
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		t.Fatal("pcctl serve still running 30 s after SIGTERM")
	}
	log := s.logText()
	if !strings.Contains(log, "Stopped: every request in flight finished.") {
		t.Errorf("pcctl serve did not say it stopped cleanly:\n%s", clip(log, 4000))
	}
	for u, tok := range tokens {
		if strings.Contains(log, tok) {
			t.Errorf("the server's log holds %s's token", u)
		}
		if strings.Contains(log, tok[len(domain.TokenPrefix):]) {
			t.Errorf("the server's log holds the secret part of %s's token", u)
		}
	}
	t.Logf("server: %d access log lines", strings.Count(log, `"msg":"request"`))
}
