//go:build interop

package interop

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServers proves the private servers with real clients (swaks, msmtp and
// a raw SMTP conversation) and checks the replies recorded in
// testdata/replies.txt.
func TestServers(t *testing.T) {
	for _, tool := range []string{"swaks", "msmtp"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed: run `sudo e2e/interop/install.sh`", tool)
		}
	}
	start := time.Now()
	env := Start(t)
	t.Logf("servers started in %v under %s", time.Since(start).Round(time.Millisecond), env.Dir)
	want := loadReplies(t)
	alice, bob := env.Users["alice"], env.Users["bob"]

	t.Run("submission_starttls_login", func(t *testing.T) {
		out, _ := swaks(t, env, env.Ports.Submission, "-tls", "-au", alice.Login, "-ap", alice.Password, "--quit-after", "AUTH")
		contains(t, out, want["postfix.banner"], want["postfix.auth_ok"])
	})
	t.Run("submission_symbols_password", func(t *testing.T) {
		out, _ := swaks(t, env, env.Ports.Submission, "-tls", "-a", "PLAIN", "-au", bob.Login, "-ap", bob.Password, "--quit-after", "AUTH")
		contains(t, out, want["postfix.auth_ok"])
	})
	t.Run("smtps_login", func(t *testing.T) {
		out, _ := swaks(t, env, env.Ports.SMTPS, "--tlsc", "-au", alice.Login, "-ap", alice.Password, "--quit-after", "AUTH")
		contains(t, out, want["postfix.banner"], want["postfix.auth_ok"])
	})
	t.Run("wrong_password", func(t *testing.T) {
		for _, c := range []struct {
			port int
			mode string
			mech string
		}{{env.Ports.Submission, "-tls", "PLAIN"}, {env.Ports.Submission, "-tls", "LOGIN"}, {env.Ports.SMTPS, "--tlsc", "PLAIN"}} {
			out, code := swaks(t, env, c.port, c.mode, "-a", c.mech, "-au", alice.Login, "-ap", alice.Password+"x", "--quit-after", "AUTH")
			contains(t, out, want["postfix.auth_wrong_password"])
			if code != 28 {
				t.Errorf("port %d %s: swaks exit %d, want 28 (auth failed)", c.port, c.mech, code)
			}
		}
	})
	t.Run("auth_before_starttls", func(t *testing.T) {
		// swaks: AUTH is not advertised before STARTTLS.
		out, _ := swaks(t, env, env.Ports.Submission, "-au", alice.Login, "-ap", alice.Password, "--quit-after", "AUTH")
		contains(t, out, want["postfix.pretls_no_auth_offered"])
		// A client that sends AUTH anyway.
		c := dialRaw(t, env.Addr(env.Ports.Submission))
		ehlo := c.cmd(t, "EHLO client.test")
		if strings.Contains(ehlo, "AUTH") || !strings.Contains(ehlo, "STARTTLS") {
			t.Errorf("EHLO before STARTTLS = %q, want STARTTLS and no AUTH", ehlo)
		}
		contains(t, c.cmd(t, "AUTH PLAIN "+plain(alice)), want["postfix.pretls_auth"])
	})
	t.Run("sender_not_owned", func(t *testing.T) {
		out, _ := swaks(t, env, env.Ports.Submission, "-tls", "-au", alice.Login, "-ap", alice.Password,
			"-f", bob.Login, "-t", alice.Login, "--quit-after", "FROM")
		contains(t, out, want["postfix.sender_not_owned"])
	})
	t.Run("unauthenticated_after_starttls", func(t *testing.T) {
		out, _ := swaks(t, env, env.Ports.Submission, "-tls", "-f", alice.Login, "-t", alice.Login)
		contains(t, out, want["postfix.sender_not_logged_in"])
		out, _ = swaks(t, env, env.Ports.Submission, "-tls", "-f", "someone@other.test", "-t", alice.Login)
		contains(t, out, want["postfix.rcpt_unauthenticated"])
	})
	t.Run("swaks_delivers", func(t *testing.T) {
		token := fmt.Sprintf("swaks-%d", time.Now().UnixNano())
		out, code := swaks(t, env, env.Ports.Submission, "-tls", "-au", alice.Login, "-ap", alice.Password,
			"-f", alice.Login, "-t", bob.Login, "--header", "Subject: "+token)
		contains(t, out, want["postfix.queued"])
		if code != 0 {
			t.Errorf("swaks exit %d", code)
		}
		if m := string(env.WaitMessage(t, token, 10*time.Second)); !strings.Contains(m, "Delivered-To: "+bob.Login) {
			t.Errorf("mailbox with %s lacks Delivered-To: %s", token, bob.Login)
		}
		if len(env.ReadMailbox(t, "bob")) == 0 {
			t.Error("ReadMailbox(bob) is empty")
		}
	})
	t.Run("msmtp_starttls_delivers", func(t *testing.T) {
		token := fmt.Sprintf("msmtp-starttls-%d", time.Now().UnixNano())
		out, err := msmtp(t, env, alice, env.Ports.Submission, true, alice.Login, token)
		if err != nil {
			t.Fatalf("msmtp: %v\n%s", err, out)
		}
		env.WaitMessage(t, token, 10*time.Second)
		if !strings.Contains(string(env.ReadMailbox(t, alice.Login)), token) {
			t.Errorf("alice's mailbox lacks %s", token)
		}
	})
	t.Run("msmtp_smtps_symbols_password_delivers", func(t *testing.T) {
		token := fmt.Sprintf("msmtp-smtps-%d", time.Now().UnixNano())
		out, err := msmtp(t, env, bob, env.Ports.SMTPS, false, alice.Login, token)
		if err != nil {
			t.Fatalf("msmtp: %v\n%s", err, out)
		}
		env.WaitMessage(t, token, 10*time.Second)
	})
	t.Run("msmtp_wrong_password", func(t *testing.T) {
		wrong := alice
		wrong.Password += "x"
		out, err := msmtp(t, env, wrong, env.Ports.Submission, true, alice.Login, "never")
		if err == nil {
			t.Fatal("msmtp with a wrong password succeeded")
		}
		contains(t, out, want["msmtp.auth_wrong_password"], want["msmtp.auth_wrong_password_server"])
	})
	t.Run("relay_plain_delivers", func(t *testing.T) {
		c := dialRaw(t, env.Addr(env.Ports.Relay))
		if ehlo := c.cmd(t, "EHLO client.test"); strings.Contains(ehlo, "STARTTLS") || strings.Contains(ehlo, "AUTH") {
			t.Errorf("relay EHLO = %q, want neither STARTTLS nor AUTH", ehlo)
		}
		token := fmt.Sprintf("relay-%d", time.Now().UnixNano())
		c.cmd(t, "MAIL FROM:<someone@other.test>")
		contains(t, c.cmd(t, "RCPT TO:<nobody@example.test>"), want["postfix.rcpt_unknown_user"])
		c.cmd(t, "RCPT TO:<"+alice.Login+">")
		c.cmd(t, "DATA")
		contains(t, c.raw(t, "Subject: "+token+"\r\n\r\nhello\r\n.\r\n"), want["postfix.queued"])
		env.WaitMessage(t, token, 10*time.Second)
	})
	t.Run("relay_bare_newline_rejected", func(t *testing.T) {
		c := dialRaw(t, env.Addr(env.Ports.Relay))
		c.cmd(t, "EHLO client.test")
		c.cmd(t, "MAIL FROM:<someone@other.test>")
		c.cmd(t, "RCPT TO:<"+alice.Login+">")
		c.cmd(t, "DATA")
		contains(t, c.raw(t, "Subject: bare\r\n\r\nline one\nline two\r\n.\r\n"), want["postfix.bare_newline"])
	})
	t.Run("tls_untrusted_ca", func(t *testing.T) {
		out, _ := swaksNoCA(t, env, env.Ports.Submission, "-tls", "--quit-after", "TLS")
		contains(t, out, want["tls.untrusted_ca"])
	})
	t.Run("tls_wrong_mode", func(t *testing.T) {
		out, _ := swaks(t, env, env.Ports.Submission, "--tlsc", "--quit-after", "TLS")
		contains(t, out, want["tls.implicit_to_starttls_port"])
		out, _ = swaks(t, env, env.Ports.SMTPS, "-tls", "--timeout", "3", "--quit-after", "TLS")
		contains(t, out, want["tls.starttls_to_implicit_port"])
	})
	t.Run("second_login", func(t *testing.T) {
		out, _ := swaks(t, env, env.Ports.Second, "-tls", "-au", alice.Login, "-ap", alice.Password, "--quit-after", "AUTH")
		contains(t, out, want["exim.banner"], want["exim.auth_ok"])
		out, _ = swaks(t, env, env.Ports.Second, "-tls", "-a", "PLAIN", "-au", bob.Login, "-ap", bob.Password, "--quit-after", "AUTH")
		contains(t, out, want["exim.auth_ok"])
	})
	t.Run("second_wrong_password", func(t *testing.T) {
		for _, mech := range []string{"PLAIN", "LOGIN"} {
			out, code := swaks(t, env, env.Ports.Second, "-tls", "-a", mech, "-au", alice.Login, "-ap", alice.Password+"x", "--quit-after", "AUTH")
			contains(t, out, want["exim.auth_wrong_password"])
			if code != 28 {
				t.Errorf("%s: swaks exit %d, want 28", mech, code)
			}
		}
	})
	t.Run("second_auth_before_starttls", func(t *testing.T) {
		out, _ := swaks(t, env, env.Ports.Second, "-au", alice.Login, "-ap", alice.Password, "--quit-after", "AUTH")
		contains(t, out, want["exim.pretls_no_auth_offered"])
		c := dialRaw(t, env.Addr(env.Ports.Second))
		c.cmd(t, "EHLO client.test")
		contains(t, c.cmd(t, "AUTH PLAIN "+plain(alice)), want["exim.pretls_auth"])
	})
	t.Run("second_msmtp_delivers", func(t *testing.T) {
		token := fmt.Sprintf("exim-%d", time.Now().UnixNano())
		out, err := msmtp(t, env, alice, env.Ports.Second, true, bob.Login, token)
		if err != nil {
			t.Fatalf("msmtp: %v\n%s", err, out)
		}
		env.WaitMessage(t, token, 10*time.Second)
		if !strings.Contains(string(env.ReadSecondMailbox(t, "bob")), token) {
			t.Errorf("Exim mailbox of bob lacks %s", token)
		}
	})
}

