package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server/servertest"
)

// TestRequestReferenceIsTheServers: a client cannot choose a new request's reference
// number or date (the workspace keeps a given one only for Partner Center's requests).
func TestRequestReferenceIsTheServers(t *testing.T) {
	env := servertest.Start(t, servertest.Options{})
	local := env.Local("owner@pcctl.test")
	if _, err := local.AddCustomer(context.Background(), domain.Customer{CompanyName: "Contoso", Domain: "contoso.com"}, ""); err != nil {
		t.Fatal(err)
	}
	agent := env.Token("agent@pcctl.test", domain.RoleAdminAgent)
	a := rslDo(t, "POST", env.URL+"/v1/customers/contoso.com/servicerequests", "application/json", "", agent,
		`{"id":"700000000000001","title":"Mail down","severity":"critical","createdDate":"2020-01-01T00:00:00Z"}`)
	var sr api.ServiceRequest
	if a.status != http.StatusCreated || json.Unmarshal([]byte(a.body), &sr) != nil || sr.ID == "700000000000001" || len(sr.ID) != domain.RefDigits ||
		sr.CreatedDate.Time().Year() == 2020 {
		t.Fatalf("%d %s", a.status, a.body)
	}
}
