package smtp

import (
	"slices"
	"strings"
	"time"

	"smtpsetup/i18n"
)

// Diagnosis is what a failed test means for the user: a stable code a
// helpdesk can read over the phone, a title, what happened, what to do, and
// when one would fix it, the concrete change to try.
type Diagnosis struct {
	Code   string `json:"code"`
	Family string `json:"family"` // what kind of cause: a reply family (classify.go) or a network one
	// Transient is true for every 4xx reply and for failures that may pass
	// later (timeouts): the settings may well be right.
	Transient bool   `json:"transient"`
	Title     string `json:"title"`
	Detail    string `json:"detail"`
	Fix       string `json:"fix"`
	// Reply is the server's own words, all lines as they crossed the wire,
	// cleaned and with secrets masked as the transcript has them; "" when
	// the server said nothing.
	Reply      string        `json:"reply"`
	RetryAfter time.Duration `json:"-"` // how long the server asks to wait, when it says
	Suggestion *Suggestion   `json:"-"`

	// withoutPin is the fix before its pin hint (FixWithoutPin), written
	// where the hint is added: a translated hint has no English lead to cut.
	withoutPin string
	// waitFix is set when the fix already says that nothing in the
	// settings needs to change (a temporary refusal's): finish keeps it.
	waitFix bool
}

// ReplyLines is the server's own words as every output shows them: a
// heading, then each line of the reply as it crossed the wire. It is empty
// when the server said nothing.
func (d *Diagnosis) ReplyLines() []string { return d.ReplyLinesIn(nil) }

// ReplyLinesIn is ReplyLines with the heading in tr's language; the
// server's words stay as they were said.
func (d *Diagnosis) ReplyLinesIn(tr *i18n.Printer) []string {
	if d == nil || d.Reply == "" {
		return nil
	}
	lines := []string{tr.T("The server said:")}
	for _, l := range strings.Split(d.Reply, "\n") {
		lines = append(lines, "  "+l)
	}
	return lines
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
func (g Suggestion) String() string { return g.StringIn(nil) }

// StringIn is String in tr's language.
func (g Suggestion) StringIn(tr *i18n.Printer) string {
	return tr.Tf("%s on port %d", g.Security.LabelIn(tr), g.Port)
}

// Diagnose explains a test's failure. It is a pure function of what was
// observed and of the provider (nil for a custom server), so every code is
// table-tested without a network. It returns nil for a passed test. Its
// texts are English, as JSON and the report carry them; DiagnoseIn speaks
// the user's language.
func Diagnose(r *Report, p *Provider) *Diagnosis { return DiagnoseIn(r, p, nil) }

// DiagnoseIn is Diagnose with the title, detail and fix in tr's language
// (nil is English). The code, family and the server's words stay as they
// are: a helpdesk reads the code whatever the screen speaks.
func DiagnoseIn(r *Report, p *Provider, tr *i18n.Printer) *Diagnosis {
	f := r.Failure
	if f == nil {
		return nil
	}
	in := diagInput{r: r, f: f, p: p, s: r.Settings, tr: tr}
	if d := diagnoseOAuth(r, p, tr); d != nil {
		return finish(d, in)
	}
	if d := diagnoseConnection(r, p, tr); d != nil {
		return finish(d, in)
	}
	// Failures without a useful reply (DNS, network, mode, certificate,
	// HELO name) are diagnoseConnection's (diagnose_network.go). A server's
	// refusal is classified in layers (classify.go); the rules below
	// explain the rest.
	if f.Kind == KindReply && f.Reply != nil {
		d := classifyReply(in)
		return finish(&d, in)
	}
	for _, rule := range rules {
		if rule.when(in) {
			d := rule.then(in)
			return withoutTried(r, finish(&d, in), tr)
		}
	}
	return finish(&Diagnosis{
		Code:   "server.unexpected",
		Title:  tr.T("The server answered in a way we did not expect"),
		Detail: tr.Tf("At the %q stage: %s", f.Stage, firstNonEmpty(failureSummary(f), string(f.Kind))),
		Fix:    tr.T("Check the host and port, then send the report (smtpsetup report) to your provider or helpdesk."),
	}, in)
}

type diagInput struct {
	r  *Report
	f  *Failure
	p  *Provider
	s  Settings
	tr *i18n.Printer // the language of the texts; nil is English
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

func (in diagInput) offered(ext string) bool {
	for _, e := range in.r.Server.Extensions {
		if k, _, _ := strings.Cut(e, " "); strings.EqualFold(k, ext) {
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
		d := Diagnosis{Code: "starttls.not_offered", Title: in.tr.T("The server did not offer STARTTLS"),
			Detail: in.tr.T("Encryption was required, so the test stopped before sending the password: your credentials were not sent. Either this port does not offer encryption, or something on the network removed the offer (interception)."),
			Fix:    in.tr.T("Use SSL/TLS on port 465 if the server offers it; otherwise ask the administrator. Do not switch to no encryption over the Internet.")}
		if in.s.Port != 465 {
			d.Suggestion = &Suggestion{SecuritySSL, 465}
		}
		return d
	}},
	{func(in diagInput) bool { return in.kind(KindPlaintextRefused) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "auth.plaintext_refused", Title: in.tr.T("We did not send the password without encryption"),
			Detail: in.tr.T("The connection is not encrypted, so anyone on the network could read the password. The test stopped before logging in."),
			Fix:    in.tr.T("Switch to an encrypted mode. Only on a trusted network, and if you must, pass --allow-plaintext-auth."), Suggestion: in.encryptSuggestion()}
	}},
	{func(in diagInput) bool { return in.kind(KindPlaintextPublic) }, plaintextPublicDiagnosis},
	{func(in diagInput) bool { return in.kind(KindAuthNotOffered) }, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "auth.not_offered", Title: in.tr.T("The server offers no login we can use"),
			Detail: in.tr.Tf("Offered: %s.", firstNonEmpty(strings.Join(in.f.Offered, " "), in.tr.T("no AUTH at all"))),
			Fix:    in.tr.T("If this server relays without a login (a local relay on port 25), choose no login (--no-login, config auth: none). Otherwise check the port: many servers offer login only on 587 or 465.")}
		if !in.encrypted() && in.offered("STARTTLS") {
			d.Fix = in.tr.T("Many servers offer login only after encryption: switch to STARTTLS.")
			d.Suggestion = &Suggestion{SecuritySTARTTLS, in.s.Port}
		} else if slices.Contains(in.f.Offered, "XOAUTH2") && len(in.f.Offered) <= 2 {
			d.Fix = in.tr.T("This server accepts OAuth only; a password cannot work here. Use a transactional mail service, or a device that supports OAuth.")
		}
		return d
	}},
	{func(in diagInput) bool { return in.kind(KindTooMuchData) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "server.unexpected", Title: in.tr.T("The server sent far more data than SMTP ever needs"),
			Detail: in.tr.Tf("We stopped reading after %d KiB at the %q stage: this is not a working mail server.", DefaultMaxRead>>10, in.f.Stage),
			Fix:    in.tr.T("Check the host and port.")}
	}},
	{func(in diagInput) bool { return in.kind(KindTimeout) }, func(in diagInput) Diagnosis {
		return Diagnosis{Code: "server.timeout", Title: in.tr.Tf("The server stopped answering at the %q stage", in.f.Stage),
			Detail: in.tr.T("It accepted the connection but did not answer within the time limit."),
			Fix:    in.tr.T("Try again later, or with a longer --timeout; if it persists, the server or the network is faulty.")}
	}},
	{func(in diagInput) bool { return in.kind(KindClosed, KindReset) }, func(in diagInput) Diagnosis {
		d := Diagnosis{Code: "server.closed", Title: in.tr.Tf("The server hung up at the %q stage", in.f.Stage),
			Detail: in.tr.T("It closed the connection without an error message."),
			Fix:    in.tr.T("Check the mode and port; a policy block (your address, too many connections) also looks like this.")}
		if in.f.Stage == StageGreeting && in.s.Security != SecuritySSL && in.s.Port == 465 {
			d.Suggestion = &Suggestion{SecuritySSL, 465}
		}
		return d
	}},
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

