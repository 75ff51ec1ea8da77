package wizard

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"smtpsetup/config"
	"smtpsetup/detect"
	"smtpsetup/e2e/term"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
	"smtpsetup/steps"
)

// The walks of issue 14, each played by both renderers from the same
// session against a real local server, ending in a saved file that is
// checked as a user would: what it says, and that it works.

const (
	wProvider = "Which service sends your mail?"
	wAccount  = "Account"
	wHow      = "How does this machine log in?"
	wAddress  = "E-mail address"
	wLogin    = "Login"
	wPassword = "Password"
	wName     = "Sender name"
	wHost     = "SMTP server"
	wMode     = "Encryption"
	wPort     = "Port"
	wCAFile   = "CA file (optional)"
	wWrite    = "Write the file?"
)

// otherDraft is a session for "Other server" on srv, with the answers
// prefilled as a returning user would have them; the test trusts no
// extra CA unless the walk gives one.
func otherDraft(t *testing.T, srv *smtptest.Server, from string) *steps.Session {
	t.Helper()
	s := steps.NewSession(steps.Env{
		Catalogue:  smtp.BuiltinCatalogue(),
		ConfigPath: filepath.Join(t.TempDir(), "etc", "smtp.yaml"),
		Test:       smtp.Options{Timeout: 5 * 1e9},
	})
	s.Draft.Settings = smtp.Settings{
		Provider: smtp.OtherID, Host: "localhost", Port: srv.Port(), Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthAuto,
		Username: lineUser, Password: smtp.NewSecret(linePass), From: from,
	}
	return s
}

// walkBoth plays script in the line mode and on the screens, each from its
// own fresh session, and returns both sessions after they saved.
func walkBoth(t *testing.T, fresh func() *steps.Session, script []answer) (line, screen *steps.Session, lineOut string) {
	t.Helper()
	t.Setenv("TERM", "xterm-256color")
	line = fresh()
	in, pw := lineInput(script)
	var out bytes.Buffer
	outcome, err := RunLines(t.Context(), line, strings.NewReader(in), &out, pw)
	if err != nil || outcome != Saved {
		t.Fatalf("line mode: %v, %v\n%s", outcome, err, out.String())
	}
	screen = fresh()
	d := term.NewModel(t, New(t.Context(), screen, "", nil), 80, 24)
	drive(t, d, script)
	d.WaitFor("Saved").Press(term.Enter)
	if !d.Quit() {
		t.Fatalf("the screens did not end after saving:\n%s", d.Dump())
	}
	return line, screen, out.String()
}

// savedWorks loads what a run saved and tests it as `check` would.
func savedWorks(t *testing.T, s *steps.Session) smtp.Settings {
	t.Helper()
	if s.Results.Saved == nil {
		t.Fatal("nothing saved")
	}
	set, err := config.Load(s.Results.Saved.Path)
	if err != nil {
		t.Fatal(err)
	}
	rep := smtp.Test(t.Context(), set, smtp.Options{Timeout: 5 * 1e9})
	if !rep.OK {
		t.Fatalf("the saved config does not work: %+v", rep.Failure)
	}
	return set
}

func TestWalkSelfSignedTrustedByFingerprint(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(lineUser, linePass))
	script := []answer{kept(wProvider), kept(wAccount),
		kept(wHost), kept(wMode), kept(wPort), kept(wCAFile), onFailure("f"), testPassed(), kept(wWrite)}
	line, screen, out := walkBoth(t, func() *steps.Session { return otherDraft(t, srv, lineUser) }, script)
	for _, want := range []string{"[tls.untrusted]", "SHA-256 ", "Trust this certificate"} {
		if !strings.Contains(out, want) {
			t.Errorf("line mode never showed %q:\n%s", want, out)
		}
	}
	for _, s := range []*steps.Session{line, screen} {
		set := savedWorks(t, s)
		if set.TLSPinSHA256 == "" || set.InsecureSkipVerify {
			t.Errorf("saved pin %q, skip-verify %v: want the certificate pinned, never skipped", set.TLSPinSHA256, set.InsecureSkipVerify)
		}
	}
}

