package api

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

func TestCustomerSamplesDecode(t *testing.T) {
	b, err := os.ReadFile(pcSample("customer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c Customer
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	r, err := c.Record()
	if err != nil {
		t.Fatal(err)
	}
	want := workspace.CustomerRecord{Customer: domain.Customer{ID: "eebd1b55-5360-4438-a11d-5c06918c3014",
		CompanyName: "1kl as kjk", Domain: "abcdefgh1234.ccsctp.net", Country: "US", Relationship: "reseller"}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("customer.json = %+v, want %+v", r, want)
	}

	b, err = os.ReadFile(pcSample("customers-page.json"))
	if err != nil {
		t.Fatal(err)
	}
	var page Collection[Customer]
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != 2 || len(page.Items) != 2 || page.Links.Next != nil || page.Attributes.ObjectType != "Collection" {
		t.Fatalf("customers-page.json = %+v", page)
	}
	for i, id := range []string{"b44bb1fb-c595-45b0-9e09-d657365580bf", "45c44870-ef77-4fdd-b6fe-3dacb075cff2"} {
		r, err := page.Items[i].Record()
		if err != nil || r.ID != id || r.CompanyName != "companyName" || r.Domain != "domain" || r.Relationship != "reseller" || r.Country != "" {
			t.Errorf("item %d = %+v, %v", i, r, err)
		}
	}
	var other Customer
	other.Attributes.ObjectType = "Referral"
	if _, err := other.Record(); err == nil {
		t.Error("a Referral read as a customer")
	}
}

func sampleRecords() []workspace.CustomerRecord {
	return []workspace.CustomerRecord{
		{},
		{Customer: domain.Customer{ID: "eebd1b55-5360-4438-a11d-5c06918c3014", CompanyName: "Société \"Générale\" \\ <&> \u2028\x01\t",
			Domain: "sg.onmicrosoft.com", Country: "FR", ResellerMPNID: "4847383", Relationship: "advisor",
			CreatedAt: time.Date(2024, 5, 31, 9, 0, 0, 0, time.UTC), AdminAccount: "admin@sg.onmicrosoft.com", PurchasesAllowed: true},
			Flagged: true, FlaggedAt: time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.UTC), Pinned: true, Opens: 7},
		{Customer: domain.Customer{ID: "x", CompanyName: "中文", Domain: "d", CreatedAt: time.Date(1999, 12, 31, 23, 59, 59, 1, time.UTC)},
			FlaggedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}, // unflagged past the cap: the time stays
	}
}

func TestCustomerRoundTrip(t *testing.T) {
	for _, r := range sampleRecords() {
		c := FromCustomerRecord(r)
		fast := c.AppendJSON(nil)
		std, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		for name, b := range map[string][]byte{"AppendJSON": fast, "encoding/json": std} {
			var back Customer
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("%s: %v\n%s", name, err, b)
			}
			got, err := back.Record()
			if err != nil || !reflect.DeepEqual(got, r) {
				t.Errorf("%s round trip:\n got %+v (%v)\nwant %+v\n%s", name, got, err, r, b)
			}
		}
		// AppendJSON writes what encoding/json writes, but for <, > and & left as they are.
		want := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(std))
		if string(fast) != want {
			t.Errorf("AppendJSON\n%s\nencoding/json\n%s", fast, want)
		}
		if r.Country == "" && bytes.Contains(fast, []byte("billingProfile")) {
			t.Errorf("billingProfile without a country: %s", fast)
		}
	}
}

