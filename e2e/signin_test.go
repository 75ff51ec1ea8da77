package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smtpsetup/e2e/term"
	"smtpsetup/oauth/oauthtest"
)

// TestWizardSignIn walks the wizard for a provider with an oauth block:
// the Account step asks no password, the Sign in step shows the code (in
// large type and as text), the address and a countdown while the identity
// provider waits; once the user approves, the live test logs in with
// XOAUTH2, and Save writes the config and the token file beside it.
func TestWizardSignIn(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t, oauthtest.PendingForever)
	// A config naming the vendor's provider, as a first-boot script leaves it.
	os.MkdirAll(filepath.Dir(w.config), 0o700)
	os.WriteFile(w.config, []byte(fmt.Sprintf("version: 1\nprovider: acme-mail\nhost: localhost\nport: %d\nsecurity: starttls\nusername: %s\nfrom: %s\nca_file: %s\n",
		w.srv.Port(), oauthUser, oauthUser, w.ca)), 0o600)
	cmd := exec.Command(binary, "--config", w.config, "--providers", w.providers)
	cmd.Env = environment(w.dir)
	p := &program{Term: term.Start(t, cmd, 80, 24), home: w.dir, config: w.config}
	p.WaitFor("Change the settings").Press(term.Down, term.Enter)
	p.walk(t, nil,
		stop{step7(1, "Provider"), focus("Which service sends your mail?")},
		stop{step7(2, "Before you start"), focus("An app registration")},
		stop{step7(3, "Account"), focus("E-mail address")},
		stop{step7(3, "Account"), focus("Login")},
		stop{step7(3, "Account"), focus("Sender name")},
	)
	var code string
	p.WaitForFunc(func(scr string) bool {
		if !strings.Contains(scr, "Step 4 of 7: Sign in") || !strings.Contains(scr, w.idp.URL+"/device") || !strings.Contains(scr, "code valid for") {
			return false
		}
		for _, c := range w.idp.UserCodes() {
			if strings.Contains(scr, c) && strings.Contains(scr, "█") {
				code = c
				return true
			}
		}
		return false
	}, "the sign-in screen with the code")
	if !strings.Contains(p.Screen(), "esc stop") || !strings.Contains(p.Screen(), "Esc stops") {
		t.Errorf("the footer does not offer Esc:\n%s", p.Dump())
	}
	w.idp.SetBehaviour(oauthtest.Approve)
	p.walk(t, nil,
		stop{step7(5, "Server and encryption"), focus("Server settings")},
		stop{step7(6, "Live test"), "✓ Passed."},
		stop{step7(7, "Save"), focus("The file exists: replace it?")},
		stop{step7(7, "Save"), "✓ Saved."},
	)
	if c := p.Wait(); c != 0 {
		t.Fatalf("exit %d\n%s", c, p.Dump())
	}
	if code == "" {
		t.Fatal("no code seen")
	}
	kv := p.savedFile(t)
	wantValues(t, kv, map[string]string{"auth": "xoauth2", "username": oauthUser})
	if _, ok := kv["password"]; ok {
		t.Error("the config holds a password")
	}
	tf, _ := w.tokenFile(t)
	if w.idp.Verify(tf.AccessToken) != nil || tf.RefreshToken == "" {
		t.Error("no valid token saved")
	}
	if strings.Contains(string(p.Raw()), tf.AccessToken) || strings.Contains(string(p.Raw()), tf.RefreshToken) {
		t.Error("a token reached the terminal")
	}
	logins := w.srv.Logins()
	if len(logins) != 1 || logins[0].Mechanism != "XOAUTH2" || !logins[0].OK {
		t.Errorf("logins %+v", logins)
	}
}

// step7 is the header of step n when the Sign in step is shown.
func step7(n int, title string) string { return fmt.Sprintf("Step %d of 7: %s", n, title) }

