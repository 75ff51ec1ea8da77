package smtp

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"smtpsetup/i18n"
)

// This file holds the rules the wizard's two renderers (the screens and the
// plain line mode) and the command line share, so that each is written once.

// PortFor is the provider's port for a mode, else the mode's default. A nil
// provider (a custom server) has only the defaults.
func (p *Provider) PortFor(m Security) int {
	if p != nil {
		for _, po := range p.Ports {
			if po.Security == m {
				return po.Port
			}
		}
	}
	return m.DefaultPort()
}

// Recommends reports whether m is the provider's recommended mode.
func (p *Provider) Recommends(m Security) bool {
	if p == nil {
		return false
	}
	rec, ok := p.Recommended()
	return ok && rec.Security == m
}

// NeedsSecret reports whether a login with these answers sends a secret:
// not when AUTH is off, and not without a login (a relay that trusts the
// network), unless the secret is the login too (Postmark).
func (p *Provider) NeedsSecret(login string, auth AuthMethod) bool {
	if auth == AuthNone {
		return false
	}
	return strings.TrimSpace(login) != "" || p != nil && p.Login == LoginSecret
}

// OAuthOnly reports whether the provider refuses every password, so that
// only an OAuth sign-in (smtpsetup login) can log in.
func (p *Provider) OAuthOnly() bool {
	return p != nil && (p.Secret.Kind == SecretOAuth || p.Status == StatusOAuthOnly)
}

// Label is the entry's name with its status, as a list shows it.
func (p Provider) Label() string { return p.LabelIn(nil) }

// LabelIn is Label in tr's language.
func (p Provider) LabelIn(tr *i18n.Printer) string {
	name := p.NameIn(tr)
	switch p.Status {
	case StatusOAuthOnly:
		return tr.Tf("%s (OAuth only: passwords refused)", name)
	case StatusChanging:
		return tr.Tf("%s (changing: see notes)", name)
	case StatusBroken:
		return tr.Tf("%s (known not to work)", name)
	}
	return name
}

// otherName is the catch-all entry's name in providers.yaml: words, not a
// brand, so it is shown translated.
var otherName = i18n.N("Other server")

// NameIn is the entry's name as a screen shows it: a brand as the
// catalogue writes it, the catch-all "Other server" in tr's language.
func (p Provider) NameIn(tr *i18n.Printer) string {
	if p.ID == OtherID && p.Name == otherName {
		return tr.T(otherName)
	}
	return p.Name
}

// StatusLine is the status note marked by its weight ("Warning: ..." when
// a login cannot work, "Note: ..." otherwise), or "" without a note.
func (p *Provider) StatusLine() string { return p.StatusLineIn(nil) }

// StatusLineIn is StatusLine in tr's language; the note is the entry's own
// text, translated for the translated entries.
func (p *Provider) StatusLineIn(tr *i18n.Printer) string {
	switch {
	case p == nil || p.StatusNote == "":
		return ""
	case p.Status == StatusOAuthOnly || p.Status == StatusBroken:
		return tr.Tf("Warning: %s", tr.T(p.StatusNote))
	}
	return tr.Tf("Note: %s", tr.T(p.StatusNote))
}

// Describe is the mode as a user chooses it: its name, what it does, and
// the port it goes with.
func (s Security) Describe(port int) string { return s.DescribeIn(port, nil) }

// DescribeIn is Describe in tr's language. The name is padded to the
// widest English one so the lines of a list align.
func (s Security) DescribeIn(port int, tr *i18n.Printer) string {
	var what string
	switch s {
	case SecuritySSL:
		what = tr.Tf("encrypted from the first byte, port %d", port)
	case SecuritySTARTTLS:
		what = tr.Tf("plain greeting, then encrypted, port %d", port)
	case SecurityNone:
		what = tr.Tf("no encryption (trusted networks only), port %d", port)
	default:
		what = tr.Tf(", port %d", port)
	}
	return padCells(s.LabelIn(tr), 9) + " " + what
}

