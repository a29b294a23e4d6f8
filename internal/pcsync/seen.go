package pcsync

import (
	"encoding/hex"
	"iter"
	"strings"
)

// seenSet holds the IDs a dry run's pass saw, for its last step to count what would end.
// A customer ID is a lowercase tenant GUID: kept as its 16 bytes (16 MB for a million
// customers, instead of about 60 MB as strings), in chunks of a fixed size (a slice grown
// by appending would copy itself, twice the memory for a while); any other ID as it is.
type seenSet struct {
	guids [][][16]byte
	other []string
}

const seenChunk = 1 << 16

func (s *seenSet) add(id string) {
	if g, ok := packGUID(id); ok {
		if n := len(s.guids); n == 0 || len(s.guids[n-1]) == seenChunk {
			s.guids = append(s.guids, make([][16]byte, 0, seenChunk))
		}
		s.guids[len(s.guids)-1] = append(s.guids[len(s.guids)-1], g)
		return
	}
	s.other = append(s.other, strings.Clone(id)) // a copy: a page's strings may share its buffer (partnercenter)
}

func (s *seenSet) len() int {
	n := len(s.other)
	for _, c := range s.guids {
		n += len(c)
	}
	return n
}

// all yields every ID added, each as it was given.
func (s *seenSet) all() iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, c := range s.guids {
			for _, g := range c {
				if !yield(unpackGUID(g)) {
					return
				}
			}
		}
		for _, id := range s.other {
			if !yield(id) {
				return
			}
		}
	}
}

// packGUID reads a GUID written 8-4-4-4-12 in lowercase hexadecimal digits, exactly as
// unpackGUID writes it back.
func packGUID(s string) (g [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i--
			continue
		}
		hi, ok1 := lowerHex(s[i])
		lo, ok2 := lowerHex(s[i+1])
		if !ok1 || !ok2 {
			return g, false
		}
		g[j] = hi<<4 | lo
		j++
	}
	return g, j == 16
}

func lowerHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func unpackGUID(g [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], g[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], g[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], g[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], g[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], g[10:16])
	return string(b[:])
}
