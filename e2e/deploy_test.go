package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"smtpsetup/smtp/smtptest"
)

// The cloud-init example is valid cloud-config (checked by cloud-init
// itself when installed), keeps its password file 0600, and its runcmd
// line sets up a working config: run here as cloud-init would run it,
// with the binary, the paths and the server pointed at this test.
func TestCloudInitExample(t *testing.T) {
	t.Parallel()
	const example = "../deploy/cloud-init/user-data.yaml"
	if ci, err := exec.LookPath("cloud-init"); err == nil {
		if out, err := exec.Command(ci, "schema", "--config-file", example).CombinedOutput(); err != nil {
			t.Fatalf("cloud-init schema: %v\n%s", err, out)
		}
	} else {
		t.Log("cloud-init not installed: schema not checked")
	}
	raw, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		WriteFiles []struct{ Path, Permissions, Content string } `yaml:"write_files"`
		Runcmd     []any                                         `yaml:"runcmd"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.WriteFiles) != 1 || doc.WriteFiles[0].Permissions != "0600" {
		t.Fatalf("write_files: %+v; want one password file, 0600", doc.WriteFiles)
	}
	setupLine, ok := doc.Runcmd[0].(string)
	if !ok || !strings.HasPrefix(setupLine, "smtpsetup setup --non-interactive") {
		t.Fatalf("runcmd[0] = %v; want the setup command", doc.Runcmd[0])
	}

	// Play first boot in a directory: the password file as cloud-init
	// writes it, then the runcmd line through sh, with the test server's
	// host, port and CA appended (later flags win).
	dir := t.TempDir()
	const from = "nas@example.com"
	password := strings.TrimSpace(doc.WriteFiles[0].Content)
	srv := smtptest.NewServer(t, smtptest.WithAccount(from, password))
	pwFile := filepath.Join(dir, "run", "password")
	os.MkdirAll(filepath.Dir(pwFile), 0o700)
	if err := os.WriteFile(pwFile, []byte(doc.WriteFiles[0].Content), 0o600); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, srv.CA().PEM(), 0o600)
	conf := filepath.Join(dir, "etc", "smtpsetup", "smtp.yaml")
	line := strings.ReplaceAll(setupLine, doc.WriteFiles[0].Path, pwFile)
	line = strings.Replace(line, "smtpsetup setup --non-interactive",
		binary+" setup --non-interactive --config "+conf+" --host localhost --port "+strconv.Itoa(srv.Port())+" --security starttls --ca-file "+ca, 1)
	cmd := exec.Command("sh", "-c", line)
	cmd.Env = environment(dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("runcmd: %v\n%s", err, out)
	}
	if fi, err := os.Stat(conf); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config after first boot: %v %v", fi, err)
	}
	if _, err := os.Stat(pwFile); err == nil {
		t.Error("the password file is still there after runcmd")
	}
}

// The systemd units pass systemd-analyze verify (when installed; no
// running systemd needed), and the service's command, with the unit's
// own environment, exits non-zero when mail fails: Type=oneshot then
// marks the unit failed, which is what `systemctl --failed` lists.
func TestSystemdUnits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unit, err := os.ReadFile("../packaging/systemd/smtpsetup-check.service")
	if err != nil {
		t.Fatal(err)
	}
	if sa, err := exec.LookPath("systemd-analyze"); err == nil {
		// The unit names /usr/bin/smtpsetup, which verify wants to find:
		// point it at the binary under test.
		local := strings.ReplaceAll(string(unit), "/usr/bin/smtpsetup", binary)
		os.WriteFile(filepath.Join(dir, "smtpsetup-check.service"), []byte(local), 0o644)
		timer, _ := os.ReadFile("../packaging/systemd/smtpsetup-check.timer")
		os.WriteFile(filepath.Join(dir, "smtpsetup-check.timer"), timer, 0o644)
		out, err := exec.Command(sa, "verify", "--man=no", filepath.Join(dir, "smtpsetup-check.service"), filepath.Join(dir, "smtpsetup-check.timer")).CombinedOutput()
		if err != nil || len(strings.TrimSpace(string(out))) > 0 {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	} else {
		t.Log("systemd-analyze not installed: units not verified")
	}

	env := environment(dir)
	var execStart []string
	sc := bufio.NewScanner(strings.NewReader(string(unit)))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "Environment":
			env = append(env, v)
		case "ExecStart":
			execStart = strings.Fields(v)
		}
	}
	if len(execStart) < 2 || execStart[0] != "/usr/bin/smtpsetup" {
		t.Fatalf("ExecStart = %v", execStart)
	}
	// The unit's paths, moved into the test directory.
	prom := filepath.Join(dir, "textfile", "smtpsetup.prom")
	conf := filepath.Join(dir, "smtp.yaml")
	env = append(env, "SMTPSETUP_CONFIG="+conf, "SMTPSETUP_METRICS="+prom)
	flags := fleetServer(t, dir)
	if _, e, code := runArgs(t, dir, append([]string{"setup", "--non-interactive", "--config", conf}, flags...)...); code != 0 {
		t.Fatalf("setup: %d %s", code, e)
	}
	service := func() int {
		cmd := exec.Command(binary, execStart[1:]...)
		cmd.Env = env
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	if code := service(); code != 0 {
		t.Fatalf("service with a working config: exit %d", code)
	}
	// The App Password is revoked: the next daily run fails the unit.
	if _, e, code := runArgs(t, dir, "setup", "--non-interactive", "--save-anyway", "--config", conf, "--password-file", filepath.Join(dir, "wrong")); code != 1 {
		t.Fatalf("setup with the wrong password: %d %s", code, e)
	}
	if code := service(); code != 1 {
		t.Errorf("service with a revoked password: exit %d, want 1 (unit failed)", code)
	}
	data, _ := os.ReadFile(prom)
	if !strings.Contains(string(data), `smtpsetup_check_failure_info{code="auth.bad_credentials"`) {
		t.Errorf("metrics after the failed run:\n%s", data)
	}
}
