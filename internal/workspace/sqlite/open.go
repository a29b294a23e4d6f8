// Package sqlite is the local workspace: a SQLite file, through modernc.org/sqlite (pure
// Go). The file is in WAL mode with a busy timeout and foreign keys on, and every write
// transaction takes the write lock up front (BEGIN IMMEDIATE), so several pcctl processes
// on one file wait for each other instead of failing with "database is locked".
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// BusyTimeout is how long a statement waits for another process's lock before failing.
const BusyTimeout = 30 * time.Second

// LatestSchema is the newest schema version this pcctl knows.
var LatestSchema = len(migrations)

// Options tunes how a workspace is opened. The zero value is right for production.
type Options struct {
	Now    func() time.Time // the clock; time.Now when nil
	Random io.Reader        // randomness for new IDs; crypto/rand when nil
	// CreateFolder creates the file's folder when it is missing (the default location);
	// otherwise a missing folder is an error.
	CreateFolder bool
	// NoMigrate opens a workspace of an older schema without migrating it (for
	// `workspace info` and `workspace migrate`, which report the version first). A new,
	// empty file is migrated all the same.
	NoMigrate bool
	// MustExist refuses a file that does not exist instead of creating it (shell
	// completion must never create a workspace).
	MustExist bool
	// BusyTimeout bounds the wait for another process's lock; BusyTimeout when zero.
	BusyTimeout time.Duration
	// ReadPool runs the hot reads (search, authentication) on a few read-only
	// connections of their own, each with a large page cache, rather than on any of the
	// pool's: for a server, whose many concurrent requests would otherwise each warm a
	// small cache of their own connection. A one-shot command has no use for it.
	ReadPool bool
	// SearchCache keeps the results of recent customer searches while the workspace is
	// unchanged (searchCache): for a server, where many search the same first letters.
	SearchCache bool
}

// ForServer is o with what a server's workspace uses (pcctl serve, and the tests that
// stand for it): the read pool and the search cache.
func ForServer(o Options) Options {
	o.ReadPool, o.SearchCache = true, true
	return o
}

// DB is an open workspace file.
type DB struct {
	db      *sql.DB
	path    string
	now     func() time.Time
	core    *sqlstore.Core // what the shared code (sqlstore) sees of it
	version int            // the schema version now
	found   int            // the schema version when the file was opened
	created bool

	cached      *stmtCache     // prepared statements of the hot reads
	reads       *sql.DB        // the read pool (Options.ReadPool), or nil
	search      *searchCache   // Options.SearchCache, or nil
	changes     *changeWatcher // with ReadPool or SearchCache: PRAGMA data_version, or nil
	uses        *tokenUses     // last_used_at, written off the request's path; nil when immutable
	readOnly    bool           // on read-only media: opened immutable, every write refused
	chunkKeys   int            // search keys a bulk import sorts in memory at a time
	busyTimeout time.Duration  // how long to wait for another process's lock
}

// maxIdleConns is how many connections the pool keeps open between uses.
const maxIdleConns = 16

// The read pool of a server (Options.ReadPool): a few connections, as many as there are
// cores to run them twice over, each keeping 16 MiB of the file's pages.
var readPoolConns = max(2, 2*runtime.GOMAXPROCS(0))

const readPoolCacheKiB = 16 << 10

// OpenError is a workspace that could not be opened, with the reason in plain words.
type OpenError struct {
	Path   string
	Reason string
	Err    error
}

func (e *OpenError) Error() string { return fmt.Sprintf("workspace %s: %s", e.Path, e.Reason) }
func (e *OpenError) Unwrap() error { return e.Err }

// ErrNewerSchema is wrapped by the error for a workspace written by a newer pcctl.
var ErrNewerSchema = errors.New("workspace written by a newer pcctl")

