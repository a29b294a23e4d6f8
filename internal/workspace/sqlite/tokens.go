package sqlite

import (
	"context"
	"database/sql"
	"errors"
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
// and returns its user with the roles held now. It notes the use for last_used_at (to
// within sqlstore.TokenUseGranularity), written later: it never waits for the write lock.
func (d *DB) Authenticate(ctx context.Context, secret string) (domain.Principal, domain.Token, error) {
	if err := domain.CheckTokenSecret(secret); err != nil {
		return domain.Principal{}, domain.Token{}, err
	}
	t, err := sqlstore.ScanToken(d.cached.QueryRowContext(ctx, `SELECT `+sqlstore.TokenColumns+` FROM tokens WHERE secret_hash = ?`, domain.HashTokenSecret(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Principal{}, domain.Token{}, sqlstore.UnknownToken()
	}
	if err != nil {
		return domain.Principal{}, domain.Token{}, err
	}
	now := d.now().UTC().Truncate(time.Second)
	if err := domain.CheckTokenUse(t, now); err != nil {
		return domain.Principal{}, t, err
	}
	u, err := sqlstore.LoadUser(ctx, dialect{}, d.cached, t.User)
	if errors.Is(err, domain.ErrNotFound) {
		// Removed since the token was read: its tokens went with it.
		return domain.Principal{}, domain.Token{}, sqlstore.UnknownToken()
	}
	if err != nil {
		return domain.Principal{}, domain.Token{}, err
	}
	if t.LastUsedAt.IsZero() || !now.Before(t.LastUsedAt.Add(sqlstore.TokenUseGranularity)) {
		if d.uses != nil && !d.readOnly {
			// Noted, and written later off the request's path (tokenUses): a busy write
			// lock never delays nor fails authentication.
			d.uses.note(t.ID, now)
		}
		t.LastUsedAt = now
	}
	return domain.Principal{User: u.Email, Roles: u.Roles}, t, nil
}
