package domain

import (
	"fmt"
	"sort"
	"strings"
)

// Migration from Partner Sales Connect (001): how PSC opportunities and users map onto
// pcctl's deals and roles. Reading the export (encodings, delimiters, amounts, dates) is
// internal/psc's job; these are the business rules.

// PSCStatus is what a PSC opportunity status becomes.
type PSCStatus int

// The outcomes of the status table.
const (
	PSCOpen      PSCStatus = iota + 1 // an open or active PSC deal: an active outbound deal
	PSCWon                            // a closed deal, won (terminal)
	PSCLost                           // a closed deal, lost (terminal)
	PSCDuplicate                      // "closed as duplicate": not available in Partner Center, never imported
)

// pscStatuses is the status table, keyed by Fold of the PSC value.
var pscStatuses = map[string]PSCStatus{
	"open": PSCOpen, "active": PSCOpen, "in progress": PSCOpen,
	"won": PSCWon, "closed won": PSCWon,
	"lost": PSCLost, "closed lost": PSCLost,
	"closed as duplicate": PSCDuplicate, "duplicate": PSCDuplicate, "closed duplicate": PSCDuplicate,
}

// PSCStatusNames are the status values accepted, for messages and help.
const PSCStatusNames = "Open, Active, In Progress, Won, Closed Won, Lost, Closed Lost, Closed as Duplicate"

// ParsePSCStatus reads a PSC status, ignoring case, accents and punctuation.
func ParsePSCStatus(s string) (PSCStatus, error) {
	if st, ok := pscStatuses[Fold(s)]; ok {
		return st, nil
	}
	return 0, &InvalidError{Field: "Status", Value: s, Reason: "is not a PSC status (allowed: " + PSCStatusNames + ")"}
}

// PSCDealKind is what the PSC "Deal Type" column says about the deal.
type PSCDealKind struct {
	Type   DealType
	IoTOEM bool
}

var pscDealTypes = map[string]PSCDealKind{
	"":                 {Type: PrivateDeal},
	"private":          {Type: PrivateDeal},
	"private pipeline": {Type: PrivateDeal},
	"partner led":      {Type: PrivateDeal},
	"co sell":          {Type: CoSellDeal},
	"cosell":           {Type: CoSellDeal},
	"co selling":       {Type: CoSellDeal},
	"microsoft led":    {Type: CoSellDeal},
	"iot oem":          {Type: PrivateDeal, IoTOEM: true},
	"iot":              {Type: PrivateDeal, IoTOEM: true},
}

// PSCDealTypeNames are the Deal Type values accepted.
const PSCDealTypeNames = "Private, Private Pipeline, Partner Led, Co-sell, Microsoft Led, IoT OEM (or empty: private)"

// ParsePSCDealType reads the Deal Type column: private pipeline (the default), co-sell, or
// IoT OEM (a private deal that keeps its estimated close date).
func ParsePSCDealType(s string) (PSCDealKind, error) {
	if k, ok := pscDealTypes[Fold(s)]; ok {
		return k, nil
	}
	return PSCDealKind{}, &InvalidError{Field: "Deal Type", Value: s, Reason: "is not a PSC deal type (allowed: " + PSCDealTypeNames + ")"}
}

// SplitProducts turns the PSC Products cell into solutions: entries separated by ';' or
// '|', each read by ParseSolution except that an entry without a source is a Microsoft
// first-party product (PSC products came from Microsoft's price list). More than
// MaxSolutions entries is an error.
func SplitProducts(s string) ([]Solution, error) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' })
	var sols []Solution
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if src, _, ok := strings.Cut(p, ":"); !ok || !isSolutionSource(src) {
			p = string(MicrosoftSKU) + ":" + p
		}
		sol, err := ParseSolution(p)
		if err != nil {
			return nil, err
		}
		sols = append(sols, sol)
	}
	if len(sols) > MaxSolutions {
		return nil, &RuleError{Rule: "max-solutions", Msg: fmt.Sprintf("a deal holds at most %d solutions, not %d", MaxSolutions, len(sols))}
	}
	return sols, nil
}

func isSolutionSource(s string) bool {
	switch SolutionSource(strings.ToLower(strings.TrimSpace(s))) {
	case OwnSolution, MicrosoftSKU, OtherPartnerSolution:
		return true
	}
	return false
}

// legalSuffixes are the legal forms ignored when a free-text customer name is matched to
// an organisation, in folded form (Fold turns "S.A.S." into "s a s"). Stripping repeats, so
// "Pty Ltd" goes whether it is listed whole or as "pty" and "ltd".
var legalSuffixes = []string{
	"gmbh co kg", "co kg", "pty ltd", "co ltd", "pvt ltd", "pte ltd", "sdn bhd", "private limited", "sp z o o",
	"s a s", "s a r l", "s r l", "s p a", "s a", "s l",
	"incorporated", "inc", "corporation", "corp", "company", "limited", "ltd", "llc", "llp", "lp", "plc",
	"gmbh", "ag", "kg", "ug", "se", "sas", "sarl", "sa", "sasu", "eurl", "srl", "spa", "sl", "slu",
	"bv", "b v", "nv", "n v", "oy", "oyj", "ab", "as", "asa", "aps", "a s", "kft", "zrt", "sro", "s r o", "spzoo",
	"kk", "k k", "pte", "bhd", "co",
	// French civil, partnership and professional forms; German, Dutch, Iberian others.
	"sci", "snc", "sca", "scop", "scs", "selarl", "selas", "gie", "ohg", "gbr", "kgaa", "e v", "ev",
	"vof", "lda", "ltda", "s a u", "sau",
}

