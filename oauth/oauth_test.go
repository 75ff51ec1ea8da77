package oauth_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smtpsetup/config"
	"smtpsetup/oauth"
	"smtpsetup/oauth/oauthtest"
	"smtpsetup/smtp"
)

func client(idp *oauthtest.IdP) *oauth.Client {
	return &oauth.Client{OAuth: smtp.OAuth{
		DeviceAuthorizationURL: idp.DeviceURL(), TokenURL: idp.TokenURL(), ClientID: oauthtest.ClientID,
		Scopes: []string{"openid", "offline_access"}, Mechanism: "xoauth2", RefreshDays: 90,
	}}
}

func signIn(t *testing.T, idp *oauthtest.IdP) (*oauth.Token, error) {
	t.Helper()
	c := client(idp)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := c.Start(ctx)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if p.UserCode == "" || smtp.CheckEndpoint(p.VerificationURI) != nil {
		t.Fatalf("prompt %+v", p)
	}
	return c.Wait(ctx, p)
}

func TestSignInApproved(t *testing.T) {
	idp := oauthtest.Start(t, oauthtest.Approve)
	tok, err := signIn(t, idp)
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.Verify(tok.AccessToken); err != nil {
		t.Errorf("the provider does not accept the access token it issued: %v", err)
	}
	if tok.RefreshToken == "" || tok.SignInDue().IsZero() {
		t.Errorf("no refresh token or no sign-in due date: %+v", tok.SignInDue())
	}
	if idp.Verify("forged") == nil {
		t.Error("Verify accepts a forged token")
	}
}

func TestSignInSlowDownWaitsLonger(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 7 s: slow_down adds 5 s to the 1 s interval")
	}
	idp := oauthtest.Start(t, oauthtest.SlowDownThenOK)
	if _, err := signIn(t, idp); err != nil {
		t.Fatal(err)
	}
	if idp.Polls() != 2 {
		t.Errorf("polls = %d, want 2 (one slow_down, then the token)", idp.Polls())
	}
}

func TestSignInFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		b      oauthtest.Behaviour
		fail   *oauthtest.Failure
		code   string
		aadsts string
	}{
		{"denied", oauthtest.Deny, nil, oauth.CodeAccessDenied, ""},
		{"expired", oauthtest.Expire, nil, oauth.CodeExpired, ""},
		{"conditional access", oauthtest.PendingForever, &oauthtest.Failure{Endpoint: "poll", Error: "invalid_grant",
			Description: "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.\r\nTrace ID: x", Codes: []int{53003}}, "invalid_grant", "53003"},
		{"app not in tenant", oauthtest.Approve, &oauthtest.Failure{Endpoint: "device", Error: "unauthorized_client",
			Description: "AADSTS700016: Application with identifier 'x' was not found in the directory 'y'."}, "unauthorized_client", "700016"},
		{"codes only", oauthtest.Approve, &oauthtest.Failure{Endpoint: "device", Error: "invalid_client", Codes: []int{7000112}}, "invalid_client", "7000112"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idp := oauthtest.Start(t, tc.b)
			if tc.fail != nil {
				idp.FailNext(*tc.fail)
			}
			c := client(idp)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			p, err := c.Start(ctx)
			if err == nil {
				_, err = c.Wait(ctx, p)
			}
			var oe *oauth.Error
			if !errors.As(err, &oe) || oe.Code != tc.code || oe.AADSTS != tc.aadsts {
				t.Fatalf("err = %#v, want code %s AADSTS %q", err, tc.code, tc.aadsts)
			}
			if f := oe.OAuthFailure(); f.Error != tc.code || f.AADSTS != tc.aadsts {
				t.Errorf("OAuthFailure %+v", f)
			}
		})
	}
}

