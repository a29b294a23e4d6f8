// Package bench holds what pcctl's benchmarks share: the statistics they quote and the
// deterministic choice of search terms. cmd/pcctl-bench and the Go benchmarks of
// internal/workspace/sqlite both use it, so they measure the same searches.
package bench

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/synth"
)

// Percentile returns the p-th percentile (0 to 100) of samples, interpolating linearly
// between the two nearest ranks (so Percentile(s, 50) is the median). It returns 0 for no
// samples and leaves samples unchanged.
func Percentile(samples []time.Duration, p float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	p = min(max(p, 0), 100)
	rank := p / 100 * float64(len(s)-1)
	lo := int(rank)
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	frac := rank - float64(lo)
	return s[lo] + time.Duration(frac*float64(s[lo+1]-s[lo]))
}

// Median is Percentile(samples, 50).
func Median(samples []time.Duration) time.Duration { return Percentile(samples, 50) }

// PrefixLen is the length of the search terms SearchPrefixes picks, in letters.
const PrefixLen = 3

// SearchPrefixes picks count different three-letter search terms the way people type
// them: it walks the customers synth generates for seed (those of a workspace imported
// from synth.WriteCustomersCSV with that seed), takes one word of at least three letters
// of each folded company name (domain.Fold), chosen by a PCG generator seeded with seed,
// and keeps its first three letters when they are new. Frequent beginnings ("gro", "sol")
// therefore come first and rarer ones fill the rest, roughly as they occur. At most
// limit customers are read; fewer than count terms come back if they run out.
func SearchPrefixes(seed int64, limit, count int) []string {
	gen := synth.NewCustomers(seed)
	pick := rand.New(rand.NewPCG(uint64(seed), 0x5ea4c4))
	seen := make(map[string]bool, count)
	out := make([]string, 0, count)
	var words []string
	for i := 0; i < limit && len(out) < count; i++ {
		words = words[:0]
		for _, w := range strings.Fields(domain.Fold(gen.Next().CompanyName)) {
			if utf8.RuneCountInString(w) >= PrefixLen {
				words = append(words, w)
			}
		}
		if len(words) == 0 {
			continue
		}
		p := firstRunes(words[pick.IntN(len(words))], PrefixLen)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
