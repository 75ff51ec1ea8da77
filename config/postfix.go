package config

import (
	"bytes"
	"cmp"
	"fmt"
	"net"
	"smtpsetup/i18n"
	"strconv"
	"strings"
	"unicode"

	"smtpsetup/smtp"
)

// PostfixSetting is one main.cf parameter: Name = Value.
type PostfixSetting struct {
	Name  string
	Value string
}

// String is the main.cf line.
func (p PostfixSetting) String() string { return p.Name + " = " + p.Value }

// Defaults for the Postfix export.
const (
	DefaultPostfixSASLMap = "hash:/etc/postfix/sasl_passwd"
	DefaultPostfixCApath  = "/etc/ssl/certs"
)

// PostfixConfig returns the main.cf parameters that make Postfix relay all
// mail through the server in s, and the content of the sasl_passwd table
// ("" when s does not log in). A test or a CI job can write both to files
// and check them with postconf and postmap.
//
// Certificates are verified (smtp_tls_security_level = secure, against
// ca_file or PostfixCApath) unless insecure_skip_verify is set, which gives
// "encrypt": TLS without verification, as the user asked. ssl adds
// smtp_tls_wrappermode = yes. An explicit auth method becomes
// smtp_sasl_mechanism_filter; xoauth2 is refused (Postfix's Cyrus SASL has
// no such mechanism without a plugin).
//
// What Postfix cannot carry is refused with the field named: main.cf expands
// $ and trims blanks; a table value loses trailing blanks, and Postfix splits
// user:password at the first colon, so a username with ':' or blanks at
// either end, and a password with trailing blanks, cannot be written.
func PostfixConfig(s smtp.Settings, opts ExportOptions) (mainCF []PostfixSetting, saslPasswd string, err error) {
	if err := checkAllText(s); err != nil {
		return nil, "", err
	}
	s, err = normalized(s)
	if err != nil {
		return nil, "", err
	}
	if ip := net.ParseIP(strings.Trim(s.Host, "[]")); ip != nil && s.Security.Encrypted() && !s.InsecureSkipVerify && s.TLSPinSHA256 == "" {
		// Go verifies an IP address against the certificate's IP names;
		// Postfix matches DNS names only, and would defer every message.
		return nil, "", fmt.Errorf("host: Postfix cannot verify a certificate for the IP address %s; set host to the DNS name the server's certificate names (smtpsetup check shows it), then export again", ip)
	}
	saslMap := cmp.Or(opts.PostfixSASLMap, DefaultPostfixSASLMap)
	capath := cmp.Or(opts.PostfixCApath, DefaultPostfixCApath)
	next := "[" + strings.Trim(s.Host, "[]") + "]:" + strconv.Itoa(s.Port)
	add := func(name, value string) { mainCF = append(mainCF, PostfixSetting{name, value}) }

	add("relayhost", next)
	switch {
	case !s.Security.Encrypted():
		add("smtp_tls_security_level", "none")
	case s.InsecureSkipVerify:
		add("smtp_tls_security_level", "encrypt")
	case s.TLSPinSHA256 != "":
		// Postfix's own trust on first use: this certificate, no CA.
		add("smtp_tls_security_level", "fingerprint")
		add("smtp_tls_fingerprint_digest", "sha256")
		add("smtp_tls_fingerprint_cert_match", s.TLSPinSHA256)
	default:
		add("smtp_tls_security_level", "secure")
	}
	if s.Security == smtp.SecuritySSL {
		add("smtp_tls_wrappermode", "yes")
	}
	if s.Helo != "" {
		add("smtp_helo_name", s.Helo) // ValidateHelo allows no character Postfix would read otherwise
	}
	if s.Security.Encrypted() && !s.InsecureSkipVerify && s.TLSPinSHA256 == "" {
		if s.CAFile != "" {
			if err := postfixValue("ca_file", s.CAFile); err != nil {
				return nil, "", err
			}
			add("smtp_tls_CAfile", s.CAFile)
		} else {
			if err := postfixValue("PostfixCApath", capath); err != nil {
				return nil, "", err
			}
			add("smtp_tls_CApath", capath)
		}
	}
	if !usesAuth(s) {
		add("smtp_sasl_auth_enable", "no")
		return mainCF, "", nil
	}
	if err := postfixMap(saslMap); err != nil {
		return nil, "", err
	}
	add("smtp_sasl_auth_enable", "yes")
	add("smtp_sasl_password_maps", saslMap)
	add("smtp_sasl_security_options", "noanonymous")
	switch s.Auth {
	case smtp.AuthXOAUTH2:
		return nil, "", smtp.FieldError{Field: "auth", Problem: i18n.N("is xoauth2, which Postfix cannot do without a SASL plugin"),
			Fix: i18n.N("use an App Password with auth plain or login, or the msmtp export")}
	case smtp.AuthPlain, smtp.AuthLogin, smtp.AuthCRAMMD5:
		add("smtp_sasl_mechanism_filter", string(s.Auth))
	}
	line, err := saslLine(next, s.Username, s.Password.Reveal())
	if err != nil {
		return nil, "", err
	}
	return mainCF, line, nil
}

