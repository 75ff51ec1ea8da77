package steps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"smtpsetup/config"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
	"smtpsetup/theme"
)

const (
	demoUser = "demo@example.test"
	demoPass = "s3cret-Pa55word"
)

// demoSession is a session on a STARTTLS test server, with the demo entry
// first in the catalogue and every field filled.
func demoSession(t *testing.T) (*Session, *smtptest.Server) {
	t.Helper()
	t.Setenv("TERM", "xterm-256color")
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(demoUser, demoPass))
	cat := smtp.BuiltinCatalogue()
	cat.Prepend(smtp.Provider{
		ID: "demo", Name: "Demo server", Host: "localhost",
		Ports: []smtp.PortOption{{Security: smtp.SecuritySTARTTLS, Port: srv.Port(), Recommended: true}},
		Login: smtp.LoginAddress, Status: smtp.StatusOK, LastChecked: "2026-01-01",
		Prerequisites: []smtp.Prerequisite{{Title: "The demo server runs", URL: "https://example.com/howto"}},
	})
	s := NewSession(Env{Catalogue: cat, ConfigPath: t.TempDir() + "/smtp.yaml",
		Test: smtp.Options{Timeout: 5 * time.Second, RootCAs: srv.CA().Pool()}})
	s.Draft.Settings = smtp.Settings{Provider: "demo", Host: "localhost", Port: srv.Port(), Security: smtp.SecuritySTARTTLS,
		Auth: smtp.AuthAuto, Username: demoUser, Password: smtp.NewSecret(demoPass), From: demoUser}
	return s, srv
}

// reports are real test outcomes against the test server, run once.
type reports struct{ passed, notTLS, badLogin *smtp.Report }

func testReports(t *testing.T) (*Session, reports) {
	s, srv := demoSession(t)
	run := func(change func(*smtp.Settings)) *smtp.Report {
		set := s.Draft.Settings
		change(&set)
		return smtp.Test(t.Context(), set, s.Test)
	}
	r := reports{
		passed:   run(func(*smtp.Settings) {}),
		notTLS:   run(func(x *smtp.Settings) { x.Security = smtp.SecuritySSL }),
		badLogin: run(func(x *smtp.Settings) { x.Password = smtp.NewSecret("wrong") }),
	}
	if !r.passed.OK || r.notTLS.OK || r.badLogin.OK {
		t.Fatalf("test server outcomes: %v %v %v", r.passed.OK, r.notTLS.OK, r.badLogin.OK)
	}
	_ = srv
	return s, r
}

// settle runs a command and what it sets off, feeding each message back to
// the step, as the wizard would; a command still running after a moment
// is a timer (a spinner, a cursor blink) and is dropped. It returns the
// first action a message led to (a form submitted by a command).
func settle(ctx context.Context, st Step, cmd tea.Cmd) Action {
	if cmd == nil {
		return Action{}
	}
	got := make(chan tea.Msg, 1)
	go func() { got <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-got:
	case <-time.After(20 * time.Millisecond):
		return Action{}
	}
	var act Action
	first := func(a Action) {
		if act.Kind == Stay {
			act = a
		}
	}
	if v := reflect.ValueOf(msg); msg != nil && v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		for i := range v.Len() {
			c, _ := v.Index(i).Interface().(tea.Cmd)
			first(settle(ctx, st, c))
		}
		return act
	}
	if msg != nil {
		a, next := st.Update(ctx, msg)
		first(a)
		first(settle(ctx, st, next))
	}
	return act
}

func press(k string) tea.KeyPressMsg {
	named := map[string]tea.KeyPressMsg{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown},
		"left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight}, "space": {Code: tea.KeySpace, Text: " "},
		"pgdown": {Code: tea.KeyPgDown}, "ctrl+p": {Code: 'p', Mod: tea.ModCtrl}, "ctrl+o": {Code: 'o', Mod: tea.ModCtrl},
	}
	if m, ok := named[k]; ok {
		return m
	}
	return tea.KeyPressMsg{Code: rune(k[0]), Text: k}
}

// state is a step's screen in one state, built fresh for each key.
type state struct {
	name  string
	build func(t *testing.T) (Step, *Session)
}

