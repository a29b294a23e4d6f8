// Package workspacecmd holds the `pcctl workspace` commands.
package workspacecmd

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/iostreams"
	"github.com/pcctl/pcctl/internal/output"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/postgres"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// NewCmdWorkspace is `pcctl workspace`.
func NewCmdWorkspace(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workspace <command>",
		Short: "Show and maintain the workspace",
		Long: `The workspace holds your customers and everything pcctl records. It is a SQLite file,
found in this order: --workspace PATH, $PCCTL_WORKSPACE, 'workspace' in the config file,
else $XDG_DATA_HOME/pcctl/workspace.db (~/.local/share/pcctl/workspace.db), created on first
use. docs/workspace.md describes its tables for the sqlite3 shell. A team's workspace may
instead be a PostgreSQL database (--workspace postgres://…, docs/postgres.md): info, check,
migrate and backup work on it too, and copy moves a workspace between a file and a database.`,
		Example: `  pcctl workspace info
  pcctl --workspace team.db workspace migrate`,
		GroupID: "admin",
	}
	cmdutil.NounCommand(cmd)
	cmd.AddCommand(newCmdInfo(f), newCmdMigrate(f), newCmdBackup(f), newCmdCheck(f), newCmdCopy(f))
	return cmd
}

var infoFields = []output.Field[workspace.Info]{
	output.StrField("location", "Location", "file path or server address", func(i *workspace.Info) string { return i.Location }),
	output.StrField("kind", "Kind", "local or remote", func(i *workspace.Info) string { return i.Kind }),
	output.IntField("schemaVersion", "Schema version", "schema version of the workspace", func(i *workspace.Info) int64 { return int64(i.SchemaVersion) }),
	output.IntField("latestSchema", "Latest schema", "newest schema version this pcctl knows", func(i *workspace.Info) int64 { return int64(i.LatestSchema) }),
	output.StrField("user", "User", "who you act as", func(i *workspace.Info) string { return i.User }),
	output.IntField("customers", "Customers", "customers", func(i *workspace.Info) int64 { return int64(i.Counts["customers"]) }),
	output.IntField("flagged", "Flagged", "customers you flagged", func(i *workspace.Info) int64 { return int64(i.Counts["flagged"]) }),
	output.IntField("pinned", "Pinned", "customers you pinned", func(i *workspace.Info) int64 { return int64(i.Counts["pinned"]) }),
	output.IntField("sizeBytes", "Size (bytes)", "size of the file and its write-ahead log", func(i *workspace.Info) int64 { return i.SizeBytes }),
	output.StrField("partnerTenant", "Partner tenant", "the Partner Center tenant the workspace is linked to by its first sync (shown once linked)", func(i *workspace.Info) string { return i.PartnerTenant }),
	output.StrField("partnerName", "Partner", "that partner's company name", func(i *workspace.Info) string { return i.PartnerName }),
}

// infoDefaults are the fields shown by default: the link to Partner Center once there is one.
func infoDefaults(i *workspace.Info) []string {
	names := output.FieldNames(infoFields)
	if i.PartnerTenant == "" {
		return names[:len(names)-2]
	}
	return names
}

