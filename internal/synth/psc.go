package synth

// Partner Sales Connect exports: opportunities to migrate into deals (pcctl deal import
// --psc) and users (pcctl user import --psc), as PSC users export them and as spreadsheets
// in several locales save them again.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"github.com/pcctl/pcctl/internal/domain"
)

// PSCDialect selects the layout of a generated PSC export.
type PSCDialect int

const (
	// PSCISO is the plain layout: UTF-8 without BOM, comma separated, LF, ISO dates
	// (2006-01-02), plain amounts (12345.67, or 12345 for a whole amount).
	PSCISO PSCDialect = iota
	// PSCExcelUS is the file an English (US) Excel saves as "CSV UTF-8": UTF-8 with BOM,
	// comma separated, CRLF, amounts 12,345.67 (so quoted), dates MM/DD/YYYY.
	PSCExcelUS
	// PSCExcelFR is the file a French Excel saves as "CSV (séparateur: point-virgule)":
	// Windows-1252, semicolon separated, CRLF, amounts "12 345,67 €" with no-break spaces
	// (U+00A0), the euro sign only for EUR, dates DD/MM/YYYY. Text that Windows-1252
	// cannot encode is transliterated (Łódź becomes Lodz); a row that cannot be is drawn
	// again.
	PSCExcelFR
	// PSCExcelDE is the file a German Excel saves: UTF-8 without BOM, semicolon
	// separated, CRLF, amounts 12.345,67, dates DD.MM.YYYY.
	PSCExcelDE
	// PSCTab is tab separated: UTF-8 without BOM, LF, ISO dates, plain amounts.
	PSCTab
)

var pscDialectNames = []string{"iso", "excel-us", "excel-fr", "excel-de", "tab"}

// PSCDialectNames lists the names ParsePSCDialect accepts, for messages and help.
const PSCDialectNames = "iso, excel-us, excel-fr, excel-de, tab"

// String returns the name accepted by ParsePSCDialect.
func (d PSCDialect) String() string {
	if d >= 0 && int(d) < len(pscDialectNames) {
		return pscDialectNames[d]
	}
	return fmt.Sprintf("PSCDialect(%d)", int(d))
}

// ParsePSCDialect parses a dialect name (case-insensitive): iso, excel-us, excel-fr,
// excel-de or tab.
func ParsePSCDialect(s string) (PSCDialect, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for i, n := range pscDialectNames {
		if t == n {
			return PSCDialect(i), nil
		}
	}
	return 0, fmt.Errorf("unknown PSC dialect %q (want %s)", s, PSCDialectNames)
}

// pscFormat is how a dialect writes rows, numbers and dates.
type pscFormat struct {
	comma  rune
	crlf   bool
	bom    bool
	cp1252 bool
	date   string // time layout
	// thousands and decimal separators of amounts; plain amounts have neither thousands
	// separators nor ".00" for whole amounts.
	thousands, decimal string
	plain              bool
	euro               string // appended to EUR amounts
}

func (d PSCDialect) format() (pscFormat, bool) {
	switch d {
	case PSCISO:
		return pscFormat{comma: ',', date: "2006-01-02", decimal: ".", plain: true}, true
	case PSCExcelUS:
		return pscFormat{comma: ',', crlf: true, bom: true, date: "01/02/2006", thousands: ",", decimal: "."}, true
	case PSCExcelFR:
		return pscFormat{comma: ';', crlf: true, cp1252: true, date: "02/01/2006", thousands: "\u00a0", decimal: ",", euro: "\u00a0€"}, true
	case PSCExcelDE:
		return pscFormat{comma: ';', crlf: true, date: "02.01.2006", thousands: ".", decimal: ","}, true
	case PSCTab:
		return pscFormat{comma: '\t', date: "2006-01-02", decimal: ".", plain: true}, true
	}
	return pscFormat{}, false
}

// PSCDealColumns are the columns of a PSC opportunity export, in order.
var PSCDealColumns = []string{
	"Opportunity ID", "Deal Name", "Customer Name", "Customer Country", "Deal Value", "Currency",
	"Status", "Deal Role", "Licensing Program", "Products", "Estimated Close Date",
	"Customer Outcome", "Customer Contact Name", "Customer Contact Email", "Customer Contact Phone",
	"Seller Email", "Created Date", "Last Modified Date", "Deal Type",
}

// The columns by position.
const (
	pscID = iota
	pscName
	pscCustomer
	pscCountry
	pscValue
	pscCurrency
	pscStatus
	pscRole
	pscProgram
	pscProducts
	pscCloseDate
	pscOutcome
	pscContactName
	pscContactEmail
	pscContactPhone
	pscSeller
	pscCreated
	pscModified
	pscDealType
	pscColumns
)

// DefaultPartnerDomain is the partner's mail domain when none is given.
const DefaultPartnerDomain = "fabrikam-partner.com"

// PSCOptions describes a generated PSC opportunity export.
type PSCOptions struct {
	Seed int64 // seed of the opportunities (and of the sellers, see WritePSCDeals)
	N    int   // number of opportunity rows

	// The customers the opportunities refer to: the first Customers customers of
	// NewCustomers(CustomerSeed), as imported into the workspace beforehand.
	Customers    int
	CustomerSeed int64

	Dialect PSCDialect

	// ProspectPerMille is the share of rows (per mille) whose customer is a prospect
	// organisation, not a customer: importing them needs --create-missing-orgs.
	ProspectPerMille int
	// DuplicatePerMille is the share of rows (per mille) with status "Closed as
	// Duplicate", which the import skips.
	DuplicatePerMille int

	PartnerDomain string // the partner's mail domain; DefaultPartnerDomain when empty
}

