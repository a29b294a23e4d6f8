package domain

import (
	"fmt"
	"strings"
	"time"
)

// View is one of the three views of the customer list (002).
type View string

// The views of the customer list.
const (
	ViewAll     View = "all"
	ViewFlagged View = "flagged"
	ViewRecent  View = "recent"
	// ViewEnded lists the customers whose relationship ended (relationship "none"),
	// which the other views leave out.
	ViewEnded View = "ended"
)

// Views lists the views in the order help texts show them.
var Views = []View{ViewAll, ViewFlagged, ViewRecent, ViewEnded}

// ParseView reads a view name.
func ParseView(s string) (View, error) {
	for _, v := range Views {
		if string(v) == strings.ToLower(strings.TrimSpace(s)) {
			return v, nil
		}
	}
	return "", &InvalidError{Field: "view", Value: s, Reason: "is not a view (allowed: all, flagged, recent, ended)"}
}

// DefaultViewThreshold is the customer count from which the default view is the flagged
// customers instead of all of them (002).
const DefaultViewThreshold = 100

// DefaultView is the view shown when the user names none: all customers when there are
// fewer than 100, the flagged ones otherwise (002). Search always covers every customer.
func DefaultView(customerCount int) View {
	if customerCount < DefaultViewThreshold {
		return ViewAll
	}
	return ViewFlagged
}

// Recent view (002): the customers the user opened most in the last days.
const (
	RecentLimit  = 30
	RecentWindow = 30 * 24 * time.Hour
)

// RecentSince is the start of the window the recent view counts accesses in.
func RecentSince(now time.Time) time.Time { return now.Add(-RecentWindow) }

// MaxFlags is how many customers a user may flag (002).
const MaxFlags = 30

// Flag is one customer flagged by a user.
type Flag struct {
	CustomerID string
	FlaggedAt  time.Time
	Seq        int64 // order of flagging, to break ties between equal times
}

// FlagPlan is what flagging one customer does.
type FlagPlan struct {
	AlreadyFlagged bool
	Evict          *Flag // the flag removed to respect MaxFlags, if any
}

// PlanFlag decides what flagging customerID does given the user's current flags: nothing
// if it is flagged already; otherwise it is flagged, and when the user already has
// MaxFlags flags the one flagged longest ago is removed (002).
func PlanFlag(current []Flag, customerID string) FlagPlan {
	var oldest *Flag
	for i := range current {
		f := &current[i]
		if f.CustomerID == customerID {
			return FlagPlan{AlreadyFlagged: true}
		}
		if oldest == nil || f.FlaggedAt.Before(oldest.FlaggedAt) ||
			f.FlaggedAt.Equal(oldest.FlaggedAt) && f.Seq < oldest.Seq {
			oldest = f
		}
	}
	if len(current) < MaxFlags {
		return FlagPlan{}
	}
	evict := *oldest
	return FlagPlan{Evict: &evict}
}

// ListSort is the order of the customer list.
type ListSort string

// The orders of the customer list.
const (
	SortName    ListSort = "name"
	SortCreated ListSort = "created"
)

// ParseListSort reads a sort name.
func ParseListSort(s string) (ListSort, error) {
	switch ListSort(strings.ToLower(strings.TrimSpace(s))) {
	case SortName:
		return SortName, nil
	case SortCreated:
		return SortCreated, nil
	}
	return "", &InvalidError{Field: "sort", Value: s, Reason: fmt.Sprintf("is not a sort order (allowed: %s, %s)", SortName, SortCreated)}
}
