package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"smtpsetup/smtp/smtptest"
)

// TestAnsibleRole runs deploy/ansible's role with real ansible-core
// (Debian: apt-get install ansible-core) against this machine, the
// password in an Ansible Vault file: the first run reports changed, the
// second ok, check mode reports what would change and writes nothing, the
// config is 0600, and the password is nowhere in Ansible's output, even at
// -vvv.
func TestAnsibleRole(t *testing.T) {
	playbook, err := exec.LookPath("ansible-playbook")
	if err != nil {
		t.Skip("ansible-playbook not installed (apt-get install ansible-core)")
	}
	t.Parallel()
	const user, password = "nas@example.test", "Vault-Kept pa55 'word'"
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, password))
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ca := write("ca.pem", string(srv.CA().PEM()))
	conf := filepath.Join(dir, "etc", "smtpsetup", "smtp.yaml")
	vaultPass := write("vault-pass", "correct horse\n")
	vars := write("vars.yml", "smtpsetup_password: \""+password+"\"\n")
	env := append(environment(dir), "ANSIBLE_NOCOLOR=1", "ANSIBLE_PYTHON_INTERPRETER=auto_silent",
		"ANSIBLE_ROLES_PATH="+mustAbs(t, "../deploy/ansible/roles"), "ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "tmp"))
	ansible := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	vault, _ := exec.LookPath("ansible-vault")
	ansible(vault, "encrypt", "--vault-password-file", vaultPass, vars)
	if data, _ := os.ReadFile(vars); !strings.HasPrefix(string(data), "$ANSIBLE_VAULT") {
		t.Fatalf("vars not encrypted: %.40q", data)
	}

	play := func(extra ...string) string {
		t.Helper()
		args := []string{"-vvv", "-i", "localhost,", "-c", "local", "--vault-password-file", vaultPass,
			mustAbs(t, "../deploy/ansible/roles/smtpsetup/tests/test.yml"), "-e", "@" + vars,
			"-e", "smtpsetup_binary=" + binary, "-e", "smtpsetup_config=" + conf,
			"-e", "smtpsetup_host=localhost", "-e", "smtpsetup_port=" + strconv.Itoa(srv.Port()),
			"-e", "smtpsetup_security=starttls", "-e", "smtpsetup_username=" + user,
			"-e", "smtpsetup_from=" + user, "-e", "smtpsetup_ca_file=" + ca}
		out := ansible(playbook, append(args, extra...)...)
		if strings.Contains(out, password) || strings.Contains(out, "pa55") {
			t.Fatalf("the password is in Ansible's output:\n%s", out)
		}
		return out
	}
	recap := regexp.MustCompile(`localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=(\d+)`)
	changed := func(out string) string {
		t.Helper()
		m := recap.FindStringSubmatch(out)
		if m == nil || m[3] != "0" {
			t.Fatalf("no clean play recap:\n%s", out)
		}
		return m[2]
	}

	if got := changed(play("--check")); got != "1" {
		t.Errorf("check mode on a new host: changed=%s, want 1", got)
	}
	if _, err := os.Stat(conf); err == nil {
		t.Fatal("check mode wrote the config")
	}
	if got := changed(play()); got != "1" {
		t.Errorf("first run: changed=%s, want 1", got)
	}
	fi, err := os.Stat(conf)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config: %v %v, want mode 0600", fi, err)
	}
	if got := changed(play()); got != "0" {
		t.Errorf("second run: changed=%s, want 0", got)
	}
	if got := changed(play("--check", "-e", "smtpsetup_from_name=NAS")); got != "1" {
		t.Errorf("check mode with a new sender name: changed=%s, want 1", got)
	}
	if data, _ := os.ReadFile(conf); strings.Contains(string(data), "NAS") {
		t.Error("check mode changed the config")
	}

	// A wrong password fails the play with the diagnosis, and still
	// without the password in the output.
	bad := write("bad.yml", "smtpsetup_password: \"not the pa55word\"\n")
	cmd := exec.Command(playbook, "-i", "localhost,", "-c", "local", "--vault-password-file", vaultPass,
		mustAbs(t, "../deploy/ansible/roles/smtpsetup/tests/test.yml"), "-e", "@"+bad,
		"-e", "smtpsetup_binary="+binary, "-e", "smtpsetup_config="+conf,
		"-e", "smtpsetup_host=localhost", "-e", "smtpsetup_port="+strconv.Itoa(srv.Port()),
		"-e", "smtpsetup_security=starttls", "-e", "smtpsetup_username="+user, "-e", "smtpsetup_ca_file="+ca)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "auth.bad_credentials") {
		t.Errorf("wrong password: %v, want a failed play naming auth.bad_credentials:\n%s", err, out)
	}
	if strings.Contains(string(out), "pa55") {
		t.Errorf("the wrong password is in Ansible's output:\n%s", out)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
