// Package smtp is the domain of smtpsetup: the settings a user builds, the
// provider catalogue, the live test of an SMTP server and the diagnosis of
// what went wrong. It knows nothing of terminals.
package smtp

import (
	"fmt"
	"net"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"smtpsetup/i18n"
)

// Security is how the connection is encrypted.
type Security string

// The three modes a user chooses between.
const (
	// SecuritySSL is implicit TLS: TLS from the first byte (RFC 8314), port 465.
	SecuritySSL Security = "ssl"
	// SecuritySTARTTLS starts in plain text and upgrades with STARTTLS, port 587.
	SecuritySTARTTLS Security = "starttls"
	// SecurityNone never encrypts; for a relay on a trusted network, port 25.
	SecurityNone Security = "none"
)

// Securities lists the modes in the order a user is offered them.
var Securities = []Security{SecuritySSL, SecuritySTARTTLS, SecurityNone}

// ParseSecurity accepts the names users and other tools use for each mode.
func ParseSecurity(s string) (Security, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "ssl", "tls", "ssl/tls", "implicit", "smtps":
		return SecuritySSL, nil
	case "starttls", "start-tls", "submission":
		return SecuritySTARTTLS, nil
	case "none", "plain", "off", "":
		return SecurityNone, nil
	}
	return "", fmt.Errorf("unknown security mode %q: use ssl, starttls or none", s)
}

// DefaultPort is the port that goes with the mode.
func (s Security) DefaultPort() int {
	switch s {
	case SecuritySSL:
		return 465
	case SecuritySTARTTLS:
		return 587
	}
	return 25
}

// Label is the mode as a user reads it.
func (s Security) Label() string { return s.LabelIn(nil) }

// LabelIn is Label in tr's language: only "None" is a word; SSL/TLS and
// STARTTLS are names.
func (s Security) LabelIn(tr *i18n.Printer) string {
	switch s {
	case SecuritySSL:
		return "SSL/TLS"
	case SecuritySTARTTLS:
		return "STARTTLS"
	case SecurityNone:
		return tr.T("None")
	}
	return string(s)
}

// Encrypted reports whether credentials may travel over this mode.
func (s Security) Encrypted() bool { return s == SecuritySSL || s == SecuritySTARTTLS }

// SecurityForPort is the mode a port is conventionally used with, and false
// when the port has no convention.
func SecurityForPort(port int) (Security, bool) {
	switch port {
	case 465, 2465:
		return SecuritySSL, true
	case 587, 2587, 2525:
		return SecuritySTARTTLS, true
	case 25:
		return SecurityNone, true
	}
	return "", false
}

// AuthMethod is the SASL mechanism used to log in.
type AuthMethod string

// Supported mechanisms. AuthAuto picks the best one the server offers over TLS.
const (
	AuthAuto    AuthMethod = "auto"
	AuthPlain   AuthMethod = "plain"
	AuthLogin   AuthMethod = "login"
	AuthCRAMMD5 AuthMethod = "cram-md5"
	AuthXOAUTH2 AuthMethod = "xoauth2"
	AuthNone    AuthMethod = "none"
)

// ParseAuthMethod accepts the mechanism names of the check command.
func ParseAuthMethod(s string) (AuthMethod, error) {
	m := AuthMethod(strings.ToLower(strings.TrimSpace(s)))
	switch m {
	case "":
		return AuthAuto, nil
	case AuthAuto, AuthPlain, AuthLogin, AuthCRAMMD5, AuthXOAUTH2, AuthNone:
		return m, nil
	}
	return "", fmt.Errorf("unknown auth method %q: use auto, plain, login, cram-md5, xoauth2 or none", s)
}

