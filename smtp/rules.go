package smtp

import (
	"fmt"
	"strings"
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
func (p Provider) Label() string {
	status := map[string]string{
		StatusOAuthOnly: " (OAuth only: passwords refused)",
		StatusChanging:  " (changing: see notes)",
		StatusBroken:    " (known not to work)",
	}
	return p.Name + status[p.Status]
}

// StatusLine is the status note marked by its weight ("Warning: ..." when
// a login cannot work, "Note: ..." otherwise), or "" without a note.
func (p *Provider) StatusLine() string {
	switch {
	case p == nil || p.StatusNote == "":
		return ""
	case p.Status == StatusOAuthOnly || p.Status == StatusBroken:
		return "Warning: " + p.StatusNote
	}
	return "Note: " + p.StatusNote
}

// Describe is the mode as a user chooses it: its name, what it does, and
// the port it goes with.
func (s Security) Describe(port int) string {
	what := map[Security]string{
		SecuritySSL:      "encrypted from the first byte",
		SecuritySTARTTLS: "plain greeting, then encrypted",
		SecurityNone:     "no encryption (trusted networks only)",
	}[s]
	return fmt.Sprintf("%-9s %s, port %d", s.Label(), what, port)
}

// Sentence is the error as a form shows it under its field: the field, the
// problem and the fix.
func (e FieldError) Sentence() string { return e.Field + " " + e.Problem + ": " + e.Fix }

// Part is a part of the settings a user edits together.
type Part int

// The parts a failure can point at.
const (
	PartServer  Part = iota // host, mode and port
	PartAccount             // address, login and secret
)

func (p Part) String() string { return [...]string{"server settings", "account"}[p] }

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
