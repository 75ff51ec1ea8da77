package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"smtpsetup/e2e/term"
)

// Enter on every screen at 80x24 saves the demo settings; every screen
// fits, and the password never reaches the terminal.
func TestDemoEnterThroughEveryScreen(t *testing.T) {
	t.Parallel()
	p := startDemo(t, 80, 24)
	flow := slices.Concat(toAccount, throughAccount, throughServer, throughSave)
	p.walk(t, fits(24), flow...)
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, p.Dump())
	}
	kv := p.savedFile(t)
	wantValues(t, kv, map[string]string{
		"version": "1", "host": "localhost", "security": "starttls", "username": "demo@example.test",
	})
	pass := kv["password"]
	if len(pass) < 8 {
		t.Fatalf("saved password %q: want the demo's random password", pass)
	}
	if bytes.Contains(p.Raw(), []byte(pass)) {
		t.Errorf("the password was written to the terminal")
	}
	if strings.Contains(p.Screen(), pass) {
		t.Errorf("the password is on the screen\n%s", p.Dump())
	}
}

// Esc goes back a step and keeps what was typed.
func TestEscBackKeepsValues(t *testing.T) {
	t.Parallel()
	p := startDemo(t, 80, 24)
	p.walk(t, nil, toAccount...)
	p.changeAccount(t)
	p.walk(t, nil, accountFields[:3]...)
	p.Expect(focus("Sender name")).Press(term.End, term.CtrlU)
	p.WaitForFunc(regexp.MustCompile(`(?m)^│ > _$`).MatchString, "the sender name cleared")
	p.Type("Office NAS").Expect("> Office NAS").Press(term.Enter)

	p.Expect(focus("Server settings")).Press(term.Esc)
	p.Expect(step(3, "Account")).Expect(`"Office NAS"`).Press(term.Esc)
	p.Expect(step(2, "Before you start")).Press(term.Enter)
	p.Expect(step(3, "Account")).Expect(`"Office NAS"`)

	p.walk(t, nil, throughAccount...)
	p.finish(t)
	wantValues(t, p.savedFile(t), map[string]string{"from_name": "Office NAS"})
}

// Ctrl-C quits at once before any key, asks later; nothing is left behind.
func TestCtrlC(t *testing.T) {
	t.Parallel()
	t.Run("first screen quits at once", func(t *testing.T) {
		t.Parallel()
		p := startDemo(t, 80, 24)
		p.Expect(step(1, "Provider")).Press(term.CtrlC)
		p.expectQuit(t)
	})
	t.Run("later screen asks first", func(t *testing.T) {
		t.Parallel()
		p := startDemo(t, 80, 24)
		p.walk(t, nil, toAccount...)
		p.Expect(focus("Account")).Press(term.CtrlC)
		p.Expect("Quit without saving?").Press("n")
		p.WaitForFunc(func(s string) bool {
			return !strings.Contains(s, "Quit without saving?") && strings.Contains(s, focus("Account"))
		}, "the Account form back after n")
		p.Press(term.Enter).Expect(focus("Server settings")).Press(term.CtrlC)
		p.Expect("Quit without saving?").Press("y")
		p.expectQuit(t)
	})
}

// expectQuit checks the documented quit: exit code 1, the message, and no
// file in the config's directory: the demo writes its CA only on Save.
func (p *program) expectQuit(t *testing.T) {
	t.Helper()
	if code := p.Wait(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	p.Expect("Quit without saving: the config was not written.")
	entries, err := os.ReadDir(filepath.Dir(p.config))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s left in the config directory", e.Name())
	}
}

// Shrinking the terminal keeps the form usable down to the minimum, asks
// for more room below it, and loses nothing.
func TestResize(t *testing.T) {
	t.Parallel()
	p := startDemo(t, 80, 24)
	p.walk(t, nil, toAccount...)
	p.changeAccount(t)
	p.walk(t, nil, accountFields[:3]...)
	p.Expect(focus("Sender name")).Type(" 2").Expect("> smtpsetup demo 2")

	p.Resize(60, 16).WaitForFunc(func(s string) bool {
		return fits(16)(s) && strings.Contains(s, focus("Sender name")) && strings.Contains(s, "> smtpsetup demo 2")
	}, "the Account form at 60x16, focused field and help visible")
	p.Resize(30, 8).Expect("Please enlarge the terminal")
	p.Resize(80, 24).WaitForFunc(func(s string) bool {
		return fits(24)(s) && strings.Contains(s, "E-mail address") && strings.Contains(s, focus("Sender name")) &&
			strings.Contains(s, "> smtpsetup demo 2")
	}, "the whole Account form back at 80x24")

	p.Press(term.Enter)
	p.finish(t)
	wantValues(t, p.savedFile(t), map[string]string{"from_name": "smtpsetup demo 2"})
}

// Without a terminal the wizard explains itself and exits with 2.
func TestNoTerminal(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), term.DefaultTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "--demo", "--config", filepath.Join(home, "etc", "smtp.yaml"))
	cmd.Env = environment(home) // stdin is /dev/null, stdout and stderr a pipe
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("still running after %s; output so far:\n%s", term.DefaultTimeout, out)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("exit: %v, want code 2", err)
	}
	if !strings.Contains(string(out), "check") {
		t.Errorf("message %q does not point to `smtpsetup check`", out)
	}
	if _, err := os.Stat(filepath.Join(home, "etc")); err == nil {
		t.Errorf("the config directory was created without a terminal")
	}
}

