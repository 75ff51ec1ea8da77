package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"smtpsetup/i18n"
	"strconv"
	"strings"
	"text/template"

	"smtpsetup/smtp"
)

// Formats lists the formats Export writes, in the order a user is offered them.
var Formats = []string{"json", "env", "msmtp", "postfix", "ansible", "template"}

// ExportOptions tunes Export. The zero value never writes the password into
// json or env output.
type ExportOptions struct {
	// IncludePassword puts the password itself into json and env output.
	// Without it they carry password_file (SMTP_PASSWORD_FILE) when one is
	// set, and no password at all otherwise. msmtp and postfix output always
	// carries what the tool needs to log in; template output carries it when
	// the template uses .Password.
	IncludePassword bool

	// HidePassword leaves the password out of msmtp, postfix and template
	// output (hidden.go): for a screen or a pipe.
	HidePassword bool

	// PasswordFile is an absolute path to a file that holds the password
	// (see WritePasswordFile). The msmtp export then reads it with
	// passwordeval instead of writing the password inline. It overrides
	// Settings.PasswordFile.
	PasswordFile string

	// PostfixSASLMap is the Postfix lookup table for the credentials;
	// default "hash:/etc/postfix/sasl_passwd".
	PostfixSASLMap string

	// PostfixCApath is the directory of trusted CA certificates that Postfix
	// verifies the server with when ca_file is empty; default /etc/ssl/certs
	// (Debian, Ubuntu, Alpine, Arch).
	PostfixCApath string

	// Template is the Go text/template source for the "template" format,
	// executed over a TemplateData.
	Template string
	// TokenCommand prints a fresh OAuth access token ("smtpsetup token
	// --config FILE", shell-quoted). When set and the settings use xoauth2,
	// exports name the command instead of any password: a token expires
	// within the hour, so it is never written out.
	TokenCommand string
}

