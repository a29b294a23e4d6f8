package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/itchyny/gojq"
)

// JQ is a compiled --jq expression (jq's language, by github.com/itchyny/gojq), as gh
// has it: it filters the JSON a command prints.
type JQ struct {
	expr string
	code *gojq.Code
}

// CompileJQ compiles a --jq expression; a syntax error is a usage error.
func CompileJQ(expr string) (*JQ, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, &UsageError{Msg: fmt.Sprintf("invalid --jq expression %q: %v", expr, err)}
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, &UsageError{Msg: fmt.Sprintf("invalid --jq expression %q: %v", expr, err)}
	}
	return &JQ{expr: expr, code: code}, nil
}

// JQWriter holds what a command prints, to run the expression over it at the end.
type JQWriter struct {
	jq  *JQ
	out io.Writer
	buf bytes.Buffer
}

// Writer returns a writer that keeps the command's output for Finish.
func (j *JQ) Writer(out io.Writer) *JQWriter { return &JQWriter{jq: j, out: out} }

func (w *JQWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }

// Finish runs the expression over every JSON value written (one for --format json, one a
// line for ndjson) and writes each result on its own line: a string as it is (as jq -r
// and gh do), anything else as compact JSON.
func (w *JQWriter) Finish(ctx context.Context) error {
	dec := json.NewDecoder(&w.buf)
	dec.UseNumber()
	var out bytes.Buffer
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("--jq: the output is not JSON (%v): use --format json", err)
		}
		iter := w.jq.code.RunWithContext(ctx, normalize(v))
		for {
			r, ok := iter.Next()
			if !ok {
				break
			}
			if err, isErr := r.(error); isErr {
				var halt *gojq.HaltError
				if errors.As(err, &halt) && halt.Value() == nil {
					break
				}
				w.out.Write(out.Bytes())
				return fmt.Errorf("the --jq expression %q failed: %v", w.jq.expr, err)
			}
			if s, isStr := r.(string); isStr {
				out.WriteString(s)
			} else {
				b, err := gojq.Marshal(r)
				if err != nil {
					return fmt.Errorf("the --jq expression %q failed: %v", w.jq.expr, err)
				}
				out.Write(b)
			}
			out.WriteByte('\n')
		}
	}
	_, err := w.out.Write(out.Bytes())
	return err
}

// normalize turns json.Number into the numbers gojq works with: an int when the number
// is one, else a float64.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
	}
	return v
}
