package workspace

import "context"

// AdminCredentials are a new customer's admin account and temporary password as Partner
// Center created them (a workspace linked to a partner tenant adds a customer there
// first): shown once by the command that asked, never stored.
type AdminCredentials struct {
	Account, Password string
}

type credentialsKey struct{}

// WithAdminCredentials returns a context in which an AddCustomer that has Partner Center
// create the customer fills creds with the admin account and password Partner Center
// answered. An AddCustomer that does not leaves it empty: the password is then the one
// the caller generated.
func WithAdminCredentials(ctx context.Context, creds *AdminCredentials) context.Context {
	return context.WithValue(ctx, credentialsKey{}, creds)
}

// AdminCredentialsOf is where ctx asks an AddCustomer to put Partner Center's
// credentials, or nil.
func AdminCredentialsOf(ctx context.Context) *AdminCredentials {
	c, _ := ctx.Value(credentialsKey{}).(*AdminCredentials)
	return c
}
