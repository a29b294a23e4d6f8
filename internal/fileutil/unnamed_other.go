//go:build !linux

package fileutil

import (
	"errors"
	"os"
)

// openUnnamed is Linux only (O_TMPFILE): elsewhere the temporary file has a name.
func openUnnamed(string) (*os.File, bool) { return nil, false }

func linkUnnamed(*os.File, string) error { return errors.New("unnamed files are Linux only") }

// umask is 022 where /proc cannot say (the usual default; Windows ignores it).
func umask() os.FileMode { return 0o022 }
