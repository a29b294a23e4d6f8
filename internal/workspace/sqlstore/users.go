package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// Users and their roles (domain.md, "Roles"). Managing them needs PermManageUsers.

func (s *Session) Users(ctx context.Context) ([]domain.User, error) {
	if err := s.Who.Require(domain.PermManageUsers); err != nil {
		return nil, err
	}
	rows, err := s.Pool.QueryContext(ctx, `SELECT u.email, u.name, u.created_at, u.updated_at, coalesce(`+s.Dialect.Concat("r.role")+`, '')
		FROM users u LEFT JOIN user_roles r ON r.email = u.email GROUP BY u.email ORDER BY u.email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func scanUser(sc Scanner) (domain.User, error) {
	var u domain.User
	var created, updated, roles string
	if err := sc.Scan(&u.Email, &u.Name, &created, &updated, &roles); err != nil {
		return u, err
	}
	u.CreatedAt, u.UpdatedAt = ParseTime(created), ParseTime(updated)
	for _, r := range strings.Split(roles, ",") {
		if r != "" {
			u.Roles = append(u.Roles, domain.Role(r))
		}
	}
	u.Roles = domain.SortRoles(u.Roles)
	return u, nil
}

// loadUserQueries holds LoadUser's statement for each dialect: a server's SQLite store
// authenticates every request with it, and the text is the key of its prepared statement.
var loadUserQueries sync.Map // Dialect → string

// LoadUser reads a user and their roles.
func LoadUser(ctx context.Context, d Dialect, q Reader, email string) (domain.User, error) {
	query, ok := loadUserQueries.Load(d)
	if !ok {
		query, _ = loadUserQueries.LoadOrStore(d, `SELECT u.email, u.name, u.created_at, u.updated_at, coalesce(`+d.Concat("r.role")+`, '')
		FROM users u LEFT JOIN user_roles r ON r.email = u.email WHERE u.email = ? GROUP BY u.email`)
	}
	u, err := scanUser(q.QueryRowContext(ctx, query.(string), strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return u, &domain.NotFoundError{Kind: "user", Ref: email}
	}
	return u, err
}

func (s *Session) User(ctx context.Context, email string) (domain.User, error) {
	if err := s.Who.Require(domain.PermManageUsers); err != nil {
		return domain.User{}, err
	}
	return LoadUser(ctx, s.Dialect, s.Pool, email)
}

func (s *Session) AddUser(ctx context.Context, u domain.User) (saved domain.User, created, changed bool, err error) {
	if err := s.Who.Require(domain.PermManageUsers); err != nil {
		return u, false, false, err
	}
	if u, err = domain.NormalizeUser(u); err != nil {
		return u, false, false, err
	}
	if err := domain.CheckGrant(s.Who, u.Roles); err != nil {
		return u, false, false, err
	}
	err = s.WriteTx(ctx, func(tx Tx) error {
		before, err := userBefore(ctx, s.Dialect, tx, u.Email)
		if err != nil {
			return err
		}
		created, changed, err = s.PutUser(ctx, tx, u)
		if err != nil {
			return err
		}
		if saved, err = LoadUser(ctx, s.Dialect, tx, u.Email); err != nil {
			return err
		}
		return s.Audit(ctx, tx, "user.add", AuditUser, saved.Email, before, UserState(saved))
	})
	return saved, created, changed, err
}

// userBefore is the state of a user before a change: nil when there is no such user.
func userBefore(ctx context.Context, d Dialect, q Reader, email string) (State, error) {
	u, err := LoadUser(ctx, d, q, email)
	var nf *domain.NotFoundError
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return UserState(u), nil
}

// PutUser creates u or adds the roles it lacks; a name given replaces an empty one.
func (s *Session) PutUser(ctx context.Context, tx Tx, u domain.User) (created, changed bool, err error) {
	now := FormatTime(s.now())
	res, err := tx.ExecContext(ctx, `INSERT INTO users(email, name, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		u.Email, u.Name, now, now)
	if err != nil {
		return false, false, err
	}
	n, _ := res.RowsAffected()
	created = n == 1
	for _, r := range u.Roles {
		res, err := tx.ExecContext(ctx, `INSERT INTO user_roles(email, role) VALUES (?, ?) ON CONFLICT DO NOTHING`, u.Email, r)
		if err != nil {
			return false, false, err
		}
		n, _ := res.RowsAffected()
		changed = changed || n == 1
	}
	if !created && u.Name != "" {
		res, err := tx.ExecContext(ctx, `UPDATE users SET name = ? WHERE email = ? AND name = ''`, u.Name, u.Email)
		if err != nil {
			return false, false, err
		}
		n, _ := res.RowsAffected()
		changed = changed || n == 1
	}
	if changed && !created {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET updated_at = ? WHERE email = ?`, now, u.Email); err != nil {
			return false, false, err
		}
	}
	return created, changed || created, nil
}

func (s *Session) RemoveUser(ctx context.Context, email string, roles []domain.Role) (domain.User, error) {
	var out domain.User
	if err := s.Who.Require(domain.PermManageUsers); err != nil {
		return out, err
	}
	err := s.WriteTx(ctx, func(tx Tx) error {
		u, err := LoadUser(ctx, s.Dialect, tx, email)
		if err != nil {
			return err
		}
		out = u
		if err := domain.CheckGrant(s.Who, roles); err != nil {
			return err
		}
		left := slices.DeleteFunc(slices.Clone(u.Roles), func(r domain.Role) bool { return slices.Contains(roles, r) })
		if len(roles) == 0 || len(left) == 0 {
			if err := domain.CheckActOnUser(s.Who, "remove", u); err != nil {
				return err
			}
		}
		for _, r := range roles {
			if !slices.Contains(u.Roles, r) {
				return &domain.RuleError{Rule: "role-not-held", Msg: u.Email + " does not hold the role " + string(r)}
			}
		}
		if len(roles) == 0 || len(left) == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE email = ?`, u.Email); err != nil {
				return err
			}
			out.Roles = nil
			return s.Audit(ctx, tx, "user.remove", AuditUser, u.Email, UserState(u), nil)
		}
		for _, r := range roles {
			if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE email = ? AND role = ?`, u.Email, r); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET updated_at = ? WHERE email = ?`, FormatTime(s.now()), u.Email); err != nil {
			return err
		}
		if out, err = LoadUser(ctx, s.Dialect, tx, u.Email); err != nil {
			return err
		}
		return s.Audit(ctx, tx, "user.remove", AuditUser, u.Email, UserState(u), UserState(out))
	})
	return out, err
}

