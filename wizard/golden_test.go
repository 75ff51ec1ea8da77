package wizard

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"smtpsetup/e2e/term"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
	"smtpsetup/steps"
)

var update = flag.Bool("update", false, "rewrite the golden screens under testdata/")

// goldenDir is testdata/ as an absolute path: some cases change directory.
var goldenDir, _ = filepath.Abs("testdata")

// sizes are the sizes every screen is drawn at: the classic terminal and
// the smallest the wizard lays itself out for.
var sizes = [][2]int{{80, 24}, {MinWidth, MinHeight}}

// screenCase brings the wizard to one screen: a session, then keys.
type screenCase struct {
	name    string
	session func(t *testing.T) *steps.Session
	walk    func(d term.Driver)
	wait    string // what the screen shows once there
}

// gmail is a session on the built-in catalogue with Gmail chosen: real
// catalogue text, no server needed before the test step.
func gmail(t *testing.T) *steps.Session {
	s := steps.NewSession(steps.Env{Catalogue: smtp.BuiltinCatalogue(), ConfigPath: "/etc/smtpsetup/smtp.yaml"})
	p, _ := s.Catalogue.ByID("gmail")
	s.Draft.Settings.Use(p)
	return s
}

// gmailFilled is gmail with the account typed.
func gmailFilled(t *testing.T) *steps.Session {
	s := gmail(t)
	s.Draft.Settings.From, s.Draft.Settings.Username = "nas@gmail.com", "nas@gmail.com"
	s.Draft.Settings.Password = smtp.NewSecret("abcdefghijklmnop")
	return s
}

// demo is the demo session against a test server, saving to a relative
// path in a fresh directory, so that the screens read the same every run.
func demo(t *testing.T) *steps.Session {
	s, _ := lineDraft(t)
	t.Chdir(t.TempDir())
	s.Env.ConfigPath = "etc/smtp.yaml"
	return s
}

// otherServer is "Other server" on the demo's test server, whose CA the
// test does not trust: a private or self-signed certificate.
func otherServer(t *testing.T) *steps.Session {
	s := demo(t)
	s.Env.Test.RootCAs = nil
	s.Draft.Settings.Provider = smtp.OtherID
	return s
}

func enter(n int) func(d term.Driver) {
	return func(d term.Driver) {
		for range n {
			d.Press(term.Enter)
		}
	}
}

var screenCases = []screenCase{
	{"provider-address", func(t *testing.T) *steps.Session {
		return steps.NewSession(steps.Env{Catalogue: smtp.BuiltinCatalogue(), ConfigPath: "/etc/smtpsetup/smtp.yaml"})
	}, nil, "Your e-mail address"},
	{"provider-list", gmail, nil, "Which service"},
	{"provider-existing", func(t *testing.T) *steps.Session {
		s := gmail(t)
		s.Draft.Existing = true
		s.Draft.Settings.Username = "nas@gmail.com"
		return s
	}, nil, "already has settings"},
	{"prerequisites", gmail, enter(1), "2-Step Verification"},
	{"prerequisites-howto", gmail, func(d term.Driver) { d.Press(term.Enter, "n") }, "How to do it"},
	{"account", gmail, func(d term.Driver) { d.Press(term.Enter, "y") }, "E-mail address"},
	{"account-short", func(t *testing.T) *steps.Session {
		s := gmail(t)
		s.Draft.Settings.From = "nas@gmail.com" // typed on the first step
		return s
	}, func(d term.Driver) { d.Press(term.Enter, "y") }, "│ App Password"},
	{"account-secret-warning", gmail, func(d term.Driver) {
		d.Press(term.Enter, "y")
		d.WaitFor(focus("E-mail address")).Type("nas@gmail.com").Press(term.Enter, term.Enter)
		d.Type("MyAccountPassword1!").Press(term.Enter)
	}, "this looks like your Google account password"},
	{"account-relay", otherServer, func(d term.Driver) {
		d.Press(term.Enter)
		d.WaitFor(focus("Account")).Press(term.Down, term.Enter)
		d.WaitFor(focus("How does this machine log in?")).Press(term.Down)
	}, "> No login"},
	{"security", gmailFilled, func(d term.Driver) {
		d.Press(term.Enter, "y")
		d.WaitFor(focus("Account")).Press(term.Enter)
	}, "Use the recommended settings"},
	{"security-change", gmailFilled, func(d term.Driver) {
		d.Press(term.Enter, "y")
		d.WaitFor(focus("Account")).Press(term.Enter)
		d.WaitFor(focus("Server settings")).Press(term.Down, term.Enter)
	}, "│ SMTP server"},
	{"test-passed", demo, enter(4), "✓ Passed."},
	{"test-failed-suggestion", demo, func(d term.Driver) {
		enter(3)(d)
		port := portOf(d.WaitFor(focus("Server settings")))
		d.Press(term.Down, term.Enter, term.Enter)
		d.WaitFor(focus("Encryption")).Press(term.Up, term.Enter, term.CtrlU)
		d.Type(port).Press(term.Enter)
		d.WaitFor(focus("CA file")).Press(term.Enter)
	}, "Press Enter"},
	{"test-untrusted", otherServer, enter(6), "Press f"},
	{"test-plaintext", func(t *testing.T) *steps.Session {
		srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain), smtptest.WithAllowInsecureAuth(true), smtptest.WithAccount(lineUser, linePass))
		s := plainDraft(t, srv, "127.0.0.1")
		s.Env.ConfigPath = "/etc/smtpsetup/smtp.yaml"
		return s
	}, enter(6), "Press u"},
	{"test-details", demo, func(d term.Driver) { enter(4)(d); d.WaitFor("✓ Passed.").Press("t") }, "Transcript"},
	{"save", demo, enter(5), "Write the file?"},
	{"save-done", demo, enter(6), "✓ Saved."},
	{"save-done-failed", func(t *testing.T) *steps.Session {
		s := demo(t)
		s.Draft.Settings.Password = smtp.NewSecret("not-the-password")
		return s
	}, func(d term.Driver) {
		enter(4)(d)
		d.WaitFor("✗ ").Press("s")
		enter(1)(d)
	}, "Saved, but"},
	{"help", gmail, func(d term.Driver) { d.Press(term.Enter, "?") }, "Keys"},
	{"quit-confirm", gmail, func(d term.Driver) { d.Press(term.Enter, "y", term.CtrlC) }, "Quit without saving?"},
}

