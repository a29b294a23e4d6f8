// Package workspace defines the storage interface every pcctl command works through. A
// workspace is a local SQLite file (package workspace/sqlite) or, later, a remote pcctl
// server reached over HTTP; the commands cannot tell them apart.
//
// A Workspace is bound to one principal (the user acting and their roles): per-user state
// such as flags, pins and recent accesses belongs to that user, and the business rules of
// package domain are applied on their behalf.
package workspace

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
)

// Workspace is what commands need from storage.
type Workspace interface {
	// Info describes the workspace: where it is, its schema, how many records it holds.
	Info(ctx context.Context) (Info, error)

	// AddCustomer creates a customer with an admin account whose temporary password is
	// kept only as passwordHash. c.ID is generated when empty.
	AddCustomer(ctx context.Context, c domain.Customer, passwordHash string) (CustomerRecord, error)
	// Customer finds one customer by tenant ID or primary domain.
	Customer(ctx context.Context, ref string) (CustomerRecord, error)
	// OpenCustomer is Customer, recording an access for the recent view.
	OpenCustomer(ctx context.Context, ref string) (CustomerRecord, error)
	// CountCustomers counts every customer.
	CountCustomers(ctx context.Context) (int, error)
	// ListCustomers calls each for the customers of a view, in order.
	ListCustomers(ctx context.Context, q ListQuery, each func(CustomerRecord) error) error
	// SearchCustomers finds customers by the beginning of their name, of a word of it, or
	// of their domain (domain.Matches), ranked by domain.RankSearch.
	SearchCustomers(ctx context.Context, term string, limit int) ([]CustomerRecord, error)
	// FlagCustomer flags a customer for the principal, unflagging the one flagged longest
	// ago past domain.MaxFlags.
	FlagCustomer(ctx context.Context, ref string) (FlagResult, error)
	// UnflagCustomer removes the principal's flag; changed is false if there was none.
	UnflagCustomer(ctx context.Context, ref string) (c CustomerRecord, changed bool, err error)
	// PinCustomer and UnpinCustomer pin a customer to the principal's home overview.
	PinCustomer(ctx context.Context, ref string) (c CustomerRecord, changed bool, err error)
	UnpinCustomer(ctx context.Context, ref string) (c CustomerRecord, changed bool, err error)
	// ImportCustomers creates or updates customers from rows, all in one transaction.
	ImportCustomers(ctx context.Context, rows CustomerRows, opts ImportOptions) (ImportResult, error)
	// ExportCustomers streams every customer (or a reseller's) in a stable order: the order
	// they were added. The record passed to each is reused between calls.
	ExportCustomers(ctx context.Context, q ExportQuery, each func(*domain.Customer) error) error

	// InviteReseller records a partnership request. When the address already has a
	// pending one, that one is returned instead (existing is true); an address that is
	// already an active reseller's is refused. The workspace draws the token (200 random
	// bits) and writes it where inv.Body says domain.TokenPlaceholder; a token given in
	// inv is refused (domain.ErrInvitationTokenGiven): a caller never chooses one.
	InviteReseller(ctx context.Context, inv domain.Invitation) (saved domain.Invitation, existing bool, err error)
	// AcceptInvitation records the reseller's acceptance of the request with that token.
	AcceptInvitation(ctx context.Context, token, mpnID, name string) (domain.Reseller, error)
	// Resellers lists resellers and requests with one of the statuses, by name.
	Resellers(ctx context.Context, statuses []domain.ResellerStatus) ([]domain.Reseller, error)
	// Reseller finds a reseller by MPN ID, active or removed.
	Reseller(ctx context.Context, mpnID string) (domain.Reseller, error)
	// RemoveReseller ends the partnership; customers and subscriptions stay as they are.
	RemoveReseller(ctx context.Context, mpnID string) (domain.Reseller, error)

	// RequestRelationship records a request for a reseller relationship with the existing
	// customer r.CustomerID (ID or domain), on behalf of the active reseller
	// r.ResellerMPNID when set (domain.CheckRelationshipRequest). The workspace draws the
	// token (r.Token is ignored); r.Subject and r.Body hold domain.LinkPlaceholder where
	// the link goes. When the customer already has a pending request for the same
	// reseller, that one is returned instead (existing is true).
	RequestRelationship(ctx context.Context, r domain.RelationshipRequest) (saved domain.RelationshipRequest, existing bool, err error)
	// RelationshipRequests lists the pending relationship requests, newest first.
	RelationshipRequests(ctx context.Context) ([]domain.RelationshipRequest, error)
	// AcceptRelationship records the customer's acceptance of the request with that
	// token: the relationship, reinstated if it had ended, and the reseller it names. It
	// needs no permission: the link is the customer's proof.
	AcceptRelationship(ctx context.Context, token string) (CustomerRecord, error)
	// UpdateCustomer applies a change to a customer (Partner Center's customer PATCH):
	// ending its relationship (domain.CheckEndRelationship) or its permission to buy its
	// own products; changed is false when the customer already was so.
	UpdateCustomer(ctx context.Context, ref string, ch CustomerChange) (c CustomerRecord, changed bool, err error)

	// AddSubscription creates a subscription for the customer s.CustomerID (ID or domain).
	AddSubscription(ctx context.Context, s domain.Subscription) (domain.Subscription, error)
	// Subscriptions calls each for the subscriptions q selects, by customer then offer.
	Subscriptions(ctx context.Context, q SubscriptionQuery, each func(domain.Subscription) error) error
	// UpdateSubscription applies the changes that are set.
	UpdateSubscription(ctx context.Context, id string, ch SubscriptionChange) (domain.Subscription, error)

	// Complete lists, for shell completion, at most limit values of a kind that begin with
	// prefix, in order, each with a short description. It reads an index range, never the
	// whole table, so it stays fast on millions of customers.
	Complete(ctx context.Context, kind CompleteKind, prefix string, limit int) ([]Candidate, error)

	// CreateDeal records an outbound deal (domain.NewOutboundDeal) for the organisation
	// d.CustomerID names (a customer's tenant ID or domain) or, when it is empty, the
	// prospect organisation d.Organization in d.OrgCountry, found or created. d.ID is
	// generated when empty.
	CreateDeal(ctx context.Context, d domain.Deal) (DealRecord, error)
	// ReceiveDeal records an inbound deal sent by a Microsoft seller (domain.NewInboundDeal).
	ReceiveDeal(ctx context.Context, d domain.Deal) (DealRecord, error)
	// Deal finds a deal by ID, with its solutions, team and notes.
	Deal(ctx context.Context, id string) (DealRecord, error)
	// ListDeals calls each for the deals q selects.
	ListDeals(ctx context.Context, q DealQuery, each func(DealRecord) error) error
	// ActOnDeal applies a transition of the status model (domain.Transition). reason is
	// kept as the status reason. expectVersion, when not 0, refuses a stale change.
	ActOnDeal(ctx context.Context, id string, action domain.DealAction, reason string, expectVersion int) (DealRecord, error)
	// UpdateDeal applies a change to an open deal.
	UpdateDeal(ctx context.Context, id string, ch DealChange, expectVersion int) (DealRecord, error)
	// AddDealNote appends a note by the principal (expectVersion as for ActOnDeal).
	AddDealNote(ctx context.Context, id, text string, expectVersion int) (DealRecord, error)
	// SetDealTeamMember adds or removes a team member (expectVersion as for ActOnDeal).
	SetDealTeamMember(ctx context.Context, id, email string, member bool, expectVersion int) (DealRecord, error)
	// SetDealFavorite marks or unmarks the deal as one of the principal's favorites.
	SetDealFavorite(ctx context.Context, id string, favorite bool) (DealRecord, error)
	// ImportDeals records deals migrated from Partner Sales Connect (001), all in one
	// transaction: each row's organisation is resolved by domain.OrgKey, a new deal is
	// created, a changed open one updated, a closed one refused. Nothing is written when
	// opts.DryRun, or when a row fails and not opts.SkipFailed.
	ImportDeals(ctx context.Context, rows DealRows, opts DealImportOptions) (DealImportResult, error)

	// Users lists the workspace's users, by address.
	Users(ctx context.Context) ([]domain.User, error)
	// User finds a user by address.
	User(ctx context.Context, email string) (domain.User, error)
	// AddUser creates a user, or gives an existing one the roles it lacks (created tells
	// which; changed is false when the user already held every role).
	AddUser(ctx context.Context, u domain.User) (saved domain.User, created, changed bool, err error)
	// RemoveUser removes the roles from the user, or the user when roles is empty (or
	// when no role would remain).
	RemoveUser(ctx context.Context, email string, roles []domain.Role) (domain.User, error)
	// ImportUsers adds users and roles in one transaction, as AddUser does for each; with
	// dryRun nothing is written.
	ImportUsers(ctx context.Context, users []domain.User, dryRun bool) ([]UserImportOutcome, error)

	// CreateToken issues an access token for an existing user, lasting ttl
	// (domain.NeverExpires: until revoked). The secret is returned this once: the
	// workspace keeps only its hash (domain.HashTokenSecret).
	CreateToken(ctx context.Context, email, name string, ttl time.Duration) (secret string, t domain.Token, err error)
	// Tokens lists a user's tokens, or every user's when email is "", by user then
	// creation time; never a secret.
	Tokens(ctx context.Context, email string) ([]domain.Token, error)
	// RevokeToken revokes a token for good; revoking it again is refused
	// (*domain.RuleError).
	RevokeToken(ctx context.Context, id string) (domain.Token, error)
	// Authenticate finds the token with that secret and returns its user as a principal,
	// with the roles the user holds now, recording the use. A missing, malformed,
	// unknown, revoked or expired token is a *domain.AuthError (a revoked or expired one
	// is returned with it, for the server's log). It needs no permission: it is how a
	// server's request gets a principal.
	Authenticate(ctx context.Context, secret string) (domain.Principal, domain.Token, error)

	// CreateRequest files a service request for the customer r.CustomerID (ID or
	// domain), with a new unique 15-digit reference number; it is open. A reference
	// given in r.Ref (Partner Center's, in a workspace linked to it) is kept, with
	// r.CreatedAt when set: one held already is a *domain.RuleError (unique-request-ref).
	CreateRequest(ctx context.Context, r domain.ServiceRequest) (RequestRecord, error)
	// Request finds a request by reference number, with its notes.
	Request(ctx context.Context, ref string) (RequestRecord, error)
	// ListRequests calls each for the requests q selects, newest first.
	ListRequests(ctx context.Context, q RequestQuery, each func(RequestRecord) error) error
	// SearchRequests finds requests by reference number (whole or its beginning) or by
	// the customer's name, newest first.
	SearchRequests(ctx context.Context, term string, limit int) ([]RequestRecord, error)
	// UpdateRequest changes status or severity, or appends a note (domain.PlanRequestUpdate).
	UpdateRequest(ctx context.Context, ref string, ch domain.RequestChange) (RequestRecord, error)
	// SetRequestFavorite marks or unmarks the request as one of the principal's favorites.
	SetRequestFavorite(ctx context.Context, ref string, favorite bool) (RequestRecord, error)

	// Home is the principal's activity at a glance (000, 002).
	Home(ctx context.Context) (HomeOverview, error)

	// AuditLog calls each for the records of the audit log q selects, newest first. Every
	// change a Workspace makes is recorded in the same transaction as the change itself;
	// no method changes or deletes a record. Reading it needs domain.PermAudit.
	AuditLog(ctx context.Context, q AuditQuery, each func(AuditRecord) error) error

	// SyncState is the workspace's link to a Partner Center tenant and the passes of a
	// sync under way (sync.go).
	SyncState(ctx context.Context) (SyncState, error)
	// ApplySync writes one step of a sync from Partner Center in one transaction: a page
	// of records, the resume point after it, and at the end of a complete pass the
	// records not seen marked ended and the pass's audit record (sync.go).
	ApplySync(ctx context.Context, step SyncStep) (SyncCounts, error)

	// DealPublications is the publishing state of every deal (pcctl deal publish), in
	// the order the deals were added: synced deals are PublishSynced, deals never sent
	// have no State.
	DealPublications(ctx context.Context) ([]DealPublication, error)
	// RecordPublications writes the publishing states of deals (DealID, State and, when
	// known, ReferralID, EngagementID, ETag, Error), all in one transaction. A deal the
	// workspace does not have is a *domain.NotFoundError and nothing is written.
	RecordPublications(ctx context.Context, ps []DealPublication) error

	Close() error
}

