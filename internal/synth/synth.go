// Package synth generates deterministic, realistic synthetic data for
// benchmarks and demos: customers of a Microsoft CSP partner, with company
// names in several languages, unique tenant IDs and unique domains.
//
// The output depends only on the seed: the same seed gives the same sequence,
// byte for byte, on every platform and Go version. Only the PCG source of
// math/rand/v2 is used (its algorithm is fixed); bounded integers, shuffles
// and weights are computed here with integer arithmetic, never floats, never
// map iteration.
package synth

import (
	"math/bits"
	"math/rand/v2"
	"strconv"
	"time"
)

// Customer is one synthetic customer tenant.
type Customer struct {
	ID            string    // lower-case GUID v4 text form, unique within a sequence
	CompanyName   string    // 1-4 words, possibly with a legal suffix ("GmbH", "Sp. z o.o.")
	Domain        string    // lower-case DNS name, unique within a sequence
	Country       string    // ISO 3166 alpha-2, upper case
	ResellerMPNID string    // 7-digit indirect reseller MPN ID, empty for ~80% of customers
	CreatedAt     time.Time // UTC, whole seconds, in [2015-01-01, 2026-10-31)
}

// Relationship is the partner relationship shown in Partner Center exports:
// "Reseller" for most customers, "Advisor" for about 10% of the customers
// without an indirect reseller. It is derived from the ID, so it is
// deterministic and does not consume the generator's random stream.
func (c Customer) Relationship() string {
	if c.ResellerMPNID == "" && fnv1a(c.ID)%10 == 0 {
		return "Advisor"
	}
	return "Reseller"
}

const (
	resellerPoolSize = 200
	resellerShare    = 5       // one customer in resellerShare has a reseller
	bloomWords       = 1 << 17 // 8 Mi bits = 1 MiB
	maxLabel         = 40      // leaves room for a uniqueness number within 63
)

var (
	createdMin = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	createdMax = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC).Unix() // exclusive
)

// CustomerGen streams customers. Memory use is constant (about 1 MiB,
// dominated by a Bloom filter of used domains). It is not safe for
// concurrent use.
type CustomerGen struct {
	src       *rand.PCG
	index     uint64
	idKey     uint64
	resellers []string
	seen      []uint64 // Bloom filter of domains emitted without a number
	countryW  int
	name      []byte
	label     []byte
	words     [][2]int // spans of the words of the core name in name
}

// NewCustomers returns a generator of the customer sequence for seed.
func NewCustomers(seed int64) *CustomerGen {
	g := &CustomerGen{
		src:   rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15),
		seen:  make([]uint64, bloomWords),
		name:  make([]byte, 0, 128),
		label: make([]byte, 0, 96),
		words: make([][2]int, 0, 16),
	}
	g.idKey = g.src.Uint64()
	g.resellers = make([]string, 0, resellerPoolSize)
	for len(g.resellers) < resellerPoolSize {
		id := strconv.FormatUint(1000000+g.intn(9000000), 10)
		dup := false
		for _, r := range g.resellers {
			if r == id {
				dup = true
				break
			}
		}
		if !dup {
			g.resellers = append(g.resellers, id)
		}
	}
	for i := range countries {
		g.countryW += countries[i].weight
	}
	return g
}

// Next returns the next customer of the sequence.
func (g *CustomerGen) Next() Customer {
	i := g.index
	g.index++
	var c Customer
	c.ID = g.newID(i)

	co := g.pickCountry()
	c.Country = co.code
	li := int(g.intn(uint64(len(co.langs))))
	suffixChance := g.companyCore(co.langs[li])
	coreLen := len(g.name)
	suffix := ""
	if g.chance(suffixChance) {
		forms := co.suffixes[min(li, len(co.suffixes)-1)]
		suffix = forms[g.skewed(len(forms))]
		if suffix[0] != ',' {
			g.name = append(g.name, ' ')
		}
		g.name = append(g.name, suffix...)
	}
	c.CompanyName = string(g.name)
	c.Domain = g.domain(coreLen, suffix, co, i)

	if g.intn(resellerShare) == 0 {
		c.ResellerMPNID = g.resellers[g.skewed(resellerPoolSize)]
	}

	// Growth: a third uniform, two thirds biased towards recent years.
	span := uint64(createdMax - createdMin)
	t := g.intn(span)
	if g.intn(3) != 0 {
		t = max(t, g.intn(span))
	}
	c.CreatedAt = time.Unix(createdMin+int64(t), 0).UTC()
	return c
}

