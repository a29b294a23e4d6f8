package psc

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	all := []DateFormat{DateAuto, DateISO, DateMDY, DateDMY}
	tests := []struct {
		in     string
		orders []DateFormat
		want   time.Time
	}{
		// ISO, in every order, with or without a time (kept as written, whatever the zone).
		{"2026-03-31", all, day(2026, 3, 31)},
		{" 2026-03-31\u00a0", all, day(2026, 3, 31)},
		{"2026-3-1", all, day(2026, 3, 1)},
		{"2026/03/31", all, day(2026, 3, 31)},
		{"2026.03.31", all, day(2026, 3, 31)},
		{"2026-03-31T10:00:00Z", all, day(2026, 3, 31)},
		{"2026-03-31T23:30:00-05:00", all, day(2026, 3, 31)},
		{"2026-03-31T00:30:00+0200", all, day(2026, 3, 31)},
		{"2026-03-31T00:30:00.123456+02", all, day(2026, 3, 31)},
		{"2026-03-31 10:00", all, day(2026, 3, 31)},
		{"2026-03-31  10:00:59 UTC", all, day(2026, 3, 31)},
		{"2024-02-29", all, day(2024, 2, 29)},
		{"2000-02-29", all, day(2000, 2, 29)},
		// Locale dates, in their order.
		{"31/03/2026", []DateFormat{DateDMY, DateAuto}, day(2026, 3, 31)},
		{"03/31/2026", []DateFormat{DateMDY, DateAuto}, day(2026, 3, 31)},
		{"03/04/2026", []DateFormat{DateDMY}, day(2026, 4, 3)},
		{"03/04/2026", []DateFormat{DateMDY}, day(2026, 3, 4)},
		{"3/4/2026", []DateFormat{DateMDY}, day(2026, 3, 4)},
		{"3.4.2026", []DateFormat{DateDMY}, day(2026, 4, 3)},
		{"03-04-2026", []DateFormat{DateDMY}, day(2026, 4, 3)},
		{"04/04/2026", all, day(2026, 4, 4)},
		{"3/31/2026 10:00:00 AM", []DateFormat{DateMDY, DateAuto}, day(2026, 3, 31)},
		{"3/31/2026 12:59 pm", []DateFormat{DateMDY}, day(2026, 3, 31)},
		{"31/03/2026 23:59", []DateFormat{DateDMY}, day(2026, 3, 31)},
		{"31.03.2026 07:00:00", []DateFormat{DateDMY}, day(2026, 3, 31)},
	}
	for _, tt := range tests {
		for _, order := range tt.orders {
			got, err := ParseDate(tt.in, order)
			if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseDate(%q, %v) = %v, %v; want %v", tt.in, order, got, err, tt.want)
			}
		}
	}
}