// ErrUnavailable is wrapped by the errors of a workspace whose storage cannot be reached
// just now (a database restarting or failing over): the request may succeed when retried
// later. A server answers it with 503 and Retry-After.
var ErrUnavailable = errors.New("workspace storage unavailable")

// RequestRecord is a service request as the principal sees it.
type RequestRecord struct {
	domain.ServiceRequest
	Favorite bool
}

// RequestQuery selects service requests; empty fields select all.
type RequestQuery struct {
	Customer  string
	Statuses  []domain.RequestStatus
	Severity  domain.Severity
	Favorites bool
	// After resumes the list after the record with this reference number (keyset paging: the
	// position is the record's place in the order, not a count), for a server's pages;
	// "" starts at the beginning. An ID no record has is a *domain.InvalidError (field
	// "after").
	After string
}

// HomeOverview is what `pcctl home` shows.
type HomeOverview struct {
	Pinned                []CustomerRecord
	Flagged               int
	HasSubscriptions      bool
	ExpiringSubscriptions []domain.Subscription // term ending within 30 days
	OpenRequests          []RequestRecord       // open and attention_needed
	HasDeals              bool
	ExpiringDeals         []DealRecord // New deals expiring within 3 days
	AwaitingDeals         []DealRecord // inbound deals waiting for the partner
	// PendingRelationships are the relationship requests customers have not accepted
	// yet, newest first (with domain.PermRelationships).
	PendingRelationships []domain.RelationshipRequest
}

