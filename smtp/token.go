package smtp

import "context"

// TokenSource gives a valid OAuth access token for an XOAUTH2 login,
// refreshing it when needed. The oauth package provides one; smtp only
// calls it when the auth stage starts, so a test without a login never
// touches the token file.
type TokenSource func(ctx context.Context) (Secret, error)
