package api

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Paging of the collections Partner Center pages (docs/api.md, "Paging"): the customers,
// the indirect resellers (relationships), subscriptions, referrals and service requests.
// A request with size gets at most size items; when more follow, links.next holds the
// same URI with seekOperation=Next and, in its MS-ContinuationToken header, a seek token:
// the key of the last item sent, from which the next page resumes (keyset paging, not an
// offset). A request without size gets the whole list, streamed: pcctl's own client asks
// that way.
const (
	// MaxPageSize is the largest size accepted.
	MaxPageSize = 1000
	// SeekOperationParam is the parameter of a next page's URI, as Partner Center's.
	SeekOperationParam = "seekOperation"
	// SeekNext is its value.
	SeekNext = "Next"
	// seekTokenPrefix marks pcctl's seek tokens (a version, should their form change).
	seekTokenPrefix = "k1:"
)

// ParseListPageSize reads the size parameter of a paged collection: "" is 0, the whole
// list.
func ParseListPageSize(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > MaxPageSize {
		return 0, NewError(CodeBadRequest, fmt.Sprintf("the size parameter must be a whole number from 1 to %d, not %q", MaxPageSize, s))
	}
	return n, nil
}

// SeekToken is the continuation token that resumes a list after the item with key.
func SeekToken(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(seekTokenPrefix + key))
}

// ParseSeekToken reads a continuation token made by SeekToken: the key to resume after.
func ParseSeekToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(tok))
	key, ok := strings.CutPrefix(string(b), seekTokenPrefix)
	if err != nil || !ok || key == "" {
		shown := tok
		if len(shown) > 40 {
			shown = shown[:40] + "…"
		}
		return "", NewError(CodeBadRequest, fmt.Sprintf("the %s header %q is not a continuation token this server gave: send the one of the previous page's links.next", ContinuationHeader, shown))
	}
	return key, nil
}
