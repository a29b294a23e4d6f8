//go:build unix

package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/remote"
)

// serveOn serves env's workspace with opts through server.Serve (the connection cap lives
// there) on a loopback port, its accepted connections passed through accepted, until the
// test ends. It returns the address.
func serveOn(t *testing.T, env *servertest.Env, opts server.Options, accepted func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.New(env.DB, opts).Serve(ctx, hookListener{ln, accepted}, "", "") }()
	t.Cleanup(func() { stop(); <-done })
	return ln.Addr().String()
}

type hookListener struct {
	net.Listener
	accepted func(net.Conn)
}

func (l hookListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil && l.accepted != nil {
		l.accepted(c)
	}
	return c, err
}

// TestStalledExportReader (issue 14, item 13): a client that asks for every customer and
// reads nothing has its answer cut once a write makes no progress for the progress
// timeout: the request ends (its snapshot released), the server logs it and closes the
// connection, and other requests are answered meanwhile.
func TestStalledExportReader(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	tok := env.Token("admin@partner.test", domain.AllRoles...)
	ctx := context.Background()
	if _, err := env.Local("owner@pcctl.test").ImportCustomers(ctx, &custGenRows{n: 2000}, workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var log servertest.SyncBuffer
	// Small socket buffers on both sides: the answer (about 600 KB) cannot fit in them.
	addr := serveOn(t, env, server.Options{Logger: newJSONLogger(&log), StreamProgressTimeout: time.Second},
		func(c net.Conn) { _ = c.(*net.TCPConn).SetWriteBuffer(4096) })
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /v1/customers HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", addr, tok)

	// Others are answered while it stalls, reads and writes.
	time.Sleep(300 * time.Millisecond)
	rc, err := remote.New("http://"+addr, remote.Options{Token: tok, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.AddCustomer(ctx, domain.Customer{CompanyName: "Other", Domain: "other.example", Country: "FR"}, ""); err != nil {
		t.Errorf("a write during the stall: %v", err)
	}
	if _, err := rc.OpenCustomer(ctx, "other.example"); err != nil {
		t.Errorf("a read during the stall: %v", err)
	}

	// The server gives up within the timeout (plus the machine's slowness) and says so.
	start := time.Now()
	for !strings.Contains(log.String(), "stream stalled") {
		if time.Since(start) > 15*time.Second {
			t.Fatalf("the stalled answer was never cut; log:\n%s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(log.String(), `"route":"GET /v1/customers"`) {
		t.Errorf("the stall is logged without its route:\n%s", log.String())
	}
	// Its connection is closed: reading it now ends, the collection unfinished.
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(bufio.NewReader(c))
	if err != nil && !strings.Contains(err.Error(), "reset") {
		t.Errorf("reading the cut answer: %v (the connection was not closed)", err)
	}
	if strings.Contains(string(got), `"totalCount"`) {
		t.Errorf("the answer was sent whole (%d bytes): the test's buffers are too large to stall it", len(got))
	}
}

// TestConnectionCap (issue 14, item 13): a request on a connection over Options.MaxConns
// is answered 503 with Retry-After and the connection closed; once a connection closes,
// requests are answered again.
func TestConnectionCap(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	addr := serveOn(t, env, server.Options{MaxConns: 2}, nil)
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() (*http.Response, api.Error) {
		t.Helper()
		resp, err := client.Get("http://" + addr + api.HealthPath)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e api.Error
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &e)
		return resp, e
	}
	resp, e := get()
	if resp.StatusCode != http.StatusServiceUnavailable || e.Code != api.CodeUnavailable || resp.Header.Get("Retry-After") != "1" ||
		e.Description != "the server is serving its limit of 2 connections (pcctl serve --max-conns): try again shortly" {
		t.Errorf("a third connection: %d %+v (Retry-After %q)", resp.StatusCode, e, resp.Header.Get("Retry-After"))
	}
	// One held connection closes: the next request is answered (once the server saw it go).
	held[0].Close()
	start := time.Now()
	for {
		resp, e = get()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("a connection freed, still refused: %d %+v", resp.StatusCode, e)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
