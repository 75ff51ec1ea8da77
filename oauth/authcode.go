package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"smtpsetup/smtp"
)

// BrowserPrompt is the installed-app sign-in (RFC 8252 with PKCE, RFC
// 7636) for a machine with no browser: the user opens URL in a browser
// anywhere, signs in, and the browser ends on the app's loopback address,
// which shows an error page on that device; the user copies that address
// back, and Finish exchanges the code in it. Nothing listens on this
// machine, so nothing needs a free port or a tunnel.
type BrowserPrompt struct {
	URL      string
	state    string
	verifier string
}

// StartBrowser builds the sign-in address for an authcode flow.
func (c *Client) StartBrowser() (*BrowserPrompt, error) {
	if c.OAuth.Flow != smtp.FlowAuthCode {
		return nil, errors.New("this provider signs in with a device code")
	}
	b := make([]byte, 24)
	rand.Read(b)
	p := &BrowserPrompt{state: base64.RawURLEncoding.EncodeToString(b), verifier: oauth2.GenerateVerifier()}
	// offline access and a consent prompt: Google sends a refresh token
	// only on consent.
	p.URL = c.config().AuthCodeURL(p.state, oauth2.S256ChallengeOption(p.verifier), oauth2.AccessTypeOffline, oauth2.ApprovalForce)
	return p, nil
}

// Finish takes the address the browser ended on, checks that it answers
// this sign-in, and exchanges its code for a token.
func (c *Client) Finish(ctx context.Context, p *BrowserPrompt, pasted string) (*Token, error) {
	u, err := url.Parse(strings.TrimSpace(pasted))
	if err != nil || !strings.HasPrefix(u.String(), strings.TrimRight(c.OAuth.RedirectURL, "/")) {
		return nil, &Error{Op: "sign-in", Code: "bad_paste", Description: "that is not the address the browser ended on; copy the whole address, starting with " + c.OAuth.RedirectURL}
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		return nil, wrap("sign-in", &oauth2.RetrieveError{ErrorCode: e, ErrorDescription: q.Get("error_description")})
	}
	if q.Get("state") != p.state || q.Get("code") == "" {
		return nil, &Error{Op: "sign-in", Code: "bad_paste", Description: "the address belongs to another sign-in; use the one from the address shown last"}
	}
	tok, err := c.config().Exchange(c.ctx(ctx), q.Get("code"), oauth2.VerifierOption(p.verifier))
	if err != nil {
		return nil, wrap("sign-in", err)
	}
	if tok.RefreshToken == "" {
		return nil, &Error{Op: "sign-in", Code: "no_refresh_token", Description: "the identity provider issued no refresh token; the app needs offline access"}
	}
	return c.fromOAuth2(tok, nil), nil
}
