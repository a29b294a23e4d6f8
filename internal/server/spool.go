package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
)

// An import's body is read whole, before the workspace's write transaction begins, into a
// temporary file (spooled): the write lock is never held while the server waits on the
// network (issue 14, item 3). Each line is bounded (MaxImportLine: 413 past it) and so is
// the server's memory whatever a client sends (item 4); a body that sends nothing for
// ImportIdleTimeout is dropped (408).

// MaxImportLine bounds one line (one row) of an import's body.
const MaxImportLine = 1 << 20

// DefaultImportIdleTimeout is how long an import's body may send nothing before the
// server gives up on it.
const DefaultImportIdleTimeout = 30 * time.Second

type principalKey struct{}

// principalOf is the request's principal, as handle found it.
func principalOf(r *http.Request) domain.Principal {
	p, _ := r.Context().Value(principalKey{}).(domain.Principal)
	return p
}

// refuseUnread prepares the answer to an import refused before its body is read: the
// connection is closed after it, so that the server neither reads the rest of the body
// (the client may keep it open, waiting for the answer) nor serves another request after it.
func refuseUnread(w http.ResponseWriter) { w.Header().Set("Connection", "close") }

// idleReader reads a request body with a read deadline renewed at each read: a client
// that stops sending is cut off after idle, whatever the body's size.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (ir *idleReader) Read(p []byte) (int, error) {
	_ = ir.rc.SetReadDeadline(time.Now().Add(ir.idle))
	n, err := ir.r.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		err = api.NewError(api.CodeTimeout, fmt.Sprintf("the import's body sent nothing for %s: the server stopped waiting, nothing was imported", ir.idle))
	}
	return n, err
}

// importBody is the network side of an import: lines of at most MaxImportLine bytes, with
// an idle timeout and the body's size limit.
func (s *Server) importBody(w http.ResponseWriter, r *http.Request, rc *http.ResponseController) *lineReader {
	body := &idleReader{r: http.MaxBytesReader(w, r.Body, s.opts.MaxImportBytes), rc: rc, idle: s.opts.ImportIdleTimeout}
	return &lineReader{r: bufio.NewReaderSize(body, 64<<10)}
}

// drainAfterRefusal is how much of a refused import's body the server still reads (and
// discards) before answering, so that the answer reaches a client that is still sending.
const drainAfterRefusal = 8 << 20

// lineReader reads lines bounded by MaxImportLine.
type lineReader struct {
	r    *bufio.Reader
	line []byte
	n    int // lines read
}

// errLineTooLong answers a line over MaxImportLine: 413.
func errLineTooLong(n int) error {
	return api.NewError(api.CodeTooLarge, fmt.Sprintf("line %d of the import's body is longer than %d bytes (1 MiB): nothing was imported", n, MaxImportLine))
}

// next returns the next line without its end of line (spaces trimmed), blank lines
// skipped; io.EOF at the end. The line is valid until the next call.
func (lr *lineReader) next() ([]byte, error) {
	for {
		lr.n++
		line, err := lr.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			lr.line = append(lr.line[:0], line...)
			for err == bufio.ErrBufferFull {
				if len(lr.line) > MaxImportLine {
					return nil, errLineTooLong(lr.n)
				}
				line, err = lr.r.ReadSlice('\n')
				lr.line = append(lr.line, line...)
			}
			line = lr.line
		}
		if len(line) > MaxImportLine+2 { // the end of line is not counted
			return nil, errLineTooLong(lr.n)
		}
		if err != nil && !(err == io.EOF && len(bytes.TrimSpace(line)) > 0) {
			return nil, err
		}
		line = bytes.TrimSpace(line)
		if len(line) > 0 {
			return line, nil
		}
	}
}

// spool copies the body's lines to a temporary file up to and including its end line
// ({"end":N}) or the body's end, and returns the file, rewound. The file has no name
// left once opened where the system allows it; closing it removes it everywhere.
func spool(lr *lineReader) (_ *os.File, err error) {
	f, err := os.CreateTemp("", "pcctl-import-*.ndjson")
	if err != nil {
		return nil, fmt.Errorf("spooling the import's body: %w", err)
	}
	os.Remove(f.Name()) // where the system allows it: the open file stays readable, a crash leaves nothing
	defer func() {
		if err != nil {
			closeSpool(f)
		}
	}()
	w := bufio.NewWriterSize(f, 64<<10)
	for {
		line, err := lr.next()
		if err == io.EOF {
			break // the readers of the spool say what is missing
		}
		if err != nil {
			var apiErr *api.Error
			var tooLarge *http.MaxBytesError
			if !errors.As(err, &apiErr) && !errors.As(err, &tooLarge) {
				err = api.NewError(api.CodeBadRequest, fmt.Sprintf("the import's body was cut short (%v): nothing was imported", err))
			} else if apiErr != nil {
				// A line too long: read on a little (discarded, in constant memory) so that a
				// client still sending reads the 413 instead of a reset connection.
				io.CopyN(io.Discard, lr.r, drainAfterRefusal)
			}
			return nil, err
		}
		w.Write(line)
		if err := w.WriteByte('\n'); err != nil {
			return nil, fmt.Errorf("spooling the import's body: %w", err)
		}
		if isEndLine(line) {
			break
		}
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("spooling the import's body: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return f, nil
}

// closeSpool closes the spool and removes it where the system could not while it was open.
func closeSpool(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// isEndLine reports whether line is the end line {"end":N} of an import's body.
func isEndLine(line []byte) bool {
	if len(line) == 0 || line[0] != '{' || !bytes.Contains(line, []byte(`"end"`)) {
		return false
	}
	var it struct {
		End *int `json:"end"`
	}
	return json.Unmarshal(line, &it) == nil && it.End != nil
}