func (s *Session) ImportUsers(ctx context.Context, users []domain.User, dryRun bool) ([]workspace.UserImportOutcome, error) {
	if err := s.Who.Require(domain.PermManageUsers); err != nil {
		return nil, err
	}
	for i, u := range users {
		n, err := domain.NormalizeUser(u)
		if err != nil {
			return nil, err
		}
		if err := domain.CheckGrant(s.Who, n.Roles); err != nil {
			return nil, err
		}
		users[i] = n
	}
	var out []workspace.UserImportOutcome
	errDryRun := errors.New("dry run")
	err := s.WriteTx(ctx, func(tx Tx) error {
		for _, u := range users {
			before, err := userBefore(ctx, s.Dialect, tx, u.Email)
			if err != nil {
				return err
			}
			created, changed, err := s.PutUser(ctx, tx, u)
			if err != nil {
				return err
			}
			saved, err := LoadUser(ctx, s.Dialect, tx, u.Email)
			if err != nil {
				return err
			}
			out = append(out, workspace.UserImportOutcome{User: saved, Created: created, Changed: changed})
			// One record per user created or changed: who was given which role matters,
			// and a user list is small.
			if !dryRun {
				if err := s.Audit(ctx, tx, "user.import", AuditUser, saved.Email, before, UserState(saved)); err != nil {
					return err
				}
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return out, err
}
