package pcsync

import (
	"fmt"
	"slices"
	"testing"
)

func TestSeenSetGivesBackEveryID(t *testing.T) {
	ids := []string{"b44bb1fb-c595-45b0-9e09-d657365580bf", "00000000-0000-4000-8000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
		"B44BB1FB-C595-45B0-9E09-D657365580BF", "b44bb1fb-c595-45b0-9e09-d657365580b", "b44bb1fbxc595-45b0-9e09-d657365580bf",
		"b44bb1fb-c595-45b0-9e09-d657365580bg", "4847383", "", "{b44bb1fb-c595-45b0-9e09-d657365580bf}"}
	var s seenSet
	for _, id := range ids {
		s.add(id)
	}
	if len(s.other) != len(ids)-3 || s.len() != len(ids) {
		t.Errorf("%d kept as strings of %d", len(s.other), s.len())
	}
	got := slices.Collect(s.all())
	slices.Sort(got)
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestSeenSetManyChunks(t *testing.T) {
	var s seenSet
	n := 2*seenChunk + 10
	for i := range n {
		s.add(fmt.Sprintf("00000000-0000-4000-8000-%012x", i))
	}
	if len(s.guids) != 3 || s.len() != n {
		t.Fatalf("%d chunks, %d IDs", len(s.guids), s.len())
	}
	i := 0
	for id := range s.all() {
		if want := fmt.Sprintf("00000000-0000-4000-8000-%012x", i); id != want {
			t.Fatalf("ID %d: %s, want %s", i, id, want)
		}
		i++
	}
	if i != n {
		t.Errorf("%d IDs given back, want %d", i, n)
	}
}
