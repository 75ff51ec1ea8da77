package smtp

import (
	"strings"
	"testing"
	"time"
)

// TestDiagnoseTable covers observations a test server cannot easily
// produce; probe_test.go produces the rest against a real server.
func TestDiagnoseTable(t *testing.T) {
	ms365 := &Provider{ID: "microsoft365", Name: "Microsoft 365"}
	sendgrid := &Provider{ID: "sendgrid", Name: "SendGrid", Login: LoginLiteral, LoginLiteral: "apikey", Secret: SecretRule{Label: "API key"}}
	base := Settings{Host: "smtp.example.com", Port: 587, Security: SecuritySTARTTLS, Username: "u@example.com"}
	reply := func(code int, enh, text string) *Reply { r := newReply(code, text); r.Enhanced = enh; return &r }
	for _, tc := range []struct {
		name    string
		s       Settings
		f       Failure
		server  ServerInfo
		p       *Provider
		code    string
		suggest *Suggestion
		says    string
	}{
		{"cancelled", base, Failure{Stage: StageGreeting, Kind: KindCancelled}, ServerInfo{}, nil, "test.cancelled", nil, ""},
		{"unreachable", base, Failure{Stage: StageConnect, Kind: KindUnreachable}, ServerInfo{}, nil, "network.unreachable", nil, ""},
		{"port 25 blocked", Settings{Host: "h", Port: 25, Security: SecurityNone}, Failure{Stage: StageConnect, Kind: KindTimeout}, ServerInfo{}, nil, "connect.timeout", &Suggestion{SecuritySTARTTLS, 587}, "block"},
		{"handshake", base, Failure{Stage: StageSTARTTLS, Kind: KindTLSHandshake, Error: "remote error: tls: handshake failure"}, ServerInfo{}, nil, "tls.handshake", nil, "TLS"},
		{"tls hung up", Settings{Host: "h", Port: 587, Security: SecuritySSL}, Failure{Stage: StageTLS, Kind: KindClosed}, ServerInfo{}, nil, "tls.not_tls", &Suggestion{SecuritySTARTTLS, 587}, ""},
		{"clock in 1970", base, Failure{Stage: StageSTARTTLS, Kind: KindTLSExpired, LocalTime: time.Date(1970, 1, 1, 0, 5, 0, 0, time.UTC)}, ServerInfo{}, nil, "clock.wrong", nil, "1970-01-01"},
		{"expired shows the clock", base, Failure{Stage: StageSTARTTLS, Kind: KindTLSExpired, LocalTime: time.Now(),
			Certificate: &CertInfo{NotBefore: time.Now().AddDate(0, -4, 0), NotAfter: time.Now().AddDate(0, -1, 0)}}, ServerInfo{}, nil, "tls.expired", nil, time.Now().Format("2006-01-02")},
		{"xoauth2 only", base, Failure{Stage: StageAuth, Kind: KindAuthNotOffered, Offered: []string{"XOAUTH2"}}, ServerInfo{TLS: &TLSInfo{}}, nil, "auth.not_offered", nil, "OAuth"},
		{"auth only after tls", Settings{Host: "h", Port: 25, Security: SecurityNone, Username: "u", AllowPlaintextAuth: true}, Failure{Stage: StageAuth, Kind: KindAuthNotOffered}, ServerInfo{Extensions: []string{"PIPELINING", "STARTTLS"}}, nil, "auth.not_offered", &Suggestion{SecuritySTARTTLS, 25}, ""},
		{"m365 5.7.3 on provider", base, Failure{Stage: StageAuth, Kind: KindReply, Command: "AUTH", Reply: reply(535, "5.7.3", "5.7.3 Authentication unsuccessful")}, ServerInfo{}, ms365, "auth.bad_credentials", nil, ""},
		{"sendgrid login must be apikey", base, Failure{Stage: StageAuth, Kind: KindReply, Command: "AUTH", Reply: reply(535, "", "Authentication failed: Bad username / password")}, ServerInfo{}, sendgrid, "auth.bad_credentials", nil, `"apikey"`},
		{"not logged in at MAIL, no login set", Settings{Host: "h", Port: 587, Security: SecuritySTARTTLS}, Failure{Stage: StageSend, Kind: KindReply, Command: "MAIL", Reply: reply(530, "5.7.0", "5.7.0 Authentication required")}, ServerInfo{TLS: &TLSInfo{}}, nil, "send.auth_required", nil, "never logged in"},
		{"not authenticated at MAIL", base, Failure{Stage: StageSend, Kind: KindReply, Command: "MAIL", Reply: reply(530, "5.7.57", "5.7.57 Client not authenticated to send mail")}, ServerInfo{TLS: &TLSInfo{}}, nil, "send.auth_required", nil, ""},
		{"captive portal", base, Failure{Stage: StageGreeting, Kind: KindHTTP}, ServerInfo{}, nil, "server.unexpected", nil, "portal"},
		{"too much data", base, Failure{Stage: StageEHLO, Kind: KindTooMuchData}, ServerInfo{}, nil, "server.unexpected", nil, "KiB"},
		{"refused with provider port", base, Failure{Stage: StageConnect, Kind: KindRefused}, ServerInfo{}, &Provider{Name: "X", Ports: []PortOption{{SecuritySSL, 465, true}}}, "connect.refused", &Suggestion{SecuritySSL, 465}, ""},
		{"bad settings", base, Failure{Stage: StageResolve, Kind: KindBadSettings, Error: "host: is empty"}, ServerInfo{}, nil, "settings.invalid", nil, "host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			r := &Report{Settings: tc.s, Failure: &f, Server: tc.server}
			d := diagnoseBoth(t, r, tc.p)
			if d == nil || d.Code != tc.code {
				t.Fatalf("got %+v, want %s", d, tc.code)
			}
			if (d.Suggestion == nil) != (tc.suggest == nil) || d.Suggestion != nil && *d.Suggestion != *tc.suggest {
				t.Fatalf("suggestion %+v, want %+v", d.Suggestion, tc.suggest)
			}
			if !strings.Contains(d.Title+" "+d.Detail+" "+d.Fix, tc.says) {
				t.Fatalf("diagnosis does not say %q: %+v", tc.says, d)
			}
		})
	}
}

