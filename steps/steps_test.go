package steps

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"testing"

	"smtpsetup/detect"
	"smtpsetup/smtp"
	"smtpsetup/theme"
)

// newSession is a session on the built-in catalogue with providerID chosen
// the way the Provider step chooses it.
func newSession(t *testing.T, providerID string) (*Session, *Common) {
	t.Helper()
	t.Setenv("TERM", "xterm-256color") // huh turns TERM=dumb into its accessible mode
	s := NewSession(Env{Catalogue: smtp.BuiltinCatalogue(), ConfigPath: t.TempDir() + "/smtp.yaml"})
	p, ok := s.Catalogue.ByID(providerID)
	if !ok {
		t.Fatalf("no provider %s", providerID)
	}
	s.Draft.Settings.Use(p)
	return s, NewCommon(80, 24, theme.New(nil), nil)
}

func TestUseProviderKeepsWhatWasTyped(t *testing.T) {
	s, _ := newSession(t, "gmail")
	if set := s.Draft.Settings; set.Host != "smtp.gmail.com" || set.Port != 465 || set.Security != smtp.SecuritySSL {
		t.Fatalf("gmail draft: %+v", set)
	}
	s.Draft.Settings.Port = 587 // typed by the user
	gmail, _ := s.Catalogue.ByID("gmail")
	s.Draft.Settings.Use(gmail)
	if s.Draft.Settings.Port != 587 {
		t.Fatal("choosing the same provider again overwrote the port the user typed")
	}
	sendgrid, _ := s.Catalogue.ByID("sendgrid")
	s.Draft.Settings.Use(sendgrid)
	if s.Draft.Settings.Host != sendgrid.Host || s.Draft.Settings.Username != "apikey" || s.Provider() != sendgrid {
		t.Fatalf("switching to SendGrid: %+v", s.Draft.Settings)
	}
}

func TestSecurityPortFollowsMode(t *testing.T) {
	s, _ := newSession(t, "gmail")
	sec := &Security{}
	sec.Begin(s)
	sec.mode = string(smtp.SecuritySTARTTLS)
	sec.followMode(string(smtp.SecuritySSL))
	if sec.port != "587" {
		t.Fatalf("port %s after choosing STARTTLS, want 587", sec.port)
	}
	sec.port = "2525" // typed by hand
	sec.mode = string(smtp.SecuritySSL)
	sec.followMode(string(smtp.SecuritySTARTTLS))
	if sec.port != "2525" {
		t.Fatalf("a hand-typed port was replaced by %s", sec.port)
	}
}

// Proton Mail Bridge listens on 1025 for STARTTLS: the mode's label and the
// port that follows it say the same (the line mode once offered 587).
func TestSecurityOffersTheProvidersPort(t *testing.T) {
	s, _ := newSession(t, "proton-bridge")
	sec := &Security{}
	sec.Begin(s)
	page := sec.Page()
	var label string
	var opts []Option
	for _, f := range page.Fields {
		if f.Title == "Encryption" {
			opts = f.Options
		}
	}
	for _, o := range opts {
		if o.Value == string(smtp.SecuritySTARTTLS) {
			label = o.Label
		}
	}
	if !strings.Contains(label, "port 1025") {
		t.Errorf("STARTTLS offered as %q, want port 1025", label)
	}
	if sec.port != "1025" || sec.mode != string(smtp.SecuritySTARTTLS) {
		t.Errorf("default %s on %s, want starttls on 1025", sec.mode, sec.port)
	}
}

func TestSecurityWarnsOnceAboutPortAndMode(t *testing.T) {
	s, _ := newSession(t, "gmail")
	sec := &Security{}
	sec.Begin(s)
	sec.mode = string(smtp.SecuritySTARTTLS)
	err := sec.checkPort("465")
	if err == nil || !IsWarning(err) || !strings.Contains(err.Error(), "465") || !strings.Contains(err.Error(), "Enter again") {
		t.Fatalf("first Enter: %v", err)
	}
	if err := sec.checkPort("465"); err != nil {
		t.Fatalf("second Enter must keep the port: %v", err)
	}
	if err := sec.checkPort("70000"); err == nil || IsWarning(err) || !strings.Contains(Sentence(nil, err), "port") {
		t.Fatalf("70000: %v", err)
	}
}