// exportDate is the day the generated exports were taken: every created and modified date
// is before it.
var exportDate = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)

var pscCreatedMin = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

// sellerPoolUsers is how many users of WritePSCUsers the sellers of WritePSCDeals are
// taken from.
const sellerPoolUsers = 50

// WritePSCDeals writes a PSC opportunity export: a header (PSCDealColumns) and opts.N rows.
//
// A row names either a customer of opts.Customers whose OrgKey no other of them shares,
// typed as people type it (case changed, accents dropped, legal form removed or changed,
// always with the same domain.OrgKey), with its country; or, for opts.ProspectPerMille of
// the rows, a prospect organisation whose OrgKey is no customer's. Customers are used
// once each while there are enough of them, then several times each. Every row is
// accepted by domain.ParsePSCStatus, domain.ParsePSCDealType and domain.SplitProducts;
// co-sell rows have a complete customer contact. Seller emails are work addresses among
// the first 50 users of WritePSCUsers with the same seed and partner domain.
//
// The output depends only on opts. Rows are streamed; before the first one, the customer
// sequence is read once to find the unique names (16 bytes of memory per customer, and
// about 2.5 seconds of CPU for 1,000,000, mostly domain.OrgKey, spread over up to 8
// cores), and it is read again while rows are written.
func WritePSCDeals(w io.Writer, opts PSCOptions) error {
	f, ok := opts.Dialect.format()
	switch {
	case !ok:
		return errors.New("synth: unknown PSC dialect " + opts.Dialect.String())
	case opts.N < 0:
		return fmt.Errorf("synth: negative opportunity count %d", opts.N)
	case opts.N >= 1<<48:
		return fmt.Errorf("synth: too many opportunities (%d)", opts.N)
	case opts.Customers < 0:
		return fmt.Errorf("synth: negative customer count %d", opts.Customers)
	case opts.ProspectPerMille < 0 || opts.ProspectPerMille > 1000:
		return fmt.Errorf("synth: prospect share %d is not between 0 and 1000 per mille", opts.ProspectPerMille)
	case opts.DuplicatePerMille < 0 || opts.DuplicatePerMille > 1000:
		return fmt.Errorf("synth: duplicate share %d is not between 0 and 1000 per mille", opts.DuplicatePerMille)
	}
	partner := strings.ToLower(strings.TrimSpace(opts.PartnerDomain))
	if partner == "" {
		partner = DefaultPartnerDomain
	}
	if !validMailDomain(partner) {
		return fmt.Errorf("synth: invalid partner domain %q", opts.PartnerDomain)
	}

	prospects := int((int64(opts.N)*int64(opts.ProspectPerMille) + 500) / 1000)
	customerRows := opts.N - prospects
	var idx *customerIndex
	if customerRows > 0 || prospects > 0 {
		idx = indexCustomers(opts.CustomerSeed, opts.Customers)
	}
	if customerRows > 0 && idx.unique == 0 {
		return fmt.Errorf("synth: none of the first %d customers (seed %d) has a name no other shares: "+
			"rows need more customers, or prospects only", opts.Customers, opts.CustomerSeed)
	}

	out := w
	var enc *transform.Writer
	if f.cp1252 {
		enc = transform.NewWriter(w, charmap.Windows1252.NewEncoder())
		out = enc
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	cw := csvWriter{w: bw, comma: f.comma, crlf: f.crlf}
	if f.bom {
		bw.WriteString(utf8BOM)
	}
	for i, c := range PSCDealColumns {
		if i > 0 {
			bw.WriteRune(f.comma)
		}
		cw.field(c)
	}
	if err := cw.endRow(); err != nil {
		return err
	}

	g := &pscDealGen{
		f:       f,
		seed:    uint64(opts.Seed),
		dupPM:   opts.DuplicatePerMille,
		idx:     idx,
		sellers: sellerPool(opts.Seed, partner),
		idKey:   fmix64(uint64(opts.Seed) ^ 0x5ca1ab1e0ddba11),
	}
	var sel prng
	sel.src.Seed(uint64(opts.Seed), 0x7073632d73656c) // "psc-sel"
	var pick *customerPicker
	if customerRows > 0 {
		pick = newCustomerPicker(opts.CustomerSeed, idx, customerRows, &sel)
	}
	var row [pscColumns]string
	prospectsLeft, customersLeft := prospects, customerRows
	for i := range opts.N {
		var c *Customer
		if sel.intn(uint64(prospectsLeft+customersLeft)) < uint64(prospectsLeft) {
			prospectsLeft--
		} else {
			customersLeft--
			c = pick.next()
		}
		g.row(&row, uint64(i), c)
		for k, v := range row {
			if k > 0 {
				bw.WriteRune(f.comma)
			}
			cw.field(v)
		}
		if err := cw.endRow(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if enc != nil {
		return enc.Close()
	}
	return nil
}

// prng draws bounded integers from a PCG source with integer arithmetic only, like
// CustomerGen.
type prng struct{ src rand.PCG }

func (r *prng) intn(n uint64) uint64 {
	hi, lo := bits.Mul64(r.src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.src.Uint64(), n)
		}
	}
	return hi
}

func (r *prng) n(n int) int              { return int(r.intn(uint64(n))) }
func (r *prng) chance(perMille int) bool { return r.intn(1000) < uint64(perMille) }
func (r *prng) pick(s []string) string   { return s[r.intn(uint64(len(s)))] }
func (r *prng) between(lo, hi int) int   { return lo + r.n(hi-lo+1) }
func (r *prng) skewed(n int) int         { return min(r.n(n), r.n(n)) }
func (r *prng) digits(b []byte, n int) []byte {
	for range n {
		b = append(b, byte('0'+r.intn(10)))
	}
	return b
}

func (r *prng) country() *country {
	total := 0
	for i := range countries {
		total += countries[i].weight
	}
	x := r.n(total)
	for i := range countries {
		x -= countries[i].weight
		if x < 0 {
			return &countries[i]
		}
	}
	return &countries[len(countries)-1]
}

// customerIndex is what the first pass over the customers keeps: which customers can be
// named (bit i of eligible: customer i has an OrgKey no other of them has, and survives
// the Windows-1252 transliteration), and the sorted hashes of all their OrgKeys, to keep
// prospects off them.
type customerIndex struct {
	eligible []uint64
	keys     []uint64
	unique   int
}

func keyHash(k string) uint64 { return fmix64(fnv1a(k)) }

func popcount(x uint64) int { return bits.OnesCount64(x) }

// indexBatch is how many customers a worker of indexCustomers folds at a time: a multiple
// of 64, so that workers write distinct words of the bitmaps.
const indexBatch = 4096

func indexCustomers(seed int64, n int) *customerIndex {
	// The customers are generated in sequence; their keys (domain.OrgKey, the costly
	// part) are computed by workers, each result stored at the customer's index.
	hs := make([]uint64, n)
	lost := make([]uint64, (n+63)/64) // customers whose name loses its key in Windows-1252
	type batch struct {
		start int
		names []string
	}
	batches := make(chan batch, 4)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), 8) {
		wg.Go(func() {
			for b := range batches {
				for k, name := range b.names {
					i := b.start + k
					key := domain.OrgKey(name)
					hs[i] = keyHash(key)
					if !cp1252OK(name) {
						if t, ok := toCP1252(name); !ok || domain.OrgKey(t) != key {
							lost[i/64] |= 1 << (i % 64)
						}
					}
				}
			}
		})
	}
	g := NewCustomers(seed)
	for start := 0; start < n; start += indexBatch {
		names := make([]string, min(indexBatch, n-start))
		for k := range names {
			names[k] = g.Next().CompanyName
		}
		batches <- batch{start, names}
	}
	close(batches)
	wg.Wait()

	sorted := slices.Clone(hs)
	slices.Sort(sorted)
	idx := &customerIndex{eligible: make([]uint64, (n+63)/64), keys: sorted}
	for i, h := range hs {
		// Equal keys have equal hashes: a hash seen once is a key seen once. (Two keys
		// with one hash only lose both customers.)
		j, _ := slices.BinarySearch(sorted, h)
		if j+1 < len(sorted) && sorted[j+1] == h {
			continue
		}
		idx.eligible[i/64] |= 1 << (i % 64)
		idx.unique++
	}
	for w, bits := range lost {
		bits &= idx.eligible[w]
		idx.eligible[w] &^= bits
		idx.unique -= popcount(bits)
	}
	return idx
}

