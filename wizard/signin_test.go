package wizard

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"smtpsetup/config"

	"smtpsetup/e2e/term"
	"smtpsetup/oauth/oauthtest"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
	"smtpsetup/steps"
)

// signInDraft is the demo session for a provider that signs in with a
// device code at idp (a real OpenID Provider in-process), against a test
// server that takes only the tokens idp issued, over XOAUTH2. clientID is
// the app the config names ("" asks for one).
func signInDraft(t *testing.T, idp *oauthtest.IdP, clientID string) *steps.Session {
	t.Helper()
	s, _ := lineDraft(t)
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAuthMechanisms("XOAUTH2"),
		smtptest.WithTokenVerifier(func(u, tok string) error {
			if u != lineUser {
				return errors.New("another user")
			}
			return idp.Verify(tok)
		}))
	s.Env.Test.RootCAs = srv.CA().Pool()
	s.Draft.Settings.Port, s.Draft.Settings.Password = srv.Port(), smtp.Secret{}
	s.Draft.Settings.OAuthClientID = clientID
	demo := &s.Catalogue.Providers[0]
	demo.Ports[0].Port = srv.Port()
	demo.OAuth = &smtp.OAuth{DeviceAuthorizationURL: idp.DeviceURL(), TokenURL: idp.TokenURL(),
		Scopes: []string{"openid", "offline_access"}, Mechanism: "xoauth2", RefreshDays: 90,
		RegisterSteps: []string{"Register a public client.", "Allow public client flows."},
		RegisterURL:   "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps"}
	s.Env.ConfigPath = filepath.Join(filepath.Dir(s.Env.ConfigPath), "etc", "smtp.yaml")
	return s
}

// Screens of the Sign in step, for TestGoldenScreens: the code being
// waited for (address, code in large type, QR code), no app registered
// yet (the explanation and the client id field), and a declined sign-in
// with its diagnosis.
var signInCases = []screenCase{
	{"signin-waiting", idpSession(oauthtest.PendingForever, oauthtest.ClientID), enter(5), "Waiting for you to sign in"},
	{"signin-needs-app", idpSession(oauthtest.PendingForever, ""), enter(5), "Application (client) ID"},
	{"signin-failed", idpSession(oauthtest.Deny, oauthtest.ClientID), enter(5), "Sign in again?"},
}

func idpSession(b oauthtest.Behaviour, clientID string) func(t *testing.T) *steps.Session {
	return func(t *testing.T) *steps.Session {
		s := signInDraft(t, oauthtest.Start(t, b), clientID)
		t.Chdir(filepath.Dir(filepath.Dir(s.Env.ConfigPath)))
		s.Env.ConfigPath = "etc/smtp.yaml"
		return s
	}
}

// The waiting screen shows what the user needs on the other device: the
// address, the code as text and in large type, and the address as a QR
// code (which the golden screen blanks, as it encodes the random port).
func TestSignInWaitingShowsCodeAndQR(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	idp := oauthtest.Start(t, oauthtest.PendingForever)
	s := signInDraft(t, idp, oauthtest.ClientID)
	d := term.NewModel(t, New(t.Context(), s, "", nil), 80, 24)
	enter(5)(d)
	scr := d.WaitFor("Waiting for you to sign in").Screen()
	codes := idp.UserCodes()
	if len(codes) != 1 || !strings.Contains(scr, codes[0]) || !strings.Contains(scr, idp.URL+"/device") {
		t.Fatalf("codes %q; the screen lacks the code or the address:\n%s", codes, scr)
	}
	art := 0
	for _, l := range strings.Split(scr, "\n") {
		if strings.HasSuffix(l, "██") && strings.Count(l, "█") > 4 {
			art++ // a row of the QR code, which ends in its light border
		}
	}
	if art < 12 {
		t.Errorf("no QR code on the screen (%d wide rows of blocks):\n%s", art, scr)
	}
}

// TestBothRenderersSignIn: one script through the line mode and the
// screens, for a provider that signs in with a device code and no app
// configured yet: the client id typed, the user approves at the real
// OpenID Provider, the live test logs in over XOAUTH2 with the token it
// issued, and both save the same config (auth xoauth2, no password) with
// the token in a 0600 file beside it.
func TestBothRenderersSignIn(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	script := []answer{kept("Which service sends your mail?"), confirm("The demo server is running"),
		kept("E-mail address"), kept("Login"), kept("Sender name"),
		set("Application (client) ID", oauthtest.ClientID),
		kept("Server settings"), testPassed(), kept("Write the file?")}

	idp := oauthtest.Start(t, oauthtest.Approve)
	ls := signInDraft(t, idp, "")
	in, pw := lineInput(script)
	var out bytes.Buffer
	if outcome, err := RunLines(t.Context(), ls, strings.NewReader(in), &out, pw); err != nil || outcome != Saved {
		t.Fatalf("line mode: %v, %v\n%s", outcome, err, out.String())
	}

	ss := signInDraft(t, idp, "")
	d := term.NewModel(t, New(t.Context(), ss, "", nil), 80, 24)
	drive(t, d, script)
	d.WaitFor("✓ Saved.").Press(term.Enter)
	if !d.Quit() {
		t.Fatalf("the screens did not end after saving:\n%s", d.Dump())
	}

	for name, s := range map[string]*steps.Session{"line mode": ls, "screens": ss} {
		set := comparable(t, s)
		if set.Auth != smtp.AuthXOAUTH2 || set.OAuthClientID != oauthtest.ClientID || !set.Password.IsZero() || set.PasswordFile != "" {
			t.Errorf("%s saved auth %s, client id %q, a password: %v", name, set.Auth, set.OAuthClientID, !set.Password.IsZero() || set.PasswordFile != "")
		}
		tokPath := config.TokenPath(s.Results.Saved.Path)
		if filepath.Dir(tokPath) != filepath.Dir(s.Results.Saved.Path) {
			t.Errorf("%s: token file %s is not beside the config", name, tokPath)
		}
		fi, err := os.Stat(tokPath)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: token file: %v %v", name, err, fi)
		}
		data, err := config.TokenFile(tokPath).Load()
		if err != nil || !strings.Contains(string(data), `"refresh_token"`) {
			t.Errorf("%s: token file holds no refresh token: %v", name, err)
		}
		cfg, _ := os.ReadFile(s.Results.Saved.Path)
		if strings.Contains(string(cfg), "refresh_token") || strings.Contains(string(cfg), "access_token") {
			t.Errorf("%s: the config holds the token:\n%s", name, cfg)
		}
	}
	if a, b := comparable(t, ls), comparable(t, ss); !reflect.DeepEqual(a, b) {
		t.Errorf("the renderers disagree:\nline mode %+v\nscreens   %+v", a, b)
	}
}