func TestWalkPrivateCAFile(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(lineUser, linePass))
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CA().PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	script := []answer{kept(wProvider), kept(wAccount),
		kept(wHost), kept(wMode), kept(wPort), set(wCAFile, ca), testPassed(), kept(wWrite)}
	line, screen, _ := walkBoth(t, func() *steps.Session { return otherDraft(t, srv, lineUser) }, script)
	for _, s := range []*steps.Session{line, screen} {
		if set := savedWorks(t, s); set.CAFile != ca || set.TLSPinSHA256 != "" {
			t.Errorf("saved CA file %q pin %q, want %q and no pin", set.CAFile, set.TLSPinSHA256, ca)
		}
	}
}

func TestCAFileCheckedOnEntry(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(lineUser, linePass))
	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	os.WriteFile(notPEM, []byte("not a certificate\n"), 0o644)
	s := otherDraft(t, srv, lineUser)
	in := strings.Repeat("\n", 5) + notPEM + "\n" // provider, account, host, mode, port
	got, out := runLines(t, s, in, passwords(""))
	if got != Quit || !strings.Contains(out, "holds no PEM certificate") {
		t.Errorf("outcome %v; want the CA file refused by name:\n%s", got, out)
	}
}

func TestWalkNoLoginRelay(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS)) // no account: a relay by address
	script := []answer{kept(wProvider), pick(wAccount, "change", "Change the address"), pick(wHow, "none", "No login"), kept(wAddress), kept(wName),
		kept(wHost), kept(wMode), kept(wPort), set(wCAFile, caFile(t, srv)), testPassed(), kept(wWrite)}
	line, screen, out := walkBoth(t, func() *steps.Session { return otherDraft(t, srv, "nas@corp.example") }, script)
	if !strings.Contains(out, "without a login") {
		t.Errorf("the result does not say the server took mail without a login:\n%s", out)
	}
	for _, s := range []*steps.Session{line, screen} {
		set := savedWorks(t, s)
		if set.Auth != smtp.AuthNone || set.Username != "" || !set.Password.IsZero() {
			t.Errorf("saved auth %q login %q: want no login, not refilled from the address", set.Auth, set.Username)
		}
	}
}

func caFile(t *testing.T, srv *smtptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, srv.CA().PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWalkRefusedSenderEditLandsOnFrom(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(lineUser, linePass),
		smtptest.WithOwnedSenders(lineUser, lineUser))
	ca := caFile(t, srv)
	fresh := func() *steps.Session {
		s := otherDraft(t, srv, "boss@example.test")
		s.Draft.Settings.CAFile = ca
		return s
	}
	script := []answer{kept(wProvider), kept(wAccount),
		kept(wHost), kept(wMode), kept(wPort), kept(wCAFile),
		onFailure("e"), set(wAddress, lineUser), kept(wLogin), keptSecret(wPassword), kept(wName),
		kept(wHost), kept(wMode), kept(wPort), kept(wCAFile), testPassed(), kept(wWrite)}
	line, screen, out := walkBoth(t, fresh, script)
	for _, want := range []string{"[send.sender_rejected]", "Edit the sender address"} {
		if !strings.Contains(out, want) {
			t.Errorf("line mode never showed %q:\n%s", want, out)
		}
	}
	for _, s := range []*steps.Session{line, screen} {
		if set := savedWorks(t, s); set.From != lineUser {
			t.Errorf("saved From %q, want %q", set.From, lineUser)
		}
	}
}

