package synth

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/pcctl/pcctl/internal/domain"
)

var pscDialects = []PSCDialect{PSCISO, PSCExcelUS, PSCExcelFR, PSCExcelDE, PSCTab}

// pscTestOpts: more rows than customers with a unique name, so customers repeat.
var pscTestOpts = PSCOptions{
	Seed: 7, N: 3000, Customers: 2000, CustomerSeed: 3,
	ProspectPerMille: 100, DuplicatePerMille: 30,
}

func pscBytes(t testing.TB, opts PSCOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WritePSCDeals(&b, opts); err != nil {
		t.Fatalf("WritePSCDeals(%+v): %v", opts, err)
	}
	return b.Bytes()
}

// pscDecode checks the encoding, BOM and line endings of a dialect and returns the
// records, header first.
func pscDecode(t *testing.T, d PSCDialect, raw []byte) [][]string {
	t.Helper()
	text := raw
	hasBOM := bytes.HasPrefix(raw, []byte(utf8BOM))
	if hasBOM != (d == PSCExcelUS) {
		t.Errorf("%v: BOM %v", d, hasBOM)
	}
	text = bytes.TrimPrefix(text, []byte(utf8BOM))
	if d == PSCExcelFR {
		if utf8.Valid(raw) {
			t.Errorf("%v: the file is valid UTF-8, want Windows-1252", d)
		}
		for _, c := range []byte{0xA0, 0x80, 0xE9} { // no-break space, euro sign, é
			if bytes.IndexByte(raw, c) < 0 {
				t.Errorf("%v: no byte %#x", d, c)
			}
		}
		var err error
		if text, err = charmap.Windows1252.NewDecoder().Bytes(raw); err != nil {
			t.Fatalf("%v: %v", d, err)
		}
	} else if !utf8.Valid(text) {
		t.Errorf("%v: not valid UTF-8", d)
	}
	crlf := d == PSCExcelUS || d == PSCExcelFR || d == PSCExcelDE
	if crlf {
		if n, m := bytes.Count(text, []byte("\n")), bytes.Count(text, []byte("\r\n")); n != m {
			t.Errorf("%v: %d LF of %d without CR", d, n-m, n)
		}
	} else if bytes.IndexByte(text, '\r') >= 0 {
		t.Errorf("%v: CR in a LF dialect", d)
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = map[PSCDialect]rune{PSCISO: ',', PSCExcelUS: ',', PSCExcelFR: ';', PSCExcelDE: ';', PSCTab: '\t'}[d]
	r.FieldsPerRecord = len(PSCDealColumns)
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%v: %v", d, err)
	}
	if len(recs) == 0 || strings.Join(recs[0], "|") != strings.Join(PSCDealColumns, "|") {
		t.Fatalf("%v: header %q", d, recs[:min(1, len(recs))])
	}
	return recs
}

var (
	amountRE = map[PSCDialect]*regexp.Regexp{
		PSCISO:     regexp.MustCompile(`^[1-9][0-9]*(\.[0-9][0-9])?$`),
		PSCTab:     regexp.MustCompile(`^[1-9][0-9]*(\.[0-9][0-9])?$`),
		PSCExcelUS: regexp.MustCompile(`^[1-9][0-9]{0,2}(,[0-9]{3})*\.[0-9][0-9]$`),
		PSCExcelFR: regexp.MustCompile("^[1-9][0-9]{0,2}(\u00a0[0-9]{3})*,[0-9][0-9](\u00a0€)?$"),
		PSCExcelDE: regexp.MustCompile(`^[1-9][0-9]{0,2}(\.[0-9]{3})*,[0-9][0-9]$`),
	}
	dateLayout = map[PSCDialect]string{
		PSCISO: "2006-01-02", PSCTab: "2006-01-02", PSCExcelUS: "01/02/2006", PSCExcelFR: "02/01/2006", PSCExcelDE: "02.01.2006",
	}
	opportunityRE = regexp.MustCompile(`^7-[0-9A-Z]{10}$`)
)

