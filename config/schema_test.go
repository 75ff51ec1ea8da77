package config

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"smtpsetup/smtp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// fullSettings uses every field, with values that need quoting.
func fullSettings() smtp.Settings {
	return smtp.Settings{
		Provider: "gmail", Host: "smtp.gmail.com", Port: 587,
		Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthPlain,
		Username: "nas@example.com", Password: smtp.NewSecret(`p"a'ss #$(id) \ `),
		From: "nas@example.com", FromName: "NAS: #1 'backups'",
		CAFile: "/etc/ssl/private-ca.pem", InsecureSkipVerify: true, AllowPlaintextAuth: true,
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// same compares two settings field by field, the password included.
func same(t *testing.T, got, want smtp.Settings) {
	t.Helper()
	if got.Password.Reveal() != want.Password.Reveal() {
		t.Errorf("password differs: got %q, want %q", got.Password.Reveal(), want.Password.Reveal())
	}
	got.Password, want.Password = smtp.Secret{}, smtp.Secret{}
	if got != want {
		t.Errorf("settings differ:\n got  %+v\n want %+v", got, want)
	}
}

func TestMarshalGolden(t *testing.T) {
	withFile := fullSettings()
	withFile.PasswordFile = "/etc/smtpsetup/password"
	tests := []struct {
		name string
		s    smtp.Settings
	}{
		{"full.yaml", fullSettings()},
		{"password_file.yaml", withFile},
		{"relay.yaml", smtp.Settings{Host: "relay.lan", Port: 25, Security: smtp.SecurityNone, Auth: smtp.AuthNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Marshal(tt.s)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("marshal", tt.name), b)
			again, _ := Marshal(tt.s)
			if string(again) != string(b) {
				t.Error("Marshal is not deterministic")
			}
			got, err := parse(b, tt.name)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.s
			if want.PasswordFile != "" {
				want.Password = smtp.Secret{} // named, not held
			}
			same(t, got, want)
		})
	}
}

func TestMarshalNormalises(t *testing.T) {
	s := smtp.Settings{Host: "h.example", Security: "TLS", Auth: ""}
	b, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "security: ssl\n") || !strings.Contains(string(b), "auth: auto\n") {
		t.Errorf("security and auth not canonical:\n%s", b)
	}
}

