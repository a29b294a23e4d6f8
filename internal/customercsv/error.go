package customercsv

import "github.com/pcctl/pcctl/internal/csvread"

// Error is every problem found in the file, with its position.
//
// Error() formats it as "customers.csv:5:12: domain: <reason>", leaving out
// the parts that are zero or empty, e.g. "customers.csv: file is empty: ...".
// It is csvread's Error: the reader's own errors and those of Errorf are
// the same type.
type Error = csvread.Error
