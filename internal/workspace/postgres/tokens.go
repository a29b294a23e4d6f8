package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pcctl/pcctl/internal/domain"
)

// Access tokens (table tokens, schema version 6). Only the SHA-256 of a secret is stored
// (domain.HashTokenSecret), under a UNIQUE index: a request's token is found by one index
// lookup. Managing tokens needs PermManageUsers; Authenticate needs no permission.

// tokenUseGranularity bounds how often Authenticate records last_used_at: a token used
// again within it is not written again, so that a busy server does not take the write lock
// on every request. last_used_at is thus exact to within a minute. (On PostgreSQL it is
// written by Authenticate itself: a one-row update that takes no write lock.)
const tokenUseGranularity = time.Minute

const tokenColumns = `id, email, name, created_at, expires_at, revoked_at, last_used_at, created_by`

func scanToken(sc scanner) (domain.Token, error) {
	var t domain.Token
	var created, expires, revoked, used string
	if err := sc.Scan(&t.ID, &t.User, &t.Name, &created, &expires, &revoked, &used, &t.CreatedBy); err != nil {
		return t, err
	}
	t.CreatedAt = parseTime(created)
	// An absent time is stored as the empty string, which parseTime reads as zero.
	t.ExpiresAt, t.RevokedAt, t.LastUsedAt = parseTime(expires), parseTime(revoked), parseTime(used)
	return t, nil
}

// formatOptTime stores a time that may be absent: the empty string for the zero time.
func formatOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

func loadToken(ctx context.Context, q querier, id string) (domain.Token, error) {
	t, err := scanToken(q.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, &domain.NotFoundError{Kind: "token", Ref: id}
	}
	return t, err
}

// checkTokenTTL refuses a lifetime ParseTokenTTL would not give: the workspace applies the
// rule whoever calls it.
func checkTokenTTL(ttl time.Duration) error {
	if ttl == domain.NeverExpires || ttl >= domain.MinTokenTTL && ttl <= domain.MaxTokenTTL {
		return nil
	}
	return &domain.InvalidError{Field: "expires", Value: ttl.String(),
		Reason: "is not a token lifetime: between 1h and 366d, or never"}
}

func (s *session) CreateToken(ctx context.Context, email, name string, ttl time.Duration) (string, domain.Token, error) {
	var t domain.Token
	if err := s.who.Require(domain.PermManageUsers); err != nil {
		return "", t, err
	}
	name, err := domain.NormalizeTokenName(name)
	if err != nil {
		return "", t, err
	}
	if err := checkTokenTTL(ttl); err != nil {
		return "", t, err
	}
	id, err := uuid.NewRandomFromReader(s.core.Random)
	if err != nil {
		return "", t, fmt.Errorf("drawing a token ID: %w", err)
	}
	secret, err := domain.NewTokenSecret(s.core.Random)
	if err != nil {
		return "", t, err
	}
	err = s.writeTx(ctx, func(tx *Tx) error {
		u, err := loadUser(ctx, tx, email)
		if err != nil {
			return err
		}
		if err := domain.CheckActOnUser(s.who, "create an access token for", u); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Second)
		t = domain.Token{ID: id.String(), User: u.Email, Name: name, CreatedAt: now, ExpiresAt: domain.TokenExpiry(now, ttl), CreatedBy: s.who.User}
		if _, err = tx.ExecContext(ctx, `INSERT INTO tokens(id, email, name, secret_hash, created_at, expires_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.User, t.Name, domain.HashTokenSecret(secret), formatTime(t.CreatedAt), formatOptTime(t.ExpiresAt), t.CreatedBy); err != nil {
			return err
		}
		return s.audit(ctx, tx, "token.create", "token", t.ID, nil, tokenState(t))
	})
	if err != nil {
		return "", domain.Token{}, err
	}
	return secret, t, nil
}

func (s *session) Tokens(ctx context.Context, email string) ([]domain.Token, error) {
	if err := s.who.Require(domain.PermManageUsers); err != nil {
		return nil, err
	}
	q := `SELECT ` + tokenColumns + ` FROM tokens ORDER BY email, created_at, id`
	var args []any
	if email != "" {
		u, err := loadUser(ctx, s.db, email)
		if err != nil {
			return nil, err
		}
		q = `SELECT ` + tokenColumns + ` FROM tokens WHERE email = ? ORDER BY created_at, id`
		args = append(args, u.Email)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *session) RevokeToken(ctx context.Context, id string) (domain.Token, error) {
	var t domain.Token
	if err := s.who.Require(domain.PermManageUsers); err != nil {
		return t, err
	}
	id, err := domain.ParseTokenID(id)
	if err != nil {
		return t, err
	}
	err = s.writeTx(ctx, func(tx *Tx) error {
		var err error
		if t, err = loadToken(ctx, tx, id); err != nil {
			return err
		}
		u, err := loadUser(ctx, tx, t.User)
		if err != nil {
			return err
		}
		if err := domain.CheckActOnUser(s.who, "revoke an access token of", u); err != nil {
			return err
		}
		if !t.RevokedAt.IsZero() {
			return &domain.RuleError{Rule: "token-revoked", Msg: fmt.Sprintf("token %s was already revoked on %s", t.ID, t.RevokedAt.UTC().Format(time.RFC3339))}
		}
		before := tokenState(t)
		t.RevokedAt = s.now().UTC().Truncate(time.Second)
		if _, err = tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ?`, formatTime(t.RevokedAt), t.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, "token.revoke", "token", t.ID, before, tokenState(t))
	})
	return t, err
}

