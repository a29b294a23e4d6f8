package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/config"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/fileutil"
	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/prompter"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/linked"
	"github.com/pcctl/pcctl/internal/workspace/postgres"
	"github.com/pcctl/pcctl/internal/workspace/remote"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// RemoteError is a command that works on a local workspace file only, run with an
// endpoint set.
type RemoteError struct{ Endpoint string }

func (e *RemoteError) Error() string {
	return fmt.Sprintf("this command works on a local workspace file, and pcctl is set to use the server at %s "+
		"(--endpoint, PCCTL_ENDPOINT or the config's endpoint): run it where the server's workspace is, with --workspace", e.Endpoint)
}

// NoWorkspaceError is a command that only reads, given a workspace (by --workspace,
// PCCTL_WORKSPACE or the config file) that does not exist: a typo must not read as an
// empty workspace. Exit 3.
type NoWorkspaceError struct{ Path string }

func (e *NoWorkspaceError) Error() string {
	return fmt.Sprintf("no workspace at %s (named by --workspace, PCCTL_WORKSPACE or the config's workspace): "+
		"check the path; a command that writes creates it ('pcctl workspace migrate' creates an empty one)", e.Path)
}

// Unwrap makes errors.Is(err, domain.ErrNotFound) true: exit 3.
func (e *NoWorkspaceError) Unwrap() error { return domain.ErrNotFound }

// readsOnly is the annotation ReadsOnly sets.
const readsOnly = "pcctl/reads-only"

// ReadsOnly marks a command that only reads the workspace: given a workspace by name that
// does not exist, it fails (exit 3) rather than create an empty one. The default workspace
// is still created on first use.
func ReadsOnly(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[readsOnly] = "true"
	return cmd
}

// IsReadOnly tells whether cmd was marked with ReadsOnly.
func IsReadOnly(cmd *cobra.Command) bool { return cmd.Annotations[readsOnly] == "true" }

// Factory gives commands their dependencies, each built when first asked for and each
// replaceable in tests.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Env       func(string) string
	Now       func() time.Time
	Random    io.Reader

	// Config is set by the root command once flags are parsed.
	Config *config.Config

	Prompter func() prompter.Prompter

	// ReadOnly is set, by the root command, for a command that only reads (ReadsOnly): it
	// does not create a workspace named explicitly that does not exist.
	ReadOnly bool

	opened *sqlite.DB
	jq     *output.JQWriter
	// closers are the other stores opened (a PostgreSQL database), closed by Close.
	closers []io.Closer
	remote  *remote.Client
	// linked is the write-through workspace, once made (Workspace).
	linked *linked.Workspace
	// fixedNow is the PCCTL_NOW clock, zero when the clock is real.
	fixedNow time.Time
}

// New returns the production factory.
func New(ios *iostreams.IOStreams) *Factory {
	f := &Factory{IOStreams: ios, Env: os.Getenv}
	f.Now = func() time.Time { return time.Now().UTC() }
	if s := os.Getenv("PCCTL_NOW"); s != "" {
		// A fixed clock for tests and demos; documented in `pcctl help environment`.
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			f.Now = func() time.Time { return t.UTC() }
			f.fixedNow = t.UTC()
		}
	}
	f.Prompter = func() prompter.Prompter { return prompter.New(ios) }
	return f
}

// OpenLocal opens the local workspace file, creating and migrating it as needed.
func (f *Factory) OpenLocal(ctx context.Context, opts sqlite.Options) (*sqlite.DB, error) {
	if f.opened != nil {
		return f.opened, nil
	}
	if ep := f.Config.Endpoint(); ep != "" {
		return nil, &RemoteError{Endpoint: ep}
	}
	path, isDefault := f.Config.Workspace()
	if path == "" && !isDefault {
		return nil, Usagef("--workspace is empty: name the workspace file")
	}
	if postgres.IsURL(path) {
		return nil, Usagef("this command works on a workspace file, and the workspace is the PostgreSQL database %s (pcctl workspace copy moves a workspace between a file and a database)", postgres.Redact(path))
	}
	if path == "" {
		return nil, errors.New("there is no default place for the workspace: HOME is not set (nor XDG_DATA_HOME, as an absolute path); name the workspace with --workspace or PCCTL_WORKSPACE")
	}
	if f.ReadOnly && !isDefault {
		// Lstat: a dangling symbolic link is reported by Open, which says where it points.
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			if abs, err := filepath.Abs(path); err == nil {
				path = abs
			}
			return nil, &NoWorkspaceError{Path: path}
		}
	}
	opts.Now, opts.Random, opts.CreateFolder = f.Now, f.Random, isDefault
	db, err := sqlite.Open(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	if db.Created() {
		f.IOStreams.Notice("Created a new workspace at %s.", db.Path())
	}
	f.opened = db
	return db, nil
}