func screenOf(t *testing.T, f drawn, s *Session, setup func()) Step {
	t.Helper()
	sc := &screen{drawn: f}
	c := NewCommon(80, 24, nil, nil)
	c.Styles = testStyles
	ctx := t.Context()
	cmd := sc.Enter(ctx, s, c)
	if setup != nil {
		sc.Cancel()
		setup()
		cmd = sc.build()
	}
	settle(ctx, sc, cmd)
	return sc
}

// TestTestStepKeys is the test screen's key table: from each outcome, what
// each key does.
func TestTestStepKeys(t *testing.T) {
	s, r := testReports(t)
	outcome := func(rep *smtp.Report) func() (Step, *Test) {
		return func() (Step, *Test) {
			tt := &Test{}
			sess := *s
			sc := screenOf(t, tt, &sess, func() { tt.Finish(rep) })
			return sc, tt
		}
	}
	for _, c := range []struct {
		from     string
		rep      *smtp.Report
		key      string
		act      ActionKind
		to       ID
		working  bool // a test runs again
		view     testView
		settings smtp.Security // the mode after the key
	}{
		{"passed", r.passed, "enter", Next, 0, false, viewSummary, smtp.SecuritySTARTTLS},
		{"passed", r.passed, "r", Stay, 0, true, viewSummary, smtp.SecuritySTARTTLS},
		{"passed", r.passed, "t", Stay, 0, false, viewDetails, smtp.SecuritySTARTTLS},
		{"passed", r.passed, "s", Stay, 0, false, viewSummary, smtp.SecuritySTARTTLS},
		{"not tls", r.notTLS, "enter", Stay, 0, true, viewSummary, smtp.SecuritySTARTTLS},
		{"not tls", r.notTLS, "a", Stay, 0, true, viewSummary, smtp.SecuritySTARTTLS},
		{"not tls", r.notTLS, "e", Goto, SecurityStep, false, viewSummary, smtp.SecuritySTARTTLS},
		{"not tls", r.notTLS, "r", Stay, 0, true, viewSummary, smtp.SecuritySTARTTLS},
		{"not tls", r.notTLS, "s", Next, 0, false, viewSummary, smtp.SecuritySTARTTLS},
		{"not tls", r.notTLS, "q", Quit, 0, false, viewSummary, smtp.SecuritySTARTTLS},
		{"not tls", r.notTLS, "t", Stay, 0, false, viewDetails, smtp.SecuritySTARTTLS},
		{"not tls", r.notTLS, "x", Stay, 0, false, viewSummary, smtp.SecuritySTARTTLS},
		{"bad login", r.badLogin, "enter", Goto, AccountStep, false, viewSummary, smtp.SecuritySTARTTLS},
		{"bad login", r.badLogin, "e", Goto, AccountStep, false, viewSummary, smtp.SecuritySTARTTLS},
		{"bad login", r.badLogin, "a", Stay, 0, false, viewSummary, smtp.SecuritySTARTTLS},
	} {
		t.Run(c.from+"/"+c.key, func(t *testing.T) {
			sc, tt := outcome(c.rep)()
			s.Draft.Settings.Security = smtp.SecuritySTARTTLS
			if c.rep == r.notTLS {
				tt.s.Draft.Settings.Security = smtp.SecuritySSL
				tt.s.Draft.Settings.Port = 0
			}
			act, _ := sc.Update(t.Context(), press(c.key))
			if act.Kind != c.act || act.To != c.to {
				t.Errorf("action %v %v, want %v %v", act.Kind, act.To, c.act, c.to)
			}
			if w := sc.(*screen).working; w != c.working {
				t.Errorf("a test runs: %v, want %v", w, c.working)
			}
			if tt.mode != c.view {
				t.Errorf("view %v, want %v", tt.mode, c.view)
			}
			if c.from == "not tls" && (c.key == "enter" || c.key == "a") && tt.s.Draft.Settings.Security != c.settings {
				t.Errorf("the fix was not applied: %s", tt.s.Draft.Settings.Security)
			}
			sc.Cancel()
		})
	}
}