// unknownToken refuses a secret no token has.
func unknownToken() error {
	return &domain.AuthError{Code: domain.AuthUnknown,
		Reason: "the access token is not known to this workspace (never issued here, or its user was removed)"}
}

func (s *session) Authenticate(ctx context.Context, secret string) (domain.Principal, domain.Token, error) {
	return s.DB.Authenticate(ctx, secret)
}

// Authenticate is Workspace.Authenticate without a principal, for a server that has none
// before the request's token is checked: it finds the token with that secret, refuses it
// with a *domain.AuthError when it is missing, malformed, unknown, revoked or expired,
// and returns its user with the roles held now. It records the use in last_used_at (to
// within tokenUseGranularity), without the write lock.
func (d *DB) Authenticate(ctx context.Context, secret string) (domain.Principal, domain.Token, error) {
	if err := domain.CheckTokenSecret(secret); err != nil {
		return domain.Principal{}, domain.Token{}, err
	}
	// One round trip: the token and its user's roles (a token's user exists: removing a
	// user removes their tokens). A server over a database runs this for every request.
	var t domain.Token
	var created, expires, revoked, used, roles string
	err := d.db.QueryRowContext(ctx, `SELECT t.id, t.email, t.name, t.created_at, t.expires_at, t.revoked_at, t.last_used_at, t.created_by,
		coalesce((SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.email = t.email), '')
		FROM tokens t WHERE t.secret_hash = ?`, domain.HashTokenSecret(secret)).Scan(
		&t.ID, &t.User, &t.Name, &created, &expires, &revoked, &used, &t.CreatedBy, &roles)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Principal{}, domain.Token{}, unknownToken()
	}
	if err != nil {
		return domain.Principal{}, domain.Token{}, err
	}
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
	if t.LastUsedAt.IsZero() || !now.Before(t.LastUsedAt.Add(tokenUseGranularity)) {
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
			if t, err := loadToken(ctx, d.db, t.ID); err == nil && !t.RevokedAt.IsZero() {
				return domain.Principal{}, t, domain.CheckTokenUse(t, now)
			}
			return domain.Principal{}, domain.Token{}, unknownToken()
		}
		t.LastUsedAt = now
	}
	return domain.Principal{User: u.Email, Roles: u.Roles}, t, nil
}
