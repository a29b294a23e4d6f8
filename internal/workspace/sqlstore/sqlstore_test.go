package sqlstore

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"2024-05-31T09:00:00Z", time.Date(2024, 5, 31, 9, 0, 0, 0, time.UTC)},
		// Not the stored format: read as RFC 3339, in UTC.
		{"2024-05-31T11:00:00+02:00", time.Date(2024, 5, 31, 9, 0, 0, 0, time.UTC)},
		{"2024-13-31T09:00:00Z", time.Time{}},
		{"", time.Time{}},
		{"yesterday", time.Time{}},
	} {
		if got := ParseTime(c.in); !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	at := time.Date(2026, 12, 6, 5, 2, 47, 123, time.FixedZone("X", 3600))
	if got := ParseTime(FormatTime(at)); !got.Equal(at.Truncate(time.Second)) {
		t.Errorf("FormatTime then ParseTime: %v, want %v", got, at.Truncate(time.Second))
	}
}

// fakeDialect is enough of a Dialect for the statements built from it.
type fakeDialect struct{ Dialect }

func (fakeDialect) PrefixEndSQL() string { return "END" }

func TestCompleteRangeQueries(t *testing.T) {
	qs := CompleteRangeQueries(fakeDialect{})
	if len(qs) != 4 {
		t.Fatalf("%d queries, want 4", len(qs))
	}
	for _, q := range qs {
		if strings.Contains(q, "{end}") || !strings.Contains(q, "?1 || END") {
			t.Errorf("the prefix range's end is not the dialect's in\n%s", q)
		}
	}
}