func TestAccountWarnsOnceAboutTheSecretsShape(t *testing.T) {
	s, _ := newSession(t, "gmail")
	a := &Account{}
	a.Begin(s)
	a.login = ""
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
	s, _ := newSession(t, "gmail")
	a := &Account{}
	a.Begin(s)
	a.address, a.login, a.secret = "me@gmail.com", "me@gmail.com", "abcd efgh ijkl mnop"
	if o := a.Submit(); o.Action.Kind != Next {
		t.Fatalf("submit: %+v", o)
	}
	if s.Draft.Settings.Password.Reveal() != "abcdefghijklmnop" {
		t.Fatal("the spaces Google shows were not removed")
	}
	if len(s.Notes) == 0 || !strings.Contains(s.Notes[0], "spaces") {
		t.Fatalf("the user is not told: %q", s.Notes)
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
		s, _ := newSession(t, id)
		p := &Provider{}
		p.Begin(s)
		page := p.Page()
		if got := *page.Fields[0].Value; got != id || len(page.Fields[0].Options) != len(s.Catalogue.Providers) {
			t.Errorf("draft provider %s: the list starts on %s with %d entries", id, got, len(page.Fields[0].Options))
		}
	}
}

// Postmark's token is login and password at once: it is asked for even
// though the login field stays empty.
func TestAccountAsksForTheTokenWhenItIsTheLogin(t *testing.T) {
	s, _ := newSession(t, "postmark")
	a := &Account{}
	a.Begin(s)
	if err := a.checkSecret(""); err == nil {
		t.Fatal("an empty Postmark token was accepted")
	}
}

