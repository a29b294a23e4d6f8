package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/server/servertest"
)

// TestSecurityConnections backs the rows of docs/bad-input.md ("Security findings") about
// what a client holds of a server (issue 14, item 13): a client that stops reading a
// streamed answer, and one connection too many. The server runs through server.Serve,
// where the connection cap lives; internal/server/stream_test.go pins the same and more.
func TestSecurityConnections(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	admin := env.Token("admin@contoso.com", domain.AllRoles...)
	ctx := context.Background()
	serve := func(t *testing.T, opts server.Options) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		sctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- server.New(env.DB, opts).Serve(sctx, smallSendBuffer{ln}, "", "") }()
		t.Cleanup(func() { stop(); <-done })
		return ln.Addr().String()
	}

	t.Run("a client that reads nothing", func(t *testing.T) {
		local := env.Local("owner@contoso.com")
		for i := range 1500 {
			c := domain.Customer{CompanyName: fmt.Sprintf("Contoso %04d", i), Domain: fmt.Sprintf("c%04d.example", i), Country: "FR"}
			if _, err := local.AddCustomer(ctx, c, ""); err != nil {
				t.Fatal(err)
			}
		}
		var log servertest.SyncBuffer
		addr := serve(t, server.Options{Logger: newLogger(&log), StreamProgressTimeout: time.Second})
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /v1/customers HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", addr, admin)
		start := time.Now()
		for !strings.Contains(log.String(), "stream stalled: the client took nothing for the progress timeout; the answer was cut and its connection closed") {
			if time.Since(start) > 20*time.Second {
				t.Fatalf("a client reading nothing still holds its answer after 20 s; log:\n%s", log.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		resp, err := http.Get("http://" + addr + api.HealthPath)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("after the stall: %v %v", resp, err)
		}
		resp.Body.Close()
	})
	t.Run("a connection over the cap", func(t *testing.T) {
		addr := serve(t, server.Options{MaxConns: 1})
		held, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer held.Close()
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+api.CustomersPath, nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e api.Error
		b, _ := io.ReadAll(resp.Body)
		json.Unmarshal(b, &e)
		if resp.StatusCode != 503 || e.Description != "the server is serving its limit of 1 connections (pcctl serve --max-conns): try again shortly" {
			t.Errorf("answered %d %q", resp.StatusCode, e.Description)
		}
	})
}

// smallSendBuffer gives each accepted connection a small send buffer, so that an answer
// its client does not read stalls after a few kilobytes rather than megabytes.
type smallSendBuffer struct{ net.Listener }

func (l smallSendBuffer) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}