// Open opens the workspace at path, creating it if it does not exist, and applies pending
// schema migrations (unless opts.NoMigrate). A file that is not a pcctl workspace, or one
// written by a newer pcctl, is refused and left exactly as it was.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Random == nil {
		opts.Random = rand.Reader
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &OpenError{Path: path, Reason: err.Error(), Err: err}
	}
	if opts.BusyTimeout == 0 {
		opts.BusyTimeout = BusyTimeout
	}
	var created bool
	if opts.MustExist {
		if st, err := os.Stat(abs); err != nil {
			return nil, &OpenError{Path: abs, Reason: plainErr(err), Err: err}
		} else if !st.Mode().IsRegular() {
			return nil, &OpenError{Path: abs, Reason: "is not a workspace file"}
		}
	} else if created, err = prepareFile(abs, opts.CreateFolder); err != nil {
		if st, serr := os.Stat(abs); !readOnlyMedia(err) || serr != nil || !st.Mode().IsRegular() {
			return nil, err
		}
		// On read-only media (a mounted backup) the workspace can still be read: SQLite
		// opens it immutable, without the shared-memory file it could not create. A
		// write-ahead log beside it would hold changes such a reader would not see.
		if st, werr := os.Stat(abs + "-wal"); werr == nil && st.Size() > 0 {
			return nil, &OpenError{Path: abs, Reason: "is on a read-only file system with a write-ahead log (" + filepath.Base(abs) + "-wal) beside it, whose changes pcctl could not read: copy both to a writable folder", Err: err}
		}
		return openReadOnly(ctx, abs, opts)
	}
	// mode=rw: read-write (WAL readers need the shared memory file) but never create.
	dsn := "file:" + abs + "?mode=rw&_txlock=immediate" +
		fmt.Sprintf("&_pragma=busy_timeout(%d)", opts.BusyTimeout.Milliseconds()) +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, &OpenError{Path: abs, Reason: err.Error(), Err: err}
	}
	// Keep connections open between uses: opening one costs its pragmas and a read of the
	// schema, and a server runs many requests at once (database/sql keeps 2 idle by
	// default, closing the others as each request ends).
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{db: db, path: abs, now: opts.Now, created: created, chunkKeys: defaultChunkKeys, busyTimeout: opts.BusyTimeout}
	d.core = d.newCore(opts.Random)
	d.cached = &stmtCache{db: db}
	if err := d.init(ctx, opts.NoMigrate); err != nil {
		db.Close()
		if created {
			// Leave nothing behind for a workspace we failed to create, but only while
			// nothing was written to it: other processes may be using it already (their
			// first use of the same new workspace), and removing it under them loses
			// what they wrote.
			if st, err := os.Stat(abs); err == nil && st.Size() == 0 {
				if _, err := os.Stat(abs + "-wal"); errors.Is(err, fs.ErrNotExist) {
					os.Remove(abs)
				}
			}
		}
		return nil, err
	}
	if opts.ReadPool {
		// The same file, for reads only (query_only: a write through it is refused), with
		// readPoolConns connections of readPoolCacheKiB of page cache each.
		rdb, err := sql.Open("sqlite", dsn+fmt.Sprintf("&_pragma=query_only(1)&_pragma=cache_size(-%d)", readPoolCacheKiB))
		if err != nil {
			db.Close()
			return nil, &OpenError{Path: abs, Reason: err.Error(), Err: err}
		}
		rdb.SetMaxOpenConns(readPoolConns)
		rdb.SetMaxIdleConns(readPoolConns)
		d.reads = rdb
		d.cached = &stmtCache{db: rdb}
	}
	d.uses = newTokenUses(d)
	if opts.ReadPool || opts.SearchCache {
		if d.changes, err = newChangeWatcher(ctx, dsn); err != nil {
			d.Close()
			return nil, &OpenError{Path: abs, Reason: err.Error(), Err: err}
		}
	}
	if opts.SearchCache {
		d.search = &searchCache{changes: d.changes}
	}
	return d, nil
}

// prepareFile checks the folder and file before SQLite touches them, to give plain
// reasons instead of SQLite's "unable to open database file".
func prepareFile(path string, createFolder bool) (created bool, err error) {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && createFolder:
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, &OpenError{Path: path, Reason: "cannot create its folder: " + plainErr(err), Err: err}
		}
	case errors.Is(err, fs.ErrNotExist):
		return false, &OpenError{Path: path, Reason: fmt.Sprintf("folder %s does not exist", dir), Err: err}
	case err != nil:
		return false, &OpenError{Path: path, Reason: plainErr(err), Err: err}
	case !st.IsDir():
		return false, &OpenError{Path: path, Reason: fmt.Sprintf("%s is not a folder", dir)}
	}
	st, err = os.Stat(path)
	if err == nil {
		if st.IsDir() {
			return false, &OpenError{Path: path, Reason: "is a folder, not a workspace file"}
		}
		if !st.Mode().IsRegular() {
			return false, &OpenError{Path: path, Reason: "is not a file but a device, a pipe or a socket: name a workspace file"}
		}
		if err := checkTrusted(path, st); err != nil {
			return false, err
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return false, &OpenError{Path: path, Reason: "cannot open it for writing: " + plainErr(err), Err: err}
		}
		f.Close()
		return false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, &OpenError{Path: path, Reason: plainErr(err), Err: err}
	}
	if target, lerr := os.Readlink(path); lerr == nil {
		// A symbolic link whose target does not exist (or lies in a folder that does
		// not): creating the file would follow it, or fail as if forbidden.
		return false, &OpenError{Path: path, Reason: fmt.Sprintf("is a symbolic link to %s, which does not exist", target), Err: err}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil // another process created it just now
		}
		return false, &OpenError{Path: path, Reason: "cannot create it: " + plainErr(err), Err: err}
	}
	f.Close()
	return true, nil
}

