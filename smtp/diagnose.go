package smtp

import (
	"fmt"
	"slices"
	"strings"
)

// Diagnosis is what a failed test means for the user: a stable code a
// helpdesk can read over the phone, a title, what happened, what to do, and
// when one would fix it, the concrete change to try.
type Diagnosis struct {
	Code       string      `json:"code"`
	Family     string      `json:"family"`
	Transient  bool        `json:"transient"`
	Title      string      `json:"title"`
	Detail     string      `json:"detail"`
	Fix        string      `json:"fix"`
	Reply      string      `json:"reply,omitempty"`
	Suggestion *Suggestion `json:"-"`
}

// Suggestion is a change of settings that would likely fix the failure; the
// wizard applies it with one key, `check` prints it.
type Suggestion struct {
	Security Security `json:"security"`
	Port     int      `json:"port"`
}

// Apply returns the settings with the suggestion applied.
func (g Suggestion) Apply(s Settings) Settings {
	s.Security, s.Port = g.Security, g.Port
	return s
}

// String says the suggestion as a choice: "SSL/TLS on port 465".
func (g Suggestion) String() string { return fmt.Sprintf("%s on port %d", g.Security.Label(), g.Port) }

// Diagnose explains a test's failure. It is a pure function of what was
// observed and of the provider (nil for a custom server), so every code is
// table-tested without a network. It returns nil for a passed test.
func Diagnose(r *Report, p *Provider) *Diagnosis {
	f := r.Failure
	if f == nil {
		return nil
	}
	if d := diagnoseOAuth(r, p); d != nil {
		return d
	}
	if d := diagnoseConnection(r, p); d != nil {
		return d
	}
	in := diagInput{r: r, f: f, p: p, s: r.Settings}
	for _, rule := range rules {
		if rule.when(in) {
			d := rule.then(in)
			return withoutTried(r, &d)
		}
	}
	return &Diagnosis{
		Code:   "server.unexpected",
		Title:  "The server answered in a way we did not expect",
		Detail: fmt.Sprintf("At the %q stage: %s", f.Stage, firstNonEmpty(failureSummary(f), string(f.Kind))),
		Fix:    "Check the host and port, then send the report (smtpsetup report) to your provider or helpdesk.",
	}
}

type diagInput struct {
	r *Report
	f *Failure
	p *Provider
	s Settings
}

func (in diagInput) kind(k ...Kind) bool { return slices.Contains(k, in.f.Kind) }

func (in diagInput) reply() Reply {
	if in.f.Reply != nil {
		return *in.f.Reply
	}
	return Reply{}
}

// says reports whether the server's reply contains any of the phrases,
// ignoring case.
func (in diagInput) says(phrases ...string) bool {
	text := strings.ToLower(in.reply().Text)
	for _, ph := range phrases {
		if strings.Contains(text, strings.ToLower(ph)) {
			return true
		}
	}
	return false
}

func (in diagInput) enhanced(codes ...string) bool {
	return slices.Contains(codes, in.reply().Enhanced)
}

func (in diagInput) offered(ext string) bool {
	for _, e := range in.r.Server.Extensions {
		if k, _, _ := strings.Cut(e, " "); strings.EqualFold(k, ext) {
			return true
		}
	}
	return false
}

// providerIs matches the provider or its host, so a custom entry pointing at
// Gmail's server gets Gmail's advice too.
func (in diagInput) providerIs(ids ...string) bool {
	if in.p != nil && slices.Contains(ids, in.p.ID) {
		return true
	}
	host := strings.ToLower(in.s.Host)
	hosts := map[string]string{"gmail": "smtp.gmail.com", "microsoft365": "smtp.office365.com", "outlook": "smtp-mail.outlook.com", "yahoo": "smtp.mail.yahoo.com"}
	for _, id := range ids {
		if hosts[id] != "" && hosts[id] == host {
			return true
		}
	}
	return false
}

func (in diagInput) secretLabel() string { return in.p.SecretLabel() }

func (in diagInput) encryptSuggestion() *Suggestion {
	if in.offered("STARTTLS") {
		return &Suggestion{SecuritySTARTTLS, in.s.Port}
	}
	return &Suggestion{SecuritySSL, 465}
}

type rule struct {
	when func(diagInput) bool
	then func(diagInput) Diagnosis
}