// A declined sign-in shows its diagnosis on the Sign in screen; Enter asks
// for a new code, and approving it goes on to the next step.
func TestWizardSignInDeclinedThenRetried(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t, oauthtest.Deny)
	os.MkdirAll(filepath.Dir(w.config), 0o700)
	os.WriteFile(w.config, []byte(fmt.Sprintf("version: 1\nprovider: acme-mail\nhost: localhost\nport: %d\nsecurity: starttls\nusername: %s\nfrom: %s\nca_file: %s\n",
		w.srv.Port(), oauthUser, oauthUser, w.ca)), 0o600)
	cmd := exec.Command(binary, "--config", w.config, "--providers", w.providers)
	cmd.Env = environment(w.dir)
	p := &program{Term: term.Start(t, cmd, 80, 24), home: w.dir, config: w.config}
	p.WaitFor("Change the settings").Press(term.Down, term.Enter)
	p.walk(t, nil,
		stop{step7(1, "Provider"), focus("Which service sends your mail?")},
		stop{step7(2, "Before you start"), focus("An app registration")},
		stop{step7(3, "Account"), focus("E-mail address")},
		stop{step7(3, "Account"), focus("Login")},
		stop{step7(3, "Account"), focus("Sender name")},
	)
	p.WaitForFunc(func(scr string) bool {
		return strings.Contains(scr, "The sign-in was declined") && strings.Contains(scr, "oauth.denied") && strings.Contains(scr, "Sign in again?")
	}, "the declined sign-in's diagnosis")
	w.idp.SetBehaviour(oauthtest.Approve)
	p.Press(term.Enter)
	p.WaitFor(step7(5, "Server and encryption"))
	if n := len(w.idp.UserCodes()); n != 2 {
		t.Errorf("%d codes issued, want 2 (one declined, one approved)", n)
	}
	p.Press(term.CtrlC)
}

// "Test the current settings" of a saved OAuth config logs in with the
// saved sign-in (refreshing it), without signing in again.
func TestWizardTestsSavedSignIn(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t, oauthtest.Approve)
	w.login(t, 0)
	_, raw := w.tokenFile(t)
	raw["expiry"] = "2000-01-01T00:00:00Z" // long expired: the test must refresh
	w.setTokenFile(t, raw)
	cmd := exec.Command(binary, "--config", w.config, "--providers", w.providers)
	cmd.Env = environment(w.dir)
	p := &program{Term: term.Start(t, cmd, 80, 24), home: w.dir, config: w.config}
	p.WaitFor("Test the current settings").Press(term.Enter)
	p.WaitFor("✓ Passed.")
	if w.idp.Refreshes() != 1 || len(w.idp.UserCodes()) != 1 {
		t.Errorf("refreshes %d, codes %d: want one refresh and no new sign-in", w.idp.Refreshes(), len(w.idp.UserCodes()))
	}
	p.Press(term.CtrlC)
}

// "Change the settings" of a saved OAuth config keeps its sign-in: the Sign
// in step shows it as done, the live test logs in with it, and no new code
// is asked for on the phone.
func TestWizardChangeKeepsSavedSignIn(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t, oauthtest.Approve)
	w.login(t, 0)
	cmd := exec.Command(binary, "--config", w.config, "--providers", w.providers)
	cmd.Env = environment(w.dir)
	p := &program{Term: term.Start(t, cmd, 80, 24), home: w.dir, config: w.config}
	p.WaitFor("Test the current settings").Press(term.Down).WaitFor("> Change the settings").Press(term.Enter)
	// Enter on every prefilled screen, up to the live test.
	for i := 0; i < 20 && !strings.Contains(p.Screen(), "✓ Passed."); i++ {
		if strings.Contains(p.Screen(), "Waiting") || len(w.idp.UserCodes()) > 1 {
			t.Fatalf("a new sign-in was started:\n%s", p.Dump())
		}
		p.Press(term.Enter)
		time.Sleep(300 * time.Millisecond)
	}
	p.WaitFor("✓ Passed.")
	if n := len(w.idp.UserCodes()); n != 1 {
		t.Errorf("%d device codes asked for, want the first sign-in's only", n)
	}
	p.Press(term.CtrlC)
}
