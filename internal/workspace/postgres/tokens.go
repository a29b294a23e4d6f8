package postgres

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace/sqlstore"
)

// Access tokens are sqlstore's (CreateToken, Tokens, RevokeToken); Authenticate, on
// every request of a server, is this store's own.

func (s *session) Authenticate(ctx context.Context, secret string) (domain.Principal, domain.Token, error) {
	return s.DB.Authenticate(ctx, secret)
}

// Authenticate is Workspace.Authenticate without a principal, for a server that has none
// before the request's token is checked: it finds the token with that secret, refuses it
// with a *domain.AuthError when it is missing, malformed, unknown, revoked or expired,
// and returns its user with the roles held now. It records the use in last_used_at (to
// within sqlstore.TokenUseGranularity), without the write lock.
func (d *DB) Authenticate(ctx context.Context, secret string) (domain.Principal, domain.Token, error) {
	if err := domain.CheckTokenSecret(secret); err != nil {
		return domain.Principal{}, domain.Token{}, err
	}
	// One round trip: the token and its user's roles (a token's user exists: removing a
	// user removes their tokens). A server over a database runs this for every request.
	// The workspace's version comes with it: the request's searches use it (searchCache).
	var t domain.Token
	var created, expires, revoked, used, roles string
	var version int64
	at := time.Now()
	err := d.db.QueryRowContext(ctx, `SELECT t.id, t.email, t.name, t.created_at, t.expires_at, t.revoked_at, t.last_used_at, t.created_by,
		coalesce((SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.email = t.email), ''), (SELECT n FROM pcctl_version)
		FROM tokens t WHERE t.secret_hash = ?`, domain.HashTokenSecret(secret)).Scan(
		&t.ID, &t.User, &t.Name, &created, &expires, &revoked, &used, &t.CreatedBy, &roles, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Principal{}, domain.Token{}, sqlstore.UnknownToken()
	}
	if err != nil {
		return domain.Principal{}, domain.Token{}, err
	}
	d.search.observe(version, at)
	t.CreatedAt = parseTime(created)
	t.ExpiresAt, t.RevokedAt, t.LastUsedAt = parseTime(expires), parseTime(revoked), parseTime(used)
	now := d.now().UTC().Truncate(time.Second)
	if err := domain.CheckTokenUse(t, now); err != nil {
		return domain.Principal{}, t, err
	}
	var u domain.User
	u.Email = t.User
	for _, r := range strings.Split(roles, ",") {
		if r != "" {
			u.Roles = append(u.Roles, domain.Role(r))
		}
	}
	u.Roles = domain.SortRoles(u.Roles)
	if t.LastUsedAt.IsZero() || !now.Before(t.LastUsedAt.Add(sqlstore.TokenUseGranularity)) {
		// One statement, outside any transaction and the write lock (PostgreSQL locks the
		// one row): it never waits for another server's writes. It changes nothing when the
		// token was revoked (or its user removed) since it was read: then the request is
		// refused after all.
		res, err := d.db.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ? AND revoked_at = ''`, formatTime(now), t.ID)
		if err != nil {
			return domain.Principal{}, domain.Token{}, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return domain.Principal{}, domain.Token{}, err
		}
		if n == 0 {
			if t, err := sqlstore.LoadToken(ctx, d.db, t.ID); err == nil && !t.RevokedAt.IsZero() {
				return domain.Principal{}, t, domain.CheckTokenUse(t, now)
			}
			return domain.Principal{}, domain.Token{}, sqlstore.UnknownToken()
		}
		t.LastUsedAt = now
	}
	return domain.Principal{User: u.Email, Roles: u.Roles}, t, nil
}
