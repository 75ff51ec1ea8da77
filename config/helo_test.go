package config

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

func TestHeloRoundTripsAndIsChecked(t *testing.T) {
	s := smtp.Settings{Host: "smtp.example.com", Port: 587, Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthAuto, Helo: "nas.example.com"}
	b, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "\nhelo: nas.example.com\n") {
		t.Fatalf("helo is not in the file:\n%s", b)
	}
	back, err := parse(b, "c.yaml")
	if err != nil || back.Helo != s.Helo {
		t.Fatalf("read back helo %q, %v", back.Helo, err)
	}
	s.Helo = "nas example"
	var fe smtp.FieldError
	if _, err := Marshal(s); !errors.As(err, &fe) || fe.Field != "helo" {
		t.Fatalf("Marshal of a bad helo: %v", err)
	}
	_, err = parse([]byte("version: 1\nhost: smtp.example.com\nhelo: \"-nas_1\"\n"), "c.yaml")
	var le *LoadError
	if !errors.As(err, &le) || le.Field != "helo" || le.Line != 3 || !strings.Contains(le.Fix, "fully-qualified") {
		t.Fatalf("load of a bad helo: %v", err)
	}
}

// TestMsmtpSaysTheHeloName sends through the real msmtp with the export and
// checks the name the server heard.
func TestMsmtpSaysTheHeloName(t *testing.T) {
	msmtp := need(t, "msmtp", "msmtp")
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain))
	s := smtp.Settings{Host: "127.0.0.1", Port: srv.Port(), Security: smtp.SecurityNone, Auth: smtp.AuthNone,
		From: "nas@example.com", Helo: "nas.example.com"}
	conf, err := MsmtpConfig(s, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "msmtprc")
	writeFile0(t, path, string(conf), 0o600)
	cmd := exec.Command(msmtp, "-C", path, "-a", "default", "rcpt@example.com")
	cmd.Stdin = strings.NewReader("Subject: test\r\n\r\nbody\r\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("msmtp: %v\n%s\n%s", err, out, conf)
	}
	if !strings.Contains(string(srv.Wire()), "EHLO nas.example.com\r\n") {
		t.Fatalf("the server did not hear EHLO nas.example.com:\n%s", srv.Wire())
	}
}