func newCmdInfo(f *cmdutil.Factory) *cobra.Command {
	var o *output.Options
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show where the workspace is, its schema version and what it holds",
		Example: `  pcctl workspace info
  pcctl workspace info --format json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var ws workspace.Workspace
			if f.Remote() {
				var err error
				if ws, err = f.Workspace(ctx); err != nil {
					return err
				}
			} else if dsn := f.Database(); dsn != "" {
				db, err := f.OpenDatabaseAs(ctx, dsn, postgres.Options{NoMigrate: true})
				if err != nil {
					return err
				}
				ws = db.As(domain.Owner(f.Config.User()))
			} else {
				db, err := f.OpenLocal(ctx, sqlite.Options{NoMigrate: true})
				if err != nil {
					return err
				}
				ws = db.As(domain.Owner(f.Config.User()))
			}
			info, err := ws.Info(ctx)
			if err != nil {
				return err
			}
			if info.SchemaVersion < info.LatestSchema {
				f.IOStreams.Notice("The workspace is at schema version %d; 'pcctl workspace migrate' (or any other command) brings it to %d.", info.SchemaVersion, info.LatestSchema)
			}
			return output.PrintOne(f.IOStreams, o, infoFields, infoDefaults(&info), &info)
		},
	}
	o = output.AddFlags(cmd, nil, output.FieldNames(infoFields))
	return cmd
}

func newCmdMigrate(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring the workspace to this pcctl's schema version",
		Long: `Apply the schema migrations the workspace lacks, each in its own transaction. Every
command does this when it opens the workspace; migrate does it explicitly and says what it
did. A workspace written by a newer pcctl is refused and left unchanged.`,
		Example: `  pcctl workspace migrate`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return migrateRun(cmd.Context(), f)
		},
	}
}

func migrateRun(ctx context.Context, f *cmdutil.Factory) error {
	if dsn := f.Database(); dsn != "" {
		db, err := f.OpenDatabaseAs(ctx, dsn, postgres.Options{NoMigrate: true})
		if err != nil {
			return err
		}
		from, to, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		if from == to {
			fmt.Fprintf(f.IOStreams.Out, "Workspace %s is at schema version %d, the latest: nothing to do.\n", db.Where(), to)
			return nil
		}
		fmt.Fprintf(f.IOStreams.Out, "Migrated workspace %s from schema version %d to %d.\n", db.Where(), from, to)
		return nil
	}
	db, err := f.OpenLocal(ctx, sqlite.Options{NoMigrate: true})
	if err != nil {
		return err
	}
	from, to, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if from == to {
		fmt.Fprintf(f.IOStreams.Out, "Workspace %s is at schema version %d, the latest: nothing to do.\n", db.Path(), to)
		return nil
	}
	fmt.Fprintf(f.IOStreams.Out, "Migrated workspace %s from schema version %d to %d.\n", db.Path(), from, to)
	return nil
}

func newCmdBackup(f *cmdutil.Factory) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "backup FILE [--force]",
		Short: "Write a consistent copy of the workspace",
		Long: `Write a consistent copy of the workspace to FILE (SQLite's VACUUM INTO), even while other
pcctl processes write to it: the copy is one snapshot, compacted. FILE appears only once
complete; an existing FILE is refused unless --force. The copy is a workspace: open it with
--workspace FILE.

When the workspace is a PostgreSQL database (--workspace postgres://…), FILE is a workspace
file holding one snapshot of it (as 'pcctl workspace copy DATABASE FILE'): a copy a team can
open anywhere. The database's own tools (pg_dump, base backups and WAL archiving) remain the
way to back up and restore the database itself.`,
		Example: `  pcctl workspace backup backups/workspace-$(date +%F).db
  pcctl workspace backup nightly.db --force`,
		Args: cmdutil.ExactArgs(1, "the file to write"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dsn := f.Database(); dsn != "" {
				// A database's backup into a workspace file: workspace copy's snapshot.
				if _, err := os.Stat(args[0]); err == nil && !force {
					return fmt.Errorf("%s exists: choose another name, or pass --force to replace it", args[0])
				}
				return copyRun(cmd.Context(), f, &copyOptions{force: true}, dsn, args[0])
			}
			db, err := f.OpenLocal(cmd.Context(), sqlite.Options{})
			if err != nil {
				return err
			}
			size, err := db.Backup(cmd.Context(), args[0], force)
			if err != nil {
				return err
			}
			f.IOStreams.Notice("Backed up workspace %s to %s (%d bytes).", db.Path(), args[0], size)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace FILE if it exists")
	return cmd
}

func newCmdCheck(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check the workspace's integrity",
		Long: `Run SQLite's integrity check and foreign key check on the workspace and report what they
find. Exit code 0 when the workspace is sound, 1 when a problem is found.`,
		Example: `  pcctl workspace check
  pcctl --workspace backups/nightly.db workspace check`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dsn := f.Database(); dsn != "" {
				db, err := f.OpenDatabaseAs(cmd.Context(), dsn, postgres.Options{NoMigrate: true})
				if err != nil {
					return err
				}
				problems, err := db.Check(cmd.Context())
				if err != nil {
					return err
				}
				for _, p := range problems {
					fmt.Fprintln(f.IOStreams.Out, iostreams.Safe(p))
				}
				if len(problems) > 0 {
					return fmt.Errorf("workspace %s has %d problem(s)", db.Where(), len(problems))
				}
				fmt.Fprintf(f.IOStreams.Out, "Workspace %s is sound: search keys and the audit log's protection check out.\n", db.Where())
				return nil
			}
			db, err := f.OpenLocal(cmd.Context(), sqlite.Options{NoMigrate: true})
			if err != nil {
				return err
			}
			problems, err := db.Check(cmd.Context())
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintln(f.IOStreams.Out, iostreams.Safe(p))
			}
			if len(problems) > 0 {
				return fmt.Errorf("workspace %s has %d problem(s); restore it from a backup ('pcctl workspace backup')", db.Path(), len(problems))
			}
			fmt.Fprintf(f.IOStreams.Out, "Workspace %s is sound: integrity and foreign keys check out.\n", db.Path())
			return nil
		},
	}
}