// rules are tried in order; the first that matches explains the failure.
// Provider-specific replies come before the generic ones they resemble.
var rules = []rule{
	{func(in diagInput) bool { return in.kind(KindSTARTTLSNotOffered) }, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "starttls.not_offered", Title: "The server did not offer STARTTLS",
			Detail: "Encryption was required, so the test stopped before sending the password: your credentials were not sent. Either this port does not offer encryption, or something on the network removed the offer (interception).",
			Fix:    "Use SSL/TLS on port 465 if the server offers it; otherwise ask the administrator. Do not switch to no encryption over the Internet."}
		if in.s.Port != 465 {
			d.Suggestion = &Suggestion{SecuritySSL, 465}
		}
		return d
	}},
	{func(in diagInput) bool {
		return in.kind(KindReply) && in.reply().Code == 530 && (in.says("starttls", "tls") || in.enhanced("5.7.0") && !in.encrypted())
	}, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "starttls.required", Title: "The server requires encryption first",
			Detail: "It answered " + in.reply().String(),
			Fix:    "Switch to STARTTLS.", Suggestion: &Suggestion{SecuritySTARTTLS, in.s.Port}}
	}},
	{func(in diagInput) bool { return in.kind(KindPlaintextRefused) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "auth.plaintext_refused", Title: "We did not send the password without encryption",
			Detail: "The connection is not encrypted, so anyone on the network could read the password. The test stopped before logging in.",
			Fix:    "Switch to an encrypted mode. Only on a trusted network, and if you must, pass --allow-plaintext-auth.", Suggestion: in.encryptSuggestion()}
	}},
	{func(in diagInput) bool { return in.kind(KindAuthNotOffered) }, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "auth.not_offered", Title: "The server offers no login we can use",
			Detail: "Offered: " + firstNonEmpty(strings.Join(in.f.Offered, " "), "no AUTH at all") + ".",
			Fix:    "If this server relays without a login (a local relay on port 25), clear the username. Otherwise check the port: many servers offer login only on 587 or 465."}
		if !in.encrypted() && in.offered("STARTTLS") {
			d.Fix = "Many servers offer login only after encryption: switch to STARTTLS."
			d.Suggestion = &Suggestion{SecuritySTARTTLS, in.s.Port}
		} else if slices.Contains(in.f.Offered, "XOAUTH2") && len(in.f.Offered) <= 2 {
			d.Fix = "This server accepts OAuth only; a password cannot work here. Use a transactional mail service, or a device that supports OAuth."
		}
		return d
	}},
	// Logins: provider-specific wording first.
	{func(in diagInput) bool {
		return in.authReply() && (in.enhanced("5.7.139", "5.7.30") || in.says("basic authentication", "SmtpClientAuthentication is disabled", "SMTP AUTH is disabled"))
	}, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "auth.basic_auth_disabled", Title: "Password logins are turned off for this account",
			Detail: "Microsoft answered: " + in.reply().String(),
			Fix:    "An administrator must enable Authenticated SMTP for this mailbox (Microsoft 365 admin center, Mail, Manage email apps) and the tenant; Outlook.com accepts no passwords at all since September 2024. Otherwise use OAuth or a transactional mail service. An App Password will not help."}
	}},
	{func(in diagInput) bool {
		return in.authReply() && (in.says("log in via your web browser", "WebLoginRequired") || in.enhanced("5.7.14"))
	}, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "auth.web_login_required", Title: "Google blocked this sign-in as suspicious",
			Detail: "Google answered: " + in.reply().String(),
			Fix:    "Sign in to the account in a browser (from the same network if you can), confirm the security alert, and use an App Password."}
	}},
	{func(in diagInput) bool {
		return in.authReply() && (in.says("AUTH005") || in.reply().Code == 454 && in.says("too many") || in.reply().Code == 421 && in.says("too many", "rate"))
	}, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "auth.rate_limited", Title: "The server is refusing logins after failed attempts",
			Detail: "It answered: " + in.reply().String(),
			Fix:    "Stop and wait: every retry extends the block. Then check the password."}
		if in.says("AUTH005") || in.providerIs("yahoo", "aol") {
			d.Detail += " Yahoo and AOL give this answer for the account password, even on the first try."
			d.Fix = "Create an App Password (Account Security, Generate app password) and use it instead of the account password. Do not retry with the same password: it extends the block."
		}
		return d
	}},
	{func(in diagInput) bool {
		return in.authReply() && (in.enhanced("5.7.9") || in.reply().Code == 534 || in.says("application-specific password", "authorization code", "授权码") ||
			in.reply().Code == 535 && in.providerIs("gmail", "google-workspace"))
	}, func(in diagInput) Diagnosis {
		label := in.secretLabel()
		if label == "Password" {
			label = "App Password"
		}
		d := Diagnosis{Code: "auth.app_password_required", Title: "This account needs an " + label + ", not the account password",
			Detail: "The server answered: " + in.reply().String(),
			Fix:    "Turn on two-step verification for the account, create an " + label + ", and use it as the password."}
		if in.providerIs("gmail", "google-workspace") {
			d.Fix = "Turn on 2-Step Verification (myaccount.google.com/signinoptions/twosv), create an App Password (myaccount.google.com/apppasswords) and paste its 16 letters as the password. If you already did, the App Password was mistyped or revoked: create a new one."
		}
		if in.says("authorization code", "授权码") {
			d.Fix = "Enable SMTP in the mailbox's web settings, generate an authorization code, and use it as the password."
		}
		return d
	}},
	{func(in diagInput) bool {
		return in.authReply() && (in.reply().Code == 535 || in.enhanced("5.7.8", "5.7.3") || in.reply().Code == 454 && in.says("auth"))
	}, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "auth.bad_credentials", Title: "The server rejected the login or " + strings.ToLower(in.secretLabel()),
			Detail: "The server answered: " + in.reply().String(),
			Fix:    "Check the login (" + CleanLine(in.s.Username) + ") and type the " + strings.ToLower(in.secretLabel()) + " again. We do not retry by ourselves: repeated failures can lock the account."}
		if in.p != nil && in.p.Login == LoginLiteral && in.s.Username != in.p.LoginLiteral {
			d.Fix = fmt.Sprintf("%s expects the login %q, literally, and the %s as the password.", in.p.Name, in.p.LoginLiteral, strings.ToLower(in.secretLabel()))
		}
		return d
	}},
	{func(in diagInput) bool {
		return in.authReply() && (in.reply().Code == 504 || in.enhanced("5.7.4", "5.5.4"))
	}, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "auth.not_offered", Title: "The server does not accept this login mechanism",
			Detail: "It answered: " + in.reply().String(),
			Fix:    "Set the login mechanism to auto, or to one of: " + firstNonEmpty(strings.Join(in.r.Server.Auth, ", "), "none listed") + "."}
	}},
	// Sending.
	{func(in diagInput) bool {
		return in.kind(KindReply) && in.f.Command == "MAIL" && (in.reply().Code == 530 || in.enhanced("5.7.57"))
	}, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "send.auth_required", Title: "The server requires a login before sending",
			Detail: "It answered: " + in.reply().String(), Fix: "Fill in the login and password."}
	}},
	{func(in diagInput) bool {
		return in.kind(KindReply) && (in.f.Command == "MAIL" && in.reply().Permanent() ||
			in.f.Command != "AUTH" && in.says("not owned", "verified sender", "sender identity", "not verified", "sender address rejected", "sendas", "send as"))
	}, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "send.sender_rejected", Title: "The server will not send from " + firstNonEmpty(CleanLine(in.s.From), "this address"),
			Detail: "It answered: " + in.reply().String(),
			Fix:    "Use the address you log in with as the From address, or register this address with the provider as a verified sender or alias."}
		if in.p != nil && in.p.SenderRule != "" {
			d.Fix = in.p.SenderRule
		}
		if in.says("not verified") && strings.Contains(strings.ToLower(in.s.Host), "amazonaws.com") {
			d.Fix = "Verify the From address or its domain in Amazon SES in this region; in the SES sandbox, verify the recipient too."
		}
		return d
	}},
	{func(in diagInput) bool { return in.kind(KindReply) && in.f.Command == "RCPT" }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "send.recipient_rejected", Title: "The server refused the test recipient",
			Detail: "It answered: " + in.reply().String(),
			Fix:    "Check the recipient address. \"Relay access denied\" means the server does not know you: log in, or use the provider's submission port."}
	}},
	{func(in diagInput) bool { return in.kind(KindReply) && in.f.Command == "DATA" }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "send.message_rejected", Title: "The server refused the test message",
			Detail: "It answered: " + in.reply().String(),
			Fix:    "Read the server's reason above; it often names a policy (sender verification, quota, spam filter)."}
	}},
	{func(in diagInput) bool { return in.kind(KindReply) && in.f.Command == "greeting" }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "greeting.rejected", Title: "The server refused to talk to this device",
			Detail: "Its greeting was: " + in.reply().String(),
			Fix:    "The server may block this network's address (a blocklist, or a home connection). Use the provider's submission port 587 or 465, or ask the administrator."}
	}},
	{func(in diagInput) bool { return in.kind(KindTooMuchData) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "server.unexpected", Title: "The server sent far more data than SMTP ever needs",
			Detail: fmt.Sprintf("We stopped reading after %d KiB at the %q stage: this is not a working mail server.", DefaultMaxRead>>10, in.f.Stage),
			Fix:    "Check the host and port."}
	}},
	{func(in diagInput) bool { return in.kind(KindTimeout) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "server.timeout", Title: fmt.Sprintf("The server stopped answering at the %q stage", in.f.Stage),
			Detail: "It accepted the connection but did not answer within the time limit.",
			Fix:    "Try again later, or with a longer --timeout; if it persists, the server or the network is faulty."}
	}},
	{func(in diagInput) bool { return in.kind(KindClosed, KindReset) }, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "server.closed", Title: fmt.Sprintf("The server hung up at the %q stage", in.f.Stage),
			Detail: "It closed the connection without an error message.",
			Fix:    "Check the mode and port; a policy block (your address, too many connections) also looks like this."}
		if in.f.Stage == StageGreeting && in.s.Security != SecuritySSL && in.s.Port == 465 {
			d.Suggestion = &Suggestion{SecuritySSL, 465}
		}
		return d
	}},
}

func (in diagInput) authReply() bool {
	return in.kind(KindReply) && (in.f.Command == "AUTH" || in.f.Stage == StageAuth)
}

func (in diagInput) encrypted() bool { return in.r.Server.TLS != nil }

func (in diagInput) recommended() (PortOption, bool) {
	if in.p == nil {
		return PortOption{}, false
	}
	return in.p.Recommended()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