// TestTestStepDetails: the details view scrolls and closes with the keys
// it shows, and the outcome stays what it was.
func TestTestStepDetails(t *testing.T) {
	s, r := testReports(t)
	tt := &Test{}
	sc := screenOf(t, tt, s, func() { tt.Finish(r.notTLS) })
	sc.Update(t.Context(), press("t"))
	for _, k := range []string{"down", "down", "pgdown"} {
		sc.Update(t.Context(), press(k))
	}
	if tt.scroll == 0 || tt.mode != viewDetails || tt.state != testFailed {
		t.Fatalf("scroll %d, view %v, state %v", tt.scroll, tt.mode, tt.state)
	}
	for _, k := range []string{"esc", "enter", "q", "t"} {
		tt.mode = viewDetails
		sc.Update(t.Context(), press(k))
		if tt.mode != viewSummary || tt.state != testFailed {
			t.Errorf("%s: view %v, state %v", k, tt.mode, tt.state)
		}
	}
}

// TestTestStepCancel: Esc while the test runs stops it; nothing is decided.
func TestTestStepCancel(t *testing.T) {
	s, _ := demoSession(t)
	tt := &Test{}
	sc := &screen{drawn: tt}
	c := NewCommon(80, 24, testStyles, nil)
	sc.Enter(t.Context(), s, c)
	if !sc.working || tt.state != testRunning || !sc.Capturing() {
		t.Fatalf("working %v, state %v", sc.working, tt.state)
	}
	if got := keysOf(sc); got != "esc" {
		t.Errorf("keys while testing: %q, want only esc", got)
	}
	sc.Update(t.Context(), press("esc"))
	if sc.working || tt.state != testCancelled {
		t.Fatalf("after esc: working %v, state %v", sc.working, tt.state)
	}
	if act, _ := sc.Update(t.Context(), press("enter")); act.Kind != Stay || !sc.working {
		t.Errorf("enter after cancel: %v, working %v; want a new test", act.Kind, sc.working)
	}
	sc.Cancel()
}

// TestSaveStep walks the save step's states: asking, writing, done, failed.
func TestSaveStep(t *testing.T) {
	s, _ := demoSession(t)
	sv := &Save{}
	sv.Begin(s)
	if sv.state != saveAsking || sv.path != s.ConfigPath || sv.choice != saveInline {
		t.Fatalf("begin: %v %q %q", sv.state, sv.path, sv.choice)
	}
	if err := CheckPath(nil, "  "); err == nil {
		t.Error("an empty path was accepted")
	}
	o := sv.Submit()
	if o.Work == nil || sv.state != saveWriting {
		t.Fatalf("submit: %+v, %v", o, sv.state)
	}
	res := o.Work(t.Context(), nil)
	sv.Finish(res)
	if sv.state != saveDone || s.Results.Saved == nil || s.Results.Saved.Path != s.ConfigPath {
		t.Fatalf("finish: %v %+v", sv.state, s.Results.Saved)
	}
	if got, err := config.Load(s.ConfigPath); err != nil || got.Password.Reveal() != demoPass {
		t.Fatalf("saved: %v", err)
	}
	if !strings.HasPrefix(sv.Page().Intro[0], "Saved. Wrote "+s.ConfigPath) {
		t.Errorf("done page: %q", sv.Page().Intro)
	}
	if o := sv.Submit(); o.Action.Kind != Done {
		t.Errorf("enter on done: %+v", o)
	}
	sv.Finish(savedResult{err: errors.New("disk full")})
	if sv.state != saveFailed || !strings.Contains(sv.Page().Intro[0], "disk full") {
		t.Fatalf("failed: %v %q", sv.state, sv.Page().Intro)
	}
	if o := sv.Submit(); o.Action.Kind != Stay || sv.state != saveAsking {
		t.Errorf("enter on failed: %+v %v", o, sv.state)
	}
}

