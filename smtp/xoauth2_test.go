package smtp_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

const goodToken = "CANARY-access-token-issued"

func xoauth2Server(t *testing.T, opts ...smtptest.Option) *smtptest.Server {
	return smtptest.NewServer(t, append([]smtptest.Option{
		smtptest.WithAuthMechanisms("LOGIN", "XOAUTH2"),
		smtptest.WithTokenVerifier(func(u, tok string) error {
			if u == user && tok == goodToken {
				return nil
			}
			return errors.New("not issued")
		}),
	}, opts...)...)
}

func tokenFrom(tok string) smtp.TokenSource {
	return func(context.Context) (smtp.Secret, error) { return smtp.NewSecret(tok), nil }
}

func TestXOAUTH2LogsInWithTheToken(t *testing.T) {
	srv := xoauth2Server(t)
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	s.Auth, s.Password = smtp.AuthXOAUTH2, smtp.Secret{}
	o.Token = tokenFrom(goodToken)
	rep, d := run(t, s, o, nil)
	if !rep.OK {
		t.Fatalf("failed: %+v %+v", rep.Failure, d)
	}
	if st, _ := rep.Stage(smtp.StageAuth); !strings.HasPrefix(st.Detail, "XOAUTH2") {
		t.Errorf("auth stage %q", st.Detail)
	}
	assertNoToken(t, rep, goodToken)
}

func TestXOAUTH2RefusedTokenIsDecoded(t *testing.T) {
	srv := xoauth2Server(t)
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	s.Auth = smtp.AuthXOAUTH2
	o.Token = tokenFrom("CANARY-token-from-elsewhere")
	rep, d := run(t, s, o, nil)
	f := rep.Failure
	if rep.OK || f.Reply == nil || f.Reply.Code != 535 || f.Reply.Enhanced != "5.7.3" {
		t.Fatalf("want 535 5.7.3, got %+v", f)
	}
	if f.OAuth == nil || f.OAuth.Status != "401" || f.OAuth.Scope != "https://outlook.office.com/SMTP.Send" {
		t.Errorf("the 334 JSON status was not decoded: %+v", f.OAuth)
	}
	if d.Code != "auth.oauth_token_refused" || d.Family != "credentials" || !strings.Contains(d.Detail, "401") {
		t.Errorf("diagnosis %+v", d)
	}
	// The client answered the JSON challenge with an empty line, then read
	// the 535: the transcript shows both, masked.
	var lines []string
	for _, l := range rep.Transcript {
		lines = append(lines, l.String())
	}
	joined := strings.Join(lines, "\n")
	if !strings.Contains(joined, "334 "+smtp.Mask) || !strings.Contains(joined, "535 5.7.3") {
		t.Errorf("transcript:\n%s", joined)
	}
	assertNoToken(t, rep, "CANARY-token-from-elsewhere")
}

func TestXOAUTH2SMTPAuthDisabledForMailbox(t *testing.T) {
	srv := xoauth2Server(t, smtptest.WithReply("AUTH", 535, "5.7.139", "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information."))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	s.Auth = smtp.AuthXOAUTH2
	o.Token = tokenFrom(goodToken)
	rep, d := run(t, s, o, nil)
	if rep.OK || d.Code != "auth.oauth_smtp_disabled" || d.Family != "login_disabled" {
		t.Fatalf("got %+v / %+v", rep.Failure, d)
	}
	if strings.Contains(d.Title, "Password") {
		t.Errorf("an OAuth login is told about passwords: %q", d.Title)
	}
}

// oauthErr is an identity provider's refusal as the oauth package reports it.
type oauthErr struct{ f smtp.OAuthFailure }

func (e oauthErr) Error() string                   { return "refresh: " + e.f.Error }
func (e oauthErr) OAuthFailure() smtp.OAuthFailure { return e.f }

