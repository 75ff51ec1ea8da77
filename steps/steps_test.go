package steps

import (
	"context"
	"strings"
	"testing"

	"smtpsetup/smtp"
	"smtpsetup/theme"
)

func newDraft(t *testing.T, providerID string) (*Draft, *Common) {
	t.Helper()
	t.Setenv("TERM", "xterm-256color") // huh turns TERM=dumb into its accessible mode
	cat := smtp.BuiltinCatalogue()
	d := &Draft{Catalogue: cat, Ctx: context.Background(), Settings: smtp.Settings{Auth: smtp.AuthAuto}}
	p, ok := cat.ByID(providerID)
	if !ok {
		t.Fatalf("no provider %s", providerID)
	}
	d.UseProvider(p)
	return d, &Common{Width: 80, Height: 24, Styles: theme.New(nil)}
}

func TestUseProviderKeepsWhatWasTyped(t *testing.T) {
	d, _ := newDraft(t, "gmail")
	if s := d.Settings; s.Host != "smtp.gmail.com" || s.Port != 465 || s.Security != smtp.SecuritySSL {
		t.Fatalf("gmail draft: %+v", s)
	}
	d.Settings.Port = 587 // typed by the user
	gmail, _ := d.Catalogue.ByID("gmail")
	d.UseProvider(gmail)
	if d.Settings.Port != 587 {
		t.Fatal("choosing the same provider again overwrote the port the user typed")
	}
	sendgrid, _ := d.Catalogue.ByID("sendgrid")
	d.UseProvider(sendgrid)
	if d.Settings.Host != sendgrid.Host || d.Settings.Username != "apikey" {
		t.Fatalf("switching to SendGrid: %+v", d.Settings)
	}
}

func TestSecurityPortFollowsMode(t *testing.T) {
	d, c := newDraft(t, "gmail")
	s := &Security{}
	s.Enter(d, c)
	s.followMode(smtp.SecuritySSL, smtp.SecuritySTARTTLS)
	if s.port != "587" {
		t.Fatalf("port %s after choosing STARTTLS, want 587", s.port)
	}
	s.port = "2525" // typed by hand
	s.followMode(smtp.SecuritySTARTTLS, smtp.SecuritySSL)
	if s.port != "2525" {
		t.Fatalf("a hand-typed port was replaced by %s", s.port)
	}
}

func TestSecurityWarnsOnceAboutPortAndMode(t *testing.T) {
	d, c := newDraft(t, "gmail")
	s := &Security{}
	s.Enter(d, c)
	s.mode = smtp.SecuritySTARTTLS
	err := s.checkPort("465")
	if err == nil || !strings.Contains(err.Error(), "465") || !strings.Contains(err.Error(), "Enter again") {
		t.Fatalf("first Enter: %v", err)
	}
	if err := s.checkPort("465"); err != nil {
		t.Fatalf("second Enter must keep the port: %v", err)
	}
	if err := s.checkPort("70000"); err == nil || !strings.Contains(err.Error(), "port") {
		t.Fatalf("70000: %v", err)
	}
}

func TestAccountWarnsOnceAboutTheSecretsShape(t *testing.T) {
	d, c := newDraft(t, "gmail")
	a := &Account{}
	a.Enter(d, c)
	if err := a.checkSecret(""); err != nil {
		t.Fatalf("no login (a relay) must need no password: %v", err)
	}
	a.login = "me@gmail.com"
	err := a.checkSecret("MyAccountPassword1!")
	if err == nil || !strings.Contains(err.Error(), "account password") {
		t.Fatalf("an account password for Gmail: %v", err)
	}
	if err := a.checkSecret("MyAccountPassword1!"); err != nil {
		t.Fatalf("Enter again must keep it: %v", err)
	}
	if err := a.checkSecret("abcd efgh ijkl mnop"); err != nil {
		t.Fatalf("a Google App Password with its spaces: %v", err)
	}
	if err := a.checkSecret(""); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty: %v", err)
	}
}

func TestAccountStoresTheNormalisedSecret(t *testing.T) {
	d, c := newDraft(t, "gmail")
	a := &Account{}
	a.Enter(d, c)
	a.address, a.login, a.secret = "me@gmail.com", "me@gmail.com", "abcd efgh ijkl mnop"
	a.store()
	if d.Settings.Password.Reveal() != "abcdefghijklmnop" {
		t.Fatal("the spaces Google shows were not removed")
	}
	if len(d.Notes) == 0 || !strings.Contains(d.Notes[0], "spaces") {
		t.Fatalf("the user is not told: %q", d.Notes)
	}
}

func TestQRCodeFitsOrSaysSo(t *testing.T) {
	url := "https://myaccount.google.com/apppasswords"
	code := qrText(url, 78, 17)
	if code == "" || strings.Count(code, "\n") > 17 {
		t.Fatalf("QR code for %s does not fit 78x17:\n%s", url, code)
	}
	if qrText(url, 20, 5) != "" {
		t.Fatal("a QR code was drawn into a space too small to scan")
	}
}

// The list keeps every entry and starts on the draft's provider, the last
// one ("Other server") included.
func TestProviderListStartsOnTheDraftsProvider(t *testing.T) {
	for _, id := range []string{"other", "gmail", "sendgrid"} {
		d, c := newDraft(t, id)
		p := &Provider{}
		p.Enter(d, c)
		if h, _ := p.sel.Hovered(); h != id {
			t.Errorf("draft provider %s: the list starts on %s", id, h)
		}
	}
}

// Postmark's token is login and password at once: it is asked for even
// though the login field stays empty.
func TestAccountAsksForTheTokenWhenItIsTheLogin(t *testing.T) {
	d, c := newDraft(t, "postmark")
	a := &Account{}
	a.Enter(d, c)
	if err := a.checkSecret(""); err == nil {
		t.Fatal("an empty Postmark token was accepted")
	}
}

// TestFailedTestFitsWithFixAndWords: on an 80x24 screen (and a shorter one), with every stage
// planned, a long diagnosis still shows the server's words and the whole
// fix under the stage list.
func TestFailedTestFitsWithFixAndWords(t *testing.T) {
	d, c := newDraft(t, "gmail")
	reply := smtp.Reply{Code: 535, Enhanced: "5.7.8", Text: "5.7.8 Username and Password not accepted. For more information, go to\n5.7.8  https://support.google.com/mail/?p=BadCredentials"}
	rep := &smtp.Report{Settings: d.Settings, Failure: &smtp.Failure{Stage: smtp.StageAuth, Kind: smtp.KindReply, Command: "AUTH", Reply: &reply}}
	diag := smtp.Diagnose(rep, d.Provider)
	tt := &Test{d: d, c: c, state: testFailed, diag: diag, results: map[smtp.Stage]smtp.StageResult{},
		plan: []smtp.Stage{smtp.StageResolve, smtp.StageConnect, smtp.StageTLS, smtp.StageGreeting, smtp.StageEHLO, smtp.StageAuth, smtp.StageSend, smtp.StageQuit}}
	for _, h := range []int{24, 20} {
		c.Height = h
		view := tt.View()
		if n := strings.Count(view, "\n") + 1; n > c.Height-3 {
			t.Fatalf("at height %d the failed test screen has %d lines, room for %d:\n%s", h, n, c.Height-3, view)
		}
		for _, want := range []string{"Server said:", "535-5.7.8 Username and Password not accepted", "Fix:", "create a new one."} {
			if !strings.Contains(view, want) {
				t.Errorf("at height %d the screen lacks %q:\n%s", h, want, view)
			}
		}
	}
}
