package migrate

import (
	"reflect"
	"testing"

	"github.com/pcctl/pcctl/internal/workspace"
)

func TestGroupErrors(t *testing.T) {
	bad := func(line int, field, reason string) workspace.RowError {
		return workspace.RowError{Line: line, Column: 7, Field: field, Reason: reason}
	}
	var rows []workspace.DealImportRowResult
	for line := 2; line < 12; line++ {
		r := workspace.DealImportRowResult{Line: line, Outcome: workspace.DealFailed,
			Errors: []workspace.RowError{bad(line, "Status", `"Gewonnen" is not a PSC status`)}}
		if line%3 == 0 {
			r.Errors = append(r.Errors, bad(line, "Customer Country", `"Deutschland" is not a country`))
		}
		rows = append(rows, r)
	}
	rows = append(rows, workspace.DealImportRowResult{Line: 12, Outcome: workspace.DealSkipped,
		Errors: []workspace.RowError{bad(12, "Status", `"Gewonnen" is not a PSC status`)}})
	got := GroupErrors(rows)
	want := []ErrorGroup{
		{First: bad(2, "Status", `"Gewonnen" is not a PSC status`), Count: 10, Lines: []int{2, 3, 4, 5, 6}},
		{First: bad(3, "Customer Country", `"Deutschland" is not a country`), Count: 3, Lines: []int{3, 6, 9}},
		{First: bad(12, "Status", `"Gewonnen" is not a PSC status`), Skipped: true, Count: 1, Lines: []int{12}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups:\n got %+v\nwant %+v", got, want)
	}
}