// pscCents reads an amount of dialect d as cents.
func pscCents(t *testing.T, d PSCDialect, s, currency string) int64 {
	t.Helper()
	if !amountRE[d].MatchString(s) {
		t.Fatalf("%v: amount %q", d, s)
	}
	if d == PSCExcelFR && strings.HasSuffix(s, "€") != (currency == "EUR") {
		t.Fatalf("%v: amount %q in %s", d, s, currency)
	}
	s = strings.TrimSuffix(s, "\u00a0€")
	switch d {
	case PSCExcelUS:
		s = strings.ReplaceAll(s, ",", "")
	case PSCExcelFR, PSCExcelDE:
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\u00a0", ""), ".", "")
		s = strings.Replace(s, ",", ".", 1)
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := strconv.ParseInt(frac+"00"[len(frac):], 10, 64)
	if _, err := domain.ParseAmount(s); err != nil {
		t.Fatalf("%v: amount %q: %v", d, s, err)
	}
	return w*100 + f
}

func pscDate(t *testing.T, d PSCDialect, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(dateLayout[d], s)
	if err != nil {
		t.Fatalf("%v: date %q: %v", d, s, err)
	}
	return tm
}

// customerKeys returns how many of the first n customers have each OrgKey, and the
// customer of each key.
func customerKeys(seed int64, n int) (map[string]int, map[string]Customer) {
	count, byKey := map[string]int{}, map[string]Customer{}
	for _, c := range generate(seed, n) {
		k := domain.OrgKey(c.CompanyName)
		count[k]++
		byKey[k] = c
	}
	return count, byKey
}

func col(name string) int {
	for i, c := range PSCDealColumns {
		if c == name {
			return i
		}
	}
	panic(name)
}

func TestPSCDealsDeterminism(t *testing.T) {
	for _, d := range pscDialects {
		o := pscTestOpts
		o.N, o.Dialect = 500, d
		a, b := pscBytes(t, o), pscBytes(t, o)
		if !bytes.Equal(a, b) {
			t.Errorf("%v: same options gave different bytes", d)
		}
		o.Seed++
		if c := pscBytes(t, o); bytes.Equal(a, c) {
			t.Errorf("%v: seeds %d and %d gave the same bytes", d, o.Seed-1, o.Seed)
		}
	}
}

// TestPSCDeals checks every row of every dialect against the domain rules and the
// customers.
func TestPSCDeals(t *testing.T) {
	o := pscTestOpts
	count, byKey := customerKeys(o.CustomerSeed, o.Customers)
	sellers := map[string]bool{}
	for _, s := range sellerPool(o.Seed, DefaultPartnerDomain) {
		sellers[s] = true
	}
	now := time.Now()
	for _, d := range pscDialects {
		o.Dialect = d
		recs := pscDecode(t, d, pscBytes(t, o))
		rows := recs[1:]
		if len(rows) != o.N {
			t.Fatalf("%v: %d rows, want %d", d, len(rows), o.N)
		}
		ids := map[string]bool{}
		var prospects, dups, coSell, iot, closeDates, dayAbove12, localCurrency, changed int
		for i, row := range rows {
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("%v row %d %q: "+format, append([]any{d, i + 1, row}, args...)...)
			}
			if id := row[col("Opportunity ID")]; !opportunityRE.MatchString(id) || ids[id] {
				fail("opportunity ID invalid or repeated")
			}
			ids[row[col("Opportunity ID")]] = true
			if strings.TrimSpace(row[col("Deal Name")]) == "" {
				fail("no deal name")
			}

			name, country := row[col("Customer Name")], row[col("Customer Country")]
			key := domain.OrgKey(name)
			switch n := count[key]; {
			case n == 0:
				prospects++
				if country == "" {
					fail("prospect without country")
				}
			case n > 1:
				fail("names one of %d customers with key %q", n, key)
			default:
				c := byKey[key]
				if c.Country != country {
					fail("country %s, the customer's is %s", country, c.Country)
				}
				if name != c.CompanyName {
					changed++
				}
				if pscCountries[c.Country].currency == row[col("Currency")] {
					localCurrency++
				}
			}

			cur, err := domain.ParseCurrency(row[col("Currency")])
			if err != nil || cur != row[col("Currency")] {
				fail("currency: %v", err)
			}
			if pscCents(t, d, row[col("Deal Value")], cur) <= 0 {
				fail("no value")
			}

			st, err := domain.ParsePSCStatus(row[col("Status")])
			if err != nil {
				fail("%v", err)
			}
			if st == domain.PSCDuplicate {
				dups++
			}
			kind, err := domain.ParsePSCDealType(row[col("Deal Type")])
			if err != nil {
				fail("%v", err)
			}
			sols, err := domain.SplitProducts(row[col("Products")])
			if err != nil || len(sols) < 1 || len(sols) > 5 {
				fail("products: %d, %v", len(sols), err)
			}
			seen := map[string]bool{}
			for _, s := range sols {
				if seen[s.String()] || seen[string(s.Source)+":"+s.ID] {
					fail("solution %s twice", s)
				}
				seen[string(s.Source)+":"+s.ID] = true
			}

			contact := [3]string{row[col("Customer Contact Name")], row[col("Customer Contact Email")], row[col("Customer Contact Phone")]}
			if kind.Type == domain.CoSellDeal {
				coSell++
				if contact[0] == "" || contact[1] == "" || contact[2] == "" {
					fail("co-sell deal without a complete contact")
				}
			}
			if contact[1] != "" {
				if _, err := domain.ParseEmail(contact[1]); err != nil {
					fail("contact email: %v", err)
				}
			}
			if err := domain.CheckWorkAddress(row[col("Seller Email")], []string{DefaultPartnerDomain}); err != nil || !sellers[row[col("Seller Email")]] {
				fail("seller: %v (or not a user of WritePSCUsers)", err)
			}

			created, modified := pscDate(t, d, row[col("Created Date")]), pscDate(t, d, row[col("Last Modified Date")])
			if modified.Before(created) || !modified.Before(now) {
				fail("created %v, modified %v", created, modified)
			}
			if created.Day() > 12 {
				dayAbove12++
			}
			if kind.IoTOEM {
				iot++
				if row[col("Estimated Close Date")] == "" {
					fail("IoT OEM deal without close date")
				}
			}
			if s := row[col("Estimated Close Date")]; s != "" {
				closeDates++
				pscDate(t, d, s)
			}
		}
		if want := (o.N*o.ProspectPerMille + 500) / 1000; prospects != want {
			t.Errorf("%v: %d prospects, want %d", d, prospects, want)
		}
		customers := o.N - prospects
		for _, c := range []struct {
			what      string
			n, lo, hi int
		}{
			{"duplicates", dups, o.N * o.DuplicatePerMille / 2000, o.N * o.DuplicatePerMille * 2 / 1000},
			{"co-sell deals", coSell, o.N / 10, o.N / 4},
			{"IoT OEM deals", iot, o.N / 100, o.N / 12},
			{"close dates", closeDates, o.N / 4, o.N * 42 / 100},
			{"days above 12", dayAbove12, o.N / 3, o.N},
			{"local currencies", localCurrency, customers * 85 / 100, customers},
			{"names typed differently", changed, customers / 5, customers * 3 / 4},
		} {
			if c.n < c.lo || c.n > c.hi {
				t.Errorf("%v: %d %s, want %d to %d", d, c.n, c.what, c.lo, c.hi)
			}
		}
	}
}

