package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smtpsetup/smtp"
)

// hostile values: quoting, shell, comment and escape characters, unicode.
var hostile = []string{
	`it's`, `"quoted"`, `$(id)`, "`id`", `a\b\\c`, `#not a comment`, `semi;colon`,
	` lead and trail `, "tab\there", `ünïcödé ✓ 密码`, `'`, `"`, `\`, `$HOME ${HOME}`,
	`!history`, `*glob?[x]`, `a''b`, `%s%d`, `-n`, `= x`, `""`, `\"`, `"\`,
}

// exportCases are drafts for the golden files of every format.
func exportCases() map[string]smtp.Settings {
	ssl := fullSettings()
	ssl.Password = smtp.NewSecret(`p"a'ss #$(id) \`) // Postfix drops a trailing blank
	ssl.Security, ssl.Port, ssl.Auth, ssl.InsecureSkipVerify = smtp.SecuritySSL, 465, smtp.AuthAuto, false
	ssl.PasswordFile = "/etc/smtpsetup/password"
	starttls := fullSettings()
	starttls.Password = smtp.NewSecret(`p"a'ss #$(id) \`) // Postfix drops a trailing blank
	return map[string]smtp.Settings{
		"starttls": starttls,
		"ssl":      ssl,
		"relay":    {Host: "relay.lan", Port: 25, Security: smtp.SecurityNone, Auth: smtp.AuthNone, From: "nas@lan"},
	}
}

func TestExportGolden(t *testing.T) {
	tmpl, err := os.ReadFile(filepath.Join("testdata", "export", "example.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range exportCases() {
		for _, format := range Formats {
			t.Run(name+"."+format, func(t *testing.T) {
				var buf bytes.Buffer
				err := Export(&buf, s, format, ExportOptions{Template: string(tmpl)})
				if err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("export", name+"."+format), buf.Bytes())
			})
		}
	}
}

func TestExportPasswordOnlyWhenAsked(t *testing.T) {
	s := fullSettings()
	pw := s.Password.Reveal()
	for _, format := range []string{"json", "env"} {
		var plain, with bytes.Buffer
		if err := Export(&plain, s, format, ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plain.String(), "password") || strings.Contains(plain.String(), "PASSWORD") {
			t.Errorf("%s: password exported without IncludePassword:\n%s", format, plain.String())
		}
		if err := Export(&with, s, format, ExportOptions{IncludePassword: true}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(with.String(), strings.Split(pw, `"`)[0]) {
			t.Errorf("%s: no password with IncludePassword:\n%s", format, with.String())
		}
	}
	var js bytes.Buffer
	s.PasswordFile = "/etc/smtpsetup/password"
	if err := Export(&js, s, "json", ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if _, has := m["password"]; has || m["password_file"] != s.PasswordFile {
		t.Errorf("json with a password file: %v", m)
	}
}

func TestExportJSONRoundTrip(t *testing.T) {
	for _, v := range hostile {
		s := fullSettings()
		s.Password, s.FromName, s.Username = smtp.NewSecret(v), v, v
		var buf bytes.Buffer
		if err := Export(&buf, s, "json", ExportOptions{IncludePassword: true}); err != nil {
			t.Fatal(err)
		}
		var f file
		if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if f.Password != v || f.FromName != v || f.Username != v {
			t.Errorf("%q came back as %+v", v, f)
		}
	}
}

func TestExportRefusesLineBreaks(t *testing.T) {
	fields := map[string]func(*smtp.Settings, string){
		"host":      func(s *smtp.Settings, v string) { s.Host = v },
		"username":  func(s *smtp.Settings, v string) { s.Username = v },
		"password":  func(s *smtp.Settings, v string) { s.Password = smtp.NewSecret(v) },
		"from":      func(s *smtp.Settings, v string) { s.From = v },
		"from_name": func(s *smtp.Settings, v string) { s.FromName = v },
		"ca_file":   func(s *smtp.Settings, v string) { s.CAFile = v },
		"provider":  func(s *smtp.Settings, v string) { s.Provider = v },
	}
	for field, set := range fields {
		for _, v := range []string{"a\nb", "a\rb", "a\x00b", "end\n"} {
			for _, format := range Formats {
				s := fullSettings()
				set(&s, v)
				var buf bytes.Buffer
				err := Export(&buf, s, format, ExportOptions{IncludePassword: true, Template: "{{.Host}}"})
				var fe smtp.FieldError
				if !errors.As(err, &fe) || fe.Field != field {
					t.Errorf("%s %s=%q: got %v, want an error naming %s", format, field, v, err, field)
				}
				if buf.Len() != 0 {
					t.Errorf("%s: wrote %d bytes before failing", format, buf.Len())
				}
			}
		}
	}
}