// loadReplies reads testdata/replies.txt.
func loadReplies(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(Dir(), "testdata", "replies.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "\t"); ok && !strings.HasPrefix(k, "#") {
			m[k] = v
		}
	}
	return m
}

func contains(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if w == "" {
			t.Fatal("empty expectation: key missing from testdata/replies.txt?")
		}
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// swaks runs swaks against port, verifying the server with the test CA, and
// returns its combined output and exit code.
func swaks(t *testing.T, env *Env, port int, args ...string) (string, int) {
	t.Helper()
	return runSwaks(t, env, port, append([]string{"--tls-verify", "--tls-ca-path", env.CAFile}, args...)...)
}

// swaksNoCA is swaks with verification against the system CAs only.
func swaksNoCA(t *testing.T, env *Env, port int, args ...string) (string, int) {
	t.Helper()
	return runSwaks(t, env, port, append([]string{"--tls-verify"}, args...)...)
}

func runSwaks(t *testing.T, env *Env, port int, args ...string) (string, int) {
	t.Helper()
	base := []string{"-s", env.Host, "-p", fmt.Sprint(port), "--auth-hide-password", "--timeout", "10"}
	cmd := exec.Command("swaks", append(base, args...)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("swaks: %v", err)
		}
		code = ee.ExitCode()
	}
	return string(out), code
}

