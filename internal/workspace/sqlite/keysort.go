package sqlite

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/pcctl/pcctl/internal/domain"
)

// searchKey is one row of customer_search.
type searchKey struct {
	nameKey, key string
	pk           int64
}

// compareKeys orders keys as customer_search's primary key does: (prefix, name_key,
// customer, key).
func compareKeys(a, b searchKey) int {
	if c := strings.Compare(domain.KeyPrefix(a.key), domain.KeyPrefix(b.key)); c != 0 {
		return c
	}
	if c := strings.Compare(a.nameKey, b.nameKey); c != 0 {
		return c
	}
	if c := cmp.Compare(a.pk, b.pk); c != 0 {
		return c
	}
	return strings.Compare(a.key, b.key)
}

// keySorter sorts search keys in bounded memory: keys gather in a chunk; a full chunk is
// sorted and written to a temporary file (a run); at the end the runs are merged. A bulk
// import of a million customers makes about 4.7 million keys: held at once they took
// several hundred megabytes.
type keySorter struct {
	chunk   []searchKey
	max     int
	runs    []*os.File
	scratch []byte
}

// defaultChunkKeys bounds the keys held in memory (about 40 MB of them).
const defaultChunkKeys = 1 << 20

func newKeySorter(limit int) *keySorter { return &keySorter{max: limit} }

func (s *keySorter) add(k searchKey) error {
	s.chunk = append(s.chunk, k)
	if len(s.chunk) >= s.max {
		return s.spill()
	}
	return nil
}

// spill sorts the chunk and writes it as a run: per key, the lengths and bytes of name_key
// and key, and the customer, as varints.
func (s *keySorter) spill() error {
	slices.SortFunc(s.chunk, compareKeys)
	f, err := os.CreateTemp("", "pcctl-keys-*.run")
	if err != nil {
		return fmt.Errorf("sorting search keys: %w", err)
	}
	os.Remove(f.Name()) // unlinked: the space is freed whatever happens to the process
	s.runs = append(s.runs, f)
	w := bufio.NewWriterSize(f, 256<<10)
	for _, k := range s.chunk {
		b := s.scratch[:0]
		b = binary.AppendUvarint(b, uint64(len(k.nameKey)))
		b = append(b, k.nameKey...)
		b = binary.AppendUvarint(b, uint64(len(k.key)))
		b = append(b, k.key...)
		b = binary.AppendUvarint(b, uint64(k.pk))
		s.scratch = b
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("sorting search keys: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("sorting search keys: %w", err)
	}
	clear(s.chunk)
	s.chunk = s.chunk[:0]
	return nil
}

// each calls fn with every key in order.
func (s *keySorter) each(fn func(searchKey) error) error {
	if len(s.runs) == 0 {
		slices.SortFunc(s.chunk, compareKeys)
		for _, k := range s.chunk {
			if err := fn(k); err != nil {
				return err
			}
		}
		return nil
	}
	if len(s.chunk) > 0 {
		if err := s.spill(); err != nil {
			return err
		}
	}
	h := &runHeap{}
	for _, f := range s.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		r := &run{r: bufio.NewReaderSize(f, 64<<10)}
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			h.runs = append(h.runs, r)
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		r := h.runs[0]
		if err := fn(r.head); err != nil {
			return err
		}
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return nil
}

func (s *keySorter) close() {
	for _, f := range s.runs {
		f.Close()
	}
	s.runs, s.chunk = nil, nil
}

// run reads one sorted run back.
type run struct {
	r    *bufio.Reader
	head searchKey
}

func (r *run) next() (bool, error) {
	n, err := binary.ReadUvarint(r.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	readString := func(n uint64) (string, error) {
		b := make([]byte, n)
		_, err := io.ReadFull(r.r, b)
		return string(b), err
	}
	nameKey, err := readString(n)
	if err != nil {
		return false, err
	}
	if n, err = binary.ReadUvarint(r.r); err != nil {
		return false, err
	}
	key, err := readString(n)
	if err != nil {
		return false, err
	}
	pk, err := binary.ReadUvarint(r.r)
	if err != nil {
		return false, errors.Join(errors.New("truncated search-key run"), err)
	}
	r.head = searchKey{nameKey: nameKey, key: key, pk: int64(pk)}
	return true, nil
}

type runHeap struct{ runs []*run }

func (h *runHeap) Len() int           { return len(h.runs) }
func (h *runHeap) Less(i, j int) bool { return compareKeys(h.runs[i].head, h.runs[j].head) < 0 }
func (h *runHeap) Swap(i, j int)      { h.runs[i], h.runs[j] = h.runs[j], h.runs[i] }
func (h *runHeap) Push(x any)         { h.runs = append(h.runs, x.(*run)) }
func (h *runHeap) Pop() any {
	last := h.runs[len(h.runs)-1]
	h.runs = h.runs[:len(h.runs)-1]
	return last
}
