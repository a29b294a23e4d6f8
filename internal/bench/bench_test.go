package bench

import (
	"slices"
	"testing"
	"time"
	"unicode/utf8"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	for _, tc := range []struct {
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 95, 7 * time.Millisecond},
		{ms(3, 1, 2), 50, 2 * time.Millisecond},
		{ms(4, 1, 3, 2), 50, 2500 * time.Microsecond},
		{ms(1, 2, 3, 4, 5), 0, 1 * time.Millisecond},
		{ms(1, 2, 3, 4, 5), 100, 5 * time.Millisecond},
		{ms(1, 2, 3, 4, 5), 75, 4 * time.Millisecond},
		{ms(10, 20), 95, 19500 * time.Microsecond},
	} {
		in := slices.Clone(tc.samples)
		if got := Percentile(tc.samples, tc.p); got != tc.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tc.samples, tc.p, got, tc.want)
		}
		if !slices.Equal(in, tc.samples) {
			t.Errorf("Percentile reordered its input: %v", tc.samples)
		}
	}
	if got := Median(ms(5, 1, 9)); got != 5*time.Millisecond {
		t.Errorf("Median = %v", got)
	}
}

func TestSearchPrefixes(t *testing.T) {
	a := SearchPrefixes(1, 100000, 100)
	if len(a) != 100 {
		t.Fatalf("got %d prefixes, want 100", len(a))
	}
	if b := SearchPrefixes(1, 100000, 100); !slices.Equal(a, b) {
		t.Fatal("not deterministic")
	}
	seen := map[string]bool{}
	for _, p := range a {
		if utf8.RuneCountInString(p) != PrefixLen || seen[p] {
			t.Fatalf("bad or repeated prefix %q in %q", p, a)
		}
		seen[p] = true
	}
	if got := SearchPrefixes(1, 3, 100); len(got) > 3 {
		t.Fatalf("read more than limit customers: %q", got)
	}
	if c := SearchPrefixes(2, 100000, 100); slices.Equal(a, c) {
		t.Fatal("seed ignored")
	}
}