// msmtp sends a message with Subject token from u to rcpt through port, with
// a config file like a user would write (tls_trust_file = the test CA).
func msmtp(t *testing.T, env *Env, u User, port int, starttls bool, rcpt, token string) (string, error) {
	t.Helper()
	onOff := map[bool]string{true: "on", false: "off"}
	conf := fmt.Sprintf(`defaults
tls on
tls_trust_file %s
logfile %s
account test
host %s
port %d
tls_starttls %s
auth on
user %s
password %s
from %s
`, env.CAFile, filepath.Join(t.TempDir(), "msmtp.log"), env.Host, port, onOff[starttls], u.Login, msmtpQuote(u.Password), u.Login)
	path := filepath.Join(t.TempDir(), "msmtprc")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("msmtp", "-C", path, "-a", "test", rcpt)
	cmd.Stdin = strings.NewReader(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\nsent by msmtp\r\n", u.Login, rcpt, token))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// msmtpQuote quotes a value for an msmtp configuration file. msmtp 1.8.23 has
// no escapes: it takes the rest of the line and strips one pair of enclosing
// double quotes, so inner " and \ stay as they are (escaping them breaks the
// password). The quotes keep leading and trailing blanks.
func msmtpQuote(s string) string {
	return `"` + s + `"`
}

// plain is the SASL PLAIN initial response for u.
func plain(u User) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + u.Login + "\x00" + u.Password))
}

// rawConn is a plain-text SMTP conversation for what swaks will not send.
type rawConn struct {
	c  net.Conn
	tp *textproto.Conn
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := &rawConn{c: c, tp: textproto.NewConn(c)}
	r.reply(t) // banner
	return r
}

// cmd sends one command line and returns the reply as "code text" lines.
func (r *rawConn) cmd(t *testing.T, line string) string {
	t.Helper()
	if err := r.tp.PrintfLine("%s", line); err != nil {
		t.Fatal(err)
	}
	return r.reply(t)
}

// raw sends bytes as they are (for DATA content) and returns the reply.
func (r *rawConn) raw(t *testing.T, s string) string {
	t.Helper()
	if _, err := r.c.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return r.reply(t)
}

func (r *rawConn) reply(t *testing.T) string {
	t.Helper()
	var lines []string
	for {
		l, err := r.tp.ReadLine()
		if err != nil {
			t.Fatalf("read reply: %v (so far %q)", err, lines)
		}
		lines = append(lines, l)
		if len(l) < 4 || l[3] != '-' {
			return strings.Join(lines, "\n")
		}
	}
}
