// Package oauthtest runs a real OpenID Provider in-process for tests: the
// op package of github.com/zitadel/oidc/v3 serving the device authorization
// grant (RFC 8628) and refresh-token rotation, with the example storage of
// the same module. Tests choose what the "user" does (approve, deny, let
// the code expire) and can make the next answers Microsoft-shaped errors
// (AADSTS codes) that no generic provider produces.
package oauthtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// ClientID is the public client the provider knows.
const ClientID = "smtpsetup-test-app"

// RedirectURL is the client's registered loopback address, for the
// installed-app (authcode) sign-in.
const RedirectURL = "http://127.0.0.1/callback"

// Subject is the user who signs in.
const Subject = "id1"

// Behaviour is what the user does with the code, seen at the device's polls.
type Behaviour int

const (
	Approve        Behaviour = iota // the user signs in; the next poll gets the token
	SlowDownThenOK                  // the first poll is answered slow_down, then the user signs in
	Deny                            // the user declines: access_denied
	Expire                          // the user never comes: expired_token
	PendingForever                  // the user never comes and the code does not expire soon
)

// IdP is the running provider.
type IdP struct {
	URL      string // http://127.0.0.1:port
	Provider *op.Provider

	st      *store
	srv     *http.Server
	mu      sync.Mutex
	fail    []Failure
	polls   int
	hits    map[string]int // requests per endpoint kind
	refresh int            // refresh grants answered with a token
}

// Failure is a Microsoft-style error answered instead of the real one.
type Failure struct {
	Endpoint    string // "device", "poll" (device_code grant) or "refresh"
	Status      int    // HTTP status: 400 unless set
	Error       string // RFC 6749 error
	Description string // "AADSTS53003: Access has been blocked by Conditional Access policies. ..."
	Codes       []int  // error_codes, as Microsoft sends them
}

// Start runs a provider on a loopback port until the test ends.
func Start(t testing.TB, b Behaviour) *IdP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	ex := storage.NewStorageWithClients(storage.NewUserStore(issuer), map[string]*storage.Client{
		ClientID: storage.NativeClient(ClientID, RedirectURL),
	})
	idp := &IdP{URL: issuer, hits: map[string]int{}}
	idp.st = &store{Storage: ex, idp: idp, behaviour: b, issued: map[string]time.Time{}, userCodes: map[string]string{}}
	var key [32]byte
	rand.Read(key[:])
	lifetime := 2 * time.Minute
	if b == Expire {
		lifetime = time.Minute // expired by the first poll, below
	}
	cfg := &op.Config{
		CryptoKey:             key,
		GrantTypeRefreshToken: true,
		SupportedUILocales:    []language.Tag{language.English},
		DeviceAuthorization: op.DeviceAuthorizationConfig{
			Lifetime:     lifetime,
			PollInterval: time.Second,
			UserFormPath: "/device",
			UserCode:     op.UserCodeConfig{CharSet: op.CharSetBase20, CharAmount: 8, DashInterval: 4},
		},
	}
	p, err := op.NewProvider(cfg, idp.st, op.StaticIssuer(issuer), op.WithAllowInsecure(),
		op.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	idp.Provider = p
	idp.srv = &http.Server{Handler: idp.inject(p), ReadHeaderTimeout: 5 * time.Second}
	go idp.srv.Serve(ln)
	t.Cleanup(func() { idp.srv.Close() })
	return idp
}

// Browse plays the user's browser for the installed-app sign-in: it opens
// authURL at the provider, signs in as the test user (or declines), and
// returns the loopback address the browser ends on, which the user would
// copy back.
func (p *IdP) Browse(authURL string, approve bool) (string, error) {
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	resp, err := hc.Get(authURL)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	login, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("authorize answered %s without a login page", resp.Status)
	}
	id := login.Query().Get("authRequestID")
	if !approve {
		// The provider sends the browser back with an RFC 6749 error.
		u, _ := url.Parse(authURL)
		return RedirectURL + "?error=access_denied&error_description=The+user+declined&state=" + url.QueryEscape(u.Query().Get("state")), nil
	}
	host := strings.TrimPrefix(p.URL, "http://")
	if err := p.st.CheckUsernamePassword("test-user@"+strings.Split(host, ":")[0], "verysecure", id); err != nil {
		return "", err
	}
	resp, err = hc.Get(p.URL + "/authorize/callback?id=" + url.QueryEscape(id))
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	back, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("callback answered %s without a redirect", resp.Status)
	}
	return back.String(), nil
}

// AuthURL is the authorization endpoint, for an authcode oauth block.
func (p *IdP) AuthURL() string { return p.URL + "/authorize" }

// DeviceURL and TokenURL are the endpoints for a catalogue's oauth block.
func (p *IdP) DeviceURL() string { return p.URL + "/device_authorization" }
func (p *IdP) TokenURL() string  { return p.URL + "/oauth/token" }

// FailNext makes the next request to f.Endpoint answer f instead.
func (p *IdP) FailNext(f Failure) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = append(p.fail, f)
}

// SetBehaviour changes what the user does from the next poll on: a test
// that shows the code on a screen starts with PendingForever, reads the
// screen, then approves.
func (p *IdP) SetBehaviour(b Behaviour) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.st.behaviour = b
}

// UserCodes lists the user codes handed out so far.
func (p *IdP) UserCodes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var codes []string
	for _, c := range p.st.userCodes {
		codes = append(codes, c)
	}
	return codes
}

// Polls is how many device_code polls the provider answered.
func (p *IdP) Polls() int { p.mu.Lock(); defer p.mu.Unlock(); return p.polls }

