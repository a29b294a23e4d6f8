package workspace

import (
	"context"
	"fmt"
	"io"
	"slices"
)

// What `pcctl workspace copy` moves between storages (a file and a database): every table's
// rows as they are, keys included, so that references between them hold.

// TableReader reads the tables of one consistent snapshot of a workspace.
type TableReader interface {
	// Tables lists the workspace's tables.
	Tables(ctx context.Context) ([]string, error)
	// Count counts a table's rows.
	Count(ctx context.Context, table string) (int64, error)
	// Rows calls each for every row of the table, with the values of cols in order
	// (integers as int64, texts as string, NULL as nil). The slice is reused.
	Rows(ctx context.Context, table string, cols []string, each func([]any) error) error
}

// TableWriter writes rows into the tables of a workspace being loaded.
type TableWriter interface {
	// Columns lists a table's columns; none when the workspace has no such table.
	Columns(ctx context.Context, table string) ([]string, error)
	// Write appends the rows next yields (io.EOF after the last) to the table.
	Write(ctx context.Context, table string, cols []string, next func() ([]any, error)) (int64, error)
}

// Snapshotter is a storage that can be read whole as one snapshot.
type Snapshotter interface {
	// Snapshot runs fn on one consistent state of the workspace, while others go on
	// writing.
	Snapshot(ctx context.Context, fn func(TableReader) error) error
}

// Loader is a storage that can be loaded whole, all or nothing.
type Loader interface {
	// Empty tells whether the workspace holds no record at all.
	Empty(ctx context.Context) (bool, error)
	// Load runs fn in one transaction on the workspace emptied first (its schema created
	// afresh): fn's rows are all written or, when fn fails, none.
	Load(ctx context.Context, fn func(TableWriter) error) error
}

// copyOrder is the order tables are loaded in: those referred to before those referring
// to them. Tables it does not name come after, in the source's order.
var copyOrder = []string{"customers", "customer_search", "customer_flags", "customer_pins", "customer_opens",
	"resellers", "reseller_invitations", "subscriptions", "organizations", "deals", "deal_solutions",
	"deal_team", "deal_notes", "deal_favorites", "service_requests", "request_notes", "request_favorites",
	"users", "user_roles", "tokens", "audit_log"}

// TableCount is how many rows of a table a copy wrote.
type TableCount struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// CopyProgress is told the total number of rows once, then how many more were written.
type CopyProgress struct {
	Total func(rows int64)
	Add   func(rows int64)
}

// Copy writes every row of one snapshot of src into dst, replacing what dst held, all or
// nothing. It returns the rows written by table.
func Copy(ctx context.Context, src Snapshotter, dst Loader, p CopyProgress) ([]TableCount, error) {
	var out []TableCount
	err := src.Snapshot(ctx, func(r TableReader) error {
		names, err := r.Tables(ctx)
		if err != nil {
			return err
		}
		ordered := make([]string, 0, len(names))
		for _, n := range copyOrder {
			if slices.Contains(names, n) {
				ordered = append(ordered, n)
			}
		}
		for _, n := range names {
			if !slices.Contains(ordered, n) {
				ordered = append(ordered, n)
			}
		}
		var total int64
		for _, n := range ordered {
			c, err := r.Count(ctx, n)
			if err != nil {
				return err
			}
			total += c
		}
		if p.Total != nil {
			p.Total(total)
		}
		return dst.Load(ctx, func(w TableWriter) error {
			out = out[:0]
			for _, table := range ordered {
				cols, err := w.Columns(ctx, table)
				if err != nil {
					return err
				}
				if len(cols) == 0 {
					return fmt.Errorf("the target has no table %s: the source was written by a newer pcctl", table)
				}
				n, err := copyTable(ctx, r, w, table, cols, p.Add)
				if err != nil {
					return fmt.Errorf("copying %s: %w", table, err)
				}
				out = append(out, TableCount{Table: table, Rows: n})
			}
			return nil
		})
	})
	return out, err
}

// copyTable streams one table from r to w: r pushes rows, w pulls them, through a channel
// of batches.
func copyTable(ctx context.Context, r TableReader, w TableWriter, table string, cols []string, add func(int64)) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const batchRows = 512
	batches := make(chan [][]any, 4)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		batch := make([][]any, 0, batchRows)
		err := r.Rows(ctx, table, cols, func(vals []any) error {
			batch = append(batch, slices.Clone(vals))
			if len(batch) == batchRows {
				select {
				case batches <- batch:
				case <-ctx.Done():
					return ctx.Err()
				}
				batch = make([][]any, 0, batchRows)
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			select {
			case batches <- batch:
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		readErr <- err
	}()
	var cur [][]any
	next := func() ([]any, error) {
		for len(cur) == 0 {
			b, ok := <-batches
			if !ok {
				if err := <-readErr; err != nil {
					return nil, err
				}
				return nil, io.EOF
			}
			cur = b
			if add != nil {
				add(int64(len(b)))
			}
		}
		row := cur[0]
		cur = cur[1:]
		return row, nil
	}
	n, err := w.Write(ctx, table, cols, next)
	if err != nil {
		cancel()
		for range batches { // let the reader end
		}
		return n, err
	}
	return n, nil
}