// OpenShared opens the local workspace file for `pcctl serve`, creating and migrating it
// as needed; the factory closes it.
func (f *Factory) OpenShared(ctx context.Context) (*sqlite.DB, error) {
	return f.OpenLocal(ctx, sqlite.ForServer(sqlite.Options{}))
}

// OpenDatabase opens the PostgreSQL workspace at dsn for `pcctl serve`, creating and
// migrating its schema as needed; the factory closes it.
func (f *Factory) OpenDatabase(ctx context.Context, dsn string) (*postgres.DB, error) {
	db, err := postgres.Open(ctx, dsn, postgres.Options{Now: f.Now, Random: f.Random})
	if err != nil {
		return nil, err
	}
	if db.Created() {
		f.IOStreams.Notice("Created a new workspace in %s.", db.Where())
	}
	f.closers = append(f.closers, db)
	return db, nil
}

// Database is the workspace's PostgreSQL URL when the workspace (--workspace,
// PCCTL_WORKSPACE, the config) is a database rather than a file, else "".
func (f *Factory) Database() string {
	if f.Config.Endpoint() != "" {
		return ""
	}
	if path, _ := f.Config.Workspace(); postgres.IsURL(path) {
		return path
	}
	return ""
}

// OpenDatabaseAs is OpenDatabase with options (workspace info and migrate open the database
// without migrating it).
func (f *Factory) OpenDatabaseAs(ctx context.Context, dsn string, opts postgres.Options) (*postgres.DB, error) {
	opts.Now, opts.Random = f.Now, f.Random
	db, err := postgres.Open(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	f.closers = append(f.closers, db)
	return db, nil
}

// Remote tells whether the workspace is a pcctl server's (an endpoint is set).
func (f *Factory) Remote() bool { return f.Config.Endpoint() != "" }

// Workspace opens the workspace for the current user: the server's at the endpoint when
// one is set (as the token's user), else the local file (as its owner, who holds every
// role).
func (f *Factory) Workspace(ctx context.Context) (workspace.Workspace, error) {
	if ep := f.Config.Endpoint(); ep != "" {
		if f.remote != nil {
			return f.remote, nil
		}
		token, err := f.Config.Token()
		if err != nil {
			return nil, err
		}
		c, err := remote.New(ep, remote.Options{Token: token, TestNow: f.fixedNow})
		if err != nil {
			return nil, Usagef("%v", err)
		}
		f.remote = c
		return c, nil
	}
	if path, _ := f.Config.Workspace(); postgres.IsURL(path) {
		// A PostgreSQL workspace, worked on directly as its owner (the administrator
		// provisioning users and tokens before any server runs).
		if s, err := f.Config.Get("workspace"); err == nil && s.Source == config.SourceFlag && postgres.HasPassword(path) {
			return nil, Usagef("--workspace holds a password, which every user of this machine can read in the process list: give it in PGPASSWORD or ~/.pgpass (or the whole URL in PCCTL_WORKSPACE)")
		}
		if f.linked != nil {
			return f.linked, nil
		}
		db, err := f.OpenDatabase(ctx, path)
		if err != nil {
			return nil, err
		}
		return f.writeThrough(ctx, db.As(domain.Owner(f.Config.User())))
	}
	if f.linked != nil {
		return f.linked, nil
	}
	db, err := f.OpenLocal(ctx, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	return f.writeThrough(ctx, db.As(domain.Owner(f.Config.User())))
}

// writeThrough is ws itself when it is not linked to a partner tenant, else the
// write-through workspace around it (internal/workspace/linked): the changes Partner
// Center has an API for are made there first, with the signed-in session, loaded on the
// first such change. Not signed in (or signed in to another tenant), those changes are
// refused when made; reads never touch the sign-in.
func (f *Factory) writeThrough(ctx context.Context, ws workspace.Workspace) (workspace.Workspace, error) {
	st, err := ws.SyncState(ctx)
	if err != nil {
		return nil, err
	}
	if st.Tenant == "" {
		return ws, nil
	}
	f.linked = linked.New(ws, linked.Options{Tenant: st.Tenant, TenantName: st.TenantName, Now: f.Now,
		Connect: func(ctx context.Context) (*partnercenter.Client, error) {
			pc, _, err := f.PartnerCenter(ctx, nil)
			return pc, err
		}})
	return f.linked, nil
}

// FilterOutput sends standard output through a --jq expression: the command's output is
// kept, and FinishOutput writes what the expression makes of it.
func (f *Factory) FilterOutput(expr string) error {
	jq, err := output.CompileJQ(expr)
	if err != nil {
		return err
	}
	f.jq = jq.Writer(f.IOStreams.Out)
	f.IOStreams.Out = f.jq
	return nil
}

// FinishOutput runs the --jq expression, if any, over what the command printed. ok is
// false when the command failed: its output is then dropped.
func (f *Factory) FinishOutput(ctx context.Context, ok bool) error {
	if f.jq == nil || !ok {
		return nil
	}
	return f.jq.Finish(ctx)
}

// Close releases what the factory opened.
func (f *Factory) Close() error {
	if f.remote != nil {
		f.remote.Close()
	}
	for _, c := range f.closers {
		c.Close()
	}
	if f.opened != nil {
		return f.opened.Close()
	}
	return nil
}

// CreateOutput starts writing an output file (fileutil.CreateAtomic), refusing a path that
// is the workspace (or its -wal and -shm files) or one of the command's input files:
// written over, they would be lost. "-" is not a file name here.
func (f *Factory) CreateOutput(flag, path string, inputs ...string) (*fileutil.AtomicFile, error) {
	if err := f.checkOutput(flag, path, inputs...); err != nil {
		return nil, err
	}
	return fileutil.CreateAtomic(path)
}

// CreateSecretOutput is CreateOutput for a file that holds a secret (an invitation draft
// holds its acceptance link): the file is 0600 whatever the umask (fileutil.CreateSecret).
func (f *Factory) CreateSecretOutput(flag, path string, inputs ...string) (*fileutil.AtomicFile, error) {
	if err := f.checkOutput(flag, path, inputs...); err != nil {
		return nil, err
	}
	return fileutil.CreateSecret(path)
}

func (f *Factory) checkOutput(flag, path string, inputs ...string) error {
	if path == "-" {
		return Usagef("%s needs a file name ('-' is not one: standard output carries the command's own output)", flag)
	}
	switch strings.ToLower(path) {
	case "json", "ndjson", "csv", "table", "yaml", "text", "tsv":
		// kubectl's and az's -o json: here -o names the output file.
		return Usagef("%s %s would write a file named %s: %s names the output file, and --format the format (--format %s); to write a file of that name, give %s ./%s",
			flag, path, path, flag, strings.ToLower(path), flag, path)
	}
	target, err := os.Stat(path)
	if err == nil {
		if f.Config != nil {
			ws, _ := f.Config.Workspace()
			for _, p := range []string{ws, ws + "-wal", ws + "-shm"} {
				if st, err := os.Stat(p); err == nil && os.SameFile(st, target) {
					return Usagef("%s %s is the workspace file: writing there would destroy the workspace (to copy it, use 'pcctl workspace backup')", flag, path)
				}
			}
		}
		for _, in := range inputs {
			if st, err := os.Stat(in); err == nil && os.SameFile(st, target) {
				return Usagef("%s %s is the file being read: writing there would replace it; choose another name", flag, path)
			}
		}
	}
	return nil
}

// Input is a file a command reads: standard input for "-".
type Input struct {
	io.Reader
	Name    string   // as errors name it: the path, or "stdin"
	Regular *os.File // the file, when it is a regular one (it can be sized and read again)
	close   func() error
}

// Close closes the file (not standard input).
func (in *Input) Close() error {
	if in.close != nil {
		return in.close()
	}
	return nil
}

// OpenInput opens path for reading ("-" is standard input), with plain reasons: "cannot
// read x.csv: it is a folder", "... no such file or directory".
func (f *Factory) OpenInput(path string) (*Input, error) {
	if path == "-" {
		return &Input{Reader: f.IOStreams.In, Name: "stdin"}, nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("cannot read %s: it is a folder", path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, fileutil.PlainErr(err))
	}
	in := &Input{Reader: fh, Name: path, close: fh.Close}
	if st, err := fh.Stat(); err == nil && st.Mode().IsRegular() {
		in.Regular = fh
	}
	return in, nil
}