// portOf reads the demo server's port off the security screen.
func portOf(d term.Driver) string {
	m := regexp.MustCompile(`STARTTLS,[\s│>]*(\d+)`).FindStringSubmatch(d.Screen())
	if m == nil {
		return "0"
	}
	return m[1]
}

// TestGoldenScreens draws every step in its states at 80x24 and 60x16 and
// compares them with testdata/*.golden (go test -update rewrites them).
// Every frame fits its size and ends with the key help.
func TestGoldenScreens(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	for _, c := range append(screenCases, signInCases...) {
		for _, size := range sizes {
			name := fmt.Sprintf("%s-%dx%d", c.name, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				s := c.session(t)
				d := term.NewModel(t, New(t.Context(), s, "", nil), size[0], size[1])
				if c.walk != nil {
					c.walk(d)
				}
				d.WaitFor(c.wait)
				scr := d.Screen()
				lines := strings.Split(scr, "\n")
				if len(lines) > size[1] {
					t.Errorf("%d lines drawn on %d rows", len(lines), size[1])
				}
				if foot := strings.Join(lines[max(len(lines)-2, 0):], " "); c.name != "quit-confirm" && !strings.Contains(foot, "ctrl+c quit") {
					t.Errorf("the frame does not end with the key help:\n%s", d.Dump())
				}
				golden(t, name, normalise(scr, s))
			})
		}
	}
}

// normalise takes out of a screen what differs from run to run: the test
// server's port, temp directories, timings, certificates, dates.
func normalise(scr string, s *steps.Session) string {
	if p := s.Draft.Settings.Port; p > 1024 {
		scr = strings.ReplaceAll(scr, strconv.Itoa(p), "PORT") // a test server's, typed in the draft
	}
	if p := s.Catalogue.Providers[0].Ports; s.Catalogue.Providers[0].ID == "demo" && len(p) > 0 {
		scr = strings.ReplaceAll(scr, strconv.Itoa(p[0].Port), "PORT")
	}
	if o := s.Catalogue.Providers[0].OAuth; o != nil && s.Catalogue.Providers[0].ID == "demo" {
		// The test OpenID Provider: its port, the code it made up, the
		// clock, and the QR code of its address (blanked: it encodes the port).
		if u, err := url.Parse(o.DeviceAuthorizationURL); err == nil && u.Host != "" {
			scr = strings.ReplaceAll(scr, u.Host, "127.0.0.1:IDP")
		}
		scr = regexp.MustCompile(`\b[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}\b`).ReplaceAllString(scr, "CODE-CODE")
		scr = regexp.MustCompile(`valid for \d+:\d\d`).ReplaceAllString(scr, "valid for M:SS")
		scr = regexp.MustCompile(`(?m)[ █▀▄]+$`).ReplaceAllString(strings.NewReplacer("█", " ", "▀", " ", "▄", " ").Replace(scr), "")
	}
	if dir := filepath.Dir(s.ConfigPath); strings.HasPrefix(dir, os.TempDir()) {
		scr = strings.ReplaceAll(scr, dir, "/tmp/T")
	}
	// In this order (a map's would change from run to run).
	for _, r := range []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`(?m)^(\s*[\d.]+m?s) (>|<)`), "T $2"},
		{regexp.MustCompile(`\+\d+(\.\d+)?m?s\b`), "+T"},
		{regexp.MustCompile(`TLS_[A-Z0-9_]+(…)?`), "TLS_CIPHER"},
		{regexp.MustCompile(`\b[0-9A-Fa-f:]{40,}\b`), "FINGERPRINT"},
		{regexp.MustCompile(`\d{4}-\d{2}-\d{2}`), "DATE"},
	} {
		scr = r.re.ReplaceAllString(scr, r.with)
	}
	// A duration keeps its column's width: "   12ms" and " 1234ms" both
	// read "    Nms", so the alignment is still checked.
	scr = regexp.MustCompile(` +\d+(\.\d+)?(ms|s)\b`).ReplaceAllStringFunc(scr, func(m string) string {
		return strings.Repeat(" ", max(len(m)-3, 1)) + "Nms"
	})
	return scr + "\n"
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(goldenDir, name+".golden")
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./wizard -run TestGoldenScreens -update)", err)
	}
	if string(want) != got {
		t.Errorf("screen %s differs from %s (go test -update rewrites it):\n--- want\n%s--- got\n%s", name, path, want, got)
	}
}