func TestExportAndImportLines(t *testing.T) {
	for _, r := range sampleRecords() {
		c := r.Customer
		c.AdminAccount = ""
		line := AppendExportLine(nil, &c)
		if !json.Valid(line) || line[len(line)-1] != '\n' {
			t.Fatalf("export line %q", line)
		}
		var back domain.Customer
		if err := ParseExportLine(bytes.TrimSpace(line), &back); err != nil || !reflect.DeepEqual(back, c) {
			t.Errorf("export line %s read as %+v (%v), want %+v", line, back, err, c)
		}
		imported := r.Customer
		imported.PurchasesAllowed = false // an import does not carry the purchase permission
		row := workspace.CustomerRow{Line: 42, Customer: imported, HasID: true, HasReseller: true, HasCreatedAt: r.ID != ""}
		line = AppendImportRow(nil, &row)
		got, err := ParseImportRow(bytes.TrimSpace(line))
		if err != nil || !reflect.DeepEqual(got, row) {
			t.Errorf("import row %s read as %+v (%v), want %+v", line, got, err, row)
		}
	}
	for _, bad := range []string{``, `[`, `["a"]`, `["a","b","c","d","e","f","g","h","i"]`, `["a","b","c","d","e","f","","maybe"]`, `{"a":1}`, `["a","b","c","d","e","f",1.5,"true"]`,
		`["a","b","c","d","e","f","","true"] x`, "[\"a\x01\",\"b\",\"c\",\"d\",\"e\",\"f\",\"\"]", `["a","b","c","d","e","f","yesterday"]`} {
		var c domain.Customer
		if err := ParseExportLine([]byte(bad), &c); err == nil {
			t.Errorf("ParseExportLine(%q) accepted", bad)
		}
	}
}

// TestParseExportLineAllocs holds the remote export to one allocation per customer (the
// string its fields share), as it reads a million: the parsing path keeps nothing.
func TestParseExportLineAllocs(t *testing.T) {
	line := []byte(`["0f4c1e5a-2b8d-4c6e-9a7f-3d1b5e9c8a24","Contoso 0042","contoso0042.onmicrosoft.com","FR","4847383","advisor","2025-03-14T09:26:53Z","true"]`)
	var c domain.Customer
	if err := ParseExportLine(line, &c); err != nil || c.CompanyName != "Contoso 0042" || c.CreatedAt.IsZero() || !c.PurchasesAllowed {
		t.Fatalf("ParseExportLine = %v, %+v", err, c)
	}
	if n := testing.AllocsPerRun(1000, func() { _ = ParseExportLine(line, &c) }); n > 1 {
		t.Errorf("ParseExportLine makes %v allocations per line, want 1", n)
	}
}

func TestParseCustomerFilter(t *testing.T) {
	f, err := ParseCustomerFilter(`{"Field":"companyname","Value":"Con","Operator":"STARTS_WITH"}`)
	if err != nil || f != (CustomerFilter{FilterCompanyName, "Con", FilterStartsWith}) {
		t.Errorf("filter = %+v, %v", f, err)
	}
	for in, want := range map[string]string{
		`{"Field":`: `the filter parameter is not valid: unexpected end of JSON input; expected {"Field":"CompanyName"|"Domain"|"IndirectReseller","Value":"…","Operator":"starts_with"}`,
		`{"Field":"Country","Value":"x","Operator":"starts_with"}`: `the filter's Field "Country" is not one of CompanyName, Domain, IndirectReseller; expected {"Field":"CompanyName"|"Domain"|"IndirectReseller","Value":"…","Operator":"starts_with"}`,
		`{"Field":"Domain","Value":"x","Operator":"equals"}`:       `the filter's Operator "equals" is not supported: use starts_with; expected {"Field":"CompanyName"|"Domain"|"IndirectReseller","Value":"…","Operator":"starts_with"}`,
	} {
		_, err := ParseCustomerFilter(in)
		e, ok := err.(*Error)
		if !ok || e.Code != CodeBadRequest || e.Description != want {
			t.Errorf("ParseCustomerFilter(%s) = %v, want %q", in, err, want)
		}
	}
	for in, want := range map[string]int{"": DefaultCustomerPageSize, "1": 1, "1000": 1000} {
		if n, err := ParsePageSize(in); n != want || err != nil {
			t.Errorf("ParsePageSize(%q) = %d, %v", in, n, err)
		}
	}
	for _, in := range []string{"0", "1001", "-1", "ten", "1e3"} {
		if _, err := ParsePageSize(in); err == nil || err.Error() != `the size parameter must be a whole number from 1 to 1000, not "`+in+`"` {
			t.Errorf("ParsePageSize(%q) = %v", in, err)
		}
	}
}
