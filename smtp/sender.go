package smtp

import (
	"slices"
	"strings"

	"smtpsetup/i18n"
)

// envelopeSender is the address given in MAIL FROM: the From address, else
// the login when it is an address, else "" (nothing to check).
func (s Settings) envelopeSender() string {
	if s.From != "" {
		return s.From
	}
	if strings.Contains(s.Username, "@") {
		return s.Username
	}
	return ""
}

// checkSender asks whether the server takes mail from this sender, the way
// a real client starts a message, and then withdraws with RSET: nothing is
// sent. Servers refuse a sender the login does not own here (Postfix's
// reject_sender_login_mismatch, Microsoft's SendAsDenied, SES and SendGrid
// unverified identities), so "passed" means mail can go out. The refusal is
// a MAIL reply, classified as such.
func (t *tester) checkSender() (string, error) {
	from := t.sender()
	reply, err := t.cmd("MAIL FROM:<" + from + ">")
	if err != nil {
		return "", err
	}
	if reply.Code != 250 {
		return "", &replyError{"MAIL", reply}
	}
	reply, err = t.cmd("RSET")
	if err != nil {
		return "", err
	}
	if reply.Code != 250 {
		return "", &replyError{"RSET", reply}
	}
	return t.say(i18n.N("%s accepted"), CleanLine(from)), nil
}

// What a test can prove, in the order it proves them; Report.Proven lists
// those it did.
const (
	ProvenLogin    = "login"    // the server accepted the login
	ProvenSender   = "sender"   // the server accepted the sender (MAIL FROM)
	ProvenMessage  = "message"  // the server accepted the test message for delivery
	ProvenDelivery = "delivery" // the test message arrived: its code was typed back
)

// Proven lists what the test proved, also when a later stage failed: a
// login refused at the sender still proved the login.
func (r *Report) Proven() []string {
	proven := []string{}
	if st, ok := r.Stage(StageAuth); ok && st.OK {
		proven = append(proven, ProvenLogin)
	}
	sender, _ := r.Stage(StageSender)
	send, _ := r.Stage(StageSend)
	if sender.OK || send.OK {
		proven = append(proven, ProvenSender)
	}
	if send.OK && r.Sent != nil {
		proven = append(proven, ProvenMessage)
		if r.Sent.Confirmed {
			proven = append(proven, ProvenDelivery)
		}
	}
	return proven
}

// NoLogin reports a test that passed without logging in: the server took
// mail from this machine on its address alone (a relay by IP).
func (r *Report) NoLogin() bool {
	_, auth := r.Stage(StageAuth)
	return !auth
}

// Verdict says in one sentence what a passed test showed, naming only what
// was proven: a test without a login does not claim one, a message the
// server took is not yet a message delivered. The wizard and check share it.
func (r *Report) Verdict() string { return r.VerdictIn(nil) }

// VerdictIn is Verdict in tr's language.
func (r *Report) VerdictIn(tr *i18n.Printer) string {
	var parts []string
	proven := r.Proven()
	has := func(p string) bool { return slices.Contains(proven, p) }
	if has(ProvenLogin) {
		parts = append(parts, tr.T("the login"))
	}
	if has(ProvenSender) {
		parts = append(parts, tr.Tf("the sender %s", CleanLine(r.Settings.envelopeSender())))
	}
	if has(ProvenMessage) {
		parts = append(parts, tr.Tf("the test message to %s (code %s)", CleanLine(r.Sent.To), r.Sent.Code))
	}
	var what string
	switch len(parts) {
	case 0:
		return tr.T("the server accepted the connection; no sender was given to check.")
	case 1:
		what = parts[0]
	case 2:
		what = tr.Tf("%s and %s", parts[0], parts[1])
	default:
		what = tr.Tf("%s, %s and %s", parts[0], parts[1], parts[2])
	}
	switch noLogin, delivered := r.NoLogin(), has(ProvenDelivery); {
	case noLogin && delivered:
		return tr.Tf("the server accepted %s without a login, and the code came back: delivery confirmed.", what)
	case noLogin:
		return tr.Tf("the server accepted %s without a login.", what)
	case delivered:
		return tr.Tf("the server accepted %s, and the code came back: delivery confirmed.", what)
	}
	return tr.Tf("the server accepted %s.", what)
}