func TestExportUnknownFormat(t *testing.T) {
	err := Export(&bytes.Buffer{}, fullSettings(), "xml", ExportOptions{})
	checkErr(t, err, "use one of json, env, msmtp, postfix, ansible, template")
}

func TestMsmtpPassword(t *testing.T) {
	long := strings.Repeat("p", 600)
	tests := []struct {
		name     string
		password string
		settings string // password_file in the settings
		option   string // ExportOptions.PasswordFile
		want     string
		wantErr  string
	}{
		{"inline", `p"w\#`, "", "", `password "p"w\#"` + "\n", ""},
		{"settings file", "x", "/etc/smtpsetup/pw", "", `passwordeval "cat -- '/etc/smtpsetup/pw'"` + "\n", ""},
		{"option wins", "x", "/etc/smtpsetup/pw", "/run/it's pw", `passwordeval "cat -- '/run/it'\''s pw'"` + "\n", ""},
		{"long needs a file", long, "", "", "", "too long to fit"},
		{"long with a file", long, "", "/run/pw", `passwordeval "cat -- '/run/pw'"` + "\n", ""},
		{"relative file", "x", "", "pw", "", "absolute"},
		{"control char", "a\x1bb", "", "", "", "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fullSettings()
			s.Password, s.PasswordFile = smtp.NewSecret(tt.password), tt.settings
			out, err := MsmtpConfig(s, ExportOptions{PasswordFile: tt.option})
			checkErr(t, err, tt.wantErr)
			if err == nil && !strings.Contains(string(out), tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
			if err == nil && tt.want != "" && strings.HasPrefix(tt.want, "passwordeval") && strings.Contains(string(out), "password \"") {
				t.Errorf("password written inline although a file is known:\n%s", out)
			}
		})
	}
}

