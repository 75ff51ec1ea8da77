// Package config is smtpsetup's settings file: a small versioned YAML schema,
// Load, an atomic and durable Save that keeps one backup, and exports of the
// same settings for other tools (JSON, shell variables, msmtp, Postfix and Go
// templates).
//
// Errors from this package never contain the password: messages name the
// field and the line, never the secret value.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"smtpsetup/smtp"
)

// Version is the schema version this package reads and writes.
const Version = 1

// FileName is the config file's name in its default directories.
const FileName = "smtp.yaml"

// geteuid is a variable so that a test can take the root branch of DefaultPath.
var geteuid = os.Geteuid

// DefaultPath is where the config lives when --config is not given:
// $SMTPSETUP_CONFIG, else /etc/smtpsetup/smtp.yaml for root, else
// $XDG_CONFIG_HOME/smtpsetup/smtp.yaml or ~/.config/smtpsetup/smtp.yaml.
// Without a home directory it falls back to smtp.yaml in the working
// directory.
func DefaultPath() string {
	if p := os.Getenv("SMTPSETUP_CONFIG"); p != "" {
		return p
	}
	if geteuid() == 0 {
		return filepath.Join("/etc/smtpsetup", FileName)
	}
	// The XDG spec says to ignore a relative $XDG_CONFIG_HOME.
	if x := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "smtpsetup", FileName)
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".config", "smtpsetup", FileName)
	}
	return FileName
}

// LoadError is a problem with a config file or a password file, said so that
// the user can fix it: the file, the line when known, the field, what is wrong
// and what to do. It never quotes the password.
type LoadError struct {
	Path    string // the file; "" when parsing bytes
	Line    int    // 1-based line, 0 when the problem is not on one line
	Field   string // the field, "" when the problem is not about one field
	Problem string // what is wrong
	Fix     string // what to do about it
	Err     error  // the underlying error, if any (never carries the password)
}

// Error reads "FILE line N: field \"F\" PROBLEM: CAUSE; FIX".
func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString(cmp.Or(e.Path, "config"))
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q ", e.Field)
	}
	b.WriteString(e.Problem)
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if e.Fix != "" {
		b.WriteString("; " + e.Fix)
	}
	return b.String()
}

// Unwrap gives the underlying error, so that errors.Is(err, fs.ErrNotExist)
// tells a missing file apart.
func (e *LoadError) Unwrap() error { return e.Err }

// checkText is smtp.CheckText: one rule for flags, the file and the
// wizard. The error names the field, never the value.
func checkText(field, v string) error { return smtp.CheckText(field, v) }

// textFields lists the settings' free-text fields with the names the file
// uses, for checks that apply to all of them.
func textFields(s smtp.Settings) []struct{ name, value string } {
	return []struct{ name, value string }{
		{"provider", s.Provider},
		{"host", s.Host},
		{"username", s.Username},
		{"password", s.Password.Reveal()},
		{"password_file", s.PasswordFile},
		{"from", s.From},
		{"from_name", s.FromName},
		{"ca_file", s.CAFile},
		{"oauth_client_id", s.OAuthClientID},
		{"oauth_tenant", s.OAuthTenant},
		{"helo", s.Helo},
		{"language", s.Language},
	}
}

// checkAllText runs checkText over every free-text field.
func checkAllText(s smtp.Settings) error {
	for _, f := range textFields(s) {
		if err := checkText(f.name, f.value); err != nil {
			return err
		}
	}
	return nil
}

// redact replaces a secret in an error's text with the mask. It is the last
// line of defence for messages built from text we do not control (a YAML
// library's, a template engine's): short secrets are left alone, because
// masking "a" everywhere would garble the message and protect nothing.
func redact(msg string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, smtp.Mask)
		}
	}
	return msg
}

// redactErr returns err, or a plain error with the secrets masked when its
// text held one. The original is not kept: unwrapping it would give the
// secret back.
func redactErr(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	if msg := redact(err.Error(), secrets...); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}

// Language is the language field of the config file at path, "" when the
// file is missing, unreadable or broken: choosing the language never
// fails, and a broken file is reported in the environment's language.
func Language(path string) string {
	data, _, err := readPrivate(path, maxConfigSize, 0)
	if err != nil {
		return ""
	}
	s, err := parse(data, path)
	if err != nil {
		return ""
	}
	return s.Language
}
