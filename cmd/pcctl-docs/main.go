// Command pcctl-docs generates pcctl's man pages (section 1, one per command) from the
// command tree with cobra's doc package: `make manpages` runs it into man/. With
// -markdown DIR it writes the markdown command reference instead (one file per command,
// no date, so the output only changes with the tree): `make docs` runs it into
// docs/commands/, which is tracked and checked for staleness by internal/app's tests.
//
// The output is reproducible: no "auto generated" footer, and the date comes from
// -date, else SOURCE_DATE_EPOCH, else the build's VCS time, else today.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/pcctl/pcctl/internal/buildinfo"
	"github.com/pcctl/pcctl/internal/cmd/root"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/iostreams"
)

func main() {
	version, _, _ := buildinfo.Get()
	dir := flag.String("dir", "man", "folder to write the man pages into (created if missing)")
	flag.StringVar(&version, "version", version, `version named in the pages' footer ("pcctl VERSION")`)
	date := flag.String("date", "", "date in the pages' footer, YYYY-MM-DD (default $SOURCE_DATE_EPOCH, the build's VCS time, or today)")
	markdown := flag.String("markdown", "", "write the markdown command reference into this folder instead of man pages")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: pcctl-docs [-dir DIR] [-version V] [-date YYYY-MM-DD] | pcctl-docs -markdown DIR")
		os.Exit(2)
	}
	if *markdown != "" {
		if err := genMarkdown(*markdown); err != nil {
			fmt.Fprintln(os.Stderr, "pcctl-docs:", err)
			os.Exit(1)
		}
		return
	}
	when, err := pageDate(*date)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pcctl-docs:", err)
		os.Exit(2)
	}
	if err := genManPages(*dir, version, when); err != nil {
		fmt.Fprintln(os.Stderr, "pcctl-docs:", err)
		os.Exit(1)
	}
}

// genMarkdown writes one markdown page per available command of pcctl's tree into dir
// (pcctl.md, pcctl_customers.md, pcctl_customers_import.md, ...), linked to each other.
func genMarkdown(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cmd := root.NewCmdRoot(cmdutil.New(iostreams.System()))
	cmd.DisableAutoGenTag = true
	cmd.InitDefaultHelpCmd()
	cmd.InitDefaultCompletionCmd()
	return doc.GenMarkdownTree(cmd, dir)
}

// genManPages writes one man page per available command of pcctl's tree into dir.
func genManPages(dir, version string, date time.Time) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cmd := root.NewCmdRoot(cmdutil.New(iostreams.System()))
	cmd.DisableAutoGenTag = true
	cmd.InitDefaultHelpCmd()
	cmd.InitDefaultCompletionCmd()
	// The title is left empty so that each page gets its own (PCCTL for the root page,
	// PCCTL-CUSTOMERS-IMPORT for `pcctl customers import`, ...).
	header := &doc.GenManHeader{
		Section: "1",
		Source:  "pcctl " + version,
		Manual:  "pcctl manual",
		Date:    &date,
	}
	return doc.GenManTree(cmd, header, dir)
}

func pageDate(flagValue string) (time.Time, error) {
	if flagValue != "" {
		return time.Parse(time.DateOnly, flagValue)
	}
	if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		secs, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a number of seconds", epoch)
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	if _, _, d := buildinfo.Get(); d != "unknown" {
		if t, err := time.Parse(time.RFC3339, d); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Now().UTC(), nil
}
