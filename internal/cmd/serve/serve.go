// Package serve is `pcctl serve`: the workspace shared over HTTP (internal/server).
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/pcsync"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/postgres"
)

// DefaultAddr is where pcctl serve listens unless told otherwise; invitation links point
// there by default (config invite_base_url).
const DefaultAddr = "127.0.0.1:8787"

type options struct {
	addr, certFile, keyFile, logFormat string
	database                           string
	maxBody, maxImport                 int64
	maxConns                           int
	syncEvery                          time.Duration
}

// NewCmdServe is `pcctl serve`.
func NewCmdServe(f *cmdutil.Factory) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT] [--tls-cert FILE --tls-key FILE] [--database postgres://…] [--sync-every DURATION]",
		Short: "Share the workspace with a team over HTTP",
		Long: `Serve the workspace (--workspace, PCCTL_WORKSPACE or the default file) over an HTTP JSON API
(docs/api.md) until interrupted. Everyone else points pcctl at it with --endpoint (or
PCCTL_ENDPOINT, or a profile's endpoint) and their access token (--token, PCCTL_TOKEN or the
config's token): every command then works on the shared workspace, with the same output.

Every request needs an access token of one of the workspace's users, and may do what that
user's roles allow (pcctl help exit-codes: 5 when refused). To start a new server, create the
first administrator and their token on the server's machine, against the local file:

  pcctl user add admin@contoso.com --role global-admin
  pcctl token create --user admin@contoso.com --name laptop

The server listens on 127.0.0.1:8787 by default: only this machine can reach it. To serve a
network, give --addr and, unless a TLS proxy stands in front, --tls-cert and --tls-key:
tokens travel in every request. SIGINT or SIGTERM stops it gracefully: it stops accepting,
lets the requests in flight finish, and closes the workspace. Access logs (one line per
request: route, status, duration, user; never a token) go to standard error.

With --database (or PCCTL_DATABASE_URL), the workspace is a PostgreSQL database instead of the
file: any number of servers may serve the same database behind a load balancer
(docs/postgres.md). The URL names user, host, port and database; the password comes from
PGPASSWORD or ~/.pgpass, never from the command line, where every user of the machine could
read it (a URL with a password is refused from --database; PCCTL_DATABASE_URL may hold one).
The schema is created or migrated on start. Logs name the database without its password.

A streamed answer (an export) whose client reads nothing for 30 s is cut, and at most
--max-conns connections are open at once: a request on one more is answered 503 (busy),
which pcctl's client retries for reads.

Partnership request links ('pcctl reseller invite') point at this server's
/pcctl/v1/invitations page, where the reseller accepts: set invite_base_url to the address
resellers reach it at.

--sync-every keeps the shared workspace fresh from Partner Center ('pcctl sync' of every
kind) at start and then at that interval, signed in as the server's own account: sign in
on the server's machine first with an app registration and its refresh token ('pcctl auth
login --client-id … --client-secret-file … --refresh-token-file …'), whose tokens are
refreshed silently. Each run is logged (one line per kind with its counts, or the error)
and recorded in the audit log; a run that fails is tried again at the next interval.`,
		Example: `  pcctl serve
  pcctl serve --workspace /srv/pcctl/workspace.db --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
  PCCTL_ENDPOINT=http://127.0.0.1:8787 PCCTL_TOKEN=pcctl_... pcctl customers list
  PGPASSWORD=... pcctl serve --database postgres://pcctl@db.internal:5432/pcctl --addr 0.0.0.0:8787
  pcctl serve --sync-every 1h`,
		Args:    cmdutil.NoArgs,
		GroupID: "admin",
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd, f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.addr, "addr", DefaultAddr, "address to listen on, HOST:PORT (port 0 picks a free one)")
	fl.StringVar(&o.certFile, "tls-cert", "", "TLS certificate file (PEM), with --tls-key: serve HTTPS")
	fl.StringVar(&o.keyFile, "tls-key", "", "TLS private key file (PEM), with --tls-cert")
	fl.StringVar(&o.logFormat, "log-format", "text", "access log format: text or json")
	fl.StringVar(&o.database, "database", "", "serve a PostgreSQL database, postgres://USER@HOST:PORT/DB (password from PGPASSWORD or ~/.pgpass)")
	fl.Int64Var(&o.maxBody, "max-body", server.DefaultMaxBodyBytes, "largest JSON request body, in bytes")
	fl.Int64Var(&o.maxImport, "max-import", server.DefaultMaxImportBytes, "largest import upload, in bytes")
	fl.IntVar(&o.maxConns, "max-conns", server.DefaultMaxConns, "most connections open at once; a request on one more is answered 503 (busy)")
	fl.DurationVar(&o.syncEvery, "sync-every", 0, "sync the workspace from Partner Center at start and then this often (such as 1h), with the server's own sign-in ('pcctl auth login' with an app registration); 0: never")
	return cmd
}

