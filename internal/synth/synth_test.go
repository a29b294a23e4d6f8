package synth

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var (
	// domainRE: dot-separated labels of [a-z0-9-] that neither start nor
	// end with '-'; label and total lengths are checked separately.
	domainRE = regexp.MustCompile(`^[a-z0-9]+(-+[a-z0-9]+)*(\.[a-z0-9]+(-+[a-z0-9]+)*)+$`)
	mpnRE    = regexp.MustCompile(`^[1-9][0-9]{6}$`)
)

// iso3166 is an independent list of assigned alpha-2 codes for the countries
// a CSP partner is likely to serve (a superset of what the generator uses).
var iso3166 = strings.Fields(`AD AE AR AT AU BE BG BR CA CH CL CN CO CY CZ DE DK EE ES FI FR GB GR HK HR
	HU IE IL IN IS IT JP KR LI LT LU LV MC MT MX MY NL NO NZ PE PL PT RO RS SE SG SI SK TR UA US ZA`)

// validGUIDv4 checks the lower-case text form
// xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx.
func validGUIDv4(s string) bool {
	if len(s) != 36 || s[14] != '4' || !strings.ContainsRune("89ab", rune(s[19])) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

func validDomain(d string) bool {
	if len(d) > 253 || d != strings.ToLower(d) {
		return false
	}
	if !domainRE.MatchString(d) {
		return false
	}
	for l := range strings.SplitSeq(d, ".") {
		if len(l) > 63 {
			return false
		}
	}
	return true
}

func generate(seed int64, n int) []Customer {
	g := NewCustomers(seed)
	out := make([]Customer, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

func csvBytes(t testing.TB, seed int64, n int, d Dialect) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCustomersCSV(&b, seed, n, d); err != nil {
		t.Fatalf("WriteCustomersCSV(%d, %d, %v): %v", seed, n, d, err)
	}
	return b.Bytes()
}

func TestDeterminism(t *testing.T) {
	for _, d := range []Dialect{DialectPcctl, DialectPartnerCenter} {
		a := csvBytes(t, 42, 5000, d)
		b := csvBytes(t, 42, 5000, d)
		if !bytes.Equal(a, b) {
			t.Errorf("%v: same seed gave different bytes", d)
		}
		c := csvBytes(t, 43, 5000, d)
		if bytes.Equal(a, c) {
			t.Errorf("%v: seeds 42 and 43 gave the same bytes", d)
		}
		// A prefix of a longer run is the shorter run.
		long := csvBytes(t, 42, 6000, d)
		if !bytes.HasPrefix(long, a) {
			t.Errorf("%v: 5000 rows are not a prefix of 6000 rows", d)
		}
	}
	x, y := generate(-5, 3000), generate(-5, 3000)
	for i := range x {
		if x[i] != y[i] {
			t.Fatalf("customer %d differs between runs: %+v vs %+v", i, x[i], y[i])
		}
	}
	// Different seeds must differ nearly everywhere, not just somewhere.
	z := generate(-4, 3000)
	same := 0
	for i := range x {
		if x[i].ID == z[i].ID || x[i].Domain == z[i].Domain && x[i].CompanyName == z[i].CompanyName {
			same++
		}
	}
	if same > 30 {
		t.Errorf("seeds -5 and -4 share %d of 3000 customers", same)
	}
}

// TestGolden pins the exact output so that a change of Go version, platform
// or vocabulary that alters the sequence is noticed. If the change is
// intended, update the constants (and tell the users of stored fixtures).
func TestGolden(t *testing.T) {
	c := NewCustomers(1).Next()
	want := Customer{
		ID:          "f241801c-bca4-4b4e-8f86-8309e3467765",
		CompanyName: "Immobilien Düsseldorf GmbH & Co. KG",
		Domain:      "immobiliendusseldorf.onmicrosoft.com",
		Country:     "DE",
		CreatedAt:   time.Date(2020, 8, 8, 6, 52, 54, 0, time.UTC),
	}
	if c != want {
		t.Errorf("first customer of seed 1:\n got %+v\nwant %+v", c, want)
	}
	for _, tc := range []struct {
		d    Dialect
		want string
	}{
		{DialectPcctl, goldenPcctl},
		{DialectPartnerCenter, goldenPartnerCenter},
	} {
		sum := sha256.Sum256(csvBytes(t, 1, 2000, tc.d))
		if got := hex.EncodeToString(sum[:]); got != tc.want {
			t.Errorf("%v: sha256 of 2000 rows for seed 1 = %s, want %s", tc.d, got, tc.want)
		}
	}
}

const (
	goldenPcctl         = "9d6fbf2786d23e4d11c7de2bc28c94f45a64031e3879b0926fae8e30e1e4acbd"
	goldenPartnerCenter = "e5be4e5858a7b57bf8c5a0ca2c831d5e1bb0979605683f1ae549596dcfcae38d"
)

func TestCustomers200k(t *testing.T) {
	const n = 200_000
	validCountry := map[string]bool{}
	for _, c := range iso3166 {
		validCountry[c] = true
	}
	minT := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	maxT := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)

	ids := make(map[string]struct{}, n)
	domains := make(map[string]struct{}, n)
	names := map[string]int{}
	prefixes := map[string]bool{}
	resellers := map[string]bool{}
	countries := map[string]int{}
	years := map[int]bool{}
	var nonASCII, withComma, withQuote, withAmp, withReseller, onMicrosoft, advisors int

	g := NewCustomers(7)
	for i := range n {
		c := g.Next()
		if !validGUIDv4(c.ID) {
			t.Fatalf("customer %d: bad ID %q", i, c.ID)
		}
		if _, dup := ids[c.ID]; dup {
			t.Fatalf("customer %d: duplicate ID %q", i, c.ID)
		}
		ids[c.ID] = struct{}{}

		if !validDomain(c.Domain) {
			t.Fatalf("customer %d: invalid domain %q", i, c.Domain)
		}
		if _, dup := domains[c.Domain]; dup {
			t.Fatalf("customer %d: duplicate domain %q", i, c.Domain)
		}
		domains[c.Domain] = struct{}{}
		if strings.HasSuffix(c.Domain, ".onmicrosoft.com") {
			onMicrosoft++
		}

		if !validCountry[c.Country] {
			t.Fatalf("customer %d: country %q is not a known ISO 3166 alpha-2 code", i, c.Country)
		}
		countries[c.Country]++

		name := c.CompanyName
		if name == "" || !utf8.ValidString(name) || strings.TrimSpace(name) != name ||
			strings.Contains(name, "  ") || strings.ContainsAny(name, "\r\n\t") {
			t.Fatalf("customer %d: malformed company name %q", i, name)
		}
		names[name]++
		for _, r := range name {
			if r >= utf8.RuneSelf {
				nonASCII++
				break
			}
		}
		if strings.Contains(name, ",") {
			withComma++
		}
		if strings.Contains(name, `"`) {
			withQuote++
		}
		if strings.Contains(name, "&") {
			withAmp++
		}
		if r := []rune(strings.ToLower(name)); len(r) >= 3 {
			prefixes[string(r[:3])] = true
		}

		if c.ResellerMPNID != "" {
			if !mpnRE.MatchString(c.ResellerMPNID) {
				t.Fatalf("customer %d: bad reseller MPN ID %q", i, c.ResellerMPNID)
			}
			withReseller++
			resellers[c.ResellerMPNID] = true
		}
		switch c.Relationship() {
		case "Advisor":
			advisors++
			if c.ResellerMPNID != "" {
				t.Fatalf("customer %d: advisor with an indirect reseller", i)
			}
		case "Reseller":
		default:
			t.Fatalf("customer %d: relationship %q", i, c.Relationship())
		}

		ts := c.CreatedAt
		if ts.Location() != time.UTC || ts.Nanosecond() != 0 || ts.Before(minT) || !ts.Before(maxT) {
			t.Fatalf("customer %d: CreatedAt %v out of range or not whole UTC seconds", i, ts)
		}
		years[ts.Year()] = true
	}

	pct := func(k int) float64 { return 100 * float64(k) / n }
	checkRange := func(what string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.2f%%, want between %v%% and %v%%", what, got, lo, hi)
		}
	}
	checkRange("customers with a reseller", pct(withReseller), 18, 22)
	checkRange("onmicrosoft.com domains", pct(onMicrosoft), 67, 73)
	checkRange("advisor relationships", pct(advisors), 5, 11)
	checkRange("names with non-ASCII letters", pct(nonASCII), 20, 80)
	checkRange("names with a comma", pct(withComma), 0.5, 10)
	checkRange(`names with a '"'`, pct(withQuote), 0.2, 5)
	checkRange("names with '&'", pct(withAmp), 1, 20)
	if len(resellers) < 150 || len(resellers) > 200 {
		t.Errorf("%d distinct reseller MPN IDs, want a pool of about 200", len(resellers))
	}
	if len(countries) < 15 {
		t.Errorf("only %d countries", len(countries))
	}
	for y := 2015; y <= 2026; y++ {
		if !years[y] {
			t.Errorf("no customer created in %d", y)
		}
	}
	if len(names) < n/2 {
		t.Errorf("only %d distinct company names in %d", len(names), n)
	}
	for name, k := range names {
		if k > n/1000 {
			t.Errorf("company name %q repeated %d times", name, k)
		}
	}
	if len(prefixes) < 1000 {
		t.Errorf("only %d distinct 3-letter name prefixes", len(prefixes))
	}
}

