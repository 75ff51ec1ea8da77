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
		d, c := newSession(t, id)
		s := &SignIn{}
		if s.Skip(d) {
			t.Fatalf("%s: Sign in skipped", id)
		}
		sc := screenOf(t, s, d, nil)
		v := sc.View()
		for _, want := range []string{"Allow public client flows", "SMTP.Send", "offline_access", "Application (client) ID", "https://entra.microsoft.com"} {
			if !strings.Contains(v, want) {
				t.Errorf("%s: the screen lacks %q:\n%s", id, want, v)
			}
		}
		if n := strings.Count(v, "\n") + 1; n > c.Height-4 {
			t.Errorf("%s: %d lines do not fit in 24 rows with the header and footer:\n%s", id, n, v)
		}
		if !sc.Typing() {
			t.Errorf("%s: the client id field does not have the focus", id)
		}
	}
}

func TestSignInSkippedForPasswordProviders(t *testing.T) {
	d, _ := newSession(t, "gmail")
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
	d, _ := newSession(t, "microsoft365")
	s := &SignIn{}
	sc := screenOf(t, s, d, nil)
	act, _ := sc.Update(t.Context(), tea.KeyPressMsg{Code: 'p', Mod: tea.ModCtrl})
	if act.Kind != Goto || act.To != AccountStep || !d.Draft.NoOAuth || !s.Skip(d) {
		t.Fatalf("ctrl+p: action %+v, NoOAuth %v", act, d.Draft.NoOAuth)
	}
	a := &Account{}
	a.Begin(d)
	if fields := a.Page().Fields; len(fields) != 4 || fields[2].Kind != SecretField {
		t.Errorf("Account asks no password after choosing one: %+v", fields)
	}

	d, _ = newSession(t, "outlook")
	s = &SignIn{}
	sc = screenOf(t, s, d, nil)
	if act, _ := sc.Update(t.Context(), tea.KeyPressMsg{Code: 'p', Mod: tea.ModCtrl}); act.Kind == Goto || d.Draft.NoOAuth {
		t.Error("Outlook.com lets the user choose a password it refuses")
	}
	for _, k := range sc.Keys() {
		if k.Help().Key == "ctrl+p" {
			t.Error("the footer offers ctrl+p for Outlook.com")
		}
	}
}

// Choosing another provider drops the sign-in and the XOAUTH2 login made
// for the first: a Gmail App Password must not be sent as a token.
func TestChangingProviderDropsTheSignIn(t *testing.T) {
	d, _ := newSession(t, "outlook")
	(&SignIn{}).Begin(d)
	if d.Draft.Settings.Auth != smtp.AuthXOAUTH2 {
		t.Fatalf("auth %s after the Sign in step", d.Draft.Settings.Auth)
	}
	d.Draft.NoOAuth = true
	gmail, _ := d.Catalogue.ByID("gmail")
	d.Draft.UseProvider(gmail)
	if d.Draft.Settings.Auth != smtp.AuthAuto || d.Draft.NoOAuth || d.Draft.SignedIn != nil || d.testOptions().Token != nil {
		t.Errorf("after switching to Gmail: auth %s, NoOAuth %v", d.Draft.Settings.Auth, d.Draft.NoOAuth)
	}
}
