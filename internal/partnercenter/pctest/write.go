package pctest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
)

// The Referrals API's writes: POST /v1.0/engagements/referrals creates a referral (201,
// with its ID, engagement ID, dates and an ETag), PATCH …/referrals/{id} updates one with
// a JSON Patch document (replace and add only, as the reference "Update a lead or
// opportunity" says) and If-Match on its ETag (412 when stale, 428 without; a closed
// referral stays closed), GET …/referrals/{id} reads one with its ETag. A request the API would refuse is answered 400
// in the Referrals API's error shape ({"error":{"code","message"}}), as the reference
// describes the validation of a new referral: a name, the customer's name, a currency
// of three letters, a deal value that is a number, a status a new referral may have.

var externalEq = regexp.MustCompile(`^\s*externalReferenceId\s+eq\s+'((?:[^']|'')*)'\s*$`)

// externalFilter reads a $filter: externalReferenceId eq '…' (filtered true), or none.
func externalFilter(f string) (ext string, filtered, ok bool) {
	if f == "" {
		return "", false, true
	}
	m := externalEq.FindStringSubmatch(f)
	if m == nil {
		return "", false, false
	}
	return strings.ReplaceAll(m[1], "''", "'"), true, true
}

func writeReferralError(w http.ResponseWriter, status int, code, msg string) int {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": msg}})
	_, _ = w.Write(b)
	return status
}

// checkReferral is the validation of a referral sent: the reason it is refused, or "".
func checkReferral(ref *api.Referral) string {
	switch {
	case strings.TrimSpace(ref.Name) == "":
		return "The field Name is required."
	case ref.CustomerProfile == nil || strings.TrimSpace(ref.CustomerProfile.Name) == "":
		return "The field CustomerProfile.Name is required."
	case ref.Details == nil || len(ref.Details.Currency) != 3:
		return "The field Details.Currency must be an ISO 4217 code of three letters."
	case ref.Details.DealValue != "" && !json.Valid([]byte(ref.Details.DealValue)):
		return fmt.Sprintf("The field Details.DealValue must be a number, not %q.", string(ref.Details.DealValue))
	}
	status, _ := ref.Status.Resolve(api.ReferralStatuses)
	sub, _ := ref.Substatus.Resolve(api.ReferralSubstatuses)
	switch strings.ToLower(status) {
	case "", "new", "active":
	case "closed":
		if s := strings.ToLower(sub); s != "won" && s != "lost" {
			return fmt.Sprintf("A referral created Closed must have the substatus Won or Lost, not %q.", sub)
		}
	default:
		return fmt.Sprintf("The status %q is not a ReferralStatus.", status)
	}
	return ""
}

func (s *Server) createReferral(w http.ResponseWriter, r *http.Request, lose bool) int {
	var ref api.Referral
	if err := json.NewDecoder(r.Body).Decode(&ref); err != nil {
		return writeReferralError(w, http.StatusBadRequest, "InvalidInput", "The request body is not a referral: "+err.Error())
	}
	if msg := checkReferral(&ref); msg != "" {
		return writeReferralError(w, http.StatusBadRequest, "InvalidInput", msg)
	}
	now := time.Now().UTC().Truncate(time.Second)
	s.mu.Lock()
	s.created++
	ref.ID = fmt.Sprintf("%08x-0000-4000-8000-%012x", s.created, now.UnixNano()&0xffffffffffff)
	if ref.EngagementID == "" {
		ref.EngagementID = fmt.Sprintf("%08x-0000-4000-9000-%012x", s.created, now.UnixNano()&0xffffffffffff)
	}
	ref.CreatedDateTime, ref.UpdatedDateTime = &now, &now
	if !ref.Status.Set {
		ref.Status = api.Named("New")
	}
	s.versions[ref.ID] = 1
	s.mu.Unlock()
	s.PutReferral(ref)
	if lose {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return 0
			}
		}
		panic(http.ErrAbortHandler)
	}
	return s.writeReferral(w, ref, 1, http.StatusCreated)
}

func (s *Server) writeReferral(w http.ResponseWriter, ref api.Referral, version, status int) int {
	b, err := json.Marshal(ref)
	if err != nil {
		return writeError(w, http.StatusInternalServerError, "", "600500", err.Error())
	}
	w.Header().Set("ETag", ReferralETag(version))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Location", api.ReferralURI(ref.ID))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return status
}