func (x *customerIndex) isCustomerKey(k string) bool {
	_, found := slices.BinarySearch(x.keys, keyHash(k))
	return found
}

// customerPicker hands out customers for rows, in sequence order: with R rows for U
// eligible customers, each gets R/U rows and R%U of them (chosen by selection sampling)
// one more.
type customerPicker struct {
	gen       *CustomerGen
	idx       *customerIndex
	sel       *prng
	i         int // next sequence index
	eligLeft  int // eligible customers not yet reached
	base      int
	extraLeft int
	cur       Customer
	curLeft   int
}

func newCustomerPicker(seed int64, idx *customerIndex, rows int, sel *prng) *customerPicker {
	return &customerPicker{
		gen: NewCustomers(seed), idx: idx, sel: sel,
		eligLeft: idx.unique, base: rows / idx.unique, extraLeft: rows % idx.unique,
	}
}

func (p *customerPicker) next() *Customer {
	for p.curLeft == 0 {
		c := p.gen.Next()
		i := p.i
		p.i++
		if p.idx.eligible[i/64]&(1<<(i%64)) == 0 {
			continue
		}
		k := p.base
		if p.extraLeft > 0 && p.sel.intn(uint64(p.eligLeft)) < uint64(p.extraLeft) {
			k++
			p.extraLeft--
		}
		p.eligLeft--
		p.cur, p.curLeft = c, k
	}
	p.curLeft--
	return &p.cur
}

// pscDealGen writes the fields of rows. Each row draws from its own source, seeded by the
// row index, so that a row drawn again (Windows-1252) changes nothing else.
type pscDealGen struct {
	f       pscFormat
	seed    uint64
	dupPM   int
	idx     *customerIndex
	sellers []string
	idKey   uint64
	buf     []byte
}

func (g *pscDealGen) row(row *[pscColumns]string, i uint64, c *Customer) {
	key := ""
	if c != nil {
		key = domain.OrgKey(c.CompanyName)
	}
	for attempt := uint64(0); ; attempt++ {
		var r prng
		r.src.Seed(g.seed^0x70736364, fmix64(i<<8|attempt)) // "pscd"
		g.draw(row, &r, i, c, key)
		if !g.f.cp1252 {
			return
		}
		ok := true
		for k := range row {
			if row[k], ok = toCP1252(row[k]); !ok {
				break
			}
		}
		if !ok {
			continue
		}
		if c != nil && domain.OrgKey(row[pscCustomer]) != key {
			// Cannot happen for a variant of a name that keeps its key (checked by
			// indexCustomers), but the name must resolve.
			row[pscCustomer], _ = toCP1252(c.CompanyName)
		}
		return
	}
}

