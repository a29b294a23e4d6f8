package psc

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ParseDate reads a date in the given order. ISO dates, "2026-03-31" (the year first, also
// with '/' or '.' separators), are accepted in every order; locale dates have '/', '.' or
// '-' separators, a 1- or 2-digit day and month and a 4-digit year, and are read in order:
// DateDMY reads "03/04/2026" as 3 April, DateMDY as March 4. DateISO accepts a locale date
// only when both orders read it the same ("04/04/2026"); DateAuto accepts it when only one
// order gives a calendar date, or both the same one.
//
// A time may follow the date, after 'T' or spaces: "2026-03-31T10:00:00Z",
// "2026-03-31 10:00", "3/31/2026 10:00:00 AM". It is checked and dropped: the date is kept
// as written, whatever the time zone. The result is midnight UTC of that date.
//
// Invalid calendar dates ("31/02/2026") are errors. The error's message is a reason for the
// caller to place: it quotes s but does not name a column.
func ParseDate(s string, order DateFormat) (time.Time, error) {
	p, ok := scanDate(s)
	if !ok {
		return time.Time{}, fmt.Errorf("%q is not a date (expected %s)", s, expectedDates(order))
	}
	if p.yearFirst {
		return p.date(p.a, p.b, s)
	}
	switch order {
	case DateDMY:
		return p.date(p.b, p.a, s)
	case DateMDY:
		return p.date(p.a, p.b, s)
	}
	dmy, mdy := p.valid(p.b, p.a), p.valid(p.a, p.b)
	switch {
	case p.a == p.b && dmy:
		return p.date(p.a, p.b, s)
	case order == DateISO:
		return time.Time{}, fmt.Errorf("%q is not a YYYY-MM-DD date (if the file's dates are in another order, give it with --date-format MM/DD/YYYY or DD/MM/YYYY)", s)
	case dmy && mdy:
		return time.Time{}, fmt.Errorf("%q is ambiguous: %s as DD/MM/YYYY, %s as MM/DD/YYYY", s, p.iso(p.b, p.a), p.iso(p.a, p.b))
	case dmy:
		return p.date(p.b, p.a, s)
	case mdy:
		return p.date(p.a, p.b, s)
	}
	return time.Time{}, fmt.Errorf("%q is not a calendar date, as DD/MM/YYYY or as MM/DD/YYYY", s)
}

// expectedDates lists the forms of dates accepted in an order, for messages.
func expectedDates(order DateFormat) string {
	switch order {
	case DateDMY:
		return "DD/MM/YYYY or YYYY-MM-DD"
	case DateMDY:
		return "MM/DD/YYYY or YYYY-MM-DD"
	case DateISO:
		return "YYYY-MM-DD"
	}
	return "YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY"
}

// dateParts is a date as written: the year and two numbers, the month and day when
// yearFirst, else in an order still to be known.
type dateParts struct {
	yearFirst bool
	year      int
	a, b      int
}

// valid reports whether month and day make a calendar date in p's year.
func (p dateParts) valid(month, day int) bool {
	return p.year > 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, p.year)
}

// date returns the date of p's year with month and day, or the reason it is none.
func (p dateParts) date(month, day int, s string) (time.Time, error) {
	switch {
	case p.year == 0:
		return time.Time{}, fmt.Errorf("%q is not a calendar date: there is no year 0", s)
	case month < 1 || month > 12:
		return time.Time{}, fmt.Errorf("%q is not a calendar date: there is no month %d", s, month)
	case day < 1 || day > daysIn(month, p.year):
		if day == 0 {
			return time.Time{}, fmt.Errorf("%q is not a calendar date: there is no day 0", s)
		}
		return time.Time{}, fmt.Errorf("%q is not a calendar date: %s %d has %d days", s, time.Month(month), p.year, daysIn(month, p.year))
	}
	return time.Date(p.year, time.Month(month), day, 0, 0, 0, 0, time.UTC), nil
}

