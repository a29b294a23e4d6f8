package domain

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// Views, default view, recent view and flags: 002 and domain.md, "Customers".

func TestViews(t *testing.T) {
	if want := []View{"all", "flagged", "recent", "ended"}; !slices.Equal(Views, want) {
		t.Errorf("Views = %v, want %v", Views, want)
	}
}

func TestDefaultView(t *testing.T) {
	// 002: fewer than 100 customers → all of them; 100 or more → the flagged ones.
	tests := []struct {
		count int
		want  View
	}{
		{0, ViewAll},
		{1, ViewAll},
		{50, ViewAll},
		{99, ViewAll},
		{100, ViewFlagged},
		{101, ViewFlagged},
		{1000000, ViewFlagged},
	}
	for _, tt := range tests {
		if got := DefaultView(tt.count); got != tt.want {
			t.Errorf("DefaultView(%d) = %q, want %q", tt.count, got, tt.want)
		}
	}
	if DefaultViewThreshold != 100 {
		t.Errorf("DefaultViewThreshold = %d, want 100", DefaultViewThreshold)
	}
}

func TestParseView(t *testing.T) {
	ok := []struct {
		in   string
		want View
	}{
		{"all", ViewAll},
		{"ALL", ViewAll},
		{"flagged", ViewFlagged},
		{" Flagged ", ViewFlagged},
		{"recent", ViewRecent},
		{"RECENT", ViewRecent},
		{"ended", ViewEnded},
	}
	for _, tt := range ok {
		got, err := ParseView(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseView(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"", "view is not a view (allowed: all, flagged, recent, ended)"},
		{"recently", `view "recently" is not a view (allowed: all, flagged, recent, ended)`},
		{"none", `view "none" is not a view (allowed: all, flagged, recent, ended)`},
		{"al", `view "al" is not a view (allowed: all, flagged, recent, ended)`},
	}
	for _, tt := range bad {
		got, err := ParseView(tt.in)
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Field != "view" {
			t.Errorf("ParseView(%q) = %q, %v; want an *InvalidError on view", tt.in, got, err)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("ParseView(%q) error = %q, want %q", tt.in, err.Error(), tt.msg)
		}
	}
}

func TestParseListSort(t *testing.T) {
	ok := []struct {
		in   string
		want ListSort
	}{
		{"name", SortName},
		{"NAME", SortName},
		{"created", SortCreated},
		{" Created ", SortCreated},
	}
	for _, tt := range ok {
		got, err := ParseListSort(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseListSort(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"", "sort is not a sort order (allowed: name, created)"},
		{"date", `sort "date" is not a sort order (allowed: name, created)`},
		{"names", `sort "names" is not a sort order (allowed: name, created)`},
	}
	for _, tt := range bad {
		got, err := ParseListSort(tt.in)
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Field != "sort" {
			t.Errorf("ParseListSort(%q) = %q, %v; want an *InvalidError on sort", tt.in, got, err)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("ParseListSort(%q) error = %q, want %q", tt.in, err.Error(), tt.msg)
		}
	}
}

func TestRecent(t *testing.T) {
	if RecentLimit != 30 {
		t.Errorf("RecentLimit = %d, want 30 (002)", RecentLimit)
	}
	if RecentWindow != 720*time.Hour {
		t.Errorf("RecentWindow = %v, want 720h (30 days)", RecentWindow)
	}
	now := time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)
	if got, want := RecentSince(now), time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("RecentSince(%v) = %v, want %v", now, got, want)
	}
	now = time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
	if got, want := RecentSince(now), time.Date(2024, 12, 16, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("RecentSince(%v) = %v, want %v", now, got, want)
	}
}

var t0 = time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)

// flags returns n flags on customers c0…c(n-1), flagged a minute apart in that order.
func flags(n int) []Flag {
	out := make([]Flag, n)
	for i := range out {
		out[i] = Flag{CustomerID: fmt.Sprintf("c%d", i), FlaggedAt: t0.Add(time.Duration(i) * time.Minute), Seq: int64(i + 1)}
	}
	return out
}

func TestMaxFlags(t *testing.T) {
	if MaxFlags != 30 {
		t.Errorf("MaxFlags = %d, want 30 (002)", MaxFlags)
	}
}

func TestPlanFlag(t *testing.T) {
	tests := []struct {
		name     string
		current  []Flag
		id       string
		already  bool
		evictID  string // "" for none
		evictSeq int64
	}{
		{"no flags", nil, "new", false, "", 0},
		{"one flag", flags(1), "new", false, "", 0},
		{"29 flags: the 30th evicts nothing", flags(29), "new", false, "", 0},
		{"30 flags: the 31st evicts the oldest", flags(30), "new", false, "c0", 1},
		{"already flagged", flags(3), "c1", true, "", 0},
		{"already flagged at 30 evicts nothing", flags(30), "c29", true, "", 0},
		{"oldest already flagged at 30 evicts nothing", flags(30), "c0", true, "", 0},
		{"IDs are compared exactly", flags(30), "C0", false, "c0", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanFlag(tt.current, tt.id)
			if got.AlreadyFlagged != tt.already {
				t.Errorf("AlreadyFlagged = %v, want %v", got.AlreadyFlagged, tt.already)
			}
			switch {
			case tt.evictID == "" && got.Evict != nil:
				t.Errorf("Evict = %+v, want none", *got.Evict)
			case tt.evictID != "" && got.Evict == nil:
				t.Errorf("Evict = none, want %s", tt.evictID)
			case tt.evictID != "" && (got.Evict.CustomerID != tt.evictID || got.Evict.Seq != tt.evictSeq):
				t.Errorf("Evict = %+v, want %s (seq %d)", *got.Evict, tt.evictID, tt.evictSeq)
			}
		})
	}
}

