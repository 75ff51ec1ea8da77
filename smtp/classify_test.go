package smtp

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// checkReplyDiagnosis holds a reply's diagnosis to the rules every reply
// obeys, whatever it says: a family of the list, a documented code of that
// family, temporary exactly for 4xx, a 4xx never changing settings, the
// server's words carried, nothing unclean.
func checkReplyDiagnosis(t *testing.T, code int, text, command string, p *Provider) {
	t.Helper()
	r := newReply(code, text)
	rep := &Report{Settings: Settings{Host: "h", Port: 587, Security: SecuritySTARTTLS, Username: "u"},
		Failure: &Failure{Stage: StageAuth, Kind: KindReply, Command: command, Reply: &r}}
	d := diagnoseBoth(t, rep, p)
	if d == nil || d.Code == "" || d.Fix == "" || d.Title == "" {
		t.Fatalf("no full diagnosis for %d %q at %s: %+v", code, text, command, d)
	}
	if !slices.Contains(ReplyFamilies, d.Family) {
		t.Fatalf("family %q of %d %q is not a reply family", d.Family, code, text)
	}
	if codeFamily(d.Code) != d.Family {
		t.Fatalf("code %s is listed under %q, diagnosis says %q", d.Code, codeFamily(d.Code), d.Family)
	}
	if d.Transient != (code >= 400 && code < 500) {
		t.Fatalf("transient %v for %d %q", d.Transient, code, text)
	}
	if d.Transient && (d.Suggestion != nil || !strings.Contains(strings.ToLower(d.Fix), "nothing in the settings needs to change")) {
		t.Fatalf("temporary %d %q got a fix that may change settings: %q %v", code, text, d.Fix, d.Suggestion)
	}
	if d.Transient && (strings.Contains(strings.ToLower(d.Fix), "password") || strings.Contains(strings.ToLower(d.Title), "rejected the login")) {
		t.Fatalf("temporary %d %q talks about the password: %q / %q", code, text, d.Title, d.Fix)
	}
	if d.Reply != wireLines(r.Code, r.Text) {
		t.Fatalf("the diagnosis does not carry the reply: %q", d.Reply)
	}
	for _, s := range []string{d.Title, d.Detail, d.Fix, d.Reply} {
		assertClean(t, s)
	}
}

// TestReplyGrid runs every stage against every class of code and a spread of
// words, with and without a provider whose knowledge applies.
func TestReplyGrid(t *testing.T) {
	cat := BuiltinCatalogue()
	var providers []*Provider
	providers = append(providers, nil)
	for _, id := range []string{"gmail", "microsoft365", "yahoo", "ses-us-east-1", "sendgrid", "zoho", "netease-163"} {
		if p, ok := cat.ByID(id); ok {
			providers = append(providers, p)
		}
	}
	texts := []string{
		"", "4.7.0 Try again later", "5.7.8 Username and Password not accepted", "5.7.139 Authentication unsuccessful, basic authentication is disabled",
		"(#AUTH005) Too many bad auth attempts.", "5.4.5 Daily user sending limit exceeded", "5.7.708 Access denied, traffic not accepted from this IP",
		"4.7.66 TLS 1.0 and 1.1 are not supported", "5.7.26 DMARC policy", "5.1.1 User unknown", "5.7.1 Sender address rejected: not owned by user",
		"5.7.500 Access denied, please try again later", "5.7.139 Authentication unsuccessful, the user credentials were incorrect.", "Message rejected: Email address is not verified", "Throttling failure: Maximum sending rate exceeded",
		"DT:SPM spam", "RP:FRL frequency", "Please log in via your web browser", "Must issue a STARTTLS command first", "5.5.2 need fully-qualified hostname",
	}
	for _, command := range []string{"greeting", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"} {
		for _, code := range []int{421, 450, 451, 452, 454, 500, 501, 502, 503, 504, 530, 534, 535, 538, 550, 551, 552, 553, 554, 555} {
			for _, text := range texts {
				for _, p := range providers {
					checkReplyDiagnosis(t, code, text, command, p)
				}
			}
		}
	}
}

