// Package linked is write-through: the workspace.Workspace of a workspace linked to a
// partner tenant (a sync linked it) while a user is signed in to Partner Center. It wraps
// the local workspace (a SQLite file or a PostgreSQL database) and, for every change
// Partner Center has an API for, makes the change in Partner Center first and records it
// in the workspace only once Partner Center accepted it, keeping what Partner Center
// answered (IDs, ETag, status, dates). Every other method passes through to the inner
// workspace unchanged (the embedded interface): reads never call Partner Center.
//
// The pattern of a write-through method (deals.go, customers.go):
//
//  1. check everything the workspace can check first (the record exists, the rules of
//     domain, --if-version), so that what the workspace would refuse is never sent;
//  2. w.client(ctx): the Partner Center client, or why there is none (not signed in:
//     exit 5; signed in to another partner tenant: exit 4);
//  3. send the change; a refusal is returned through w.refused (Partner Center's own
//     message, status and request IDs; cmdutil maps the status to an exit code);
//  4. record it in the inner workspace with what Partner Center answered; a failure
//     there is w.unrecorded (*UnrecordedError, exit 7): Partner Center has the change,
//     the workspace not, and the next pcctl sync brings it.
package linked

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Options say what the workspace is linked to and how to reach Partner Center.
type Options struct {
	// Tenant and TenantName are the partner tenant the workspace is linked to
	// (workspace.SyncState).
	Tenant, TenantName string
	// Connect gives the signed-in Partner Center client, or why there is none (not
	// signed in: a *domain.AuthError of code AuthMissing). It is called on the first
	// write-through change only: reads never touch the sign-in.
	Connect func(context.Context) (*partnercenter.Client, error)
	// Now is the clock of the rules checked before sending (default time.Now).
	Now func() time.Time
}

// Workspace is the write-through workspace. Methods it does not define are the inner
// workspace's.
type Workspace struct {
	workspace.Workspace
	opts Options

	once sync.Once
	pc   *partnercenter.Client
	err  error // why there is no client to use
}

// New wraps inner.
func New(inner workspace.Workspace, opts Options) *Workspace {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Workspace{Workspace: inner, opts: opts}
}

func (w *Workspace) now() time.Time { return w.opts.Now().UTC().Truncate(time.Second) }

// client is the Partner Center client for a change, once the signed-in partner tenant is
// known to be the workspace's (connected and asked once per process, on the first change).
func (w *Workspace) client(ctx context.Context) (*partnercenter.Client, error) {
	w.once.Do(func() { w.pc, w.err = w.connect(ctx) })
	return w.pc, w.err
}

func (w *Workspace) connect(ctx context.Context) (*partnercenter.Client, error) {
	var pc *partnercenter.Client
	err := errors.New("no way to reach Partner Center")
	if w.opts.Connect != nil {
		pc, err = w.opts.Connect(ctx)
	}
	if err != nil {
		// Not signed in: said in the workspace's terms. Any other reason (a sign-in file
		// others can read, a bad setting) is returned as it is.
		var auth *domain.AuthError
		if !errors.As(err, &auth) || auth.Code != domain.AuthMissing {
			return nil, err
		}
		return nil, &domain.AuthError{Code: domain.AuthMissing, Reason: fmt.Sprintf(
			"this workspace is linked to the partner tenant %s (%s), where this change is made first, and nobody is signed in to Partner Center: "+
				"run pcctl auth login (reading the workspace needs no sign-in)", w.opts.Tenant, w.opts.TenantName)}
	}
	p, err := pc.OrganizationProfile(ctx)
	if err != nil {
		return nil, refused(err, "tell which partner tenant is signed in", "")
	}
	if !strings.EqualFold(p.TenantID, w.opts.Tenant) {
		return nil, &domain.RuleError{Rule: "one-partner-tenant", Msg: fmt.Sprintf(
			"this workspace is linked to the partner tenant %s (%s), and the sign-in is to %s (%s): sign in to the workspace's tenant (pcctl auth login); nothing was changed",
			w.opts.Tenant, w.opts.TenantName, p.TenantID, p.CompanyName)}
	}
	return pc, nil
}