// Export writes s in the given format (one of Formats) to w. Nothing is
// written unless the whole output could be made. Values with a line break or
// a NUL are refused with an error naming the field; the error never holds the
// password.
func Export(w io.Writer, s smtp.Settings, format string, opts ExportOptions) error {
	if err := checkAllText(s); err != nil {
		return err
	}
	if err := refuseOAuth(s, format, opts); err != nil {
		return err
	}
	var out []byte
	var err error
	switch format {
	case "json":
		out, err = exportJSON(s, opts)
	case "env":
		out, err = exportEnv(s, opts)
	case "msmtp":
		out, err = MsmtpConfig(s, opts)
	case "postfix":
		out, err = exportPostfix(s, opts)
	case "ansible":
		out, err = exportAnsible(s, opts)
	case "template":
		out, err = exportTemplate(s, opts)
	default:
		return fmt.Errorf("unknown export format %q: use one of %s", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// exportJSON writes the same fields as the file, with the same names.
func exportJSON(s smtp.Settings, opts ExportOptions) ([]byte, error) {
	f, err := toFile(s, opts.IncludePassword)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(withTokenCommand(f, s, opts)); err != nil {
		return nil, fmt.Errorf("config: cannot encode the settings as JSON")
	}
	return buf.Bytes(), nil
}

// envVar is one line of the env export.
type envVar struct{ name, value string }

// envVars lists the variables of the env export in a fixed order.
func envVars(s smtp.Settings, opts ExportOptions) ([]envVar, error) {
	f, err := toFile(s, opts.IncludePassword)
	if err != nil {
		return nil, err
	}
	port := ""
	if f.Port != 0 {
		port = strconv.Itoa(f.Port)
	}
	vars := []envVar{
		{"SMTP_PROVIDER", f.Provider},
		{"SMTP_HOST", f.Host},
		{"SMTP_PORT", port},
		{"SMTP_SECURITY", f.Security},
		{"SMTP_AUTH", f.Auth},
		{"SMTP_USERNAME", f.Username},
	}
	if opts.IncludePassword {
		vars = append(vars, envVar{"SMTP_PASSWORD", s.Password.Reveal()})
	}
	if f.PasswordFile != "" {
		vars = append(vars, envVar{"SMTP_PASSWORD_FILE", f.PasswordFile})
	}
	if tc := tokenCommand(s, opts); tc != "" {
		vars = append(vars, envVar{"SMTP_TOKEN_COMMAND", tc})
	}
	vars = append(vars,
		envVar{"SMTP_FROM", f.From},
		envVar{"SMTP_FROM_NAME", f.FromName},
		envVar{"SMTP_CA_FILE", f.CAFile},
		envVar{"SMTP_INSECURE_SKIP_VERIFY", strconv.FormatBool(f.InsecureSkipVerify)},
		envVar{"SMTP_ALLOW_PLAINTEXT_AUTH", strconv.FormatBool(f.AllowPlaintextAuth)},
	)
	if f.TLSPinSHA256 != "" {
		vars = append(vars, envVar{"SMTP_TLS_PIN_SHA256", f.TLSPinSHA256})
	}
	return vars, nil
}

// exportEnv writes NAME='value' lines that a POSIX shell can source (and
// systemd's EnvironmentFile reads): every value single-quoted, so nothing in
// it is expanded or executed.
func exportEnv(s smtp.Settings, opts ExportOptions) ([]byte, error) {
	vars, err := envVars(s, opts)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# SMTP settings from smtpsetup, for a POSIX shell: set -a; . ./smtp.env; set +a\n")
	if opts.IncludePassword {
		b.WriteString("# This file holds the password: keep it private (chmod 600).\n")
	}
	for _, v := range vars {
		b.WriteString(v.name + "=" + shellQuote(v.value) + "\n")
	}
	return b.Bytes(), nil
}

// TemplateData is what a template sees in the "template" export.
type TemplateData struct {
	Provider           string
	Host               string
	Port               int
	Address            string // host:port, IPv6 literals bracketed
	Security           string // ssl, starttls or none
	Auth               string // auto, plain, login, cram-md5, xoauth2 or none
	Username           string
	Password           string // the password itself: a template that uses it asked for it
	PasswordFile       string
	From               string
	FromName           string
	CAFile             string
	InsecureSkipVerify bool
	AllowPlaintextAuth bool
	TokenCommand       string // for xoauth2: the command that prints a fresh access token
}

// templateFuncs help a template quote values for its target.
var templateFuncs = template.FuncMap{
	// shquote quotes a value for a POSIX shell.
	"shquote": shellQuote,
	// json quotes a value as a JSON string.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
}

// exportTemplate runs the caller's text/template over TemplateData. It runs
// into a buffer, so a failing template writes nothing, and its error is
// cleaned of the password in case the engine quoted a value.
func exportTemplate(s smtp.Settings, opts ExportOptions) ([]byte, error) {
	if opts.Template == "" {
		return nil, fmt.Errorf("the template format needs a template: pass its file with --template")
	}
	f, err := toFile(s, true)
	if err != nil {
		return nil, err
	}
	data := TemplateData{
		Provider: f.Provider, Host: f.Host, Port: f.Port, Security: f.Security, Auth: f.Auth,
		Username: f.Username, Password: s.Password.Reveal(), PasswordFile: f.PasswordFile,
		From: f.From, FromName: f.FromName, CAFile: f.CAFile,
		InsecureSkipVerify: f.InsecureSkipVerify, AllowPlaintextAuth: f.AllowPlaintextAuth,
		TokenCommand: tokenCommand(s, opts),
	}
	if f.Host != "" {
		data.Address = net.JoinHostPort(strings.Trim(f.Host, "[]"), strconv.Itoa(f.Port))
	}
	pw := s.Password.Reveal()
	t, err := template.New("export").Option("missingkey=error").Funcs(templateFuncs).Parse(opts.Template)
	if err != nil {
		return nil, redactErr(fmt.Errorf("the template does not parse: %w", err), pw)
	}
	// A template is a program: {{range 100000000000}} would fill the memory.
	if opts.HidePassword {
		data.Password = passwordSentinel
	}
	buf := &limitedBuffer{max: maxTemplateOutput}
	if err := t.Execute(buf, data); err != nil {
		if buf.full {
			return nil, fmt.Errorf("the template's output is larger than %d KiB: check its loops", maxTemplateOutput>>10)
		}
		return nil, redactErr(fmt.Errorf("the template failed: %w", err), pw)
	}
	if err := checkTemplateHidden(buf.Bytes()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxTemplateOutput bounds what a template export may write: far more than
// any config file.
const maxTemplateOutput = 1 << 20

// limitedBuffer is a bytes.Buffer that fails once it would exceed max.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	full bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		b.full = true
		return 0, errors.New("output too large")
	}
	return b.Buffer.Write(p)
}

// needsPlaintextConsent refuses to write a config that would send the
// password over an unencrypted link, unless the user allowed it.
func needsPlaintextConsent(s smtp.Settings) error {
	if usesAuth(s) && s.Security == smtp.SecurityNone && !s.AllowPlaintextAuth {
		return smtp.FieldError{Field: "security", Problem: i18n.N("is none, so the password would cross the network unencrypted"),
			Fix: i18n.N("choose ssl or starttls, or set allow_plaintext_auth: true for a trusted network")}
	}
	return nil
}

// usesAuth reports whether the settings log in at all.
func usesAuth(s smtp.Settings) bool { return s.Username != "" && s.Auth != smtp.AuthNone }

// normalized returns s with canonical security and auth names, checked.
func normalized(s smtp.Settings) (smtp.Settings, error) {
	f, err := toFile(s, false)
	if err != nil {
		return s, err
	}
	s.Security, s.Auth, s.TLSPinSHA256 = smtp.Security(f.Security), smtp.AuthMethod(f.Auth), f.TLSPinSHA256
	if s.Security == "" {
		return s, smtp.FieldError{Field: "security", Problem: i18n.N("is not set"), Fix: i18n.N("choose ssl, starttls or none")}
	}
	if err := smtp.ValidateHost(s.Host); err != nil {
		return s, err
	}
	if s.Port < 1 || s.Port > 65535 {
		return s, smtp.FieldError{Field: "port", Problem: i18n.N("must be a number from 1 to 65535"), Fix: i18n.N("use 465 for SSL/TLS, 587 for STARTTLS or 25 for none")}
	}
	return s, needsPlaintextConsent(s)
}
