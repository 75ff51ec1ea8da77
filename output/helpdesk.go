package output

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"smtpsetup/smtp"
)

// earliestPlausible is a date before which this device's clock cannot be
// right: the program did not exist. A first boot without NTP often starts
// in 1970 or at the firmware's build date, and every certificate then
// looks invalid.
var earliestPlausible = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Helpdesk is the report a user pastes into a support ticket: plain text,
// no colour, the secret masked, every server string cleaned.
func Helpdesk(r *smtp.Report, d *smtp.Diagnosis, version string) string {
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	host, _ := os.Hostname()
	now := r.Started
	clock := now.Format(time.RFC3339)
	if now.Before(earliestPlausible) {
		clock += "  <- this clock looks wrong: certificates will fail until it is set"
	}
	line("smtpsetup report")
	line("================")
	line("version      %s (%s, %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	line("machine      %s", smtp.CleanLine(host))
	line("local time   %s", clock)
	line("")
	s := r.Settings
	line("Settings")
	line("  provider   %s", orDash(s.Provider))
	line("  server     %s", smtp.CleanLine(s.Address()))
	line("  security   %s", s.Security.Label())
	line("  auth       %s", s.Auth)
	line("  login      %s", orDash(smtp.CleanLine(s.Username)))
	line("  password   %s", passwordState(s))
	line("  from       %s", orDash(smtp.CleanLine(s.From)))
	if s.CAFile != "" {
		line("  ca file    %s", smtp.CleanLine(s.CAFile))
	}
	if s.TLSPinSHA256 != "" {
		line("  tls pin    %s", s.TLSPinSHA256)
	}
	if s.InsecureSkipVerify {
		line("  WARNING    certificate verification is off")
	}
	line("")
	line("Result: %s", map[bool]string{true: "PASSED", false: "FAILED"}[r.OK])
	line("  proven: %s", provenList(r))
	for _, st := range r.Stages {
		mark := "ok  "
		if !st.OK {
			mark = "FAIL"
		}
		line("  %s %-9s %6dms  %s", mark, st.Stage, st.Duration.Milliseconds(), st.Detail)
	}
	if d != nil {
		line("")
		line("Diagnosis [%s]: %s", d.Code, d.Title)
		line("  family: %s%s", d.Family, map[bool]string{true: " (temporary)", false: ""}[d.Transient])
		line("  %s", d.Detail)
		for _, l := range d.ReplyLines() {
			line("  %s", l)
		}
		line("  Fix: %s", d.Fix)
		if d.Suggestion != nil {
			line("  Suggested: %s", d.Suggestion)
		}
	}
	line("")
	line("Server")
	line("  address     %s", orDash(r.Server.Address))
	line("  greeting    %s", orDash(strings.ReplaceAll(r.Server.Greeting, "\n", " / ")))
	line("  extensions  %s", orDash(strings.Join(r.Server.Extensions, ", ")))
	if t := r.Server.TLS; t != nil {
		line("  tls         %s, %s, verified %v%s", t.Version, t.Cipher, t.Verified, map[bool]string{true: " (by the pinned fingerprint)"}[t.Pinned])
		if c := t.Certificate; c != nil {
			line("  certificate %s; issuer %s", c.Subject, c.Issuer)
			line("              valid %s to %s; names %s", c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly), strings.Join(c.Names, " "))
			line("              sha256 %s", c.SHA256)
		}
	}
	for _, n := range r.NetworkLines() {
		line("  network     %s", n)
	}
	line("")
	line("Transcript (passwords and AUTH data masked)")
	for _, l := range r.Transcript {
		line("  %6dms %s", l.At.Milliseconds(), l.String())
	}
	return b.String()
}

func passwordState(s smtp.Settings) string {
	switch {
	case s.Password.IsZero():
		return "(none)"
	case s.PasswordFile != "":
		return smtp.Mask + " (from " + smtp.CleanLine(s.PasswordFile) + ")"
	}
	return smtp.Mask + " (set)"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