// DealRecord is a deal as the principal sees it.
type DealRecord struct {
	domain.Deal
	Favorite bool
}

// DealQuery selects deals; empty fields select all. Expired deals are closed first.
type DealQuery struct {
	Status         domain.DealStatus
	Substatus      domain.DealSubstatus
	Direction      domain.DealDirection
	Type           domain.DealType
	Customer       string // tenant ID or domain of the customer
	Favorites      bool
	ExpiringWithin *time.Duration // New deals expiring between now and now+this
	Sort           string         // "created" (default) or "updated", newest first
	// After resumes the list after the record with this ID (keyset paging: the
	// position is the record's place in the order, not a count), for a server's pages;
	// "" starts at the beginning. An ID no record has is a *domain.InvalidError (field
	// "after").
	After string
}

// DealChange is what `deal update` changes: nil fields stay as they are.
type DealChange struct {
	Name            *string
	Value           *string
	Currency        *string
	AddSolutions    []domain.Solution
	RemoveSolutions []string // solution IDs
	Contact         *domain.Contact
}

// DealImportRow is one PSC opportunity mapped onto a deal (internal/migrate).
type DealImportRow struct {
	Line int // line of the file where the row starts
	// Deal is the mapped deal: ID is the opportunity ID; Organization is the free-text
	// customer name and OrgCountry the PSC country ("" when not given); Status and
	// Substatus are Active/Accepted for an open deal, Closed/Won or Closed/Lost; CreatedAt
	// and UpdatedAt come from PSC (zero: now); Notes hold the customer outcome.
	Deal domain.Deal
	// NameColumn is where the customer name is in the file, for errors (0 if unknown).
	NameColumn int
	// CustomerDomain and CustomerID, when given (optional columns), pin the row to the
	// customer with that primary domain or tenant ID, whatever its name; PinColumn is
	// where the first given one is in the file.
	CustomerDomain, CustomerID string
	PinColumn                  int
	// Fingerprint identifies the mapped content: a re-import of the same content is
	// unchanged.
	Fingerprint string
	// Duplicate marks a deal PSC closed as duplicate: not available in Partner Center,
	// never imported (skipped).
	Duplicate bool
	// Errors are the problems found reading the row; the row fails.
	Errors []RowError
}