// A pasted password loses its line break, says so, and is never shown.
func TestPastePassword(t *testing.T) {
	t.Parallel()
	const secret = "abcd efgh ijkl mnop"
	p := startDemo(t, 80, 24)
	p.walk(t, nil, toAccount...)
	p.changeAccount(t)
	p.walk(t, nil, accountFields[:2]...)
	p.Expect(focus("Password")).Press(term.End, term.CtrlU)
	empty := regexp.MustCompile(`(?m)^│ > _$`)
	p.WaitForFunc(empty.MatchString, "the password field cleared")
	p.Paste(secret + "\n")
	p.Expect("Removed the line break").Expect("│ > " + strings.Repeat("*", len(secret)))
	if strings.Contains(p.Screen(), "abcd") {
		t.Errorf("pasted password on screen\n%s", p.Dump())
	}
	for _, word := range strings.Fields(secret) {
		if bytes.Contains(p.Raw(), []byte(word)) {
			t.Errorf("part of the pasted password (%q) was written to the terminal", word)
		}
	}
	p.Press(term.CtrlC).Expect("Quit without saving?").Press("y")
	p.expectQuit(t)
}

// SSL/TLS on the demo's STARTTLS port fails with tls.not_tls, and the
// offered fix (Enter) passes.
func TestWrongModeFixedWithOneKey(t *testing.T) {
	t.Parallel()
	p := startDemo(t, 80, 24)
	p.walk(t, nil, toAccount...)
	p.walk(t, nil, throughAccount...)
	p.Expect(focus("Server settings")).Press(term.Down).Expect("> Change").Press(term.Enter)
	p.Expect(focus("SMTP server"))
	m := portOnScreen.FindStringSubmatch(p.Screen())
	if m == nil {
		t.Fatalf("no port on the Server screen\n%s", p.Dump())
	}
	port := m[1]
	p.Press(term.Enter).Expect(focus("Encryption")).Press(term.Up).Expect("> SSL/TLS").Press(term.Enter)
	p.Expect(focus("Port")).Press(term.End, term.CtrlU)
	p.WaitForFunc(regexp.MustCompile(`(?m)^│ > _$`).MatchString, "the port field cleared")
	p.Type(port).Expect("│ > " + port).Press(term.Enter)
	if p.WaitForFunc(func(s string) bool {
		return strings.Contains(s, focus("CA file")) || strings.Contains(s, "press Enter again")
	}, "the CA file or a port warning"); strings.Contains(p.Screen(), "press Enter again") {
		p.Press(term.Enter)
	}
	p.Expect(focus("CA file")).Press(term.Enter) // none: the demo's CA is trusted from memory
	p.Expect(step(5, "Live test")).Expect("[tls.not_tls]").Expect("Press Enter to switch to STARTTLS").Press(term.Enter)
	p.walk(t, nil, throughSave...)
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, p.Dump())
	}
	wantValues(t, p.savedFile(t), map[string]string{"security": "starttls", "port": port})
}

// Ctrl-C on every step, before saving, leaves nothing on disk.
func TestCtrlCOnEveryStep(t *testing.T) {
	t.Parallel()
	walks := [][]stop{
		toAccount[:1],
		toAccount,
		slices.Concat(toAccount, throughAccount),
		slices.Concat(toAccount, throughAccount, throughServer),
		slices.Concat(toAccount, throughAccount, throughServer, throughSave[:1]),
	}
	for i, w := range walks {
		t.Run(fmt.Sprintf("step %d", i+2), func(t *testing.T) {
			t.Parallel()
			p := startDemo(t, 80, 24)
			p.walk(t, nil, w...)
			p.Expect(fmt.Sprintf("Step %d of 6", i+2)).Press(term.CtrlC)
			p.Expect("Quit without saving?").Press("y")
			p.expectQuit(t)
		})
	}
}

// Esc walks back from the last step to the first, one step at a time,
// and everything typed is still there on the way forward again.
func TestEscFromEveryStepToTheFirst(t *testing.T) {
	t.Parallel()
	p := startDemo(t, 80, 24)
	p.walk(t, nil, toAccount...)
	p.changeAccount(t)
	p.walk(t, nil, accountFields[:3]...)
	p.Expect(focus("Sender name")).Press(term.End, term.CtrlU).Type("Front desk")
	p.Press(term.Enter)
	p.walk(t, nil, slices.Concat(throughServer, throughSave[:1])...)
	p.Expect(step(6, "Save"))
	for _, back := range []string{step(5, "Live test"), step(4, "Server and encryption"), step(3, "Account"), step(2, "Before you start"), step(1, "Provider")} {
		p.Press(term.Esc).Expect(back)
	}
	// The first step offers no way back.
	p.WaitForFunc(func(s string) bool { return strings.Contains(s, "ctrl+c quit") && !strings.Contains(s, "esc back") }, "key help without esc back")
	p.walk(t, nil, toAccount...)
	p.Expect("Front desk")
	p.walk(t, nil, throughAccount...)
	p.finish(t)
	wantValues(t, p.savedFile(t), map[string]string{"from_name": "Front desk"})
}