// ErrReadOnly is wrapped by the error of a change to a workspace on read-only media.
var ErrReadOnly = errors.New("workspace on a read-only file system")

func (d *DB) readOnlyErr() error {
	return &OpenError{Path: d.path, Err: ErrReadOnly,
		Reason: "is on a read-only file system: it can be read, not changed (copy it to a writable folder to change it)"}
}

// readOnlyMedia tells whether prepareFile failed because the file system is read-only.
func readOnlyMedia(err error) bool { return errors.Is(err, syscall.EROFS) }

// openReadOnly opens a workspace on read-only media: immutable (SQLite neither locks it
// nor looks for a write-ahead log), every change refused with ErrReadOnly. It is not
// migrated: a workspace of an older schema is refused, but for workspace info.
func openReadOnly(ctx context.Context, abs string, opts Options) (*DB, error) {
	dsn := "file:" + abs + "?mode=ro&immutable=1&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, &OpenError{Path: abs, Reason: err.Error(), Err: err}
	}
	d := &DB{db: db, path: abs, now: opts.Now, chunkKeys: defaultChunkKeys, busyTimeout: opts.BusyTimeout, readOnly: true}
	d.core = d.newCore(opts.Random)
	d.cached = &stmtCache{db: db}
	if err := d.init(ctx, true); err != nil {
		db.Close()
		return nil, err
	}
	if d.version < LatestSchema && !opts.NoMigrate {
		db.Close()
		return nil, &OpenError{Path: abs, Reason: fmt.Sprintf("is on a read-only file system at schema version %d, and this pcctl needs %d: copy it to a writable folder to migrate it", d.version, LatestSchema)}
	}
	return d, nil
}

func plainErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// init checks the file is a pcctl workspace this pcctl understands, switches it to WAL and
// migrates it.
func (d *DB) init(ctx context.Context, noMigrate bool) error {
	// One statement, so one snapshot: read in separate statements, another process's
	// first migration could commit in between and make a new workspace look foreign.
	var appID, version, tables int
	err := d.db.QueryRowContext(ctx, `SELECT (SELECT * FROM pragma_application_id()),
		(SELECT * FROM pragma_user_version()), (SELECT count(*) FROM sqlite_schema)`).Scan(&appID, &version, &tables)
	if err != nil {
		return d.openErr(err)
	}
	if appID != applicationID && (tables > 0 || appID != 0) {
		return &OpenError{Path: d.path, Reason: "is a SQLite database but not a pcctl workspace; it was not changed"}
	}
	if version > LatestSchema {
		return &OpenError{Path: d.path, Err: ErrNewerSchema, Reason: fmt.Sprintf(
			"was written by a newer pcctl (schema version %d; this pcctl knows up to %d): upgrade pcctl to use it; the file was not changed",
			version, LatestSchema)}
	}
	if !d.readOnly {
		if err := d.walMode(ctx); err != nil {
			return d.openErr(err)
		}
	}
	d.version, d.found = version, version
	if noMigrate && !d.created {
		return nil // an older workspace, reported as it is; a file created just now is migrated
	}
	_, _, err = d.Migrate(ctx)
	return err
}

// walMode switches the file to WAL mode. On a new file several processes may try at
// once; the switch needs the file to itself and SQLite may answer "busy" without waiting,
// so it is retried for as long as the busy timeout.
func (d *DB) walMode(ctx context.Context) error {
	deadline := time.Now().Add(d.busyTimeout)
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		_, err := d.db.ExecContext(ctx, "PRAGMA journal_mode=WAL")
		var se *sqlite3.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3lib.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
	}
}