// TestLayers checks which layer decides, on replies whose meaning their
// source states.
func TestLayers(t *testing.T) {
	gmail, _ := BuiltinCatalogue().ByID("gmail")
	for _, tc := range []struct {
		stage, text string
		code        int
		p           *Provider
		family      string
		layer       string
	}{
		// Layer 1 alone: no enhanced code, no telling words.
		{"rcpt", "Go away", 550, nil, FamilyRecipient, "basic"},
		{"mail", "Nope", 451, nil, FamilyServerTemporary, "basic"},
		{"greeting", "No SMTP service here", 554, nil, FamilyIPBlocked, "basic"},
		// Layer 2: a specific code decides over the stage.
		{"data", "5.7.23 nope", 550, nil, FamilyContentPolicy, "enhanced"},
		{"mail", "5.1.1 nope", 550, nil, FamilyRecipient, "enhanced"},
		{"mail", "5.1.0 nope", 550, nil, FamilySender, "enhanced"}, // address status at MAIL: the sender
		// Layer 3: the provider's published meaning.
		{"auth", "5.7.8 Username and Password not accepted.", 535, gmail, FamilyCredentials, "known"},
		{"auth", "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", 535, nil, FamilyLoginDisabled, "known"},
		// Layer 4: a vague code, telling words.
		{"rcpt", "5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", 554, nil, FamilyIPBlocked, "words"},
		{"mail", "4.7.0 Too many messages, slow down", 421, nil, FamilyRateLimit, "words"},
	} {
		r := newReply(tc.code, tc.text)
		v := classifyFacts(replyFacts{stage: tc.stage, reply: r, text: r.Text, provider: tc.p})
		if v.family != tc.family || v.layer != tc.layer {
			t.Errorf("%d %q at %s: %s by %s, want %s by %s", tc.code, tc.text, tc.stage, v.family, v.layer, tc.family, tc.layer)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for text, want := range map[string]string{
		"Try again in 15 minutes":       "15m0s",
		"please retry after 30 seconds": "30s",
		"try again later":               "0s",
		"wait 2 hours before sending":   "2h0m0s",
	} {
		if got := retryAfter(text).String(); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", text, got, want)
		}
	}
}

func TestPlainDuration(t *testing.T) {
	for d, want := range map[string]string{"15m": "15 minutes", "1h": "1 hour", "90s": "90 seconds", "1s": "1 second"} {
		dd, _ := time.ParseDuration(d)
		if got := plainDuration(dd, nil); got != want {
			t.Errorf("plainDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestKnowledgeIsSourcedAndDated(t *testing.T) {
	if len(knownReplies()) < 20 {
		t.Fatalf("only %d published replies", len(knownReplies()))
	}
	for _, k := range knownReplies() {
		if k.Source == "" || k.Checked == "" {
			t.Errorf("rule %s has no source or date", k.ID)
		}
	}
	if _, err := parseKnown([]byte("replies:\n  - id: x\n    anywhere: true\n    family: credentials\n    code: rate.limited\n    text: x\n    means: m\n    fix: f\n    source: https://x\n    checked: 2026-01-01\n")); err == nil {
		t.Error("a rule whose code is not of its family was accepted")
	}
}

// FuzzClassifyReply feeds arbitrary replies at every stage through the
// layers: the rules of checkReplyDiagnosis hold for all of them.
func FuzzClassifyReply(f *testing.F) {
	f.Add(421, "4.7.0 Try again later, closing connection", "EHLO", "gmail")
	f.Add(550, "5.7.606 Access denied, banned sending IP [192.0.2.1]", "RCPT", "")
	f.Add(535, "5.7.139 Authentication unsuccessful", "AUTH", "microsoft365")
	f.Add(454, "Throttling failure: Maximum sending rate exceeded.", "DATA", "ses-us-east-1")
	f.Add(553, "5.7.1 \x1b[2J<a@b>: Sender address rejected", "MAIL", "zoho")
	cat := BuiltinCatalogue()
	f.Fuzz(func(t *testing.T, code int, text, command, provider string) {
		if code < 400 || code > 599 {
			code = 400 + (code%200+200)%200
		}
		p, _ := cat.ByID(provider)
		checkReplyDiagnosis(t, code, text, command, p)
	})
}

// TestReplyClasses holds the generic layers to classes of replies that
// neither corpus file may contain: other providers' wording of the same
// cause (NetEase/QQ "authorization code", Yandex and Mail.ru logins, Zoho's
// blocked outgoing mail), the servers' own literals (Postfix anvil and
// postscreen, Exim's connection limit, Sendmail's disk space, RFC 4954's
// temporary failure), and the stage priors. A guard against regressions,
// not a measure: the corpus files measure.
func TestReplyClasses(t *testing.T) {
	for _, tc := range []struct {
		stage string
		code  int
		text  string
		want  string
	}{
		{"auth", 535, "Error: authentication failed", FamilyCredentials},
		{"auth", 535, "Login Fail. Please enter your authorization code to login. More information in http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256", FamilyCredentials},
		{"auth", 535, "5.7.8 Error: authentication failed: Invalid user or password!", FamilyCredentials},
		{"auth", 535, "5.7.8 Error: authentication failed: This user does not have access rights to this service", FamilyLoginDisabled},
		{"auth", 535, "5.7.0 NEOBHODIM parol prilozheniya https://help.mail.ru/mail/security/protection/external / Application password is REQUIRED", FamilyCredentials},
		{"mail", 553, "Mail from must equal authorized user", FamilySender},
		{"mail", 501, "mail from address must be same as authorization user", FamilySender},
		{"mail", 550, "User has no permission", FamilyLoginDisabled},
		{"mail", 553, "5.7.1 Sender address rejected: not owned by auth user.", FamilySender},
		{"mail", 553, "5.7.1 <a@b>: Sender address rejected: not logged in", FamilyProtocol},
		{"mail", 530, "5.7.0 Authentication required", FamilyProtocol},
		{"mail", 530, "5.7.7 Email sending without SSL/TLS encryption is not allowed.", FamilyTLSRequired},
		{"data", 554, "5.7.1 Message rejected under suspicion of SPAM", FamilyContentPolicy},
		{"greeting", 554, "gmx.net (mxgmx114) Nemesis ESMTP Service not available\nNo SMTP service\nReject due to policy restrictions.", FamilyIPBlocked},
		{"greeting", 554, "IP=192.0.2.1 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.)", FamilyIPBlocked},
		{"greeting", 421, "4.7.0 mail.example.com Error: too many connections from 192.0.2.1", FamilyRateLimit},
		{"mail", 450, "4.7.1 Error: too much mail from 192.0.2.1", FamilyRateLimit},
		{"rcpt", 452, "4.5.3 Error: too many recipients", FamilyRateLimit},
		{"mail", 450, "Sender rate overlimit - 101.0 / 1h / max 100", FamilyRateLimit},
		{"greeting", 421, "Too many concurrent SMTP connections from this IP address; please try again later.", FamilyRateLimit},
		{"mail", 550, "Sender verify failed", FamilySender},
		{"mail", 451, "Temporary local problem - please try later", FamilyServerTemporary},
		{"data", 452, "4.4.5 Insufficient disk space; try again later", FamilyServerTemporary},
		{"mail", 530, "5.7.1 Client was not authenticated", FamilyProtocol},
		{"rcpt", 550, "5.7.54 SMTP; Unable to relay recipient in non-accepted domain", FamilyRecipient},
		{"mail", 554, "5.1.8 Email Outgoing Blocked.", FamilyLoginDisabled},
		{"mail", 550, "5.4.6 Unusual sending activity detected. Please login to https://mail.zoho.com to unblock your account", FamilyLoginDisabled},
		{"mail", 550, "Unauthenticated senders not allowed", FamilyProtocol},
		{"mail", 550, "5.7.0 From address is not one of your addresses", FamilySender},
		{"rcpt", 550, "5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).", FamilyIPBlocked},
		{"starttls", 454, "4.7.0 TLS not available due to local problem", FamilyTLSRequired},
		{"auth", 454, "4.7.0 Temporary authentication failure", FamilyServerTemporary},
		{"auth", 454, "4.7.0 Cannot authenticate due to a temporary system problem. Try again later.", FamilyServerTemporary},
		{"rcpt", 452, "4.2.2 The email account that you tried to reach is over quota.", FamilyRecipient},
		{"rcpt", 552, "5.2.2 Mailbox full", FamilyRecipient},
		{"greeting", 421, "4.3.2 All server ports are busy", FamilyServerTemporary},
		{"greeting", 550, "5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.spamhaus.org", FamilyIPBlocked},
		{"data", 550, "5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.spamhaus.org", FamilyIPBlocked},
		{"greeting", 520, "5.5.1 Protocol error", FamilyProtocol},
		{"mail", 451, "Could not complete sender verify callout", FamilyServerTemporary},                       // Exim
		{"rcpt", 550, "Ip frequency limited", FamilyRateLimit},                                                 // QQ
		{"data", 550, "Mail content denied", FamilyContentPolicy},                                              // QQ
		{"greeting", 521, "5.3.2 mx.example.test Service currently unavailable", FamilyIPBlocked},              // postscreen, denylisted client
		{"greeting", 421, "4.7.0 mx.example.test Error: too many connections from 192.0.2.1", FamilyRateLimit}, // Postfix anvil
		{"rcpt", 450, "4.3.2 Service currently unavailable", FamilyServerTemporary},
		{"auth", 535, "5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials", FamilyCredentials},
		{"auth", 535, "Incorrect authentication data", FamilyCredentials},
		{"auth", 454, "4.7.0 Too many login attempts, please try again later.", FamilyRateLimit},
		{"mail", 550, "5.7.60 SMTP; Client does not have permissions to send as this sender", FamilySender},
		{"rcpt", 550, "Message was not accepted -- invalid mailbox. Local mailbox x@mail.ru is unavailable: account is disabled", FamilyRecipient},
		{"auth", 535, "5.7.0 Your account has been locked", FamilyLoginDisabled},
		{"auth", 535, "5.7.8 Error: authentication failed: account is disabled", FamilyLoginDisabled},
	} {
		r := newReply(tc.code, tc.text)
		rf := replyFacts{stage: tc.stage, reply: r, text: r.Text}
		v := classifyFacts(rf)
		if v.family != tc.want {
			t.Errorf("%s %d %q: %s (%s by %s), want %s", tc.stage, tc.code, tc.text, v.family, v.code, v.layer, tc.want)
		}
	}
}