func TestMarshalRefuses(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*smtp.Settings)
		field string
	}{
		{"newline in host", func(s *smtp.Settings) { s.Host = "a\nb" }, "host"},
		{"CR in password", func(s *smtp.Settings) { s.Password = smtp.NewSecret("a\rb") }, "password"},
		{"NUL in from_name", func(s *smtp.Settings) { s.FromName = "a\x00" }, "from_name"},
		{"invalid UTF-8 in username", func(s *smtp.Settings) { s.Username = "\xff" }, "username"},
		{"unknown security", func(s *smtp.Settings) { s.Security = "ssl3" }, "security"},
		{"unknown auth", func(s *smtp.Settings) { s.Auth = "kerberos" }, "auth"},
		{"port out of range", func(s *smtp.Settings) { s.Port = 70000 }, "port"},
		{"relative password_file", func(s *smtp.Settings) { s.PasswordFile = "pw" }, "password_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fullSettings()
			tt.edit(&s)
			_, err := Marshal(s)
			var fe smtp.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("got %v, want a FieldError for %s", err, tt.field)
			}
		})
	}
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, s smtp.Settings)
	}{
		{"valid.yaml", func(t *testing.T, s smtp.Settings) {
			same(t, s, smtp.Settings{Provider: "gmail", Host: "smtp.gmail.com", Port: 587, Security: smtp.SecuritySTARTTLS,
				Auth: smtp.AuthPlain, Username: "nas@example.com", Password: smtp.NewSecret("abcd efgh ijkl mnop"),
				From: "nas@example.com", FromName: "NAS: backups", CAFile: "/etc/ssl/private-ca.pem", AllowPlaintextAuth: true})
		}},
		// Names other tools use are accepted and stored canonically; numbers
		// in text fields keep the text as written (0x1F stays 0x1F, not 31).
		{"aliases.yaml", func(t *testing.T, s smtp.Settings) {
			same(t, s, smtp.Settings{Host: "mail.example.org", Port: 465, Security: smtp.SecuritySSL, Auth: smtp.AuthAuto,
				Username: "12345", Password: smtp.NewSecret("0x1F")})
		}},
		{"minimal.yaml", func(t *testing.T, s smtp.Settings) {
			same(t, s, smtp.Settings{Host: "relay.lan", Auth: smtp.AuthAuto})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "load", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			s, err := parse(data, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		file  string
		line  int
		field string
		want  []string // substrings of the message
	}{
		{"unknown_field.yaml", 2, "hostname", []string{"not a known field", `did you mean "host"`}},
		{"unknown_pasted.yaml", 3, "", []string{"not a known field"}},
		{"port_text.yaml", 3, "port", []string{"whole number from 1 to 65535", `"five-eight-seven"`, "port: 587"}},
		{"port_range.yaml", 2, "port", []string{"from 1 to 65535"}},
		{"port_quoted.yaml", 2, "port", []string{"whole number"}},
		{"bool_wrong.yaml", 2, "insecure_skip_verify", []string{"true or false"}},
		{"security_unknown.yaml", 2, "security", []string{"ssl3", "use ssl, starttls or none"}},
		{"auth_unknown.yaml", 2, "auth", []string{"kerberos", "cram-md5"}},
		{"missing_version.yaml", 0, "version", []string{"is missing", "add version: 1"}},
		{"newer_version.yaml", 1, "version", []string{"newer smtpsetup", "upgrade smtpsetup"}},
		{"version_zero.yaml", 1, "version", []string{"whole number"}},
		{"duplicate.yaml", 4, "host", []string{"appears twice (first on line 2)"}},
		{"list_value.yaml", 3, "host", []string{"not a list"}},
		{"both_passwords.yaml", 3, "password_file", []string{"and so is password", "keep one"}},
		{"relative_password_file.yaml", 2, "password_file", []string{"absolute path"}},
		{"syntax.yaml", 3, "", []string{"not valid YAML", "could not find expected ':'", "double quotes"}},
		{"block_scalar.yaml", 2, "from_name", []string{"line break"}},
		{"two_documents.yaml", 2, "", []string{"more than one YAML document"}},
		{"not_mapping.yaml", 1, "", []string{"not a list of field: value lines"}},
		{"empty.yaml", 0, "", []string{"is empty", "version: 1"}},
		{"alias.yaml", 3, "from", []string{"alias"}},
		{"tagged.yaml", 2, "host", []string{"YAML tag"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "load", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = parse(data, tt.file)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a *LoadError", err)
			}
			if le.Line != tt.line || le.Field != tt.field {
				t.Errorf("line %d field %q, want line %d field %q (%v)", le.Line, le.Field, tt.line, tt.field, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), tt.file) {
				t.Errorf("message %q does not start with the file name", err)
			}
		})
	}
}

// writeFile0 writes a file with an exact mode, whatever the umask.
func writeFile0(t *testing.T, path, content string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestLoadPermissions(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		mode    fs.FileMode
		wantErr string
	}{
		{"inline password, 0600", "version: 1\npassword: pw-1234\n", 0o600, ""},
		{"inline password, 0640", "version: 1\npassword: pw-1234\n", 0o640, "can be read or changed by group (mode 0640)"},
		{"inline password, 0644", "version: 1\npassword: pw-1234\n", 0o644, "by group and others (mode 0644)"},
		{"no password, 0644", "version: 1\nhost: relay.lan\n", 0o644, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "smtp.yaml")
			writeFile0(t, path, tt.config, tt.mode)
			_, err := Load(path)
			checkErr(t, err, tt.wantErr)
			if tt.wantErr != "" && !strings.Contains(err.Error(), "chmod 600") {
				t.Errorf("%v does not say how to fix it", err)
			}
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one with %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q lacks %q", err, want)
	}
}

func TestLoadPasswordFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    fs.FileMode
		want    string
		wantErr string
	}{
		{"plain", "s3cret", 0o600, "s3cret", ""},
		{"trailing newline dropped", "s3cret\n", 0o600, "s3cret", ""},
		{"CRLF dropped", "s3cret\r\n", 0o400, "s3cret", ""},
		{"only one newline dropped", "s3cret\n\n", 0o600, "", "line break"},
		{"spaces kept", "  s3 cret  \n", 0o600, "  s3 cret  ", ""},
		{"group readable", "s3cret\n", 0o640, "", "by group (mode 0640)"},
		{"others readable", "s3cret\n", 0o604, "", "by others (mode 0604)"},
		{"group and others", "s3cret\n", 0o644, "", "by group and others"},
		{"two lines", "s3cret\nmore\n", 0o600, "", "line break"},
		{"empty", "", 0o600, "", "is empty"},
		{"too long", strings.Repeat("x", 2000), 0o600, "", "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			pw := filepath.Join(dir, "password")
			writeFile0(t, pw, tt.content, tt.mode)
			cfg := filepath.Join(dir, "smtp.yaml")
			writeFile0(t, cfg, "version: 1\nhost: h.example\npassword_file: "+pw+"\n", 0o644)
			s, err := Load(cfg)
			checkErr(t, err, tt.wantErr)
			if err == nil && (s.Password.Reveal() != tt.want || s.PasswordFile != pw) {
				t.Errorf("got password %q from %q, want %q", s.Password.Reveal(), s.PasswordFile, tt.want)
			}
		})
	}
}

func TestLoadFileProblems(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "smtpsetup setup") {
		t.Errorf("missing file: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	// A FIFO must be refused at once, not block the reader.
	_, err = Load(fifo)
	checkErr(t, err, "not a regular file")
	_, err = Load(dir)
	checkErr(t, err, "not a regular file")
	cfg := filepath.Join(dir, "smtp.yaml")
	writeFile0(t, cfg, "version: 1\npassword_file: "+fifo+"\n", 0o600)
	_, err = Load(cfg)
	checkErr(t, err, "not a regular file")
}

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		name           string
		env, xdg, home string
		root           bool
		want           string
	}{
		{"env wins", "/srv/smtp.yaml", "/x", "/home/u", true, "/srv/smtp.yaml"},
		{"root", "", "/x", "/root", true, "/etc/smtpsetup/smtp.yaml"},
		{"xdg", "", "/x/cfg", "/home/u", false, "/x/cfg/smtpsetup/smtp.yaml"},
		{"relative xdg ignored", "", "cfg", "/home/u", false, "/home/u/.config/smtpsetup/smtp.yaml"},
		{"home", "", "", "/home/u", false, "/home/u/.config/smtpsetup/smtp.yaml"},
		{"nothing", "", "", "", false, "smtp.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("SMTPSETUP_CONFIG", tt.env)
			t.Setenv("XDG_CONFIG_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			old := geteuid
			t.Cleanup(func() { geteuid = old })
			geteuid = func() int {
				if tt.root {
					return 0
				}
				return 1000
			}
			if got := DefaultPath(); got != tt.want {
				t.Errorf("DefaultPath() = %q, want %q", got, tt.want)
			}
		})
	}
}
