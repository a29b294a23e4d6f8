// Package fileutil writes files so that readers never see half of one.
package fileutil

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// AtomicFile is a file written through a temporary file in the same folder and renamed
// over its path by Commit only. Until then, or if the process dies, the path keeps its old
// content (or stays absent).
//
// What is at the path decides how it is written (issue 14, items 2 and 8):
//   - nothing: a new regular file, with the mode the umask gives (0600 for a secret);
//   - a regular file: replaced by the rename, keeping its mode (0600 for a secret);
//   - a device, a FIFO or a socket (/dev/null, /dev/stdout, a named pipe): written in place,
//     streamed, never replaced;
//   - a symbolic link: refused (renaming over it would replace the link, and following it
//     would let whoever can write the folder choose where pcctl writes);
//   - a folder: refused.
type AtomicFile struct {
	path    string
	tmp     *os.File
	w       *bufio.Writer
	done    bool
	unnamed bool // tmp has no name yet (O_TMPFILE): a killed process leaves nothing
	inPlace bool // tmp is the device or FIFO itself: no rename
	mode    os.FileMode
}

// CreateAtomic starts writing path. It fails at once, before any work is done, when the
// file cannot be written: a missing folder, a folder or a symbolic link in the way, no
// permission. A new file gets the mode the umask gives, a replaced one keeps its mode.
func CreateAtomic(path string) (*AtomicFile, error) { return create(path, false) }

// CreateSecret is CreateAtomic for a file that holds secrets (a backup, a draft holding an
// acceptance link): the file is 0600, whatever the umask or the mode of the file replaced.
func CreateSecret(path string) (*AtomicFile, error) { return create(path, true) }

// CheckTarget says how path would be written: inPlace for a device, FIFO or socket, mode
// the mode a regular file gets, or an error for a folder or a symbolic link.
func CheckTarget(path string, secret bool) (inPlace bool, mode os.FileMode, err error) {
	mode = 0o666 &^ umask()
	if secret {
		mode = 0o600
	}
	st, err := os.Lstat(path)
	switch {
	case err != nil:
		return false, mode, nil // absent, or unreadable: creating the file says why
	case st.IsDir():
		return false, 0, fmt.Errorf("cannot write %s: it is a folder", path)
	case st.Mode()&fs.ModeSymlink != 0:
		to, _ := os.Readlink(path)
		return false, 0, fmt.Errorf("cannot write %s: it is a symbolic link (to %s); pcctl does not write through links: name the file itself", path, to)
	case !st.Mode().IsRegular():
		return true, 0, nil
	case !secret:
		mode = st.Mode().Perm()
	}
	return false, mode, nil
}

func create(path string, secret bool) (*AtomicFile, error) {
	inPlace, mode, err := CheckTarget(path, secret)
	if err != nil {
		return nil, err
	}
	if inPlace {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("cannot write %s: %w", path, PlainErr(err))
		}
		return &AtomicFile{path: path, tmp: f, w: bufio.NewWriterSize(f, 256<<10), inPlace: true}, nil
	}
	if tmp, ok := openUnnamed(filepath.Dir(path)); ok {
		return &AtomicFile{path: path, tmp: tmp, w: bufio.NewWriterSize(tmp, 256<<10), unnamed: true, mode: mode}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, PlainErr(err))
	}
	return &AtomicFile{path: path, tmp: tmp, w: bufio.NewWriterSize(tmp, 256<<10), mode: mode}, nil
}

// PlainErr is err without its operation and path: "no such file or directory" rather
// than "open /x/y: no such file or directory", for messages that name the file already.
func PlainErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Write writes to the temporary file.
func (a *AtomicFile) Write(p []byte) (int, error) { return a.w.Write(p) }

// Commit flushes, syncs and renames the file into place.
func (a *AtomicFile) Commit() error {
	if a.done {
		return errors.New("file already committed or aborted")
	}
	a.done = true
	err := a.w.Flush()
	if a.inPlace {
		if cerr := a.tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", a.path, PlainErr(err))
		}
		return nil
	}
	if err == nil {
		err = a.tmp.Sync()
	}
	name := a.tmp.Name()
	if err == nil && a.unnamed {
		// Give the file a hidden name beside the target, then rename it over the target:
		// only a kill between the two leaves a temporary file.
		name, err = a.linkHidden()
	}
	if cerr := a.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, a.mode)
	}
	if err == nil {
		err = os.Rename(name, a.path)
	}
	if err != nil {
		if name != "" && !(a.unnamed && name == a.tmp.Name()) {
			os.Remove(name)
		}
		return fmt.Errorf("writing %s: %w", a.path, PlainErr(err))
	}
	return nil
}

// Abort removes the temporary file; the path is left as it was. It does nothing after
// Commit, so it can be deferred.
func (a *AtomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.tmp.Close()
	if !a.unnamed && !a.inPlace {
		os.Remove(a.tmp.Name())
	}
}

// linkHidden names the unnamed file ".BASE.RANDOM.tmp" beside the target.
func (a *AtomicFile) linkHidden() (string, error) {
	for range 10 {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		name := filepath.Join(filepath.Dir(a.path), fmt.Sprintf(".%s.%x.tmp", filepath.Base(a.path), b))
		err := linkUnnamed(a.tmp, name)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", errors.New("no free temporary name")
}