func run(cmd *cobra.Command, f *cmdutil.Factory, o *options) error {
	if (o.certFile == "") != (o.keyFile == "") {
		return cmdutil.Usagef("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither")
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return cmdutil.Usagef("invalid value %q for --log-format: allowed values are text, json", o.logFormat)
	}
	if o.maxBody < 1024 || o.maxImport < 1024 {
		return cmdutil.Usagef("--max-body and --max-import must be at least 1024 bytes")
	}
	if o.maxConns < 1 {
		return cmdutil.Usagef("invalid value %d for --max-conns: it must be at least 1", o.maxConns)
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return cmdutil.Usagef("invalid value %q for --addr: expected HOST:PORT, such as 127.0.0.1:8787 or 0.0.0.0:8443", o.addr)
	}
	for _, file := range []string{o.certFile, o.keyFile} {
		if file == "" {
			continue
		}
		if _, err := os.Stat(file); err != nil {
			return fmt.Errorf("cannot read %s: %w", file, plainPathErr(err))
		}
	}
	dsn := o.database
	if dsn != "" && postgres.HasPassword(dsn) {
		return cmdutil.Usagef("--database holds a password, which every user of this machine can read in the process list: give it in PGPASSWORD or ~/.pgpass (or the whole URL in PCCTL_DATABASE_URL)")
	}
	if dsn == "" {
		dsn = os.Getenv("PCCTL_DATABASE_URL")
	}
	if dsn != "" && !postgres.IsURL(dsn) {
		return cmdutil.Usagef("invalid database URL %s: expected postgres://USER@HOST:PORT/DATABASE", postgres.Redact(dsn))
	}
	if o.syncEvery < 0 || (o.syncEvery > 0 && o.syncEvery < time.Minute) {
		return cmdutil.Usagef("--sync-every must be at least 1m (or 0, never), not %s", o.syncEvery)
	}
	ctx := cmd.Context()
	var pc *partnercenter.Client
	if o.syncEvery > 0 {
		// The sign-in is checked before serving: a server that cannot sync says so now.
		var err error
		if pc, _, err = f.PartnerCenter(ctx, nil); err != nil {
			return fmt.Errorf("--sync-every needs the server's own sign-in to Partner Center: %w", err)
		}
	}
	var store server.Store
	var what string
	if dsn != "" {
		db, err := f.OpenDatabase(ctx, dsn)
		if err != nil {
			return err
		}
		store, what = db, "database "+db.Where()
	} else {
		db, err := f.OpenShared(ctx)
		if err != nil {
			return err
		}
		store, what = db, "workspace "+db.Path()
	}
	var h slog.Handler
	if o.logFormat == "json" {
		h = slog.NewJSONHandler(f.IOStreams.ErrOut, nil)
	} else {
		h = slog.NewTextHandler(f.IOStreams.ErrOut, nil)
	}
	logger := slog.New(h)
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", o.addr, plainNetErr(err))
	}
	scheme := "http"
	if o.certFile != "" {
		scheme = "https"
	}
	srv := server.New(store, server.Options{Logger: logger, MaxBodyBytes: o.maxBody, MaxImportBytes: o.maxImport, MaxConns: o.maxConns})
	url := scheme + "://" + ln.Addr().String()
	f.IOStreams.Notice("Serving %s at %s (Ctrl-C to stop).", what, url)
	if scheme == "http" && !isLoopback(host) {
		f.IOStreams.Notice("Warning: %s is reachable from other machines over plain HTTP: access tokens travel in clear text. Use --tls-cert and --tls-key, or a TLS proxy.", o.addr)
	}
	var syncing sync.WaitGroup
	if pc != nil {
		syncCtx, stop := context.WithCancel(ctx)
		defer stop()
		syncing.Add(1)
		go func() {
			defer syncing.Done()
			syncLoop(syncCtx, store.As(domain.Owner(f.Config.User())), pc, o.syncEvery, logger)
		}()
		defer syncing.Wait()
		defer stop()
	}
	err = srv.Serve(ctx, ln, o.certFile, o.keyFile)
	if err != nil {
		return fmt.Errorf("serving %s: %w", url, err)
	}
	f.IOStreams.Notice("Stopped: every request in flight finished.")
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func plainPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func plainNetErr(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		msg := oe.Err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return errors.New(msg)
	}
	return err
}

// syncLoop syncs ws from Partner Center now and then every interval until ctx ends, each
// run in the log (its audit records are the workspace's).
func syncLoop(ctx context.Context, ws workspace.Workspace, pc *partnercenter.Client, every time.Duration, logger *slog.Logger) {
	for {
		start := time.Now()
		res, err := pcsync.Run(ctx, ws, pc, pcsync.Options{})
		for _, k := range res.Kinds {
			logger.Info("sync", "kind", string(k.Kind), "fetched", k.Counts.Fetched, "created", k.Counts.Created,
				"updated", k.Counts.Updated, "unchanged", k.Counts.Unchanged, "ended", k.Counts.Ended, "skipped", k.Counts.Skipped,
				"resumed", k.Resumed)
		}
		switch {
		case err != nil && ctx.Err() != nil:
			logger.Info("sync interrupted: what was synced is kept; the next run goes on from there")
			return
		case err != nil:
			logger.Error("sync failed; tried again at the next interval", "err", err.Error(), "next", start.Add(every).UTC().Format(time.RFC3339))
		default:
			logger.Info("sync done", "partnerTenant", res.Tenant, "duration", time.Since(start).Round(time.Millisecond).String(),
				"next", start.Add(every).UTC().Format(time.RFC3339))
		}
		t := time.NewTimer(time.Until(start.Add(every)))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
