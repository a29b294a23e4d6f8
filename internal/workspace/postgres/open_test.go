package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pcctl/pcctl/internal/workspace/postgres/pgtest"
)

func emptySchema(t *testing.T) string {
	t.Helper()
	return pgtest.WithSchema(t, pgtest.Require(t), fmt.Sprintf("t%d_%d", os.Getpid(), schemas.Add(1)))
}

// Servers starting at once on an empty database: one migrates, the others wait for it
// and find the work done.
func TestOpenConcurrentMigrations(t *testing.T) {
	dsn := emptySchema(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			db, err := Open(context.Background(), dsn, Options{})
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			if db.SchemaVersion() != LatestSchema {
				errs <- fmt.Errorf("version %d", db.SchemaVersion())
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestOpenRefusesNewerAndForeign(t *testing.T) {
	dsn := emptySchema(t)
	db, err := Open(context.Background(), dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.ExecContext(context.Background(), `UPDATE pcctl_schema SET version = ?`, LatestSchema+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(context.Background(), dsn, Options{})
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "newer pcctl") {
		t.Fatalf("newer schema: %v", err)
	}

	foreign := emptySchema(t)
	db, err = Open(context.Background(), foreign, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.ExecContext(context.Background(), `DROP TABLE pcctl_schema`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(context.Background(), foreign, Options{})
	if err == nil || !strings.Contains(err.Error(), "not a pcctl workspace") {
		t.Fatalf("foreign tables: %v", err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h:5432/db":         "postgres://u:xxxxx@h:5432/db",
		"postgres://u@h/db?password=secret&x=1": "postgres://u@h/db?password=xxxxx&x=1",
		"postgresql://h/db?sslmode=disable":     "postgresql://h/db?sslmode=disable",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%s) = %s, want %s", in, got, want)
		}
		if HasPassword(in) != strings.Contains(in, "secret") {
			t.Errorf("HasPassword(%s) wrong", in)
		}
	}
}
