package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"smtpsetup/e2e/term"
	"smtpsetup/smtp/smtptest"
)

// startFresh runs the wizard on the built binary with no config, in a
// pseudo-terminal of 80x24.
func startFresh(t *testing.T) *program {
	t.Helper()
	home := t.TempDir()
	p := &program{home: home, config: filepath.Join(home, "etc", "smtp.yaml")}
	cmd := exec.Command(binary, "--config", p.config)
	cmd.Env = environment(home)
	p.Term = term.Start(t, cmd, 80, 24)
	return p
}

// toOtherServer leaves the address empty (no look-up: no DNS leaves the
// machine) and picks "Other server" from the list by filtering it.
func (p *program) toOtherServer() {
	p.WaitFor(focus("Your e-mail address")).Press(term.Enter)
	p.WaitFor(focus("Which service sends your mail?")).Press("/").Type("Other server").WaitFor("> Other server").Press(term.Enter)
}

// serverFields types the server, STARTTLS, the port and the CA file (""
// for none) on the Server step.
func (p *program) serverFields(port int, caFile string) {
	p.WaitFor(focus("SMTP server")).Type("localhost").Press(term.Enter)
	p.WaitFor(focus("Encryption")).Press("/").Type("STARTTLS").WaitFor("> STARTTLS").Press(term.Enter)
	p.WaitFor(focus("Port")).Press(term.CtrlU).Type(strconv.Itoa(port)).Press(term.Enter)
	p.WaitFor(focus("CA file (optional)"))
	if caFile != "" {
		p.Type(caFile)
	}
	p.Press(term.Enter)
}

// save writes the file from the passed test and expects exit code 0.
func (p *program) save(t *testing.T) {
	t.Helper()
	p.WaitFor("Write the file?").Press(term.Enter)
	p.WaitFor("✓ Saved.").Press(term.Enter)
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit %d after saving\n%s", code, p.Dump())
	}
}

// TestNoLoginRelayWalkOnTheBinary: an office relay that takes mail from
// this machine without a login, with a certificate from a private CA given
// in the CA file field. The saved config has no login, names the CA, and
// the result said the server took mail without one.
func TestNoLoginRelayWalkOnTheBinary(t *testing.T) {
	t.Parallel()
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS)) // no account: relay by address
	p := startFresh(t)
	ca := filepath.Join(p.home, "office-ca.pem")
	if err := os.WriteFile(ca, srv.CA().PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	p.toOtherServer()
	p.WaitFor(focus("How does this machine log in?")).Press(term.Down).WaitFor("> No login").Press(term.Enter)
	p.WaitFor(focus("E-mail address")).Type("nas@corp.example").Press(term.Enter)
	p.WaitFor(focus("Sender name")).Press(term.Enter)
	p.serverFields(srv.Port(), ca)
	p.WaitFor("✓ Passed.")
	if !strings.Contains(p.Screen(), "without a login") {
		t.Errorf("the result does not say the server took mail without a login:\n%s", p.Screen())
	}
	p.Press(term.Enter)
	p.save(t)
	kv := p.savedFile(t)
	wantValues(t, kv, map[string]string{"host": "localhost", "port": strconv.Itoa(srv.Port()), "security": "starttls",
		"auth": "none", "from": "nas@corp.example", "ca_file": ca})
	for _, k := range []string{"username", "password", "password_file"} {
		if v, ok := kv[k]; ok {
			t.Errorf("a relay without a login saved %s: %q", k, v)
		}
	}
	if len(srv.Logins()) != 0 {
		t.Errorf("the test logged in %d times to a relay without a login", len(srv.Logins()))
	}
}

// TestSelfSignedWalkOnTheBinary: a server whose certificate no authority
// on this machine vouches for. The test shows its fingerprint; f trusts
// exactly that certificate, the test passes, and the config pins it
// (never a skip-verify). The password never reaches the terminal.
func TestSelfSignedWalkOnTheBinary(t *testing.T) {
	t.Parallel()
	const user, pass = "nas@corp.example", "Corr3ct-h0rse-battery"
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(user, pass))
	p := startFresh(t)
	p.toOtherServer()
	p.WaitFor(focus("How does this machine log in?")).Press(term.Enter)
	p.WaitFor(focus("E-mail address")).Type(user).Press(term.Enter)
	p.WaitFor(focus("Login")).WaitFor(user).Press(term.Enter)
	p.WaitFor(focus("Password")).Type(pass).Press(term.Enter)
	p.WaitFor(focus("Sender name")).Press(term.Enter)
	p.serverFields(srv.Port(), "")
	p.WaitFor("[tls.untrusted]").WaitFor("Press f").Press("f")
	p.WaitFor("✓ Passed.").Press(term.Enter)
	p.save(t)
	kv := p.savedFile(t)
	wantValues(t, kv, map[string]string{"host": "localhost", "security": "starttls", "username": user, "password": pass})
	if !strings.Contains(kv["tls_pin_sha256"], ":") || kv["insecure_skip_verify"] == "true" {
		t.Errorf("saved pin %q, skip-verify %q: want the certificate pinned", kv["tls_pin_sha256"], kv["insecure_skip_verify"])
	}
	if strings.Contains(string(p.Raw()), pass) {
		t.Error("the password reached the terminal")
	}
}
