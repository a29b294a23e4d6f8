package output

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestJQ(t *testing.T) {
	for _, tc := range []struct{ expr, in, want string }{
		{".[].domain", `[{"domain":"a.com"},{"domain":"b.com"}]`, "a.com\nb.com\n"},
		{".n + 1", `{"n":41}`, "42\n"},
		{"{d: .domain}", "{\"domain\":\"a\"}\n{\"domain\":\"b\"}\n", "{\"d\":\"a\"}\n{\"d\":\"b\"}\n"},
		{".big", `{"big":12345678901234567890}`, "12345678901234567000\n"},
		{"1, halt, 2", `null`, "1\n"},
	} {
		jq, err := CompileJQ(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		var out bytes.Buffer
		w := jq.Writer(&out)
		w.Write([]byte(tc.in))
		if err := w.Finish(context.Background()); err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		if out.String() != tc.want {
			t.Errorf("%s over %s: %q, want %q", tc.expr, tc.in, out.String(), tc.want)
		}
	}
	var usage *UsageError
	if _, err := CompileJQ(".["); !errors.As(err, &usage) {
		t.Errorf("a syntax error gave %v, want a UsageError", err)
	}
	jq, _ := CompileJQ(".")
	w := jq.Writer(&bytes.Buffer{})
	w.Write([]byte("id,name\n"))
	if err := w.Finish(context.Background()); err == nil {
		t.Errorf("CSV through --jq: no error")
	}
}
