package steps

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"smtpsetup/oauth/oauthtest"
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

// signInSession is the demo session with the demo provider signing in
// with a device code at a real OpenID Provider run in-process (b is what
// its user does); clientID is the app the config names ("" asks).
func signInSession(t *testing.T, b oauthtest.Behaviour, clientID string) *Session {
	t.Helper()
	s, _ := demoSession(t)
	idp := oauthtest.Start(t, b)
	s.Catalogue.Providers[0].OAuth = &smtp.OAuth{DeviceAuthorizationURL: idp.DeviceURL(), TokenURL: idp.TokenURL(),
		Scopes: []string{"openid", "offline_access"}, Mechanism: "xoauth2", RefreshDays: 90,
		RegisterSteps: []string{"Register a public client."}}
	s.Draft.Settings.OAuthClientID = clientID
	return s
}

// signInAt is the Sign in screen once it reached a state: Begin, and the
// provider's answers fed back as the wizard would, until ok.
func signInAt(t *testing.T, b oauthtest.Behaviour, clientID string, ok func(*SignIn, *screen) bool) (Step, *SignIn) {
	t.Helper()
	si := &SignIn{}
	sc := &screen{drawn: si}
	c := NewCommon(80, 24, testStyles, nil)
	ctx := t.Context()
	cmd := sc.Enter(ctx, signInSession(t, b, clientID), c)
	msgs := make(chan tea.Msg, 256)
	var spawn func(tea.Cmd)
	spawn = func(c tea.Cmd) {
		if c != nil {
			go func() { msgs <- c() }()
		}
	}
	spawn(cmd)
	deadline := time.After(10 * time.Second)
	for !ok(si, sc) {
		select {
		case msg := <-msgs:
			if v := reflect.ValueOf(msg); msg != nil && v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
				for i := range v.Len() {
					c, _ := v.Index(i).Interface().(tea.Cmd)
					spawn(c)
				}
				continue
			}
			_, next := sc.Update(ctx, msg)
			spawn(next)
		case <-deadline:
			t.Fatalf("the Sign in step stayed %v (working %v)", si.state, sc.working)
		}
	}
	t.Cleanup(sc.Cancel)
	return sc, si
}

func signInNeedsAppAt(t *testing.T) (Step, *SignIn) {
	return signInAt(t, oauthtest.PendingForever, "", func(si *SignIn, _ *screen) bool { return si.state == signInNeedsApp })
}
func signInWaitingAt(t *testing.T) (Step, *SignIn) {
	return signInAt(t, oauthtest.PendingForever, oauthtest.ClientID, func(si *SignIn, sc *screen) bool { return si.state == signInWaiting && sc.working })
}

// signInResults are the provider's real answers, fetched once per test
// binary: a declined sign-in's error and an approved one's token, for the
// failed and done screens (the provider polls once a second).
var signInResults = struct {
	sync.Once
	denied, approved any
}{}

func signInResult(t *testing.T, approved bool) any {
	signInResults.Do(func() {
		for _, b := range []oauthtest.Behaviour{oauthtest.Deny, oauthtest.Approve} {
			s := signInSession(t, b, oauthtest.ClientID)
			si := &SignIn{}
			o := si.Begin(s)
			p := o.Work(t.Context(), nil)
			res := si.Finish(p).Work(t.Context(), nil)
			if b == oauthtest.Deny {
				signInResults.denied = res
			} else {
				signInResults.approved = res
			}
		}
	})
	if approved {
		return signInResults.approved
	}
	return signInResults.denied
}

// signInFinished is the Sign in screen after the provider answered res.
func signInFinished(t *testing.T, res any) (Step, *SignIn) {
	si := &SignIn{}
	var sc Step
	sc = screenOf(t, si, signInSession(t, oauthtest.PendingForever, oauthtest.ClientID), func() { si.Finish(res) })
	return sc, si
}

func signInFailedAt(t *testing.T) (Step, *SignIn) { return signInFinished(t, signInResult(t, false)) }
func signInDoneAt(t *testing.T) (Step, *SignIn)   { return signInFinished(t, signInResult(t, true)) }

// TestSignInStepKeys is the Sign in screen's key table: in each state,
// what each key does (the action, the state after it, whether the
// provider is being asked or polled).
func TestSignInStepKeys(t *testing.T) {
	for _, c := range []struct {
		from    string
		at      func(*testing.T) (Step, *SignIn)
		key     string
		act     ActionKind
		to      ID
		state   signInState
		working bool
	}{
		{"needs app", signInNeedsAppAt, "enter", Stay, 0, signInNeedsApp, false}, // an empty id: the field says what is wrong
		{"needs app", signInNeedsAppAt, "ctrl+p", Goto, AccountStep, signInNeedsApp, false},
		{"needs app", signInNeedsAppAt, "-", Stay, 0, signInNeedsApp, false}, // typed into the field
		{"waiting", signInWaitingAt, "esc", Stay, 0, signInFailed, false},    // stopped: "sign in again?"
		{"waiting", signInWaitingAt, "ctrl+p", Goto, AccountStep, signInWaiting, false},
		{"waiting", signInWaitingAt, "enter", Stay, 0, signInWaiting, true},
		{"waiting", signInWaitingAt, "x", Stay, 0, signInWaiting, true},
		{"failed", signInFailedAt, "enter", Stay, 0, signInStarting, true}, // Yes is the default: a new code
		{"failed", signInFailedAt, "y", Stay, 0, signInStarting, true},
		{"failed", signInFailedAt, "n", Goto, AccountStep, signInFailed, false},
		{"failed", signInFailedAt, "ctrl+p", Goto, AccountStep, signInFailed, false},
		{"done", signInDoneAt, "enter", Next, 0, signInDone, false},
		{"done", signInDoneAt, "r", Stay, 0, signInStarting, true},
		{"done", signInDoneAt, "ctrl+p", Stay, 0, signInDone, false}, // signed in: no password offered
		{"done", signInDoneAt, "x", Stay, 0, signInDone, false},
	} {
		t.Run(c.from+"/"+c.key, func(t *testing.T) {
			sc, si := c.at(t)
			act, cmd := sc.Update(t.Context(), press(c.key))
			if act.Kind == Stay {
				act = settle(t.Context(), sc, cmd) // a form submitted by its command
			}
			if act.Kind != c.act || act.To != c.to {
				t.Errorf("action %v %v, want %v %v", act.Kind, act.To, c.act, c.to)
			}
			if si.state != c.state && !(c.state == signInStarting && si.state == signInWaiting) { // a new code may be there already
				t.Errorf("state %v, want %v", si.state, c.state)
			}
			if w := sc.(*screen).working; w != c.working {
				t.Errorf("working %v, want %v", w, c.working)
			}
			if c.key == "ctrl+p" && act.Kind == Goto && (!si.s.Draft.NoOAuth || si.s.Draft.Settings.Auth == smtp.AuthXOAUTH2) {
				t.Errorf("ctrl+p: NoOAuth %v, auth %s", si.s.Draft.NoOAuth, si.s.Draft.Settings.Auth)
			}
		})
	}
}
