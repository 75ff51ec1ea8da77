package output

import (
	"fmt"
	"strings"

	"smtpsetup/smtp"
)

// Verdict says in one sentence what a passed test showed, naming only what
// was proven: a test without a login does not claim one, a message the
// server took is not yet a message delivered.
func Verdict(r *smtp.Report) string {
	var parts []string
	proven := r.Proven()
	has := func(p string) bool { return strings.Contains(" "+strings.Join(proven, " ")+" ", " "+p+" ") }
	if has(smtp.ProvenLogin) {
		parts = append(parts, "the login")
	}
	if has(smtp.ProvenSender) {
		parts = append(parts, "the sender "+smtp.CleanLine(senderOf(r)))
	}
	if has(smtp.ProvenMessage) {
		parts = append(parts, fmt.Sprintf("the test message to %s (code %s)", smtp.CleanLine(r.Sent.To), r.Sent.Code))
	}
	if len(parts) == 0 {
		return "the server accepted the connection; no sender was given to check."
	}
	msg := "the server accepted " + strings.Join(parts, " and ")
	if r.NoLogin() {
		msg += " without a login"
	}
	if has(smtp.ProvenDelivery) {
		msg += ", and the code came back: delivery confirmed"
	}
	return msg + "."
}

// provenList is Report.Proven for people: "login, sender", or "nothing".
func provenList(r *smtp.Report) string {
	if p := r.Proven(); len(p) > 0 {
		return strings.Join(p, ", ")
	}
	return "nothing"
}

func senderOf(r *smtp.Report) string {
	if r.Settings.From != "" {
		return r.Settings.From
	}
	return r.Settings.Username
}