// finish adds what every diagnosis carries: the server's own words, and a
// family and transience for the codes the rules above give.
func finish(d *Diagnosis, in diagInput) *Diagnosis {
	if r := in.f.Reply; r != nil {
		if d.Reply == "" {
			d.Reply = wireLines(r.Code, r.Text)
		}
		// A 4xx is temporary whichever rule explained it: the settings may
		// be right, so its fix never changes them.
		if r.Code >= 400 && r.Code < 500 {
			d.Transient, d.Suggestion = true, nil
			if !d.waitFix {
				d.RetryAfter = retryAfter(strings.ReplaceAll(r.Text, "\n", " "))
				d.Fix = temporaryFix(d.Family, d.RetryAfter, in.tr)
			}
		}
	}
	if d.Family == "" {
		d.Family = networkFamilies[d.Code]
		d.Transient = d.Transient || transientCodes[d.Code]
	}
	return d
}

// networkFamilies gives the family of the codes the rules above give (a
// failure without a refusal, once the server was reached);
// diagnoseConnection's and classifyReply's diagnoses carry their own.
var networkFamilies = map[string]string{
	"starttls.not_offered":   FamilyWrongMode,
	"auth.plaintext_refused": FamilyWrongMode,
	"auth.not_offered":       FamilyProtocol,
	"server.timeout":         FamilyNetwork,
	"server.closed":          FamilyNetwork,
	"server.unexpected":      FamilyNetwork,
}

// transientCodes may pass by themselves later.
var transientCodes = map[string]bool{"server.timeout": true, "server.closed": true}
