package partnercenter

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
)

// decodeStd is decodePage's reading with encoding/json, the reference it must agree with.
func decodeStd[T any](body []byte) ([]T, api.Links, error) {
	var col struct {
		Items []T       `json:"items"`
		Links api.Links `json:"links"`
	}
	err := json.Unmarshal(body, &col)
	return col.Items, col.Links, err
}

func agree[T any](t *testing.T, name string, body []byte) {
	t.Helper()
	want, links, err := decodeStd[T](body)
	if err != nil {
		t.Fatalf("%s: encoding/json: %v", name, err)
	}
	got, err := decodePage[T](pcCollection, body)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !reflect.DeepEqual(got.Items, want) {
		t.Errorf("%s: items\n got %+v\nwant %+v", name, got.Items, want)
	}
	if (links.Next == nil) != (got.Next == nil) || links.Next != nil && got.Next.Path != links.Next.URI {
		t.Errorf("%s: next %+v, want %+v", name, got.Next, links.Next)
	}
}

// TestDecodePageAgreesWithEncodingJSON: the page decoder reads what encoding/json reads,
// the published samples and the stand-in's quirks (keys with capitals, enumerations as
// numbers), and refuses what it refuses.
func TestDecodePageAgreesWithEncodingJSON(t *testing.T) {
	for _, f := range []string{"customers-page.json", "indirect-resellers.json"} {
		b, err := os.ReadFile("../../testdata/partnercenter/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(f, "customers") {
			agree[api.Customer](t, f, b)
		} else {
			agree[api.Reseller](t, f, b)
		}
	}
	quirks := []byte(`{"TotalCount":1,"Items":[{"Id":"b44bb1fb-c595-45b0-9e09-d657365580bf","CompanyProfile":{"TenantId":"b44bb1fb-c595-45b0-9e09-d657365580bf",
		"Domain":"contoso.onmicrosoft.com","CompanyName":"Contoso"},"BillingProfile":{"DefaultAddress":{"Country":"FR"}},"RelationshipToPartner":"Reseller",
		"Attributes":{"ObjectType":"Customer"}}],"Links":{"Next":{"Uri":"/v1/customers?size=1","Headers":[{"Key":"MS-ContinuationToken","Value":"x"}]}}}`)
	agree[api.Customer](t, "quirks", quirks)
	p, _ := decodePage[api.Customer](pcCollection, quirks)
	if len(p.Items) != 1 || p.Items[0].CompanyProfile.CompanyName != "Contoso" || p.Items[0].BillingProfile.DefaultAddress.Country != "FR" || p.Next == nil || p.Next.Token != "x" {
		t.Errorf("keys with capitals: %+v next %+v", p.Items, p.Next)
	}
	for _, bad := range []string{`{"items":[{"id":1}]}`, `{"items":[`, `{"links":{}}`, `{"items":[{"id":"a"}]} x`, `{"items":[{"id":"\xff"}]`} {
		if _, err := decodePage[api.Customer](pcCollection, []byte(bad)); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}

// BenchmarkDecodeCustomerPage: a page of 1,000 customers, as GET /v1/customers sends.
func BenchmarkDecodeCustomerPage(b *testing.B) {
	items := make([]api.Customer, 1000)
	for i := range items {
		id := fmt.Sprintf("5c000000-0000-4000-8000-%012d", i)
		items[i] = api.Customer{ID: id, CompanyProfile: api.CompanyProfile{TenantID: id, Domain: fmt.Sprintf("client%d.onmicrosoft.com", i),
			CompanyName: fmt.Sprintf("Client Company %d", i)}, RelationshipToPartner: "reseller",
			BillingProfile: &api.BillingProfile{DefaultAddress: api.Address{Country: "US"}}}
	}
	body, err := json.Marshal(map[string]any{"totalCount": len(items), "items": items, "links": map[string]any{"next": map[string]any{
		"uri": "/customers?size=1000", "method": "GET", "headers": []map[string]string{{"key": "MS-ContinuationToken", "value": "abc"}}}}})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.Run("decodePage", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodePage[api.Customer](pcCollection, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := decodeStd[api.Customer](body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
