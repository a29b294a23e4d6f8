package csvread

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	input := "\ufeff\n ; \n Name ;\"Notes\nmore\";;Société\r\n" +
		"a; \u00a0b\u202f ;\"c\"\"d\";é\r\n" +
		";;;\r\n" +
		"x;\"y\nz\"; ;w"
	r, err := NewReader(strings.NewReader(input), Options{Name: "f.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Name() != "f.csv" || r.Delimiter() != ';' || r.HeaderLine() != 3 || r.Err() != nil {
		t.Errorf("Name %q, Delimiter %q, HeaderLine %d, Err %v", r.Name(), r.Delimiter(), r.HeaderLine(), r.Err())
	}
	h := r.Header()
	if want := []string{"Name", "Notes\nmore", "", "Société"}; !reflect.DeepEqual(h, want) {
		t.Errorf("Header() = %q, want %q", h, want)
	}
	h[0] = "changed"
	if r.Header()[0] != "Name" {
		t.Error("Header() returns the reader's own slice")
	}
	for i, want := range []Position{{3, 1}, {3, 8}, {4, 7}, {4, 8}} {
		if got := r.HeaderPos(i); got != want {
			t.Errorf("HeaderPos(%d) = %v, want %v", i, got, want)
		}
	}

	rec, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Line != 5 || rec.Len() != 4 || rec.ASCII {
		t.Errorf("record at line %d with %d fields, ASCII %v", rec.Line, rec.Len(), rec.ASCII)
	}
	for i, want := range []string{"a", " \u00a0b\u202f ", "c\"d", "é"} {
		if got := string(rec.Field(i)); got != want {
			t.Errorf("Field(%d) = %q, want %q", i, got, want)
		}
	}
	for i, want := range []Position{{5, 1}, {5, 3}, {5, 9}, {5, 16}} {
		if got := rec.Pos(i); got != want {
			t.Errorf("Pos(%d) = %v, want %v", i, got, want)
		}
	}
	values := func(idx ...int) []string {
		s, ends := rec.Join(idx)
		if len(ends) != len(idx) {
			t.Fatalf("Join: %d ends for %d fields", len(ends), len(idx))
		}
		var out []string
		start := 0
		for _, end := range ends {
			out = append(out, s[start:end])
			start = end
		}
		if start != len(s) {
			t.Errorf("Join = %q, %v", s, ends)
		}
		return out
	}
	if got, want := values(3, -1, 1, 0, 2), []string{"é", "", "b", "a", "c\"d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("values = %q, want %q", got, want)
	}

	rec, err = r.Read() // the blank record ";;;" is skipped
	if err != nil {
		t.Fatal(err)
	}
	if rec.Line != 7 || !rec.ASCII || rec.Pos(1) != (Position{7, 3}) || rec.Pos(3) != (Position{8, 6}) {
		t.Errorf("record at line %d, ASCII %v, %v %v", rec.Line, rec.ASCII, rec.Pos(1), rec.Pos(3))
	}
	if got, want := values(0, 1, 2, 3), []string{"x", "y\nz", "", "w"}; !reflect.DeepEqual(got, want) {
		t.Errorf("values = %q, want %q", got, want)
	}
	if got := values(); len(got) != 0 {
		t.Errorf("values() = %q", got)
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("Read at the end: %v", err)
	}
}

func TestOptions(t *testing.T) {
	_, err := NewReader(strings.NewReader(" \n"), Options{Name: "f.csv"})
	if err == nil || err.Error() != "f.csv: file is empty: expected a header row" {
		t.Errorf("default empty reason: %v", err)
	}
	_, err = NewReader(strings.NewReader(""), Options{Name: "f.csv", EmptyReason: "no deals"})
	if err == nil || err.Error() != "f.csv: no deals" {
		t.Errorf("empty reason: %v", err)
	}

	for _, tt := range []struct {
		input string
		opts  Options
		want  string
	}{
		{"a,b\n1,2\n" + strings.Repeat("x", 2<<20) + "\n", Options{Name: "f.csv"},
			"f.csv:3: line is longer than 1 MiB; this does not look like a CSV file"},
		{"a,b\n1,2\n" + strings.Repeat("x", 100) + "\n", Options{Name: "f.csv", MaxLine: 64, Content: "deal export"},
			"f.csv:3: line is longer than 64 bytes; this does not look like a CSV deal export"},
		{"a,b\n1,2\n" + strings.Repeat("x", 5000) + "\n", Options{Name: "f.csv", MaxLine: 4 << 10},
			"f.csv:3: line is longer than 4 KiB; this does not look like a CSV file"},
		{"a,b\n1,2\n3,\"" + strings.Repeat("x\n", 100) + "\"\n", Options{Name: "f.csv", MaxRecord: 100},
			"f.csv:3:3: b: quoted value is longer than 100 bytes; is its closing quote missing?"},
	} {
		r, err := NewReader(strings.NewReader(tt.input), tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := r.Read(); err == nil || err.Error() != tt.want {
				t.Errorf("Read = %v, want %s", err, tt.want)
			}
		}
		if err := r.Err(); err == nil || err.Error() != tt.want {
			t.Errorf("Err() = %v, want %s", err, tt.want)
		}
	}

	// ValidUTF8: the caller decoded the text; not decoded again.
	r, _ := NewReader(strings.NewReader("a,b\n\xff,x\n"), Options{Name: "f.csv", ValidUTF8: true})
	if rec, err := r.Read(); err != nil || string(rec.Field(0)) != "\xff" || r.Encoding() != "" {
		t.Errorf("ValidUTF8: %v", err)
	}
}

func TestNormalizeHeader(t *testing.T) {
	for in, want := range map[string]string{
		"Company name": "companyname", "company_name": "companyname", "COMPANY-NAME": "companyname",
		" Opportunity\u00a0 ID ": "opportunityid", "Nom de l'opportunité": "nomdel'opportunité", "ÉTAT": "état", "": "",
	} {
		if got := NormalizeHeader(in); got != want {
			t.Errorf("NormalizeHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int]string{1: "1 byte", 100: "100 bytes", 1024: "1 KiB", 1500: "1500 bytes", 1 << 20: "1 MiB", 3 << 20: "3 MiB"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
}