func TestTokenRefreshFailureIsDiagnosedBeforeSMTP(t *testing.T) {
	srv := xoauth2Server(t)
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	s.Auth = smtp.AuthXOAUTH2
	o.Token = func(context.Context) (smtp.Secret, error) {
		return smtp.Secret{}, oauthErr{smtp.OAuthFailure{Error: "invalid_grant", AADSTS: "70008", Description: "AADSTS70008: The refresh token has expired due to inactivity."}}
	}
	p, _ := smtp.BuiltinCatalogue().ByID("microsoft365")
	rep, d := run(t, s, o, p)
	if rep.OK || rep.Failure.Kind != smtp.KindOAuth || d.Code != "oauth.signin_expired" || !strings.Contains(d.Detail, "90 days") || !strings.Contains(d.Fix, "smtpsetup login") {
		t.Fatalf("got %+v / %+v", rep.Failure, d)
	}
	if n := len(srv.Logins()); n != 0 {
		t.Errorf("%d AUTH attempts without a token", n)
	}
}

func TestSignInDiagnoses(t *testing.T) {
	for _, tc := range []struct {
		of   smtp.OAuthFailure
		code string
		want string
	}{
		{smtp.OAuthFailure{Error: "access_denied"}, "oauth.denied", "approve"},
		{smtp.OAuthFailure{Error: "expired_token"}, "oauth.code_expired", "login again"},
		{smtp.OAuthFailure{Error: "invalid_grant", AADSTS: "53003", Description: "AADSTS53003: Access has been blocked by Conditional Access policies."}, "oauth.device_code_blocked", "Device code flow"},
		{smtp.OAuthFailure{Error: "invalid_grant", AADSTS: "65001"}, "oauth.admin_consent_required", "admin consent"},
		{smtp.OAuthFailure{Error: "invalid_request", AADSTS: "90094"}, "oauth.admin_consent_required", "admin consent"},
		{smtp.OAuthFailure{Error: "unauthorized_client", AADSTS: "700016"}, "oauth.app_not_found", "multi-tenant"},
		{smtp.OAuthFailure{Error: "unauthorized_client", AADSTS: "7000112"}, "oauth.app_disabled", "--client-id"},
		{smtp.OAuthFailure{Error: "invalid_client", AADSTS: "700025"}, "oauth.secret_sent", "Allow public client flows"},
		{smtp.OAuthFailure{Error: "invalid_grant"}, "oauth.signin_expired", "smtpsetup login"},
		{smtp.OAuthFailure{Error: "server_error", Description: "boom"}, "oauth.failed", "login again"},
	} {
		rep := smtp.SignInFailed(smtp.Settings{Auth: smtp.AuthXOAUTH2}, tc.of, "sign-in: "+tc.of.Error)
		d := smtp.Diagnose(rep, nil)
		if err := smtp.CheckPseudo(rep, nil, d); err != nil {
			t.Error(err)
		}
		if d.Code != tc.code || !strings.Contains(d.Fix, tc.want) {
			t.Errorf("%+v: got %s, fix %q; want %s mentioning %q", tc.of, d.Code, d.Fix, tc.code, tc.want)
		}
		if tc.of.AADSTS != "" && !strings.Contains(d.Detail, "AADSTS"+tc.of.AADSTS) {
			t.Errorf("%s: detail does not name the provider's code: %q", tc.code, d.Detail)
		}
	}
}

func assertNoToken(t *testing.T, rep *smtp.Report, tok string) {
	t.Helper()
	for _, l := range rep.Transcript {
		if strings.Contains(l.String(), tok) || strings.Contains(l.String(), "Bearer") {
			t.Fatalf("the token appears in the transcript: %q", l.String())
		}
	}
}

func TestSignInDiagnosesByPhase(t *testing.T) {
	for _, tc := range []struct {
		of   smtp.OAuthFailure
		code string
	}{
		{smtp.OAuthFailure{Op: "sign-in", Error: "authorization_declined"}, "oauth.denied"},
		{smtp.OAuthFailure{Op: "sign-in", Error: "invalid_grant"}, "oauth.code_expired"},
		{smtp.OAuthFailure{Op: "refresh", Error: "invalid_grant"}, "oauth.signin_expired"},
		{smtp.OAuthFailure{Op: "sign-in", Error: "invalid_grant", AADSTS: "53003"}, "oauth.device_code_blocked"},
	} {
		if d := smtp.Diagnose(smtp.SignInFailed(smtp.Settings{}, tc.of, "x"), nil); d.Code != tc.code {
			t.Errorf("%+v: %s, want %s", tc.of, d.Code, tc.code)
		}
	}
}
