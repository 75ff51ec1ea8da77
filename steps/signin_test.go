package steps

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"smtpsetup/smtp"
)

// Without a client id the Sign in step explains how an administrator
// registers an app, asks for its id, and fits in 80x24.
func TestSignInAsksForAnAppWhenNoneIsKnown(t *testing.T) {
	for _, id := range []string{"microsoft365", "outlook"} {
		d, c := newDraft(t, id)
		s := &SignIn{}
		if s.Skip(d) {
			t.Fatalf("%s: Sign in skipped", id)
		}
		s.Enter(d, c)
		v := s.View()
		for _, want := range []string{"Allow public client flows", "SMTP.Send", "offline_access", "Application (client) ID", "https://entra.microsoft.com"} {
			if !strings.Contains(v, want) {
				t.Errorf("%s: the screen lacks %q:\n%s", id, want, v)
			}
		}
		if n := strings.Count(v, "\n") + 1; n > c.Height-4 {
			t.Errorf("%s: %d lines do not fit in 24 rows with the header and footer:\n%s", id, n, v)
		}
		if !s.Typing() {
			t.Errorf("%s: the client id field does not have the focus", id)
		}
	}
}

func TestSignInSkippedForPasswordProviders(t *testing.T) {
	d, _ := newDraft(t, "gmail")
	if !(&SignIn{}).Skip(d) {
		t.Error("gmail (no oauth block) gets a Sign in step")
	}
}

func TestBigTextDrawsEveryCodeCharacter(t *testing.T) {
	got := bigText("AB-12")
	rows := strings.Split(got, "\n")
	if len(rows) != 5 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if n := len([]rune(r)); n != 5*4 {
			t.Errorf("row %q is %d wide, want 20", r, n)
		}
	}
	for _, r := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-" {
		if _, ok := glyphs[r]; !ok {
			t.Errorf("no glyph for %q", r)
		}
	}
}

// Microsoft 365 still takes passwords until it is turned off: Ctrl-P on
// the Sign in step goes back to Account, which then asks for one, and Sign
// in is skipped. Outlook.com, which takes none, offers no such key.
func TestSignInPasswordInsteadOnlyWherePasswordsWork(t *testing.T) {
	d, c := newDraft(t, "microsoft365")
	s := &SignIn{}
	s.Enter(d, c)
	act, _ := s.Update(tea.KeyPressMsg{Code: 'p', Mod: tea.ModCtrl})
	if act.Kind != Goto || act.To != AccountStep || !d.NoOAuth || !s.Skip(d) {
		t.Fatalf("ctrl+p: action %+v, NoOAuth %v", act, d.NoOAuth)
	}
	a := &Account{}
	a.Enter(d, c)
	if !strings.Contains(a.View(), "Password") {
		t.Errorf("Account asks no password after choosing one:\n%s", a.View())
	}

	d, c = newDraft(t, "outlook")
	s = &SignIn{}
	s.Enter(d, c)
	if act, _ := s.Update(tea.KeyPressMsg{Code: 'p', Mod: tea.ModCtrl}); act.Kind == Goto || d.NoOAuth {
		t.Error("Outlook.com lets the user choose a password it refuses")
	}
	for _, k := range s.Keys() {
		if k.Help().Key == "ctrl+p" {
			t.Error("the footer offers ctrl+p for Outlook.com")
		}
	}
}

// Choosing another provider drops the sign-in and the XOAUTH2 login made
// for the first: a Gmail App Password must not be sent as a token.
func TestChangingProviderDropsTheSignIn(t *testing.T) {
	d, c := newDraft(t, "outlook")
	(&SignIn{}).Enter(d, c)
	if d.Settings.Auth != smtp.AuthXOAUTH2 {
		t.Fatalf("auth %s after the Sign in step", d.Settings.Auth)
	}
	d.NoOAuth = true
	gmail, _ := d.Catalogue.ByID("gmail")
	d.UseProvider(gmail)
	if d.Settings.Auth != smtp.AuthAuto || d.NoOAuth || d.SignedIn != nil || d.Test.Token != nil {
		t.Errorf("after switching to Gmail: auth %s, NoOAuth %v", d.Settings.Auth, d.NoOAuth)
	}
}