// padCells pads s with spaces to n terminal cells (a CJK letter is two).
func padCells(s string, n int) string {
	if w := ansi.StringWidth(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// Sentence is the error as a form shows it under its field: the field, the
// problem and the fix.
func (e FieldError) Sentence() string { return e.SentenceIn(nil) }

// SentenceIn is Sentence in tr's language: the field's name, problem and
// fix are each translated where they are written (i18n.N), here.
func (e FieldError) SentenceIn(tr *i18n.Printer) string {
	problem, fix := tr.T(e.Problem), tr.T(e.Fix)
	if e.problemf != "" && strings.Contains(e.problemf, "%s") {
		problem = tr.Tf(e.problemf, e.quote)
	}
	if e.fixf != "" && strings.Contains(e.fixf, "%s") {
		fix = tr.Tf(e.fixf, e.quote)
	}
	return tr.Tf("%s %s: %s", tr.T(e.Field), problem, fix)
}

// Part is a part of the settings a user edits together.
type Part int

// The parts a failure can point at.
const (
	PartServer  Part = iota // host, mode and port
	PartAccount             // address, login and secret
)

func (p Part) String() string { return p.StringIn(nil) }

// StringIn is String in tr's language.
func (p Part) StringIn(tr *i18n.Printer) string {
	return tr.T([...]string{i18n.N("server settings"), i18n.N("account")}[p])
}

// EditTarget is the part of the settings that most likely needs changing
// after this failure: the account for a refused login or sender, the server
// otherwise.
func (d *Diagnosis) EditTarget() Part {
	if d != nil && (strings.HasPrefix(d.Code, "auth.") || strings.HasPrefix(d.Code, "send.")) {
		return PartAccount
	}
	return PartServer
}

// Use switches the settings to provider p. A new provider replaces what the
// old one filled (host, mode, port, a fixed login); the same one again
// keeps what the user typed. Then Fill completes the rest.
func (s *Settings) Use(p *Provider) {
	if s.Provider != p.ID || s.Host == "" {
		if s.Provider != p.ID && s.Auth == AuthXOAUTH2 {
			s.Auth = AuthAuto // a sign-in belongs to the provider it was made with
		}
		s.Provider = p.ID
		s.Host, s.Security, s.Port = "", "", 0
		if p.Login == LoginLiteral {
			s.Username = p.LoginLiteral
		}
	}
	s.Fill(p)
}

// Fill completes what is still empty, the one way every draft is built
// (flags, a config file, the wizard's provider choice, a detected server):
// the host and the recommended mode and port from the provider (nil for a
// custom server), a mode from a conventional port, STARTTLS otherwise, the
// port from the mode, and the login from the address by the provider's
// rule. What is set stays.
func (s *Settings) Fill(p *Provider) {
	if p != nil && s.Host == "" {
		s.Host = p.Host
	}
	if p != nil && s.Security == "" && s.Port == 0 {
		if rec, ok := p.Recommended(); ok {
			s.Security, s.Port = rec.Security, rec.Port
		}
	}
	if s.Security == "" {
		if sec, ok := SecurityForPort(s.Port); ok {
			s.Security = sec
		} else {
			s.Security = SecuritySTARTTLS
		}
	}
	if s.Port == 0 {
		s.Port = p.PortFor(s.Security)
	}
	if s.Auth == "" {
		s.Auth = AuthAuto
	}
	s.FillLogin(p)
}

// Field names a field a failure points at, so that "Edit" lands on it.
type Field int

// The fields a failure can point at; FieldNone is the part's first field.
const (
	FieldNone   Field = iota
	FieldFrom         // the sender: the server refused MAIL FROM
	FieldSecret       // the password: the server refused the credentials
	FieldMode         // the encryption mode and port: the wrong protocol on this port
	FieldCAFile       // the trusted CA: the certificate is not from a trusted authority
	FieldHelo         // this device's name in EHLO: the server refused it
)

func (f Field) String() string { return f.StringIn(nil) }

// StringIn is String in tr's language.
func (f Field) StringIn(tr *i18n.Printer) string {
	return tr.T([...]string{"", i18n.N("sender address"), i18n.N("password"), i18n.N("encryption and port"), i18n.N("CA file"), i18n.N("HELO name")}[f])
}

// EditField is the field within EditTarget's part that most likely needs
// changing: the From address after a refused sender, the secret after
// refused credentials, the mode after a mode mismatch (a suggested switch),
// the CA file after an untrusted certificate, the HELO name after a refused
// one.
func (d *Diagnosis) EditField() Field {
	if d == nil {
		return FieldNone
	}
	switch d.Code {
	case "send.sender_rejected":
		return FieldFrom
	case "auth.bad_credentials", "auth.app_password_required", "auth.web_login_required":
		return FieldSecret
	case "tls.untrusted", "tls.intercepted":
		return FieldCAFile
	case "helo.rejected":
		return FieldHelo
	case "tls.not_tls", "tls.required", "starttls.not_offered", "starttls.required", "tls.handshake":
		return FieldMode
	}
	if d.Suggestion != nil {
		return FieldMode
	}
	return FieldNone
}

// OffersNoLogin reports whether a relay by address (no login) is a way to
// use this entry: a custom server, a relay whose host is per customer (a
// connector), or an entry named a relay (Google's SMTP relay by IP).
func (p *Provider) OffersNoLogin() bool {
	return p == nil || p.ID == OtherID || p.HostHint != "" || strings.Contains(strings.ToLower(p.Name), "relay")
}

// RecommendedSettings is the provider's own host with its recommended mode
// and port, as one choice ("smtp.gmail.com, SSL/TLS, 465"); ok is false for
// an entry without a fixed host (Other server, a connector relay).
func (p *Provider) RecommendedSettings() (host string, rec PortOption, ok bool) {
	if p == nil || p.ID == OtherID || p.Host == "" {
		return "", PortOption{}, false
	}
	rec, ok = p.Recommended()
	return p.Host, rec, ok
}

// Checked is the item as a person ticks it off, an action done: its Done
// text, else its title said by the user ("You created an App Password"
// becomes "I created an App Password").
func (p Prerequisite) Checked() string {
	return p.CheckedIn(nil)
}

// CheckedIn is Checked in tr's language: a translated entry's texts
// (Provider.Texts) carry the checked form, whether written or derived.
func (p Prerequisite) CheckedIn(tr *i18n.Printer) string {
	if !tr.English() {
		return tr.T(p.checked())
	}
	return p.checked()
}

func (p Prerequisite) checked() string {
	if p.Done != "" {
		return p.Done
	}
	for from, to := range map[string]string{"You ": "I ", "Your ": "My "} {
		if rest, ok := strings.CutPrefix(p.Title, from); ok {
			return to + strings.ReplaceAll(rest, " your ", " my ")
		}
	}
	return p.Title
}

// Tasks are the items to do, in order; notes (Note) are left out.
func (p *Provider) Tasks() []Prerequisite {
	var out []Prerequisite
	for _, it := range p.Prerequisites {
		if !it.Note {
			out = append(out, it)
		}
	}
	return out
}
