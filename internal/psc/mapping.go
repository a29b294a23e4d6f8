package psc

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Mapping maps header names of an export onto PSC columns, for exports whose headers are
// not the built-in names (translated, renamed). Keys are header names; Read matches them
// as it matches built-in names, ignoring case, white space, underscores and hyphens
// (LoadMapping stores them normalised).
type Mapping map[string]Column

// maxMappingSize bounds the --map file: a few dozen lines are expected.
const maxMappingSize = 1 << 20

const mappingFormat = `expected "columns:" followed by one "file header: PSC column" line per column`

// LoadMapping reads a --map YAML file (see the package documentation for its format).
// name is the file name used in errors. Unknown target columns, two headers for one column,
// a header given twice, a built-in name given to another column and YAML errors are
// *Error naming the file and the line. A built-in name given to its own column is
// accepted and left out.
func LoadMapping(r io.Reader, name string) (Mapping, error) {
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
	var cols *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := resolve(top.Content[i]), resolve(top.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.Value != "columns" {
			return nil, fail(k, "unknown key %s: %s", describe(k), mappingFormat)
		}
		if cols != nil {
			return nil, fail(k, `"columns" appears twice`)
		}
		cols = v
	}
	if cols == nil || isNull(cols) {
		return nil, fail(top, `no "columns": `+mappingFormat)
	}
	if cols.Kind != yaml.MappingNode {
		return nil, fail(cols, `"columns" is not a mapping: `+mappingFormat)
	}

	m := make(Mapping, len(cols.Content)/2)
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
