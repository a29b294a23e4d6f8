package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/remote"
	"github.com/pcctl/pcctl/internal/workspace/sqlite"
)

// custGenRows yields n generated customers without holding them.
type custGenRows struct{ i, n int }

func (g *custGenRows) Next() (workspace.CustomerRow, error) {
	if g.i >= g.n {
		return workspace.CustomerRow{}, io.EOF
	}
	g.i++
	i := g.i
	return workspace.CustomerRow{Line: i + 1, HasID: true, Customer: domain.Customer{
		ID:          fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i),
		CompanyName: fmt.Sprintf("%s %07d", []string{"Contoso", "Fabrikam", "Société", "Northwind"}[i%4], i),
		Domain:      fmt.Sprintf("tenant%07d.onmicrosoft.com", i), Country: "FR",
		CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)}}, nil
}

func custGet(t *testing.T, e *servertest.Env, token, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestCustomerBadRequests(t *testing.T) {
	e := servertest.Start(t, servertest.Options{})
	token := e.Token("agent@pcctl.test", domain.RoleAdminAgent)
	filter := func(s string) string { return "/v1/customers?filter=" + url.QueryEscape(s) }
	shape := `expected {"Field":"CompanyName"|"Domain"|"IndirectReseller","Value":"…","Operator":"starts_with"}`
	for path, want := range map[string]string{
		"/v1/customers?size=0":      `the size parameter must be a whole number from 1 to 1000, not "0"`,
		"/v1/customers?size=1001":   `the size parameter must be a whole number from 1 to 1000, not "1001"`,
		"/v1/customers?size=lots":   `the size parameter must be a whole number from 1 to 1000, not "lots"`,
		filter(`{"Field":"Domain"`): `the filter parameter is not valid: unexpected end of JSON input; ` + shape,
		filter(`{"Field":"Name","Value":"a","Operator":"starts_with"}`): `the filter's Field "Name" is not one of CompanyName, Domain, IndirectReseller; ` + shape,
		filter(`{"Field":"Domain","Value":"a","Operator":"contains"}`):  `the filter's Operator "contains" is not supported: use starts_with; ` + shape,
		"/pcctl/v1/customers?view=favourites":                           `the view parameter must be one of all, flagged, recent, ended, not "favourites"`,
		"/pcctl/v1/customers?sort=size":                                 `the sort parameter must be name or created, not "size"`,
		"/pcctl/v1/customers?limit=-1":                                  `the limit parameter must be a whole number, 0 or more (0: no limit), not "-1"`,
		"/pcctl/v1/complete/customers?limit=x":                          `the limit parameter must be a whole number, not "x"`,
		"/pcctl/v1/complete/planets?limit=3":                            `unknown completion kind "planets"`,
	} {
		resp, body := custGet(t, e, token, path, nil)
		var got api.Error
		if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 400 || got.Code != api.CodeBadRequest || got.Description != want {
			t.Errorf("GET %s = %d %s, want 400 bad_request %q", path, resp.StatusCode, body, want)
		}
	}
	resp, body := custGet(t, e, token, filter(`{"Field":"CompanyName","Value":"a","Operator":"starts_with"}`),
		http.Header{api.ContinuationHeader: {"page-two"}})
	if resp.StatusCode != 400 || !strings.Contains(string(body), `MS-ContinuationToken header \"page-two\" is not a continuation token`) {
		t.Errorf("bad token: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/pcctl/v1/customers/import?onRowError=maybe", strings.NewReader(""))
	req.Header.Set("Authorization", "Bearer "+token)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 400 || !strings.Contains(string(b), `the onRowError parameter must be ask, skip or abort, not \"maybe\"`) {
		t.Errorf("bad onRowError: %d %s", r.StatusCode, b)
	}
	// A body cut short, or malformed, imports nothing.
	for _, body := range []string{"[2,\"I\",\"", "[2,\"I\",\"00000001-0000-4000-8000-000000000001\",\"n\",\"d.example\",\"\",\"\",\"\",\"\",\"\"]\n", "{\"end\":5}\n", "nonsense\n"} {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/pcctl/v1/customers/import?onRowError=skip", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 400 || !strings.Contains(string(b), `"code":"bad_request"`) {
			t.Errorf("import of %q: %d %s", body, r.StatusCode, b)
		}
	}
	if n, _ := e.Local("x@pcctl.test").CountCustomers(context.Background()); n != 0 {
		t.Errorf("%d customers after bad imports", n)
	}
}

// TestCustomerSearchPages follows links.next by hand, as any Partner Center client does.
func TestCustomerSearchPages(t *testing.T) {
	e := servertest.Start(t, servertest.Options{})
	ctx := context.Background()
	if _, err := e.Local("owner@pcctl.test").ImportCustomers(ctx, &custGenRows{n: 25}, workspace.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	token := e.Token("agent@pcctl.test", domain.RoleAdminAgent)
	want, err := e.Local("agent@pcctl.test").SearchCustomers(ctx, "contoso", 100)
	if err != nil || len(want) != 6 {
		t.Fatal(len(want), err)
	}
	path := "/v1/customers?size=2&filter=" + url.QueryEscape(`{"Field":"CompanyName","Value":"contoso","Operator":"starts_with"}`)
	var header http.Header
	var got []string
	for pages := 1; ; pages++ {
		resp, body := custGet(t, e, token, path, header)
		var page api.Collection[api.Customer]
		if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != 200 {
			t.Fatalf("page %d: %d %s", pages, resp.StatusCode, body)
		}
		if page.TotalCount != len(page.Items) || page.Attributes.ObjectType != "Collection" || page.Links.Self == nil {
			t.Errorf("page %d: %s", pages, body)
		}
		for _, c := range page.Items {
			got = append(got, c.ID)
		}
		if page.Links.Next == nil {
			if pages != 4 {
				t.Errorf("%d pages, want 4", pages)
			}
			break
		}
		n := page.Links.Next
		if n.Method != "GET" || len(n.Headers) != 1 || n.Headers[0].Key != api.ContinuationHeader {
			t.Fatalf("next link %+v", n)
		}
		path, header = n.URI, http.Header{api.ContinuationHeader: {n.Headers[0].Value}}
	}
	if len(got) != len(want) {
		t.Fatalf("%d customers over the pages, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].ID {
			t.Errorf("customer %d = %s, want %s", i, got[i], want[i].ID)
		}
	}
	// A reseller's customers and the whole list: one collection, streamed.
	resp, body := custGet(t, e, token, "/v1/customers", nil)
	var all api.Collection[api.Customer]
	if err := json.Unmarshal(body, &all); err != nil || resp.StatusCode != 200 || all.TotalCount != 25 || all.Links.Next != nil {
		t.Errorf("GET /v1/customers: %d, %d items, %v", resp.StatusCode, all.TotalCount, err)
	}
}

// benchEnv serves the workspace at PCCTL_BENCH_WS (copied: e.g. .bench/ws.db of make
// bench, a million customers) or a new one of 100,000 generated customers.
func benchEnv(b *testing.B) (local workspace.Workspace, client *remote.Client, n int) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "ws.db")
	if src := os.Getenv("PCCTL_BENCH_WS"); src != "" {
		in, err := os.ReadFile(src)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, in, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	local = db.As(domain.Owner("bench@pcctl.test"))
	if n, _ = local.CountCustomers(ctx); n == 0 {
		n = 100000
		if _, err := local.ImportCustomers(ctx, &custGenRows{n: n}, workspace.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if _, _, _, err := local.AddUser(ctx, domain.User{Email: "bench@pcctl.test", Roles: domain.AllRoles}); err != nil {
		b.Fatal(err)
	}
	secret, _, err := local.CreateToken(ctx, "bench@pcctl.test", "bench", domain.NeverExpires)
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(server.New(db, server.Options{}))
	b.Cleanup(hs.Close)
	client, err = remote.New(hs.URL, remote.Options{Token: secret})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Close() })
	return local, client, n
}

// BenchmarkExportCSV exports every customer as CSV, as `customers export --format csv`
// writes it, from the workspace itself and through the server:
//
//	PCCTL_BENCH_WS=$PWD/.bench/ws.db go test -run X -bench ExportCSV -benchtime 3x ./internal/server/
func BenchmarkExportCSV(b *testing.B) {
	local, client, n := benchEnv(b)
	for _, side := range []struct {
		name string
		ws   workspace.Workspace
	}{{"local", local}, {"remote", client}} {
		b.Run(side.name, func(b *testing.B) {
			for b.Loop() {
				w := csv.NewWriter(io.Discard)
				rows := 0
				rec := make([]string, 7)
				err := side.ws.ExportCustomers(context.Background(), workspace.ExportQuery{}, func(c *domain.Customer) error {
					rec[0], rec[1], rec[2], rec[3], rec[4], rec[5] = c.ID, c.CompanyName, c.Domain, c.Country, c.ResellerMPNID, c.Relationship
					rec[6] = c.CreatedAt.Format(time.RFC3339)
					rows++
					return w.Write(rec)
				})
				w.Flush()
				if err != nil || rows != n {
					b.Fatalf("%d rows of %d: %v", rows, n, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkSearchParallel runs prefix searches through GET /v1/customers from many
// clients at once (the search target: 32 clients).
func BenchmarkSearchParallel(b *testing.B) {
	local, client, _ := benchEnv(b)
	terms := []string{"con", "fab", "soc", "nor", "ada", "tenant00", "north", "bel"}
	for _, side := range []struct {
		name string
		ws   workspace.Workspace
	}{{"local", local}, {"remote", client}} {
		b.Run(side.name, func(b *testing.B) {
			b.SetParallelism(16) // with GOMAXPROCS 2: 32 clients
			var i atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := side.ws.SearchCustomers(context.Background(), terms[int(i.Add(1))%len(terms)], 20); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "searches/s")
		})
	}
}
