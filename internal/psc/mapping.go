package psc

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
)

// Mapping is a --map file: header names of an export mapped onto PSC columns, for exports
// whose headers are not the built-in names (translated, renamed), and values of the file
// mapped onto values pcctl reads, column by column (localised statuses, a company's own
// deal types).
type Mapping struct {
	// Columns maps header names onto columns. Keys are header names; Read matches them as
	// it matches built-in names, ignoring case, white space, underscores and hyphens
	// (LoadMapping stores them normalised).
	Columns map[string]Column
	// Values are the values to read as others, in file order.
	Values []ValueMapping
}

// ValueMapping is one line of the values of a --map file: in the column, From is read as
// To. From is matched ignoring case, accents and the white space around and between
// words; To replaces the value as it is written.
type ValueMapping struct {
	Column   Column
	From, To string
	// Line and Col are where To is written in the mapping file, for the errors of a
	// caller that checks it (migrate checks To against the column's allowed values).
	Line, Col int
}

// maxMappingSize bounds the --map file: a few dozen lines are expected.
const maxMappingSize = 1 << 20

const mappingFormat = `expected "columns:" followed by one "file header: PSC column" line per column, and/or "values:" followed by one "PSC column: {file value: value}" line per column`

// LoadMapping reads a --map YAML file (see the package documentation for its format).
// name is the file name used in errors. Unknown target columns, two headers for one column,
// a header given twice, a built-in name given to another column, a values column that is
// neither a PSC column nor a header of columns, a value given twice in a column and YAML
// errors are *Error naming the file and the line. A built-in name given to its own column is
// accepted and left out. The target values are not checked here (they are pcctl's rules:
// the caller checks them).
func LoadMapping(r io.Reader, name string) (*Mapping, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMappingSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > maxMappingSize {
		return nil, &Error{File: name, Reason: "file is larger than 1 MiB; this does not look like a column mapping"}
	}
	fail := func(n *yaml.Node, format string, args ...any) error {
		e := &Error{File: name, Reason: fmt.Sprintf(format, args...)}
		if n != nil {
			e.Line, e.Column = n.Line, n.Column
		}
		return e
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(name, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, fail(nil, "file is empty: "+mappingFormat)
	}
	top := resolve(doc.Content[0])
	if top.Kind != yaml.MappingNode {
		return nil, fail(top, "not a mapping: "+mappingFormat)
	}
	var cols, vals *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := resolve(top.Content[i]), resolve(top.Content[i+1])
		var slot **yaml.Node
		switch {
		case k.Kind == yaml.ScalarNode && k.Value == "columns":
			slot = &cols
		case k.Kind == yaml.ScalarNode && k.Value == "values":
			slot = &vals
		default:
			return nil, fail(k, "unknown key %s: %s", describe(k), mappingFormat)
		}
		if *slot != nil {
			return nil, fail(k, "%q appears twice", k.Value)
		}
		*slot = v
	}
	if (cols == nil || isNull(cols)) && (vals == nil || isNull(vals)) {
		return nil, fail(top, `no "columns" and no "values": `+mappingFormat)
	}
	m := &Mapping{}
	if cols != nil && !isNull(cols) {
		if cols.Kind != yaml.MappingNode {
			return nil, fail(cols, `"columns" is not a mapping: `+mappingFormat)
		}
		if m.Columns, err = loadColumns(cols, fail); err != nil {
			return nil, err
		}
	}
	if vals != nil && !isNull(vals) {
		if vals.Kind != yaml.MappingNode {
			return nil, fail(vals, `"values" is not a mapping: `+mappingFormat)
		}
		if m.Values, err = loadValues(vals, m.Columns, fail); err != nil {
			return nil, err
		}
	}
	return m, nil
}

type failFunc func(n *yaml.Node, format string, args ...any) error