// intn returns a uniform integer in [0, n) (Lemire's method, integers only).
func (g *CustomerGen) intn(n uint64) uint64 {
	hi, lo := bits.Mul64(g.src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(g.src.Uint64(), n)
		}
	}
	return hi
}

// chance reports true with probability perMille/1000.
func (g *CustomerGen) chance(perMille int) bool {
	return g.intn(1000) < uint64(perMille)
}

// skewed returns an index in [0, n) biased towards 0.
func (g *CustomerGen) skewed(n int) int {
	return int(min(g.intn(uint64(n)), g.intn(uint64(n))))
}

func (g *CustomerGen) pick(s []string) string {
	return s[g.intn(uint64(len(s)))]
}

func (g *CustomerGen) pickCountry() *country {
	r := int(g.intn(uint64(g.countryW)))
	for i := range countries {
		r -= countries[i].weight
		if r < 0 {
			return &countries[i]
		}
	}
	return &countries[len(countries)-1]
}

// newID returns a GUID v4 whose first 64 bits are random and whose last 62
// bits are a keyed bijection of the sequence index, so IDs never repeat.
func (g *CustomerGen) newID(i uint64) string {
	hi := g.src.Uint64()
	hi = hi&^(0xf<<12) | 0x4<<12 // version 4
	lo := permute62(i, g.idKey) | 1<<63
	var b [36]byte
	const hexd = "0123456789abcdef"
	pos := 0
	for k := 0; k < 16; k++ {
		if k == 4 || k == 6 || k == 8 || k == 10 {
			b[pos] = '-'
			pos++
		}
		var v byte
		if k < 8 {
			v = byte(hi >> (56 - 8*k))
		} else {
			v = byte(lo >> (56 - 8*(k-8)))
		}
		b[pos] = hexd[v>>4]
		b[pos+1] = hexd[v&0xf]
		pos += 2
	}
	return string(b[:])
}

// permute62 is a bijection of [0, 2^62) keyed by key: xor, odd multiplications
// and xorshifts, all modulo 2^62.
func permute62(x, key uint64) uint64 {
	const m = 1<<62 - 1
	x = (x ^ key) & m
	x = (x * 0xbf58476d1ce4e5b9) & m
	x ^= x >> 31
	x = (x * 0x94d049bb133111eb) & m
	x ^= x >> 29
	x = (x + key>>2) & m
	x = (x * 0xd6e8feb86659fd93) & m
	x ^= x >> 32
	return x
}

// Name building. The core name (without legal suffix) is assembled in g.name,
// word by word; companyCore returns the per-mille chance of a legal suffix.

func (g *CustomerGen) add(s string) {
	if len(g.name) > 0 {
		g.name = append(g.name, ' ')
	}
	g.name = append(g.name, s...)
}