// iso writes p's year with month and day as YYYY-MM-DD.
func (p dateParts) iso(month, day int) string {
	return fmt.Sprintf("%04d-%02d-%02d", p.year, month, day)
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// scanDate splits s into the parts of a date and checks the time after it, if any. It
// reports false when s is not written as a date.
func scanDate(s string) (p dateParts, ok bool) {
	t := strings.TrimFunc(s, unicode.IsSpace)
	x, n1, t := number(t, 4)
	if n1 == 0 || t == "" {
		return p, false
	}
	sep := t[0]
	if sep != '-' && sep != '/' && sep != '.' {
		return p, false
	}
	y, n2, t := number(t[1:], 2)
	if n2 == 0 || t == "" || t[0] != sep {
		return p, false
	}
	z, n3, t := number(t[1:], 4)
	switch {
	case n1 == 4 && n3 >= 1 && n3 <= 2:
		p = dateParts{yearFirst: true, year: x, a: y, b: z}
	case n1 <= 2 && n3 == 4:
		p = dateParts{year: z, a: x, b: y}
	default:
		return p, false
	}
	if t == "" {
		return p, true
	}
	if !validTime(t) {
		return p, false
	}
	return p, true
}

// number reads up to most digits (and fails on more) at the start of t: their value, their
// count and the rest of t.
func number(t string, most int) (v, n int, rest string) {
	for n < len(t) && t[n] >= '0' && t[n] <= '9' {
		if n == most {
			return 0, 0, t
		}
		v = v*10 + int(t[n]-'0')
		n++
	}
	return v, n, t[n:]
}

// validTime reports whether t is a time after a date: 'T' or spaces, then H:MM with
// optional :SS and fraction, AM or PM, and a zone (Z, ±HH, ±HHMM, ±HH:MM, UTC or GMT).
func validTime(t string) bool {
	switch {
	case t[0] == 'T':
		t = t[1:]
	case startsWithSpace(t):
		t = strings.TrimLeftFunc(t, unicode.IsSpace)
	default:
		return false
	}
	h, n, t := number(t, 2)
	if n == 0 || t == "" || t[0] != ':' {
		return false
	}
	m, n, t := number(t[1:], 2)
	if n != 2 || m > 59 {
		return false
	}
	if t != "" && t[0] == ':' {
		var sec int
		sec, n, t = number(t[1:], 2)
		if n != 2 || sec > 60 {
			return false
		}
		if t != "" && (t[0] == '.' || t[0] == ',') {
			k := 1
			for k < len(t) && k <= 9 && t[k] >= '0' && t[k] <= '9' {
				k++
			}
			if k == 1 {
				return false
			}
			t = t[k:]
		}
	}
	u := strings.TrimLeftFunc(t, unicode.IsSpace)
	if len(u) >= 2 && (strings.EqualFold(u[:2], "AM") || strings.EqualFold(u[:2], "PM")) {
		if h < 1 || h > 12 {
			return false
		}
		t = u[2:]
	} else if h > 23 {
		return false
	}
	return validZone(t)
}

// validZone reports whether t is empty or a time zone.
func validZone(t string) bool {
	u := strings.TrimLeftFunc(t, unicode.IsSpace)
	switch {
	case u == "":
		return true
	case u == "Z" && u == t:
		return true
	case strings.EqualFold(u, "UTC"), strings.EqualFold(u, "GMT"):
		return u != t // after a space
	case u[0] == '+' || u[0] == '-':
		h, ok := twoDigits(u[1:])
		if !ok || h > 23 {
			return false
		}
		rest := u[3:]
		if rest == "" {
			return true
		}
		if rest[0] == ':' {
			rest = rest[1:]
		}
		m, ok := twoDigits(rest)
		return ok && m <= 59 && len(rest) == 2
	}
	return false
}

// twoDigits reads the two digits at the start of t.
func twoDigits(t string) (int, bool) {
	if len(t) < 2 || t[0] < '0' || t[0] > '9' || t[1] < '0' || t[1] > '9' {
		return 0, false
	}
	return int(t[0]-'0')*10 + int(t[1]-'0'), true
}

func startsWithSpace(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return unicode.IsSpace(r)
}