// TestProviderStep walks the first step: existing config, address,
// detection, list.
func TestProviderStep(t *testing.T) {
	s, _ := demoSession(t)
	s.Draft.Existing = true
	p := &Provider{}
	p.Begin(s)
	if p.phase != phaseExisting || p.existing != existingTest {
		t.Fatalf("existing: %v %q", p.phase, p.existing)
	}
	if o := p.Submit(); o.Action.Kind != Goto || o.Action.To != TestStep {
		t.Errorf("test the current settings: %+v", o)
	}
	p.existing = existingOver
	if o := p.Submit(); o.Action.Kind != Stay || p.phase != phaseAddress || s.Draft.Settings.Host != "" {
		t.Fatalf("start over: %+v %v %q", o, p.phase, s.Draft.Settings.Host)
	}
	p.address = "me@gmail.com"
	o := p.Submit()
	if o.Work == nil || p.phase != phaseDetecting || s.Draft.Settings.From != "me@gmail.com" {
		t.Fatalf("address: %+v %v", o, p.phase)
	}
	p.Finish(o.Work(t.Context(), nil))
	if p.phase != phaseList || p.choice != "gmail" || !strings.Contains(p.Page().Fields[0].Options[0].Label, "← your address") {
		t.Fatalf("after detection: %v %q %q", p.phase, p.choice, p.Page().Fields[0].Options[0].Label)
	}
	if o := p.Submit(); o.Action.Kind != Next || s.Draft.Settings.Host != "smtp.gmail.com" || s.Provider().ID != "gmail" {
		t.Fatalf("choose: %+v %+v", o, s.Draft.Settings)
	}
	// Detection skipped (Esc): the list, nothing detected.
	p2 := &Provider{}
	s2, _ := demoSession(t)
	s2.Draft.Settings = smtp.Settings{Auth: smtp.AuthAuto}
	p2.Begin(s2)
	p2.address = "x@example.org"
	p2.Submit()
	p2.Finish(nil)
	if p2.phase != phaseList || p2.choice != "demo" {
		t.Errorf("skipped detection: %v %q", p2.phase, p2.choice)
	}
}

// TestPrerequisitesKeys: p shows a QR code, any key closes it; a No opens
// the how-to; Esc there returns to the checklist.
func TestPrerequisitesKeys(t *testing.T) {
	s, _ := demoSession(t)
	pr := &Prerequisites{}
	sc := screenOf(t, pr, s, nil)
	sc.Update(t.Context(), press("p"))
	if pr.qr != 1 || !strings.Contains(sc.View(), "example.com/howto") {
		t.Fatalf("p: qr %d\n%s", pr.qr, sc.View())
	}
	sc.Update(t.Context(), press("x"))
	if pr.qr != 0 {
		t.Fatal("a key did not close the QR code")
	}
	pr.done = false
	if o := pr.Submit(); o.Action.Kind != Stay || !pr.howto || len(pr.missing) != 1 {
		t.Fatalf("No: %+v howto %v", o, pr.howto)
	}
	sc.Update(t.Context(), press("esc"))
	if pr.howto {
		t.Error("esc did not return to the checklist")
	}
	pr.howto, pr.goOn = true, true
	if o := pr.Submit(); o.Action.Kind != Next {
		t.Errorf("continue from the how-to: %+v", o)
	}
}

// keysOf is the keys a screen shows, as "k1 k2".
func keysOf(st Step) string {
	var out []string
	for _, b := range st.Keys() {
		if b.Enabled() && b.Help().Key != "" {
			out = append(out, b.Help().Key)
		}
	}
	return strings.Join(out, " ")
}

