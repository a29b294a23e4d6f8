package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server/servertest"
)

// BenchmarkAuthenticatedRequest: a small authenticated request (a page of one customer)
// answered in process by concurrent clients with the same token: what the token check
// adds to every request, the change-version read included.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	e := servertest.Start(b, servertest.Options{})
	ws := e.Local("owner@pcctl.test")
	if _, err := ws.AddCustomer(context.Background(), domain.Customer{CompanyName: "Contoso", Domain: "contoso.example", Country: "FR"}, ""); err != nil {
		b.Fatal(err)
	}
	token := e.Token("bench@pcctl.test", domain.RoleGlobalAdmin)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/v1/customers/contoso.example", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			e.Server.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
}