// legalEndings maps the last word of every legal suffix to the suffixes ending with it,
// each with its leading space: a name whose last word is not there has nothing to strip.
var legalEndings = func() map[string][]string {
	m := map[string][]string{}
	for _, suf := range legalSuffixes {
		last := suf[strings.LastIndexByte(suf, ' ')+1:]
		m[last] = append(m[last], " "+suf)
	}
	return m
}()

// OrgKey is the form in which a free-text customer name is matched to a customer or a
// prospect organisation (001: the name must resolve to an organisation): Fold (case,
// accents and punctuation ignored), then common legal suffixes such as Inc, Ltd, SA, SAS
// or GmbH removed from the end, repeatedly, as long as a word remains.
// "Contoso, Inc." and "CONTOSO" have the same key; "Société Générale S.A." is "societe generale".
func OrgKey(name string) string { return StripLegalSuffixes(Fold(name)) }

// StripLegalSuffixes is OrgKey of a name already folded. OrgKey(name) is always name's
// folded form or a beginning of it that ends before a space.
func StripLegalSuffixes(folded string) string {
	k := folded
	for {
		sufs := legalEndings[k[strings.LastIndexByte(k, ' ')+1:]]
		cut := false
		for _, suf := range sufs {
			if rest, ok := strings.CutSuffix(k, suf); ok && rest != "" {
				k, cut = rest, true
				break
			}
		}
		if !cut {
			return k
		}
	}
}

// PSCRole maps a PSC user role to the Partner Center role it becomes (001): Admin becomes
// account-admin; Deal Manager and Seller become referrals-admin.
func PSCRole(s string) (Role, error) {
	switch Fold(s) {
	case "admin", "administrator":
		return RoleAccountAdmin, nil
	case "deal manager", "dealmanager", "seller":
		return RoleReferralsAdmin, nil
	}
	return "", &InvalidError{Field: "role", Value: s, Reason: "is not a PSC role (allowed: Admin, Deal Manager, Seller)"}
}

// consumerDomains are mail domains of consumer accounts: never a partner's work address.
var consumerDomains = map[string]bool{
	"outlook.com": true, "hotmail.com": true, "hotmail.fr": true, "hotmail.co.uk": true, "live.com": true,
	"live.fr": true, "msn.com": true, "gmail.com": true, "googlemail.com": true, "yahoo.com": true,
	"yahoo.fr": true, "yahoo.co.uk": true, "ymail.com": true, "icloud.com": true, "me.com": true,
	"mac.com": true, "aol.com": true, "gmx.com": true, "gmx.de": true, "gmx.net": true, "web.de": true,
	"mail.com": true, "proton.me": true, "protonmail.com": true, "yandex.com": true, "yandex.ru": true,
	"mail.ru": true, "qq.com": true, "163.com": true, "free.fr": true, "orange.fr": true, "wanadoo.fr": true,
	"laposte.net": true, "sfr.fr": true, "libero.it": true, "t-online.de": true, "zoho.com": true,
}

// CheckWorkAddress tells whether email (already checked by ParseEmail) is a work address
// of the partner (001: a non-work account, or one of another company's domain, needs a
// work account first): not a consumer mail domain, and in one of partnerDomains (or a
// subdomain of one). It returns the reason when it is not.
func CheckWorkAddress(email string, partnerDomains []string) error {
	_, dom, _ := strings.Cut(email, "@")
	dom = strings.ToLower(dom)
	if consumerDomains[dom] {
		return &RuleError{Rule: "work-account", Msg: fmt.Sprintf("%s is a consumer mail address (%s): the user needs a work account", email, dom)}
	}
	for _, p := range partnerDomains {
		p = strings.ToLower(strings.TrimSpace(p))
		if p != "" && (dom == p || strings.HasSuffix(dom, "."+p)) {
			return nil
		}
	}
	return &RuleError{Rule: "work-account", Msg: fmt.Sprintf("%s is not in the partner's domains (%s): the user needs a work account", email, strings.Join(partnerDomains, ", "))}
}

// ClosestOrgKeys ranks the organisation names (their folded forms) nearest a name that
// matched none (its OrgKey, key), for a "did you mean": the names that begin with key
// first, then those whose OrgKey is within a few typing mistakes of it (a quarter of its
// length, at least 2), nearest first. It returns the indexes of at most max of them.
func ClosestOrgKeys(key string, folded []string, max int) []int {
	type cand struct{ i, dist int }
	var cs []cand
	limit := len([]rune(key)) / 4
	if limit < 2 {
		limit = 2
	}
	for i, f := range folded {
		switch k := StripLegalSuffixes(f); {
		case strings.HasPrefix(f, key):
			cs = append(cs, cand{i, 0})
		default:
			if d := editDistance(key, k, limit); d <= limit {
				cs = append(cs, cand{i, d})
			}
		}
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].dist < cs[b].dist })
	out := make([]int, 0, max)
	for _, c := range cs {
		if len(out) == max {
			break
		}
		out = append(out, c.i)
	}
	return out
}