// TestEveryHandledKeyIsShown presses each key on each screen state, fresh
// each time: a key that does anything (an action, a changed screen, work
// started) must be among the keys the screen shows. The wizard's own keys
// (Esc back, Ctrl-C, ?) are shown by the wizard.
func TestEveryHandledKeyIsShown(t *testing.T) {
	s, r := testReports(t)
	fresh := func() *Session { c := *s; c.Draft.Settings.Security = smtp.SecuritySTARTTLS; return &c }
	gm := func() *Session { g, _ := newSession(t, "gmail"); return g }
	// AUTH refused for want of TLS, on this machine: the plaintext choice.
	plainSrv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain), smtptest.WithAllowInsecureAuth(true))
	plainSet := s.Draft.Settings
	plainSet.Security, plainSet.Port = smtp.SecurityNone, plainSrv.Port()
	plainRep := smtp.Test(t.Context(), plainSet, s.Test)
	if plainRep.PlaintextOffer() == "" {
		t.Fatalf("no plaintext offer on a loopback server: %+v", plainRep.Failure)
	}
	states := map[string]func() Step{
		"account short": func() Step {
			g := gm()
			g.Draft.Settings.From = "nas@gmail.com"
			return screenOf(t, &Account{}, g, nil)
		},
		"test plaintext": func() Step {
			tt := &Test{}
			x := fresh()
			x.Draft.Settings = plainSet
			return screenOf(t, tt, x, func() { tt.Finish(plainRep) })
		},
		"provider list":    func() Step { return screenOf(t, &Provider{}, fresh(), nil) },
		"provider address": func() Step { x := fresh(); x.Draft.Settings = smtp.Settings{}; return screenOf(t, &Provider{}, x, nil) },
		"prerequisites":    func() Step { return screenOf(t, &Prerequisites{}, gm(), nil) },
		"account":          func() Step { return screenOf(t, &Account{}, fresh(), nil) },
		"security":         func() Step { return screenOf(t, &Security{}, fresh(), nil) },
		"test passed":      func() Step { tt := &Test{}; return screenOf(t, tt, fresh(), func() { tt.Finish(r.passed) }) },
		"test failed":      func() Step { tt := &Test{}; return screenOf(t, tt, fresh(), func() { tt.Finish(r.notTLS) }) },
		"test bad login":   func() Step { tt := &Test{}; return screenOf(t, tt, fresh(), func() { tt.Finish(r.badLogin) }) },
		"test cancelled":   func() Step { tt := &Test{}; return screenOf(t, tt, fresh(), func() { tt.Finish(nil) }) },
		"save":             func() Step { return screenOf(t, &Save{}, fresh(), nil) },
		"save failed": func() Step {
			sv := &Save{}
			return screenOf(t, sv, fresh(), func() { sv.Finish(savedResult{err: errors.New("x")}) })
		},
		"prerequisites qr": func() Step {
			st := screenOf(t, &Prerequisites{}, gm(), nil)
			st.Update(t.Context(), press("p"))
			return st
		},
		"test details": func() Step {
			tt := &Test{}
			st := screenOf(t, tt, fresh(), func() { tt.Finish(r.passed) })
			st.Update(t.Context(), press("t"))
			return st
		},
		"signin needs app": func() Step { st, _ := signInNeedsAppAt(t); return st },
		"signin waiting":   func() Step { st, _ := signInWaitingAt(t); return st },
		"signin failed":    func() Step { st, _ := signInFailedAt(t); return st },
		"signin done":      func() Step { st, _ := signInDoneAt(t); return st },
		"prerequisites how": func() Step {
			pr := &Prerequisites{}
			return screenOf(t, pr, gm(), func() { pr.done = false; pr.Submit() })
		},
	}
	keys := []string{"enter", "esc", "tab", "shift+tab", "up", "down", "left", "right", "space", "a", "e", "r", "s", "t", "q", "p", "y", "n", "x", "/", "ctrl+p", "ctrl+o", "u"}
	for name, build := range states {
		t.Run(name, func(t *testing.T) {
			for _, k := range keys {
				st := build()
				msg := press(k)
				if k == "esc" && !st.Capturing() {
					continue // the wizard's Back, shown by the wizard
				}
				if st.Typing() && (len(k) == 1 || k == "space" || k == "left" || k == "right") {
					continue // text and its editing
				}
				shown := st.Keys()
				before, wasWorking := steady(st.View()), st.(*screen).working
				act, cmd := st.Update(t.Context(), msg)
				settle(t.Context(), st, cmd)
				sc := st.(*screen)
				did := act.Kind != Stay || steady(st.View()) != before || sc.working != wasWorking
				sc.Cancel()
				if did && !matches(msg, shown) {
					t.Errorf("%q does something but is not shown (shown: %s)", k, keysHelp(shown))
				}
			}
		})
	}
}

