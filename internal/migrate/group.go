package migrate

import "github.com/pcctl/pcctl/internal/workspace"

// MaxGroupLines is how many line numbers an ErrorGroup keeps.
const MaxGroupLines = 5

// ErrorGroup is one problem of an import shared by rows: the same reason about the same
// column (the same bad value, the same customer name that matches nothing...).
type ErrorGroup struct {
	First   workspace.RowError // the error of the first row
	Skipped bool               // the rows were skipped (a notice), not failed
	Count   int                // how many errors
	Lines   []int              // the lines of the first MaxGroupLines
}

// GroupErrors groups the errors of an import's rows by outcome (skipped or not), field
// and reason, in the order of their first row: a value wrong on 5,000 rows is one group.
func GroupErrors(rows []workspace.DealImportRowResult) []ErrorGroup {
	type key struct {
		skipped       bool
		field, reason string
	}
	var groups []ErrorGroup
	index := map[key]int{}
	for _, r := range rows {
		skipped := r.Outcome == workspace.DealSkipped
		for _, e := range r.Errors {
			k := key{skipped, e.Field, e.Reason}
			i, ok := index[k]
			if !ok {
				i = len(groups)
				index[k] = i
				groups = append(groups, ErrorGroup{First: e, Skipped: skipped})
			}
			g := &groups[i]
			g.Count++
			if len(g.Lines) < MaxGroupLines {
				g.Lines = append(g.Lines, e.Line)
			}
		}
	}
	return groups
}
