package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"smtpsetup/smtp/smtptest"
)

// cli runs the real binary with stdin and returns stdout, stderr and the
// exit code.
func cli(t *testing.T, home, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return runIn(t, home, nil, stdin, args...)
}

type checkOut struct {
	OK     bool     `json:"ok"`
	Proven []string `json:"proven"`
	Sent   *struct {
		Code, Subject string
		Confirmed     bool `json:"confirmed"`
	} `json:"sent"`
	NoLogin   bool `json:"no_login"`
	Diagnosis *struct {
		Code, Family, Fix, Detail string
	} `json:"diagnosis"`
	Stages []struct {
		Name string `json:"name"`
		OK   bool   `json:"ok"`
	} `json:"stages"`
}

func parseCheck(t *testing.T, stdout string) checkOut {
	t.Helper()
	var c checkOut
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatalf("check --json: %v\n%s", err, stdout)
	}
	return c
}

// TestCheckConfirmDelivery: check --send-to --confirm asks for the code in
// the message that arrived, never showing it first; the code read from the
// delivered message proves delivery, a wrong one three times does not.
func TestCheckConfirmDelivery(t *testing.T) {
	t.Parallel()
	const user = "nas@example.test"
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, "pw"))
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	pw := filepath.Join(dir, "pw")
	os.WriteFile(ca, srv.CA().PEM(), 0o600)
	os.WriteFile(pw, []byte("pw\n"), 0o600)
	args := []string{"check", "--json", "--host", "localhost", "--port", strconv.Itoa(srv.Port()), "--security", "starttls",
		"--username", user, "--password-file", pw, "--ca-file", ca, "--send-to", "bob@example.test", "--confirm"}

	// A person reads the code from the message that arrived, and types it.
	cmd := exec.Command(binary, args...)
	cmd.Env = environment(dir)
	stdin, _ := cmd.StdinPipe()
	stderr, _ := cmd.StderrPipe()
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	prompt := bufio.NewReader(stderr)
	var seen strings.Builder
	for !strings.Contains(seen.String(), "Type the code") {
		b, err := prompt.ReadByte()
		if err != nil {
			t.Fatalf("no prompt: %v\n%s", err, seen.String())
		}
		seen.WriteByte(b)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages arrived", len(msgs))
	}
	code := regexp.MustCompile(`Code: (\w{6})`).FindStringSubmatch(string(msgs[0].Data))[1]
	if strings.Contains(seen.String(), code) {
		t.Fatalf("the prompt shows the code it asks for:\n%s", seen.String())
	}
	io.WriteString(stdin, strings.ToLower(code)+"\n")
	rest, _ := io.ReadAll(prompt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s%s", err, seen.String(), rest)
	}
	c := parseCheck(t, stdout.String())
	if !c.OK || c.Sent == nil || !c.Sent.Confirmed || strings.Join(c.Proven, " ") != "login sender message delivery" {
		t.Errorf("confirmed code: ok %v, sent %+v, proven %v", c.OK, c.Sent, c.Proven)
	}

	// Three wrong codes: not confirmed, exit 1, the message still counted
	// as accepted. An empty line skips: exit 0, not confirmed.
	out, errOut, exit := cli(t, dir, "AAAAAA\nBBBBBB\nCCCCCC\n", args...)
	c = parseCheck(t, out)
	if exit != 1 || c.Sent == nil || c.Sent.Confirmed || strings.Join(c.Proven, " ") != "login sender message" || !strings.Contains(errOut, "not confirmed") {
		t.Errorf("wrong codes: exit %d, proven %v\n%s", exit, c.Proven, errOut)
	}
	out, _, exit = cli(t, dir, "\n", args...)
	if c = parseCheck(t, out); exit != 0 || c.Sent.Confirmed {
		t.Errorf("skipped: exit %d, confirmed %v", exit, c.Sent.Confirmed)
	}

	// Without --confirm the text names the subject to look for.
	text, _, exit := cli(t, dir, "", append([]string{"check"}, args[2:len(args)-1]...)...)
	if exit != 0 || !regexp.MustCompile(`for "smtpsetup test message [A-Z2-9]{6}"`).MatchString(text) || !strings.Contains(text, "Proven: login, sender, message") {
		t.Errorf("text without --confirm:\n%s", text)
	}
	// --confirm makes no sense without a message.
	if _, errOut, exit := cli(t, dir, "", "check", "--host", "localhost", "--confirm"); exit != 2 || !strings.Contains(errOut, "--send-to") {
		t.Errorf("--confirm without --send-to: exit %d: %s", exit, errOut)
	}
}

