// Package api holds what a pcctl server and its client share: the JSON shapes of the
// remote workspace API (docs/api.md) and their conversion from and to the domain and
// workspace types. It does no I/O.
//
// Where Partner Center's REST API has the resource, the shapes follow its published
// payloads (testdata/partnercenter): camelCase keys, a collection with totalCount, items,
// links and attributes.objectType, seek paging through links.next and its
// MS-ContinuationToken header. Decoding accepts their quirks: encoding/json matches keys
// whatever their case, and enumerations accept a name or a number (see Enum).
package api

import (
	"encoding/json"
	"net/http"
)

// Paths of the API. Partner Center's resources keep Partner Center's paths; what pcctl
// adds lives under Prefix.
const (
	// Prefix is where pcctl's own resources live: flags, pins, favorites, invitations,
	// users, tokens, audit, import and export.
	Prefix = "/pcctl/v1"
	// HealthPath answers 200 while the server runs; it needs no token.
	HealthPath = "/healthz"
)

// Headers of the API.
const (
	// ContinuationHeader carries the seek token of the next page (Partner Center).
	ContinuationHeader = "MS-ContinuationToken"
	// RequestIDHeader is the request's ID, echoed in the server's access log.
	RequestIDHeader = "MS-RequestId"
	// CorrelationIDHeader is sent by Partner Center clients; the server logs it.
	CorrelationIDHeader = "MS-CorrelationId"
	// TestNowHeader carries a client's fixed clock (PCCTL_NOW, RFC 3339). Only a server
	// started for tests (server.Options.TestClock) uses it; pcctl serve ignores it.
	TestNowHeader = "Pcctl-Test-Now"
)

// Attributes is Partner Center's "attributes" object.
type Attributes struct {
	ObjectType string `json:"objectType,omitempty"`
}

// Header is one header of a link.
type Header struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Link is a Partner Center link: a request to make to follow it.
type Link struct {
	URI     string   `json:"uri"`
	Method  string   `json:"method"`
	Headers []Header `json:"headers"`
}

// Links are the links of a resource or collection.
type Links struct {
	Self *Link `json:"self,omitempty"`
	Next *Link `json:"next,omitempty"`
}

// Collection is a page of a Partner Center collection. TotalCount is the number of items
// in this page, as Partner Center gives it.
type Collection[T any] struct {
	TotalCount int        `json:"totalCount"`
	Items      []T        `json:"items"`
	Links      Links      `json:"links"`
	Attributes Attributes `json:"attributes"`
}

// NewCollection makes a page of items; next, when not "", is the continuation token of
// the next page, to be sent to nextURI.
func NewCollection[T any](items []T, selfURI, nextURI, next string) Collection[T] {
	if items == nil {
		items = []T{}
	}
	c := Collection[T]{TotalCount: len(items), Items: items, Attributes: Attributes{ObjectType: "Collection"}}
	c.Links.Self = &Link{URI: selfURI, Method: http.MethodGet, Headers: []Header{}}
	if next != "" {
		c.Links.Next = &Link{URI: nextURI, Method: http.MethodGet, Headers: []Header{{Key: ContinuationHeader, Value: next}}}
	}
	return c
}

// RawCollection is a page whose items are decoded later, one at a time.
type RawCollection = Collection[json.RawMessage]