func TestMsmtpModes(t *testing.T) {
	tests := []struct {
		name string
		edit func(*smtp.Settings)
		want []string
		not  []string
	}{
		{"starttls", func(s *smtp.Settings) { s.InsecureSkipVerify = false },
			[]string{"tls on\n", "tls_starttls on\n", `tls_trust_file "/etc/ssl/private-ca.pem"`, "auth plain\n"}, []string{"tls_certcheck"}},
		{"ssl", func(s *smtp.Settings) { s.Security, s.CAFile, s.InsecureSkipVerify = smtp.SecuritySSL, "", false },
			[]string{"tls on\n", "tls_starttls off\n"}, []string{"tls_trust_file", "tls_certcheck"}},
		{"insecure", func(s *smtp.Settings) {}, []string{"tls_certcheck off\n"}, []string{"tls_trust_file"}},
		{"none", func(s *smtp.Settings) { s.Security = smtp.SecurityNone }, []string{"tls off\n", "auth plain\n"}, []string{"tls_starttls"}},
		{"no login", func(s *smtp.Settings) { s.Username = "" }, []string{"auth off\n"}, []string{"user ", "password \"", "passwordeval"}},
		{"xoauth2", func(s *smtp.Settings) { s.Auth = smtp.AuthXOAUTH2 }, []string{"auth xoauth2\n"}, nil},
		{"ipv6", func(s *smtp.Settings) { s.Host = "[2001:db8::1]" }, []string{`host "2001:db8::1"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fullSettings()
			tt.edit(&s)
			out, err := MsmtpConfig(s, ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(string(out), n) {
					t.Errorf("has %q:\n%s", n, out)
				}
			}
		})
	}
}

func TestPlaintextAuthNeedsConsent(t *testing.T) {
	s := fullSettings()
	s.Security, s.AllowPlaintextAuth = smtp.SecurityNone, false
	_, err := MsmtpConfig(s, ExportOptions{})
	checkErr(t, err, "allow_plaintext_auth")
	_, _, err = PostfixConfig(s, ExportOptions{})
	checkErr(t, err, "allow_plaintext_auth")
	s.Username = "" // no login, nothing to protect
	if _, err := MsmtpConfig(s, ExportOptions{}); err != nil {
		t.Error(err)
	}
}

func TestPostfixConfig(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*smtp.Settings)
		opts    ExportOptions
		want    []string // main.cf lines
		sasl    string
		wantErr string
	}{
		{"starttls verified", func(s *smtp.Settings) { s.InsecureSkipVerify = false }, ExportOptions{},
			[]string{"relayhost = [smtp.gmail.com]:587", "smtp_tls_security_level = secure", "smtp_tls_CAfile = /etc/ssl/private-ca.pem",
				"smtp_sasl_auth_enable = yes", "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd",
				"smtp_sasl_security_options = noanonymous", "smtp_sasl_mechanism_filter = plain"},
			`[smtp.gmail.com]:587 nas@example.com:p"a'ss #$(id) \` + "\n", "pass ends with a blank"},
		{"ssl system CAs", func(s *smtp.Settings) {
			s.Security, s.Port, s.CAFile, s.InsecureSkipVerify, s.Auth = smtp.SecuritySSL, 465, "", false, smtp.AuthAuto
			s.Password = smtp.NewSecret(`p:w #$ "x`)
		}, ExportOptions{PostfixSASLMap: "lmdb:/etc/postfix/relay_auth"},
			[]string{"relayhost = [smtp.gmail.com]:465", "smtp_tls_wrappermode = yes", "smtp_tls_CApath = /etc/ssl/certs",
				"smtp_sasl_password_maps = lmdb:/etc/postfix/relay_auth"},
			`[smtp.gmail.com]:465 nas@example.com:p:w #$ "x` + "\n", ""},
		{"insecure", func(s *smtp.Settings) { s.Password = smtp.NewSecret("pw") }, ExportOptions{},
			[]string{"smtp_tls_security_level = encrypt"}, "[smtp.gmail.com]:587 nas@example.com:pw\n", ""},
		{"relay without login", func(s *smtp.Settings) {
			s.Security, s.Username, s.Port = smtp.SecurityNone, "", 25
		}, ExportOptions{}, []string{"relayhost = [smtp.gmail.com]:25", "smtp_tls_security_level = none", "smtp_sasl_auth_enable = no"}, "", ""},
		{"ipv6", func(s *smtp.Settings) { s.Host, s.Password = "2001:db8::1", smtp.NewSecret("pw") }, ExportOptions{},
			[]string{"relayhost = [2001:db8::1]:587"}, "[2001:db8::1]:587 nas@example.com:pw\n", ""},
		{"colon in username", func(s *smtp.Settings) { s.Username = "a:b" }, ExportOptions{}, nil, "", "contains ':'"},
		{"blank around username", func(s *smtp.Settings) { s.Username = " a" }, ExportOptions{}, nil, "", "starts or ends with a blank"},
		{"trailing blank in password", func(s *smtp.Settings) { s.Password = smtp.NewSecret("pw ") }, ExportOptions{}, nil, "", "ends with a blank"},
		{"xoauth2", func(s *smtp.Settings) { s.Auth = smtp.AuthXOAUTH2 }, ExportOptions{}, nil, "", "SASL plugin"},
		{"dollar in CA file", func(s *smtp.Settings) { s.InsecureSkipVerify, s.CAFile = false, "/etc/$x.pem" }, ExportOptions{}, nil, "", "'$'"},
		{"map with a blank", func(s *smtp.Settings) { s.Password = smtp.NewSecret("pw") }, ExportOptions{PostfixSASLMap: "hash:/a b"}, nil, "", "type:/absolute/path"},
		{"map without a type", func(s *smtp.Settings) { s.Password = smtp.NewSecret("pw") }, ExportOptions{PostfixSASLMap: "/etc/postfix/x"}, nil, "", "type:/absolute/path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fullSettings()
			tt.edit(&s)
			mainCF, sasl, err := PostfixConfig(s, tt.opts)
			if tt.wantErr == "pass ends with a blank" { // fullSettings' password ends with a blank
				checkErr(t, err, "ends with a blank")
				s.Password = smtp.NewSecret(strings.TrimRight(s.Password.Reveal(), " "))
				mainCF, sasl, err = PostfixConfig(s, tt.opts)
			} else {
				checkErr(t, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			var lines []string
			for _, p := range mainCF {
				lines = append(lines, p.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(strings.Join(lines, "\n")+"\n", w+"\n") {
					t.Errorf("main.cf lacks %q:\n%s", w, strings.Join(lines, "\n"))
				}
			}
			if sasl != tt.sasl {
				t.Errorf("sasl_passwd %q, want %q", sasl, tt.sasl)
			}
		})
	}
}

func TestTemplateExport(t *testing.T) {
	tests := []struct {
		name, tmpl, want, wantErr string
	}{
		{"fields", "{{.Address}} {{.Security}} {{.Username}}", "smtp.gmail.com:587 starttls nas@example.com", ""},
		{"shquote", "P={{shquote .Password}}", `P='p"a'\''ss #$(id) \ '`, ""},
		{"json", "{{json .FromName}}", `"NAS: #1 'backups'"`, ""},
		{"missing template", "", "", "needs a template"},
		{"parse error", "{{.Host", "", "does not parse"},
		{"unknown field", "{{.Nope}}", "", "the template failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Export(&buf, fullSettings(), "template", ExportOptions{Template: tt.tmpl})
			checkErr(t, err, tt.wantErr)
			if buf.String() != tt.want {
				t.Errorf("got %q, want %q", buf.String(), tt.want)
			}
		})
	}
}
