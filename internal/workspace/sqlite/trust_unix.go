//go:build unix

package sqlite

import (
	"fmt"
	"os"
	"syscall"
)

// checkTrusted refuses a workspace file that another user may change (issue 14, item 9):
// one that every user may write, or one owned by another user. Whoever can write the file
// can add a user or the hash of an access token of their own, and act as anyone through
// pcctl serve.
func checkTrusted(path string, st os.FileInfo) error {
	if st.Mode().Perm()&0o002 != 0 {
		return &OpenError{Path: path, Reason: fmt.Sprintf(
			"can be written by every user (mode %04o): anyone could add a user or an access token to it. Make it private with 'chmod 600 %s', and check that nobody changed it ('pcctl audit list', 'pcctl user list', 'pcctl token list')",
			uint32(st.Mode().Perm()), path)}
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		return &OpenError{Path: path, Reason: fmt.Sprintf(
			"is owned by another user (uid %d), who could change it: run pcctl as that user, or copy the workspace ('pcctl workspace backup' as its owner) and use the copy",
			sys.Uid)}
	}
	return nil
}
