package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smtpsetup/smtp"
)

const testPin = "3A:1F:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01:23:45:67:89:AB:CD:EF:10:32:54:76:98:C2"

// The pin is saved as certificates show it, read back, and a pin that is
// not one is refused with the line and the fix.
func TestPinRoundTripAndErrors(t *testing.T) {
	s := smtp.Settings{Host: "nas.office.example", Port: 587, Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthAuto,
		Username: "nas", Password: smtp.NewSecret("pw"), TLSPinSHA256: strings.ToLower(strings.ReplaceAll(testPin, ":", ""))}
	b, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "tls_pin_sha256: "+testPin+"\n") {
		t.Fatalf("saved:\n%s", b)
	}
	p := filepath.Join(t.TempDir(), "smtp.yaml")
	os.WriteFile(p, b, 0o600)
	got, err := Load(p)
	if err != nil || got.TLSPinSHA256 != testPin {
		t.Fatalf("loaded pin %q, %v", got.TLSPinSHA256, err)
	}
	os.WriteFile(p, []byte("version: 1\nhost: nas.office.example\nsecurity: starttls\ntls_pin_sha256: AB:CD\n"), 0o600)
	_, err = Load(p)
	var le *LoadError
	if !errors.As(err, &le) || le.Field != "tls_pin_sha256" || le.Line != 4 || le.Fix == "" {
		t.Fatalf("bad pin: %v", err)
	}
}

// msmtp and Postfix get the pin in their own words, and no CA with it.
func TestPinExports(t *testing.T) {
	s := smtp.Settings{Host: "192.0.2.10", Port: 465, Security: smtp.SecuritySSL, Auth: smtp.AuthAuto,
		Username: "nas", Password: smtp.NewSecret("pw"), CAFile: "/etc/ssl/private-ca.pem", TLSPinSHA256: testPin}
	m, err := MsmtpConfig(s, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m), "\ntls_fingerprint "+testPin+"\n") || strings.Contains(string(m), "tls_trust_file") {
		t.Errorf("msmtp:\n%s", m)
	}
	cf, _, err := PostfixConfig(s, ExportOptions{})
	if err != nil {
		t.Fatalf("postfix, IP host with a pin: %v", err)
	}
	var lines []string
	for _, p := range cf {
		lines = append(lines, p.String())
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{"smtp_tls_security_level = fingerprint", "smtp_tls_fingerprint_digest = sha256", "smtp_tls_fingerprint_cert_match = " + testPin} {
		if !strings.Contains(all, want) {
			t.Errorf("postfix lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "smtp_tls_CA") {
		t.Errorf("postfix names a CA with a pin:\n%s", all)
	}
}