func TestRefreshRotatesAndSaves(t *testing.T) {
	idp := oauthtest.Start(t, oauthtest.Approve)
	tok, err := signIn(t, idp)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "smtp.token")
	store := config.TokenFile(path)
	if err := oauth.Save(store, tok); err != nil {
		t.Fatal(err)
	}
	src := &oauth.Source{Store: store}
	ctx := context.Background()

	// Fresh: the cached token, no refresh.
	got, _, err := src.Token(ctx)
	if err != nil || got.Reveal() != tok.AccessToken || idp.Refreshes() != 0 {
		t.Fatalf("cached token: err %v, same %v, refreshes %d", err, got.Reveal() == tok.AccessToken, idp.Refreshes())
	}

	// Expired: refreshed, and the rotated refresh token is on disk.
	tok.Expiry = time.Now().Add(-time.Minute)
	oauth.Save(store, tok)
	got, nt, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if idp.Refreshes() != 1 || got.Reveal() == tok.AccessToken || idp.Verify(got.Reveal()) != nil {
		t.Fatalf("refresh: refreshes %d, new token %v, valid %v", idp.Refreshes(), got.Reveal() != tok.AccessToken, idp.Verify(got.Reveal()))
	}
	saved, err := oauth.Load(store)
	if err != nil || saved.RefreshToken == tok.RefreshToken || saved.RefreshToken != nt.RefreshToken || !saved.Issued.After(tok.Issued) {
		t.Fatalf("rotated refresh token not saved: err %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v", fi.Mode())
	}

	// The old refresh token was rotated away: the provider says
	// invalid_grant, which means signing in again.
	saved.RefreshToken, saved.Expiry = tok.RefreshToken, time.Time{}
	oauth.Save(store, saved)
	_, _, err = src.Token(ctx)
	var oe *oauth.Error
	if !errors.As(err, &oe) || oe.Code != oauth.CodeInvalidGrant {
		t.Fatalf("reused refresh token: err = %v, want invalid_grant", err)
	}
}

func TestNoTokenFileSaysSignIn(t *testing.T) {
	src := &oauth.Source{Store: config.TokenFile(filepath.Join(t.TempDir(), "none.token"))}
	_, _, err := src.Token(context.Background())
	var oe *oauth.Error
	if !errors.As(err, &oe) || oe.Code != oauth.CodeNotSignedIn || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}

