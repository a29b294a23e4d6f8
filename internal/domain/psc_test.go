package domain

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParsePSCStatus(t *testing.T) {
	for in, want := range map[string]PSCStatus{
		"Open": PSCOpen, "ACTIVE": PSCOpen, "in progress": PSCOpen, " In-Progress ": PSCOpen,
		"Won": PSCWon, "Closed Won": PSCWon, "closed-won": PSCWon,
		"Lost": PSCLost, "Closed Lost": PSCLost,
		"Closed as Duplicate": PSCDuplicate, "duplicate": PSCDuplicate, "Closed - Duplicate": PSCDuplicate,
	} {
		if got, err := ParsePSCStatus(in); err != nil || got != want {
			t.Errorf("ParsePSCStatus(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "Pending", "Closed", "Wonn", "Declined"} {
		_, err := ParsePSCStatus(in)
		var inv *InvalidError
		if !errors.As(err, &inv) || !strings.Contains(err.Error(), "allowed: Open, Active, In Progress, Won, Closed Won, Lost, Closed Lost, Closed as Duplicate") {
			t.Errorf("ParsePSCStatus(%q) = %v", in, err)
		}
	}
}

func TestParsePSCDealType(t *testing.T) {
	for in, want := range map[string]PSCDealKind{
		"": {Type: PrivateDeal}, "Private": {Type: PrivateDeal}, "Private Pipeline": {Type: PrivateDeal}, "Partner-led": {Type: PrivateDeal},
		"Co-sell": {Type: CoSellDeal}, "COSELL": {Type: CoSellDeal}, "Microsoft led": {Type: CoSellDeal},
		"IoT OEM": {Type: PrivateDeal, IoTOEM: true}, "iot-oem": {Type: PrivateDeal, IoTOEM: true},
	} {
		if got, err := ParsePSCDealType(in); err != nil || got != want {
			t.Errorf("ParsePSCDealType(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParsePSCDealType("Solution Assessment"); err == nil || !strings.Contains(err.Error(), "allowed: Private") {
		t.Errorf("got %v", err)
	}
}

func TestSplitProducts(t *testing.T) {
	sols, err := SplitProducts(" CFQ7TTC0LF8Q ; microsoft:DZH318Z0BQ3Q:25:12.50| own:crm-kit |partner:wingtip ;; ")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sols {
		got = append(got, s.String())
	}
	if want := "microsoft:CFQ7TTC0LF8Q microsoft:DZH318Z0BQ3Q:25:12.50 own:crm-kit partner:wingtip"; strings.Join(got, " ") != want {
		t.Fatalf("got %v", got)
	}
	// A colon that does not follow a source starts a quantity: "Dynamics 365: Sales" is
	// refused with ParseSolution's reason rather than imported under a cut name.
	if _, err := SplitProducts("Dynamics 365: Sales"); err == nil || !strings.Contains(err.Error(), "quantity that is not a whole number") {
		t.Fatalf("got %v", err)
	}
	// The same product twice is CheckDeal's to refuse, as for every deal.
	if sols, err := SplitProducts("x;x"); err != nil || CheckDeal(Deal{Name: "n", Solutions: sols}) == nil {
		t.Fatalf("%v %v", sols, err)
	}
	var many []string
	for i := range 51 {
		many = append(many, fmt.Sprintf("SKU%d", i))
	}
	if _, err := SplitProducts(strings.Join(many[:50], "|")); err != nil {
		t.Fatal(err)
	}
	_, err = SplitProducts(strings.Join(many, "|"))
	var rule *RuleError
	if !errors.As(err, &rule) || err.Error() != "a deal holds at most 50 solutions, not 51" {
		t.Fatalf("51 products: %v", err)
	}
	if sols, err := SplitProducts(" ; | "); err != nil || len(sols) != 0 {
		t.Fatalf("%v %v", sols, err)
	}
}

func TestOrgKey(t *testing.T) {
	same := [][]string{
		{"Contoso", "CONTOSO", "Contoso, Inc.", "Contoso Ltd", "contoso ltd.", "Contoso Pty Ltd", "Contoso GmbH & Co. KG", "Contoso S.A.S."},
		{"Société Générale", "SOCIETE GENERALE S.A.", "Société Générale SA"},
		{"Fabrikam Sp. z o.o.", "Fabrikam"},
		{"AB", "AB"}, // a suffix alone is a name
	}
	for _, group := range same {
		for _, n := range group {
			if OrgKey(n) != OrgKey(group[0]) {
				t.Errorf("OrgKey(%q) = %q, OrgKey(%q) = %q", n, OrgKey(n), group[0], OrgKey(group[0]))
			}
		}
	}
	if OrgKey("Contoso Pharmaceuticals") == OrgKey("Contoso") || OrgKey("Inc") != "inc" || OrgKey("Company Inc") != "company" {
		t.Error("OrgKey strips too much")
	}
	if got := OrgKey("Société Générale S.A."); got != "societe generale" {
		t.Errorf("got %q", got)
	}
}

func TestPSCRole(t *testing.T) {
	for in, want := range map[string]Role{"Admin": RoleAccountAdmin, "administrator": RoleAccountAdmin,
		"Deal Manager": RoleReferralsAdmin, "deal-manager": RoleReferralsAdmin, "SELLER": RoleReferralsAdmin} {
		if got, err := PSCRole(in); err != nil || got != want {
			t.Errorf("PSCRole(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := PSCRole("Viewer"); err == nil || !strings.Contains(err.Error(), "allowed: Admin, Deal Manager, Seller") {
		t.Errorf("got %v", err)
	}
}

func TestCheckWorkAddress(t *testing.T) {
	own := []string{"fabrikam.com", " Fabrikam.FR "}
	for _, ok := range []string{"sue@fabrikam.com", "joe@fabrikam.fr", "ann@sales.fabrikam.com"} {
		if err := CheckWorkAddress(ok, own); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for addr, want := range map[string]string{
		"sue@gmail.com":       "sue@gmail.com is a consumer mail address (gmail.com): the user needs a work account",
		"joe@contoso.com":     "joe@contoso.com is not in the partner's domains (fabrikam.com,  Fabrikam.FR ): the user needs a work account",
		"eve@notfabrikam.com": "eve@notfabrikam.com is not in the partner's domains (fabrikam.com,  Fabrikam.FR ): the user needs a work account",
		"max@outlook.com":     "max@outlook.com is a consumer mail address (outlook.com): the user needs a work account",
	} {
		if err := CheckWorkAddress(addr, own); err == nil || err.Error() != want {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

func TestNormalizeUser(t *testing.T) {
	u, err := NormalizeUser(User{Email: " Sue@Fabrikam.COM ", Name: "  Sue   Smith ", Roles: []Role{RoleReferralsAdmin, RoleGlobalAdmin, RoleReferralsAdmin}})
	if err != nil || u.Email != "sue@fabrikam.com" || u.Name != "Sue Smith" || fmt.Sprint(u.Roles) != "[global-admin referrals-admin]" {
		t.Fatalf("%+v %v", u, err)
	}
	for _, bad := range []User{{Email: "sue", Roles: []Role{RoleAdminAgent}}, {Email: "a@b.com"}, {Email: "a@b.com", Name: "x\x1b[31m", Roles: []Role{RoleAdminAgent}}} {
		if _, err := NormalizeUser(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	roles, err := ParseRoles([]string{"referrals-admin, Admin-Agent", "", "referrals-admin"})
	if err != nil || fmt.Sprint(roles) != "[admin-agent referrals-admin]" {
		t.Fatalf("%v %v", roles, err)
	}
	if _, err := ParseRoles([]string{"admin"}); err == nil {
		t.Fatal("unknown role accepted")
	}
}