// DealRows yields the rows of a deal import; Next returns io.EOF after the last one. Any
// other error aborts the import (nothing is written). The workspace takes the rows a
// chunk at a time, so the whole file need not be in memory.
type DealRows interface {
	Next() (DealImportRow, error)
}

// DealRowSlice yields the rows of a slice.
type DealRowSlice []DealImportRow

// Next returns the first row and drops it from the slice.
func (s *DealRowSlice) Next() (DealImportRow, error) {
	if len(*s) == 0 {
		return DealImportRow{}, io.EOF
	}
	r := (*s)[0]
	*s = (*s)[1:]
	return r, nil
}

// DealImportOptions tunes ImportDeals.
type DealImportOptions struct {
	DryRun            bool // do everything, write nothing
	SkipFailed        bool // import the good rows even when some fail (--on-error skip)
	CreateMissingOrgs bool // a name that resolves to nothing becomes a prospect organisation
	// ExpectedRows, when known, is how many rows there are: a large import builds the
	// deals' indexes again at the end rather than growing them row by row.
	ExpectedRows int
	// Progress, when set, is called as rows are processed with how many are done.
	Progress func(done int)
}

// DealOutcome is what happened to one row of a deal import.
type DealOutcome string

// The outcomes of a deal import row.
const (
	DealImported   DealOutcome = "imported"
	DealUpdated    DealOutcome = "updated"
	DealUnchanged  DealOutcome = "unchanged"
	DealSkipped    DealOutcome = "skipped"     // closed as duplicate, never imported
	DealFailed     DealOutcome = "failed"      // the row has errors
	DealNotWritten DealOutcome = "not-written" // a good row of an import that wrote nothing because others failed
)