// TestDomainsUniqueWhenFilterSaturated forces every domain through the
// numbering path (as if the Bloom filter were full) and checks the
// uniqueness guarantee does not rely on the filter.
func TestDomainsUniqueWhenFilterSaturated(t *testing.T) {
	g := NewCustomers(11)
	for i := range g.seen {
		g.seen[i] = ^uint64(0)
	}
	seen := map[string]bool{}
	for i := range 30_000 {
		c := g.Next()
		if !validDomain(c.Domain) {
			t.Fatalf("customer %d: invalid domain %q", i, c.Domain)
		}
		if seen[c.Domain] {
			t.Fatalf("customer %d: duplicate domain %q", i, c.Domain)
		}
		seen[c.Domain] = true
	}
}

func TestPermute62IsInjective(t *testing.T) {
	seen := map[uint64]bool{}
	for _, key := range []uint64{0, 1, 0xdeadbeefcafef00d} {
		clear(seen)
		for x := uint64(0); x < 100_000; x++ {
			v := permute62(x, key)
			if v >= 1<<62 || seen[v] {
				t.Fatalf("key %#x: permute62(%d) = %#x out of range or repeated", key, x, v)
			}
			seen[v] = true
		}
	}
}

func TestValidators(t *testing.T) {
	for _, s := range []string{"3f2504e0-4f89-41d3-9a0c-0305e82c3301", "00000000-0000-4000-b000-000000000000"} {
		if !validGUIDv4(s) {
			t.Errorf("validGUIDv4(%q) = false", s)
		}
	}
	for _, s := range []string{"3F2504E0-4f89-41d3-9a0c-0305e82c3301", "3f2504e0-4f89-31d3-9a0c-0305e82c3301",
		"3f2504e0-4f89-41d3-7a0c-0305e82c3301", "3f2504e04f8941d39a0c0305e82c3301", "3f2504e0-4f89-41d3-9a0c-0305e82c330g"} {
		if validGUIDv4(s) {
			t.Errorf("validGUIDv4(%q) = true", s)
		}
	}
	for _, d := range []string{"contoso.onmicrosoft.com", "muller-bau.de", "a.co.uk", "x1--y.fr"} {
		if !validDomain(d) {
			t.Errorf("validDomain(%q) = false", d)
		}
	}
	for _, d := range []string{"contoso", "-a.com", "a-.com", "Contoso.com", "a..com", "müller.de", "a_b.com",
		strings.Repeat("a", 64) + ".com", strings.Repeat(strings.Repeat("a", 60)+".", 5) + "com"} {
		if validDomain(d) {
			t.Errorf("validDomain(%q) = true", d)
		}
	}
}

