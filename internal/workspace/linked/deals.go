package linked

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/partnercenter"
	"github.com/pcctl/pcctl/internal/pcpublish"
	"github.com/pcctl/pcctl/internal/workspace"
)

// CreateDeal creates the referral in Partner Center (POST /v1.0/engagements/referrals),
// then the deal in the workspace under Partner Center's referral ID (or d.ID, when given:
// it is then the referral's externalReferenceId), with the referral ID, engagement ID and
// ETag recorded as the deal's publication: a sync maps the referral back to this deal.
func (w *Workspace) CreateDeal(ctx context.Context, d domain.Deal) (workspace.DealRecord, error) {
	d.ID = strings.TrimSpace(d.ID)
	// 1. What the workspace would refuse is never sent.
	if d.ID != "" {
		if _, err := w.Workspace.Deal(ctx, d.ID); err == nil {
			return workspace.DealRecord{}, &domain.RuleError{Rule: "unique-deal-id", Msg: fmt.Sprintf("a deal with ID %s already exists", d.ID)}
		}
	}
	send := domain.NewOutboundDeal(d, w.now())
	if d.CustomerID != "" {
		c, err := w.Workspace.Customer(ctx, d.CustomerID)
		if err != nil {
			return workspace.DealRecord{}, err
		}
		send.CustomerID, send.Organization, send.OrgCountry = c.ID, c.CompanyName, c.Country
	}
	if err := domain.CheckDeal(send); err != nil {
		return workspace.DealRecord{}, err
	}
	// 2. Partner Center, signed in to the workspace's tenant.
	pc, err := w.client(ctx)
	if err != nil {
		return workspace.DealRecord{}, err
	}
	// 3. The change there first.
	created, err := pc.CreateReferral(ctx, pcpublish.Referral(send, false))
	if err != nil {
		return workspace.DealRecord{}, refused(err, "create the deal", "")
	}
	// 4. Recorded with Partner Center's answer, whatever happens to the command now.
	ctx = context.WithoutCancel(ctx)
	ref := created.Referral
	if d.ID == "" {
		d.ID = ref.ID
	}
	what := fmt.Sprintf("created the deal as referral %s", ref.ID)
	rec, err := w.Workspace.CreateDeal(ctx, d)
	if err != nil {
		return rec, &UnrecordedError{What: what, RequestID: created.RequestID, Sync: workspace.SyncDeals, Err: err}
	}
	if err := w.Workspace.RecordPublications(ctx, []workspace.DealPublication{{DealID: rec.ID, State: workspace.PublishPublished,
		ReferralID: ref.ID, EngagementID: ref.EngagementID, ETag: created.ETag}}); err != nil {
		return rec, &UnrecordedError{What: what, RequestID: created.RequestID, Sync: workspace.SyncDeals, Err: err}
	}
	return rec, nil
}

// A change to a deal Partner Center has (published, synced, or created here) is a PATCH
// of its referral (JSON Patch, If-Match on its ETag), then the same change in the
// workspace; a deal Partner Center does not have (never published, or refused) changes
// in the workspace only: pcctl deal publish sends it as it then is.

// ActOnDeal accepts, declines or closes the deal in Partner Center (its status,
// substatus and status reason), then in the workspace.
func (w *Workspace) ActOnDeal(ctx context.Context, id string, action domain.DealAction, reason string, expectVersion int) (workspace.DealRecord, error) {
	reason = strings.TrimSpace(reason)
	return w.patchDeal(ctx, id, expectVersion, "change the status of deal "+id,
		func(cur domain.Deal) ([]partnercenter.PatchOp, error) {
			if reason != "" {
				if err := domain.CheckText("reason", reason); err != nil {
					return nil, err
				}
			}
			next, err := domain.Transition(cur, action, w.now())
			if err != nil {
				return nil, err
			}
			ops := []partnercenter.PatchOp{partnercenter.Replace("/status", string(next.Status)), partnercenter.Replace("/substatus", string(next.Substatus))}
			if reason != "" {
				ops = append(ops, partnercenter.Replace("/statusReason", reason))
			}
			return ops, nil
		},
		func(ctx context.Context, version int) (workspace.DealRecord, error) {
			return w.Workspace.ActOnDeal(ctx, id, action, reason, version)
		})
}