// Settings is the draft a user builds: everything needed to reach the server
// and log in. One value travels from the flags or the file through the
// wizard's steps to the live test and the config writer.
type Settings struct {
	Provider string     // catalogue id, "" or "other" for a custom server
	Host     string     // server host name or IP literal
	Port     int        // TCP port
	Security Security   // ssl, starttls or none
	Auth     AuthMethod // auto unless the user chose one
	Username string     // login; often the address
	Password Secret     // password, App Password, API key or token
	From     string     // envelope and header sender address
	FromName string     // display name in the From header

	CAFile             string // PEM file with extra trusted roots (a private CA)
	InsecureSkipVerify bool   // accept any certificate; loud, never the default
	TLSPinSHA256       string // accept exactly this certificate (SHA-256, AB:CD:...) instead of the CA and name checks
	AllowPlaintextAuth bool   // allow AUTH on a link without TLS
	PasswordFile       string // when set, the config names this file instead of holding the password
	Helo               string // the name given in EHLO; this machine's host name when empty

	// OAuth sign-in (Auth xoauth2 with a provider's oauth block): the app
	// and directory to sign in with, when they differ from the catalogue's.
	// The token itself comes from Options.Token at test time.
	OAuthClientID string
	OAuthTenant   string

	// Language is the language the program speaks with this config, as an
	// appliance vendor sets it (a BCP 47 tag or a locale name, "ko",
	// "de_DE"); "" follows the environment. An unknown one means English.
	Language string
}

// Address is host:port, with IPv6 literals bracketed.
func (s Settings) Address() string {
	return net.JoinHostPort(strings.Trim(s.Host, "[]"), strconv.Itoa(s.Port))
}

// PortMismatch reports a port that conventionally goes with another mode, as a
// sentence for the user, or "" when the port and mode agree.
func (s Settings) PortMismatch() string { return s.PortMismatchIn(nil) }

// PortMismatchIn is PortMismatch in tr's language.
func (s Settings) PortMismatchIn(tr *i18n.Printer) string {
	want, known := SecurityForPort(s.Port)
	if !known || want == s.Security {
		return ""
	}
	return tr.Tf("port %d usually expects %s, but %s is chosen", s.Port, want.LabelIn(tr), s.Security.LabelIn(tr))
}

// FieldError is a problem with one field, said so that the user can fix it.
type FieldError struct {
	Field   string // the field as the user sees it: "host", "port", ...
	Problem string
	Fix     string

	// For a problem or fix that quotes the input: their formats (marked
	// for translation) and the quote, so SentenceIn can translate them.
	problemf, fixf, quote string
}

// quoting is a FieldError whose problem or fix (a format, "" for a plain
// text) quotes part of the input.
func quoting(field, problemf, fixf, quote string) FieldError {
	e := FieldError{Field: field, Problem: problemf, Fix: fixf, problemf: problemf, fixf: fixf, quote: quote}
	if strings.Contains(problemf, "%s") {
		e.Problem = fmt.Sprintf(problemf, quote)
	}
	if strings.Contains(fixf, "%s") {
		e.Fix = fmt.Sprintf(fixf, quote)
	}
	return e
}

func (e FieldError) Error() string { return e.Field + ": " + e.Problem + "; " + e.Fix }

// Limits on what a user can type, so that a paste of megabytes cannot stall us.
const (
	MaxHostLen     = 253
	MaxAddressLen  = 320
	MaxUsernameLen = 320
	MaxSecretLen   = 1024
	MaxNameLen     = 200
)

// ValidateHost checks a server host name or IP literal.
func ValidateHost(h string) error {
	h = strings.TrimSpace(h)
	switch {
	case h == "":
		return FieldError{Field: i18n.N("host"), Problem: i18n.N("is empty"), Fix: i18n.N("type the SMTP server name, for example smtp.example.com")}
	case len(h) > MaxHostLen:
		return FieldError{Field: i18n.N("host"), Problem: i18n.N("is longer than 253 characters"), Fix: i18n.N("type only the server name")}
	case strings.Contains(h, "://"):
		return quoting(i18n.N("host"), i18n.N("contains a URL scheme"), i18n.N("leave out \"%s\": type only the server name"), h[:strings.Index(h, "://")+3])
	case strings.ContainsAny(h, "/@ \t\r\n"):
		return FieldError{Field: i18n.N("host"), Problem: i18n.N("contains a space, '/', '@' or a line break"), Fix: i18n.N("type only the server name, for example smtp.example.com")}
	}
	if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil {
		return nil
	}
	if strings.Contains(h, ":") {
		return FieldError{Field: i18n.N("host"), Problem: i18n.N("contains a port"), Fix: i18n.N("type the port in the Port field, not after the host")}
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 {
			return FieldError{Field: i18n.N("host"), Problem: i18n.N("has an empty or over-long part between dots"), Fix: i18n.N("check the spelling of the server name")}
		}
		if err := checkLabel(label); err != nil {
			return err
		}
	}
	return nil
}

