package remote_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/server/servertest"
	"github.com/pcctl/pcctl/internal/workspace"
	"github.com/pcctl/pcctl/internal/workspace/remote"
)

// srqClock is a workspace clock tests move by hand.
type srqClock struct {
	mu  sync.Mutex
	now time.Time
}

func newSrqClock() *srqClock {
	return &srqClock{now: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *srqClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *srqClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// srqSameError checks that the remote call failed as the local one did: the same words
// and the same error type behind them (so the same exit code).
func srqSameError(t *testing.T, what string, remoteErr, localErr error) {
	t.Helper()
	if localErr == nil || remoteErr == nil {
		t.Errorf("%s: remote error %v, local error %v: both must fail", what, remoteErr, localErr)
		return
	}
	if remoteErr.Error() != localErr.Error() {
		t.Errorf("%s: remote error %q, local error %q", what, remoteErr, localErr)
	}
	var (
		nf  *domain.NotFoundError
		inv *domain.InvalidError
		fb  *domain.ForbiddenError
		au  *domain.AuthError
		ru  *domain.RuleError
		row *workspace.RowError
	)
	for _, c := range []struct {
		name   string
		target any
	}{{"NotFoundError", &nf}, {"InvalidError", &inv}, {"ForbiddenError", &fb}, {"AuthError", &au}, {"RuleError", &ru}, {"RowError", &row}} {
		if l, r := errors.As(localErr, c.target), errors.As(remoteErr, c.target); l != r {
			t.Errorf("%s: errors.As(%s): local %v, remote %v (%v)", what, c.name, l, r, remoteErr)
		}
	}
	if errors.Is(localErr, domain.ErrNotFound) != errors.Is(remoteErr, domain.ErrNotFound) {
		t.Errorf("%s: errors.Is(ErrNotFound) differs", what)
	}
}

// srqEnv is a server with two customers, and the same user's workspace remotely and
// locally.
type srqEnv struct {
	env    *servertest.Env
	clock  *srqClock
	remote *remote.Client
	local  workspace.Workspace
}

const srqUser = "agent@partner.test"

func startSrq(t *testing.T) *srqEnv {
	t.Helper()
	clock := newSrqClock()
	env := servertest.Start(t, servertest.Options{Now: clock.Now})
	e := &srqEnv{env: env, clock: clock, remote: env.Client(srqUser), local: env.Local(srqUser)}
	ctx := context.Background()
	for _, c := range []domain.Customer{{CompanyName: "Contoso Ltd", Domain: "contoso.com"}, {CompanyName: "Société Générale", Domain: "socgen.fr"}} {
		if _, err := e.local.AddCustomer(ctx, c, ""); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// localAs is the workspace locally as a principal with exactly these roles.
func (e *srqEnv) localAs(user string, roles ...domain.Role) workspace.Workspace {
	return e.env.DB.As(domain.Principal{User: user, Roles: roles})
}

func srqList(t *testing.T, ws workspace.Workspace, q workspace.RequestQuery) ([]workspace.RequestRecord, error) {
	t.Helper()
	var out []workspace.RequestRecord
	err := ws.ListRequests(context.Background(), q, func(r workspace.RequestRecord) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

func TestRemoteRequestsMatchLocal(t *testing.T) {
	e := startSrq(t)
	ctx := context.Background()

	// Create remotely: what comes back is what the workspace holds.
	created, err := e.remote.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.com", Title: " Mail down ",
		Description: "since 8:00", Severity: "CRITICAL", Topic: "Exchange", ContactEmail: "It@Contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := e.local.Request(ctx, created.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(created, stored) {
		t.Fatalf("created:\n remote %+v\n local  %+v", created, stored)
	}
	if created.Title != "Mail down" || created.Severity != domain.SeverityCritical || created.Status != domain.RequestOpen ||
		created.ContactEmail != "it@contoso.com" || created.CustomerName != "Contoso Ltd" || !created.CreatedAt.Equal(e.clock.Now()) {
		t.Fatalf("created: %+v", created)
	}

	// More requests, at different times, some locally.
	refs := []string{created.Ref}
	for i, r := range []domain.ServiceRequest{
		{CustomerID: "socgen.fr", Title: "Billing", Severity: domain.SeverityMinimal},
		{CustomerID: "contoso.com", Title: "Licences", Severity: domain.SeverityModerate},
		{CustomerID: "socgen.fr", Title: "Sign-in", Severity: domain.SeverityCritical},
	} {
		e.clock.Add(time.Hour)
		ws := e.local
		if i%2 == 0 {
			ws = e.remote
		}
		rec, err := ws.CreateRequest(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, rec.Ref)
	}

	// Update remotely: status and note; close; a closed request refuses changes.
	e.clock.Add(time.Minute)
	upd, err := e.remote.UpdateRequest(ctx, refs[0], domain.RequestChange{Status: domain.RequestAttentionNeeded, Note: "Waiting for logs"})
	if err != nil {
		t.Fatal(err)
	}
	if stored, _ := e.local.Request(ctx, refs[0]); !reflect.DeepEqual(upd, stored) || len(upd.Notes) != 1 || upd.Notes[0].Author != srqUser {
		t.Fatalf("updated:\n remote %+v\n local  %+v", upd, stored)
	}
	upd, err = e.remote.UpdateRequest(ctx, refs[1], domain.RequestChange{Status: domain.RequestClosed, Severity: domain.SeverityModerate})
	if err != nil {
		t.Fatal(err)
	}
	if stored, _ := e.local.Request(ctx, refs[1]); !reflect.DeepEqual(upd, stored) || upd.ClosedAt.IsZero() {
		t.Fatalf("closed:\n remote %+v\n local  %+v", upd, stored)
	}
	for _, ch := range []domain.RequestChange{{Note: "more"}, {Status: domain.RequestAttentionNeeded}} {
		_, rerr := e.remote.UpdateRequest(ctx, refs[1], ch)
		_, lerr := e.local.UpdateRequest(ctx, refs[1], ch)
		srqSameError(t, "update closed", rerr, lerr)
	}
	_, rerr := e.remote.UpdateRequest(ctx, refs[2], domain.RequestChange{})
	_, lerr := e.local.UpdateRequest(ctx, refs[2], domain.RequestChange{})
	srqSameError(t, "empty change", rerr, lerr)
	// Reopening is recorded as a note.
	upd, err = e.remote.UpdateRequest(ctx, refs[1], domain.RequestChange{Status: domain.RequestOpen})
	if err != nil {
		t.Fatal(err)
	}
	if stored, _ := e.local.Request(ctx, refs[1]); !reflect.DeepEqual(upd, stored) || len(upd.Notes) != 1 || !upd.ClosedAt.IsZero() {
		t.Fatalf("reopened:\n remote %+v\n local  %+v", upd, stored)
	}
	upd, err = e.remote.UpdateRequest(ctx, refs[1], domain.RequestChange{Status: domain.RequestClosed})
	if err != nil {
		t.Fatal(err)
	}

	// Favorites, per user.
	fav, err := e.remote.SetRequestFavorite(ctx, refs[2], true)
	if err != nil || !fav.Favorite {
		t.Fatalf("favorite: %+v %v", fav, err)
	}
	if stored, _ := e.local.Request(ctx, refs[2]); !reflect.DeepEqual(fav, stored) {
		t.Fatalf("favorite:\n remote %+v\n local  %+v", fav, stored)
	}
	for _, ref := range []string{refs[3], refs[3]} { // twice: no change the second time
		if fav, err = e.remote.SetRequestFavorite(ctx, ref, true); err != nil || !fav.Favorite {
			t.Fatalf("favorite: %+v %v", fav, err)
		}
	}
	if fav, err = e.remote.SetRequestFavorite(ctx, refs[3], false); err != nil || fav.Favorite {
		t.Fatalf("unfavorite: %+v %v", fav, err)
	}
	if other, _ := e.env.Local("other@partner.test").Request(ctx, refs[2]); other.Favorite {
		t.Fatal("a favorite belongs to its user")
	}

	// Request: every one, remotely as locally.
	for _, ref := range append(refs, " "+refs[0][:5]+" "+refs[0][5:]) {
		r, rerr := e.remote.Request(ctx, ref)
		l, lerr := e.local.Request(ctx, ref)
		if rerr != nil || lerr != nil || !reflect.DeepEqual(r, l) {
			t.Errorf("Request(%q):\n remote %+v %v\n local  %+v %v", ref, r, rerr, l, lerr)
		}
	}

	// ListRequests: every filter.
	for _, q := range []workspace.RequestQuery{
		{},
		{Statuses: []domain.RequestStatus{domain.RequestOpen, domain.RequestAttentionNeeded}},
		{Statuses: []domain.RequestStatus{domain.RequestClosed}},
		{Customer: "contoso.com"},
		{Customer: "SOCGEN.FR", Severity: domain.SeverityCritical},
		{Severity: domain.SeverityModerate},
		{Favorites: true},
		{Favorites: true, Customer: "contoso.com"},
	} {
		r, rerr := srqList(t, e.remote, q)
		l, lerr := srqList(t, e.local, q)
		if rerr != nil || lerr != nil || !reflect.DeepEqual(r, l) {
			t.Errorf("ListRequests(%+v):\n remote %+v %v\n local  %+v %v", q, r, rerr, l, lerr)
		}
	}
	if all, _ := srqList(t, e.remote, workspace.RequestQuery{}); len(all) != 4 || all[0].Ref != refs[3] {
		t.Errorf("ListRequests: %d requests, newest first expected", len(all))
	}

	// SearchRequests: by reference number, whole or its beginning, and by name.
	for _, tc := range []struct {
		term  string
		limit int
	}{{refs[0], 0}, {refs[0][:3], 0}, {"cont", 0}, {"societe", 0}, {"soc", 1}, {"zzz", 0}, {"", 0}, {"1", 2}} {
		r, rerr := e.remote.SearchRequests(ctx, tc.term, tc.limit)
		l, lerr := e.local.SearchRequests(ctx, tc.term, tc.limit)
		if (rerr == nil) != (lerr == nil) || len(r) != len(l) || (len(l) > 0 && !reflect.DeepEqual(r, l)) {
			t.Errorf("SearchRequests(%q, %d):\n remote %+v %v\n local  %+v %v", tc.term, tc.limit, r, rerr, l, lerr)
		}
		if rerr != nil {
			srqSameError(t, "search "+tc.term, rerr, lerr)
		}
	}
	if found, err := e.remote.SearchRequests(ctx, "contoso", 0); err != nil || len(found) != 2 {
		t.Errorf("search contoso: %d found, %v", len(found), err)
	}
}

func TestRemoteRequestErrorsMatchLocal(t *testing.T) {
	e := startSrq(t)
	ctx := context.Background()
	rec, err := e.local.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.com", Title: "A", Severity: domain.SeverityMinimal})
	if err != nil {
		t.Fatal(err)
	}
	creates := map[string]domain.ServiceRequest{
		"no title":         {CustomerID: "contoso.com", Title: "  ", Severity: domain.SeverityMinimal},
		"no severity":      {CustomerID: "contoso.com", Title: "A"},
		"bad severity":     {CustomerID: "contoso.com", Title: "A", Severity: "urgent"},
		"unknown severity": {CustomerID: "contoso.com", Title: "A", Severity: "unknown"},
		"bad contact":      {CustomerID: "contoso.com", Title: "A", Severity: domain.SeverityMinimal, ContactEmail: "not an address"},
		"no customer":      {CustomerID: "fabrikam.com", Title: "A", Severity: domain.SeverityMinimal},
	}
	for name, r := range creates {
		_, rerr := e.remote.CreateRequest(ctx, r)
		_, lerr := e.local.CreateRequest(ctx, r)
		srqSameError(t, "CreateRequest "+name, rerr, lerr)
	}
	for _, ref := range []string{"999999999999999", "abc", " ", "12 34"} {
		_, rerr := e.remote.Request(ctx, ref)
		_, lerr := e.local.Request(ctx, ref)
		srqSameError(t, "Request "+ref, rerr, lerr)
		_, rerr = e.remote.UpdateRequest(ctx, ref, domain.RequestChange{Note: "x"})
		_, lerr = e.local.UpdateRequest(ctx, ref, domain.RequestChange{Note: "x"})
		srqSameError(t, "UpdateRequest "+ref, rerr, lerr)
		_, rerr = e.remote.SetRequestFavorite(ctx, ref, true)
		_, lerr = e.local.SetRequestFavorite(ctx, ref, true)
		srqSameError(t, "SetRequestFavorite "+ref, rerr, lerr)
	}
	_, rerr := srqList(t, e.remote, workspace.RequestQuery{Customer: "fabrikam.com"})
	_, lerr := srqList(t, e.local, workspace.RequestQuery{Customer: "fabrikam.com"})
	srqSameError(t, "ListRequests unknown customer", rerr, lerr)

	// Without the role: the same refusal, and nothing written.
	sales := e.env.Client("sales@partner.test", domain.RoleSalesAgent)
	salesLocal := e.localAs("sales@partner.test", domain.RoleSalesAgent)
	calls := map[string]func(ws workspace.Workspace) error{
		"CreateRequest": func(ws workspace.Workspace) error {
			_, err := ws.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.com", Title: "B", Severity: domain.SeverityMinimal})
			return err
		},
		"Request": func(ws workspace.Workspace) error { _, err := ws.Request(ctx, rec.Ref); return err },
		"ListRequests": func(ws workspace.Workspace) error {
			return ws.ListRequests(ctx, workspace.RequestQuery{}, func(workspace.RequestRecord) error { return nil })
		},
		"SearchRequests": func(ws workspace.Workspace) error { _, err := ws.SearchRequests(ctx, "cont", 0); return err },
		"UpdateRequest": func(ws workspace.Workspace) error {
			_, err := ws.UpdateRequest(ctx, rec.Ref, domain.RequestChange{Status: domain.RequestClosed})
			return err
		},
		"SetRequestFavorite": func(ws workspace.Workspace) error { _, err := ws.SetRequestFavorite(ctx, rec.Ref, true); return err },
	}
	for name, call := range calls {
		rerr, lerr := call(sales), call(salesLocal)
		srqSameError(t, name+" without the role", rerr, lerr)
		var fb *domain.ForbiddenError
		if !errors.As(rerr, &fb) || fb.Permission != domain.PermServiceRequests {
			t.Errorf("%s: %v", name, rerr)
		}
	}
	all, err := srqList(t, e.local, workspace.RequestQuery{})
	if err != nil || len(all) != 1 || !reflect.DeepEqual(all[0].ServiceRequest, rec.ServiceRequest) {
		t.Fatalf("refused calls changed the requests: %+v %v", all, err)
	}

	// A callback's error stops the iteration and is returned as is.
	if _, err := e.local.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "socgen.fr", Title: "C", Severity: domain.SeverityMinimal}); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	err = e.remote.ListRequests(ctx, workspace.RequestQuery{}, func(workspace.RequestRecord) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("ListRequests with a failing callback: %v after %d calls", err, n)
	}
}

// TestRemoteReservedCharactersInIDs sends IDs holding characters a path must escape: the
// server must see them as typed, as a local workspace does.
func TestRemoteReservedCharactersInIDs(t *testing.T) {
	e := startSrq(t)
	ctx := context.Background()
	r := domain.ServiceRequest{CustomerID: "a/b?c=d#e%zz", Title: "A", Severity: domain.SeverityMinimal}
	_, rerr := e.remote.CreateRequest(ctx, r)
	_, lerr := e.local.CreateRequest(ctx, r)
	srqSameError(t, "CreateRequest", rerr, lerr)
	for _, ref := range []string{"../..", "a/b", "%zz", "1?2#3"} {
		_, rerr := e.remote.Request(ctx, ref)
		_, lerr := e.local.Request(ctx, ref)
		srqSameError(t, "Request "+ref, rerr, lerr)
		_, rerr = e.remote.UpdateRequest(ctx, ref, domain.RequestChange{Note: "x"})
		_, lerr = e.local.UpdateRequest(ctx, ref, domain.RequestChange{Note: "x"})
		srqSameError(t, "UpdateRequest "+ref, rerr, lerr)
		_, rerr = e.remote.SetRequestFavorite(ctx, ref, true)
		_, lerr = e.local.SetRequestFavorite(ctx, ref, true)
		srqSameError(t, "SetRequestFavorite "+ref, rerr, lerr)
	}
	for _, email := range []string{"a/b@x.test", "50%@x.test"} {
		_, rerr := e.remote.User(ctx, email)
		_, lerr := e.local.User(ctx, email)
		srqSameError(t, "User "+email, rerr, lerr)
	}
}

func TestRemoteHomeMatchesLocal(t *testing.T) {
	e := startSrq(t)
	ctx := context.Background()
	same := func(what string, r, l workspace.Workspace) workspace.HomeOverview {
		t.Helper()
		rh, rerr := r.Home(ctx)
		lh, lerr := l.Home(ctx)
		if rerr != nil || lerr != nil || !reflect.DeepEqual(rh, lh) {
			t.Errorf("%s: Home:\n remote %+v %v\n local  %+v %v", what, rh, rerr, lh, lerr)
		}
		return rh
	}
	if h := same("empty", e.remote, e.local); h.Pinned != nil || h.HasDeals || h.OpenRequests != nil {
		t.Errorf("empty: %+v", h)
	}

	now := e.clock.Now()
	if _, _, err := e.local.PinCustomer(ctx, "socgen.fr"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.local.FlagCustomer(ctx, "contoso.com"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []domain.Subscription{
		{CustomerID: "contoso.com", Offer: "E3", Quantity: 3, TermEnd: now.Add(10 * 24 * time.Hour)},
		{CustomerID: "contoso.com", Offer: "E5", Quantity: 1, TermEnd: now.Add(90 * 24 * time.Hour)},
	} {
		if _, err := e.local.AddSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	open, err := e.local.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "contoso.com", Title: "Open", Severity: domain.SeverityModerate, ContactEmail: "it@contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.local.UpdateRequest(ctx, open.Ref, domain.RequestChange{Status: domain.RequestAttentionNeeded, Note: "logs?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.local.SetRequestFavorite(ctx, open.Ref, true); err != nil {
		t.Fatal(err)
	}
	done, _ := e.local.CreateRequest(ctx, domain.ServiceRequest{CustomerID: "socgen.fr", Title: "Done", Severity: domain.SeverityMinimal})
	if _, err := e.local.UpdateRequest(ctx, done.Ref, domain.RequestChange{Status: domain.RequestClosed}); err != nil {
		t.Fatal(err)
	}
	in, err := e.local.ReceiveDeal(ctx, domain.Deal{Name: "Inbound", CustomerID: "contoso.com", Value: "1000", Currency: "EUR",
		Solutions: []domain.Solution{{ID: "S", Source: domain.OwnSolution}}, SellerName: "John", SellerEmail: "john@microsoft.com"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(12 * 24 * time.Hour) // the inbound deal expires within 3 days
	h := same("full", e.remote, e.local)
	if len(h.Pinned) != 1 || h.Flagged != 1 || !h.HasSubscriptions || len(h.OpenRequests) != 1 || h.OpenRequests[0].Ref != open.Ref ||
		!h.OpenRequests[0].Favorite || !h.HasDeals || len(h.ExpiringDeals) != 1 || h.ExpiringDeals[0].ID != in.ID || len(h.AwaitingDeals) != 1 {
		t.Errorf("full: %+v", h)
	}
	e.clock.Add(-12 * 24 * time.Hour)
	if h := same("subscriptions", e.remote, e.local); len(h.ExpiringSubscriptions) != 1 || h.ExpiringSubscriptions[0].Offer != "E3" {
		t.Errorf("subscriptions: %+v", h.ExpiringSubscriptions)
	}
	// Sections the roles do not read are empty, remotely as locally.
	for _, roles := range [][]domain.Role{{domain.RoleHelpdeskAgent}, {domain.RoleReferralsAdmin}, {domain.RoleUserAdmin}} {
		user := string(roles[0]) + "@partner.test"
		same(user, e.env.Client(user, roles...), e.localAs(user, roles...))
	}
}
