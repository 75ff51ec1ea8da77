package smtp_test

import (
	"testing"

	"smtpsetup/smtp"
)

func TestFillLoginNeverRefillsNoLogin(t *testing.T) {
	gmail, _ := smtp.BuiltinCatalogue().ByID("gmail")
	s := smtp.Settings{From: "nas@gmail.com", Auth: smtp.AuthAuto}
	s.FillLogin(gmail)
	if s.Username != "nas@gmail.com" {
		t.Fatalf("login %q, want the address (Gmail's rule)", s.Username)
	}
	s = s.WithoutLogin()
	s.FillLogin(gmail)
	if s.Username != "" || !s.NoLogin() || !s.Password.IsZero() {
		t.Fatalf("no-login settings got login %q (no login %v)", s.Username, s.NoLogin())
	}
	s = smtp.Settings{From: "nas@gmail.com", Username: "me", Auth: smtp.AuthAuto}
	s.FillLogin(gmail)
	if s.Username != "me" {
		t.Fatalf("a typed login was replaced by %q", s.Username)
	}
}