func TestTransliterate(t *testing.T) {
	for _, tc := range []struct {
		in        string
		sep       byte
		firstOnly bool
		want      string
	}{
		{"Société Générale", 0, false, "societegenerale"},
		{"Straßenbau Müller", '-', false, "strassenbau-muller"},
		{"Øresund Ålesund", 0, false, "oresundalesund"},
		{"Zakłady Łódź", '-', false, "zaklady-lodz"},
		{"Bäckerei Größer", 0, true, "backerei"},
		{"Compañía Telefónica", 0, false, "companiatelefonica"},
		{"O'Brien & Sons", '-', false, "obrien-sons"},
		{`"Le Petit" Café`, '-', false, "le-petit-cafe"},
		{"Rossi, Bianchi e Figli", '-', false, "rossi-bianchi-e-figli"},
		{"Sp. z o.o.", 0, false, "spzoo"},
		{"Œuvre Æsøy Þór", '-', false, "oeuvre-aesoy-thor"},
		{"日本 Ωmega", '-', false, "mega"},
		{"", '-', false, ""},
	} {
		if got := string(transliterate(nil, []byte(tc.in), tc.sep, tc.firstOnly)); got != tc.want {
			t.Errorf("transliterate(%q, %q, %v) = %q, want %q", tc.in, tc.sep, tc.firstOnly, got, tc.want)
		}
	}
}

