package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"golang.org/x/oauth2"

	"smtpsetup/smtp"
)

// Token is what the token file holds: the refresh token, the last access
// token and its expiry, and enough about the app to refresh without the
// catalogue (a vendor's --providers file need not be given again).
type Token struct {
	TokenURL     string    `json:"token_url"`
	ClientID     string    `json:"client_id"`
	ClientSecret string    `json:"client_secret,omitempty"` // an installed app's (authcode); refresh needs it
	Scopes       []string  `json:"scopes"`
	RefreshDays  int       `json:"refresh_days,omitempty"`
	RefreshToken string    `json:"refresh_token"`
	AccessToken  string    `json:"access_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	Issued       time.Time `json:"issued"`    // when this refresh token was issued
	SignedIn     time.Time `json:"signed_in"` // when the user last signed in with a code
}

// EarlyRefresh is how long before its expiry an access token is replaced,
// so that a token handed to msmtp does not expire mid-session (Microsoft's
// live 60 to 90 minutes).
const EarlyRefresh = 2 * time.Minute

// SignInDue is when the user must sign in again if the token is not used:
// the refresh token's lifetime after it was issued (Microsoft's: 90 days,
// renewed by every refresh). Zero when the provider's lifetime is unknown.
func (t *Token) SignInDue() time.Time {
	if t.RefreshDays <= 0 || t.Issued.IsZero() {
		return time.Time{}
	}
	return t.Issued.AddDate(0, 0, t.RefreshDays)
}

// Store keeps the token file's bytes; config.TokenFile writes them
// atomically with mode 0600, as it writes the config.
type Store interface {
	Load() ([]byte, error) // fs.ErrNotExist when there is no file yet
	Save([]byte) error
}

// Locker is a Store that can keep other processes from refreshing at the
// same time: two msmtp runs that both refresh with the same refresh token
// would race, and with providers that revoke a used refresh token the
// loser's saved token would be dead.
type Locker interface {
	Lock(ctx context.Context) (unlock func(), err error)
}

// Save writes the token to the store.
func Save(st Store, t *Token) error {
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return errors.New("oauth: cannot encode the token")
	}
	return st.Save(append(data, '\n'))
}

// Load reads the token from the store. The error never quotes the file.
func Load(st Store) (*Token, error) {
	data, err := st.Load()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Op: "refresh", Code: CodeNotSignedIn, Description: "no saved sign-in; run smtpsetup login", Err: err}
	}
	if err != nil {
		return nil, err
	}
	var t Token
	if json.Unmarshal(data, &t) != nil || t.RefreshToken == "" || smtp.CheckEndpoint(t.TokenURL) != nil || t.ClientID == "" {
		return nil, &Error{Op: "refresh", Code: "bad_token_file", Description: "the token file is damaged; run smtpsetup login again"}
	}
	return &t, nil
}

// Source hands out valid access tokens from a store, refreshing when the
// cached one has expired or is about to, and saving the rotated refresh
// token before the new access token is used: Microsoft replaces it at every
// refresh, and losing the new one means signing in again.
type Source struct {
	Store Store
	HTTP  *Client // carries the HTTP client and clock; its OAuth block is taken from the token file
	// Refreshed is called after a refresh was saved, for a note to the user.
	Refreshed func(*Token)
}

// Token returns a valid access token and the token record it came from.
func (s *Source) Token(ctx context.Context) (smtp.Secret, *Token, error) {
	t, err := Load(s.Store)
	if err != nil {
		return smtp.Secret{}, nil, err
	}
	c := s.client(t)
	if fresh(c, t) {
		return smtp.NewSecret(t.AccessToken), t, nil
	}
	if l, ok := s.Store.(Locker); ok {
		unlock, err := l.Lock(ctx)
		if err != nil {
			return smtp.Secret{}, nil, err
		}
		defer unlock()
		// Another process may have refreshed while we waited.
		if t, err = Load(s.Store); err != nil {
			return smtp.Secret{}, nil, err
		}
		c = s.client(t)
		if fresh(c, t) {
			return smtp.NewSecret(t.AccessToken), t, nil
		}
	}
	cfg := c.config()
	// An expired oauth2.Token makes TokenSource refresh at once.
	fresh, err := cfg.TokenSource(c.ctx(ctx), &oauth2.Token{RefreshToken: t.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return smtp.Secret{}, nil, ctx.Err()
		}
		err = wrap("refresh", err)
		var e *Error
		if errors.As(err, &e) {
			// A provider may quote what it was sent: never the refresh token
			// or the client secret on a screen.
			e.Description = smtp.MaskSecrets(e.Description, t.RefreshToken, t.ClientSecret)
		}
		return smtp.Secret{}, nil, err
	}
	nt := c.fromOAuth2(fresh, t)
	if err := Save(s.Store, nt); err != nil {
		return smtp.Secret{}, nil, fmt.Errorf("saving the refreshed token: %w", err)
	}
	if s.Refreshed != nil {
		s.Refreshed(nt)
	}
	return smtp.NewSecret(nt.AccessToken), nt, nil
}

// fresh reports whether the cached access token is good for a while yet.
func fresh(c *Client, t *Token) bool {
	return t.AccessToken != "" && c.now().Add(EarlyRefresh).Before(t.Expiry)
}

// TokenSource adapts the source for smtp.Options.Token.
func (s *Source) TokenSource() smtp.TokenSource {
	return func(ctx context.Context) (smtp.Secret, error) {
		tok, _, err := s.Token(ctx)
		return tok, err
	}
}

func (s *Source) client(t *Token) *Client {
	c := &Client{}
	if s.HTTP != nil {
		*c = *s.HTTP
	}
	c.OAuth = smtp.OAuth{TokenURL: t.TokenURL, ClientID: t.ClientID, ClientSecret: t.ClientSecret, Scopes: t.Scopes, RefreshDays: t.RefreshDays, Mechanism: string(smtp.AuthXOAUTH2)}
	return c
}
