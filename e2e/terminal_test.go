package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"smtpsetup/e2e/term"
)

// colourSGR matches a Select Graphic Rendition sequence that sets a colour
// (30-37, 38;..., 40-47, 48;..., 90-97, 100-107).
var colourSGR = regexp.MustCompile(`\x1b\[[0-9;:]*?\b(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9:;]*)?m`)

// With NO_COLOR the whole demo runs without a single colour sequence, and
// its meaning (marks and words) is still on screen.
func TestNoColor(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	p := &program{home: home, config: filepath.Join(home, "smtp.yaml")}
	cmd := exec.Command(binary, "--demo", "--config", p.config)
	cmd.Env = append(environment(home), "NO_COLOR=1")
	p.Term = term.Start(t, cmd, 80, 24)
	p.walk(t, nil, slices.Concat(toAccount, throughAccount, throughServer, throughSave)...)
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.Dump())
	}
	if m := colourSGR.Find(p.Raw()); m != nil {
		t.Fatalf("colour sequence %q written despite NO_COLOR", m)
	}
}

// TERM=dumb gets the plain line mode: numbered questions, Enter accepts
// every default, and not one escape byte is written.
func TestDumbTerminalLineMode(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	config := filepath.Join(home, "smtp.yaml")
	cmd := exec.Command(binary, "--demo", "--config", config)
	env := environment(home)
	env[0] = "TERM=dumb"
	cmd.Env = env
	p := term.Start(t, cmd, 80, 24)
	for _, prompt := range []string{"1. ", "2. ", "3. Account", "4. Server settings", "5. What next?", "6. Write the file?"} {
		p.WaitFor(prompt)
		for !strings.HasSuffix(strings.TrimRight(p.Screen(), " \n"), ":") {
			p.WaitForFunc(func(s string) bool { return strings.HasSuffix(strings.TrimRight(s, " \n"), ":") }, "a prompt waiting for input")
		}
		p.Press(term.Enter)
	}
	p.WaitFor("Saved.")
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.Dump())
	}
	if i := bytes.IndexByte(p.Raw(), 0x1b); i >= 0 {
		t.Fatalf("escape byte written in line mode at %d: %q", i, p.Raw()[max(i-20, 0):min(i+20, len(p.Raw()))])
	}
	if _, err := os.Stat(config); err != nil {
		t.Fatalf("no config: %v", err)
	}
}

// Keys typed right after Enter, with no pause at all, land in the next
// field, not the one just left.
func TestTypeAhead(t *testing.T) {
	t.Parallel()
	p := startDemo(t, 80, 24)
	p.walk(t, nil, toAccount...)
	p.changeAccount(t)
	p.WaitFor(focus("E-mail address"))
	p.Type("\r" + "ZQ") // Enter and two letters in one write
	p.WaitFor(focus("Login"))
	p.WaitFor("> demo@example.testZQ")
	lines := strings.Split(p.Screen(), "\n")
	for i, l := range lines {
		if strings.Contains(l, "ZQ") && (i == 0 || !strings.Contains(strings.Join(lines[max(i-2, 0):i], "\n"), "Login")) {
			t.Fatalf("ZQ is not in the Login field\n%s", p.Dump())
		}
	}
}

// A dropped SSH session (SIGHUP) ends the program promptly, at the live
// test as anywhere, and leaves no config and no temp file.
func TestSIGHUPLeavesNothing(t *testing.T) {
	t.Parallel()
	p := startDemo(t, 80, 24)
	p.walk(t, nil, slices.Concat(toAccount, throughAccount, throughServer)...)
	p.WaitFor(step(5, "Live test"))
	p.Signal(syscall.SIGHUP)
	code := p.Wait()
	if code == 0 {
		t.Fatalf("exit 0 after SIGHUP\n%s", p.Dump())
	}
	entries, _ := os.ReadDir(filepath.Dir(p.config))
	for _, e := range entries {
		t.Errorf("left behind after SIGHUP: %s", e.Name())
	}
}

// The password can live in a file of its own that the config names.
func TestPasswordInItsOwnFile(t *testing.T) {
	t.Parallel()
	p := startDemo(t, 80, 24)
	p.walk(t, nil, slices.Concat(toAccount, throughAccount, throughServer, throughSave[:1])...)
	p.WaitFor(focus("Write the file?")).Press(term.Down, term.Enter) // the password in a file of its own
	p.WaitFor("✓ Saved.")
	p.WaitFor("The password is in")
	p.Press(term.Enter)
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.Dump())
	}
	kv := p.savedFile(t)
	pwFile := filepath.Join(filepath.Dir(p.config), "smtp.password")
	if kv["password_file"] != pwFile || kv["password"] != "" {
		t.Fatalf("config has password_file %q and password %q; want %q and none", kv["password_file"], kv["password"], pwFile)
	}
	fi, err := os.Stat(pwFile)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() < 8 {
		t.Fatalf("password file: %v, %v", fi, err)
	}
}

// An idle wizard writes nothing: no blinking cursor, no redraw, so a
// serial console pays only for what the user does.
func TestIdleWritesNothing(t *testing.T) {
	t.Parallel()
	p := startDemo(t, 80, 24)
	p.walk(t, nil, toAccount...)
	p.WaitFor(focus("Account"))
	time.Sleep(300 * time.Millisecond) // let the step's first frames settle
	before := len(p.Raw())
	time.Sleep(1500 * time.Millisecond) // three blink periods of a default cursor
	if n := len(p.Raw()) - before; n > 0 {
		t.Fatalf("an idle screen wrote %d bytes in 1.5 s: %q", n, p.Raw()[before:before+min(n, 300)])
	}
}

// A typed character costs at most 3 bytes on the wire (a backspace, the
// character and the cursor glyph): no cursor redrawn in colour, no line
// repainted, which matters on a 9600-baud serial console.
func TestBytesPerTypedCharacter(t *testing.T) {
	t.Parallel()
	p := startDemo(t, 80, 24)
	p.walk(t, nil, toAccount...)
	p.changeAccount(t)
	p.walk(t, nil, accountFields[:3]...)
	p.Expect(focus("Sender name")).Press(term.End, term.CtrlU)
	p.WaitForFunc(regexp.MustCompile(`(?m)^│ > _$`).MatchString, "the sender name cleared")
	p.Type("O").Expect("> O_")
	start := len(p.Raw())
	typed := "ffice"
	for i := range typed {
		p.Type(typed[i : i+1]).Expect("> O" + typed[:i+1] + "_")
	}
	if n := len(p.Raw()) - start; n > 3*len(typed) {
		t.Errorf("%d bytes for %d characters, want at most 3 each: %q", n, len(typed), p.Raw()[start:])
	}
}
