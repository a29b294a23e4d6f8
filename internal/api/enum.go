package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Enum is an enumerated value as Partner Center sends it: by name ("critical") or by its
// number in the enumeration (1). Resolve it against the enumeration's names in order.
type Enum struct {
	Name   string // as sent, when sent as a string
	Number int    // when sent as a number
	IsNum  bool
	Set    bool // present and not null
}

// UnmarshalJSON accepts a string, a number or null.
func (e *Enum) UnmarshalJSON(b []byte) error {
	*e = Enum{}
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &e.Name); err != nil {
			return err
		}
		e.Set = true
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return fmt.Errorf("expected a name or a whole number, got %s", b)
	}
	e.Number, e.IsNum, e.Set = n, true, true
	return nil
}

// MarshalJSON writes the name (pcctl always sends names).
func (e Enum) MarshalJSON() ([]byte, error) {
	if !e.Set {
		return []byte("null"), nil
	}
	if e.IsNum {
		return []byte(strconv.Itoa(e.Number)), nil
	}
	return json.Marshal(e.Name)
}

// Named is an Enum holding a name.
func Named(name string) Enum { return Enum{Name: name, Set: true} }

// Resolve is the enumeration's name for e: a number indexes names (Partner Center's
// enumerations start at 0), a name is returned as sent. ok is false for a number out of
// range; "" with ok true when e is not set.
func (e Enum) Resolve(names []string) (name string, ok bool) {
	switch {
	case !e.Set:
		return "", true
	case e.IsNum:
		if e.Number < 0 || e.Number >= len(names) {
			return "", false
		}
		return names[e.Number], true
	}
	return e.Name, true
}