// ReferralETag is the stand-in's ETag of a referral at a version.
func ReferralETag(version int) string { return `W/"` + strconv.Itoa(version) + `"` }

// PatchOp is one operation of a JSON Patch document (RFC 6902), the body of the Referrals
// API's PATCH: it takes replace and add only, as the reference says.
type PatchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value,omitempty"`
}

// applyPatch applies ops to doc (a referral as generic JSON): the reason it cannot, or "".
func applyPatch(doc map[string]any, ops []PatchOp) string {
	for _, op := range ops {
		if op.Op != "replace" && op.Op != "add" {
			return fmt.Sprintf("The operation %q is not supported: the API supports replace and add.", op.Op)
		}
		if !strings.HasPrefix(op.Path, "/") || len(op.Path) < 2 {
			return fmt.Sprintf("The path %q is not a JSON pointer to a property of the referral.", op.Path)
		}
		var v any
		if len(op.Value) == 0 || json.Unmarshal(op.Value, &v) != nil {
			return fmt.Sprintf("The operation on %s has no value.", op.Path)
		}
		parts := strings.Split(op.Path[1:], "/")
		for i := range parts {
			parts[i] = strings.ReplaceAll(strings.ReplaceAll(parts[i], "~1", "/"), "~0", "~")
		}
		cur := doc
		for _, k := range parts[:len(parts)-1] {
			next, ok := cur[k].(map[string]any)
			if !ok {
				if cur[k] != nil || op.Op == "replace" {
					return fmt.Sprintf("The path %s does not name a property of the referral.", op.Path)
				}
				next = map[string]any{}
				cur[k] = next
			}
			cur = next
		}
		last := parts[len(parts)-1]
		if last == "-" {
			return fmt.Sprintf("The path %s appends to an array: that is an add, not a replace.", op.Path)
		}
		cur[last] = v
	}
	return ""
}

// appendOps handles "add" to "/array/-" (an element appended), which applyPatch leaves.
func appendOps(doc map[string]any, ops []PatchOp) ([]PatchOp, string) {
	var rest []PatchOp
	for _, op := range ops {
		if op.Op == "add" && strings.HasSuffix(op.Path, "/-") {
			parts := strings.Split(strings.TrimSuffix(op.Path, "/-")[1:], "/")
			cur := doc
			for _, k := range parts[:len(parts)-1] {
				next, ok := cur[k].(map[string]any)
				if !ok {
					next = map[string]any{}
					cur[k] = next
				}
				cur = next
			}
			var v any
			if json.Unmarshal(op.Value, &v) != nil {
				return nil, fmt.Sprintf("The operation on %s has no value.", op.Path)
			}
			arr, _ := cur[parts[len(parts)-1]].([]any)
			cur[parts[len(parts)-1]] = append(arr, v)
			continue
		}
		rest = append(rest, op)
	}
	return rest, ""
}

func (s *Server) updateReferral(w http.ResponseWriter, r *http.Request) int {
	id := strings.TrimPrefix(r.URL.Path, api.ReferralsPath+"/")
	var ops []PatchOp
	if err := json.NewDecoder(r.Body).Decode(&ops); err != nil {
		return writeReferralError(w, http.StatusBadRequest, "InvalidInput", "The request body is not a JSON Patch document (an array of operations): "+err.Error())
	}
	cur, v, ok := s.referralVersion(id)
	switch {
	case !ok:
		return writeReferralError(w, http.StatusNotFound, "NotFound", "No referral "+id+".")
	case r.Header.Get("If-Match") == "":
		return writeReferralError(w, http.StatusPreconditionRequired, "PreconditionRequired", "An update needs the If-Match header: the referral's ETag.")
	case r.Header.Get("If-Match") != "*" && r.Header.Get("If-Match") != ReferralETag(v):
		return writeReferralError(w, http.StatusPreconditionFailed, "PreconditionFailed",
			"The referral was changed since it was read (its ETag is "+ReferralETag(v)+"): read it again and retry.")
	}
	b, _ := json.Marshal(cur)
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	rest, msg := appendOps(doc, ops)
	if msg == "" {
		msg = applyPatch(doc, rest)
	}
	if msg != "" {
		return writeReferralError(w, http.StatusBadRequest, "InvalidInput", msg)
	}
	b, _ = json.Marshal(doc)
	var patched api.Referral
	if err := json.Unmarshal(b, &patched); err != nil {
		return writeReferralError(w, http.StatusBadRequest, "InvalidInput", "The patched referral is not valid: "+err.Error())
	}
	patched.ID, patched.EngagementID, patched.CreatedDateTime = cur.ID, cur.EngagementID, cur.CreatedDateTime
	if msg := checkPatched(&cur, &patched); msg != "" {
		return writeReferralError(w, http.StatusBadRequest, "InvalidInput", msg)
	}
	now := time.Now().UTC().Truncate(time.Second)
	patched.UpdatedDateTime = &now
	s.mu.Lock()
	s.versions[id] = v + 1
	s.mu.Unlock()
	s.PutReferral(patched)
	return s.writeReferral(w, patched, v+1, http.StatusOK)
}

