package smtp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

const (
	user = "alice@example.test"
	pass = "CANARY-s3cret pass"
)

// settingsFor points the settings at a test server, trusting its CA.
func settingsFor(srv *smtptest.Server, sec smtp.Security) (smtp.Settings, smtp.Options) {
	s := smtp.Settings{Host: "localhost", Port: srv.Port(), Security: sec, Auth: smtp.AuthAuto,
		Username: user, Password: smtp.NewSecret(pass), From: user}
	return s, smtp.Options{Timeout: 5 * time.Second, ProbeAfter: 200 * time.Millisecond, RootCAs: srv.CA().Pool(), HelloName: "tester.local"}
}

func run(t *testing.T, s smtp.Settings, o smtp.Options, p *smtp.Provider) (*smtp.Report, *smtp.Diagnosis) {
	t.Helper()
	rep := smtp.Test(context.Background(), s, o)
	assertNoSecret(t, rep)
	d := smtp.Diagnose(rep, p)
	if err := smtp.CheckPseudo(rep, p, d); err != nil {
		t.Error(err)
	}
	return rep, d
}

// assertNoSecret checks that the password, in clear or in any base64 form
// an AUTH exchange uses, appears nowhere in the report a user could see.
func assertNoSecret(t *testing.T, rep *smtp.Report) {
	t.Helper()
	out, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	text.Write(out)
	for _, l := range rep.Transcript {
		text.WriteString(l.String() + "\n")
	}
	for _, st := range rep.Stages {
		text.WriteString(st.Detail + "\n")
	}
	b64 := base64.StdEncoding.EncodeToString
	for _, secret := range []string{pass, b64([]byte(pass)), b64([]byte("\x00" + user + "\x00" + pass)), b64([]byte(user + "\x00" + user + "\x00" + pass))} {
		if strings.Contains(text.String(), secret) {
			t.Fatalf("the password (or its base64 form %q) appears in the report", secret)
		}
	}
}

func wantCode(t *testing.T, rep *smtp.Report, d *smtp.Diagnosis, code string) {
	t.Helper()
	if d == nil {
		t.Fatalf("test passed; want diagnosis %s", code)
	}
	if d.Code != code {
		t.Fatalf("diagnosis %s (%s), want %s; failure %+v", d.Code, d.Title, code, rep.Failure)
	}
	if d.Title == "" || d.Fix == "" {
		t.Fatalf("diagnosis %s lacks a title or a fix: %+v", code, d)
	}
}

func TestPassesSTARTTLSAndImplicitTLS(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode smtptest.Mode
		sec  smtp.Security
		mech string
	}{
		{"starttls plain", smtptest.ModeSTARTTLS, smtp.SecuritySTARTTLS, "PLAIN"},
		{"implicit tls", smtptest.ModeImplicitTLS, smtp.SecuritySSL, "PLAIN"},
		{"login only", smtptest.ModeSTARTTLS, smtp.SecuritySTARTTLS, "LOGIN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.NewServer(t, smtptest.WithMode(tc.mode), smtptest.WithAccount(user, pass), smtptest.WithAuthMechanisms(tc.mech))
			s, o := settingsFor(srv, tc.sec)
			rep, d := run(t, s, o, nil)
			if !rep.OK || d != nil {
				t.Fatalf("test failed: %+v %+v", rep.Failure, d)
			}
			if rep.Server.TLS == nil || rep.Server.TLS.Certificate == nil || rep.Server.TLS.Certificate.SHA256 == "" {
				t.Fatalf("no TLS facts: %+v", rep.Server.TLS)
			}
			for _, st := range smtp.Plan(s, o) {
				if r, ok := rep.Stage(st); !ok || !r.OK {
					t.Errorf("stage %s: ran %v, %+v", st, ok, r)
				}
			}
			if logins := srv.Logins(); len(logins) != 1 || !logins[0].OK || logins[0].Mechanism != tc.mech {
				t.Fatalf("server saw logins %+v", logins)
			}
			if bytes.Contains(srv.PlainWire(), []byte("AUTH")) {
				t.Fatal("AUTH crossed the network in clear")
			}
		})
	}
}