func TestCSVRoundTrip(t *testing.T) {
	const n = 20_000
	want := generate(3, n)

	t.Run("pcctl", func(t *testing.T) {
		data := csvBytes(t, 3, n, DialectPcctl)
		if bytes.HasPrefix(data, []byte(utf8BOM)) || bytes.Contains(data, []byte("\r")) {
			t.Fatal("pcctl dialect must have no BOM and LF line endings")
		}
		if !bytes.HasPrefix(data, []byte("id,companyName,domain,country,resellerMpnId,createdAt\n")) {
			t.Fatalf("bad header: %q", data[:min(len(data), 80)])
		}
		if !bytes.Contains(data, []byte(`""`)) || !bytes.Contains(data, []byte(`,"`)) {
			t.Error("no quoted field in the output: CSV quoting is not exercised")
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = 6
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != n+1 {
			t.Fatalf("%d records, want %d", len(recs), n+1)
		}
		for i, rec := range recs[1:] {
			c := want[i]
			ts, err := time.Parse(time.RFC3339, rec[5])
			if err != nil || !ts.Equal(c.CreatedAt) || !strings.HasSuffix(rec[5], "Z") {
				t.Fatalf("row %d: createdAt %q, want %v", i, rec[5], c.CreatedAt)
			}
			got := []string{rec[0], rec[1], rec[2], rec[3], rec[4]}
			exp := []string{c.ID, c.CompanyName, c.Domain, c.Country, c.ResellerMPNID}
			if strings.Join(got, "\x00") != strings.Join(exp, "\x00") {
				t.Fatalf("row %d: got %q, want %q", i, got, exp)
			}
		}
	})

	t.Run("partner-center", func(t *testing.T) {
		data := csvBytes(t, 3, n, DialectPartnerCenter)
		if !bytes.HasPrefix(data, []byte(utf8BOM)) {
			t.Fatal("partner-center dialect must start with a UTF-8 BOM")
		}
		data = data[len(utf8BOM):]
		header := "Microsoft ID;Company name;Primary domain name;Relationship;Country\r\n"
		if !bytes.HasPrefix(data, []byte(header)) {
			t.Fatalf("bad header: %q", data[:min(len(data), 80)])
		}
		if lf, crlf := bytes.Count(data, []byte("\n")), bytes.Count(data, []byte("\r\n")); lf != crlf || lf != n+1 {
			t.Fatalf("%d LF and %d CRLF, want %d CRLF line endings only", lf, crlf, n+1)
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.Comma = ';'
		r.FieldsPerRecord = 5
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != n+1 {
			t.Fatalf("%d records, want %d", len(recs), n+1)
		}
		commas := 0
		for i, rec := range recs[1:] {
			c := want[i]
			exp := []string{c.ID, c.CompanyName, c.Domain, c.Relationship(), c.Country}
			if strings.Join(rec, "\x00") != strings.Join(exp, "\x00") {
				t.Fatalf("row %d: got %q, want %q", i, rec, exp)
			}
			if strings.Contains(rec[1], ",") {
				commas++
			}
		}
		if commas == 0 {
			t.Error("no company name with a comma")
		}
	})
}

// TestMatchesEncodingCSV checks the hand-written quoting against
// encoding/csv byte for byte.
func TestMatchesEncodingCSV(t *testing.T) {
	const n = 20_000
	custs := generate(5, n)
	for _, d := range []Dialect{DialectPcctl, DialectPartnerCenter} {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		if d == DialectPartnerCenter {
			want.WriteString(utf8BOM)
			w.Comma, w.UseCRLF = ';', true
			w.Write([]string{"Microsoft ID", "Company name", "Primary domain name", "Relationship", "Country"})
		} else {
			w.Write([]string{"id", "companyName", "domain", "country", "resellerMpnId", "createdAt"})
		}
		for _, c := range custs {
			if d == DialectPartnerCenter {
				w.Write([]string{c.ID, c.CompanyName, c.Domain, c.Relationship(), c.Country})
			} else {
				w.Write([]string{c.ID, c.CompanyName, c.Domain, c.Country, c.ResellerMPNID, c.CreatedAt.Format(time.RFC3339)})
			}
		}
		w.Flush()
		if got := csvBytes(t, 5, n, d); !bytes.Equal(got, want.Bytes()) {
			i := 0
			for i < len(got) && i < want.Len() && got[i] == want.Bytes()[i] {
				i++
			}
			t.Errorf("%v: output differs from encoding/csv at byte %d: %q vs %q", d, i,
				got[max(0, i-40):min(len(got), i+40)], want.Bytes()[max(0, i-40):min(want.Len(), i+40)])
		}
	}
}

func TestCSVWriterQuoting(t *testing.T) {
	for _, tc := range []struct {
		comma rune
		crlf  bool
		in    string
	}{
		{',', false, `"Le Petit" Café`}, {',', false, "Rossi, Bianchi e Figli"}, {',', false, "a\nb\rc"},
		{';', true, "a\nb\rc;d"}, {';', true, "x, y"}, {',', false, " lead"}, {',', false, `\.`},
		{',', false, ""}, {'\t', false, "tab\there"}, {'é', false, "xéy"},
	} {
		var want, got bytes.Buffer
		w := csv.NewWriter(&want)
		w.Comma, w.UseCRLF = tc.comma, tc.crlf
		w.Write([]string{tc.in})
		w.Flush()
		bw := bufio.NewWriter(&got)
		cw := csvWriter{w: bw, comma: tc.comma, crlf: tc.crlf}
		cw.field(tc.in)
		if err := cw.endRow(); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
		if got.String() != want.String() {
			t.Errorf("field(%q) comma %q crlf %v = %q, encoding/csv gives %q", tc.in, tc.comma, tc.crlf, got.String(), want.String())
		}
	}
}

func TestParseDialect(t *testing.T) {
	for _, d := range []Dialect{DialectPcctl, DialectPartnerCenter} {
		got, err := ParseDialect(d.String())
		if err != nil || got != d {
			t.Errorf("ParseDialect(%q) = %v, %v", d.String(), got, err)
		}
	}
	if d, err := ParseDialect("Partner-Center"); err != nil || d != DialectPartnerCenter {
		t.Errorf("ParseDialect(Partner-Center) = %v, %v", d, err)
	}
	for _, s := range []string{"", "csv", "partnercenter", "pcctl2"} {
		if _, err := ParseDialect(s); err == nil {
			t.Errorf("ParseDialect(%q) succeeded", s)
		}
	}
}

type failWriter struct{ left int }

var errBoom = errors.New("boom")

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n := f.left
		f.left = 0
		return n, errBoom
	}
	f.left -= len(p)
	return len(p), nil
}