// DealImportRowResult is the report of one row, with the columns of Partner Center's
// migration report (engagement ID, referral ID, deal name, PSC deal ID, errors).
type DealImportRowResult struct {
	Line          int
	OpportunityID string // the PSC deal ID
	ReferralID    string // the Partner Center referral (deal) ID: the opportunity ID
	EngagementID  string
	Name          string
	Outcome       DealOutcome
	Errors        []RowError
	// Resolution says how the Customer Name was resolved to its organisation ("" when it
	// was not).
	Resolution Resolution
}

// Resolution is how a deal import row's Customer Name found its organisation.
type Resolution string

// The ways a name resolves, from the most certain.
const (
	ResolvedExactName       Resolution = "exact name"                // the whole name, ignoring case, accents and punctuation
	ResolvedWithoutSuffix   Resolution = "name without legal suffix" // the name with legal suffixes (Inc, GmbH…) set aside
	ResolvedTransliteration Resolution = "German transliteration"    // ae, oe, ue read as ä, ö, ü
	ResolvedCountry         Resolution = "name and country"          // several share the name; one is in the row's country
	ResolvedCreated         Resolution = "new prospect organisation" // --create-missing-orgs
	ResolvedDomain          Resolution = "customer domain"           // the Customer Domain column
	ResolvedTenantID        Resolution = "customer ID"               // the Customer ID column (tenant ID)
)

// DealImportResult is what a deal import did, row by row, and whether it wrote anything.
type DealImportResult struct {
	Rows    []DealImportRowResult
	Written bool
	// OrgsCreated counts the prospect organisations created (--create-missing-orgs).
	OrgsCreated int
}

// Count counts the rows with an outcome.
func (r DealImportResult) Count(o DealOutcome) int {
	n := 0
	for _, row := range r.Rows {
		if row.Outcome == o {
			n++
		}
	}
	return n
}

// UserImportOutcome is what ImportUsers did with one user.
type UserImportOutcome struct {
	User    domain.User
	Created bool
	Changed bool // roles were added
}

// CompleteKind is what Workspace.Complete lists.
type CompleteKind string