func TestSendsOneMessageOnlyWhenAsked(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	s.FromName = "Office NAS"
	if rep, _ := run(t, s, o, nil); !rep.OK || len(srv.Messages()) != 0 {
		t.Fatalf("without --send-to: ok=%v, %d messages sent", rep.OK, len(srv.Messages()))
	}
	o.SendTo = "bob@example.test"
	rep, _ := run(t, s, o, nil)
	if !rep.OK || rep.Sent == nil {
		t.Fatalf("send failed: %+v", rep.Failure)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages arrived", len(msgs))
	}
	data := string(msgs[0].Data)
	for _, want := range []string{"Date: ", "Message-ID: ", "From: \"Office NAS\" <" + user + ">", "Code: " + rep.Sent.Code, "Subject: smtpsetup test message " + rep.Sent.Code} {
		if !strings.Contains(data, want) {
			t.Errorf("message lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(strings.ReplaceAll(data, "\r\n", ""), "\n") || strings.Contains(data, pass) {
		t.Fatalf("message has a bare LF or the password:\n%q", data)
	}
}

func TestDiagnosesServerReplies(t *testing.T) {
	gmail, _ := smtp.BuiltinCatalogue().ByID("gmail")
	for _, tc := range []struct {
		name     string
		opts     []smtptest.Option
		password string
		provider *smtp.Provider
		sendTo   string
		code     string
	}{
		{"wrong password", nil, "wrong", nil, "", "auth.bad_credentials"},
		{"gmail 535 means app password", nil, "wrong", gmail, "", "auth.app_password_required"},
		{"534 5.7.9", []smtptest.Option{smtptest.WithReply("AUTH", 534, "5.7.9", "Application-specific password required. Learn more at\nhttps://support.google.com/mail/?p=InvalidSecondFactor")}, pass, nil, "", "auth.app_password_required"},
		{"microsoft 5.7.139", []smtptest.Option{smtptest.WithReply("AUTH", 535, "5.7.139", "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled")}, pass, nil, "", "auth.basic_auth_disabled"},
		{"microsoft 5.7.30", []smtptest.Option{smtptest.WithReply("AUTH", 550, "5.7.30", "Basic authentication is not supported for Client Submission.")}, pass, nil, "", "auth.basic_auth_disabled"},
		{"yahoo AUTH005", []smtptest.Option{smtptest.WithReply("AUTH", 535, "5.7.0", "(#AUTH005) Too many bad auth attempts.")}, pass, nil, "", "auth.app_password_required"},
		{"QQ authorization code", []smtptest.Option{smtptest.WithReply("AUTH", 535, "", "Login Fail. Please enter your authorization code to login.")}, pass, nil, "", "auth.app_password_required"},
		{"google web login", []smtptest.Option{smtptest.WithReply("AUTH", 534, "5.7.14", "Please log in via your web browser and then try again.")}, pass, nil, "", "auth.web_login_required"},
		{"sender not owned", []smtptest.Option{smtptest.WithOwnedSenders(user, "other@example.test")}, pass, nil, "bob@example.test", "send.sender_rejected"},
		{"sendgrid identity", []smtptest.Option{smtptest.WithReply("MAIL", 550, "", "The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.")}, pass, nil, "bob@example.test", "send.sender_rejected"},
		{"ses not verified at DATA", []smtptest.Option{smtptest.WithReply("DATA", 554, "", "Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: alice@example.test")}, pass, nil, "bob@example.test", "send.sender_rejected"},
		{"recipient rejected", []smtptest.Option{smtptest.WithReply("RCPT", 554, "5.7.1", "<bob@example.test>: Relay access denied")}, pass, nil, "bob@example.test", "send.recipient_rejected"},
		{"greeting refused", []smtptest.Option{smtptest.WithReply(smtptest.Greeting, 554, "5.7.1", "No SMTP service here")}, pass, nil, "", "greeting.rejected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.NewServer(t, append([]smtptest.Option{smtptest.WithAccount(user, pass)}, tc.opts...)...)
			s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
			s.Password = smtp.NewSecret(tc.password)
			o.SendTo = tc.sendTo
			rep, d := run(t, s, o, tc.provider)
			wantCode(t, rep, d, tc.code)
			if strings.HasPrefix(tc.code, "auth.") && len(srv.Logins()) != 1 {
				t.Fatalf("want exactly one login attempt (never a retry), got %d", len(srv.Logins()))
			}
		})
	}
}

// TestDiagnosesIssue11Replies serves the replies issue 11 found misread,
// at their stage, and checks the family, that a 4xx reads as temporary with
// no change of settings, and that the server's words are in the diagnosis.
func TestDiagnosesIssue11Replies(t *testing.T) {
	cat := smtp.BuiltinCatalogue()
	gmail, _ := cat.ByID("gmail")
	ms365, _ := cat.ByID("microsoft365")
	for _, tc := range []struct {
		name     string
		opt      smtptest.Option
		provider *smtp.Provider
		sendTo   string
		code     string
		family   string
		words    string
	}{
		{"server busy at the greeting", smtptest.WithReply(smtptest.Greeting, 421, "4.4.5", "Server busy, try again later."), gmail, "", "server.temporary", smtp.FamilyServerTemporary, "Server busy"},
		{"temporary auth problem", smtptest.WithReply("AUTH", 454, "4.7.0", "Cannot authenticate due to a temporary system problem. Try again later."), gmail, "", "server.temporary", smtp.FamilyServerTemporary, "temporary system problem"},
		{"daily sending limit at MAIL", smtptest.WithReply("MAIL", 550, "5.4.5", "Daily user sending limit exceeded."), gmail, "bob@example.test", "rate.limited", smtp.FamilyRateLimit, "Daily user sending limit"},
		{"traffic not accepted from this IP", smtptest.WithReply("RCPT", 550, "5.7.708", "Access denied, traffic not accepted from this IP."), ms365, "bob@example.test", "ip.blocked", smtp.FamilyIPBlocked, "traffic not accepted"},
		{"TLS 1.0 and 1.1 refused", smtptest.WithReply(smtptest.Greeting, 421, "4.7.66", "TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2."), ms365, "", "tls.version_too_old", smtp.FamilyTLSRequired, "TLS 1.0 and 1.1"},
		{"421 to EHLO", smtptest.WithReply("EHLO", 421, "4.7.0", "Try again later, closing connection."), gmail, "", "server.temporary", smtp.FamilyServerTemporary, "closing connection"},
		{"EHLO name refused", smtptest.WithReply("EHLO", 504, "5.5.2", "<nas>: Helo command rejected: need fully-qualified hostname"), nil, "", "helo.rejected", smtp.FamilyProtocol, "fully-qualified"},
		{"DMARC at DATA", smtptest.WithReply("DATA", 550, "5.7.26", "Unauthenticated email from example.test is not accepted due to domain's DMARC policy."), gmail, "bob@example.test", "content.spf_dkim_dmarc", smtp.FamilyContentPolicy, "DMARC policy"},
		{"not logged in at MAIL", smtptest.WithReply("MAIL", 530, "5.7.0", "Authentication Required."), gmail, "bob@example.test", "send.auth_required", smtp.FamilyProtocol, "Authentication Required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass), tc.opt)
			s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
			o.SendTo = tc.sendTo
			rep, d := run(t, s, o, tc.provider)
			wantCode(t, rep, d, tc.code)
			if d.Family != tc.family {
				t.Errorf("family %s, want %s", d.Family, tc.family)
			}
			if !strings.Contains(d.Reply, tc.words) {
				t.Errorf("the diagnosis lacks the server's words %q: reply %q", tc.words, d.Reply)
			}
			if temp := rep.Failure.Reply.Code/100 == 4; d.Transient != temp {
				t.Errorf("transient %v for %d", d.Transient, rep.Failure.Reply.Code)
			}
			if d.Transient && (d.Suggestion != nil || !strings.Contains(strings.ToLower(d.Fix), "nothing in the settings needs to change")) {
				t.Errorf("a temporary refusal got a fix that changes settings: %q %v", d.Fix, d.Suggestion)
			}
			if strings.Contains(string(srv.Wire()), "HELO ") {
				t.Errorf("the client fell back to HELO after the server's refusal of EHLO:\n%s", srv.Wire())
			}
		})
	}
}

