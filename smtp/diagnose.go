package smtp

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Diagnosis is what a failed test means for the user: a stable code a
// helpdesk can read over the phone, a title, what happened, what to do, and
// when one would fix it, the concrete change to try.
type Diagnosis struct {
	Code       string      `json:"code"`
	Title      string      `json:"title"`
	Detail     string      `json:"detail"`
	Fix        string      `json:"fix"`
	Suggestion *Suggestion `json:"-"`
	Family     string      `json:"family"`
	Transient  bool        `json:"transient"`
	Reply      string      `json:"reply,omitempty"`
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
	in := diagInput{r: r, f: f, p: p, s: r.Settings}
	for _, rule := range rules {
		if rule.when(in) {
			d := rule.then(in)
			return &d
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
	{func(in diagInput) bool { return in.kind(KindCancelled) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "test.cancelled", Title: "The test was cancelled",
			Detail: "The test stopped before it finished; nothing was decided.",
			Fix:    "Run the test again when you are ready."}
	}},
	{func(in diagInput) bool { return in.kind(KindBadSettings) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "settings.invalid", Title: "The settings are incomplete",
			Detail: in.f.Error, Fix: "Correct the field named above and test again."}
	}},
	{func(in diagInput) bool { return in.kind(KindDNSNotFound) }, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "resolve.not_found", Title: fmt.Sprintf("The server name %q does not exist", CleanLine(in.s.Host)),
			Detail: "DNS answered that there is no such name.",
			Fix:    "Check the spelling of the host name."}
		if in.p != nil && in.p.Host != "" && !strings.EqualFold(in.p.Host, in.s.Host) {
			d.Fix += fmt.Sprintf(" %s's server is %s.", in.p.Name, in.p.Host)
		}
		return d
	}},
	{func(in diagInput) bool { return in.kind(KindDNSFailed) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "resolve.failed", Title: "No DNS server answered",
			Detail: "This device could not look up any name: it may have no DNS server, or no network yet.",
			Fix:    "Check the network connection and the DNS server of this device (/etc/resolv.conf), or type the server's IP address and set a CA file that names it."}
	}},
	{func(in diagInput) bool { return in.kind(KindRefused) }, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "connect.refused", Title: fmt.Sprintf("Nothing accepts connections on port %d", in.s.Port),
			Detail: fmt.Sprintf("%s answered, but refused the connection on port %d: the port is wrong or the mail service is down.", CleanLine(in.s.Host), in.s.Port),
			Fix:    "Check the port: 465 for SSL/TLS, 587 for STARTTLS."}
		if rec, ok := in.recommended(); ok && rec.Port != in.s.Port {
			d.Suggestion = &Suggestion{rec.Security, rec.Port}
			d.Fix = fmt.Sprintf("%s uses %s.", in.p.Name, d.Suggestion)
		}
		return d
	}},
	{func(in diagInput) bool { return in.kind(KindUnreachable) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "connect.unreachable", Title: "There is no route to the server",
			Detail: "The network of this device cannot reach the server's address.",
			Fix:    "Check the network cable or Wi-Fi, the default gateway and any VPN, then test again."}
	}},
	{func(in diagInput) bool { return in.f.Stage == StageConnect && in.kind(KindTimeout) }, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "connect.timeout", Title: fmt.Sprintf("No answer from port %d", in.s.Port),
			Detail: "The server did not answer the connection at all. A firewall, or your Internet provider, most likely drops this port: many networks block port 25, some block 465 or 587.",
			Fix:    "Try the other port (587 with STARTTLS, or 465 with SSL/TLS), or ask your network administrator to allow outgoing connections to it."}
		switch in.s.Port {
		case 25, 2525:
			d.Suggestion = &Suggestion{SecuritySTARTTLS, 587}
		case 587:
			d.Suggestion = &Suggestion{SecuritySSL, 465}
		case 465:
			d.Suggestion = &Suggestion{SecuritySTARTTLS, 587}
		}
		return d
	}},
	{func(in diagInput) bool {
		return in.kind(KindSpeaksTLS) || in.f.Stage == StageGreeting && in.kind(KindTimeout) && in.s.Port == 465
	},
		func(in diagInput) Diagnosis {
			return Diagnosis{Code: "greeting.timeout", Title: fmt.Sprintf("Port %d expects TLS from the first byte", in.s.Port),
				Detail: fmt.Sprintf("The server sent no greeting, but it answers TLS on port %d: %s waits for a plain-text greeting that never comes.", in.s.Port, in.s.Security.Label()),
				Fix:    "Switch to SSL/TLS on this port.", Suggestion: &Suggestion{SecuritySSL, in.s.Port}}
		}},
	{func(in diagInput) bool { return in.f.Stage == StageGreeting && in.kind(KindTimeout) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "greeting.timeout", Title: "The server never greeted",
			Detail: "The connection opened, but the server sent nothing, and it does not answer TLS either. It may be overloaded, slowing down unknown clients, or not a mail server.",
			Fix:    "Check the host and port; try again later, or with a longer --timeout."}
	}},
	{func(in diagInput) bool { return in.kind(KindHTTP) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "server.unexpected", Title: "A web server answered instead of a mail server",
			Detail: "The reply was HTTP. A captive portal (hotel, guest Wi-Fi), a web proxy or a firewall page is intercepting the connection.",
			Fix:    "Log in to the network's portal or use another network, then test again."}
	}},
	{func(in diagInput) bool { return in.kind(KindNotTLS) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "tls.not_tls", Title: fmt.Sprintf("Port %d does not speak TLS from the first byte", in.s.Port),
			Detail: fmt.Sprintf("We started TLS, and the server answered in plain text (%q). It expects a plain greeting and then STARTTLS.", in.f.Seen),
			Fix:    "Switch to STARTTLS on this port.", Suggestion: &Suggestion{SecuritySTARTTLS, in.s.Port}}
	}},
	{func(in diagInput) bool { return in.kind(KindTLSUntrusted) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "tls.untrusted", Title: "The server's certificate is not from a trusted authority",
			Detail: "The certificate" + certIssuer(in.f.Certificate) + " is signed by an authority this device does not trust: a private CA, a self-signed certificate, or a device without an up-to-date CA bundle.",
			Fix:    "Give the CA certificate with --ca-file (in the wizard: the CA file field), or update this device's CA certificates. Skipping verification would let anyone read the password."}
	}},
	{func(in diagInput) bool { return in.kind(KindTLSExpired) }, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "tls.expired", Title: "The certificate is not valid at this device's time",
			Detail: "This device's clock says " + in.f.LocalTime.Format("2006-01-02 15:04 MST") + "." + certDates(in.f.Certificate),
			Fix:    "If the date on this device is wrong (common on first boot, without NTP), set the clock and test again. If it is right, the server's certificate has expired: tell the server's administrator."}
		return d
	}},
	{func(in diagInput) bool { return in.kind(KindTLSHostname) }, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "tls.hostname_mismatch", Title: fmt.Sprintf("The certificate is not for %q", CleanLine(in.s.Host)),
			Detail: "The server presented a certificate for other names, so we cannot tell it from an impostor.",
			Fix:    "Type the host name the certificate is for."}
		if c := in.f.Certificate; c != nil && len(c.Names) > 0 {
			d.Detail = "The certificate is for " + strings.Join(c.Names, ", ") + "."
			d.Fix = "Use " + c.Names[0] + " as the host name."
		}
		return d
	}},
	{func(in diagInput) bool { return in.kind(KindTLSHandshake) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "tls.handshake", Title: "The TLS handshake failed",
			Detail: "The server and this device could not agree on encryption: " + in.f.Error,
			Fix:    "The server may only offer old TLS versions (we require 1.2 or newer), or something between us tampers with TLS. Try the other mode or port, or ask the server's administrator."}
	}},
	{func(in diagInput) bool { return in.kind(KindClosed, KindReset) && in.f.Stage == StageTLS }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "tls.not_tls", Title: fmt.Sprintf("The server on port %d hung up when TLS started", in.s.Port),
			Detail: "It closed the connection instead of answering TLS: it probably expects plain text first, then STARTTLS.",
			Fix:    "Switch to STARTTLS.", Suggestion: &Suggestion{SecuritySTARTTLS, in.s.Port}}
	}},
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

func certIssuer(c *CertInfo) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf(" (%s, issued by %s)", c.Subject, c.Issuer)
}

func certDates(c *CertInfo) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf(" The certificate is valid from %s to %s.", c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly))
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