// TestPSCDialectsAgree: the dialects write the same opportunities; excel-fr transliterates
// what Windows-1252 cannot hold and draws again the rows it cannot transliterate.
func TestPSCDialectsAgree(t *testing.T) {
	o := pscTestOpts
	o.N = 1500
	o.ProspectPerMille = 300
	base := pscDecode(t, PSCISO, pscBytes(t, o))[1:]
	value, created, modified, closeDate := col("Deal Value"), col("Created Date"), col("Last Modified Date"), col("Estimated Close Date")
	normalize := func(d PSCDialect, row []string) []string {
		row = append([]string(nil), row...)
		row[value] = strconv.FormatInt(pscCents(t, d, row[value], row[col("Currency")]), 10)
		for _, k := range []int{created, modified, closeDate} {
			if row[k] != "" {
				row[k] = pscDate(t, d, row[k]).Format(time.DateOnly)
			}
		}
		return row
	}
	redrawn := 0
	for _, d := range pscDialects[1:] {
		o.Dialect = d
		rows := pscDecode(t, d, pscBytes(t, o))[1:]
		for i := range rows {
			want, got := normalize(PSCISO, base[i]), normalize(d, rows[i])
			if d == PSCExcelFR {
				ok := true
				for k := range want {
					if want[k], ok = toCP1252(want[k]); !ok {
						break
					}
				}
				if !ok {
					redrawn++
					if got[0] != want[0] {
						t.Fatalf("%v row %d: redrawn with ID %s, want %s", d, i+1, got[0], want[0])
					}
					continue
				}
			}
			if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Fatalf("%v row %d:\n got %q\nwant %q", d, i+1, got, want)
			}
		}
	}
	if redrawn == 0 {
		t.Error("no row with a non-Latin prospect: excel-fr's redrawing is untested")
	}
}

