package migrate

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pcctl/pcctl/internal/csvread"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// UserRow is one row of a PSC user export, mapped: the user with the Partner Center role
// its PSC role becomes (001), or why it is not imported.
type UserRow struct {
	Line    int
	PSCRole string
	User    domain.User
	// NeedsWorkAccount is why the user is not imported: a consumer address, or one
	// outside the partner's domains (001).
	NeedsWorkAccount string
	Errors           []workspace.RowError
}

// userColumns are the columns of a PSC user export, with the header names accepted for
// each (compared ignoring case, spaces, hyphens and underscores).
var userColumns = []struct {
	name    string
	aliases []string
}{
	{"Email", []string{"email", "emailaddress", "e-mail", "user email", "work email"}},
	{"Name", []string{"name", "user name", "username", "full name", "display name"}},
	{"Role", []string{"role", "psc role", "user role"}},
}

func normHeader(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.TrimSpace(s)))
}

// userColumn is the index in userColumns of the column a header names, or -1.
func userColumn(header string) int {
	for c, col := range userColumns {
		for _, a := range col.aliases {
			if normHeader(header) == normHeader(a) {
				return c
			}
		}
	}
	return -1
}

// Users reads a PSC user export (Email, Name, Role) and maps every row. File-level
// problems (not CSV, no Email or Role column) are the error; problems of a row are in its
// Errors. A work address is one in partnerDomains that is not a consumer mail domain.
func Users(r io.Reader, name string, partnerDomains []string) ([]UserRow, error) {
	cr, err := csvread.NewReader(r, csvread.Options{Name: name, Content: "user list",
		EmptyReason: "file is empty: expected a header row naming the Email, Name and Role columns"})
	if err != nil {
		return nil, err
	}
	idx := []int{-1, -1, -1}
	for i, h := range cr.Header() {
		c := userColumn(h)
		if c < 0 {
			continue
		}
		if idx[c] >= 0 {
			p := cr.HeaderPos(i)
			return nil, &csvread.Error{File: name, Line: p.Line, Column: p.Column, Field: h,
				Reason: fmt.Sprintf("is a second %s column (the first is column %d)", userColumns[c].name, cr.HeaderPos(idx[c]).Column)}
		}
		idx[c] = i
	}
	for c, col := range userColumns {
		if idx[c] < 0 && col.name != "Name" {
			return nil, &csvread.Error{File: name, Line: cr.HeaderLine(), Reason: fmt.Sprintf("the header has no %s column (expected the columns Email, Name and Role)", col.name)}
		}
	}
	var out []UserRow
	vals := make([]string, 3)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var ce *csvread.Error
		if errors.As(err, &ce) && cr.Err() == nil {
			out = append(out, UserRow{Line: ce.Line, Errors: []workspace.RowError{{Line: ce.Line, Column: ce.Column, Field: ce.Field, Reason: ce.Reason}}})
			continue
		}
		if err != nil {
			return nil, err
		}
		joined, ends := rec.Join(idx)
		for k := range vals {
			start := 0
			if k > 0 {
				start = ends[k-1]
			}
			vals[k] = joined[start:ends[k]]
		}
		row := UserRow{Line: rec.Line, PSCRole: vals[2]}
		fail := func(c int, reason string) {
			p := rec.Pos(idx[c])
			row.Errors = append(row.Errors, workspace.RowError{Line: p.Line, Column: p.Column, Field: userColumns[c].name, Reason: reason})
		}
		email, err := domain.ParseEmail(vals[0])
		if err != nil {
			fail(0, fmt.Sprintf("%q is not an email address", vals[0]))
			email = vals[0] // as the file has it, for the report
		}
		role, err := domain.PSCRole(vals[2])
		if err != nil {
			var inv *domain.InvalidError
			errors.As(err, &inv)
			fail(2, inv.Detail())
		}
		if err := domain.CheckText("name", vals[1]); err != nil {
			fail(1, err.(*domain.InvalidError).Detail())
		}
		row.User = domain.User{Email: email, Name: vals[1], Roles: []domain.Role{role}}
		if len(row.Errors) == 0 {
			if err := domain.CheckWorkAddress(email, partnerDomains); err != nil {
				row.NeedsWorkAccount = err.Error()
			}
		}
		out = append(out, row)
	}
	return out, nil
}