// After refused credentials, Edit lands on the password with its value
// selected: what is typed replaces it, nothing is appended.
func TestEditAfterRefusedPasswordReplacesIt(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(lineUser, linePass))
	s := otherDraft(t, srv, lineUser)
	s.Draft.Settings.CAFile = caFile(t, srv)
	s.Draft.Settings.Password = smtp.NewSecret("wrong-password")
	t.Setenv("TERM", "xterm-256color")
	d := term.NewModel(t, New(t.Context(), s, "", nil), 80, 24)
	for range 6 {
		d.Press(term.Enter) // provider, account, host, mode, port, CA file
	}
	d.WaitFor("[auth.bad_credentials]")
	if !strings.Contains(d.Screen(), "e edit") && !strings.Contains(d.Screen(), "enter/e") {
		t.Fatalf("no edit key:\n%s", d.Dump())
	}
	d.Press("e").WaitFor(focus(wPassword))
	d.Type(linePass).Press(term.Enter).Press(term.Enter) // the password, the sender name
	for range 4 {
		d.Press(term.Enter) // host, mode, port, CA file
	}
	d.WaitFor("✓ Passed.")
	if got := s.Draft.Settings.Password.Reveal(); got != linePass {
		t.Errorf("password after editing has %d characters, want the %d typed (typing must replace it)", len(got), len(linePass))
	}
}

// The line mode offers the detected provider alone, and l lists them all.
func TestLinesOfferTheDetectedProvider(t *testing.T) {
	s := steps.NewSession(steps.Env{Catalogue: smtp.BuiltinCatalogue(), ConfigPath: filepath.Join(t.TempDir(), "smtp.yaml")})
	_, out := runLines(t, s, "me@gmail.com\n", passwords())
	if !strings.Contains(out, "1  Gmail  ← your address") || !strings.Contains(out, "l  list all") || strings.Contains(out, "SendGrid") {
		t.Fatalf("the detected provider is not offered alone:\n%s", out)
	}
	s = steps.NewSession(steps.Env{Catalogue: smtp.BuiltinCatalogue(), ConfigPath: filepath.Join(t.TempDir(), "smtp.yaml")})
	_, out = runLines(t, s, "me@gmail.com\nl\n", passwords())
	if !strings.Contains(out, "SendGrid") {
		t.Fatalf("l does not list all:\n%s", out)
	}
}

// codeFrom reads the code of the last test message the server received,
// as the user reads it from the subject.
func codeFrom(t *testing.T, srv *smtptest.Server) string {
	t.Helper()
	msgs := srv.Messages()
	if len(msgs) == 0 {
		t.Fatal("no test message arrived")
	}
	m := regexp.MustCompile(`(?m)^Subject: ` + smtp.TestSubjectPrefix + `(\S+)`).FindSubmatch(msgs[len(msgs)-1].Data)
	if m == nil {
		t.Fatalf("no code in the subject:\n%s", msgs[len(msgs)-1].Data)
	}
	return string(m[1])
}

// laterReader gives its text only when read, so that an answer can depend
// on what happened before it was asked (the code in a message).
type laterReader struct {
	text func() string
	r    io.Reader
}

func (l *laterReader) Read(p []byte) (int, error) {
	if l.r == nil {
		l.r = strings.NewReader(l.text())
	}
	return l.r.Read(p)
}

