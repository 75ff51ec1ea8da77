package wizard

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smtpsetup/config"
	"smtpsetup/oauth/oauthtest"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

// The line mode signs in with the device code for a provider with an oauth
// block: no password question, the address and code printed, the live
// test over XOAUTH2, and the token saved beside the config.
func TestLinesSignInWithDeviceCode(t *testing.T) {
	idp := oauthtest.Start(t, oauthtest.Approve)
	d, _ := lineDraft(t)
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAuthMechanisms("XOAUTH2"),
		smtptest.WithTokenVerifier(func(u, tok string) error {
			if u != lineUser {
				return errors.New("another user")
			}
			return idp.Verify(tok)
		}))
	d.Test.RootCAs = srv.CA().Pool()
	d.Draft.Settings.Port, d.Draft.Settings.Password = srv.Port(), smtp.Secret{}
	demo := &d.Catalogue.Providers[0]
	demo.Ports[0].Port = srv.Port()
	demo.OAuth = &smtp.OAuth{DeviceAuthorizationURL: idp.DeviceURL(), TokenURL: idp.TokenURL(),
		Scopes: []string{"openid", "offline_access"}, Mechanism: "xoauth2", RefreshDays: 90,
		RegisterSteps: []string{"Register a public client."}}
	// No client id yet: the mode explains and asks for it.
	got, out := runLines(t, d, enters(5)+oauthtest.ClientID+"\n"+enters(20), passwords())
	if got != Saved {
		t.Fatalf("outcome %v\n%s", got, out)
	}
	for _, want := range []string{"1. Register a public client.", "Application (client) ID", "open " + idp.URL + "/device", "and enter the code:", "Signed in.", "Passed."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Password") {
		t.Errorf("asked for a password:\n%s", out)
	}
	s := loadSaved(t, d.ConfigPath, out)
	if s.Auth != smtp.AuthXOAUTH2 || s.OAuthClientID != oauthtest.ClientID || !s.Password.IsZero() {
		t.Errorf("saved %+v", s)
	}
	data, err := config.TokenFile(config.TokenPath(d.ConfigPath)).Load()
	if err != nil || !strings.Contains(string(data), `"refresh_token"`) {
		t.Fatalf("token file: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(filepath.Dir(d.ConfigPath), "smtp.token")); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v", fi.Mode())
	}
}