func TestDiagnosesWrongModeForPort(t *testing.T) {
	t.Run("ssl on a starttls port", func(t *testing.T) {
		srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass))
		s, o := settingsFor(srv, smtp.SecuritySSL)
		rep, d := run(t, s, o, nil)
		wantCode(t, rep, d, "tls.not_tls")
		// The server's whole greeting line is quoted, not the 5 bytes a
		// TLS record header holds ("220 m").
		if !regexp.MustCompile(`\("220 [^"\\]{6,}"\)`).MatchString(d.Detail) {
			t.Errorf("the detail does not quote the whole greeting line:\n%s", d.Detail)
		}
		if d.Suggestion == nil || d.Suggestion.Security != smtp.SecuritySTARTTLS || d.Suggestion.Port != srv.Port() {
			t.Fatalf("suggestion %+v", d.Suggestion)
		}
		// Applying the suggestion fixes it.
		if rep, _ := run(t, d.Suggestion.Apply(s), o, nil); !rep.OK {
			t.Fatalf("suggested settings fail: %+v", rep.Failure)
		}
	})
	t.Run("starttls on an implicit tls port", func(t *testing.T) {
		srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeImplicitTLS), smtptest.WithAccount(user, pass))
		s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
		o.Timeout = time.Minute // the probe, not the timeout, must find it
		done := make(chan struct{})
		var rep *smtp.Report
		var d *smtp.Diagnosis
		go func() { rep, d = run(t, s, o, nil); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("no verdict: the TLS probe did not end the silent greeting")
		}
		wantCode(t, rep, d, "greeting.timeout")
		if d.Suggestion == nil || d.Suggestion.Security != smtp.SecuritySSL {
			t.Fatalf("suggestion %+v", d.Suggestion)
		}
	})
	t.Run("none with a login on a starttls port", func(t *testing.T) {
		srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass), smtptest.WithAuthRequiresTLS())
		s, o := settingsFor(srv, smtp.SecurityNone)
		rep, d := run(t, s, o, nil)
		wantCode(t, rep, d, "auth.plaintext_refused")
		if d.Suggestion == nil || d.Suggestion.Security != smtp.SecuritySTARTTLS {
			t.Fatalf("suggestion %+v", d.Suggestion)
		}
		if len(srv.Logins()) != 0 || bytes.Contains(srv.Wire(), []byte("AUTH")) {
			t.Fatal("credentials were sent over a plain link")
		}
		// Forced, the server's own 530 is explained the same way.
		s.AllowPlaintextAuth = true
		rep, d = run(t, s, o, nil)
		wantCode(t, rep, d, "starttls.required")
	})
}