// Delivery confirmed by code: after the test passes, a test message goes
// to the From address, and the code typed back from it proves delivery, in
// both renderers.
func TestWalkDeliveryConfirmedByCode(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	// The line mode.
	s, srv := lineDraft(t)
	in := io.MultiReader(strings.NewReader(strings.Repeat("\n", 4)+"m\n"),
		&laterReader{text: func() string { return codeFrom(t, srv) + "\n\n\n" }})
	var out bytes.Buffer
	if got, err := RunLines(t.Context(), s, in, &out, passwords("")); got != Saved || err != nil {
		t.Fatalf("line mode: %v %v\n%s", got, err, out.String())
	}
	if !strings.Contains(out.String(), "delivery confirmed") || !slices.Contains(s.Results.Report.Proven(), smtp.ProvenDelivery) {
		t.Errorf("line mode: delivery not confirmed:\n%s", out.String())
	}

	// The screens.
	s, srv = lineDraft(t)
	d := term.NewModel(t, New(t.Context(), s, "", nil), 80, 24)
	for range 4 {
		d.Press(term.Enter) // provider, checklist, account, server
	}
	d.WaitFor("✓ Passed.").WaitFor("Press m").Press("m")
	d.WaitFor(focus("Code from the test message")).Type("WRONG1").Press(term.Enter).WaitFor("code does not match")
	d.Press(term.CtrlU).Type(codeFrom(t, srv)).Press(term.Enter)
	d.WaitFor("delivery confirmed").Press(term.Enter)
	d.WaitFor(focus(wWrite)).Press(term.Enter)
	d.WaitFor("Saved").Press(term.Enter)
	if !d.Quit() || !slices.Contains(s.Results.Report.Proven(), smtp.ProvenDelivery) {
		t.Fatalf("screens: delivery not confirmed:\n%s", d.Dump())
	}
	if set, err := config.Load(s.Results.Saved.Path); err != nil || !smtp.Test(t.Context(), set, s.Test).OK {
		t.Errorf("the saved config does not work: %v", err)
	}
}

// shortDraft is the demo provider chosen after the address was typed on the
// first step: nothing else known, so the Account step asks the password
// only, with a way to the address, login and sender name.
func shortDraft(t *testing.T) *steps.Session {
	s, _ := lineDraft(t)
	s.Draft.Settings = smtp.Settings{Provider: "demo", Auth: smtp.AuthAuto, From: lineUser}
	return s
}

// TestShortAccountOpensTheRest: the short Account page hides the address,
// login and sender name, and both renderers can open them: Ctrl-O on the
// screen, a question in the line mode. The sender name typed there is saved.
func TestShortAccountOpensTheRest(t *testing.T) {
	const name = "Office NAS"

	s := shortDraft(t)
	_, out := runLines(t, s, "\n\ny\n\n\n"+name+"\n"+enters(10), passwords(linePass))
	if !strings.Contains(out, "Sending as "+lineUser+", login "+lineUser+".") ||
		!strings.Contains(out, "Change the address, login or sender name? [y/N]") {
		t.Errorf("the line mode does not show the short account and its question:\n%s", out)
	}
	if set := loadSaved(t, s.ConfigPath, out); set.FromName != name || set.Username != lineUser || set.Password.Reveal() != linePass {
		t.Errorf("line mode saved name %q login %q", set.FromName, set.Username)
	}

	// Without the question answered yes, the line mode asks no sender name.
	s = shortDraft(t)
	_, out = runLines(t, s, "\n\n\n"+enters(10), passwords(linePass))
	if strings.Contains(out, "Sender name") {
		t.Errorf("the short account asked the sender name:\n%s", out)
	}
	if set := loadSaved(t, s.ConfigPath, out); set.FromName != "" || set.Username != lineUser {
		t.Errorf("short line walk saved name %q login %q", set.FromName, set.Username)
	}

	s = shortDraft(t)
	m := term.NewModel(t, New(t.Context(), s, "", nil), 80, 24)
	m.WaitFor(wProvider).Press(term.Enter)
	m.WaitFor("The demo server is running").Press(term.Enter)
	m.WaitFor("Sending as " + lineUser).WaitFor("ctrl+o change address, login, name")
	if strings.Contains(m.Screen(), focus(wAddress)) {
		t.Fatalf("the short account shows the address field:\n%s", m.Screen())
	}
	m.Press(term.CtrlO).WaitFor(focus(wAddress)).Press(term.Enter)
	m.WaitFor(focus(wLogin)).Press(term.Enter)
	m.WaitFor(focus(wPassword)).Type(linePass).Press(term.Enter)
	m.WaitFor(focus(wName)).Type(name).Press(term.Enter)
	m.WaitFor("Use the recommended settings").Press(term.Enter)
	m.WaitFor("✓ Passed.").Press(term.Enter)
	m.WaitFor("Write the file?").Press(term.Enter)
	m.WaitFor("✓ Saved.").Press(term.Enter)
	if !m.Quit() {
		t.Fatalf("not done:\n%s", m.Dump())
	}
	if set := loadSaved(t, s.ConfigPath, ""); set.FromName != name || set.Username != lineUser {
		t.Errorf("screen saved name %q login %q", set.FromName, set.Username)
	}
}