func TestDiagnosePassedIsNil(t *testing.T) {
	if d := Diagnose(&Report{OK: true}, nil); d != nil {
		t.Fatalf("a passed test got a diagnosis: %+v", d)
	}
}

// FuzzDiagnose feeds arbitrary replies through classification: it must
// never panic, always give a code with a fix, and never let a control
// character through.
func FuzzDiagnose(f *testing.F) {
	f.Add(535, "5.7.8 Username and Password not accepted.", "AUTH")
	f.Add(534, "5.7.9 Application-specific password required", "AUTH")
	f.Add(550, "\x1b[31m5.7.30 Basic authentication\x1b[0m", "AUTH")
	f.Add(553, "5.7.1 <a@b>: Sender address rejected: not owned by user", "MAIL")
	f.Add(421, "4.7.0 Too many", "greeting")
	f.Fuzz(func(t *testing.T, code int, text, command string) {
		r := newReply(code, text)
		rep := &Report{Settings: Settings{Host: "h", Port: 587, Security: SecuritySTARTTLS}, Failure: &Failure{Stage: StageAuth, Kind: KindReply, Command: command, Reply: &r}}
		d := Diagnose(rep, nil)
		if d == nil || d.Code == "" || d.Fix == "" {
			t.Fatalf("no diagnosis for %d %q", code, text)
		}
		for _, s := range []string{d.Title, d.Detail, d.Fix} {
			assertClean(t, s)
		}
	})
}

// TestSuggestionsNeverAlternate follows every suggestion as the wizard
// does, on a network that drops both submission ports: the convention alone
// would send the user from 587 to 465 and back forever.
func TestSuggestionsNeverAlternate(t *testing.T) {
	s := Settings{Host: "smtp.example.com", Port: 587, Security: SecuritySTARTTLS}
	var tried []Attempt
	seen := map[Suggestion]bool{}
	for range 6 {
		r := &Report{Settings: s, Failure: &Failure{Stage: StageConnect, Kind: KindTimeout}, Tried: tried}
		d := diagnoseBoth(t, r, nil)
		tried = Remember(tried, r)
		if d.Suggestion == nil {
			if len(seen) != 1 || !strings.Contains(d.Fix, "tried already") {
				t.Fatalf("after %d suggestions: %s", len(seen), d.Fix)
			}
			return
		}
		if seen[*d.Suggestion] {
			t.Fatalf("suggested %s twice", d.Suggestion)
		}
		seen[*d.Suggestion] = true
		s = d.Suggestion.Apply(s)
	}
	t.Fatal("still suggesting after 6 tests")
}

// TestRememberOnlyModeAndPortFailures: a wrong password says nothing about
// the port, so it must not stop the port being suggested.
func TestRememberOnlyModeAndPortFailures(t *testing.T) {
	s := Settings{Host: "smtp.example.com", Port: 465, Security: SecuritySSL}
	for _, tc := range []struct {
		f    *Failure
		want int
	}{
		{nil, 0},
		{&Failure{Stage: StageAuth, Kind: KindReply}, 0},
		{&Failure{Stage: StageConnect, Kind: KindCancelled}, 0},
		{&Failure{Stage: StageTLS, Kind: KindTLSUntrusted}, 0},
		{&Failure{Stage: StageEHLO, Kind: KindReply}, 0},
		{&Failure{Stage: StageTLS, Kind: KindNotTLS}, 1},
		{&Failure{Stage: StageConnect, Kind: KindRefused}, 1},
		{&Failure{Stage: StageGreeting, Kind: KindTimeout}, 1},
	} {
		if got := Remember(nil, &Report{Settings: s, Failure: tc.f}); len(got) != tc.want {
			t.Errorf("failure %+v: remembered %v", tc.f, got)
		}
	}
}