// diskFull reports whether err is SQLite finding no room on the disk: SQLITE_FULL, or the
// shared-memory file it cannot grow (SQLITE_IOERR_SHMSIZE, which it calls "disk I/O error").
func diskFull(err error) bool {
	var se *sqlite3.Error
	return errors.As(err, &se) && (se.Code()&0xff == sqlite3lib.SQLITE_FULL || se.Code() == sqlite3lib.SQLITE_IOERR_SHMSIZE)
}

// errDiskFull is what a change that found the disk full says: it was rolled back.
var errDiskFull = errors.New("the disk holding the workspace is full: nothing was written; free some space and retry")

func (d *DB) openErr(err error) error {
	if diskFull(err) {
		return &OpenError{Path: d.path, Err: err, Reason: "the disk holding it is full (SQLite needs room for its -wal and -shm files, even to read); free some space and retry; nothing was changed"}
	}
	var se *sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3lib.SQLITE_NOTADB, sqlite3lib.SQLITE_CORRUPT:
			return &OpenError{Path: d.path, Err: err, Reason: "is not a pcctl workspace: the file is not a SQLite database or is corrupt; it was not changed"}
		case sqlite3lib.SQLITE_READONLY, sqlite3lib.SQLITE_CANTOPEN, sqlite3lib.SQLITE_PERM:
			return &OpenError{Path: d.path, Err: err, Reason: "cannot be opened for writing (check the permissions of the file and its folder)"}
		}
	}
	if strings.Contains(err.Error(), "out of memory") {
		// SQLite reports some unreadable files this way.
		return &OpenError{Path: d.path, Err: err, Reason: "cannot be read as a SQLite database; it was not changed"}
	}
	return &OpenError{Path: d.path, Err: err, Reason: err.Error()}
}

// Migrate applies the pending migrations, each in its own write transaction, and reports
// the version the file had when opened and the version it has now. Concurrent processes
// migrate safely: the version is read again under the write lock.
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
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, d.openErr(err)
	}
	d.version = v
	if v > LatestSchema {
		return false, &OpenError{Path: d.path, Err: ErrNewerSchema, Reason: fmt.Sprintf(
			"was written by a newer pcctl (schema version %d; this pcctl knows up to %d)", v, LatestSchema)}
	}
	if v == LatestSchema {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, d.openErr(fmt.Errorf("migrating to schema version %d: %w", v+1, err))
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id=%d; PRAGMA user_version=%d", applicationID, v+1)); err != nil {
		return false, d.openErr(err)
	}
	if err := tx.Commit(); err != nil {
		return false, d.openErr(err)
	}
	d.version = v + 1
	return false, nil
}

// Path is the absolute path of the workspace file.
func (d *DB) Path() string { return d.path }

// Created reports whether Open created the file.
func (d *DB) Created() bool { return d.created }

// SchemaVersion is the schema version the file is at.
func (d *DB) SchemaVersion() int { return d.version }

// Close closes the file.
func (d *DB) Close() error {
	if d.uses != nil {
		d.uses.close()
	}
	d.cached.close()
	if d.reads != nil {
		d.reads.Close()
	}
	if d.changes != nil {
		d.changes.close()
	}
	return d.db.Close()
}

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

// AsAt is As with a fixed clock for the session: a test server's request carrying the
// time its test runs at (server.Options.TestClock).
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

// Close closes the underlying file.
func (s *session) Close() error { return s.DB.Close() }

// writeTxWith is writeTx on a connection of its own, set up by the statements before
// (pragmas that must be set outside a transaction) and reset by after.
func (d *DB) writeTxWith(ctx context.Context, before, after string, fn func(*sql.Tx) error) error {
	if d.readOnly {
		return d.readOnlyErr()
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("starting a write transaction: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, before); err != nil {
		return err
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), after) }()
	tx, err := conn.BeginTx(ctx, nil)
	return runTx(tx, err, fn)
}

// writeTx runs fn in a write transaction (BEGIN IMMEDIATE through _txlock), committing
// when fn returns nil.
func (d *DB) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if d.readOnly {
		return d.readOnlyErr()
	}
	tx, err := d.db.BeginTx(ctx, nil)
	return runTx(tx, err, fn)
}

// runTx runs fn in the transaction begun (or not: err), committing when fn returns nil.
func runTx(tx *sql.Tx, err error, fn func(*sql.Tx) error) error {
	if err != nil {
		return fmt.Errorf("starting a write transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		if diskFull(err) {
			return errDiskFull
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		if diskFull(err) {
			return errDiskFull
		}
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

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