// The kinds of values Workspace.Complete lists.
const (
	CompleteCustomers     CompleteKind = "customers"     // domains and tenant IDs; company name
	CompleteResellers     CompleteKind = "resellers"     // active resellers' MPN IDs; reseller name
	CompleteAnyResellers  CompleteKind = "any-resellers" // active and removed resellers' MPN IDs
	CompleteSubscriptions CompleteKind = "subscriptions" // subscription IDs; offer and customer
	CompleteDeals         CompleteKind = "deals"         // deal IDs; deal name and customer
	CompleteRequests      CompleteKind = "requests"      // service request references; title and customer
)

// Candidate is one completion: the value and what it names, for shells that show it.
type Candidate struct {
	Value       string
	Description string
}

// SubscriptionQuery selects subscriptions; empty fields select all.
type SubscriptionQuery struct {
	ID             string         // one subscription, by its ID (none when no such ID)
	Customer       string         // ID or domain
	Reseller       string         // credited reseller or support contact
	ExpiringWithin *time.Duration // only terms ending between now and now+this (none ended)
	// After resumes the list after the record with this ID (keyset paging: the
	// position is the record's place in the order, not a count), for a server's pages;
	// "" starts at the beginning. An ID no record has is a *domain.InvalidError (field
	// "after").
	After string
}

// SubscriptionChange is what `subscription set` changes: nil fields stay as they are; an
// empty MPN ID removes the association. Status suspends or reactivates the subscription
// (domain.CheckSubscriptionStatus), alone: it needs domain.PermRelationships.
type SubscriptionChange struct {
	Reseller       *string
	SupportContact *string
	Quantity       *int
	Status         *string
}

// CustomerChange is a change to a customer: nil fields stay as they are. Relationship can
// only be set to domain.RelationshipNone (a new relationship request reinstates one).
type CustomerChange struct {
	Relationship     *string
	PurchasesAllowed *bool
}

// Info describes a workspace.
type Info struct {
	Location      string         `json:"location"`      // file path or server address
	Kind          string         `json:"kind"`          // "local" or "remote"
	SchemaVersion int            `json:"schemaVersion"` // applied schema version
	LatestSchema  int            `json:"latestSchema"`  // newest version this pcctl knows
	User          string         `json:"user"`          // the principal
	Counts        map[string]int `json:"counts"`        // records by kind
	SizeBytes     int64          `json:"sizeBytes"`
	// PartnerTenant and PartnerName are the Partner Center tenant the workspace is linked
	// to by its first sync ("" before).
	PartnerTenant string `json:"partnerTenant,omitempty"`
	PartnerName   string `json:"partnerName,omitempty"`
}

// CustomerRecord is a customer as the principal sees it.
type CustomerRecord struct {
	domain.Customer
	Flagged   bool
	FlaggedAt time.Time // zero when not flagged
	Pinned    bool
	Opens     int // accesses in the recent window (recent view only)
}

// ListQuery selects a view of the customer list.
type ListQuery struct {
	View     domain.View     // all, flagged or recent
	Reseller string          // only this reseller's customers when set
	Sort     domain.ListSort // "" means the view's natural order
	Limit    int             // 0 means no limit
	// After resumes the list after the record with this ID (keyset paging: the
	// position is the record's place in the order, not a count), for a server's pages;
	// "" starts at the beginning. An ID no record has is a *domain.InvalidError (field
	// "after"). Not for the recent view, which is ranked.
	After string
}

// ExportQuery selects the customers to export.
type ExportQuery struct {
	Reseller string
}

// FlagResult tells what flagging did.
type FlagResult struct {
	Customer       CustomerRecord
	AlreadyFlagged bool
	Unflagged      *CustomerRecord // flagged longest ago, unflagged to respect the cap
}

// CustomerRow is one customer read from an import file.
type CustomerRow struct {
	Line     int // line of the file where the row starts
	Customer domain.Customer
	// HasID is false when the file has no ID column: the row is then keyed by domain.
	HasID bool
	// Has tells which optional fields the file carries; absent ones keep their stored value.
	HasCountry, HasReseller, HasRelationship, HasCreatedAt bool
}

