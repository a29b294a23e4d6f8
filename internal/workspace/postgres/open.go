// Package postgres is the team's workspace on a PostgreSQL database, through
// github.com/jackc/pgx/v5: the same workspace.Workspace as package sqlite, for any number
// of pcctl servers in front of one database.
//
// The statements are those of the SQLite workspace, in the SQL both share (sqlx.go turns
// their placeholders into PostgreSQL's). What SQLite gets from its single writer
// (BEGIN IMMEDIATE), this package gets from one transaction-level advisory lock that every
// write transaction takes first: the rules that read stored state before writing (the
// 30-flag cap and its eviction order, unique request references, single-use invitation
// tokens, deal versions) see every change committed before, on whichever server it was
// made. Reads take no lock and never wait for writers.
package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// LatestSchema is the newest schema version this pcctl knows.
var LatestSchema = len(migrations)

// Advisory lock keys (pg_advisory_xact_lock): every write transaction takes writeLock;
// migrations take migrateLock. Both are "pcct" and a number, so they do not collide with
// another application's locks on the same database by accident.
const (
	writeLock   int64 = 0x70636374_0001
	migrateLock int64 = 0x70636374_0002
)

// Options tunes how a workspace is opened. The zero value is right for production.
type Options struct {
	Now    func() time.Time // the clock; time.Now when nil
	Random io.Reader        // randomness for new IDs; crypto/rand when nil
	// NoMigrate opens a database of an older schema without migrating it (workspace info
	// and migrate report the version first). An empty database is migrated all the same.
	NoMigrate bool
	// MaxConns bounds the pool (default 32).
	MaxConns int
}

// DB is an open workspace database.
type DB struct {
	db      *dbh
	where   string // the URL without its password
	dsn     string // the URL (tests reopen it)
	now     func() time.Time
	core    *sqlstore.Core // what the shared code (sqlstore) sees of it
	version int            // the schema version now
	found   int            // the schema version when opened
	created bool
	search  *searchCache // recent searches' results, while the workspace is unchanged
}

// OpenError is a workspace that could not be opened, with the reason in plain words.
type OpenError struct {
	Where  string
	Reason string
	Err    error
}

func (e *OpenError) Error() string { return fmt.Sprintf("workspace %s: %s", e.Where, e.Reason) }
func (e *OpenError) Unwrap() error { return e.Err }

// ErrNewerSchema is wrapped by the error for a database written by a newer pcctl.
var ErrNewerSchema = errors.New("workspace written by a newer pcctl")

// IsURL tells whether a workspace location names a PostgreSQL database rather than a file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Redact is the URL without its password, for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the database URL (unreadable)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// HasPassword tells whether the URL carries a password (which a command line would show
// to every user of the machine).
func HasPassword(dsn string) bool {
	u, err := url.Parse(dsn)
	if err != nil {
		return false
	}
	_, ok := u.User.Password()
	return ok || u.Query().Has("password")
}

// Open connects to the database at dsn (a postgres:// URL; the password may come from
// PGPASSWORD or ~/.pgpass as for every PostgreSQL client) and applies pending migrations
// (unless opts.NoMigrate). A database holding other tables than a pcctl workspace's, or
// one written by a newer pcctl, is refused and left as it was.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Random == nil {
		opts.Random = rand.Reader
	}
	where := Redact(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, &OpenError{Where: where, Reason: "is not a valid PostgreSQL URL: " + strings.ReplaceAll(err.Error(), dsn, where)}
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	// Statements are prepared and cached per connection by pgx (its default mode).
	db := stdlib.OpenDB(*cfg)
	maxConns := opts.MaxConns
	if maxConns <= 0 {
		maxConns = 32
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{db: &dbh{db}, where: where, now: opts.Now, search: &searchCache{}}
	d.core = d.newCore(opts.Random)
	if err := d.init(ctx, opts.NoMigrate); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// Unavailable tells whether err is the database being unreachable or going away (a
// restart, a failover): the request may succeed when retried later.
func Unavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now,
		// 08xxx connection exceptions, 53300 too_many_connections.
		return strings.HasPrefix(pe.Code, "57P") || strings.HasPrefix(pe.Code, "08") || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	return pgconn.SafeToRetry(err) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "connection refused") ||
		strings.Contains(err.Error(), "unexpected EOF") || strings.Contains(err.Error(), "broken pipe") ||
		strings.Contains(err.Error(), "connection reset")
}