// checkPatched is the validation of an update: the referral's content rules, and a
// closed referral stays closed.
func checkPatched(before, after *api.Referral) string {
	was, _ := before.Status.Resolve(api.ReferralStatuses)
	now, _ := after.Status.Resolve(api.ReferralStatuses)
	if strings.EqualFold(was, "closed") {
		wasSub, _ := before.Substatus.Resolve(api.ReferralSubstatuses)
		nowSub, _ := after.Substatus.Resolve(api.ReferralSubstatuses)
		if !strings.EqualFold(now, "closed") || !strings.EqualFold(wasSub, nowSub) {
			return "A closed referral cannot be reopened or changed in status."
		}
	}
	switch strings.ToLower(now) {
	case "closed":
		sub, _ := after.Substatus.Resolve(api.ReferralSubstatuses)
		switch strings.ToLower(sub) {
		case "won", "lost", "declined", "expired":
		default:
			return fmt.Sprintf("A closed referral's substatus is Won, Lost, Declined or Expired, not %q.", sub)
		}
		ref := *after
		ref.Status, ref.Substatus = api.Named("Active"), api.Named("Accepted")
		return checkReferral(&ref)
	}
	return checkReferral(after)
}

// referralVersion is the referral with that ID and its version.
func (s *Server) referralVersion(id string) (api.Referral, int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ref := range s.referrals {
		if ref.ID == id {
			v := s.versions[id]
			if v == 0 {
				v = 1
			}
			return ref, v, true
		}
	}
	return api.Referral{}, 0, false
}

// getReferral answers GET /v1.0/engagements/referrals/{id}: the referral and its ETag.
func (s *Server) getReferral(w http.ResponseWriter, r *http.Request) int {
	id := strings.TrimPrefix(r.URL.Path, api.ReferralsPath+"/")
	cur, v, ok := s.referralVersion(id)
	if !ok {
		return writeReferralError(w, http.StatusNotFound, "NotFound", "No referral "+id+".")
	}
	return s.writeReferral(w, cur, v, http.StatusOK)
}

// ReferralsWithExternalID counts the referrals whose externalReferenceId is each ID
// given, and how many referrals there are in all.
func (s *Server) ReferralsWithExternalID() (byExt map[string]int, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byExt = map[string]int{}
	for _, r := range s.referrals {
		if r.ExternalReferenceID != "" {
			byExt[r.ExternalReferenceID]++
		}
	}
	return byExt, len(s.referrals)
}

// Referral is the referral with that ID.
func (s *Server) Referral(id string) (api.Referral, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.referrals {
		if r.ID == id {
			return r, true
		}
	}
	return api.Referral{}, false
}

// ChangeReferral changes the referral with that ID as someone else would in Partner
// Center: its new version (a new ETag) and update time. False when there is none.
func (s *Server) ChangeReferral(id string, change func(*api.Referral)) bool {
	cur, v, ok := s.referralVersion(id)
	if !ok {
		return false
	}
	change(&cur)
	now := time.Now().UTC().Truncate(time.Second)
	cur.UpdatedDateTime = &now
	s.mu.Lock()
	s.versions[id] = v + 1
	s.mu.Unlock()
	s.PutReferral(cur)
	return true
}

// ReferralETagOf is the current ETag of the referral with that ID ("" when none).
func (s *Server) ReferralETagOf(id string) string {
	if _, v, ok := s.referralVersion(id); ok {
		return ReferralETag(v)
	}
	return ""
}
