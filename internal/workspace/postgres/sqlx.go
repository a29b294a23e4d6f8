package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The workspace's statements are written once, in the SQL both databases share, with the
// placeholders of database/sql's SQLite habit: ? for positional arguments and :name for
// named ones (sql.Named). PostgreSQL numbers its placeholders ($1, $2…) and reserves the
// word user, which is a column of several tables; rewrite turns one into the other before
// a statement is sent, once per distinct statement (the result is cached).

type rewritten struct {
	sql   string
	names []string // for :name placeholders: the name of $1, $2…; nil for ? ones
}

var rewrites sync.Map // string → rewritten

func rewrite(q string) rewritten {
	if r, ok := rewrites.Load(q); ok {
		return r.(rewritten)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	var names []string
	n := 0
	isWord := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(q) {
				j = len(q) - 1
			}
			b.WriteString(q[i : j+1])
			i = j
		case c == '?' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			b.WriteByte('$') // ?1: numbered already
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
		case c == ':' && i+1 < len(q) && q[i+1] == ':':
			b.WriteString("::")
			i++
		case c == ':' && i+1 < len(q) && isWord(q[i+1]) && (i == 0 || !isWord(q[i-1])):
			j := i + 1
			for j < len(q) && isWord(q[j]) {
				j++
			}
			name := q[i+1 : j]
			k := -1
			for x, have := range names {
				if have == name {
					k = x
				}
			}
			if k < 0 {
				names = append(names, name)
				k = len(names) - 1
			}
			b.WriteString("$" + strconv.Itoa(k+1))
			i = j - 1
		case isWord(c) && (i == 0 || !isWord(q[i-1])):
			j := i
			for j < len(q) && isWord(q[j]) {
				j++
			}
			if w := q[i:j]; strings.EqualFold(w, "user") {
				b.WriteString(`"user"`)
			} else {
				b.WriteString(w)
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	// INSERT OR IGNORE is PostgreSQL's ON CONFLICT DO NOTHING.
	if rest, ok := strings.CutPrefix(strings.TrimSpace(out), "INSERT OR IGNORE INTO"); ok {
		out = "INSERT INTO" + rest + " ON CONFLICT DO NOTHING"
	} else if rest, ok := strings.CutPrefix(strings.TrimSpace(out), "INSERT OR FAIL INTO"); ok {
		out = "INSERT INTO" + rest // what PostgreSQL's INSERT does
	}
	r := rewritten{sql: out, names: names}
	rewrites.Store(q, r)
	return r
}

// args orders named arguments as the rewritten statement numbers them.
// Go booleans are stored as 0 and 1, as in SQLite (the columns are integers).
func (r rewritten) args(in []any) []any {
	if r.names == nil {
		cloned := false
		for i, a := range in {
			if b, ok := a.(bool); ok {
				if !cloned {
					in, cloned = slices.Clone(in), true
				}
				in[i] = boolInt(b)
			}
		}
		return in
	}
	out := make([]any, len(r.names))
	for i, name := range r.names {
		for _, a := range in {
			if na, ok := a.(sql.NamedArg); ok && na.Name == name {
				out[i] = na.Value
				if b, ok := na.Value.(bool); ok {
					out[i] = boolInt(b)
				}
			}
		}
	}
	return out
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// dbh is the pool, speaking the shared dialect.
type dbh struct{ *sql.DB }

func (d *dbh) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r := rewrite(q)
	return d.DB.ExecContext(ctx, r.sql, r.args(args)...)
}

func (d *dbh) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r := rewrite(q)
	return d.DB.QueryContext(ctx, r.sql, r.args(args)...)
}

func (d *dbh) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	r := rewrite(q)
	return d.DB.QueryRowContext(ctx, r.sql, r.args(args)...)
}

func (d *dbh) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := d.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx}, nil
}

// Tx is a transaction speaking the shared dialect.
type Tx struct{ *sql.Tx }

func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r := rewrite(q)
	return t.Tx.ExecContext(ctx, r.sql, r.args(args)...)
}

func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r := rewrite(q)
	return t.Tx.QueryContext(ctx, r.sql, r.args(args)...)
}

func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	r := rewrite(q)
	return t.Tx.QueryRowContext(ctx, r.sql, r.args(args)...)
}

// Stmt is a prepared statement; named arguments are ordered as for the others.
type Stmt struct {
	*sql.Stmt
	r rewritten
}

func (t *Tx) PrepareContext(ctx context.Context, q string) (*Stmt, error) {
	r := rewrite(q)
	st, err := t.Tx.PrepareContext(ctx, r.sql)
	if err != nil {
		return nil, err
	}
	return &Stmt{Stmt: st, r: r}, nil
}

func (s *Stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return s.Stmt.ExecContext(ctx, s.r.args(args)...)
}

func (s *Stmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return s.Stmt.QueryContext(ctx, s.r.args(args)...)
}

func (s *Stmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return s.Stmt.QueryRowContext(ctx, s.r.args(args)...)
}

var _ = fmt.Sprint