func (d *DB) openErr(err error) error {
	var oe *OpenError
	if errors.As(err, &oe) {
		return err
	}
	if Unavailable(err) {
		return &OpenError{Where: d.where, Err: err, Reason: "cannot reach the database: " + plainPgErr(err)}
	}
	return &OpenError{Where: d.where, Err: err, Reason: plainPgErr(err)}
}

func plainPgErr(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message + " (SQLSTATE " + pe.Code + ")"
	}
	return err.Error()
}

// init checks the database is empty or a pcctl workspace this pcctl understands, and
// migrates it.
func (d *DB) init(ctx context.Context, noMigrate bool) error {
	var marked bool
	var tables int
	err := d.db.QueryRowContext(ctx, `SELECT to_regclass('pcctl_schema') IS NOT NULL,
		(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema())`).Scan(&marked, &tables)
	if err != nil {
		return d.openErr(err)
	}
	if !marked && tables > 0 {
		return &OpenError{Where: d.where, Reason: "holds tables that are not a pcctl workspace's; it was not changed"}
	}
	version := 0
	if marked {
		if err := d.db.QueryRowContext(ctx, `SELECT version FROM pcctl_schema`).Scan(&version); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return d.openErr(err)
		}
	}
	d.created = version == 0
	if version > LatestSchema {
		return &OpenError{Where: d.where, Err: ErrNewerSchema, Reason: fmt.Sprintf(
			"was written by a newer pcctl (schema version %d; this pcctl knows up to %d): upgrade pcctl to use it; the database was not changed",
			version, LatestSchema)}
	}
	d.version, d.found = version, version
	if noMigrate && version > 0 {
		return nil
	}
	_, _, err = d.Migrate(ctx)
	return err
}

// Migrate applies the pending migrations, each in its own transaction under the
// migration lock, and reports the version the database had when opened and the version
// it has now. Servers starting at once migrate safely: the version is read again under
// the lock, and the one that waited finds the work done.
func (d *DB) Migrate(ctx context.Context) (from, to int, err error) {
	from = d.found
	for {
		done, err := d.migrateOne(ctx)
		if err != nil {
			return from, d.version, err
		}
		if done {
			return from, d.version, nil
		}
	}
}