// loadColumns reads the columns: of a mapping file.
func loadColumns(cols *yaml.Node, fail failFunc) (map[string]Column, error) {
	m := make(map[string]Column, len(cols.Content)/2)
	keyAt := make(map[string]*yaml.Node)    // normalised header -> its key
	targetAt := make(map[Column]*yaml.Node) // column -> the key mapped to it
	for i := 0; i+1 < len(cols.Content); i += 2 {
		k, v := resolve(cols.Content[i]), resolve(cols.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, fail(k, "a header name must be text, not %s", describe(k))
		}
		header := strings.TrimSpace(k.Value)
		key := normalize(header)
		if key == "" {
			return nil, fail(k, "empty header name")
		}
		if v.Kind != yaml.ScalarNode || isNull(v) {
			return nil, fail(v, "%q must map to the name of a PSC column (%s), not %s", header, columnList(), describe(v))
		}
		c, ok := ParseColumn(v.Value)
		if !ok {
			return nil, fail(v, "%q is not a PSC column (the columns are %s)", v.Value, columnList())
		}
		if prev, ok := keyAt[key]; ok {
			return nil, fail(k, "%q is given twice (also at line %d; header names are matched ignoring case and spaces)", header, prev.Line)
		}
		if b, ok := ParseColumn(header); ok {
			if b != c {
				return nil, fail(k, "%q is the name of the %s column; it cannot be mapped to %s", header, b, c)
			}
			keyAt[key] = k
			continue // a column's own name: nothing to map
		}
		if prev, ok := targetAt[c]; ok {
			return nil, fail(k, "%q and %q (line %d) both map to %s; a column can be named only once",
				header, strings.TrimSpace(prev.Value), prev.Line, c)
		}
		keyAt[key], targetAt[c] = k, k
		m[key] = c
	}
	return m, nil
}

// loadValues reads the values: of a mapping file. A column is named by its PSC name or by a
// header name of columns.
func loadValues(vals *yaml.Node, columns map[string]Column, fail failFunc) ([]ValueMapping, error) {
	var out []ValueMapping
	colAt := make(map[Column]*yaml.Node)
	for i := 0; i+1 < len(vals.Content); i += 2 {
		k, v := resolve(vals.Content[i]), resolve(vals.Content[i+1])
		if k.Kind != yaml.ScalarNode || isNull(k) {
			return nil, fail(k, "a column name must be text, not %s", describe(k))
		}
		c, ok := ParseColumn(k.Value)
		if !ok {
			c, ok = columns[normalize(k.Value)]
		}
		if !ok {
			return nil, fail(k, "%q under \"values\" is neither a PSC column nor a header of \"columns\" (the columns are %s)", strings.TrimSpace(k.Value), columnList())
		}
		if prev, ok := colAt[c]; ok {
			return nil, fail(k, "the values of %s are given twice (also at line %d)", c, prev.Line)
		}
		colAt[c] = k
		if v.Kind != yaml.MappingNode {
			return nil, fail(v, "the values of %s must be a mapping of file values to values, as in {Gagné: Won}, not %s", c, describe(v))
		}
		fromAt := make(map[string]*yaml.Node)
		for j := 0; j+1 < len(v.Content); j += 2 {
			from, to := resolve(v.Content[j]), resolve(v.Content[j+1])
			if from.Kind != yaml.ScalarNode || isNull(from) {
				return nil, fail(from, "a value of %s must be text, not %s", c, describe(from))
			}
			key := FoldValue(from.Value)
			if key == "" {
				return nil, fail(from, "an empty value of %s cannot be mapped", c)
			}
			if prev, ok := fromAt[key]; ok {
				return nil, fail(from, "%s value %q is given twice (also at line %d; values are matched ignoring case, accents and spaces)", c, strings.TrimSpace(from.Value), prev.Line)
			}
			fromAt[key] = from
			if to.Kind != yaml.ScalarNode || isNull(to) {
				return nil, fail(to, "%s value %q must map to a value, not %s", c, strings.TrimSpace(from.Value), describe(to))
			}
			out = append(out, ValueMapping{Column: c, From: strings.TrimSpace(from.Value), To: strings.TrimSpace(to.Value), Line: to.Line, Col: to.Column})
		}
	}
	return out, nil
}

// FoldValue is the form in which the values of a mapping are matched: lower case, without
// accents, white space trimmed and runs of it made one space.
func FoldValue(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsSpace(r):
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// yamlLine finds the line in the messages of the YAML parser.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns an error of the YAML parser into an *Error naming the file and line.
func yamlError(name string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Reason: "not valid YAML: " + m[2]}
	}
	return &Error{File: name, Reason: "not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "that"
}

// columnList lists the built-in column names, for messages.
func columnList() string {
	var b bytes.Buffer
	for c := range NumColumns {
		if c > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.String())
	}
	return b.String()
}