// UpdateDeal changes the deal's name, value, currency, contact or solutions in Partner
// Center, then in the workspace.
func (w *Workspace) UpdateDeal(ctx context.Context, id string, ch workspace.DealChange, expectVersion int) (workspace.DealRecord, error) {
	return w.patchDeal(ctx, id, expectVersion, "update deal "+id,
		func(cur domain.Deal) ([]partnercenter.PatchOp, error) {
			if _, err := domain.Transition(cur, domain.ActEdit, w.now()); err != nil {
				return nil, err
			}
			next := cur
			var ops []partnercenter.PatchOp
			if ch.Name != nil {
				next.Name = *ch.Name
				ops = append(ops, partnercenter.Replace("/name", next.Name))
			}
			if ch.Value != nil {
				next.Value = *ch.Value
				ops = append(ops, partnercenter.Replace("/details/dealValue", api.DealAmount(next.Value)))
			}
			if ch.Currency != nil {
				next.Currency = *ch.Currency
				ops = append(ops, partnercenter.Replace("/details/currency", next.Currency))
			}
			if ch.Contact != nil {
				next.Contact = *ch.Contact
				ops = append(ops, partnercenter.Replace("/customerProfile/team", contactTeam(next.Contact)))
			}
			if ch.AddSolutions != nil || ch.RemoveSolutions != nil {
				next.Solutions = append([]domain.Solution(nil), cur.Solutions...)
				for _, rm := range ch.RemoveSolutions {
					kept := next.Solutions[:0:0]
					for _, s := range next.Solutions {
						if s.ID != rm {
							kept = append(kept, s)
						}
					}
					if len(kept) == len(next.Solutions) {
						return nil, &domain.InvalidError{Field: "solution", Value: rm, Reason: "is not on the deal"}
					}
					next.Solutions = kept
				}
				next.Solutions = append(next.Solutions, ch.AddSolutions...)
				sols := make([]api.ReferralSolution, len(next.Solutions))
				for i, s := range next.Solutions {
					sols[i] = api.ReferralSolution{ID: s.ID}
				}
				ops = append(ops, partnercenter.Replace("/details/requirements/solutions", sols))
			}
			if err := domain.CheckDeal(next); err != nil {
				return nil, err
			}
			return ops, nil
		},
		func(ctx context.Context, version int) (workspace.DealRecord, error) {
			return w.Workspace.UpdateDeal(ctx, id, ch, version)
		})
}

// AddDealNote adds the note to the referral's notes in Partner Center (one text there:
// the deal's notes, a blank line between two), then to the deal.
func (w *Workspace) AddDealNote(ctx context.Context, id, text string, expectVersion int) (workspace.DealRecord, error) {
	text = strings.TrimSpace(text)
	return w.patchDeal(ctx, id, expectVersion, "add a note to deal "+id,
		func(cur domain.Deal) ([]partnercenter.PatchOp, error) {
			if err := domain.CheckMultilineText("note", text); err != nil {
				return nil, err
			}
			if text == "" {
				return nil, &domain.InvalidError{Field: "note", Reason: "is empty"}
			}
			if _, err := domain.Transition(cur, domain.ActEdit, w.now()); err != nil {
				return nil, err
			}
			texts := make([]string, 0, len(cur.Notes)+1)
			for _, n := range cur.Notes {
				texts = append(texts, n.Text)
			}
			return []partnercenter.PatchOp{partnercenter.Replace("/details/notes", strings.Join(append(texts, text), "\n\n"))}, nil
		},
		func(ctx context.Context, version int) (workspace.DealRecord, error) {
			return w.Workspace.AddDealNote(ctx, id, text, version)
		})
}

// SetDealTeamMember adds the member to the referral's team (add /team/-) or sets the
// team without it, in Partner Center, then in the workspace.
func (w *Workspace) SetDealTeamMember(ctx context.Context, id, email string, member bool, expectVersion int) (workspace.DealRecord, error) {
	addr, err := domain.ParseEmail(email)
	if err != nil {
		return workspace.DealRecord{}, err
	}
	return w.patchDeal(ctx, id, expectVersion, "change the team of deal "+id,
		func(cur domain.Deal) ([]partnercenter.PatchOp, error) {
			if _, err := domain.Transition(cur, domain.ActEdit, w.now()); err != nil {
				return nil, err
			}
			if member {
				return []partnercenter.PatchOp{partnercenter.Add("/team/-", api.ReferralPerson{Email: addr})}, nil
			}
			team := []api.ReferralPerson{}
			for _, e := range cur.Team {
				if !strings.EqualFold(e, addr) {
					team = append(team, api.ReferralPerson{Email: e})
				}
			}
			return []partnercenter.PatchOp{partnercenter.Replace("/team", team)}, nil
		},
		func(ctx context.Context, version int) (workspace.DealRecord, error) {
			return w.Workspace.SetDealTeamMember(ctx, id, addr, member, version)
		})
}

func contactTeam(c domain.Contact) []api.ReferralPerson {
	if c == (domain.Contact{}) {
		return []api.ReferralPerson{}
	}
	first, last := c.Name, ""
	if i := strings.IndexByte(c.Name, ' '); i > 0 && i < len(c.Name)-1 {
		first, last = c.Name[:i], c.Name[i+1:]
	}
	return []api.ReferralPerson{{FirstName: first, LastName: last, Email: c.Email, PhoneNumber: c.Phone}}
}