func TestParseDateErrors(t *testing.T) {
	tests := []struct {
		in    string
		order DateFormat
		want  string
	}{
		{"", DateAuto, `"" is not a date (expected YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY)`},
		{"soon", DateDMY, `"soon" is not a date (expected DD/MM/YYYY or YYYY-MM-DD)`},
		{"31/03/26", DateDMY, `"31/03/26" is not a date (expected DD/MM/YYYY or YYYY-MM-DD)`},
		{"2026-03", DateMDY, `"2026-03" is not a date (expected MM/DD/YYYY or YYYY-MM-DD)`},
		{"2026-03/31", DateISO, `"2026-03/31" is not a date (expected YYYY-MM-DD)`},
		{"20260331", DateISO, `"20260331" is not a date (expected YYYY-MM-DD)`},
		{"2026-003-31", DateISO, `"2026-003-31" is not a date (expected YYYY-MM-DD)`},
		{"12026-03-31", DateISO, `"12026-03-31" is not a date (expected YYYY-MM-DD)`},
		{"2026-03-31x", DateISO, `"2026-03-31x" is not a date (expected YYYY-MM-DD)`},
		{"2026-03-31T25:00", DateISO, `"2026-03-31T25:00" is not a date (expected YYYY-MM-DD)`},
		{"2026-03-31 10:60", DateISO, `"2026-03-31 10:60" is not a date (expected YYYY-MM-DD)`},
		{"2026-03-31 13:00 PM", DateISO, `"2026-03-31 13:00 PM" is not a date (expected YYYY-MM-DD)`},
		{"2026-03-31T10:00 Z", DateISO, `"2026-03-31T10:00 Z" is not a date (expected YYYY-MM-DD)`},
		{"2026-03-31T10:00+25:00", DateISO, `"2026-03-31T10:00+25:00" is not a date (expected YYYY-MM-DD)`},
		{"2026-02-29", DateISO, `"2026-02-29" is not a calendar date: February 2026 has 28 days`},
		{"1900-02-29", DateAuto, `"1900-02-29" is not a calendar date: February 1900 has 28 days`},
		{"2026-13-01", DateDMY, `"2026-13-01" is not a calendar date: there is no month 13`},
		{"2026-00-01", DateDMY, `"2026-00-01" is not a calendar date: there is no month 0`},
		{"2026-01-00", DateDMY, `"2026-01-00" is not a calendar date: there is no day 0`},
		{"0000-01-01", DateDMY, `"0000-01-01" is not a calendar date: there is no year 0`},
		{"31/02/2026", DateDMY, `"31/02/2026" is not a calendar date: February 2026 has 28 days`},
		{"02/31/2026", DateMDY, `"02/31/2026" is not a calendar date: February 2026 has 28 days`},
		{"31/04/2026", DateMDY, `"31/04/2026" is not a calendar date: there is no month 31`},
		{"31/04/2026", DateDMY, `"31/04/2026" is not a calendar date: April 2026 has 30 days`},
		{"03/04/2026", DateISO, `"03/04/2026" is not a YYYY-MM-DD date (if the file's dates are in another order, give it with --date-format MM/DD/YYYY or DD/MM/YYYY)`},
		{"31/03/2026", DateISO, `"31/03/2026" is not a YYYY-MM-DD date (if the file's dates are in another order, give it with --date-format MM/DD/YYYY or DD/MM/YYYY)`},
		{"03/04/2026", DateAuto, `"03/04/2026" is ambiguous: 2026-04-03 as DD/MM/YYYY, 2026-03-04 as MM/DD/YYYY`},
		{"31/31/2026", DateAuto, `"31/31/2026" is not a calendar date, as DD/MM/YYYY or as MM/DD/YYYY`},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.order)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseDate(%q, %v) = %v, %v\nwant error %s", tt.in, tt.order, got, err, tt.want)
		}
		if !got.IsZero() {
			t.Errorf("ParseDate(%q, %v) returned %v with an error", tt.in, tt.order, got)
		}
	}
}

// datesFile returns an export whose rows have the given Created Date values.
func datesFile(dates ...string) string {
	var b strings.Builder
	b.WriteString("Opportunity ID,Deal Name,Customer Name,Status,Created Date,Estimated Close Date\n")
	for i, d := range dates {
		fmt.Fprintf(&b, "%d,Deal,Contoso,Open,%s,\n", i+1, d)
	}
	return b.String()
}

