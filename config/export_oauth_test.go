package config

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"smtpsetup/smtp"
)

func oauthSettings() smtp.Settings {
	return smtp.Settings{Provider: "microsoft365", Host: "smtp.office365.com", Port: 587, Security: smtp.SecuritySTARTTLS,
		Auth: smtp.AuthXOAUTH2, Username: "nas@contoso.com", From: "nas@contoso.com", OAuthClientID: "11111111-2222-3333-4444-555555555555"}
}

func TestOAuthExportsNameTheTokenCommand(t *testing.T) {
	tc := TokenCommand("/usr/bin/smtpsetup", "/etc/smtp setup/smtp.yaml")
	if tc != `'/usr/bin/smtpsetup' token --config '/etc/smtp setup/smtp.yaml'` {
		t.Fatalf("token command %s", tc)
	}
	opts := ExportOptions{TokenCommand: tc}
	out := func(format string) string {
		var b bytes.Buffer
		if err := Export(&b, oauthSettings(), format, opts); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		return b.String()
	}
	msmtp := out("msmtp")
	for _, want := range []string{"auth xoauth2\n", "user \"nas@contoso.com\"\n", "passwordeval \"" + tc + "\"\n"} {
		if !strings.Contains(msmtp, want) {
			t.Errorf("msmtp export lacks %q:\n%s", want, msmtp)
		}
	}
	if strings.Contains(msmtp, "password ") {
		t.Errorf("msmtp export has a password line:\n%s", msmtp)
	}
	if j := out("json"); !strings.Contains(j, `"token_command": "`+strings.ReplaceAll(tc, `'`, `'`)+`"`) || !strings.Contains(j, `"oauth_client_id"`) {
		t.Errorf("json export:\n%s", j)
	}
	if e := out("env"); !strings.Contains(e, "SMTP_TOKEN_COMMAND=") || !strings.Contains(e, "SMTP_AUTH='xoauth2'") {
		t.Errorf("env export:\n%s", e)
	}
	opts.Template = "{{.TokenCommand}}"
	var b bytes.Buffer
	if err := Export(&b, oauthSettings(), "template", opts); err != nil || b.String() != tc {
		t.Errorf("template: %q %v", b.String(), err)
	}
}

func TestPostfixRefusesOAuthWithAlternatives(t *testing.T) {
	err := Export(&bytes.Buffer{}, oauthSettings(), "postfix", ExportOptions{TokenCommand: "x"})
	if !errors.Is(err, ErrPostfixOAuth) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"sasl-xoauth2", "--format msmtp", "microsoft365-connector"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not mention %s", want)
		}
	}
	// A password login still exports to Postfix.
	s := oauthSettings()
	s.Auth, s.Password = smtp.AuthLogin, smtp.NewSecret("pw")
	if err := Export(&bytes.Buffer{}, s, "postfix", ExportOptions{}); err != nil {
		t.Errorf("password login: %v", err)
	}
}

func TestTokenFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	p := TokenFile(TokenPath(dir + "/smtp.yaml"))
	if string(p) != dir+"/smtp.token" {
		t.Fatalf("token path %s", p)
	}
	if err := p.Save([]byte(`{"refresh_token":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(string(p)); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	os.Chmod(string(p), 0o644)
	if _, err := p.Load(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a readable token file was accepted: %v", err)
	}
	// A file that is not a token file is never replaced.
	other := TokenFile(dir + "/notes.txt")
	os.WriteFile(string(other), []byte("my notes\n"), 0o600)
	if err := other.Save([]byte("{}")); err == nil {
		t.Error("replaced a file that is not a token file")
	}
}