// patchDeal is the write-through of a change to deal id: plan checks it against the deal
// as the workspace has it and says the JSON Patch operations; local makes it in the
// workspace (with the version the deal was checked at).
func (w *Workspace) patchDeal(ctx context.Context, id string, expectVersion int, what string,
	plan func(cur domain.Deal) ([]partnercenter.PatchOp, error),
	local func(ctx context.Context, version int) (workspace.DealRecord, error)) (workspace.DealRecord, error) {
	cur, err := w.Workspace.Deal(ctx, id)
	if err != nil {
		return cur, err
	}
	if expectVersion != 0 && cur.Version != expectVersion {
		return cur, &domain.RuleError{Rule: "stale", Msg: fmt.Sprintf(
			"deal %s changed since version %d (it is at version %d): show it again and retry", cur.ID, expectVersion, cur.Version)}
	}
	pub, err := w.publication(ctx, cur.ID)
	if err != nil {
		return cur, err
	}
	switch pub.State {
	case workspace.PublishPublished, workspace.PublishSynced:
	case workspace.PublishSending:
		return cur, &domain.RuleError{Rule: "publish-pending", Msg: fmt.Sprintf(
			"deal %s was being sent to Partner Center when pcctl deal publish stopped: whether Partner Center has it is not known yet; "+
				"run pcctl deal publish %s first (it finds it or sends it), then retry", cur.ID, cur.ID)}
	default:
		// Not in Partner Center: the workspace's change only.
		return local(ctx, expectVersion)
	}
	ops, err := plan(cur.Deal)
	if err != nil {
		return cur, err
	}
	pc, err := w.client(ctx)
	if err != nil {
		return cur, err
	}
	staleHint := fmt.Sprintf("deal %s was changed in Partner Center since this workspace last had it: run pcctl sync deals, show it again (pcctl deal show %s) and retry",
		cur.ID, cur.ID)
	etag := pub.ETag
	if etag == "" {
		if etag, err = w.currentETag(ctx, pc, cur, pub.ReferralID, what, staleHint); err != nil {
			return cur, err
		}
	}
	updated, err := pc.UpdateReferral(ctx, pub.ReferralID, etag, ops)
	var pe *partnercenter.Error
	if errors.As(err, &pe) && pe.Status == http.StatusPreconditionFailed && pub.ETag != "" {
		// The ETag kept is older than Partner Center's: a sync may have brought the
		// referral's newer state since; if the workspace has it, the change is sent again
		// with Partner Center's ETag.
		if etag, err = w.currentETag(ctx, pc, cur, pub.ReferralID, what, staleHint); err != nil {
			return cur, err
		}
		updated, err = pc.UpdateReferral(ctx, pub.ReferralID, etag, ops)
	}
	if err != nil {
		return cur, refused(err, what, staleHint)
	}
	ctx = context.WithoutCancel(ctx)
	done := fmt.Sprintf("made the change to deal %s (referral %s)", cur.ID, pub.ReferralID)
	rec, err := local(ctx, cur.Version)
	if err != nil {
		return rec, &UnrecordedError{What: done, RequestID: updated.RequestID, Sync: workspace.SyncDeals, Err: err}
	}
	eng := updated.Referral.EngagementID
	if eng == "" {
		eng = pub.EngagementID
	}
	if err := w.Workspace.RecordPublications(ctx, []workspace.DealPublication{{DealID: rec.ID, State: workspace.PublishPublished,
		ReferralID: pub.ReferralID, EngagementID: eng, ETag: updated.ETag}}); err != nil {
		return rec, &UnrecordedError{What: done, RequestID: updated.RequestID, Sync: workspace.SyncDeals, Err: err}
	}
	return rec, nil
}

// currentETag reads the referral's ETag from Partner Center, refusing (stale) when
// Partner Center changed it after the workspace's copy was last written: the change would
// be made over a state the user has not seen.
func (w *Workspace) currentETag(ctx context.Context, pc *partnercenter.Client, cur workspace.DealRecord, referralID, what, staleHint string) (string, error) {
	got, err := pc.Referral(ctx, referralID)
	if err != nil {
		return "", refused(err, what, staleHint)
	}
	if u := got.Referral.UpdatedDateTime; u != nil && u.Truncate(time.Second).After(cur.UpdatedAt) {
		return "", &domain.RuleError{Rule: "stale", Msg: fmt.Sprintf("%s (Partner Center's copy is of %s, the workspace's of %s); nothing was changed",
			staleHint, u.UTC().Format(time.RFC3339), cur.UpdatedAt.UTC().Format(time.RFC3339))}
	}
	if got.ETag == "" {
		return "*", nil
	}
	return got.ETag, nil
}

// publication is the deal's publishing state: where it is in Partner Center.
func (w *Workspace) publication(ctx context.Context, id string) (workspace.DealPublication, error) {
	return workspace.DealPublicationOf(ctx, w.Workspace, id)
}