// Refreshes is how many refresh grants got a new token.
func (p *IdP) Refreshes() int { p.mu.Lock(); defer p.mu.Unlock(); return p.refresh }

// Verify checks an access token as a resource server would: one this
// provider issued (decrypted with its key) and not expired.
func (p *IdP) Verify(token string) error {
	plain, err := p.Provider.Crypto().Decrypt(token)
	if err != nil {
		return errors.New("not a token this provider issued")
	}
	id, _, _ := strings.Cut(plain, ":")
	p.mu.Lock()
	exp, ok := p.st.issued[id]
	p.mu.Unlock()
	if !ok {
		return errors.New("unknown token")
	}
	if time.Now().After(exp) {
		return errors.New("token expired")
	}
	return nil
}

// inject answers a queued Failure for its endpoint, Microsoft-style, and
// counts requests; everything else goes to the real provider.
func (p *IdP) inject(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := ""
		switch {
		case r.URL.Path == "/device_authorization":
			kind = "device"
		case r.URL.Path == "/oauth/token":
			r.ParseForm()
			switch r.PostForm.Get("grant_type") {
			case string(oidc.GrantTypeDeviceCode):
				kind = "poll"
			case string(oidc.GrantTypeRefreshToken):
				kind = "refresh"
			}
		}
		p.mu.Lock()
		p.hits[kind]++
		var f *Failure
		for i := range p.fail {
			if p.fail[i].Endpoint == kind {
				ff := p.fail[i]
				f = &ff
				p.fail = append(p.fail[:i], p.fail[i+1:]...)
				break
			}
		}
		p.mu.Unlock()
		if f != nil {
			status := f.Status
			if status == 0 {
				status = http.StatusBadRequest
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{
				"error": f.Error, "error_description": f.Description, "error_codes": f.Codes,
				"timestamp": time.Now().UTC().Format("2006-01-02 15:04:05Z"), "trace_id": "00000000-0000-0000-0000-000000000000",
			})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// store is the example storage with the test's user behaviour and a record
// of issued access tokens for Verify.
type store struct {
	*storage.Storage
	idp       *IdP
	behaviour Behaviour
	issued    map[string]time.Time
	userCodes map[string]string // device code -> user code
}

// publicDeviceClient is the example's native (public, no secret) client,
// allowed the device grant as a registered public client with "Allow public
// client flows" would be.
type publicDeviceClient struct{ op.Client }

func (c publicDeviceClient) GrantTypes() []oidc.GrantType {
	return append(c.Client.GrantTypes(), oidc.GrantTypeDeviceCode)
}

func (s *store) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return publicDeviceClient{c}, nil
}

// GetDeviceAuthorizatonState is where the user's behaviour shows: the op
// package turns the state into authorization_pending, slow_down (a deadline
// error), access_denied, expired_token or the token.
func (s *store) GetDeviceAuthorizatonState(ctx context.Context, clientID, deviceCode string) (*op.DeviceAuthorizationState, error) {
	st, err := s.Storage.GetDeviceAuthorizatonState(ctx, clientID, deviceCode)
	if err != nil {
		return nil, err
	}
	s.idp.mu.Lock()
	s.idp.polls++
	n := s.idp.polls
	s.idp.mu.Unlock()
	s.idp.mu.Lock()
	userCode := s.userCodes[deviceCode]
	behaviour := s.behaviour
	s.idp.mu.Unlock()
	switch behaviour {
	case Approve:
		s.Storage.CompleteDeviceAuthorization(ctx, userCode, Subject)
	case SlowDownThenOK:
		if n == 1 {
			return nil, context.DeadlineExceeded
		}
		s.Storage.CompleteDeviceAuthorization(ctx, userCode, Subject)
	case Deny:
		s.Storage.DenyDeviceAuthorization(ctx, userCode)
	case Expire:
		st.Expires = time.Now().Add(-time.Second)
	}
	return s.Storage.GetDeviceAuthorizatonState(ctx, clientID, deviceCode)
}

// StoreDeviceAuthorization remembers the user code of each device code, so
// that the simulated user can act on it.
func (s *store) StoreDeviceAuthorization(ctx context.Context, clientID, deviceCode, userCode string, expires time.Time, scopes []string) error {
	s.idp.mu.Lock()
	s.userCodes[deviceCode] = userCode
	s.idp.mu.Unlock()
	return s.Storage.StoreDeviceAuthorization(ctx, clientID, deviceCode, userCode, expires, scopes)
}

func (s *store) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	// The example storage reads the client id only from its own request
	// types; a device grant would get a refresh token for client "".
	if d, ok := req.(*op.DeviceAuthorizationState); ok {
		req = storage.RefreshTokenRequestFromBusiness(&storage.RefreshToken{
			ApplicationID: d.ClientID, UserID: d.Subject, Audience: d.GetAudience(), Scopes: d.Scopes, AuthTime: d.AuthTime, AMR: d.AMR,
		})
	}
	id, rt, exp, err := s.Storage.CreateAccessAndRefreshTokens(ctx, req, current)
	if err == nil {
		s.idp.mu.Lock()
		s.issued[id] = exp
		if current != "" {
			s.idp.refresh++
		}
		s.idp.mu.Unlock()
	}
	return id, rt, exp, err
}

func (s *store) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	id, exp, err := s.Storage.CreateAccessToken(ctx, req)
	if err == nil {
		s.idp.mu.Lock()
		s.issued[id] = exp
		s.idp.mu.Unlock()
	}
	return id, exp, err
}