// The vocabularies of the other columns.
var (
	pscWorkloads = []string{
		"Microsoft 365 E3", "Microsoft 365 E5", "Microsoft 365 Business Premium", "Microsoft 365 Business Standard",
		"Azure migration", "Azure Virtual Desktop", "Azure landing zone", "Azure OpenAI pilot", "Dynamics 365 Sales",
		"Dynamics 365 Business Central", "Teams Phone", "Teams Rooms", "Defender for Endpoint", "Intune rollout",
		"Power BI Pro", "Power Platform", "Copilot for Microsoft 365", "Exchange Online migration",
		"SQL Server modernisation", "Sentinel SOC", "Windows 11 upgrade", "Entra ID P2", "Fabric analytics",
	}
	pscStatusOpen = []string{"Open", "Open", "Open", "Open", "Open", "Open", "Active", "Active", "Active", "Active", "In Progress"}
	pscRoles      = []string{"Reseller", "Reseller", "Solution Provider", "Service Provider", "Influencer", "Transacting Partner"}
	pscPrograms   = []string{"CSP", "CSP", "CSP", "Enterprise Agreement", "MCA-E", "Open Value", "Select Plus", "MPSA", "Azure Plan"}
	pscOutcomes   = []string{
		"Reduce licensing costs by 20%",
		"Migrate 250 mailboxes, then decommission Exchange 2013",
		"Move the ERP to Azure before the data centre contract ends",
		`Customer wants a "single pane of glass" for security`,
		"Replace the PBX with Teams Phone in 12 branches",
		"Modern workplace for 1,200 employees",
		"Zero-trust roadmap; MFA for all users first",
		"Phase 1: pilot (50 users)\nPhase 2: company-wide rollout",
		"Consolidate three tenants into one",
		"Reporting on Power BI instead of Excel files",
		"Protect against ransomware, keep 7 years of backups",
		"Sécurité du poste de travail – démarrage au T3",
		"Cloud-Migration der Fertigungsdaten (Phase 2)",
	}
	pscOtherDomains = []string{"contoso.com", "northwindtraders.com", "adatum.com", "litwareinc.com", "tailspintoys.com"}
	pscConsumer     = []string{"gmail.com", "outlook.com", "hotmail.com", "yahoo.com"}
	pscSuffixes     = []string{
		"Inc.", "Inc", ", Inc.", "LLC", "Ltd", "Ltd.", "Limited", "Corp.", "Corporation", "GmbH", "AG",
		"SA", "S.A.", "SAS", "SARL", "S.r.l.", "SpA", "BV", "B.V.", "NV", "AB", "Oy", "AS", "Pty Ltd", "PLC",
	}
)

