// Package app is pcctl's real main: it builds the command tree, runs it, and turns the
// outcome into a message and an exit code. Tests call Main in-process.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/pcctl/pcctl/internal/cmd/root"
	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/iostreams"
)

// Main runs pcctl with the process's arguments and streams and returns the exit code.
func Main() int {
	if path := os.Getenv("PCCTL_CPUPROFILE"); path != "" {
		// For performance work: a CPU profile of the whole run (go tool pprof).
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	if path := os.Getenv("PCCTL_MEMPROFILE"); path != "" {
		// A heap profile (allocations, and what is in use at the end) of the whole run.
		runtime.MemProfileRate = 64 << 10
		defer func() {
			if f, err := os.Create(path); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				_ = f.Close()
			}
		}()
	}
	ios := iostreams.System()
	return Run(cmdutil.New(ios), os.Args[1:])
}

// Run runs pcctl with the given factory and arguments.
func Run(f *cmdutil.Factory, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := root.NewCmdRoot(f)
	cmd.SetArgs(args)
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	err := cmd.ExecuteContext(ctx)
	if ferr := f.FinishOutput(ctx, err == nil || cmdutil.ExitCode(err) == cmdutil.ExitPartial); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		return cmdutil.ExitOK
	}
	if msg, ok := cmdutil.InterruptedMsg(err); ok && ctx.Err() != nil {
		fmt.Fprintln(f.IOStreams.ErrOut, "Interrupted: "+iostreams.Safe(msg))
		return 130
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		fmt.Fprintln(f.IOStreams.ErrOut, "Interrupted: nothing was changed by the interrupted command.")
		return 130
	}
	code := cmdutil.ExitCode(err)
	// An error may name what the workspace or Partner Center holds: never raw on a terminal.
	msg := iostreams.Safe(err.Error())
	if code == cmdutil.ExitPartial {
		// Not an error: the command did its work, and says what it left out.
		fmt.Fprintln(f.IOStreams.ErrOut, msg)
		return code
	}
	if code == cmdutil.ExitFailure && isCobraUsage(msg) {
		code = cmdutil.ExitUsage
		// cobra's suggestions, on lines of their own, become one clause of the line.
		if head, names, ok := strings.Cut(msg, "\n\nDid you mean this?\n"); ok {
			msg = head + " (did you mean " + cmdutil.JoinOr(strings.Fields(names)) + "?)"
		}
		msg += "; see 'pcctl --help'"
	}
	f.IOStreams.Notice("Error: %s", msg) // on a terminal, long lines break between words
	return code
}

// isCobraUsage recognises the usage errors cobra makes itself (unknown commands).
func isCobraUsage(msg string) bool {
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown shorthand flag") ||
		strings.HasPrefix(msg, "unknown flag")
}
