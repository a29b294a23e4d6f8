package workspacecmd

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/progress"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/postgres"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

type copyOptions struct {
	force bool
}

func newCmdCopy(f *cmdutil.Factory) *cobra.Command {
	o := &copyOptions{}
	cmd := &cobra.Command{
		Use:   "copy SOURCE TARGET [--force]",
		Short: "Copy a workspace between a file and a PostgreSQL database",
		Long: `Copy every record of the workspace SOURCE into TARGET, each a workspace file or a PostgreSQL
database (postgres://USER@HOST:PORT/DB; the password from PGPASSWORD or ~/.pgpass): how a
team moves from a file to a database for 'pcctl serve --database', and back (a database's
backup into a file). What is copied is one snapshot of SOURCE, consistent even while servers
write to it; TARGET receives all of it or, on any failure, nothing. Users, tokens and the
audit log are copied as they are.

TARGET must be empty (a new file, an empty database): a workspace holding records is
refused unless --force, which replaces everything it holds. A file TARGET is created when
missing. A progress bar shows on a terminal; the rows copied are counted by table.`,
		Example: `  pcctl workspace copy ~/.local/share/pcctl/workspace.db postgres://pcctl@db.internal/pcctl
  pcctl workspace copy postgres://pcctl@db.internal/pcctl backups/team-$(date +%F).db
  pcctl workspace copy team.db postgres://pcctl@db.internal/pcctl --force`,
		Args: cmdutil.ExactArgs(2, "the source and target workspaces"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return copyRun(cmd.Context(), f, o, args[0], args[1])
		},
	}
	cmd.Flags().BoolVar(&o.force, "force", false, "replace what TARGET holds")
	return cmd
}

// store is a workspace a copy reads or writes.
type store interface {
	workspace.Snapshotter
	workspace.Loader
	Close() error
}

func openStore(ctx context.Context, f *cmdutil.Factory, arg string, mustExist bool) (store, string, error) {
	if postgres.IsURL(arg) {
		db, err := postgres.Open(ctx, arg, postgres.Options{Now: f.Now, Random: f.Random})
		if err != nil {
			return nil, "", err
		}
		return db, db.Where(), nil
	}
	db, err := sqlite.Open(ctx, arg, sqlite.Options{Now: f.Now, Random: f.Random, MustExist: mustExist})
	if err != nil {
		return nil, "", err
	}
	return db, db.Path(), nil
}

func copyRun(ctx context.Context, f *cmdutil.Factory, o *copyOptions, source, target string) error {
	if !postgres.IsURL(source) && !postgres.IsURL(target) {
		return cmdutil.Usagef("copy moves a workspace between a file and a PostgreSQL database: to copy a file, use 'pcctl workspace backup'")
	}
	for _, arg := range []string{source, target} {
		if postgres.IsURL(arg) && postgres.HasPassword(arg) {
			return cmdutil.Usagef("%s holds a password, which every user of this machine can read in the process list: give it in PGPASSWORD or ~/.pgpass", postgres.Redact(arg))
		}
	}
	if source == target || !postgres.IsURL(source) && !postgres.IsURL(target) && sameFile(source, target) {
		return cmdutil.Usagef("SOURCE and TARGET are the same workspace")
	}
	src, srcName, err := openStore(ctx, f, source, true)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, dstName, err := openStore(ctx, f, target, false)
	if err != nil {
		return err
	}
	defer dst.Close()
	if !o.force {
		empty, err := dst.Empty(ctx)
		if err != nil {
			return err
		}
		if !empty {
			return &domain.RuleError{Rule: "target-not-empty", Msg: fmt.Sprintf(
				"workspace %s holds records already: copy into an empty one, or pass --force to replace everything it holds", dstName)}
		}
	}
	start := time.Now()
	var bar *progress.Bar
	counts, err := workspace.Copy(ctx, src, dst, workspace.CopyProgress{
		Total: func(n int64) { bar = progress.New(f.IOStreams, n, "Copying") },
		Add:   func(n int64) { bar.Add(n) },
	})
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return fmt.Errorf("copying %s to %s: %w (nothing was written to %s)", srcName, dstName, err, dstName)
	}
	var total int64
	for _, c := range counts {
		fmt.Fprintf(f.IOStreams.Out, "%-22s %10d\n", c.Table, c.Rows)
		total += c.Rows
	}
	f.IOStreams.Notice("Copied %d rows from %s to %s in %s.", total, srcName, dstName, time.Since(start).Round(100*time.Millisecond))
	return nil
}

func sameFile(a, b string) bool {
	x, err1 := filepath.Abs(a)
	y, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && x == y
}