func (g *CustomerGen) companyCore(l *language) int {
	for attempt := 0; ; attempt++ {
		g.name = g.name[:0]
		suffix := 700
		if attempt == 8 {
			g.add(g.pick(l.surnames))
			return suffix
		}
		switch r := g.intn(100); {
		case r < 15: // "Dupont"
			g.add(g.pick(l.surnames))
		case r < 37: // "Boulangerie Dupont", "Müller Logistik"
			g.sectorAnd(l, g.pick(l.surnames))
		case r < 47: // "Société Générale", "Deutsche Bank"
			noun, adj := g.pick(l.instNouns), g.pick(l.instAdjs)
			if l.adjFirst {
				g.add(adj)
				g.add(noun)
			} else {
				g.add(noun)
				g.add(adj)
			}
		case r < 61: // "Hôtel de la Gare", "Øresund Logistikk"
			place := g.pick(l.places)
			if l.of != "" && g.chance(l.sectorFirst) {
				g.add(g.pick(l.sectors))
				g.add(l.of)
				g.add(place)
			} else {
				g.sectorAnd(l, place)
			}
		case r < 69: // "Dupont & Martin", "Müller und Schmidt"
			g.add(g.pick(l.surnames))
			if g.chance(500) {
				g.add("&")
			} else {
				g.add(l.and)
			}
			g.add(g.pick(l.surnames))
		case r < 74: // "Smith & Sons", "Fratelli Rossi"
			f := g.pick(l.family)
			if f[0] == '+' {
				g.add(f[1:])
				g.add(g.pick(l.surnames))
			} else {
				g.add(g.pick(l.surnames))
				g.add(f)
			}
			suffix = 400
		case r < 84: // "Contoso Consulting", "Northwind Traders"
			if g.chance(150) {
				g.add(g.pick(brandNames))
			} else {
				g.add(g.pick(brands))
				g.add(g.pick(langEN.sectors))
			}
		case r < 88: // "KPL Logistik"
			n := 2 + int(g.intn(3))
			for range n {
				g.name = append(g.name, byte('A'+g.intn(26)))
			}
			g.sectorAnd(l, "")
		case r < 90: // "Dupont-Moreau Conseil"
			g.add(g.pick(l.surnames))
			g.name = append(g.name, '-')
			g.name = append(g.name, g.pick(l.surnames)...)
			if g.chance(600) {
				g.sectorAnd(l, "")
			}
		case r < 97: // "Kavolix Systems"
			g.coined()
			if g.chance(800) {
				if g.chance(500) {
					g.add(g.pick(langEN.sectors))
				} else {
					g.sectorAnd(l, "")
				}
			}
		case r < 99: // "Rossi, Bianchi e Figli"
			g.add(g.pick(l.surnames))
			g.name = append(g.name, ',')
			g.add(g.pick(l.surnames))
			g.add(l.partners)
			suffix = 400
		default: // "\"Le Petit\" Café", "Café \"Le Petit\""
			nick, venue := g.pick(l.nicknames), g.pick(l.venues)
			if g.chance(500) {
				g.add(`"` + nick + `"`)
				g.add(venue)
			} else {
				g.add(venue)
				g.add(`"` + nick + `"`)
			}
			suffix = 200
		}
		if words := 1 + countByte(g.name, ' '); words <= 4 {
			return suffix
		}
	}
}

// sectorAnd adds a sector next to name (already in g.name when name is ""),
// before or after it depending on the language.
func (g *CustomerGen) sectorAnd(l *language, name string) {
	sector := g.pick(l.sectors)
	if name == "" {
		if g.chance(l.sectorFirst) {
			existing := string(g.name)
			g.name = append(g.name[:0], sector...)
			g.add(existing)
		} else {
			g.add(sector)
		}
		return
	}
	if g.chance(l.sectorFirst) {
		g.add(sector)
		g.add(name)
	} else {
		g.add(name)
		g.add(sector)
	}
}

func (g *CustomerGen) coined() {
	if len(g.name) > 0 {
		g.name = append(g.name, ' ')
	}
	start := len(g.name)
	n := 2 + int(g.intn(2))
	for range n {
		g.name = append(g.name, g.pick(syllables)...)
	}
	if c := g.name[start]; c >= 'a' && c <= 'z' {
		g.name[start] = c - 'a' + 'A'
	}
}

func countByte(b []byte, c byte) int {
	n := 0
	for _, x := range b {
		if x == c {
			n++
		}
	}
	return n
}

// Domains.