// TestLoopbackNamesNoProvider: Proton Bridge listens on 127.0.0.1, but a
// test of 127.0.0.1 is not a test of Proton.
func TestLoopbackNamesNoProvider(t *testing.T) {
	if p := providerFor(Settings{Host: "127.0.0.1", Port: 2525}, nil); p != nil {
		t.Fatalf("127.0.0.1 is taken for %s", p.ID)
	}
	if p := providerFor(Settings{Host: "SMTP.gmail.com"}, nil); p == nil || p.ID != "gmail" {
		t.Fatalf("smtp.gmail.com is not Gmail: %+v", p)
	}
	// "Other server" in the wizard, with Gmail's host typed, is Gmail.
	if p := providerFor(Settings{Host: "smtp.gmail.com"}, &Provider{ID: OtherID, Name: "Other server"}); p == nil || p.ID != "gmail" {
		t.Fatalf("smtp.gmail.com typed under Other is not Gmail: %+v", p)
	}
}

// TestBuiltinRootsHoldThePublicCAs: --builtin-roots must trust what mail
// providers' certificates chain to (Let's Encrypt's ISRG Root X1, Google
// Trust Services, DigiCert).
func TestBuiltinRootsHoldThePublicCAs(t *testing.T) {
	pool, err := builtinRoots()
	if err != nil {
		t.Fatal(err)
	}
	subjects := pool.Subjects() //nolint:staticcheck // built from DER, so exact
	if len(subjects) < 100 {
		t.Fatalf("only %d built-in roots", len(subjects))
	}
	all := string(bytesJoin(subjects))
	for _, want := range []string{"ISRG Root X1", "GTS Root R1", "DigiCert Global Root G2"} {
		if !strings.Contains(all, want) {
			t.Errorf("built-in roots lack %s", want)
		}
	}
}

func bytesJoin(b [][]byte) []byte {
	var out []byte
	for _, x := range b {
		out = append(out, x...)
	}
	return out
}

func TestControlNameIsInAnotherDomain(t *testing.T) {
	for _, host := range []string{"smtp.gmail.com", "smtp.office365.com", "mail.example.com", "smtp.exmaple.com"} {
		c := controlName(host, nil)
		if c == "" || sameSite(c, host) || isLoopbackHost(c) {
			t.Errorf("control name for %s: %q", host, c)
		}
	}
}

// TestCertificateNamesAreSuggestedOnlyWhenOwned: a name a certificate
// carries becomes advice only when the provider owns it, or it shares the
// typed host's domain.
func TestCertificateNamesAreSuggestedOnlyWhenOwned(t *testing.T) {
	gmail, _ := BuiltinCatalogue().ByID("gmail")
	for _, tc := range []struct {
		host    string
		names   []string
		trusted bool
		p       *Provider
		code    string
		says    string
		never   string
	}{
		{"mail.example.com", []string{"mx1.example.com"}, true, nil, "tls.hostname_mismatch", "names mx1.example.com", ""},
		{"mail.example.co.uk", []string{"smtp.example.co.uk"}, true, nil, "tls.hostname_mismatch", "names smtp.example.co.uk", ""},
		{"mail.example.co.uk", []string{"smtp.other.co.uk"}, true, nil, "tls.hostname_mismatch", "intercepts TLS", "use smtp.other.co.uk"},
		{"192.0.2.10", []string{"mail.example.com"}, true, nil, "tls.hostname_mismatch", "You typed an IP address", "use mail.example.com"},
		{"smtp.gmail.com", []string{"*.gmail.com"}, true, gmail, "tls.hostname_mismatch", "Gmail's documented host name (smtp.gmail.com)", "*.gmail"},
		{"smtp.gmail.com", []string{"archive.ubuntu.com"}, true, gmail, "tls.intercepted", "exempt smtp.gmail.com", "use archive"},
		{"mail.example.com", []string{"archive.ubuntu.com"}, false, nil, "tls.intercepted", "intercepts", "use archive"},
	} {
		r := &Report{Settings: Settings{Host: tc.host, Port: 465, Security: SecuritySSL},
			Failure: &Failure{Stage: StageTLS, Kind: KindTLSHostname, ChainTrusted: tc.trusted, Certificate: &CertInfo{Names: tc.names}}}
		d := diagnoseBoth(t, r, tc.p)
		all := d.Title + " " + d.Detail + " " + d.Fix
		if d.Code != tc.code || !strings.Contains(all, tc.says) || tc.never != "" && strings.Contains(strings.ToLower(d.Fix), strings.ToLower(tc.never)) {
			t.Errorf("%s with %v: %s\n%s\n%s", tc.host, tc.names, d.Code, d.Detail, d.Fix)
		}
	}
}