func TestDetectDates(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  DateFormat
	}{
		{"no dates", datesFile("", ""), DateISO},
		{"ISO only", datesFile("2026-03-04", "2026-12-01T10:00:00Z"), DateISO},
		{"same both ways", datesFile("04/04/2026", "2026-03-04", "12.12.2025"), DateISO},
		{"not dates are ignored", datesFile("soon", "31/31/2026", "2026-02-30", "13/13/2026"), DateISO},
		{"DMY", datesFile("03/04/2026", "2026-01-01", "31/03/2026", "01/02/2026"), DateDMY},
		{"DMY by an invalid MDY", datesFile("03/04/2026", "29/02/2024 10:00"), DateDMY},
		{"MDY", datesFile("03/04/2026", "3/31/2026 10:00 AM", "01/02/2026"), DateMDY},
		{"MDY in another column", "Opportunity ID,Deal Name,Customer Name,Status,Created Date,Last Modified Date\n1,d,c,Open,03/04/2026,12/25/2026\n", DateMDY},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := read(t, tt.input, Options{})
			if f.Dates != tt.want {
				t.Errorf("Dates = %v, want %v", f.Dates, tt.want)
			}
		})
	}

	// An order given is used as it is, without detection.
	for _, order := range []DateFormat{DateISO, DateMDY, DateDMY} {
		if f := read(t, datesFile("31/03/2026", "03/31/2026"), Options{Dates: order}); f.Dates != order {
			t.Errorf("Dates = %v, want %v as given", f.Dates, order)
		}
	}
	// A column that is not a date column is not looked at.
	if f := read(t, "Opportunity ID,Deal Name,Customer Name,Status,Deal Value\n1,03/04/2026,c,Open,31/12/2026\n", Options{}); f.Dates != DateISO {
		t.Errorf("Dates = %v, want DateISO", f.Dates)
	}
}

func TestDetectDatesErrors(t *testing.T) {
	mixed := "Opportunity ID,Deal Name,Customer Name,Status,Created Date,Estimated Close Date\n" +
		"1,Deal,Contoso,Open,03/04/2026,\n" +
		"2,Déjà vu,Contoso,Open,2026-01-01,31/03/2026\n" +
		"3,Deal,Contoso,Open,03/31/2026,\n" +
		"4,Deal,Contoso,Open,12/31/2026,\n"
	if got, want := readError(t, mixed, Options{}),
		`deals.csv: the dates are in both orders: "31/03/2026" (deals.csv:3: column F, Estimated Close Date) can only be DD/MM/YYYY, and "03/31/2026" (deals.csv:4: column E, Created Date) can only be MM/DD/YYYY; correct the file so that all its dates are in one order`; got != want {
		t.Errorf("mixed:\n got %s\nwant %s", got, want)
	}

	const head = "deals.csv: cannot tell the order of the dates: no date has a day above 12, and these read differently as MM/DD/YYYY and as DD/MM/YYYY; give --date-format MM/DD/YYYY or DD/MM/YYYY:"
	if got, want := readError(t, datesFile("2026-01-31", "03/04/2026", "04/04/2026", "1.2.2026 10:00"), Options{}),
		head+"\n"+
			`  deals.csv:3: column E, Created Date: "03/04/2026" is 2026-03-04 as MM/DD/YYYY, 2026-04-03 as DD/MM/YYYY`+"\n"+
			`  deals.csv:5: column E, Created Date: "1.2.2026 10:00" is 2026-01-02 as MM/DD/YYYY, 2026-02-01 as DD/MM/YYYY`; got != want {
		t.Errorf("ambiguous:\n got %s\nwant %s", got, want)
	}

	var dates []string
	for i := range 13 {
		dates = append(dates, fmt.Sprintf("%02d/%02d/2025", i%12+1, (i+1)%12+1))
	}
	got := readError(t, datesFile(dates...), Options{})
	lines := strings.Split(got, "\n")
	if len(lines) != 12 || lines[0] != head ||
		lines[1] != `  deals.csv:2: column E, Created Date: "01/02/2025" is 2025-01-02 as MM/DD/YYYY, 2025-02-01 as DD/MM/YYYY` ||
		lines[10] != `  deals.csv:11: column E, Created Date: "10/11/2025" is 2025-10-11 as MM/DD/YYYY, 2025-11-10 as DD/MM/YYYY` ||
		lines[11] != "  and 3 more" {
		t.Errorf("ambiguous, many:\n%s", got)
	}
}
