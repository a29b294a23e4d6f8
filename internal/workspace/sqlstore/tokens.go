package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/pcctl/pcctl/internal/domain"
)

// Access tokens (table tokens, schema version 6). Only the SHA-256 of a secret is stored
// (domain.HashTokenSecret), under a UNIQUE index: a request's token is found by one index
// lookup. Managing tokens needs PermManageUsers; Authenticate needs no permission.

// TokenUseGranularity bounds how often Authenticate records last_used_at: a token used
// again within it is not written again, so that a busy server does not take the write lock
// on every request. last_used_at is thus exact to within a minute. Authenticate is each
// store's own: SQLite writes the use off the request's path (best-effort: a use still
// unwritten when the write lock stays busy past the workspace's closing is lost),
// PostgreSQL in a one-row update that takes no write lock.
const TokenUseGranularity = time.Minute

const TokenColumns = `id, email, name, created_at, expires_at, revoked_at, last_used_at, created_by`

func ScanToken(sc Scanner) (domain.Token, error) {
	var t domain.Token
	var created, expires, revoked, used string
	if err := sc.Scan(&t.ID, &t.User, &t.Name, &created, &expires, &revoked, &used, &t.CreatedBy); err != nil {
		return t, err
	}
	t.CreatedAt = ParseTime(created)
	// An absent time is stored as the empty string, which parseTime reads as zero.
	t.ExpiresAt, t.RevokedAt, t.LastUsedAt = ParseTime(expires), ParseTime(revoked), ParseTime(used)
	return t, nil
}

// formatOptTime stores a time that may be absent: the empty string for the zero time.
func formatOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatTime(t)
}

func LoadToken(ctx context.Context, q Reader, id string) (domain.Token, error) {
	t, err := ScanToken(q.QueryRowContext(ctx, `SELECT `+TokenColumns+` FROM tokens WHERE id = ?`, id))
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

func (s *Session) CreateToken(ctx context.Context, email, name string, ttl time.Duration) (string, domain.Token, error) {
	var t domain.Token
	if err := s.Who.Require(domain.PermManageUsers); err != nil {
		return "", t, err
	}
	name, err := domain.NormalizeTokenName(name)
	if err != nil {
		return "", t, err
	}
	if err := checkTokenTTL(ttl); err != nil {
		return "", t, err
	}
	id, err := uuid.NewRandomFromReader(s.Random)
	if err != nil {
		return "", t, fmt.Errorf("drawing a token ID: %w", err)
	}
	secret, err := domain.NewTokenSecret(s.Random)
	if err != nil {
		return "", t, err
	}
	err = s.WriteTx(ctx, func(tx Tx) error {
		u, err := LoadUser(ctx, s.Dialect, tx, email)
		if err != nil {
			return err
		}
		if err := domain.CheckActOnUser(s.Who, "create an access token for", u); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Second)
		t = domain.Token{ID: id.String(), User: u.Email, Name: name, CreatedAt: now, ExpiresAt: domain.TokenExpiry(now, ttl), CreatedBy: s.Who.User}
		if _, err = tx.ExecContext(ctx, `INSERT INTO tokens(id, email, name, secret_hash, created_at, expires_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.User, t.Name, domain.HashTokenSecret(secret), FormatTime(t.CreatedAt), formatOptTime(t.ExpiresAt), t.CreatedBy); err != nil {
			return err
		}
		return s.Audit(ctx, tx, "token.create", "token", t.ID, nil, TokenState(t))
	})
	if err != nil {
		return "", domain.Token{}, err
	}
	return secret, t, nil
}

func (s *Session) Tokens(ctx context.Context, email string) ([]domain.Token, error) {
	if err := s.Who.Require(domain.PermManageUsers); err != nil {
		return nil, err
	}
	q := `SELECT ` + TokenColumns + ` FROM tokens ORDER BY email, created_at, id`
	var args []any
	if email != "" {
		u, err := LoadUser(ctx, s.Dialect, s.Pool, email)
		if err != nil {
			return nil, err
		}
		q = `SELECT ` + TokenColumns + ` FROM tokens WHERE email = ? ORDER BY created_at, id`
		args = append(args, u.Email)
	}
	rows, err := s.Pool.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Token
	for rows.Next() {
		t, err := ScanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Session) RevokeToken(ctx context.Context, id string) (domain.Token, error) {
	var t domain.Token
	if err := s.Who.Require(domain.PermManageUsers); err != nil {
		return t, err
	}
	id, err := domain.ParseTokenID(id)
	if err != nil {
		return t, err
	}
	err = s.WriteTx(ctx, func(tx Tx) error {
		var err error
		if t, err = LoadToken(ctx, tx, id); err != nil {
			return err
		}
		u, err := LoadUser(ctx, s.Dialect, tx, t.User)
		if err != nil {
			return err
		}
		if err := domain.CheckActOnUser(s.Who, "revoke an access token of", u); err != nil {
			return err
		}
		if !t.RevokedAt.IsZero() {
			return &domain.RuleError{Rule: "token-revoked", Msg: fmt.Sprintf("token %s was already revoked on %s", t.ID, t.RevokedAt.UTC().Format(time.RFC3339))}
		}
		before := TokenState(t)
		t.RevokedAt = s.now().UTC().Truncate(time.Second)
		if _, err = tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ?`, FormatTime(t.RevokedAt), t.ID); err != nil {
			return err
		}
		return s.Audit(ctx, tx, "token.revoke", "token", t.ID, before, TokenState(t))
	})
	return t, err
}

// UnknownToken refuses a secret no token has.
func UnknownToken() error {
	return &domain.AuthError{Code: domain.AuthUnknown,
		Reason: "the access token is not known to this workspace (never issued here, or its user was removed)"}
}