// checkLabel allows in one part of a host name only what DNS names hold:
// letters, digits, dashes (not at either end) and underscores. Everything
// else would reach exports that expand it: Postfix expands $name, msmtp %H,
// a shell $(...).
func checkLabel(label string) error {
	fix := i18n.N("type only the server name: letters, digits, dots and dashes, for example smtp.example.com")
	for _, r := range label {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		case r > unicode.MaxASCII && unicode.IsLetter(r):
			return quoting(i18n.N("host"), i18n.N("contains a non-ASCII letter %s"), i18n.N("type the name in its ASCII form (it starts with xn--; `idn2 NAME` prints it)"), strconv.QuoteRune(r))

		case r == '[' || r == ']':
			return FieldError{Field: i18n.N("host"), Problem: i18n.N("has brackets around a name"), Fix: i18n.N("only an IPv6 address goes in brackets: type the name without them")}
		default:
			return quoting(i18n.N("host"), i18n.N("contains %s, which no server name has"), fix, strconv.QuoteRune(r))
		}
	}
	if strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
		return FieldError{Field: i18n.N("host"), Problem: i18n.N("has a part that starts or ends with a dash"), Fix: fix}
	}
	return nil
}

// ValidateHelo checks the name given in EHLO: a fully-qualified host name
// or an address literal such as [192.0.2.1] (RFC 5321 §4.1.1.1).
func ValidateHelo(h string) error {
	fix := i18n.N("give this machine's fully-qualified name, such as nas.example.com, or an address literal such as [192.0.2.1]")
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		if net.ParseIP(strings.TrimPrefix(strings.Trim(h, "[]"), "IPv6:")) != nil {
			return nil
		}
		return FieldError{Field: i18n.N("helo"), Problem: i18n.N("is not an address literal"), Fix: fix}
	}
	if len(h) > MaxHostLen || net.ParseIP(h) != nil || !heloPattern.MatchString(h) {
		return FieldError{Field: i18n.N("helo"), Problem: i18n.N("is not a host name"), Fix: fix}
	}
	return nil
}

var heloPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$`)

// ValidatePort checks a port number typed as text.
func ValidatePort(p string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(p))
	if err != nil || n < 1 || n > 65535 {
		return 0, FieldError{Field: i18n.N("port"), Problem: i18n.N("must be a number from 1 to 65535"), Fix: i18n.N("use 465 for SSL/TLS, 587 for STARTTLS or 25 for none")}
	}
	return n, nil
}

// ValidateAddress checks a bare e-mail address (no display name).
func ValidateAddress(field, a string) error {
	a = strings.TrimSpace(a)
	if a == "" {
		return FieldError{Field: field, Problem: i18n.N("is empty"), Fix: i18n.N("type an e-mail address such as nas@example.com")}
	}
	if len(a) > MaxAddressLen {
		return FieldError{Field: field, Problem: i18n.N("is longer than 320 characters"), Fix: i18n.N("type a single e-mail address")}
	}
	p, err := mail.ParseAddress(a)
	if err != nil || p.Address != a || p.Name != "" || !strings.Contains(a, "@") {
		return FieldError{Field: field, Problem: i18n.N("is not an e-mail address"), Fix: i18n.N("type it as name@example.com, without a display name or <>")}
	}
	return nil
}

// ValidateSecret checks what any secret must satisfy, whatever the provider.
func ValidateSecret(s string) error {
	switch {
	case len(s) > MaxSecretLen:
		return FieldError{Field: i18n.N("password"), Problem: i18n.N("is longer than 1024 characters"), Fix: i18n.N("paste only the password")}
	case strings.ContainsAny(s, "\r\n\x00"):
		return FieldError{Field: i18n.N("password"), Problem: i18n.N("contains a line break"), Fix: i18n.N("paste the password on one line")}
	case !utf8.ValidString(s):
		return FieldError{Field: i18n.N("password"), Problem: i18n.N("is not valid text"), Fix: i18n.N("type the password again")}
	}
	return CheckText("password", s)
}

// CheckText is the rule for every free-text field, wherever it comes from
// (flags, the config file after YAML decoding, the wizard): no line break,
// NUL, invalid UTF-8 or other control character (a tab is allowed). A line
// break is how a directive gets injected into a line-based export; an escape
// sequence in a name or a password reaches terminals and servers. The error
// names the field and the character, never the value.
func CheckText(field, v string) error {
	switch {
	case strings.ContainsAny(v, "\r\n"):
		return FieldError{Field: field, Problem: i18n.N("contains a line break"), Fix: i18n.N("type it on one line")}
	case strings.ContainsRune(v, 0):
		return FieldError{Field: field, Problem: i18n.N("contains a NUL character"), Fix: i18n.N("type it again without control characters")}
	case !utf8.ValidString(v):
		return FieldError{Field: field, Problem: i18n.N("is not valid UTF-8 text"), Fix: i18n.N("type it again")}
	}
	for _, r := range v {
		if r != '\t' && unicode.IsControl(r) {
			return quoting(field, i18n.N("contains the control character %s"), i18n.N("type it again without control characters"), strings.Trim(strconv.QuoteRuneToASCII(r), "'"))
		}
	}
	return nil
}

// Validate checks the whole draft and returns every problem, field by field.
func (s Settings) Validate() []FieldError {
	var errs []FieldError
	add := func(err error) {
		if fe, ok := err.(FieldError); ok {
			errs = append(errs, fe)
		}
	}
	add(ValidateHost(s.Host))
	if s.Port < 1 || s.Port > 65535 {
		errs = append(errs, FieldError{Field: i18n.N("port"), Problem: i18n.N("must be a number from 1 to 65535"), Fix: i18n.N("use 465 for SSL/TLS, 587 for STARTTLS or 25 for none")})
	}
	if _, err := ParseSecurity(string(s.Security)); err != nil || s.Security == "" {
		errs = append(errs, FieldError{Field: i18n.N("security"), Problem: i18n.N("is not set"), Fix: i18n.N("choose ssl, starttls or none")})
	}
	if s.wantsAuth() {
		add(ValidateSecret(s.Password.Reveal()))
		// An OAuth login's secret is the token, supplied at test time.
		if s.Password.IsZero() && s.Auth != AuthXOAUTH2 {
			// AUTH with an empty password can only fail, and counts toward
			// the provider's lockout.
			errs = append(errs, FieldError{Field: i18n.N("password"), Problem: i18n.N("is empty but a login is set"), Fix: i18n.N("give the password, or leave the login empty for a relay that needs none")})
		}
	}
	if len(s.Username) > MaxUsernameLen || strings.ContainsAny(s.Username, "\r\n") {
		errs = append(errs, FieldError{Field: i18n.N("username"), Problem: i18n.N("is too long or contains a line break"), Fix: i18n.N("type the login on one line")})
	}
	for _, f := range []struct{ name, value string }{{i18n.N("username"), s.Username}, {i18n.N("sender name"), s.FromName}, {i18n.N("provider"), s.Provider},
		{i18n.N("ca-file"), s.CAFile}, {i18n.N("password-file"), s.PasswordFile}} {
		add(CheckText(f.name, f.value))
	}
	if s.From != "" {
		add(ValidateAddress(i18n.N("from"), s.From))
	}
	if s.Helo != "" {
		add(ValidateHelo(s.Helo))
	}
	errs = append(errs, s.validatePin()...)
	if strings.ContainsAny(s.FromName, "\r\n") || len(s.FromName) > MaxNameLen {
		errs = append(errs, FieldError{Field: i18n.N("sender name"), Problem: i18n.N("is too long or contains a line break"), Fix: i18n.N("type a short name on one line")})
	}
	return errs
}
