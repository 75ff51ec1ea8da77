package smtp

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"smtpsetup/i18n"
)

// The pseudo-locale brackets every text that went through a Printer, so a
// diagnosis rendered in it shows, outside the brackets, only what was put in
// through verbs (the server's words, hosts, addresses, codes) and English
// that was never wrapped. The table tests render each diagnosis they make
// through diagnoseBoth, which checks the pseudo-locale's rendering too.

var pseudo = i18n.New(i18n.Pseudo)

// englishWord is a word of three letters or more, as the i18n completeness
// test counts English.
var englishWord = regexp.MustCompile(`\b[A-Za-z]{3,}\b`)

// diagnoseBoth is Diagnose for the table tests: it also renders the
// diagnosis in the pseudo-locale and fails the test when a word of its
// title, detail or fix was never translated, or when the translation
// changed a decision.
func diagnoseBoth(t testing.TB, r *Report, p *Provider) *Diagnosis {
	t.Helper()
	d := Diagnose(r, p)
	if err := CheckPseudo(r, p, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// CheckPseudo renders r's diagnosis in the pseudo-locale and compares it
// with d, its English: the same code, family, transience, suggestion and
// reply, and every word of the title, detail and fix translated. It is
// exported for the corpus test (package smtp_test).
func CheckPseudo(r *Report, p *Provider, d *Diagnosis) error {
	dp := DiagnoseIn(r, p, pseudo)
	if (d == nil) != (dp == nil) {
		return fmt.Errorf("English %v, pseudo-locale %v", d, dp)
	}
	if d == nil {
		return nil
	}
	same := d.Code == dp.Code && d.Family == dp.Family && d.Transient == dp.Transient && d.Reply == dp.Reply &&
		d.RetryAfter == dp.RetryAfter && (d.Suggestion == nil) == (dp.Suggestion == nil) &&
		(d.Suggestion == nil || *d.Suggestion == *dp.Suggestion)
	if !same {
		return fmt.Errorf("the pseudo-locale changed a decision:\nEnglish %+v\npseudo  %+v", d, dp)
	}
	values := inputWords(r, p)
	for _, part := range []struct{ name, en, text string }{
		{"title", d.Title, dp.Title}, {"detail", d.Detail, dp.Detail}, {"fix", d.Fix, dp.Fix},
		{"fix without pin", d.FixWithoutPin(), dp.FixWithoutPin()},
	} {
		if part.en != "" && part.text == "" {
			return fmt.Errorf("%s %s: empty in the pseudo-locale", d.Code, part.name)
		}
		if w := untranslated(part.text, values); len(w) > 0 {
			return fmt.Errorf("%s %s: %q not translated in %q (English: %q)", d.Code, part.name, w, part.text, part.en)
		}
	}
	if lines := dp.ReplyLinesIn(pseudo); len(lines) > 0 && !strings.HasPrefix(lines[0], "[") {
		return fmt.Errorf("%s: the reply's heading %q is not translated", d.Code, lines[0])
	}
	return nil
}

// untranslated are the English words of a pseudo-locale text outside its
// brackets that are not among the input's words.
func untranslated(text string, values map[string]bool) []string {
	var out []string
	for _, w := range englishWord.FindAllString(outsideBrackets(text), -1) {
		if !values[strings.ToLower(w)] {
			out = append(out, w)
		}
	}
	return out
}

// outsideBrackets is the text with every bracketed part taken out, nested
// ones included: what the pseudo-locale did not translate.
func outsideBrackets(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// inputWords are the words a diagnosis may show untranslated because they
// were observed or typed, not written by us: the server's and the identity
// provider's words, names, hosts, addresses, certificates, stages.
func inputWords(r *Report, p *Provider) map[string]bool {
	var in []string
	s := r.Settings
	in = append(in, s.Host, s.Username, s.From, s.Helo, s.CAFile, r.Helo, r.Server.Address)
	in = append(in, r.Server.Auth...)
	in = append(in, r.Server.Extensions...)
	in = append(in, r.Network.Resolvers...)
	in = append(in, r.Network.ControlName)
	if f := r.Failure; f != nil {
		in = append(in, string(f.Stage), string(f.Kind), f.Command, f.Error, f.Seen, f.Host)
		in = append(in, f.Offered...)
		if f.Reply != nil {
			in = append(in, f.Reply.Text, f.Reply.String())
		}
		if c := f.Certificate; c != nil {
			in = append(in, c.Subject, c.Issuer, c.SHA256)
			in = append(in, c.Names...)
		}
		if o := f.OAuth; o != nil {
			in = append(in, o.Error, o.Description, o.Status, o.Scope)
		}
		in = append(in, f.LocalTime.Format("2006-01-02 15:04 MST"), f.LocalTime.Format(time.RFC3339))
	}
	if p != nil {
		in = append(in, p.Name, p.Host, p.LoginLiteral)
		for _, o := range p.Ports {
			in = append(in, o.Security.Label())
		}
	}
	words := map[string]bool{}
	for _, v := range in {
		for _, w := range regexp.MustCompile(`[A-Za-z]+`).FindAllString(v, -1) {
			words[strings.ToLower(w)] = true
		}
	}
	return words
}

// TestPseudoLocaleOutsideBrackets checks the checker: English outside the
// brackets is found, nested brackets are taken out.
func TestPseudoLocaleOutsideBrackets(t *testing.T) {
	if got := outsideBrackets("[Ţhé [ñéştéd ~] ~~] left here [x]"); got != " left here " {
		t.Fatalf("outsideBrackets = %q", got)
	}
	r := &Report{Settings: Settings{Host: "smtp.example.com", Port: 587, Security: SecuritySTARTTLS},
		Failure: &Failure{Stage: StageConnect, Kind: KindRefused}}
	d := Diagnose(r, nil)
	if err := CheckPseudo(r, nil, d); err != nil {
		t.Fatal(err)
	}
	// A text never wrapped is caught; the words of the input are not.
	got := untranslated("[Ţhé şérvér ~~] smtp.example.com: Check the host [ñéşţéd [x ~] ~]", inputWords(r, nil))
	if strings.Join(got, " ") != "Check the host" {
		t.Fatalf("untranslated = %q, want the three English words", got)
	}
}

// TestPseudoLocaleBranches renders, in the pseudo-locale, the branches of
// the diagnoses that the table, grid, corpus and live-server tests do not
// reach, each through CheckPseudo.
func TestPseudoLocaleBranches(t *testing.T) {
	cat := BuiltinCatalogue()
	gmail, _ := cat.ByID("gmail")
	ms365, _ := cat.ByID("microsoft365")
	base := Settings{Host: "smtp.example.com", Port: 587, Security: SecuritySTARTTLS, Username: "u@example.com", From: "nas@example.com"}
	gm := Settings{Host: "smtp.gmail.com", Port: 465, Security: SecuritySSL, Username: "u@gmail.com"}
	cert := &CertInfo{Subject: "CN=mail.example.com", Issuer: "CN=Example CA", Names: []string{"mail.example.com"},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		SHA256: "AB:CD:EF"}
	reply := func(code int, text string) *Reply { r := newReply(code, text); return &r }
	resolvers := NetworkFacts{Resolvers: []string{"192.0.2.53"}, ControlName: "smtp.gmail.com"}
	oauth := func(of OAuthFailure) *Failure {
		return &Failure{Stage: StageSignIn, Kind: KindOAuth, Error: "sign-in: " + of.Error, OAuth: &of}
	}
	for _, tc := range []struct {
		name string
		s    Settings
		f    *Failure
		n    NetworkFacts
		p    *Provider
		code string
	}{
		{"server closed", base, &Failure{Stage: StageEHLO, Kind: KindClosed}, NetworkFacts{}, nil, "server.closed"},
		{"server timeout", base, &Failure{Stage: StageAuth, Kind: KindTimeout}, NetworkFacts{}, nil, "server.timeout"},
		{"no network", base, &Failure{Stage: StageResolve, Kind: KindDNSFailed}, NetworkFacts{NoAddress: true}, nil, "network.none"},
		{"dns filter", base, &Failure{Stage: StageResolve, Kind: KindDNSBlocked}, resolvers, nil, "resolve.blocked"},
		{"dns down", base, &Failure{Stage: StageResolve, Kind: KindDNSNotFound}, resolvers, nil, "resolve.failed"},
		{"dns down, no resolvers", base, &Failure{Stage: StageResolve, Kind: KindDNSFailed}, NetworkFacts{ControlName: "smtp.gmail.com"}, nil, "resolve.failed"},
		{"catalogue host not found", gm, &Failure{Stage: StageResolve, Kind: KindDNSNotFound}, NetworkFacts{ControlName: "x", ControlOK: true}, gmail, "resolve.not_found"},
		{"typo in host", Settings{Host: "smtp.gmial.com", Port: 465, Security: SecuritySSL}, &Failure{Stage: StageResolve, Kind: KindDNSNotFound}, NetworkFacts{ControlOK: true}, gmail, "resolve.not_found"},
		{"identity provider not found", base, &Failure{Stage: StageSignIn, Kind: KindDNSNotFound, Host: "login.example.com"}, NetworkFacts{ControlOK: true}, nil, "resolve.not_found"},
		{"domain's dns down", base, &Failure{Stage: StageResolve, Kind: KindDNSFailed}, NetworkFacts{ControlName: "smtp.gmail.com", ControlOK: true}, nil, "resolve.failed"},
		{"domain's dns slow", base, &Failure{Stage: StageResolve, Kind: KindDNSFailed}, resolvers, nil, "resolve.failed"},
		{"speaks tls", Settings{Host: "h.example.com", Port: 465, Security: SecuritySTARTTLS}, &Failure{Stage: StageGreeting, Kind: KindSpeaksTLS}, NetworkFacts{}, nil, "greeting.timeout"},
		{"never greeted", base, &Failure{Stage: StageGreeting, Kind: KindTimeout}, NetworkFacts{}, nil, "greeting.timeout"},
		{"not tls", Settings{Host: "h.example.com", Port: 587, Security: SecuritySSL}, &Failure{Stage: StageTLS, Kind: KindNotTLS, Seen: "220 ready"}, NetworkFacts{}, nil, "tls.not_tls"},
		{"pin changed", Settings{Host: "h.example.com", Port: 465, Security: SecuritySSL, TLSPinSHA256: "AB:CD:00"}, &Failure{Stage: StageTLS, Kind: KindTLSPinChanged, Certificate: cert}, NetworkFacts{}, nil, "tls.pin_changed"},
		{"pin changed, no certificate", Settings{Host: "h.example.com", Port: 465, Security: SecuritySSL, TLSPinSHA256: "AB:CD:00"}, &Failure{Stage: StageTLS, Kind: KindTLSPinChanged}, NetworkFacts{}, nil, "tls.pin_changed"},
		{"no ca bundle", base, &Failure{Stage: StageSTARTTLS, Kind: KindTLSUntrusted, NoSystemRoots: true}, NetworkFacts{}, nil, "tls.no_ca_bundle"},
		{"clock wrong", base, &Failure{Stage: StageSTARTTLS, Kind: KindTLSExpired, LocalTime: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Certificate: cert}, NetworkFacts{}, nil, "clock.wrong"},
		{"untrusted with pin hint", base, &Failure{Stage: StageSTARTTLS, Kind: KindTLSUntrusted, Certificate: cert}, NetworkFacts{}, nil, "tls.untrusted"},
		{"untrusted, no certificate", base, &Failure{Stage: StageSTARTTLS, Kind: KindTLSUntrusted}, NetworkFacts{}, nil, "tls.untrusted"},
		{"intercepted provider", gm, &Failure{Stage: StageTLS, Kind: KindTLSUntrusted, Certificate: cert}, NetworkFacts{}, gmail, "tls.intercepted"},
		{"hostname, no names", base, &Failure{Stage: StageSTARTTLS, Kind: KindTLSHostname, ChainTrusted: true}, NetworkFacts{}, nil, "tls.hostname_mismatch"},
		{"hostname owned", gm, &Failure{Stage: StageTLS, Kind: KindTLSHostname, ChainTrusted: true, Certificate: &CertInfo{Names: []string{"smtp.googlemail.com"}}}, NetworkFacts{}, gmail, "tls.hostname_mismatch"},
		{"hostname, other names", base, &Failure{Stage: StageSTARTTLS, Kind: KindTLSHostname, ChainTrusted: true, Certificate: &CertInfo{Names: []string{"mx.other.net"}}}, NetworkFacts{}, nil, "tls.hostname_mismatch"},
		{"helo not found", base, &Failure{Stage: StageEHLO, Kind: KindReply, Command: "EHLO", Reply: reply(550, "5.7.1 <nas>: Helo command rejected: Host not found")}, NetworkFacts{}, nil, "helo.rejected"},
		{"helo bare", base, &Failure{Stage: StageEHLO, Kind: KindReply, Command: "EHLO", Reply: reply(504, "5.5.2 <nas>: Helo command rejected: need fully-qualified hostname")}, NetworkFacts{}, nil, "helo.rejected"},
		{"refused, other ports", base, &Failure{Stage: StageConnect, Kind: KindRefused}, NetworkFacts{Ports: []PortProbe{{Port: 465, Result: "connection refused"}, {Port: 25, Result: "no answer"}}}, nil, "connect.refused"},
		{"timeout, provider's port", gm, &Failure{Stage: StageConnect, Kind: KindTimeout}, NetworkFacts{}, gmail, "connect.timeout"},
		{"plaintext to a public address", Settings{Host: "mail.example.com", Port: 25, Security: SecurityNone, Username: "u"}, &Failure{Stage: StageAuth, Kind: KindPlaintextPublic}, NetworkFacts{}, nil, "auth.plaintext_public"},
		{"plaintext refused", Settings{Host: "mail.example.com", Port: 25, Security: SecurityNone, Username: "u"}, &Failure{Stage: StageAuth, Kind: KindPlaintextRefused}, NetworkFacts{}, nil, "auth.plaintext_refused"},
		{"starttls not offered", base, &Failure{Stage: StageSTARTTLS, Kind: KindSTARTTLSNotOffered}, NetworkFacts{}, nil, "starttls.not_offered"},
		{"no auth at all", base, &Failure{Stage: StageAuth, Kind: KindAuthNotOffered}, NetworkFacts{}, nil, "auth.not_offered"},
		{"unexpected", base, &Failure{Stage: StageEHLO, Kind: KindBadSettings}, NetworkFacts{}, nil, "settings.invalid"},
		{"sender rule", Settings{Host: "smtp.gmail.com", Port: 465, Security: SecuritySSL, Username: "u@gmail.com", From: "x@example.org"}, &Failure{Stage: StageSender, Kind: KindReply, Command: "MAIL", Reply: reply(553, "5.7.1 Sender address rejected: not owned by user")}, NetworkFacts{}, gmail, "send.sender_rejected"},
		{"temporary with a wait", base, &Failure{Stage: StageAuth, Kind: KindReply, Command: "AUTH", Reply: reply(454, "4.7.0 Too many login attempts, please try again in 15 minutes")}, NetworkFacts{}, nil, ""},
		{"rate limit wait", base, &Failure{Stage: StageSend, Kind: KindReply, Command: "MAIL", Reply: reply(451, "4.7.1 Rate limit exceeded, retry after 1 hour")}, NetworkFacts{}, nil, ""},
		{"app password, authorization code", base, &Failure{Stage: StageAuth, Kind: KindReply, Command: "AUTH", Reply: reply(535, "5.7.9 Application-specific password required, use your authorization code")}, NetworkFacts{}, nil, ""},
		{"oauth bad paste", base, oauth(OAuthFailure{Error: "bad_paste"}), NetworkFacts{}, nil, "oauth.bad_paste"},
		{"oauth bad token file", base, oauth(OAuthFailure{Error: "bad_token_file"}), NetworkFacts{}, nil, "oauth.bad_token_file"},
		{"oauth unreachable", base, oauth(OAuthFailure{Error: "network"}), NetworkFacts{}, nil, "oauth.unreachable"},
		{"oauth not signed in", base, oauth(OAuthFailure{Error: "not_signed_in"}), NetworkFacts{}, nil, "oauth.not_signed_in"},
		{"oauth expired refresh, days", base, oauth(OAuthFailure{Op: "refresh", Error: "invalid_grant", Description: "AADSTS70008: expired"}), NetworkFacts{}, ms365, "oauth.signin_expired"},
		{"oauth blocked", base, oauth(OAuthFailure{Error: "access_denied", AADSTS: "53003", Description: "Access has been blocked by Conditional Access policies."}), NetworkFacts{}, ms365, "oauth.device_code_blocked"},
		{"xoauth2 status", Settings{Host: "smtp.office365.com", Port: 587, Security: SecuritySTARTTLS, Auth: AuthXOAUTH2}, &Failure{Stage: StageAuth, Kind: KindReply, Command: "AUTH", Reply: reply(535, "5.7.3 Authentication unsuccessful"), OAuth: &OAuthFailure{Status: "401", Scope: "https://outlook.office.com/SMTP.Send"}}, NetworkFacts{}, ms365, "auth.oauth_token_refused"},
		{"xoauth2 other", Settings{Host: "smtp.example.com", Port: 587, Security: SecuritySTARTTLS, Auth: AuthXOAUTH2}, &Failure{Stage: StageAuth, Kind: KindReply, Command: "AUTH", Reply: reply(501, "5.5.4 Syntax error")}, NetworkFacts{}, nil, "auth.oauth_token_refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{Settings: tc.s, Failure: tc.f, Network: tc.n, Helo: "nas",
				Server: ServerInfo{Address: "192.0.2.25:25", Auth: []string{"XOAUTH2"}}}
			d := Diagnose(r, tc.p)
			if d == nil || tc.code != "" && d.Code != tc.code {
				t.Fatalf("got %+v, want %s", d, tc.code)
			}
			if err := CheckPseudo(r, tc.p, d); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestPseudoLocaleNetworkLines: the lines about this machine's side are
// translated, the family note included, while the report keeps its English.
func TestPseudoLocaleNetworkLines(t *testing.T) {
	note, ok := familyNote([]dialFailure{{net.ParseIP("2001:db8::25"), dialWhy(context.DeadlineExceeded)}}, net.ParseIP("192.0.2.25"))
	if !ok {
		t.Fatal("no family note for a failed IPv6 and a working IPv4")
	}
	r := &Report{Server: ServerInfo{Notes: []string{note.in(nil)}}, noteFacts: []familyFacts{note},
		Network: NetworkFacts{NoAddress: true, Resolvers: []string{"192.0.2.53"}, ControlName: "smtp.gmail.com",
			Ports: []PortProbe{{Port: 465, Security: SecuritySSL, Result: "no answer"}, {Port: 25, Security: SecurityNone, Result: "open"}}}}
	en := r.NetworkLines()
	if want := "IPv6 did not work (2001:db8::25: no answer); connected over IPv4 instead (192.0.2.25)."; en[0] != want {
		t.Fatalf("English note %q, want %q", en[0], want)
	}
	values := map[string]bool{"ipv": true, "db": true, "smtp": true, "gmail": true, "com": true, "ssl": true, "tls": true}
	for i, l := range r.NetworkLinesIn(pseudo) {
		if w := untranslated(l, values); len(w) > 0 {
			t.Errorf("line %d %q: %q not translated (English %q)", i, l, w, en[i])
		}
	}
}

// TestPseudoLocaleStageDetails: a live test's stage details keep their
// English, and read translated in the pseudo-locale but for the values.
func TestPseudoLocaleStageDetails(t *testing.T) {
	tt := &tester{mask: newSecretMask(Settings{})}
	addrs := []net.IPAddr{{IP: net.ParseIP("192.0.2.1")}, {IP: net.ParseIP("192.0.2.2")}, {IP: net.ParseIP("192.0.2.3")}, {IP: net.ParseIP("192.0.2.4")}, {IP: net.ParseIP("192.0.2.5")}}
	for _, tc := range []struct {
		do   func() (string, error)
		want string
	}{
		{func() (string, error) { return tt.describeAddrs(addrs), nil }, "192.0.2.1, 192.0.2.2, 192.0.2.3, and 2 more"},
		{func() (string, error) { return tt.say(i18n.N("%s accepted"), "nas@example.com"), nil }, "nas@example.com accepted"},
		{func() (string, error) { return tt.say(i18n.N("no answer; the connection is closed")), nil }, "no answer; the connection is closed"},
	} {
		tt.rep = &Report{}
		tt.stage(StageResolve, tc.do)
		res := tt.rep.Stages[0]
		if res.Detail != tc.want || res.DetailIn(nil) != tc.want {
			t.Errorf("English %q, want %q", res.Detail, tc.want)
		}
		if w := untranslated(res.DetailIn(pseudo), map[string]bool{"nas": true, "example": true, "com": true}); len(w) > 0 || res.DetailIn(pseudo) == tc.want {
			t.Errorf("pseudo-locale %q: %q not translated", res.DetailIn(pseudo), w)
		}
	}
}