// TestConcurrentRefreshRefreshesOnce: msmtp runs started together (a cron
// burst) all find the access token expired. With rotation, a second
// refresh with the same refresh token fails, so only one may refresh; the
// others wait for the lock and find the new token.
func TestConcurrentRefreshRefreshesOnce(t *testing.T) {
	idp := oauthtest.Start(t, oauthtest.Approve)
	tok, err := signIn(t, idp)
	if err != nil {
		t.Fatal(err)
	}
	store := config.TokenFile(filepath.Join(t.TempDir(), "smtp.token"))
	tok.Expiry = time.Now().Add(-time.Minute)
	oauth.Save(store, tok)
	const n = 6
	errs := make(chan error, n)
	for range n {
		go func() {
			// Each its own Source, as separate processes would be.
			got, _, err := (&oauth.Source{Store: store}).Token(context.Background())
			if err == nil {
				err = idp.Verify(got.Reveal())
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if idp.Refreshes() != 1 {
		t.Errorf("refreshes = %d, want 1", idp.Refreshes())
	}
}

// A refresh that gets no answer in time is a network problem, not an
// expired sign-in code.
func TestRefreshTimeoutIsNetwork(t *testing.T) {
	store := config.TokenFile(filepath.Join(t.TempDir(), "smtp.token"))
	// A token endpoint on a port that accepts and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	oauth.Save(store, &oauth.Token{TokenURL: "http://" + ln.Addr().String() + "/token", ClientID: "c", RefreshToken: "r", Scopes: []string{"s"}})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, _, err = (&oauth.Source{Store: store}).Token(ctx)
	var oe *oauth.Error
	if !errors.As(err, &oe) || oe.Code != oauth.CodeNetwork {
		t.Fatalf("err = %v, want a network error", err)
	}
}

func browserClient(idp *oauthtest.IdP) *oauth.Client {
	return &oauth.Client{OAuth: smtp.OAuth{
		Flow: smtp.FlowAuthCode, AuthorizationURL: idp.AuthURL(), TokenURL: idp.TokenURL(), RedirectURL: oauthtest.RedirectURL,
		ClientID: oauthtest.ClientID, Scopes: []string{"openid", "offline_access"}, Mechanism: "xoauth2",
	}}
}

// The installed-app sign-in with a pasted address: PKCE, state, and the
// code exchanged for a token that refreshes like a device sign-in's.
func TestBrowserSignInWithPastedAddress(t *testing.T) {
	idp := oauthtest.Start(t, oauthtest.Approve)
	c := browserClient(idp)
	p, err := c.StartBrowser()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.URL, "code_challenge_method=S256") || !strings.Contains(p.URL, "access_type=offline") {
		t.Errorf("sign-in address %s", p.URL)
	}
	back, err := idp.Browse(p.URL, true)
	if err != nil {
		t.Fatal(err)
	}
	// A paste of another sign-in's address is refused.
	if _, err := c.Finish(context.Background(), &oauth.BrowserPrompt{URL: p.URL}, back); err == nil {
		t.Error("an address with another state was accepted")
	}
	tok, err := c.Finish(context.Background(), p, "  "+back+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if idp.Verify(tok.AccessToken) != nil || tok.RefreshToken == "" {
		t.Fatal("no valid token")
	}
	store := config.TokenFile(filepath.Join(t.TempDir(), "smtp.token"))
	tok.Expiry = time.Now().Add(-time.Minute)
	oauth.Save(store, tok)
	if got, _, err := (&oauth.Source{Store: store}).Token(context.Background()); err != nil || idp.Verify(got.Reveal()) != nil {
		t.Fatalf("refresh after a browser sign-in: %v", err)
	}
}

func TestBrowserSignInDeclinedOrWrongPaste(t *testing.T) {
	idp := oauthtest.Start(t, oauthtest.Approve)
	c := browserClient(idp)
	p, _ := c.StartBrowser()
	back, err := idp.Browse(p.URL, false)
	if err != nil {
		t.Fatal(err)
	}
	var oe *oauth.Error
	if _, err := c.Finish(context.Background(), p, back); !errors.As(err, &oe) || oe.Code != oauth.CodeAccessDenied {
		t.Errorf("declined: %v", err)
	}
	if _, err := c.Finish(context.Background(), p, "https://example.com/?code=x"); !errors.As(err, &oe) || oe.Code != "bad_paste" {
		t.Errorf("wrong paste: %v", err)
	}
}

// TestRefreshErrorNeverQuotesTheRefreshToken: an identity provider that
// quotes the refresh token it refused gets it masked in the error.
func TestRefreshErrorNeverQuotesTheRefreshToken(t *testing.T) {
	idp := oauthtest.Start(t, oauthtest.Approve)
	tok, err := signIn(t, idp)
	if err != nil {
		t.Fatal(err)
	}
	store := config.TokenFile(filepath.Join(t.TempDir(), "smtp.token"))
	tok.Expiry = time.Now().Add(-time.Minute)
	if err := oauth.Save(store, tok); err != nil {
		t.Fatal(err)
	}
	idp.FailNext(oauthtest.Failure{Endpoint: "refresh", Error: "invalid_grant",
		Description: "AADSTS70000: the refresh token " + tok.RefreshToken + " is not valid"})
	_, _, err = (&oauth.Source{Store: store}).Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "AADSTS70000") {
		t.Fatalf("err = %v, want the provider's refusal", err)
	}
	if strings.Contains(err.Error(), tok.RefreshToken) {
		t.Fatalf("the refresh token is in the error: %v", err)
	}
}