// domain derives a unique domain from the core name g.name[:coreLen].
//
// Domains emitted without a number are recorded in a Bloom filter. When the
// filter reports a (possible) earlier use, up to two variants are tried (with
// the legal form, with a common word such as "group"), then the sequence
// index is appended to the label. Plain labels never end with a digit, so
// "<label><index>" can collide neither with a plain label nor with another
// numbered one: uniqueness is guaranteed without remembering every domain.
func (g *CustomerGen) domain(coreLen int, suffix string, co *country, i uint64) string {
	onMicrosoft := g.chance(700)
	sep := byte(0)
	firstWordOnly := false
	if !onMicrosoft {
		switch r := g.intn(100); {
		case r < 35:
			sep = '-'
		case r < 50:
			firstWordOnly = true
		}
	}
	withSuffix := suffix != "" && g.chance(100)
	extra := domainWords[g.intn(uint64(len(domainWords)))]
	tld := co.tld
	if onMicrosoft {
		tld = "onmicrosoft.com"
	}

	g.label = transliterate(g.label[:0], g.name[:coreLen], sep, firstWordOnly)
	if withSuffix {
		g.label = appendWord(g.label, suffix, sep)
	}
	base := g.trimLabel()
	if g.tryDomain(base, tld) {
		return string(g.label)
	}
	if suffix != "" && !withSuffix { // "smithinc.onmicrosoft.com"
		g.label = appendWord(g.label[:base], suffix, sep)
		if g.tryDomain(g.trimLabel(), tld) {
			return string(g.label)
		}
	}
	g.label = appendWord(g.label[:base], extra, sep) // "smith-group.com"
	if g.tryDomain(g.trimLabel(), tld) {
		return string(g.label)
	}
	g.label = strconv.AppendUint(g.label[:base], i, 10) // "smith1234.com"
	g.label = append(g.label, '.')
	g.label = append(g.label, tld...)
	return string(g.label)
}

// domainWords make alternative labels when the plain one is taken. They must
// not end with a digit.
var domainWords = []string{"group", "online", "cloud", "it", "hq", "global", "team", "services", "tech", "corp", "net", "web"}

// appendWord appends the transliteration of word to label, after sep.
func appendWord(label []byte, word string, sep byte) []byte {
	if sep != 0 && len(label) > 0 {
		label = append(label, sep)
	}
	return transliterate(label, []byte(word), 0, false)
}

// trimLabel makes g.label a valid label that does not end with a digit: at
// most maxLabel bytes, no trailing '-' or digit, "tenant" if empty. It
// returns the new length.
func (g *CustomerGen) trimLabel() int {
	if len(g.label) > maxLabel {
		g.label = g.label[:maxLabel]
	}
	for len(g.label) > 0 {
		c := g.label[len(g.label)-1]
		if c != '-' && (c < '0' || c > '9') {
			break
		}
		g.label = g.label[:len(g.label)-1]
	}
	if len(g.label) == 0 {
		g.label = append(g.label, "tenant"...)
	}
	return len(g.label)
}

// tryDomain completes g.label[:n] with tld and reports whether that domain
// is (certainly) unused, recording it if so.
func (g *CustomerGen) tryDomain(n int, tld string) bool {
	g.label = append(g.label[:n], '.')
	g.label = append(g.label, tld...)
	return !g.bloomTestAndAdd(g.label)
}

// bloomTestAndAdd reports whether d may have been added before; if not, it
// adds it. The filter is blocked: the 4 bits of a key lie in one 64-byte
// block (one cache line), chosen by the low bits of the hash.
func (g *CustomerGen) bloomTestAndAdd(d []byte) bool {
	const blocks = bloomWords / 8
	h := fmix64(fnv1aBytes(d))
	blk := g.seen[(h&(blocks-1))*8:][:8]
	h >>= bits.TrailingZeros(blocks)
	var word [4]uint64
	var mask [4]uint64
	present := true
	for k := range 4 {
		bit := h & 511
		h >>= 9
		word[k], mask[k] = bit>>6, 1<<(bit&63)
		if blk[word[k]]&mask[k] == 0 {
			present = false
		}
	}
	if present {
		return true
	}
	for k := range 4 {
		blk[word[k]] |= mask[k]
	}
	return false
}

func fnv1aBytes(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
