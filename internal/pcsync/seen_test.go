package pcsync

import (
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
	if len(s.guids) != 3 || s.len() != len(ids) {
		t.Errorf("%d packed of %d", len(s.guids), s.len())
	}
	got := slices.Collect(s.all())
	slices.Sort(got)
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
