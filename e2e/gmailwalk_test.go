package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"smtpsetup/e2e/term"
	"smtpsetup/smtp/smtptest"
)

// gmailEntry is the built-in catalogue's Gmail entry as the vendor file
// (--providers) would hold it, with its host and port moved to a loopback
// server: everything else (detection by domain, checklist, App Password
// rule, recommended mode) is the real entry, and no packet leaves the
// machine.
func gmailEntry(t *testing.T, port int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(moduleRoot, "smtp", "providers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "  - id: gmail\n")
	if start < 0 {
		t.Fatal("no gmail entry in smtp/providers.yaml")
	}
	end := strings.Index(text[start+1:], "\n  - id: ") + start + 1
	entry := text[start:end]
	for old, repl := range map[string]string{
		"host: smtp.gmail.com": "host: localhost",
		"port: 465,":           "port: " + strconv.Itoa(port) + ",",
	} {
		if !strings.Contains(entry, old) {
			t.Fatalf("the gmail entry lacks %q:\n%s", old, entry)
		}
		entry = strings.Replace(entry, old, repl, 1)
	}
	return "providers:\n" + entry + "\n"
}

// TestGmailWalkOnTheBinary walks a Gmail setup on the built binary in a
// pseudo-terminal, counting every key besides typing the address and the
// App Password. The server is a loopback implicit-TLS server whose
// certificate comes from a throw-away CA; the binary trusts that CA through
// SSL_CERT_FILE, as Go does on Linux for the system roots: no test-only
// code path in the product.
func TestGmailWalkOnTheBinary(t *testing.T) {
	t.Parallel()
	const addr, appPassword = "nas@gmail.com", "abcdefghijklmnop"
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeImplicitTLS), smtptest.WithCA(ca), smtptest.WithCertificate(cert),
		smtptest.WithAccount(addr, appPassword))
	home := t.TempDir()
	cat, roots := filepath.Join(home, "gmail.yaml"), filepath.Join(home, "roots.pem")
	if err := os.WriteFile(cat, []byte(gmailEntry(t, srv.Port())), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(roots, ca.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &program{home: home, config: filepath.Join(home, "etc", "smtp.yaml")}
	cmd := exec.Command(binary, "--providers", cat, "--config", p.config)
	cmd.Env = append(environment(home), "SSL_CERT_FILE="+roots)
	p.Term = term.Start(t, cmd, 80, 24)

	keys := 0
	press := func(wait string) {
		t.Helper()
		p.WaitFor(wait).Press(term.Enter)
		keys++
	}
	p.WaitFor(focus("Your e-mail address")).Type(addr)
	press(addr)
	press("Gmail  ← your address")
	press("I turned on 2-Step Verification and created an App Password")
	p.WaitFor("Sending as " + addr + ", login " + addr).WaitFor(focus("App Password")).Type(appPassword)
	press(focus("App Password"))
	press("Use the recommended settings (localhost, SSL/TLS, " + strconv.Itoa(srv.Port()) + ")")
	press("✓ Passed.")
	press("Write the file?")
	press("✓ Saved.")
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit %d after %d keys\n%s", code, keys, p.Dump())
	}
	t.Logf("gmail on the binary: %d keys besides typing the address and the App Password (issue 14's target: 8)", keys)
	if keys > gmailKeys {
		t.Errorf("a Gmail setup takes %d keys, more than %d", keys, gmailKeys)
	}
	kv := p.savedFile(t) // mode 0600 checked there
	wantValues(t, kv, map[string]string{
		"provider": "gmail", "host": "localhost", "port": strconv.Itoa(srv.Port()), "security": "ssl",
		"username": addr, "from": addr, "password": appPassword,
	})
	if bytes.Contains(p.Raw(), []byte(appPassword)) {
		t.Error("the App Password reached the terminal")
	}
}
