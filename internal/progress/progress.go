// Package progress shows the progress of long work (imports, exports to a file) on
// stderr, and only when stderr is a terminal: never when it is piped or redirected, nor in
// CI ($CI set) or on a dumb terminal. The bar is drawn by github.com/schollz/progressbar;
// this package keeps the choice of it, and its options, in one place.
//
// A Bar must be finished (Finish) before anything else is written to stderr: Finish
// erases it, so the next message starts on a clean line.
package progress

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/pcctl/pcctl/internal/iostreams"
)

// getenv reads the environment (replaced in tests).
var getenv = os.Getenv

// showAfter is how long work runs before its bar appears: quick commands never flash one.
var showAfter = 300 * time.Millisecond

// Bar is the progress of one piece of work. The zero of every method is safe on a nil or
// disabled Bar.
type Bar struct {
	mu       sync.Mutex
	ios      *iostreams.IOStreams
	total    int64 // <= 0: unknown, a spinner
	bytes    bool
	desc     string
	start    time.Time
	done     int64                    // counted so far
	shown    int64                    // passed on to pb
	pb       *progressbar.ProgressBar // nil until shown
	finished bool
}

// Enabled reports whether progress is shown on these streams: stderr is a terminal, $CI is
// not set and $TERM is not "dumb".
func Enabled(ios *iostreams.IOStreams) bool {
	return ios != nil && ios.IsStderrTTY() && getenv("CI") == "" && getenv("TERM") != "dumb"
}

// New is the progress of total items (rows); total <= 0 when unknown shows a spinner and
// the count so far. When progress is not shown (Enabled), the Bar does nothing.
func New(ios *iostreams.IOStreams, total int64, description string) *Bar {
	return newBar(ios, total, description, false)
}

// NewBytes is the progress of reading total bytes; total <= 0 when unknown shows a spinner.
func NewBytes(ios *iostreams.IOStreams, total int64, description string) *Bar {
	return newBar(ios, total, description, true)
}

func newBar(ios *iostreams.IOStreams, total int64, description string, bytes bool) *Bar {
	if !Enabled(ios) {
		return nil
	}
	return &Bar{ios: ios, total: total, bytes: bytes, desc: description, start: time.Now()}
}

// Add counts n more items (or bytes) done.
func (b *Bar) Add(n int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.done += n
	if b.pb == nil {
		if time.Since(b.start) < showAfter {
			return
		}
		b.show()
		n = b.done
	}
	if b.total > 0 {
		// The bar stops short of 100% until Finish: reaching it would erase the bar while
		// the work (a commit, a rename) goes on.
		n = min(n, b.total-1-b.shown)
		if n <= 0 {
			return
		}
	}
	b.shown += n
	_ = b.pb.Add64(n)
}

func (b *Bar) show() {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(b.ios.ErrOut),
		progressbar.OptionSetDescription(b.desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: " ", BarStart: "[", BarEnd: "]"}),
	}
	if b.bytes {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else {
		opts = append(opts, progressbar.OptionSetItsString("rows"), progressbar.OptionShowIts())
	}
	total := b.total
	if total <= 0 {
		total = -1
	}
	b.pb = progressbar.NewOptions64(total, opts...)
}

// Finish erases the bar (when it was shown) and stops it; later calls do nothing. Call it
// before printing the work's summary, and on every error path (defer it).
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	if b.pb != nil {
		_ = b.pb.Finish() // with OptionClearOnFinish, this erases the line
		_ = b.pb.Exit()
	}
}

// Reader counts the bytes read through it into a Bar attached later: a file's header can
// be read, and notices about it printed, before the bar exists.
type Reader struct {
	r   io.Reader
	n   int64
	bar *Bar
}

// NewReader wraps r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// Attach sends the bytes read so far, and from now on, to bar (which may be nil).
func (c *Reader) Attach(bar *Bar) {
	c.bar = bar
	bar.Add(c.n)
}

// Read reads from the wrapped reader.
func (c *Reader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.bar != nil && n > 0 {
		c.bar.Add(int64(n))
	}
	return n, err
}

// Size is the size of what r reads when it is a regular file (a file named on the command
// line, or standard input redirected from one), else -1.
func Size(r io.Reader) int64 {
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return st.Size()
		}
	}
	return -1
}