func TestDiagnosesTLSFailures(t *testing.T) {
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	expired, err := ca.IssueWithValidity(time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour), "localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := ca.Issue("mail.example.test")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		opts    []smtptest.Option
		noRoots bool
		code    string
	}{
		{"untrusted", nil, true, "tls.untrusted"},
		{"expired", []smtptest.Option{smtptest.WithCertificate(expired)}, false, "tls.expired"},
		{"hostname", []smtptest.Option{smtptest.WithCertificate(other)}, false, "tls.hostname_mismatch"},
	} {
		for _, mode := range []smtptest.Mode{smtptest.ModeSTARTTLS, smtptest.ModeImplicitTLS} {
			t.Run(tc.name+" "+mode.String(), func(t *testing.T) {
				srv := smtptest.NewServer(t, append([]smtptest.Option{smtptest.WithMode(mode), smtptest.WithCA(ca), smtptest.WithAccount(user, pass)}, tc.opts...)...)
				sec := smtp.SecuritySTARTTLS
				if mode == smtptest.ModeImplicitTLS {
					sec = smtp.SecuritySSL
				}
				s, o := settingsFor(srv, sec)
				if tc.noRoots {
					o.RootCAs = nil
				}
				rep, d := run(t, s, o, nil)
				wantCode(t, rep, d, tc.code)
				if len(srv.Logins()) != 0 {
					t.Fatal("logged in over an unverified link")
				}
			})
		}
	}
	t.Run("ca file fixes untrusted", func(t *testing.T) {
		srv := smtptest.NewServer(t, smtptest.WithCA(ca), smtptest.WithAccount(user, pass))
		s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
		o.RootCAs = nil
		s.CAFile = t.TempDir() + "/ca.pem"
		if err := writeFile(s.CAFile, ca.PEM()); err != nil {
			t.Fatal(err)
		}
		if rep, _ := run(t, s, o, nil); !rep.OK {
			t.Fatalf("with --ca-file: %+v", rep.Failure)
		}
	})
}

func TestFailsClosedWithoutSTARTTLS(t *testing.T) {
	srv := smtptest.NewRawServer(t, smtptest.NoSTARTTLS, smtptest.WithAccount(user, pass))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	rep, d := run(t, s, o, nil)
	wantCode(t, rep, d, "starttls.not_offered")
	if bytes.Contains(srv.Wire(), []byte("AUTH")) || len(srv.Logins()) != 0 {
		t.Fatal("credentials were sent although STARTTLS was missing")
	}
}

func TestIgnoresInjectionAfterSTARTTLS(t *testing.T) {
	srv := smtptest.NewRawServer(t, smtptest.STARTTLSInjection, smtptest.WithAccount(user, pass))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	rep, _ := run(t, s, o, nil)
	if !rep.OK {
		t.Fatalf("test failed: %+v", rep.Failure)
	}
	for _, l := range rep.Transcript {
		if strings.Contains(l.Text, "INJECTED") {
			t.Fatalf("an injected plain-text line was read as a reply: %q", l.Text)
		}
	}
}

// stubResolver answers every lookup with err.
type stubResolver struct{ err error }

func (r stubResolver) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) { return nil, r.err }