func (d *DB) migrateOne(ctx context.Context) (done bool, err error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return false, d.openErr(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, migrateLock); err != nil {
		return false, d.openErr(err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS pcctl_schema (version INTEGER NOT NULL)`); err != nil {
		return false, d.openErr(err)
	}
	v := 0
	if err := tx.QueryRowContext(ctx, `SELECT version FROM pcctl_schema`).Scan(&v); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, d.openErr(err)
	}
	d.version = v
	if v > LatestSchema {
		return false, &OpenError{Where: d.where, Err: ErrNewerSchema, Reason: fmt.Sprintf(
			"was written by a newer pcctl (schema version %d; this pcctl knows up to %d)", v, LatestSchema)}
	}
	if v == LatestSchema {
		return true, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, d.openErr(fmt.Errorf("migrating to schema version %d: %w", v+1, err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pcctl_schema; INSERT INTO pcctl_schema(version) VALUES (`+fmt.Sprint(v+1)+`)`); err != nil {
		return false, d.openErr(err)
	}
	if err := tx.Commit(); err != nil {
		return false, d.openErr(err)
	}
	d.version = v + 1
	return false, nil
}

// Where is the database's URL without its password.
func (d *DB) Where() string { return d.where }

// Created reports whether Open created the workspace's tables.
func (d *DB) Created() bool { return d.created }

// SchemaVersion is the schema version the database is at.
func (d *DB) SchemaVersion() int { return d.version }

// Close closes the pool.
func (d *DB) Close() error { return d.db.Close() }

// As binds the workspace to a principal: the user whose flags, pins and accesses are read
// and written, and whose roles the rules check.
func (d *DB) As(p domain.Principal) workspace.Workspace {
	s := &session{DB: d, who: p, Session: sqlstore.Session{Core: d.core, Who: p}}
	s.Search = s
	return s
}

// session is a DB acting for one principal.
type session struct {
	*DB
	sqlstore.Session // the shared code's methods
	who              domain.Principal
	at               time.Time // the clock of this session (AsAt); zero: the workspace's
}

// AsAt is As with a fixed clock for the session (server.Options.TestClock).
func (d *DB) AsAt(p domain.Principal, now time.Time) workspace.Workspace {
	s := &session{DB: d, who: p, at: now.UTC(), Session: sqlstore.Session{Core: d.core, Who: p, At: now.UTC()}}
	s.Search = s
	return s
}

// now is the session's clock.
func (s *session) now() time.Time {
	if !s.at.IsZero() {
		return s.at
	}
	return s.DB.now()
}

// Close closes the pool.
func (s *session) Close() error { return s.DB.Close() }

// writeTx runs fn in a write transaction holding the write lock, committing when fn
// returns nil. Under the lock and READ COMMITTED, each statement sees every change
// committed before: write transactions run one after another, as on a SQLite file.
func (d *DB) writeTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return d.txErr(fmt.Errorf("starting a write transaction: %w", err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, writeLock); err != nil {
		return d.txErr(err)
	}
	// Under the lock, so the counter rises in commit order; seen by others at the commit.
	if _, err := tx.ExecContext(ctx, `UPDATE pcctl_version SET n = n + 1`); err != nil {
		return d.txErr(err)
	}
	if err := fn(tx); err != nil {
		return d.txErr(err)
	}
	if err := tx.Commit(); err != nil {
		return d.txErr(fmt.Errorf("committing: %w", err))
	}
	return nil
}

// ErrUnavailable is workspace.ErrUnavailable: the database could not be reached.
var ErrUnavailable = workspace.ErrUnavailable

// UnavailableError is the database out of reach.
type UnavailableError struct {
	Where string
	Err   error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("the workspace database %s cannot be reached: %s", e.Where, plainPgErr(e.Err))
}
func (e *UnavailableError) Unwrap() []error { return []error{ErrUnavailable, e.Err} }

func (d *DB) txErr(err error) error {
	if err != nil && Unavailable(err) && !errors.Is(err, ErrUnavailable) {
		return &UnavailableError{Where: d.where, Err: err}
	}
	return err
}

// Shared is true: other servers change the database too (server.SharedStore).
func (d *DB) Shared() bool { return true }

// ChangeVersion reports no version (ok false): other servers change the database, and a
// server checks every request's token against it (Authenticate: one round trip) rather
// than read a change counter first and trust a cache.
func (d *DB) ChangeVersion(context.Context, time.Time) (int64, bool, error) { return 0, false, nil }

// Unavailable tells whether err is the database out of reach (server: 503).
func (d *DB) Unavailable(err error) bool { return Unavailable(err) }

// Now is the workspace's clock (Options.Now).
func (d *DB) Now() time.Time { return d.now() }

// Invitation reads a partnership request by its token (sqlstore.Core.Invitation).
func (d *DB) Invitation(ctx context.Context, token string) (domain.Invitation, error) {
	return d.core.Invitation(ctx, token)
}

// RelationshipRequest reads a relationship request by its token.
func (d *DB) RelationshipRequest(ctx context.Context, token string) (domain.RelationshipRequest, error) {
	return d.core.RelationshipRequest(ctx, token)
}
