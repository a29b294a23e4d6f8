package linked

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Service requests (issue 18): filed with Partner Center's POST
// /v1/servicerequests/{agent-locale} and changed with its PATCH /v1/servicerequests/{id},
// then recorded in the workspace under Partner Center's ID, with its creation date. A
// request Partner Center does not have (filed here before the workspace was linked) is
// refused with Partner Center's 404: it cannot be changed through Partner Center.

// CreateRequest files the request in Partner Center, then in the workspace under Partner
// Center's ID. Partner Center needs a support topic among its own (r.Topic, by name or
// ID: GET /v1/servicerequests/supporttopics) and a description.
func (w *Workspace) CreateRequest(ctx context.Context, r domain.ServiceRequest) (workspace.RequestRecord, error) {
	var out workspace.RequestRecord
	// 1. What the workspace would refuse is never sent.
	if r.Title = strings.TrimSpace(r.Title); r.Title == "" {
		return out, &domain.InvalidError{Field: "title", Reason: "is empty"}
	}
	if err := domain.CheckRequestText(r); err != nil {
		return out, err
	}
	sev, err := domain.ParseSeverity(string(r.Severity))
	if err != nil {
		return out, err
	}
	r.Severity = sev
	if r.ContactEmail != "" {
		if r.ContactEmail, err = domain.ParseEmail(r.ContactEmail); err != nil {
			return out, err
		}
	}
	c, err := w.Workspace.Customer(ctx, r.CustomerID)
	if err != nil {
		return out, err
	}
	// 2. Partner Center, signed in to the workspace's tenant, and its support topics.
	pc, err := w.client(ctx)
	if err != nil {
		return out, err
	}
	topics, err := pc.SupportTopics(ctx)
	if err != nil {
		return out, readRefused(err, "list its support topics")
	}
	topic, ok := partnercenter.FindSupportTopic(topics, r.Topic)
	if !ok {
		return out, topicError(r.Topic, topics)
	}
	// 3. The request there first.
	send := api.ServiceRequest{Title: r.Title, Description: strings.TrimSpace(r.Description), Severity: api.Named(string(r.Severity)),
		SupportTopicID: string(topic.ID), SupportTopicName: topic.Name, Organization: &api.ServiceRequestOrg{ID: c.ID, Name: c.CompanyName}}
	if r.ContactEmail != "" {
		send.PrimaryContact = &api.ServiceRequestContact{Email: r.ContactEmail}
	}
	created, err := pc.CreateServiceRequest(ctx, partnercenter.DefaultAgentLocale, send)
	if err != nil {
		return out, refused(err, "file the service request", "")
	}
	// 4. Recorded under Partner Center's ID and date, whatever happens to the command now.
	ctx = context.WithoutCancel(ctx)
	r.Ref, r.CustomerID, r.Topic = created.Value.ID, c.ID, topic.Name
	r.CreatedAt = time.Time(created.Value.CreatedDate)
	out, err = w.Workspace.CreateRequest(ctx, r)
	if err != nil {
		return out, &UnrecordedError{What: "filed service request " + created.Value.ID, RequestID: created.RequestID, Sync: workspace.SyncRequests, Err: err}
	}
	return out, nil
}

// topicError names the topics Partner Center accepts.
func topicError(given string, topics []partnercenter.SupportTopic) error {
	names := make([]string, 0, len(topics))
	for _, t := range topics {
		names = append(names, t.Name)
	}
	sort.Strings(names)
	reason := "is needed: Partner Center files a request under one of its support topics"
	if strings.TrimSpace(given) != "" {
		reason = "is not one of Partner Center's support topics"
	}
	return &domain.InvalidError{Field: "topic", Value: given, Reason: fmt.Sprintf("%s (allowed: %s)", reason, strings.Join(names, ", "))}
}

// UpdateRequest changes the request's status, severity or notes in Partner Center, then
// in the workspace.
func (w *Workspace) UpdateRequest(ctx context.Context, ref string, ch domain.RequestChange) (workspace.RequestRecord, error) {
	// 1. What the workspace would refuse is never sent.
	cur, err := w.Workspace.Request(ctx, ref)
	if err != nil {
		return cur, err
	}
	if _, _, err := domain.PlanRequestUpdate(cur.ServiceRequest, ch, ""); err != nil {
		return cur, err
	}
	// 2. Partner Center.
	pc, err := w.client(ctx)
	if err != nil {
		return cur, err
	}
	// 3. The change there first: only what changes.
	updated, err := pc.UpdateServiceRequest(ctx, cur.Ref, partnercenter.ServiceRequestPatch{Status: string(ch.Status), Severity: string(ch.Severity),
		NewNote: strings.TrimSpace(ch.Note)})
	if err != nil {
		return cur, notFoundHint(refused(err, "update service request "+cur.Ref, ""),
			"Partner Center has no such request: it exists only in this workspace (filed before the workspace was linked?) and cannot be changed while the workspace is linked")
	}
	// 4. The same change in the workspace.
	ctx = context.WithoutCancel(ctx)
	out, err := w.Workspace.UpdateRequest(ctx, cur.Ref, ch)
	if err != nil {
		return out, &UnrecordedError{What: "updated service request " + cur.Ref, RequestID: updated.RequestID, Sync: workspace.SyncRequests, Err: err}
	}
	return out, nil
}

// readRefused is refused for a read: interrupted, nothing was asked to change.
func readRefused(err error, what string) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return refused(err, what, "")
}

// notFoundHint adds hint to Partner Center's 404.
func notFoundHint(err error, hint string) error {
	var e *RefusedError
	if errors.As(err, &e) && e.Err.Status == http.StatusNotFound && e.Hint == "" {
		e.Hint = hint
	}
	return err
}