// pscSKUs are Microsoft product IDs shaped like the price list's (CFQ7TTC0LF8Q).
var pscSKUs = func() []string {
	var r prng
	r.src.Seed(0x736b75, 0x736b75)
	const alnum = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	seen := map[string]bool{}
	var out []string
	for len(out) < 80 {
		b := []byte("CFQ7TTC0")
		if len(out)%5 == 4 {
			b = []byte("DZH318Z0")
		}
		for range 4 {
			b = append(b, alnum[r.n(len(alnum))])
		}
		if s := string(b); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}()

// pscLocale is what rows need to know of a country beyond country.
type pscLocale struct {
	code, currency, dial, tld string
	lang                      []string // first names
	surnames                  []string
}

var pscCountries = func() map[string]*pscLocale {
	m := map[string]*pscLocale{}
	for _, x := range []struct{ code, cur, dial string }{
		{"US", "USD", "1"}, {"GB", "GBP", "44"}, {"IE", "EUR", "353"}, {"CA", "CAD", "1"}, {"AU", "AUD", "61"},
		{"FR", "EUR", "33"}, {"BE", "EUR", "32"}, {"LU", "EUR", "352"}, {"CH", "CHF", "41"}, {"DE", "EUR", "49"},
		{"AT", "EUR", "43"}, {"ES", "EUR", "34"}, {"MX", "MXN", "52"}, {"AR", "ARS", "54"}, {"IT", "EUR", "39"},
		{"PL", "PLN", "48"}, {"NL", "EUR", "31"}, {"NO", "NOK", "47"}, {"DK", "DKK", "45"}, {"SE", "SEK", "46"},
		{"FI", "EUR", "358"}, {"PT", "EUR", "351"}, {"BR", "BRL", "55"},
		{"GR", "EUR", "30"}, {"BG", "EUR", "359"}, {"UA", "UAH", "380"}, {"JP", "JPY", "81"}, {"CN", "CNY", "86"},
	} {
		m[x.code] = &pscLocale{code: x.code, currency: x.cur, dial: x.dial, lang: firstNamesEN, surnames: langEN.surnames, tld: "com"}
	}
	for i := range countries {
		co := &countries[i]
		p := m[co.code]
		p.tld = co.tld
		p.lang, p.surnames = firstNames(co.langs[0]), co.langs[0].surnames
	}
	return m
}()

var firstNamesEN = []string{
	"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
	"David", "Susan", "Richard", "Jessica", "Joseph", "Sarah", "Thomas", "Karen", "Daniel", "Emily",
	"Matthew", "Sophie", "Liam", "Chloe", "Siobhán", "Seán",
}

func firstNames(l *language) []string {
	switch l {
	case langFR:
		return []string{"Jean", "Marie", "Pierre", "Camille", "Nicolas", "Léa", "François", "Chloé", "Julien", "Manon",
			"Stéphane", "Élodie", "Sébastien", "Hélène", "Antoine", "Céline", "Loïc", "Maëlle", "Jérôme", "Inès"}
	case langDE:
		return []string{"Jürgen", "Anna", "Stefan", "Katrin", "Thomas", "Jörg", "Sabine", "Michael", "Uwe", "Birgit",
			"Andreas", "Jana", "Klaus", "Sönke", "Björn", "Lena"}
	case langES:
		return []string{"José", "María", "Javier", "Lucía", "Álvaro", "Carmen", "Sergio", "Begoña", "Íñigo", "Paula",
			"Raúl", "Marta", "Andrés", "Sofía"}
	case langIT:
		return []string{"Giuseppe", "Maria", "Luca", "Giulia", "Marco", "Francesca", "Niccolò", "Chiara", "Andrea", "Elena",
			"Matteo", "Sara"}
	case langPL:
		return []string{"Łukasz", "Anna", "Piotr", "Małgorzata", "Krzysztof", "Agnieszka", "Paweł", "Katarzyna",
			"Michał", "Zofia", "Wojciech", "Joanna"}
	case langPT:
		return []string{"João", "Maria", "Gonçalo", "Ana", "Tiago", "Inês", "Luís", "Beatriz", "André", "Conceição"}
	case langNL:
		return []string{"Jan", "Anouk", "Pieter", "Sanne", "Joost", "Eline", "Bram", "Fleur", "Sven", "Lotte"}
	case langNO:
		return []string{"Ole", "Ingrid", "Lars", "Kari", "Øystein", "Solveig", "Bjørn", "Sigrid", "Jørgen", "Åse"}
	case langSV:
		return []string{"Erik", "Anna", "Lars", "Karin", "Åsa", "Johan", "Björn", "Maja", "Göran", "Linnéa"}
	case langFI:
		return []string{"Mikko", "Anna", "Jukka", "Päivi", "Timo", "Sanna", "Jyrki", "Aino", "Väinö", "Leena"}
	}
	return firstNamesEN
}

// nonLatinProspects are prospect organisations whose names Windows-1252 cannot hold: rows
// naming them are drawn again in the excel-fr dialect.
var nonLatinProspects = []struct{ name, country, domain, contact string }{
	{"Αθηναϊκή Πληροφορική Α.Ε.", "GR", "athinaiki-pliroforiki.gr", "Γιώργος Παπαδόπουλος"},
	{"Ελληνικά Δίκτυα", "GR", "ellinika-diktya.gr", "Μαρία Κωνσταντίνου"},
	{"Балканска Логистика ООД", "BG", "balkanska-logistika.bg", "Иван Петров"},
	{"Київ Софт", "UA", "kyivsoft.com.ua", "Олена Коваленко"},
	{"東京データ株式会社", "JP", "tokyo-data.co.jp", "佐藤 健"},
	{"上海云科技有限公司", "CN", "shanghai-cloudtech.cn", "王伟"},
}

// draw fills row i from r: c is the customer (key its OrgKey), or nil for a prospect.
func (g *pscDealGen) draw(row *[pscColumns]string, r *prng, i uint64, c *Customer, key string) {
	var (
		co         *pscLocale
		core       string // the name without its legal form, for the deal name
		written    string
		mailDomain string
		contact    string // a contact name imposed by the organisation, if any
	)
	if c != nil {
		co = pscCountries[c.Country]
		core = stripLegal(c.CompanyName, key)
		written = typedName(r, c.CompanyName, core, key)
		mailDomain = c.Domain
		if label, ok := strings.CutSuffix(mailDomain, ".onmicrosoft.com"); ok {
			mailDomain = label + "." + co.tld // people write from the company's own domain
		}
	} else {
		written, core, co, mailDomain, contact = g.prospect(r)
	}

	row[pscID] = g.opportunityID(i)
	row[pscCustomer] = written
	row[pscCountry] = co.code
	row[pscName] = dealName(r, core)

	cents := amountCents(r)
	cur := co.currency
	if r.chance(60) {
		cur = "USD"
	}
	row[pscValue] = g.amount(cents, cur)
	row[pscCurrency] = cur

	row[pscStatus] = status(r, g.dupPM)

	row[pscRole] = ""
	if r.chance(750) {
		row[pscRole] = r.pick(pscRoles)
	}
	row[pscProgram] = ""
	if r.chance(650) {
		row[pscProgram] = r.pick(pscPrograms)
	}
	row[pscProducts] = products(r)

	dealType := dealType(r)
	row[pscDealType] = dealType
	coSell, iot := false, false
	if k, err := domain.ParsePSCDealType(dealType); err == nil {
		coSell, iot = k.Type == domain.CoSellDeal, k.IoTOEM
	}

	span := exportDate.Unix() - pscCreatedMin.Unix()
	created := pscCreatedMin.Unix() + int64(r.intn(uint64(span)))
	modified := created + int64(r.intn(uint64(exportDate.Unix()-created)))
	if r.chance(150) {
		modified = created
	}
	row[pscCreated] = g.date(created)
	row[pscModified] = g.date(modified)
	row[pscCloseDate] = ""
	if iot || r.chance(300) {
		row[pscCloseDate] = g.date(created + int64(r.between(30, 540))*86400)
	}

	row[pscOutcome] = ""
	if r.chance(250) {
		row[pscOutcome] = r.pick(pscOutcomes)
	}

	row[pscContactName], row[pscContactEmail], row[pscContactPhone] = "", "", ""
	if x := r.n(100); coSell || x < 45 {
		name, email := g.person(r, co, contact, mailDomain)
		row[pscContactName], row[pscContactEmail] = name, email
		row[pscContactPhone] = phone(r, co)
		if !coSell && x >= 35 { // a partial contact: enough for a private deal
			if r.chance(500) {
				row[pscContactPhone] = ""
			} else {
				row[pscContactEmail] = ""
			}
		}
	}
	row[pscSeller] = r.pick(g.sellers)
}

// opportunityID is "7-" and 10 upper-case base-36 digits of a keyed bijection of the row
// index: unique within an export.
func (g *pscDealGen) opportunityID(i uint64) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	v := permute48(i, g.idKey)
	var b [12]byte
	b[0], b[1] = '7', '-'
	for k := 11; k >= 2; k-- {
		b[k] = digits[v%36]
		v /= 36
	}
	return string(b[:])
}

