package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"smtpsetup/smtp/smtptest"
)

// result is one run of the binary.
type result struct {
	code   int
	stdout string
	stderr string
	took   time.Duration
}

// runBinary runs smtpsetup with args, extra environment and stdin, and
// fails the test if it does not exit within limit.
func runBinary(t *testing.T, home string, env []string, stdin string, limit time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(environment(home), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("smtpsetup %s: still running after %s (stdout %q, stderr %q)", strings.Join(args, " "), limit, r.stdout, r.stderr)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// Bad input about the password exits 2 before any connection, naming the
// flag or the variable and the fix; a relay without a login stays valid.
// Files the user names are read with a bound: /dev/zero or a huge file fails
// at once instead of growing the process.
func TestPasswordAndFileInputs(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain), smtptest.WithAllowInsecureAuth(true), smtptest.WithAccount("nas@example.test", "right password"))
	relay := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain))
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(home, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	big := filepath.Join(home, "big")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Truncate(big, 2<<30) // sparse: 2 GiB that take no disk
	empty := write("empty", "", 0o600)
	shared := write("shared", "right password\n", 0o644)
	base := func(port int) []string {
		return []string{"check", "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--security", "none", "--allow-plaintext-auth"}
	}
	login := append(base(srv.Port()), "--username", "nas@example.test")
	cases := []struct {
		name  string
		env   []string
		stdin string
		args  []string
		want  []string // in stderr
	}{
		{"empty password file", nil, "", slices.Concat(login, []string{"--password-file", empty}), []string{"--password-file", "empty"}},
		{"empty SMTP_PASSWORD", []string{"SMTP_PASSWORD="}, "", login, []string{"SMTP_PASSWORD", "empty"}},
		{"empty line on stdin", nil, "\nmore\n", slices.Concat(login, []string{"--password-stdin"}), []string{"--password-stdin", "empty"}},
		{"nothing on stdin", nil, "", slices.Concat(login, []string{"--password-stdin"}), []string{"--password-stdin"}},
		{"login without password", nil, "", login, []string{"password", "--password-file", "SMTP_PASSWORD"}},
		{"password file /dev/zero", nil, "", slices.Concat(login, []string{"--password-file", "/dev/zero"}), []string{"--password-file", "not a regular file"}},
		{"huge password file", nil, "", slices.Concat(login, []string{"--password-file", big}), []string{"--password-file", "too large"}},
		{"password on stdin from /dev/zero", nil, strings.Repeat("x", 1<<20), slices.Concat(login, []string{"--password-stdin"}), []string{"--password-stdin", "longer"}},
		{"password file readable by others", nil, "", slices.Concat(login, []string{"--password-file", shared}), []string{"--password-file", "others", "chmod 600"}},
		{"escape sequence in SMTP_PASSWORD", []string{"SMTP_PASSWORD=pw\x1b[2J"}, "", login, []string{"password", "control character"}},
		{"backspace in the login", []string{"SMTP_PASSWORD=right password"}, "", slices.Concat(base(srv.Port()), []string{"--username", "nas\b\badm@example.test"}), []string{"--username", "control character"}},
		{"providers /dev/zero", nil, "", []string{"providers", "--providers", "/dev/zero"}, []string{"--providers", "not a regular file"}},
		{"huge providers file", nil, "", []string{"providers", "--providers", big}, []string{"--providers", "too large"}},
		{"ca file /dev/zero", []string{"SMTP_PASSWORD=right password"}, "", slices.Concat(login, []string{"--ca-file", "/dev/zero"}), []string{"--ca-file", "not a regular file"}},
		{"huge ca file", []string{"SMTP_PASSWORD=right password"}, "", slices.Concat(login, []string{"--ca-file", big}), []string{"--ca-file", "too large"}},
		{"template /dev/zero", nil, "", []string{"export", "--config", write("c.yaml", "version: 1\nhost: smtp.example.com\nport: 587\nsecurity: starttls\n", 0o600), "--format", "template", "--template", "/dev/zero"}, []string{"--template", "not a regular file"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.PlainWire())
			r := runBinary(t, home, tc.env, tc.stdin, 10*time.Second, tc.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2 (bad input)\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("message does not say %q:\n%s", w, r.stderr)
				}
			}
			if after := len(srv.PlainWire()); after != before {
				t.Errorf("the server was contacted (%d bytes sent)", after-before)
			}
		})
	}
	t.Run("relay without login", func(t *testing.T) {
		r := runBinary(t, home, nil, "", 10*time.Second, base(relay.Port())...)
		if r.code != 0 {
			t.Errorf("exit %d, want 0\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("password file of another user", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give the file away")
		}
		other := write("other", "right password\n", 0o644)
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Skip(err)
		}
		r := runBinary(t, home, nil, "", 10*time.Second, slices.Concat(login, []string{"--password-file", other})...)
		if r.code != 2 || strings.Contains(r.stderr, "run: chmod") || !strings.Contains(r.stderr, "a file of your own") {
			t.Errorf("exit %d, want 2 and advice for a file we do not own (no chmod):\n%s", r.code, r.stderr)
		}
	})
}

func writeFile0600(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// setup without --non-interactive starts the wizard, which asks for the
// connection settings itself: a connection flag given there is refused by
// name, not silently dropped.
func TestSetupWizardRefusesConnectionFlags(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	r := runBinary(t, home, nil, "", 10*time.Second, "setup", "--helo", "nas.example.com", "--port", "25")
	if r.code != 2 || !strings.Contains(r.stderr, "--helo, --port") || !strings.Contains(r.stderr, "--non-interactive") {
		t.Errorf("exit %d, want 2 naming --helo, --port and --non-interactive:\n%s", r.code, r.stderr)
	}
}