// TestNoLoginRelay: setup and check for a relay that takes mail without a
// login, also for a catalogue provider whose rule would derive the login
// from the address: the login is never refilled, no AUTH is sent, the
// saved config says auth none, and the result says no login was used.
func TestNoLoginRelay(t *testing.T) {
	t.Parallel()
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain)) // no accounts: a relay by address
	dir := t.TempDir()
	cfg := filepath.Join(dir, "smtp.yaml")
	base := []string{"--host", "localhost", "--port", strconv.Itoa(srv.Port()), "--security", "none", "--from", "nas@gmail.com"}
	for _, noLogin := range [][]string{{"--no-login"}, {"--username", ""}, {"--auth", "none"}, {"--provider", "gmail", "--username", ""}} {
		out, errOut, code := cli(t, dir, "", append(append([]string{"check", "--json"}, base...), noLogin...)...)
		c := parseCheck(t, out)
		if code != 0 || !c.OK || !c.NoLogin || strings.Join(c.Proven, " ") != "sender" {
			t.Errorf("check %v: exit %d, ok %v, no_login %v, proven %v\n%s%s", noLogin, code, c.OK, c.NoLogin, c.Proven, out, errOut)
		}
	}
	if strings.Contains(string(srv.Wire()), "AUTH") {
		t.Fatalf("AUTH was sent:\n%s", srv.Wire())
	}
	// A password given anyway is not stored: nothing would use it.
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("unused-secret\n"), 0o600)
	if _, errOut, code := cli(t, dir, "", append([]string{"setup", "--non-interactive", "--config", cfg, "--provider", "gmail", "--no-login", "--password-file", pw}, base...)...); code != 0 {
		t.Fatalf("setup: exit %d\n%s", code, errOut)
	}
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "auth: none") || strings.Contains(string(b), "\nusername:") || strings.Contains(string(b), "\npassword") || strings.Contains(string(b), "unused-secret") {
		t.Errorf("saved config:\n%s", b)
	}
	text, _, code := cli(t, dir, "", "check", "--config", cfg)
	if code != 0 || !strings.Contains(text, "without a login") || !strings.Contains(text, "Proven: sender") {
		t.Errorf("check --config: exit %d\n%s", code, text)
	}
}

// TestExportHidesPasswordOnStdout: export prints no password to standard
// output (a terminal or a pipe) without --with-password; --output writes
// what the consumer needs, mode 0600.
func TestExportHidesPasswordOnStdout(t *testing.T) {
	t.Parallel()
	const pw = "CANARY-export s3cret"
	dir := t.TempDir()
	cfg := filepath.Join(dir, "smtp.yaml")
	os.WriteFile(cfg, []byte("version: 1\nhost: smtp.example.com\nport: 587\nsecurity: starttls\nusername: nas@example.com\npassword: '"+pw+"'\nfrom: nas@example.com\n"), 0o600)
	for _, format := range []string{"msmtp", "postfix", "env", "json"} {
		out, errOut, code := cli(t, dir, "", "export", "--config", cfg, "--format", format)
		if code != 0 || strings.Contains(out+errOut, pw) {
			t.Errorf("export --format %s: exit %d, password shown: %v\n%s", format, code, strings.Contains(out+errOut, pw), out)
		}
		if (format == "msmtp" || format == "postfix") && !strings.Contains(errOut, "--with-password") {
			t.Errorf("export --format %s does not say how to get the password: %q", format, errOut)
		}
		out, _, code = cli(t, dir, "", "export", "--config", cfg, "--format", format, "--with-password")
		if code != 0 || !strings.Contains(out, pw) {
			t.Errorf("export --format %s --with-password lacks the password (exit %d)", format, code)
		}
	}
	rc := filepath.Join(dir, "msmtprc")
	if _, errOut, code := cli(t, dir, "", "export", "--config", cfg, "--format", "msmtp", "--output", rc); code != 0 {
		t.Fatalf("export --output: exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(rc)
	fi, _ := os.Stat(rc)
	if !strings.Contains(string(b), "password \""+pw+"\"") || fi.Mode().Perm() != 0o600 {
		t.Errorf("the file lacks the password or is not 0600 (%v):\n%s", fi.Mode().Perm(), b)
	}
}

// TestSetupRefusedSenderNotSaved: setup --non-interactive for a From the
// login may not use fails at the sender stage and writes nothing; no
// message is sent to find out.
func TestSetupRefusedSenderNotSaved(t *testing.T) {
	t.Parallel()
	const user = "me@corp.example"
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, "pw"), smtptest.WithOwnedSenders(user, user))
	dir := t.TempDir()
	ca, pw, cfg := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "pw"), filepath.Join(dir, "smtp.yaml")
	os.WriteFile(ca, srv.CA().PEM(), 0o600)
	os.WriteFile(pw, []byte("pw\n"), 0o600)
	args := []string{"setup", "--non-interactive", "--json", "--config", cfg, "--host", "localhost", "--port", strconv.Itoa(srv.Port()),
		"--security", "starttls", "--username", user, "--password-file", pw, "--ca-file", ca, "--from", "boss@corp.example"}
	out, errOut, code := cli(t, dir, "", args...)
	c := parseCheck(t, out)
	if code != 1 || c.Diagnosis == nil || c.Diagnosis.Code != "send.sender_rejected" || c.Diagnosis.Family != "sender" || strings.Join(c.Proven, " ") != "login" {
		t.Fatalf("exit %d, diagnosis %+v, proven %v\n%s", code, c.Diagnosis, c.Proven, errOut)
	}
	if _, err := os.Stat(cfg); !os.IsNotExist(err) {
		t.Errorf("a config was written for a refused sender: %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}