// permute48 is a bijection of [0, 2^48) keyed by key (see permute62).
func permute48(x, key uint64) uint64 {
	const m = 1<<48 - 1
	x = (x ^ key) & m
	x = (x * 0xbf58476d1ce4e5b9) & m
	x ^= x >> 23
	x = (x * 0x94d049bb133111eb) & m
	x ^= x >> 21
	x = (x + key>>16) & m
	x = (x * 0xd6e8feb86659fd93) & m
	x ^= x >> 24
	return x
}

// stripLegal removes trailing words of name as long as its OrgKey stays key: "Müller Bau
// GmbH & Co. KG" becomes "Müller Bau", "Smith, Inc." becomes "Smith".
func stripLegal(name, key string) string {
	words := strings.Fields(name)
	for len(words) > 1 {
		cand := strings.TrimRight(strings.Join(words[:len(words)-1], " "), " ,&/-")
		if cand == "" || domain.OrgKey(cand) != key {
			break
		}
		words = words[:len(words)-1]
	}
	return strings.TrimRight(strings.Join(words, " "), " ,&/-")
}

// typedName writes name as a PSC user typed it: legal form removed or changed, accents
// dropped, case changed, a space doubled; always with OrgKey key, else name itself.
func typedName(r *prng, name, core, key string) string {
	v := name
	switch x := r.n(100); {
	case x < 22:
		v = core
	case x < 34:
		if s := r.pick(pscSuffixes); s[0] == ',' {
			v = core + s
		} else {
			v = core + " " + s
		}
	}
	if r.chance(200) {
		v = dropAccents(v)
	}
	switch x := r.n(100); {
	case x < 10:
		v = strings.ToUpper(v)
	case x < 14:
		v = strings.ToLower(v)
	}
	if r.chance(20) {
		v = strings.Replace(v, " ", "  ", 1)
	}
	if v != name && domain.OrgKey(v) != key {
		return name
	}
	return v
}