func TestWrapKeepsCommandsWholeAndCountsCells(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"smtpsetup export --format msmtp writes it", 20, "smtpsetup export\n--format msmtp\nwrites it"},
		{"\x1b[1mbold words\x1b[0m here", 8, "\x1b[1mbold\nwords\x1b[0m\nhere"},
		{"日本語のテキスト です", 10, "日本語のテ\nキスト\nです"}, // two cells a character
		{"abcdefghij", 4, "abcd\nefgh\nij"},
	} {
		if got := Wrap(c.in, c.width); got != c.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

// TestFailedTestFitsWithFixAndWords: on an 80x24 screen (and a shorter one), with every stage
// planned, a long diagnosis still shows the server's words and the whole
// fix under the stage list.
func TestFailedTestFitsWithFixAndWords(t *testing.T) {
	s, c := newSession(t, "gmail")
	reply := smtp.Reply{Code: 535, Enhanced: "5.7.8", Text: "5.7.8 Username and Password not accepted. For more information, go to\n5.7.8  https://support.google.com/mail/?p=BadCredentials"}
	rep := &smtp.Report{Settings: s.Draft.Settings, Failure: &smtp.Failure{Stage: smtp.StageAuth, Kind: smtp.KindReply, Command: "AUTH", Reply: &reply}}
	diag := smtp.Diagnose(rep, s.Provider())
	tt := &Test{s: s, state: testFailed, diag: diag, results: map[smtp.Stage]smtp.StageResult{},
		plan: []smtp.Stage{smtp.StageResolve, smtp.StageConnect, smtp.StageTLS, smtp.StageGreeting, smtp.StageEHLO, smtp.StageAuth, smtp.StageSend, smtp.StageQuit}}
	for _, h := range []int{24, 20} {
		c.Height = h
		view, _ := tt.view(c, frame{})
		if n := strings.Count(view, "\n") + 1; n > c.Height-4 {
			t.Fatalf("at height %d the failed test screen has %d lines, room for %d:\n%s", h, n, c.Height-4, view)
		}
		for _, want := range []string{"Server said:", "535-5.7.8 Username and Password not accepted", "Fix:", "create a new one."} {
			if !strings.Contains(view, want) {
				t.Errorf("at height %d the screen lacks %q:\n%s", h, want, view)
			}
		}
	}
}

// Detection that finds nothing says why and puts the cursor on "Other
// server"; Esc on the list goes back to the address, which is kept.
func TestDetectionFoundNothing(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	s := NewSession(Env{Catalogue: smtp.BuiltinCatalogue(), ConfigPath: t.TempDir() + "/smtp.yaml"})
	for name, res := range map[string]detect.Result{
		"no network": {Unchecked: []string{"DNS: no resolver answered"}},
		"no server":  {},
	} {
		p := &Provider{}
		sc := &screen{drawn: p}
		sc.Enter(t.Context(), s, NewCommon(80, 24, testStyles, nil))
		p.address = "ops@corp.example"
		if o := p.Submit(); o.Work == nil {
			t.Fatalf("%s: no detection", name)
		}
		sc.handle(t.Context(), p.Finish(res))
		page := p.Page()
		if p.choice != smtp.OtherID || len(page.Intro) == 0 || !strings.HasPrefix(page.Intro[0], "Nothing found for corp.example: ") {
			t.Errorf("%s: choice %q, intro %q", name, p.choice, page.Intro)
		}
		if name == "no network" && !strings.Contains(page.Intro[0], "no resolver answered") {
			t.Errorf("%s: the reason is not said: %q", name, page.Intro[0])
		}
		if !sc.Capturing() || !strings.Contains(keysOf(sc), "esc") {
			t.Errorf("%s: Esc is not offered on the list: %q", name, keysOf(sc))
		}
		if act, _ := sc.Update(t.Context(), press("esc")); act.Kind != Stay || p.phase != phaseAddress || p.address != "ops@corp.example" {
			t.Errorf("%s: esc: %v, phase %v, address %q", name, act.Kind, p.phase, p.address)
		}
	}
}

// After a server refused this device's EHLO name, Edit opens the server step
// on the HELO name field (hidden otherwise), and what is typed there is the
// name the next test says.
func TestHeloFieldAfterARefusedName(t *testing.T) {
	s, _ := newSession(t, "gmail")
	heloShown := func(p Page) (shown bool, focused bool) {
		for i, f := range p.Fields {
			if f.Value != nil && strings.HasPrefix(f.Title, "This device's name") {
				return f.Skip == nil || !f.Skip(), p.Focus == i
			}
		}
		return false, false
	}
	sec := &Security{}
	sec.Begin(s)
	if shown, _ := heloShown(sec.Page()); shown {
		t.Fatal("the HELO field is asked although no server refused the name")
	}
	d := &smtp.Diagnosis{Code: "helo.rejected"}
	if d.EditTarget() != smtp.PartServer || d.EditField() != smtp.FieldHelo {
		t.Fatalf("helo.rejected edits %v / %v, want the server step's HELO name", d.EditTarget(), d.EditField())
	}
	s.EditAt = d.EditField()
	sec = &Security{}
	sec.Begin(s)
	shown, focused := heloShown(sec.Page())
	if !shown || !focused {
		t.Fatalf("after helo.rejected the HELO field shown=%v focused=%v, want both", shown, focused)
	}
	if err := checkHelo("vm"); err == nil {
		t.Error("a bare host name was accepted as a HELO name")
	}
	sec.helo = "nas.example.com"
	sec.Submit()
	if got := s.Draft.Settings.Helo; got != "nas.example.com" {
		t.Fatalf("Helo %q after the step, want nas.example.com", got)
	}
	sec = &Security{}
	sec.Begin(s)
	if shown, _ := heloShown(sec.Page()); !shown && sec.use != useRecommended {
		t.Error("a HELO name the settings carry is hidden from Change")
	}
}

// Chinese and Japanese wrap between characters, filling each line; a
// language with spaces (Korean) still wraps at its spaces.
func TestWrapCJK(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"修正: 暗号化の設定を変更してからもう一度テストしてください", 20, "修正: 暗号化の設定を\n変更してからもう一度\nテストしてください"},
		{"이 주소로 보내는 메일 서버를 찾습니다", 16, "이 주소로 보내는\n메일 서버를\n찾습니다"},
	} {
		got := Wrap(c.in, c.width)
		if got != c.want {
			t.Errorf("Wrap(%q, %d) =\n%s\nwant\n%s", c.in, c.width, got, c.want)
		}
		for _, l := range strings.Split(got, "\n") {
			if ansi.StringWidth(l) > c.width {
				t.Errorf("line %q is %d cells, more than %d", l, ansi.StringWidth(l), c.width)
			}
		}
	}
}