// steady is a view without what changes with the clock alone (a sign-in
// code's countdown, a spinner's frame).
func steady(v string) string {
	v = regexp.MustCompile(`valid for \d+:\d\d`).ReplaceAllString(v, "valid for M:SS")
	return regexp.MustCompile(`(?m)^\S+ Waiting`).ReplaceAllString(v, "Waiting")
}

func matches(msg tea.KeyPressMsg, bs []key.Binding) bool {
	for _, b := range bs {
		if b.Enabled() && (b.Help().Key == "any key" || b.Help().Key != "" && key.Matches(msg, b)) {
			return true
		}
	}
	return false
}

func keysHelp(bs []key.Binding) string {
	var out []string
	for _, b := range bs {
		if b.Enabled() && b.Help().Key != "" {
			out = append(out, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(out, " · ")
}

var testStyles = theme.New(nil)

// TestSaveFlow: the password file follows the chosen config path, "replace?"
// is asked only of a file that exists, a failed save leaves no file behind
// (password file, in-memory CA), and a save after a failed test says so.
func TestSaveFlow(t *testing.T) {
	s, srv := demoSession(t)
	s.Draft.CAPEM, s.Draft.CAFileName = srv.CA().PEM(), "demo-ca.pem"
	sv := &Save{}
	sv.Begin(s)
	dir := t.TempDir()
	sv.path = filepath.Join(dir, "c2", "smtp.yaml")
	if err := sv.checkPath(sv.path); err != nil {
		t.Errorf("a new path is questioned: %v", err)
	}
	if title := sv.Page().Fields[0].TitleNow(); title != "Write the file?" {
		t.Errorf("a new path asks %q", title)
	}
	sv.choice = saveFile
	o := sv.Submit()
	sv.Finish(o.Work(t.Context(), nil))
	got, err := config.Load(sv.path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "c2", "smtp.password"); got.PasswordFile != want || got.Password.Reveal() != demoPass {
		t.Errorf("password file %q, want %q beside the config", got.PasswordFile, want)
	}
	if got.CAFile != filepath.Join(dir, "c2", "demo-ca.pem") {
		t.Errorf("CA file %q, want it beside the config", got.CAFile)
	}
	sv.Begin(s)
	sv.path = filepath.Join(dir, "c2", "smtp.yaml")
	if title := sv.Page().Fields[0].TitleNow(); !strings.Contains(title, "replace it?") {
		t.Errorf("an existing file asks %q", title)
	}
	if err := sv.checkPath(sv.path); !IsWarning(err) || sv.checkPath(sv.path) != nil {
		t.Errorf("typing an existing path: %v, then %v; want a warning once", err, sv.checkPath(sv.path))
	}

	// A config path that cannot be written: a directory stands there.
	bad := filepath.Join(dir, "c3")
	if err := os.MkdirAll(filepath.Join(bad, "smtp.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}
	s.Draft.Settings.PasswordFile, s.Draft.Settings.CAFile = "", ""
	sv.Begin(s)
	sv.path, sv.choice, sv.where = filepath.Join(bad, "smtp.yaml"), saveElsewhere, saveFile
	o = sv.Submit()
	sv.Finish(o.Work(t.Context(), nil))
	if sv.state != saveFailed {
		t.Fatalf("state %v, want failed", sv.state)
	}
	for _, f := range []string{"smtp.password", "demo-ca.pem"} {
		if _, err := os.Lstat(filepath.Join(bad, f)); err == nil {
			t.Errorf("a failed save left %s behind", f)
		}
	}

	// Saved after a failed test: the result says so, with the code.
	s.Results.Report = smtp.Test(t.Context(), smtp.Settings{Host: "localhost", Port: srv.Port(), Security: smtp.SecuritySTARTTLS,
		Auth: smtp.AuthAuto, Username: demoUser, Password: smtp.NewSecret("wrong"), From: demoUser}, s.Test)
	sv.Begin(s)
	sv.path = filepath.Join(dir, "c4", "smtp.yaml")
	o = sv.Submit()
	sv.Finish(o.Work(t.Context(), nil))
	if intro := sv.Page().Intro[0]; !strings.HasPrefix(intro, "Saved, but the test failed: auth.") {
		t.Errorf("saved after a failed test: %q", intro)
	}
}