// dropAccents replaces the letters of U+00C0..U+017F by their ASCII spelling (see
// transliterate), keeping the case: "Société Générale" becomes "Societe Generale",
// "Łódź" becomes "Lodz".
func dropAccents(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= 0xC0 && r < 0x180 && translitTable[r-0xC0] != "" {
			b.WriteString(caseLike(translitTable[r-0xC0], r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func caseLike(ascii string, r rune) string {
	if !unicode.IsUpper(r) {
		return ascii
	}
	return strings.ToUpper(ascii[:1]) + ascii[1:]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// cp1252OK reports whether Windows-1252 can encode s.
func cp1252OK(s string) bool {
	if isASCII(s) {
		return true
	}
	for _, r := range s {
		if _, ok := charmap.Windows1252.EncodeRune(r); !ok {
			return false
		}
	}
	return true
}

// toCP1252 returns s with the letters Windows-1252 cannot encode transliterated ("Łukasz
// Wiśniewski" becomes "Lukasz Wisniewski"; "é" stays), or false if some other character
// (Greek, Cyrillic, CJK...) remains.
func toCP1252(s string) (string, bool) {
	if cp1252OK(s) {
		return s, true
	}
	var b strings.Builder
	for _, r := range s {
		if _, ok := charmap.Windows1252.EncodeRune(r); ok {
			b.WriteRune(r)
		} else if r >= 0xC0 && r < 0x180 && translitTable[r-0xC0] != "" {
			b.WriteString(caseLike(translitTable[r-0xC0], r))
		} else {
			return "", false
		}
	}
	return b.String(), true
}

// prospect invents an organisation that is not a customer: a coined name, or one of
// nonLatinProspects.
func (g *pscDealGen) prospect(r *prng) (name, core string, co *pscLocale, mailDomain, contact string) {
	if r.chance(40) {
		p := nonLatinProspects[r.n(len(nonLatinProspects))]
		co := pscCountries[p.country]
		return p.name, stripLegal(p.name, domain.OrgKey(p.name)), co, p.domain, p.contact
	}
	for {
		c := r.country()
		l := c.langs[r.n(len(c.langs))]
		var b []byte
		for k := range r.between(3, 4) {
			s := r.pick(syllables)
			if k == 0 {
				b = append(b, strings.ToUpper(s[:1])...)
				s = s[1:]
			}
			b = append(b, s...)
		}
		core = string(b)
		switch x := r.n(10); {
		case x < 4:
			core += " " + r.pick(langEN.sectors)
		case x < 7:
			if r.chance(l.sectorFirst) {
				core = r.pick(l.sectors) + " " + core
			} else {
				core += " " + r.pick(l.sectors)
			}
		}
		name = core
		if r.chance(600) {
			forms := c.suffixes[0]
			if s := forms[r.skewed(len(forms))]; s[0] == ',' {
				name += s
			} else {
				name += " " + s
			}
		}
		if g.idx == nil || !g.idx.isCustomerKey(domain.OrgKey(name)) {
			label := transliterate(nil, []byte(core), '-', false)
			return name, core, pscCountries[c.code], string(label) + "." + c.tld, ""
		}
	}
}

func dealName(r *prng, core string) string {
	w := r.pick(pscWorkloads)
	switch r.n(8) {
	case 0, 1, 2:
		return core + " - " + w
	case 3:
		return w + " for " + core
	case 4:
		return fmt.Sprintf("%s %s FY%d", core, w, 22+r.n(6))
	case 5:
		return core + " – " + w + " (renewal)"
	case 6:
		return fmt.Sprintf("%s, phase %d", w, 1+r.n(3))
	}
	return fmt.Sprintf(`%s "%s" rollout`, core, w)
}

func amountCents(r *prng) int64 {
	var lo, hi int
	switch x := r.n(100); {
	case x < 5:
		lo, hi = 100, 999
	case x < 35:
		lo, hi = 1000, 9999
	case x < 72:
		lo, hi = 10000, 99999
	case x < 93:
		lo, hi = 100000, 999999
	default:
		lo, hi = 1000000, 9999999
	}
	whole := int64(r.between(lo, hi))
	cents := int64(0)
	if r.chance(450) {
		cents = int64(r.n(100))
	}
	return whole*100 + cents
}

// amount writes cents in the dialect's number format.
func (g *pscDealGen) amount(cents int64, currency string) string {
	f := g.f
	whole, frac := cents/100, cents%100
	b := g.buf[:0]
	if f.plain {
		b = strconv.AppendInt(b, whole, 10)
		if frac != 0 {
			b = append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
		}
		g.buf = b
		return string(b)
	}
	s := strconv.FormatInt(whole, 10)
	for k := range len(s) {
		if k > 0 && (len(s)-k)%3 == 0 {
			b = append(b, f.thousands...)
		}
		b = append(b, s[k])
	}
	b = append(b, f.decimal...)
	b = append(b, byte('0'+frac/10), byte('0'+frac%10))
	if currency == "EUR" {
		b = append(b, f.euro...)
	}
	g.buf = b
	return string(b)
}

func (g *pscDealGen) date(unix int64) string {
	return time.Unix(unix, 0).UTC().Format(g.f.date)
}

func status(r *prng, dupPM int) string {
	if r.chance(dupPM) {
		if r.chance(900) {
			return "Closed as Duplicate"
		}
		return "Duplicate"
	}
	var s string
	switch x := r.n(100); {
	case x < 68:
		s = r.pick(pscStatusOpen)
	case x < 82:
		s = "Won"
	case x < 85:
		s = "Closed Won"
	case x < 97:
		s = "Lost"
	default:
		s = "Closed Lost"
	}
	if r.chance(20) {
		s = strings.ToUpper(s)
	}
	return s
}

func dealType(r *prng) string {
	switch x := r.n(100); {
	case x < 72:
		return "Private"
	case x < 75:
		return "Private Pipeline"
	case x < 77:
		return "Partner Led"
	case x < 79:
		return ""
	case x < 93:
		return "Co-sell"
	case x < 95:
		return "Co-Sell"
	case x < 96:
		return "Microsoft Led"
	}
	return "IoT OEM"
}

// products writes 1 to 5 distinct solutions, separated by ';' or '|'.
func products(r *prng) string {
	n := 1 + r.skewed(5)
	sep := "; "
	switch r.n(10) {
	case 0, 1, 2:
		sep = "|"
	case 3, 4, 5:
		sep = ";"
	}
	var b strings.Builder
	seen := make([]string, 0, 5)
	for len(seen) < n {
		var id, entry string
		switch x := r.n(100); {
		case x < 72:
			id = r.pick(pscSKUs)
			entry = id
		case x < 82:
			id = r.pick(pscSKUs)
			entry = fmt.Sprintf("microsoft:%s:%d", id, r.between(1, 500))
		case x < 90:
			id = r.pick(pscSKUs)
			entry = fmt.Sprintf("microsoft:%s:%d:%d.%02d", id, r.between(1, 500), r.between(1, 60), r.n(100))
		case x < 95:
			id = fmt.Sprintf("partner:SOL-%06d", r.n(1000000))
			entry = id
		default:
			id = fmt.Sprintf("own:FAB-%04d", r.n(40))
			entry = id
		}
		if slices.Contains(seen, id) {
			continue
		}
		if len(seen) > 0 {
			b.WriteString(sep)
		}
		seen = append(seen, id)
		b.WriteString(entry)
	}
	return b.String()
}

// person returns a contact's name and email at mailDomain (sometimes a consumer address).
func (g *pscDealGen) person(r *prng, co *pscLocale, name, mailDomain string) (string, string) {
	var local string
	if name == "" {
		first, last := r.pick(co.lang), r.pick(co.surnames)
		name = first + " " + last
		local = string(transliterate(nil, []byte(first), 0, false)) + "." + string(transliterate(nil, []byte(last), 0, false))
	} else {
		local = "contact"
	}
	if r.chance(50) {
		mailDomain = r.pick(pscConsumer)
		local = string(r.digits([]byte(local), 2))
	}
	return name, local + "@" + mailDomain
}

func phone(r *prng, co *pscLocale) string {
	b := make([]byte, 0, 24)
	switch x := r.n(10); {
	case co.dial == "1" && x < 4:
		b = append(b, '(')
		b = append(b, byte('2'+r.n(8)))
		b = r.digits(b, 2)
		b = append(b, ") "...)
		b = r.digits(b, 3)
		b = append(b, '-')
		b = r.digits(b, 4)
	case x < 2:
		b = append(b, '+')
		b = append(b, co.dial...)
		b = append(b, byte('1'+r.n(9)))
		b = r.digits(b, 8)
	default:
		b = append(b, '+')
		b = append(b, co.dial...)
		b = append(b, ' ')
		b = append(b, byte('1'+r.n(9)))
		b = r.digits(b, 2)
		b = append(b, ' ')
		b = r.digits(b, 3)
		b = append(b, ' ')
		b = r.digits(b, 3)
	}
	return string(b)
}

func validMailDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for l := range strings.SplitSeq(d, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

// PSC users.

// pscUser is one user of a PSC user export.
type pscUser struct {
	Email, Name, Role string
	work              bool // an address at the partner's domain (or a subdomain)
}

// pscUserGen streams the users of WritePSCUsers; it remembers the addresses given out so
// that none repeats.
type pscUserGen struct {
	r       prng
	partner string
	i       int
	seen    map[string]bool
}

func newPSCUsers(seed int64, partner string) *pscUserGen {
	g := &pscUserGen{partner: partner, seen: map[string]bool{}}
	g.r.src.Seed(uint64(seed), 0x7073632d75736572) // "psc-user"
	return g
}

func (g *pscUserGen) next() pscUser {
	r := &g.r
	i := g.i
	g.i++
	var u pscUser
	switch i {
	case 0:
		u.Role = "Admin"
	case 1:
		u.Role = "Deal Manager"
	case 2:
		u.Role = "Seller"
	default:
		switch x := r.n(100); {
		case x < 6:
			u.Role = "Admin"
		case x < 26:
			u.Role = "Deal Manager"
		default:
			u.Role = "Seller"
		}
	}
	co := pscCountries[r.country().code]
	first, last := r.pick(co.lang), r.pick(co.surnames)
	u.Name = first + " " + last
	mailDomain := g.partner
	u.work = true
	if i >= 3 {
		switch x := r.n(100); {
		case x < 3:
			mailDomain, u.work = r.pick(pscConsumer), false
		case x < 5:
			mailDomain, u.work = r.pick(pscOtherDomains), false
		case x < 8:
			mailDomain = r.pick([]string{"emea", "us", "uk", "fr", "de"}) + "." + g.partner
		}
	}
	local := string(transliterate(nil, []byte(first), 0, false)) + "." + string(transliterate(nil, []byte(last), 0, false))
	email := local + "@" + mailDomain
	for k := 2; g.seen[email]; k++ {
		email = local + strconv.Itoa(k) + "@" + mailDomain
	}
	g.seen[email] = true
	u.Email = email
	if r.chance(50) { // typed with capitals; addresses are compared without case
		u.Email = capitalizeLocal(email)
	}
	return u
}

// capitalizeLocal writes "jean.dupont@x.com" as "Jean.Dupont@x.com".
func capitalizeLocal(email string) string {
	b := []byte(email)
	up := true
	for k, c := range b {
		if c == '@' {
			break
		}
		if up && c >= 'a' && c <= 'z' {
			b[k] = c - 'a' + 'A'
		}
		up = c == '.'
	}
	return string(b)
}

// sellerPool returns the work addresses of the sellers and deal managers among the first
// sellerPoolUsers users of WritePSCUsers(seed, partner).
func sellerPool(seed int64, partner string) []string {
	g := newPSCUsers(seed, partner)
	var out []string
	for range sellerPoolUsers {
		if u := g.next(); u.work && u.Role != "Admin" {
			out = append(out, u.Email)
		}
	}
	return out
}

// WritePSCUsers writes a PSC user export: header "Email,Name,Role", then n users (UTF-8,
// comma separated, LF). Roles are Admin, Deal Manager and Seller (the first three users
// have one each); most addresses are at partnerDomain (DefaultPartnerDomain when empty)
// or a subdomain of it, a few are consumer addresses (gmail.com, outlook.com...) or at
// another company's domain. Addresses are unique, ignoring case.
func WritePSCUsers(w io.Writer, seed int64, n int, partnerDomain string) error {
	if n < 0 {
		return fmt.Errorf("synth: negative user count %d", n)
	}
	partner := strings.ToLower(strings.TrimSpace(partnerDomain))
	if partner == "" {
		partner = DefaultPartnerDomain
	}
	if !validMailDomain(partner) {
		return fmt.Errorf("synth: invalid partner domain %q", partnerDomain)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csvWriter{w: bw, comma: ','}
	bw.WriteString("Email,Name,Role")
	if err := cw.endRow(); err != nil {
		return err
	}
	g := newPSCUsers(seed, partner)
	for range n {
		u := g.next()
		cw.field(u.Email)
		bw.WriteByte(',')
		cw.field(u.Name)
		bw.WriteByte(',')
		cw.field(u.Role)
		if err := cw.endRow(); err != nil {
			return err
		}
	}
	return bw.Flush()
}