// TestPSCDealsCustomersOnce: with enough customers, each is named once.
func TestPSCDealsCustomersOnce(t *testing.T) {
	o := PSCOptions{Seed: 1, N: 400, Customers: 2000, CustomerSeed: 1}
	count, _ := customerKeys(o.CustomerSeed, o.Customers)
	seen := map[string]bool{}
	for _, row := range pscDecode(t, PSCISO, pscBytes(t, o))[1:] {
		k := domain.OrgKey(row[col("Customer Name")])
		if count[k] != 1 || seen[k] {
			t.Fatalf("customer %q (key %q, %d customers) named again or not unique", row[col("Customer Name")], k, count[k])
		}
		seen[k] = true
	}
}

// TestTypedName: the variants people type keep the OrgKey, and all kinds occur.
func TestTypedName(t *testing.T) {
	var r prng
	r.src.Seed(1, 2)
	kinds := map[string]int{}
	for _, c := range generate(5, 5000) {
		key := domain.OrgKey(c.CompanyName)
		core := stripLegal(c.CompanyName, key)
		if domain.OrgKey(core) != key {
			t.Fatalf("core %q of %q has another key", core, c.CompanyName)
		}
		v := typedName(&r, c.CompanyName, core, key)
		if domain.OrgKey(v) != key {
			t.Fatalf("%q typed as %q: key %q, want %q", c.CompanyName, v, domain.OrgKey(v), key)
		}
		switch {
		case v == c.CompanyName:
			kinds["same"]++
		case v == strings.ToUpper(v):
			kinds["upper"]++
		case v == strings.ToLower(v):
			kinds["lower"]++
		case v == core && core != c.CompanyName:
			kinds["no legal form"]++
		case isASCII(v) && !isASCII(c.CompanyName):
			kinds["accents dropped"]++
		case domain.Fold(v) != domain.Fold(c.CompanyName):
			kinds["other legal form"]++
		}
	}
	for _, k := range []string{"same", "upper", "lower", "no legal form", "accents dropped", "other legal form"} {
		if kinds[k] < 20 {
			t.Errorf("%d names %s of 5000 (%v)", kinds[k], k, kinds)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"Müller Bau GmbH & Co. KG", "Müller Bau"},
		{"Smith, Inc.", "Smith"},
		{"Trey Research", "Trey Research"},
		{"Rossi, Bianchi e Figli S.r.l.", "Rossi, Bianchi e Figli"},
	} {
		if got := stripLegal(c.in, domain.OrgKey(c.in)); got != c.want {
			t.Errorf("stripLegal(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestToCP1252(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"Société Générale", "Société Générale", true},
		{"Łukasz Wiśniewski Sp. z o.o.", "Lukasz Wisniewski Sp. z o.o.", true},
		{"Œuvre – 12\u00a0345 €", "Œuvre – 12\u00a0345 €", true},
		{"Αθηναϊκή", "", false},
		{"東京データ", "", false},
	} {
		got, ok := toCP1252(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("toCP1252(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestPermute48IsInjective(t *testing.T) {
	seen := map[uint64]bool{}
	for _, key := range []uint64{0, 1, 0xdeadbeefcafef00d} {
		clear(seen)
		for x := uint64(0); x < 100_000; x++ {
			v := permute48(x, key)
			if v >= 1<<48 || seen[v] {
				t.Fatalf("key %#x: permute48(%d) = %#x out of range or repeated", key, x, v)
			}
			seen[v] = true
		}
	}
}

func TestPSCDealsErrors(t *testing.T) {
	for _, o := range []PSCOptions{
		{N: -1, Customers: 10},
		{N: 10, Customers: -1},
		{N: 10, Customers: 10, Dialect: PSCDialect(99)},
		{N: 10, Customers: 10, ProspectPerMille: 1001},
		{N: 10, Customers: 10, DuplicatePerMille: -1},
		{N: 10, Customers: 10, PartnerDomain: "not a domain"},
		{N: 10, Customers: 0}, // rows need customers
	} {
		if err := WritePSCDeals(io.Discard, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	// Prospects only need no customer.
	recs := pscDecode(t, PSCISO, pscBytes(t, PSCOptions{N: 20, ProspectPerMille: 1000}))
	if len(recs) != 21 {
		t.Errorf("prospects only: %d records", len(recs))
	}
	recs = pscDecode(t, PSCExcelUS, pscBytes(t, PSCOptions{N: 0, Dialect: PSCExcelUS}))
	if len(recs) != 1 {
		t.Errorf("n=0: %d records, want the header only", len(recs))
	}
	for _, d := range pscDialects {
		o := pscTestOpts
		o.Dialect, o.N = d, 100_000
		if err := WritePSCDeals(&failWriter{left: 200_000}, o); !errors.Is(err, errBoom) {
			t.Errorf("%v: error %v, want %v", d, err, errBoom)
		}
		if err := WritePSCDeals(&failWriter{left: 10}, PSCOptions{Dialect: d}); !errors.Is(err, errBoom) {
			t.Errorf("%v, n=0: error %v, want %v", d, err, errBoom)
		}
	}
}

func TestParsePSCDialect(t *testing.T) {
	for _, d := range pscDialects {
		got, err := ParsePSCDialect(" " + strings.ToUpper(d.String()) + " ")
		if err != nil || got != d {
			t.Errorf("ParsePSCDialect(%q) = %v, %v", d.String(), got, err)
		}
	}
	if _, err := ParsePSCDialect("excel"); err == nil {
		t.Error("excel accepted")
	}
}

func TestPSCUsers(t *testing.T) {
	const n = 1000
	var a, b bytes.Buffer
	if err := WritePSCUsers(&a, 3, n, ""); err != nil {
		t.Fatal(err)
	}
	if err := WritePSCUsers(&b, 3, n, ""); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("not deterministic (%v)", err)
	}
	recs, err := csv.NewReader(bytes.NewReader(a.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n+1 || strings.Join(recs[0], ",") != "Email,Name,Role" {
		t.Fatalf("%d records, header %q", len(recs), recs[0])
	}
	seen := map[string]bool{}
	roles := map[string]int{}
	var consumer, other int
	for _, u := range recs[1:] {
		email, err := domain.ParseEmail(u[0])
		if err != nil || strings.TrimSpace(u[1]) == "" {
			t.Fatalf("%q: %v", u, err)
		}
		if k := strings.ToLower(email); seen[k] {
			t.Fatalf("%s twice", u[0])
		} else {
			seen[k] = true
		}
		if _, err := domain.PSCRole(u[2]); err != nil {
			t.Fatal(err)
		}
		roles[u[2]]++
		if err := domain.CheckWorkAddress(email, []string{DefaultPartnerDomain}); err != nil {
			_, dom, _ := strings.Cut(email, "@")
			if strings.Contains(err.Error(), "consumer") {
				consumer++
			} else if !strings.HasSuffix(dom, DefaultPartnerDomain) {
				other++
			}
		}
	}
	if roles["Admin"] < 10 || roles["Deal Manager"] < 100 || roles["Seller"] < 500 || len(roles) != 3 {
		t.Errorf("roles %v", roles)
	}
	if consumer < 10 || consumer > 60 || other < 5 || other > 50 {
		t.Errorf("%d consumer addresses, %d of another company, of %d", consumer, other, n)
	}
	if err := WritePSCUsers(io.Discard, 1, -1, ""); err == nil {
		t.Error("negative n accepted")
	}
	if err := WritePSCUsers(io.Discard, 1, 1, "x"); err == nil {
		t.Error("invalid partner domain accepted")
	}
	if err := WritePSCUsers(&failWriter{left: 1000}, 1, 10_000, ""); !errors.Is(err, errBoom) {
		t.Errorf("error %v, want %v", err, errBoom)
	}
}

// TestPSCSellersAreUsers: the seller emails of WritePSCDeals are users of WritePSCUsers with
// the same seed and partner domain (the first 50).
func TestPSCSellersAreUsers(t *testing.T) {
	const partner = "contoso-partner.fr"
	var users bytes.Buffer
	if err := WritePSCUsers(&users, 9, sellerPoolUsers, partner); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	recs, _ := csv.NewReader(&users).ReadAll()
	for _, u := range recs[1:] {
		known[u[0]] = u[2] != "Admin"
	}
	o := PSCOptions{Seed: 9, N: 500, Customers: 1000, PartnerDomain: partner}
	sellers := map[string]bool{}
	for _, row := range pscDecode(t, PSCISO, pscBytes(t, o))[1:] {
		s := row[col("Seller Email")]
		if !known[s] || !strings.HasSuffix(strings.ToLower(s), partner) {
			t.Fatalf("seller %s is not a seller of the users file", s)
		}
		sellers[s] = true
	}
	if len(sellers) < 20 {
		t.Errorf("only %d sellers", len(sellers))
	}
}

// BenchmarkWritePSCDeals writes 100,000 opportunities naming 1,000,000 customers, the
// benchmark workload (go test -bench PSC -benchtime 1x).
func BenchmarkWritePSCDeals(b *testing.B) {
	for _, d := range []PSCDialect{PSCISO, PSCExcelFR} {
		b.Run(d.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				o := PSCOptions{Seed: 1, N: 100_000, Customers: 1_000_000, CustomerSeed: 1, Dialect: d}
				if err := WritePSCDeals(io.Discard, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