// plainDraft is "Other server" with no encryption on a plaintext server
// that takes AUTH in clear, reached at the address the resolver gives
// (the dialer always connects to the local server: no traffic leaves).
func plainDraft(t *testing.T, srv *smtptest.Server, ip string) *steps.Session {
	s := otherDraft(t, srv, lineUser)
	s.Draft.Settings.Security = smtp.SecurityNone
	s.Test.Resolver = fixedResolver{net.ParseIP(ip)}
	s.Test.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Addr())
	}
	return s
}

type fixedResolver struct{ ip net.IP }

func (r fixedResolver) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: r.ip}}, nil
}

const plainWarned = "without encryption the password crosses the network readable by anyone on it"

// TestWalkPlaintextOnPrivateAddress: a server on this machine that speaks
// no TLS. The test refuses AUTH in clear; the user chooses it by its key,
// after the warning, in both renderers; the saved config says so, and
// works as `check` runs it.
func TestWalkPlaintextOnPrivateAddress(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain), smtptest.WithAllowInsecureAuth(true), smtptest.WithAccount(lineUser, linePass))
	script := []answer{kept(wProvider), kept(wAccount),
		kept(wHost), kept(wMode), kept(wPort), kept(wCAFile), onFailure("u"), testPassed(), kept(wWrite)}
	line, screen, out := walkBoth(t, func() *steps.Session { return plainDraft(t, srv, "127.0.0.1") }, script)
	if n := len(srv.Logins()); n != 2 {
		t.Errorf("%d logins on the server, want one per renderer (the first test of each stopped before AUTH)", n)
	}
	for _, want := range []string{"[auth.plaintext_refused]", plainWarned, "Log in without encryption on this private network"} {
		if !strings.Contains(out, want) {
			t.Errorf("line mode never showed %q:\n%s", want, out)
		}
	}
	for _, s := range []*steps.Session{line, screen} {
		set := savedWorks(t, s)
		if !set.AllowPlaintextAuth || set.Security != smtp.SecurityNone || set.Password.Reveal() != linePass {
			t.Errorf("saved allow_plaintext_auth %v, security %v: want the choice saved", set.AllowPlaintextAuth, set.Security)
		}
	}
}

// TestPlaintextNotOfferedForPublicAddress: the same server seen at a
// public address (the name resolved to 192.0.2.10) gets no such choice,
// and the key does nothing: the password never crosses in clear.
func TestPlaintextNotOfferedForPublicAddress(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain), smtptest.WithAllowInsecureAuth(true), smtptest.WithAccount(lineUser, linePass))
	in, pw := lineInput([]answer{kept(wProvider), kept(wAccount), kept(wHost), kept(wMode), kept(wPort), kept(wCAFile), onFailure("u"), onFailure("q")})
	var out bytes.Buffer
	got, err := RunLines(t.Context(), plainDraft(t, srv, "192.0.2.10"), strings.NewReader(in), &out, pw)
	if err != nil || got == Saved {
		t.Fatalf("line mode: %v, %v\n%s", got, err, out.String())
	}
	text := out.String()
	if !strings.Contains(text, "[auth.plaintext_refused]") {
		t.Fatalf("the test did not stop before AUTH:\n%s", text)
	}
	if strings.Contains(text, plainWarned) || strings.Contains(text, "Log in without encryption") || !strings.Contains(text, `"u" is not one of the choices`) {
		t.Errorf("a public address was offered AUTH in clear:\n%s", text)
	}

	t.Setenv("TERM", "xterm-256color")
	m := term.NewModel(t, New(t.Context(), plainDraft(t, srv, "192.0.2.10"), "", nil), 80, 24)
	drive(t, m, []answer{kept(wProvider), kept(wAccount), kept(wHost), kept(wMode), kept(wPort), kept(wCAFile)})
	m.WaitFor("[auth.plaintext_refused]")
	if strings.Contains(m.Screen(), "u log in unencrypted") || strings.Contains(m.Screen(), "Press u") {
		t.Errorf("the screen offers AUTH in clear to a public address:\n%s", m.Screen())
	}
	m.Press("u")
	m.Press("t").WaitFor("Transcript") // the screen still answers; no test ran again
	if len(srv.Logins()) != 0 || strings.Contains(string(srv.Wire()), "AUTH") {
		t.Error("AUTH crossed the network in clear to a public address")
	}
}

