package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"smtpsetup/e2e/term"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

// accountFields types an account on the Account step: the address, a
// login in place of the one prefilled from it, the password, no sender
// name.
func (p *program) accountFields(address, login, password string) {
	p.WaitFor(focus("How does this machine log in?")).Press(term.Enter)
	p.WaitFor(focus("E-mail address")).Type(address).Press(term.Enter)
	p.WaitFor(focus("Login")).WaitFor(address).Press(term.CtrlU).Type(login).Press(term.Enter)
	p.WaitFor(focus("Password")).Type(password).Press(term.Enter)
	p.WaitFor(focus("Sender name")).Press(term.Enter)
}

// writeCA puts the server's CA where the user would have it.
func writeCA(t *testing.T, p *program, srv *smtptest.Server) string {
	t.Helper()
	ca := filepath.Join(p.home, "office-ca.pem")
	if err := os.WriteFile(ca, srv.CA().PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return ca
}

// TestRefusedSenderWalkOnTheBinary: the login may send only as itself
// (Microsoft 365 without Send As, SES, Gmail without the alias), and the
// address typed is another. The test checks the sender before anything is
// saved, says so with its code, Edit lands on the address, and the saved
// config sends as the login.
func TestRefusedSenderWalkOnTheBinary(t *testing.T) {
	t.Parallel()
	const user, pass, boss = "nas@corp.example", "Corr3ct-h0rse-battery", "boss@corp.example"
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(user, pass),
		smtptest.WithOwnedSenders(user, user))
	p := startFresh(t)
	ca := writeCA(t, p, srv)
	p.toOtherServer()
	p.accountFields(boss, user, pass)
	p.serverFields(srv.Port(), ca)
	p.WaitFor("[send.sender_rejected]")
	if _, err := os.Stat(p.config); !os.IsNotExist(err) {
		t.Fatalf("a config exists before Save, after a refused sender: %v", err)
	}
	if len(srv.Messages()) != 0 {
		t.Errorf("the sender check sent %d messages; it must send none", len(srv.Messages()))
	}
	p.Press("e").WaitFor(focus("E-mail address")).WaitFor(boss)
	p.Press(term.CtrlU).Type(user).Press(term.Enter)
	for _, f := range []string{"Login", "Password", "Sender name", "SMTP server", "Encryption", "Port", "CA file (optional)"} {
		p.WaitFor(focus(f)).Press(term.Enter)
	}
	p.WaitFor("✓ Passed.").Press(term.Enter)
	p.save(t)
	wantValues(t, p.savedFile(t), map[string]string{"from": user, "username": user, "password": pass, "ca_file": ca})
	if strings.Contains(string(p.Raw()), pass) {
		t.Error("the password reached the terminal")
	}
}

// TestDeliveryByCodeWalkOnTheBinary: after the test passes, m sends a test
// message to the From address; the user reads its code from the message
// and types it: a wrong code is refused, the right one proves delivery,
// and the result says so before Save.
func TestDeliveryByCodeWalkOnTheBinary(t *testing.T) {
	t.Parallel()
	const user, pass = "nas@corp.example", "Corr3ct-h0rse-battery"
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(user, pass))
	p := startFresh(t)
	ca := writeCA(t, p, srv)
	p.toOtherServer()
	p.accountFields(user, user, pass)
	p.serverFields(srv.Port(), ca)
	p.WaitFor("✓ Passed.").WaitFor("Press m").Press("m")
	p.WaitFor(focus("Code from the test message"))
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages arrived, want the one test message", len(msgs))
	}
	m := regexp.MustCompile(`(?m)^Subject: ` + regexp.QuoteMeta(smtp.TestSubjectPrefix) + `(\S+)`).FindSubmatch(msgs[0].Data)
	if m == nil {
		t.Fatalf("no code in the test message's subject:\n%s", msgs[0].Data)
	}
	p.Type("WRONG1").Press(term.Enter).WaitFor("code does not match")
	p.Press(term.CtrlU).Type(string(m[1])).Press(term.Enter)
	p.WaitFor("delivery confirmed").Press(term.Enter)
	p.save(t)
	wantValues(t, p.savedFile(t), map[string]string{"from": user, "port": strconv.Itoa(srv.Port())})
}
