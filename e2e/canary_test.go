package e2e

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"smtpsetup/smtp/smtptest"
)

// TestCanaryPasswordStaysInTheConfig runs the non-interactive flow with a
// canary password — setup, a re-run, check, report, exports, a failing
// check — and searches every output and every file for the canary and its
// base64 forms. It may only be in the files whose job is to hold it, each
// mode 0600.
func TestCanaryPasswordStaysInTheConfig(t *testing.T) {
	t.Parallel()
	const user = "nas@example.test"
	canaries := []string{"CANARY-one 'q\" $(id) #", "CANARY-two\\x`y`"}
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, canaries[1]))
	// A server that repeats the credentials in every reply, in every
	// encoding, as buggy and hostile servers do.
	mirror := smtptest.NewServer(t, smtptest.WithAccount(user, canaries[1]), smtptest.WithReflection())
	// One that refuses the login and repeats what it was sent. (It cannot
	// know a password it was not sent, and neither can we hide one we do not
	// know, so its own account's password is no canary.)
	refuser := smtptest.NewServer(t, smtptest.WithAccount(user, "another password"), smtptest.WithReflection())
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ca := write("ca.pem", srv.CA().PEM())
	config := filepath.Join(dir, "etc", "smtp.yaml")
	var outputs bytes.Buffer
	run := func(wantCode int, args ...string) {
		t.Helper()
		cmd := exec.Command(binary, args...)
		cmd.Env = environment(dir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		outputs.Write(out.Bytes())
		if code != wantCode {
			t.Fatalf("smtpsetup %s: exit %d, want %d\n%s", strings.Join(args, " "), code, wantCode, out.String())
		}
	}
	base := []string{"--host", "localhost", "--port", strconv.Itoa(srv.Port()), "--security", "starttls", "--username", user, "--from", user, "--ca-file", ca}
	// First with the old password (save anyway: it is wrong), then the right one.
	run(1, append([]string{"setup", "--non-interactive", "--save-anyway", "--config", config, "--password-file", write("pw1", []byte(canaries[0]+"\n"))}, base...)...)
	run(0, append([]string{"setup", "--non-interactive", "--config", config, "--password-file", write("pw2", []byte(canaries[1]+"\n"))}, base...)...)
	run(0, "setup", "--non-interactive", "--config", config) // a re-run: nothing changes
	run(0, "check", "--config", config, "--json")
	run(0, "check", "--config", config)
	run(0, "report", "--config", config, "--output", filepath.Join(dir, "report.txt"))
	run(0, "export", "--config", config, "--format", "env")
	run(0, "export", "--config", config, "--format", "json")
	run(0, "export", "--config", config, "--format", "msmtp", "--output", filepath.Join(dir, "msmtprc"))
	run(1, "check", "--config", config, "--password-file", filepath.Join(dir, "pw1"), "--json")
	run(1, "report", "--config", config, "--password-file", filepath.Join(dir, "pw1"))
	mirrorPort := strconv.Itoa(mirror.Port())
	mirrorCA := write("mirror-ca.pem", mirror.CA().PEM())
	for _, args := range [][]string{{"check", "--json"}, {"check"}, {"check", "--send-to", "bob@example.test"}, {"report"}} {
		run(0, append(args, "--config", config, "--port", mirrorPort, "--ca-file", mirrorCA)...)
	}
	refuserCA := write("refuser-ca.pem", refuser.CA().PEM())
	for _, args := range [][]string{{"check", "--json"}, {"check"}, {"report"}} {
		run(1, append(args, "--config", config, "--port", strconv.Itoa(refuser.Port()), "--ca-file", refuserCA)...)
	}
	run(0, "setup", "--non-interactive", "--config", filepath.Join(dir, "etc2", "smtp.yaml"), "--host", "localhost", "--port", mirrorPort,
		"--security", "starttls", "--username", user, "--from", user, "--ca-file", mirrorCA, "--password-file", filepath.Join(dir, "pw2"))
	if !strings.Contains(outputs.String(), "you sent") {
		t.Errorf("no reflected server text reached the outputs: the reflecting server was not heard")
	}

	if !strings.Contains(outputs.String(), "No change") {
		t.Errorf("the re-run did not say that nothing changed:\n%s", outputs.String())
	}
	// Files whose job is to hold the password.
	holders := map[string]bool{"smtp.yaml": true, "smtp.yaml.bak": true, "msmtprc": true, "pw1": true, "pw2": true}
	forms := func(secret string) []string {
		q := strconv.Quote(secret)
		out := []string{secret, q[1 : len(q)-1], url.QueryEscape(secret)}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			for _, blob := range []string{secret, "\x00" + user + "\x00" + secret, user + "\x00" + user + "\x00" + secret} {
				out = append(out, enc.EncodeToString([]byte(blob)))
			}
		}
		return out
	}
	check := func(where string, data []byte) {
		low := bytes.ToLower(data)
		for _, c := range canaries {
			for _, f := range forms(c) {
				if bytes.Contains(data, []byte(f)) || bytes.Contains(low, bytes.ToLower([]byte(f))) {
					i := bytes.Index(low, bytes.ToLower([]byte(f)))
					t.Errorf("%s holds the canary password (as %q, in some letter case): …%q…", where, f, data[max(0, i-60):min(len(data), i+len(f)+20)])
				}
			}
		}
	}
	check("the commands' output", outputs.Bytes())
	check("what crossed the network in clear", srv.PlainWire())
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		data, _ := os.ReadFile(path)
		if holders[fi.Name()] {
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s holds the password with mode %v, want 0600", fi.Name(), fi.Mode().Perm())
			}
			return nil
		}
		check(fi.Name(), data)
		return nil
	})
	if data, _ := os.ReadFile(filepath.Join(dir, "etc", "smtp.yaml.bak")); !bytes.Contains(data, []byte("CANARY-one")) {
		t.Errorf("the backup does not hold the previous config")
	}
}