// TestLinesBackToTheAddress: the line mode's list after a look-up takes b
// (named in its prompt) back to the address, as Esc does on the screen; the
// address typed then is looked up afresh.
func TestLinesBackToTheAddress(t *testing.T) {
	s := steps.NewSession(steps.Env{Catalogue: smtp.BuiltinCatalogue(), ConfigPath: filepath.Join(t.TempDir(), "smtp.yaml")})
	_, out := runLines(t, s, "me@gmail.com\nb\nme@outlook.com\n", passwords())
	if !strings.Contains(out, "b to change the address)") {
		t.Errorf("the list's prompt does not name the way back:\n%s", out)
	}
	if n := strings.Count(out, "Your e-mail address"); n != 2 {
		t.Errorf("the address was asked %d times, want 2:\n%s", n, out)
	}
	after := out[strings.LastIndex(out, "Your e-mail address"):]
	if !strings.Contains(after, "← your address") || strings.Contains(after, "Gmail  ←") {
		t.Errorf("the second address was not looked up afresh:\n%s", after)
	}
	if s.Draft.Settings.From != "me@outlook.com" {
		t.Errorf("draft From %q, want the address typed the second time", s.Draft.Settings.From)
	}
}

// dnsStub answers MX and SRV with "no such name" and addresses from a map;
// nothing is dialled (every connection is refused), so no packet leaves.
type dnsStub map[string][]string

func (dnsStub) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (dnsStub) LookupSRV(_ context.Context, _, _, name string) (string, []*net.SRV, error) {
	return "", nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (d dnsStub) LookupHost(_ context.Context, host string) ([]string, error) {
	if a, ok := d[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// TestProviderSaysNoMXOrUnknownDomain: a domain with an address but no MX
// and a domain DNS does not know are told apart on the Provider step.
func TestProviderSaysNoMXOrUnknownDomain(t *testing.T) {
	for _, tc := range []struct{ addr, want, not string }{
		{"nas@nomx.example", "the domain exists but names no mail server (no MX record)", "does not exist"},
		{"nas@nosuch.example", "the domain does not exist (DNS has no mail server and no address for it)", "no MX record"},
	} {
		s := steps.NewSession(steps.Env{Catalogue: smtp.BuiltinCatalogue(), ConfigPath: filepath.Join(t.TempDir(), "smtp.yaml"),
			Detect: detect.Options{
				Resolver: dnsStub{"nomx.example": {"192.0.2.25"}},
				Dial: func(context.Context, string, string) (net.Conn, error) {
					return nil, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
				},
			}})
		_, out := runLines(t, s, tc.addr+"\n", passwords())
		if !strings.Contains(out, tc.want) || strings.Contains(out, tc.not) {
			t.Errorf("%s: the Provider step does not say %q:\n%s", tc.addr, tc.want, out)
		}
		if !strings.Contains(out, "[other]: ") {
			t.Errorf("%s: the list does not start on Other server:\n%s", tc.addr, out)
		}
	}
}
