package config

import (
	"bytes"
	"strings"
	"testing"

	"smtpsetup/smtp"
)

// With HidePassword, no export holds the password; each says how to get it.
func TestHidePassword(t *testing.T) {
	const pw = "CANARY-hidden pw:#1"
	s := smtp.Settings{Host: "smtp.example.com", Port: 587, Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthAuto,
		Username: "nas@example.com", Password: smtp.NewSecret(pw), From: "nas@example.com"}
	hide := ExportOptions{HidePassword: true}
	for _, format := range []string{"msmtp", "postfix", "env", "json"} {
		var buf bytes.Buffer
		if err := Export(&buf, s, format, hide); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if strings.Contains(buf.String(), pw) {
			t.Errorf("%s shows the password:\n%s", format, buf.String())
		}
		switch format {
		case "msmtp":
			if !strings.Contains(buf.String(), "# password: not shown") || !strings.Contains(buf.String(), "user \"nas@example.com\"") {
				t.Errorf("msmtp:\n%s", buf.String())
			}
		case "postfix":
			if !strings.Contains(buf.String(), "#    [smtp.example.com]:587 nas@example.com:PASSWORD\n") {
				t.Errorf("postfix:\n%s", buf.String())
			}
		}
	}
	tmpl := hide
	tmpl.Template = "user={{.Username}} pass={{.Password}}\n"
	if err := Export(&bytes.Buffer{}, s, "template", tmpl); err == nil || !strings.Contains(err.Error(), "--output") {
		t.Errorf("a template using .Password: %v, want an error naming --output", err)
	}
	tmpl.Template = "user={{.Username}}\n"
	var buf bytes.Buffer
	if err := Export(&buf, s, "template", tmpl); err != nil || buf.String() != "user=nas@example.com\n" {
		t.Errorf("a template without .Password: %q, %v", buf.String(), err)
	}
	// Without HidePassword (a file), msmtp carries what it needs.
	buf.Reset()
	if err := Export(&buf, s, "msmtp", ExportOptions{}); err != nil || !strings.Contains(buf.String(), pw) {
		t.Errorf("msmtp for a file lacks the password: %v", err)
	}
}
