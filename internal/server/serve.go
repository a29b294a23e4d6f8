package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Timeouts of the HTTP server. Streaming routes (imports, exports) lift the read and
// write deadlines for their request (longRunning).
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
	// ShutdownTimeout is how long a shutdown waits for requests in flight.
	ShutdownTimeout = 30 * time.Second
)

// overCapKey marks, in a request's context, a connection accepted over Options.MaxConns.
type overCapKey struct{}

// Serve answers on ln until ctx is done, then shuts down gracefully: it stops accepting,
// lets the requests in flight finish (up to ShutdownTimeout) and returns. With certFile
// and keyFile it serves HTTPS.
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		// The connection-level errors of net/http (a TLS handshake refused…) go to the
		// same structured log.
		ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		// The connection cap (Options.MaxConns): a connection accepted over it is marked,
		// and ServeHTTP answers its request 503 and closes it.
		ConnContext: func(cctx context.Context, _ net.Conn) context.Context {
			if s.conns.Add(1) > int64(s.opts.MaxConns) {
				return context.WithValue(cctx, overCapKey{}, true)
			}
			return cctx
		},
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateClosed || st == http.StateHijacked {
				s.conns.Add(-1)
			}
		},
	}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- hs.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.Drain()
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serveErr := <-errc; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}
