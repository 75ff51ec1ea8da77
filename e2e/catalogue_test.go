package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"smtpsetup/e2e/term"
)

// hostileCatalogue is a vendor file whose texts hold OSC 52 (clipboard
// write), CSI 2J, a window title, OSC 8 hyperlinks and a bidi override.
const hostileCatalogue = `providers:
  - id: evil
    name: "Evil\e]52;c;cHduZWQ=\a Mail\u202e"
    host: smtp.evil.example
    ports: [{security: ssl, port: 465, recommended: true}]
    login: address
    secret: {kind: password, label: "Pass\e[2Jword"}
    prerequisites:
      - title: "Allow \e]0;pwned\a SMTP"
        detail: "Open the settings \e]8;;https://evil.example/x\aclick\e]8;;\a"
        url: https://evil.example/setup
    status: changing
    status_note: "2026-01-01: \e]8;;https://evil.example/y\ahere\e]8;;\a \e[2J\u202e"
    last_checked: never
`

// hostileBytes are what must never be written: the sequences above, raw.
var hostileBytes = []string{"\x1b]52;", "\x1b]0;pwned", "\x1b]8;;https://evil.example", "\u202e", "Pass\x1b[2J"}

func writeHostileCatalogue(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "vendor.yaml")
	if err := os.WriteFile(p, []byte(hostileCatalogue), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func checkHostile(t *testing.T, where string, out []byte) {
	t.Helper()
	for _, b := range hostileBytes {
		if bytes.Contains(out, []byte(b)) {
			t.Errorf("%s wrote %q from the vendor file", where, b)
		}
	}
}

// `providers` prints vendor text cleaned, to a pipe and to a terminal, and
// still shows the vendor's entry.
func TestProvidersCleansVendorText(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cat := writeHostileCatalogue(t, home)
	for _, args := range [][]string{{"providers", "--providers", cat}, {"providers", "--json", "--providers", cat}} {
		r := runBinary(t, home, nil, "", 10*time.Second, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "evil") {
			t.Fatalf("%v: exit %d, no entry\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		checkHostile(t, strings.Join(args, " ")+" to a pipe", []byte(r.stdout+r.stderr))
	}
	cmd := exec.Command(binary, "providers", "--providers", cat)
	cmd.Env = environment(home)
	p := term.Start(t, cmd, 200, 60)
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.Dump())
	}
	checkHostile(t, "providers on a terminal", p.Raw())
}

// The wizard shows the vendor's entry, its status note and prerequisites
// cleaned: no escape sequence of the vendor's, no hyperlink built from its
// text, reaches the terminal.
func TestWizardCleansVendorText(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	cat := writeHostileCatalogue(t, home)
	cmd := exec.Command(binary, "--providers", cat, "--config", filepath.Join(home, "etc", "smtp.yaml"))
	cmd.Env = environment(home)
	p := &program{home: home, Term: term.Start(t, cmd, 100, 30)}
	p.WaitFor("Step 1 of ")
	p.WaitFor(focus("Your e-mail address")).Press(term.Enter) // empty: pick from the list
	p.WaitFor(focus("Which service sends your mail?"))
	// Choose the vendor's entry by filtering the list.
	p.Press("/").Type("Evil").WaitFor("> Evil")
	p.Press(term.Enter)
	p.WaitFor(step(2, "Before you start"))
	p.WaitFor("2026-01-01")
	checkHostile(t, "the wizard", p.Raw())
	p.Signal(syscall.SIGTERM)
	p.Wait()
}
