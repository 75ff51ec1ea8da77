package output

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// earliestPlausible is a date before which this device's clock cannot be
// right: the program did not exist. A first boot without NTP often starts
// in 1970 or at the firmware's build date, and every certificate then
// looks invalid.
var earliestPlausible = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Helpdesk is the report a user pastes into a support ticket, in English;
// HelpdeskIn in a language.
func Helpdesk(r *smtp.Report, d *smtp.Diagnosis, version string) string {
	return HelpdeskIn(r, d, version, nil)
}

// HelpdeskIn is the report a user pastes into a support ticket: plain
// text, no colour, the secret masked, every server string cleaned. Its
// headings and sentences are in tr's language; the values, the diagnosis
// code and the transcript stay as they are.
func HelpdeskIn(r *smtp.Report, d *smtp.Diagnosis, version string, tr *i18n.Printer) string {
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	// field is a label in a column width cells wide, then its value.
	field := func(indent string, width int, name, value string) {
		line("%s%s %s", indent, padCells(tr.T(name), width-1), value)
	}
	host, _ := os.Hostname()
	now := r.Started
	clock := now.Format(time.RFC3339)
	if now.Before(earliestPlausible) {
		clock += "  <- " + tr.T("this clock looks wrong: certificates will fail until it is set")
	}
	title := tr.T("smtpsetup report")
	line("%s", title)
	line("%s", strings.Repeat("=", ansi.StringWidth(title)))
	field("", 13, "version", fmt.Sprintf("%s (%s, %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH))
	field("", 13, "machine", smtp.CleanLine(host))
	field("", 13, "local time", clock)
	line("")
	s := r.Settings
	line("%s", tr.T("Settings"))
	field("  ", 11, "provider", orDash(s.Provider))
	field("  ", 11, "server", smtp.CleanLine(s.Address()))
	field("  ", 11, "security", s.Security.LabelIn(tr))
	field("  ", 11, "auth", string(s.Auth))
	field("  ", 11, "login", orDash(smtp.CleanLine(s.Username)))
	field("  ", 11, "password", passwordState(s, tr))
	field("  ", 11, "from", orDash(smtp.CleanLine(s.From)))
	if s.CAFile != "" {
		field("  ", 11, "ca file", smtp.CleanLine(s.CAFile))
	}
	if s.TLSPinSHA256 != "" {
		field("  ", 11, "tls pin", s.TLSPinSHA256)
	}
	if s.InsecureSkipVerify {
		field("  ", 11, "WARNING", tr.T("certificate verification is off"))
	}
	line("")
	if r.OK {
		line("%s", tr.T("Result: PASSED"))
	} else {
		line("%s", tr.T("Result: FAILED"))
	}
	line("  %s", tr.Tf("proven: %s", provenList(r, tr)))
	for _, st := range r.Stages {
		mark := padCells(tr.T("ok"), 4)
		if !st.OK {
			mark = padCells(tr.T("FAIL"), 4)
		}
		line("  %s %-9s %6dms  %s", mark, st.Stage, st.Duration.Milliseconds(), st.DetailIn(tr))
	}
	if d != nil {
		line("")
		line("%s", tr.Tf("Diagnosis [%s]: %s", d.Code, d.Title))
		family := tr.Tf("family: %s", d.Family)
		if d.Transient {
			family = tr.Tf("family: %s (temporary)", d.Family)
		}
		line("  %s", family)
		line("  %s", d.Detail)
		for _, l := range d.ReplyLinesIn(tr) {
			line("  %s", l)
		}
		line("  %s", tr.Tf("Fix: %s", d.Fix))
		if d.Suggestion != nil {
			line("  %s", tr.Tf("Suggested: %s", d.Suggestion))
		}
	}
	line("")
	line("%s", tr.T("Server"))
	field("  ", 12, "address", orDash(r.Server.Address))
	field("  ", 12, "greeting", orDash(strings.ReplaceAll(r.Server.Greeting, "\n", " / ")))
	field("  ", 12, "extensions", orDash(strings.Join(r.Server.Extensions, ", ")))
	if t := r.Server.TLS; t != nil {
		verified := tr.Tf("verified %v", t.Verified)
		if t.Pinned {
			verified = tr.Tf("verified %v (by the pinned fingerprint)", t.Verified)
		}
		field("  ", 12, "tls", t.Version+", "+t.Cipher+", "+verified)
		if c := t.Certificate; c != nil {
			indent := "  " + strings.Repeat(" ", ansi.StringWidth(padCells(tr.T("certificate"), 11))+1)
			field("  ", 12, "certificate", tr.Tf("%s; issuer %s", c.Subject, c.Issuer))
			line("%s%s", indent, tr.Tf("valid %s to %s; names %s", c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly), strings.Join(c.Names, " ")))
			line("%ssha256 %s", indent, c.SHA256)
		}
	}
	for _, n := range r.NetworkLinesIn(tr) {
		field("  ", 12, "network", n)
	}
	line("")
	line("%s", tr.T("Transcript (passwords and AUTH data masked)"))
	for _, l := range r.Transcript {
		line("  %6dms %s", l.At.Milliseconds(), l.String())
	}
	return b.String()
}

func passwordState(s smtp.Settings, tr *i18n.Printer) string {
	switch {
	case s.Password.IsZero():
		return tr.T("(none)")
	case s.PasswordFile != "":
		return tr.Tf("%s (from %s)", smtp.Mask, smtp.CleanLine(s.PasswordFile))
	}
	return tr.Tf("%s (set)", smtp.Mask)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
