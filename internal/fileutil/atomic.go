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
type AtomicFile struct {
	path    string
	tmp     *os.File
	w       *bufio.Writer
	done    bool
	unnamed bool // tmp has no name yet (O_TMPFILE): a killed process leaves nothing
	private bool // committed with mode 0600 (Private)
}

// Private makes the file readable and writable by its owner only (mode 0600) once
// committed: for a file holding a secret, such as a request's single-use link.
func (a *AtomicFile) Private() { a.private = true }

// CreateAtomic starts writing path. It fails at once, before any work is done, when the
// file cannot be written: a missing folder, a folder in the way, no permission.
func CreateAtomic(path string) (*AtomicFile, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("cannot write %s: it is a folder", path)
	}
	if tmp, ok := openUnnamed(filepath.Dir(path)); ok {
		return &AtomicFile{path: path, tmp: tmp, w: bufio.NewWriterSize(tmp, 256<<10), unnamed: true}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, PlainErr(err))
	}
	return &AtomicFile{path: path, tmp: tmp, w: bufio.NewWriterSize(tmp, 256<<10)}, nil
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
		mode := os.FileMode(0o644)
		if a.private {
			mode = 0o600
		}
		err = os.Chmod(name, mode)
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
	if !a.unnamed {
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
