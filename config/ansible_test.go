package config

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"smtpsetup/smtp"
)

func TestAnsibleVars(t *testing.T) {
	s := fullSettings()
	var buf bytes.Buffer
	if err := Export(&buf, s, "ansible", ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), s.Password.Reveal()) {
		t.Fatalf("the password is in the ansible export without IncludePassword:\n%s", buf.String())
	}
	var got struct {
		Default  string              `yaml:"msmtp_default_account"`
		Accounts []map[string]string `yaml:"msmtp_accounts"`
		Relay    string              `yaml:"postfix_relayhost"`
	}
	if err := yaml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	a := got.Accounts[0]
	if got.Default != a["account"] || a["host"] != s.Host || a["user"] != s.Username || a["password"] != "{{ vault_smtp_password }}" ||
		a["auth"] != "plain" || a["tls_starttls"] != "on" || got.Relay != "["+s.Host+"]:587" {
		t.Errorf("vars: %+v\n%s", got, buf.String())
	}

	relay := smtp.Settings{Host: "relay.lan", Port: 25, Security: smtp.SecurityNone, Auth: smtp.AuthNone, From: "nas@lan"}
	buf.Reset()
	if err := Export(&buf, relay, "ansible", ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "password") || !strings.Contains(buf.String(), `auth: "off"`) || !strings.Contains(buf.String(), `tls: "off"`) {
		t.Errorf("a relay without login:\n%s", buf.String())
	}
}

// Ansible itself reads the variables (when ansible-core is installed): the
// values arrive as written, "on" stays the string msmtp wants, and a
// password with "{{" in it stays literal instead of being run as a
// template.
func TestAnsibleReadsTheVars(t *testing.T) {
	ansible, err := exec.LookPath("ansible")
	if err != nil {
		t.Skip("ansible not installed (apt-get install ansible-core)")
	}
	s := fullSettings()
	s.Password = smtp.NewSecret(`p{{ lookup('env','HOME') }}'"x`)
	var buf bytes.Buffer
	if err := Export(&buf, s, "ansible", ExportOptions{IncludePassword: true}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	vars := filepath.Join(dir, "vars.yml")
	os.WriteFile(vars, buf.Bytes(), 0o600)
	cmd := exec.Command(ansible, "localhost", "-i", "localhost,", "-c", "local", "-m", "debug",
		"-a", "msg={{ msmtp_accounts[0].password }}|{{ msmtp_accounts[0].auth }}|{{ postfix_relayhost }}", "-e", "@"+vars)
	cmd.Env = append(os.Environ(), "HOME="+dir, "ANSIBLE_NOCOLOR=1", "ANSIBLE_PYTHON_INTERPRETER=auto_silent")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ansible: %v\n%s", err, out)
	}
	want := strings.ReplaceAll(`p{{ lookup('env','HOME') }}'"x`, `"`, `\"`) + "|plain|[" + s.Host + "]:587"
	if !strings.Contains(string(out), want) {
		t.Errorf("ansible read the vars as\n%s\nwant %s", out, want)
	}
}
