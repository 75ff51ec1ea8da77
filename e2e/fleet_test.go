package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"smtpsetup/oauth/oauthtest"
	"smtpsetup/smtp/smtptest"
)

// runArgs runs smtpsetup with args and returns standard output, standard
// error and the exit code.
func runArgs(t *testing.T, home string, args ...string) (string, string, int) {
	t.Helper()
	r := runBinary(t, home, nil, "", time.Minute, args...)
	return r.stdout, r.stderr, r.code
}

// fleetServer starts a STARTTLS server with one account and returns the
// flags that reach it with the right password (from a 0600 file).
func fleetServer(t *testing.T, dir string) []string {
	const user = "nas@example.test"
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, "right-password"))
	ca := filepath.Join(dir, "ca.pem")
	pw := filepath.Join(dir, "pw")
	for name, data := range map[string]string{ca: string(srv.CA().PEM()), pw: "right-password\n", filepath.Join(dir, "wrong"): "wrong\n"} {
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"--host", "localhost", "--port", strconv.Itoa(srv.Port()), "--security", "starttls",
		"--username", user, "--from", user, "--ca-file", ca, "--password-file", pw}
}

// check --metrics writes a file node_exporter can read (0644), that
// promtool accepts, for a passing and a failing check; the failing one
// names its diagnosis and keeps the time of the last success.
func TestCheckMetrics(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flags := fleetServer(t, dir)
	prom := filepath.Join(dir, "textfile", "smtpsetup.prom")
	metric := func(name string) string {
		t.Helper()
		data, err := os.ReadFile(prom)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, name) {
				return l
			}
		}
		return ""
	}

	if _, e, code := runArgs(t, dir, append([]string{"check", "--metrics", prom}, flags...)...); code != 0 {
		t.Fatalf("passing check: exit %d\n%s", code, e)
	}
	if fi, err := os.Stat(prom); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("metrics file: %v %v; want mode 0644 so node_exporter can read it", fi, err)
	}
	promtool(t, prom)
	if got := metric("smtpsetup_check_success"); !strings.HasSuffix(got, " 1") {
		t.Errorf("after a pass: %q", got)
	}
	lastSuccess := metric("smtpsetup_check_last_success_timestamp_seconds ")
	if lastSuccess == "" {
		t.Fatal("no last success after a pass")
	}

	args := append([]string{"check", "--metrics", prom}, flags...)
	args = append(args, "--password-file", filepath.Join(dir, "wrong"))
	if _, e, code := runArgs(t, dir, args...); code != 1 {
		t.Fatalf("failing check: exit %d, want 1\n%s", code, e)
	}
	promtool(t, prom)
	if got := metric("smtpsetup_check_success"); !strings.HasSuffix(got, " 0") {
		t.Errorf("after a failure: %q", got)
	}
	if got := metric("smtpsetup_check_failure_info"); !strings.Contains(got, `code="auth.bad_credentials"`) || !strings.Contains(got, `stage="auth"`) {
		t.Errorf("failure info: %q", got)
	}
	if got := metric("smtpsetup_check_last_success_timestamp_seconds "); got != lastSuccess {
		t.Errorf("last success %q, want it kept as %q", got, lastSuccess)
	}

	// A config that cannot be read still shows as a failure, not as silence.
	if _, _, code := runArgs(t, dir, "check", "--config", filepath.Join(dir, "missing.yaml"), "--metrics", prom); code != 2 {
		t.Fatalf("missing config: exit %d, want 2", code)
	}
	promtool(t, prom)
	if got := metric("smtpsetup_check_failure_info"); !strings.Contains(got, `code="config.unusable"`) {
		t.Errorf("failure info for a missing config: %q", got)
	}

	// A path that names some other file is refused, not overwritten.
	other := filepath.Join(dir, "pw")
	if _, e, code := runArgs(t, dir, append([]string{"check", "--metrics", other}, flags...)...); code != 2 || !strings.Contains(e, "not a file smtpsetup wrote") {
		t.Errorf("--metrics on the password file: exit %d, %s", code, e)
	}
	if data, _ := os.ReadFile(other); string(data) != "right-password\n" {
		t.Errorf("the other file was changed: %q", data)
	}
}

func promtool(t *testing.T, file string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed: format not checked by Prometheus")
		return
	}
	cmd := exec.Command(path, "check", "metrics")
	data, _ := os.ReadFile(file)
	cmd.Stdin = bytes.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s\n--- %s:\n%s", err, out, file, data)
	}
}

// setup --json says whether the config changed, which is what Ansible's
// changed_when reads; --dry-run (check mode) says whether it would.
func TestSetupReportsChanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flags := fleetServer(t, dir)
	conf := filepath.Join(dir, "etc", "smtp.yaml")
	setup := func(extra ...string) (changed, saved bool) {
		t.Helper()
		args := append([]string{"setup", "--non-interactive", "--json", "--config", conf}, flags...)
		out, e, code := runArgs(t, dir, append(args, extra...)...)
		if code != 0 {
			t.Fatalf("setup %v: exit %d\n%s%s", extra, code, out, e)
		}
		var res struct {
			OK     bool `json:"ok"`
			Config *struct {
				Path    string `json:"path"`
				Changed bool   `json:"changed"`
				Saved   bool   `json:"saved"`
			} `json:"config"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Config == nil || res.Config.Path != conf {
			t.Fatalf("setup --json: %v\n%s", err, out)
		}
		return res.Config.Changed, res.Config.Saved
	}
	if changed, saved := setup("--dry-run"); !changed || saved {
		t.Errorf("dry run on a new machine: changed %v saved %v; want true false", changed, saved)
	}
	if _, err := os.Stat(conf); err == nil {
		t.Fatal("--dry-run wrote the config")
	}
	if changed, saved := setup(); !changed || !saved {
		t.Errorf("first run: changed %v saved %v", changed, saved)
	}
	if changed, _ := setup(); changed {
		t.Error("second run with the same values says changed")
	}
	if changed, _ := setup("--dry-run"); changed {
		t.Error("dry run after the save says it would change")
	}
	if changed, saved := setup("--from-name", "The NAS"); !changed || !saved {
		t.Errorf("a new sender name: changed %v saved %v", changed, saved)
	}
}

// With an OAuth sign-in the metrics say when a person must sign in again
// (90 days after the sign-in for this provider); with a password there is
// no such metric (TestCheckMetrics), not a placeholder.
func TestCheckMetricsSignInRenewal(t *testing.T) {
	t.Parallel()
	w := newOAuthWorld(t, oauthtest.Approve)
	w.login(t, 0)
	prom := filepath.Join(w.dir, "textfile", "smtpsetup.prom")
	w.run(t, 0, "check", "--config", w.config, "--metrics", prom)
	promtool(t, prom)
	data, _ := os.ReadFile(prom)
	var due float64
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "smtpsetup_signin_renewal_timestamp_seconds "); ok {
			due, _ = strconv.ParseFloat(v, 64)
		}
	}
	want := time.Now().AddDate(0, 0, 90)
	if got := time.Unix(int64(due), 0); got.Before(want.Add(-48*time.Hour)) || got.After(want.Add(time.Hour)) {
		t.Errorf("sign-in renewal %v, want about %v (90 days from now):\n%s", got, want, data)
	}
}
