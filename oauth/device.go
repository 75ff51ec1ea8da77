package oauth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"smtpsetup/smtp"
)

// Client is one provider's oauth block with the client id and tenant
// chosen, ready to sign in and refresh.
type Client struct {
	OAuth smtp.OAuth   // resolved: {tenant} substituted
	HTTP  *http.Client // nil: a client with a 30 s timeout
	Now   func() time.Time
}

// NewClient resolves the provider's oauth block with the settings' client
// id and tenant. It fails when no client id is known: there is no app of
// our own to fall back on.
func NewClient(p *smtp.Provider, s smtp.Settings) (*Client, error) {
	if p == nil || p.OAuth == nil {
		return nil, errors.New("this provider has no OAuth sign-in in the catalogue")
	}
	o := p.OAuth.Resolved(s.OAuthClientID, s.OAuthTenant)
	if o.ClientID == "" {
		return nil, ErrNoClientID
	}
	return &Client{OAuth: o}, nil
}

// ErrNoClientID says that nobody has given the app to sign in with.
var ErrNoClientID = errors.New("no OAuth client id: give the Application (client) ID of your registered app with --client-id (or oauth_client_id in the config)")

func (c *Client) config() *oauth2.Config {
	return &oauth2.Config{
		ClientID: c.OAuth.ClientID,
		// A device sign-in is a public client: never a secret (Microsoft
		// answers AADSTS700025; the catalogue refuses one). An installed
		// app (authcode) may carry its provider's non-secret "secret".
		ClientSecret: c.OAuth.ClientSecret,
		// The client id in the form, not in a Basic header.
		Endpoint: oauth2.Endpoint{
			AuthURL:       c.OAuth.AuthorizationURL,
			DeviceAuthURL: c.OAuth.DeviceAuthorizationURL,
			TokenURL:      c.OAuth.TokenURL,
			AuthStyle:     oauth2.AuthStyleInParams,
		},
		RedirectURL: c.OAuth.RedirectURL,
		Scopes:      c.OAuth.Scopes,
	}
}

func (c *Client) ctx(ctx context.Context) context.Context {
	h := c.HTTP
	if h == nil {
		h = &http.Client{Timeout: 30 * time.Second}
	}
	return context.WithValue(ctx, oauth2.HTTPClient, h)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Prompt is what the user needs to sign in: the code, where to type it, and
// until when. Microsoft sends no link with the code in it, so the code must
// always be shown.
type Prompt struct {
	UserCode        string
	VerificationURI string
	CompleteURI     string // the URI with the code in it, when the provider sends one
	Expires         time.Time
	Interval        time.Duration

	da *oauth2.DeviceAuthResponse
}

// Start asks the provider for a device code.
func (c *Client) Start(ctx context.Context) (*Prompt, error) {
	if c.OAuth.Flow == smtp.FlowAuthCode {
		return nil, errors.New("this provider signs in through a browser, not with a device code")
	}
	da, err := c.config().DeviceAuth(c.ctx(ctx))
	if err != nil {
		return nil, wrap("start sign-in", err)
	}
	if err := smtp.CheckEndpoint(da.VerificationURI); err != nil || da.UserCode == "" || da.DeviceCode == "" {
		return nil, &Error{Op: "start sign-in", Code: "invalid_response", Err: errors.New("the identity provider sent no usable code or sign-in address")}
	}
	p := &Prompt{
		UserCode:        smtp.CleanLine(da.UserCode),
		VerificationURI: smtp.CleanLine(da.VerificationURI),
		Expires:         da.Expiry,
		Interval:        5 * time.Second, // x/oauth2's default when none is given
		da:              da,
	}
	if da.Interval > 0 {
		p.Interval = time.Duration(da.Interval) * time.Second
	}
	if smtp.CheckEndpoint(da.VerificationURIComplete) == nil {
		p.CompleteURI = smtp.CleanLine(da.VerificationURIComplete)
	}
	return p, nil
}

// Wait polls the token endpoint at the provider's interval (slower after
// slow_down) until the user has signed in, declined, or the code expired,
// and returns the new token. Cancelling ctx stops it.
func (c *Client) Wait(ctx context.Context, p *Prompt) (*Token, error) {
	tok, err := c.config().DeviceAccessToken(c.ctx(ctx), p.da)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, wrap("sign-in", err)
	}
	if tok.RefreshToken == "" {
		return nil, &Error{Op: "sign-in", Code: "no_refresh_token", Description: "the identity provider issued no refresh token; the app needs the offline_access permission"}
	}
	return c.fromOAuth2(tok, nil), nil
}

// fromOAuth2 records a token the provider issued; prev is the token it
// replaces, whose refresh token stays when the provider sends no new one.
func (c *Client) fromOAuth2(t *oauth2.Token, prev *Token) *Token {
	now := c.now()
	out := &Token{
		TokenURL:     c.OAuth.TokenURL,
		ClientID:     c.OAuth.ClientID,
		ClientSecret: c.OAuth.ClientSecret,
		Scopes:       c.OAuth.Scopes,
		RefreshDays:  c.OAuth.RefreshDays,
		AccessToken:  t.AccessToken,
		Expiry:       t.Expiry,
		RefreshToken: t.RefreshToken,
		Issued:       now,
	}
	if prev != nil {
		out.SignedIn = prev.SignedIn
		if out.RefreshToken == "" || out.RefreshToken == prev.RefreshToken {
			out.RefreshToken, out.Issued = prev.RefreshToken, prev.Issued
		}
	} else {
		out.SignedIn = now
	}
	return out
}