func TestDiagnosesNetworkFailures(t *testing.T) {
	base := smtp.Settings{Host: "smtp.example.test", Port: 587, Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthAuto}
	closed := func() int {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().(*net.TCPAddr).Port
	}
	for _, tc := range []struct {
		name string
		s    smtp.Settings
		o    smtp.Options
		code string
	}{
		{"name not found", base, smtp.Options{Resolver: blocking{"smtp.example.test"}, InterfaceAddrs: online}, "resolve.not_found"},
		{"no dns", base, smtp.Options{Resolver: stubResolver{&net.DNSError{Err: "server misbehaving", Name: "smtp.example.test", IsTemporary: true}}, InterfaceAddrs: online}, "resolve.failed"},
		{"refused", smtp.Settings{Host: "127.0.0.1", Port: closed(), Security: smtp.SecuritySTARTTLS}, smtp.Options{}, "connect.refused"},
		{"dropped", smtp.Settings{Host: "192.0.2.1", Port: 25, Security: smtp.SecurityNone}, smtp.Options{Timeout: 300 * time.Millisecond, InterfaceAddrs: online,
			Dial: func(ctx context.Context, _, _ string) (net.Conn, error) { <-ctx.Done(); return nil, ctx.Err() }}, "connect.timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, d := run(t, tc.s, tc.o, nil)
			wantCode(t, rep, d, tc.code)
		})
	}
}

func TestHostileServers(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    smtptest.Behavior
		opts []smtptest.Option
		code string
	}{
		{"silent", smtptest.Silent, nil, "greeting.timeout"},
		{"captive portal", smtptest.CaptivePortal, nil, "server.unexpected"},
		{"endless line", smtptest.EndlessLine, nil, "server.unexpected"},
		{"endless reply", smtptest.EndlessReply, nil, "server.unexpected"},
		{"slow drip", smtptest.SlowDrip, []smtptest.Option{smtptest.WithDripInterval(50 * time.Millisecond)}, "server.timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.NewRawServer(t, tc.b, tc.opts...)
			s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
			o.Timeout = 700 * time.Millisecond
			rep, d := run(t, s, o, nil)
			wantCode(t, rep, d, tc.code)
		})
	}
}

func TestEscapeSequencesNeverReachOutput(t *testing.T) {
	hostile := "220 mail.test \x1b[2J\x1b]0;pwned\x07\x1b]52;c;Y2xpcA==\x07 \u202eevil\u202c \xc2\x9b31m\x9b done\r\n"
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass), smtptest.WithGreeting(hostile),
		smtptest.WithRawReply("AUTH", "535-5.7.8 \x1b[31mred\x1b[0m\x08\x08\r\n535 5.7.8 bad\x00 creds\r\n"))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	rep, d := run(t, s, o, nil)
	wantCode(t, rep, d, "auth.bad_credentials")
	out, _ := json.Marshal(struct {
		R *smtp.Report
		D *smtp.Diagnosis
	}{rep, d})
	var all strings.Builder
	all.Write(out)
	all.WriteString(rep.Server.Greeting + d.Detail + d.Title)
	for _, l := range rep.Transcript {
		all.WriteString(l.Text)
	}
	for _, bad := range []string{"\x1b", "\x07", "\x08", "\x00", "\x9b", "\u009b", "\u202e"} {
		if strings.Contains(all.String(), bad) {
			t.Fatalf("output contains %q", bad)
		}
	}
}

func TestCancelEndsAtOnce(t *testing.T) {
	srv := smtptest.NewRawServer(t, smtptest.Silent)
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	o.Timeout, o.ProbeAfter = time.Hour, time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *smtp.Report)
	go func() { done <- smtp.Test(ctx, s, o) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case rep := <-done:
		if rep.Failure == nil || rep.Failure.Kind != smtp.KindCancelled {
			t.Fatalf("failure %+v, want cancelled", rep.Failure)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancel did not end the test")
	}
}

func writeFile(path string, b []byte) error {
	return errors.Join(nil, osWriteFile(path, b))
}

// TestHELOFallbackOnlyForUnknownEHLO: a server that does not know EHLO
// (500) still gets HELO, as RFC 5321 3.2 asks.
func TestHELOFallbackOnlyForUnknownEHLO(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain), smtptest.WithReply("EHLO", 500, "", "Command unrecognized"))
	s, o := settingsFor(srv, smtp.SecurityNone)
	s.Username, s.Password = "", smtp.Secret{}
	rep, d := run(t, s, o, nil)
	if !rep.OK {
		t.Fatalf("an old server without EHLO failed: %+v", d)
	}
	if !strings.Contains(string(srv.Wire()), "HELO tester.local\r\n") {
		t.Fatalf("no HELO after 500 to EHLO:\n%s", srv.Wire())
	}
}