// CustomerRows yields rows to import; Next returns io.EOF after the last one. A *RowError
// is a bad row, handed to ImportOptions.OnRowError like the rows the workspace refuses; an
// error of any other kind aborts the import (nothing is written).
type CustomerRows interface {
	Next() (CustomerRow, error)
}

// RowError is a bad row: a value that breaks a rule, a duplicate in the file, a domain
// already used by another customer.
type RowError struct {
	Line   int
	Column int    // 0 when unknown
	Field  string // "" when the whole row is concerned
	Reason string
}

func (e *RowError) Error() string { return e.Reason }

// ImportOptions tunes an import.
type ImportOptions struct {
	// OnRowError decides about a row the workspace refuses: return nil to skip the row and
	// go on, or an error to abort the whole import.
	OnRowError func(*RowError) error
	// Now is the time recorded for customers that carry no creation time.
	Now time.Time
	// Probe rolls the import back when any row was refused (OnRowError returned nil for
	// it), returning ErrProbed with the counts: a first pass that finds every refused row
	// without writing, so that a server asks its client about them with no write lock held.
	// An import that refuses no row is written as usual.
	Probe bool
}

// ErrProbed is ImportCustomers' answer to a Probe that found refused rows: nothing was
// written.
var ErrProbed = errors.New("the import refused rows: nothing was written (probe)")

// ImportResult counts what an import did. Every data row read is counted once in one of
// the others: Read = Created + Updated + Unchanged + Skipped.
type ImportResult struct {
	Read      int `json:"read"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
}

// AuditQuery selects records of the audit log; empty fields select all.
type AuditQuery struct {
	Since    time.Time // only records made at or after this time
	User     string    // only changes made by this user
	Entity   string    // only changes of this kind of entity ("customer", "deal"…)
	EntityID string    // only changes of this entity (with Entity)
	Before   int64     // only records with a lower Seq (the next page of a server's list); 0: no bound
	Limit    int       // 0 means no limit
}

// AuditEntities are the kinds of entity whose changes the audit log records, with what
// identifies one in AuditRecord.EntityID.
var AuditEntities = []struct{ Kind, ID string }{
	{"customer", "tenant ID"},
	{"customers", "none: a customer import, or a sync of customers, as a whole"},
	{"reseller", "MPN ID; the address of a partnership request"},
	{"subscription", "subscription ID"},
	{"deal", "deal ID"},
	{"deals", "none: a PSC deal import, or a sync of deals, as a whole"},
	{"request", "reference number"},
	{"user", "email address"},
	{"token", "token ID"},
	{"workspace", "partner tenant ID: the workspace linked to Partner Center by its first sync"},
	{"resellers", "none: a sync of resellers as a whole"},
	{"subscriptions", "none: a sync of subscriptions as a whole"},
	{"requests", "none: a sync of service requests as a whole"},
}

// AuditRecord is one change recorded in the audit log.
type AuditRecord struct {
	Seq  int64     // the record's number: later records have higher numbers
	At   time.Time // when the change was made (the workspace's clock)
	User string    // who made it
	// Token and TokenCreatedBy name the access token the change was made through, and who
	// created that token; both "" for a change made on the local file.
	Token, TokenCreatedBy string
	Action                string // "<entity>.<verb>", such as "deal.close-won" or "customer.flag"
	Entity                string // the kind of entity changed: customer, customers (an import), reseller…
	EntityID              string // its ID (tenant ID, MPN ID, deal ID…); "" for an import
	// Before and After are compact JSON objects of the fields the change concerns, before
	// and after it: "" before a creation and after a deletion. Secrets are never recorded.
	Before, After string
}

// arrivalKey is the context key of WithArrival.
type arrivalKey struct{}

// WithArrival marks ctx with when its request arrived at a server: a storage's checks for
// changes made for the request may share a read that began since rather than run one more
// (a change committed before the request arrived is seen all the same).
func WithArrival(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, arrivalKey{}, t)
}

// Arrival is the time WithArrival marked ctx with.
func Arrival(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(arrivalKey{}).(time.Time)
	return t, ok
}
