package config

import (
	"bytes"
	"path/filepath"
	"smtpsetup/i18n"
	"strconv"
	"strings"
	"unicode"

	"smtpsetup/smtp"
)

// msmtpMaxLine is the longest line msmtp reads from its config: it reads
// lines into a 501-byte buffer, newline and NUL included, and rejects longer
// ones ("line longer than 500 characters").
const msmtpMaxLine = 499

// msmtpArg quotes a value for an msmtp config line, or says why it cannot.
//
// msmtp's parser (conf.c: get_next_cmd, trim_string) takes everything after
// the command word, strips blanks (space, tab) at both ends, and then, if the
// first and last characters are both '"', strips those two. There are no
// escapes: a '"' or '\' inside is kept as it is, and '#' only starts a
// comment as the first character of a line. So wrapping any value in double
// quotes gives it back exactly, leading and trailing blanks included. What
// cannot be carried is a line break (it ends the line), other control
// characters (refused to be safe) and a line over msmtpMaxLine bytes.
func msmtpArg(field, v string) (string, error) {
	for _, r := range v {
		if unicode.IsControl(r) && r != '\t' {
			return "", smtp.FieldError{Field: field, Problem: i18n.N("contains a control character, which msmtp's config cannot hold"), Fix: i18n.N("type it again without control characters")}
		}
	}
	return `"` + v + `"`, nil
}

// msmtpFrom refuses a from address that msmtp would rewrite. msmtp replaces
// %U (the user), %H (the host name), %C (its canonical name) and %M
// (/etc/mailname) in "from", case-sensitively, and has no escape: "%%U"
// still becomes "%" and the user name (checked with msmtp 1.8.23). Any
// other "%" is kept as written.
func msmtpFrom(from string) error {
	for _, p := range []string{"%U", "%H", "%C", "%M"} {
		if strings.Contains(from, p) {
			return smtp.FieldError{Field: "from",
				Problem: "contains " + p + ", which msmtp replaces (%U user, %H host name, %C canonical name, %M /etc/mailname) and cannot escape",
				Fix:     "use an address without " + p + " for msmtp, or export another format (postfix, env, json)"}
		}
	}
	return nil
}

// msmtpAuth maps an auth method to msmtp's auth argument.
var msmtpAuth = map[smtp.AuthMethod]string{
	smtp.AuthAuto:    "on",
	smtp.AuthPlain:   "plain",
	smtp.AuthLogin:   "login",
	smtp.AuthCRAMMD5: "cram-md5",
	smtp.AuthXOAUTH2: "xoauth2",
	smtp.AuthNone:    "off",
}

// MsmtpConfig returns an msmtp config with one account, "default", for s.
//
// TLS: ssl is "tls on" with "tls_starttls off"; starttls is "tls on" with
// "tls_starttls on"; none is "tls off". A ca_file becomes tls_trust_file;
// otherwise msmtp's own default trust (the system's) applies.
// insecure_skip_verify becomes "tls_certcheck off". tls_pin_sha256 becomes
// tls_fingerprint (msmtp accepts SHA-256, AB:CD:...), which replaces the CA.
//
// The password is read with passwordeval "cat -- '<file>'" when a password
// file is known (ExportOptions.PasswordFile, else Settings.PasswordFile), and
// is written inline otherwise; a password too long for one msmtp line needs
// such a file. Login over an unencrypted link is refused unless
// allow_plaintext_auth is set. The output holds the password: keep it 0600.
func MsmtpConfig(s smtp.Settings, opts ExportOptions) ([]byte, error) {
	if err := checkAllText(s); err != nil {
		return nil, err
	}
	s, err := normalized(s)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# msmtp account written by smtpsetup. It can hold the password: keep it private (chmod 600).\n")
	b.WriteString("account default\n")
	// line writes one "command argument" line, quoting string arguments.
	line := func(cmd, field, v string, quote bool) error {
		arg := v
		if quote {
			q, err := msmtpArg(field, v)
			if err != nil {
				return err
			}
			arg = q
		}
		l := cmd + " " + arg
		if len(l) > msmtpMaxLine {
			return smtp.FieldError{Field: field, Problem: i18n.N("is too long for msmtp, which reads config lines of at most 500 characters"), Fix: i18n.N("shorten it")}
		}
		b.WriteString(l + "\n")
		return nil
	}
	steps := []struct {
		cmd, field, value string
		quote, when       bool
	}{
		{"host", "host", strings.Trim(s.Host, "[]"), true, true},
		{"port", "port", strconv.Itoa(s.Port), false, true},
		{"tls", "security", onOff(s.Security.Encrypted()), false, true},
		{"tls_starttls", "security", onOff(s.Security == smtp.SecuritySTARTTLS), false, s.Security.Encrypted()},
		{"tls_trust_file", "ca_file", s.CAFile, true, s.Security.Encrypted() && s.CAFile != "" && !s.InsecureSkipVerify && s.TLSPinSHA256 == ""},
		// msmtp trusts exactly this certificate, whatever its contents.
		{"tls_fingerprint", smtp.PinField, s.TLSPinSHA256, false, s.Security.Encrypted() && s.TLSPinSHA256 != ""},
		{"tls_certcheck", "insecure_skip_verify", "off", false, s.Security.Encrypted() && s.InsecureSkipVerify},
		{"domain", "helo", s.Helo, false, s.Helo != ""}, // msmtp's EHLO name
	}
	for _, st := range steps {
		if st.when {
			if err := line(st.cmd, st.field, st.value, st.quote); err != nil {
				return nil, err
			}
		}
	}
	if !usesAuth(s) {
		b.WriteString("auth off\n")
	} else if err := msmtpLogin(&b, line, s, opts); err != nil {
		return nil, err
	}
	if s.From != "" {
		if err := msmtpFrom(s.From); err != nil {
			return nil, err
		}
		if err := line("from", "from", s.From, true); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// msmtpLogin writes auth, user and the password lines.
func msmtpLogin(b *bytes.Buffer, line func(cmd, field, v string, quote bool) error, s smtp.Settings, opts ExportOptions) error {
	b.WriteString("auth " + msmtpAuth[s.Auth] + "\n")
	if err := line("user", "username", s.Username, true); err != nil {
		return err
	}
	if tc := tokenCommand(s, opts); tc != "" {
		return line("passwordeval", "token command", tc, true)
	}
	pwFile := opts.PasswordFile
	if pwFile == "" {
		pwFile = s.PasswordFile
	}
	if pwFile == "" && opts.HidePassword {
		b.WriteString(hiddenMsmtp)
		return nil
	}
	if pwFile == "" {
		q, err := msmtpArg("password", s.Password.Reveal())
		if err != nil {
			return err
		}
		if len("password "+q) > msmtpMaxLine {
			return smtp.FieldError{Field: "password", Problem: i18n.N("is too long to fit on one msmtp config line"),
				Fix: i18n.N("keep it in a password file (password_file, or --password-file for the export)")}
		}
		return line("password", "password", s.Password.Reveal(), true)
	}
	if !filepath.IsAbs(pwFile) {
		return smtp.FieldError{Field: "password_file", Problem: i18n.N("is not an absolute path"), Fix: i18n.N("give the full path, starting with /")}
	}
	// passwordeval runs through /bin/sh: the path is shell-quoted, and "--"
	// keeps a path starting with '-' from being read as an option.
	return line("passwordeval", "password_file", "cat -- "+shellQuote(pwFile), true)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