// RefusedError is a change Partner Center refused or did not answer: its message, status
// and request IDs, what pcctl did not write, and what to do. It unwraps to the
// *partnercenter.Error, whose status chooses the exit code (cmdutil.ExitCode).
type RefusedError struct {
	What string // the change: "create the deal", "update deal X"
	Hint string // what to do next, or ""
	Err  *partnercenter.Error
}

func (e *RefusedError) Error() string {
	p := e.Err
	var b strings.Builder
	if p.Status == 0 {
		fmt.Fprintf(&b, "Partner Center did not answer the request to %s (%s %s: %v): it may or may not have made the change, and the workspace was not changed",
			e.What, p.Method, p.Path, p.Err)
	} else {
		fmt.Fprintf(&b, "%s refused to %s: %d %s", p.API, e.What, p.Status, http.StatusText(p.Status))
		if p.Code != "" {
			b.WriteString(" (code " + p.Code + ")")
		}
		if p.Description != "" {
			b.WriteString(": " + strings.TrimSpace(p.Description))
		}
		if p.Description == "" && p.Err != nil {
			b.WriteString(": " + p.Err.Error())
		}
	}
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	fmt.Fprintf(&b, " [MS-RequestId: %s, MS-CorrelationId: %s]", p.RequestID, p.CorrelationID)
	return b.String()
}

// Unwrap is the Partner Center error.
func (e *RefusedError) Unwrap() error { return e.Err }

// refused wraps a Partner Center failure of the change what; hint is added for a
// conflict (409, 412). Other errors (the context cancelled) are returned as they are.
func refused(err error, what, conflictHint string) error {
	if errors.Is(err, context.Canceled) {
		return &InterruptedError{What: what}
	}
	var p *partnercenter.Error
	if !errors.As(err, &p) {
		return err
	}
	e := &RefusedError{What: what, Err: p}
	switch {
	case p.Status == http.StatusConflict || p.Status == http.StatusPreconditionFailed:
		e.Hint = conflictHint
	case p.Status == http.StatusUnauthorized:
		e.Hint = "run pcctl auth login"
	case p.Status == http.StatusForbidden:
		e.Hint = "the signed-in account lacks the Partner Center role for it (Referral Admin or Referral User for deals, Admin agent for customers)"
	case p.Status == 0:
		e.Hint = "pcctl sync shows whether Partner Center has it"
	}
	return e
}

// UnrecordedError is a change Partner Center accepted that the workspace then failed to
// record: Partner Center has it, the workspace not (yet). Exit 7; the next pcctl sync
// of the kind (Sync) brings Partner Center's state into the workspace.
type UnrecordedError struct {
	What      string // "created deal X (referral R)"
	RequestID string
	Sync      workspace.SyncKind
	Err       error
}

func (e *UnrecordedError) Error() string {
	return fmt.Sprintf("Partner Center %s [MS-RequestId: %s], but the workspace could not record it: %v; "+
		"the workspace does not show the change yet: run pcctl sync %s to bring it in (do not make the change again)",
		e.What, e.RequestID, e.Err, e.Sync)
}

// InterruptedError is a command interrupted (Ctrl-C) while Partner Center was asked to
// make a change: it may have made it. The workspace was not changed. It unwraps to
// context.Canceled (exit 130).
type InterruptedError struct {
	What string
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("interrupted while Partner Center was asked to %s: it may or may not have made it, and the workspace was not changed; "+
		"pcctl sync shows whether Partner Center has it", e.What)
}

// Unwrap makes errors.Is(err, context.Canceled) true.
func (e *InterruptedError) Unwrap() error { return context.Canceled }
