package postgres

import (
	"database/sql"
	"reflect"
	"testing"
)

func TestRewrite(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`SELECT '?', "?" , x::text FROM t WHERE user = ?`, `SELECT '?', "?" , x::text FROM t WHERE "user" = $1`},
		{`INSERT INTO f(user, users) VALUES ('user.add', 'it''s ?')`, `INSERT INTO f("user", users) VALUES ('user.add', 'it''s ?')`},
		{`SELECT 1 WHERE f.user = :user AND c = :ref OR d = :user`, `SELECT 1 WHERE f."user" = $1 AND c = $2 OR d = $1`},
	} {
		if got := rewrite(c.in).sql; got != c.out {
			t.Errorf("rewrite(%q)\n got %q\nwant %q", c.in, got, c.out)
		}
	}
	r := rewrite(`SELECT 1 WHERE a = :a AND b = :b AND c = :a`)
	if got := r.args([]any{sql.Named("b", 2), sql.Named("a", 1)}); !reflect.DeepEqual(got, []any{1, 2}) {
		t.Errorf("args: %v", got)
	}
}
