package config

import (
	"errors"
	"strings"
	"testing"

	"smtpsetup/smtp"
)

// A host that is not a name or an address is refused at load, on its line,
// before any export can hand it to Postfix (which expands $name) or msmtp.
func TestLoadRefusesHostsThatAreNotNames(t *testing.T) {
	for _, host := range []string{`mail$myhostname.example`, `"mail.$(id).example"`, `"a'b.example"`, `'a"b.example'`, `mail(x).example`} {
		data := "version: 1\nport: 587\nhost: " + host + "\nsecurity: starttls\n"
		_, err := parse([]byte(data), "smtp.yaml")
		var le *LoadError
		if !errors.As(err, &le) || le.Field != "host" || le.Line != 3 || le.Fix == "" {
			t.Errorf("host %s: got %v, want a LoadError for field host on line 3 with a fix", host, err)
		}
	}
}

// Control characters are refused at load with the line and the field, both
// raw in the file (NUL, invalid UTF-8, ESC) and as YAML escapes that decode
// to them ("nas\b\badm", "pw\e[2J"): the rule applies to the decoded values,
// as it does to flags. The fix fits the cause.
func TestLoadRefusesControlCharacters(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		line       int
		field      string
		fix        string
	}{
		{"raw NUL", "version: 1\nhost: smtp.example.com\nusername: nas\x00adm\n", 3, "username", "delete"},
		{"invalid UTF-8", "version: 1\nhost: smtp.example.com\nport: 587\nfrom_name: NAS \xff\xfe\n", 4, "from_name", "delete"},
		{"raw ESC", "version: 1\nfrom_name: \"a\x1b[2Jb\"\n", 2, "from_name", "delete"},
		{"backspace escape", "version: 1\nhost: smtp.example.com\nusername: \"nas\\b\\badm\"\n", 3, "username", "escape"},
		{"escape in password", "version: 1\nhost: smtp.example.com\nusername: nas\npassword: \"pw\\e[2J\"\n", 4, "password", "escape"},
		{"C1 escape", "version: 1\nfrom_name: \"x\\x9b31m\"\n", 2, "from_name", "escape"},
		{"bell in a name", "version: 1\nfrom_name: \"NAS\\a\"\n", 2, "from_name", "escape"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse([]byte(tc.data), "smtp.yaml")
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a LoadError", err)
			}
			if le.Line != tc.line || le.Field != tc.field || !strings.Contains(le.Fix, tc.fix) {
				t.Errorf("got line %d field %q fix %q (%v); want line %d field %q and a fix about %q", le.Line, le.Field, le.Fix, err, tc.line, tc.field, tc.fix)
			}
			if strings.Contains(err.Error(), "pw") || strings.ContainsAny(err.Error(), "\x00\x1b\b\a") {
				t.Errorf("message quotes the value or holds a control character: %q", err)
			}
		})
	}
}

// Flags follow the same rule: smtp.Settings.Validate refuses control
// characters in every text field.
func TestValidateRefusesControlCharacters(t *testing.T) {
	base := smtp.Settings{Host: "smtp.example.com", Port: 587, Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthAuto,
		Username: "nas", Password: smtp.NewSecret("secret pw"), From: "nas@example.com", FromName: "NAS"}
	for _, mod := range []func(*smtp.Settings){
		func(s *smtp.Settings) { s.Username = "nas\b\badm" },
		func(s *smtp.Settings) { s.Password = smtp.NewSecret("pw\x1b[2J") },
		func(s *smtp.Settings) { s.FromName = "NAS\a" },
		func(s *smtp.Settings) { s.FromName = "NAS\u009b31m" },
	} {
		s := base
		mod(&s)
		if errs := s.Validate(); len(errs) == 0 {
			t.Errorf("Validate accepted %#v", s)
		}
	}
	if errs := base.Validate(); len(errs) != 0 {
		t.Fatalf("the base settings are invalid: %v", errs)
	}
}

// A template's output is bounded: a loop over a huge number must end with
// a clear error, not fill the memory.
func TestTemplateOutputIsBounded(t *testing.T) {
	s := smtp.Settings{Host: "smtp.example.com", Port: 587, Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthNone}
	_, err := exportTemplate(s, ExportOptions{Template: "{{range 100000000000}}xxxxxxxxxxxxxxxx{{end}}"})
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("got %v, want an error about the output's size", err)
	}
}
