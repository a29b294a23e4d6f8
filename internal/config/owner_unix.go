//go:build unix

package config

import (
	"os"
	"syscall"
)

// owner is the uid of a file's owner.
func owner(st os.FileInfo) (int, bool) {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(sys.Uid), true
	}
	return 0, false
}