func TestPlanFlagOldestWhateverTheOrder(t *testing.T) {
	cur := flags(30)
	// Move the oldest flag to the end and scramble the rest.
	rand.New(rand.NewPCG(7, 8)).Shuffle(len(cur), func(i, j int) { cur[i], cur[j] = cur[j], cur[i] })
	got := PlanFlag(cur, "new")
	if got.Evict == nil || got.Evict.CustomerID != "c0" || !got.Evict.FlaggedAt.Equal(t0) {
		t.Errorf("Evict = %+v, want c0 flagged at %v", got.Evict, t0)
	}
}

func TestPlanFlagTies(t *testing.T) {
	// Thirty flags at the same instant: the lowest Seq was flagged first.
	cur := make([]Flag, 30)
	for i := range cur {
		cur[i] = Flag{CustomerID: fmt.Sprintf("t%d", i), FlaggedAt: t0, Seq: int64(100 + (i*7)%30)}
	}
	// t0 has seq 100; t13 has 100+91%30 = 101 …; put the lowest in the middle.
	cur[0].Seq, cur[15].Seq = cur[15].Seq, cur[0].Seq // t15 now has seq 100
	got := PlanFlag(cur, "new")
	if got.Evict == nil || got.Evict.CustomerID != "t15" || got.Evict.Seq != 100 {
		t.Errorf("Evict = %+v, want t15 (seq 100)", got.Evict)
	}

	// Time comes before Seq: an earlier flag with a higher Seq is still the oldest.
	cur = flags(30)
	cur[20].FlaggedAt = t0.Add(-time.Hour)
	cur[20].Seq = 999
	got = PlanFlag(cur, "new")
	if got.Evict == nil || got.Evict.CustomerID != "c20" {
		t.Errorf("Evict = %+v, want c20 (flagged earliest)", got.Evict)
	}

	// Equal times in another time zone are equal times.
	cur = flags(30)
	cur[0].FlaggedAt = t0.Add(time.Minute).In(time.FixedZone("CET", 3600))
	cur[0].Seq = 5 // c1 has the same instant and seq 2
	got = PlanFlag(cur, "new")
	if got.Evict == nil || got.Evict.CustomerID != "c1" {
		t.Errorf("Evict = %+v, want c1 (same instant as c0, lower seq)", got.Evict)
	}
}

func TestPlanFlagLeavesInputAlone(t *testing.T) {
	cur := flags(30)
	orig := slices.Clone(cur)
	got := PlanFlag(cur, "new")
	if !slices.Equal(cur, orig) {
		t.Fatalf("PlanFlag modified its input")
	}
	if got.Evict == nil {
		t.Fatal("no eviction at 30 flags")
	}
	got.Evict.CustomerID = "changed"
	got.Evict.Seq = -1
	if !slices.Equal(cur, orig) {
		t.Errorf("the evicted flag aliases the caller's slice")
	}
}

// TestPlanFlagSimulation flags customers at random, some twice, on a clock that sometimes
// stands still, applying each plan to the user's list, and checks against a plain queue
// that the list never exceeds 30 flags and always holds the 30 most recently flagged.
func TestPlanFlagSimulation(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		var list []Flag
		var queue []string // the model: flagged customers, oldest first
		now := t0
		var seq int64
		evictions, repeats := 0, 0
		for op := range 200 {
			if r.IntN(3) > 0 {
				now = now.Add(time.Duration(r.IntN(120)+1) * time.Second)
			}
			id := fmt.Sprintf("cust%02d", r.IntN(60))

			in := slices.Clone(list)
			r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
			plan := PlanFlag(in, id)

			if slices.Contains(queue, id) {
				repeats++
				if !plan.AlreadyFlagged || plan.Evict != nil {
					t.Fatalf("seed %d op %d: re-flagging %s: plan %+v, want already flagged, no eviction", seed, op, id, plan)
				}
				continue
			}
			if plan.AlreadyFlagged {
				t.Fatalf("seed %d op %d: %s reported already flagged", seed, op, id)
			}
			if len(queue) == 30 {
				if plan.Evict == nil || plan.Evict.CustomerID != queue[0] {
					t.Fatalf("seed %d op %d: plan %+v, want eviction of %s", seed, op, plan, queue[0])
				}
				queue = queue[1:]
				evictions++
			} else if plan.Evict != nil {
				t.Fatalf("seed %d op %d: evicts %s with %d flags", seed, op, plan.Evict.CustomerID, len(queue))
			}
			queue = append(queue, id)

			// Apply the plan.
			if plan.Evict != nil {
				list = slices.DeleteFunc(list, func(f Flag) bool { return f.CustomerID == plan.Evict.CustomerID })
			}
			seq++
			list = append(list, Flag{CustomerID: id, FlaggedAt: now, Seq: seq})

			if len(list) > MaxFlags {
				t.Fatalf("seed %d op %d: %d flags", seed, op, len(list))
			}
			have := make([]string, len(list))
			for i, f := range list {
				have[i] = f.CustomerID
			}
			want := slices.Clone(queue)
			slices.Sort(have)
			slices.Sort(want)
			if !slices.Equal(have, want) {
				t.Fatalf("seed %d op %d: flags %v, want %v", seed, op, have, want)
			}
		}
		if evictions == 0 || repeats == 0 {
			t.Fatalf("seed %d: simulation did not exercise evictions (%d) and repeats (%d)", seed, evictions, repeats)
		}
	}
}