func TestWriteErrors(t *testing.T) {
	if err := WriteCustomersCSV(io.Discard, 1, -1, DialectPcctl); err == nil {
		t.Error("negative n accepted")
	}
	if err := WriteCustomersCSV(io.Discard, 1, 10, Dialect(99)); err == nil {
		t.Error("unknown dialect accepted")
	}
	for _, d := range []Dialect{DialectPcctl, DialectPartnerCenter} {
		if err := WriteCustomersCSV(&failWriter{left: 100_000}, 1, 1_000_000, d); !errors.Is(err, errBoom) {
			t.Errorf("%v: error %v, want %v", d, err, errBoom)
		}
		if err := WriteCustomersCSV(&failWriter{left: 10}, 1, 0, d); !errors.Is(err, errBoom) {
			t.Errorf("%v, n=0: error %v, want %v", d, err, errBoom)
		}
		var b bytes.Buffer
		if err := WriteCustomersCSV(&b, 1, 0, d); err != nil || bytes.Count(b.Bytes(), []byte("\n")) != 1 {
			t.Errorf("%v, n=0: %v, %q; want the header only", d, err, b.String())
		}
	}
}

// BenchmarkWriteCustomersCSV writes 1,000,000 customers per operation.
func BenchmarkWriteCustomersCSV(b *testing.B) {
	const n = 1_000_000
	for _, d := range []Dialect{DialectPcctl, DialectPartnerCenter} {
		b.Run(d.String(), func(b *testing.B) {
			var cw countWriter
			ops := 0
			b.ReportAllocs()
			for b.Loop() {
				if err := WriteCustomersCSV(&cw, 1, n, d); err != nil {
					b.Fatal(err)
				}
				ops++
			}
			b.SetBytes(cw.n / int64(ops))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(ops)/n, "ns/customer")
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