// saslLine is the one line of sasl_passwd: "[host]:port user:password".
// postmap takes the value after the key and its blanks, up to the end of the
// line less trailing blanks; '#' only starts a comment at the start of a line.
func saslLine(key, user, pw string) (string, error) {
	switch {
	case strings.Contains(user, ":"):
		return "", smtp.FieldError{Field: "username", Problem: i18n.N("contains ':', where Postfix splits the username from the password"), Fix: i18n.N("use the msmtp export for this account")}
	case strings.TrimSpace(user) != user:
		return "", smtp.FieldError{Field: "username", Problem: i18n.N("starts or ends with a blank, which Postfix's table drops"), Fix: i18n.N("remove the blanks")}
	case strings.TrimRightFunc(pw, unicode.IsSpace) != pw:
		return "", smtp.FieldError{Field: "password", Problem: i18n.N("ends with a blank, which Postfix's table drops"), Fix: i18n.N("use the msmtp export, or change the password")}
	case pw == "":
		return "", smtp.FieldError{Field: "password", Problem: i18n.N("is empty"), Fix: i18n.N("type the password")}
	}
	for _, f := range []struct{ name, v string }{{"username", user}, {"password", pw}} {
		if hasControl(f.v) {
			return "", smtp.FieldError{Field: f.name, Problem: i18n.N("contains a control character, which Postfix's table cannot hold"), Fix: i18n.N("type it again without control characters")}
		}
	}
	return key + " " + user + ":" + pw + "\n", nil
}

// postfixValue checks a value written into main.cf as is: Postfix expands $
// in it and trims blanks at both ends.
func postfixValue(field, v string) error {
	switch {
	case strings.Contains(v, "$"):
		return smtp.FieldError{Field: field, Problem: i18n.N("contains '$', which Postfix expands as a parameter"), Fix: i18n.N("use a path without '$'")}
	case strings.TrimSpace(v) != v || hasControl(v):
		return smtp.FieldError{Field: field, Problem: i18n.N("starts or ends with a blank or holds a control character"), Fix: i18n.N("use a plain path")}
	}
	return nil
}

// postfixMap checks the sasl table, which Postfix reads as a list: no blanks
// or commas inside, and type:path.
func postfixMap(m string) error {
	if err := postfixValue("PostfixSASLMap", m); err != nil {
		return err
	}
	typ, path, ok := strings.Cut(m, ":")
	if !ok || typ == "" || !strings.HasPrefix(path, "/") || strings.ContainsAny(m, " \t,") {
		return smtp.FieldError{Field: "PostfixSASLMap", Problem: i18n.N("is not a table such as hash:/etc/postfix/sasl_passwd"), Fix: i18n.N("give type:/absolute/path without blanks or commas")}
	}
	return nil
}

// hasControl reports control characters other than tab, which Postfix keeps
// inside a value.
func hasControl(v string) bool {
	return strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) >= 0
}

// exportPostfix writes the main.cf lines, then, as comments, the sasl_passwd
// line and the commands that install it. Appending the whole output to
// main.cf is harmless: the secret part is commented out.
func exportPostfix(s smtp.Settings, opts ExportOptions) ([]byte, error) {
	mainCF, sasl, err := PostfixConfig(s, opts)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# Postfix: relay all mail through " + mainCF[0].Value + " (written by smtpsetup).\n")
	b.WriteString("# 1. Add these lines to /etc/postfix/main.cf:\n")
	for _, p := range mainCF {
		b.WriteString(p.String() + "\n")
	}
	b.WriteString("#    or set them with:\n")
	for _, p := range mainCF {
		b.WriteString("#    postconf -e " + shellQuote(p.String()) + "\n")
	}
	if sasl != "" {
		mapType, path, _ := strings.Cut(cmp.Or(opts.PostfixSASLMap, DefaultPostfixSASLMap), ":")
		if opts.HidePassword {
			sasl = maskSASL(sasl)
			b.WriteString("# 2. " + path + " must hold this line, with the password in place of " + hiddenPostfix + " (not shown here; --with-password shows it):\n")
		} else {
			b.WriteString("# 2. " + path + " must hold exactly this line, which holds the password:\n")
		}
		b.WriteString("#    " + sasl)
		b.WriteString("#    Create the file private, paste the line in with an editor, then build the table:\n")
		b.WriteString("#    install -m 600 /dev/null " + shellQuote(path) + "\n")
		b.WriteString("#    editor " + shellQuote(path) + "\n")
		b.WriteString("#    postmap " + shellQuote(mapType+":"+path) + "\n")
		b.WriteString("#    chmod 600 " + shellQuote(path) + ".*\n")
		b.WriteString("#    Debian and Ubuntu need the package libsasl2-modules for PLAIN and LOGIN.\n")
		b.WriteString("# 3. Reload Postfix: postfix reload\n")
	} else {
		b.WriteString("# 2. Reload Postfix: postfix reload\n")
	}
	return b.Bytes(), nil
}
