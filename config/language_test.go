package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smtpsetup/smtp"
)

// The language field: any language name is read as written (one this
// smtpsetup does not speak is English where it is used, not an error),
// control characters are refused as in every field, and the file keeps
// the field only when it was set.
func TestLanguageField(t *testing.T) {
	for _, lang := range []string{"ko", "pt_BR.UTF-8", "zh-Hant", "tlh", "x-klingon"} {
		s, err := parse([]byte("version: 1\nhost: smtp.example.com\nlanguage: "+lang+"\n"), "smtp.yaml")
		if err != nil || s.Language != lang {
			t.Errorf("language: %s: got %q, %v", lang, s.Language, err)
		}
	}
	_, err := parse([]byte("version: 1\nhost: smtp.example.com\nlanguage: \"ko\\e[2J\"\n"), "smtp.yaml")
	var le *LoadError
	if !errors.As(err, &le) || le.Field != "language" || le.Line != 3 {
		t.Errorf("a control character in language: got %v, want an error naming the field and line 3", err)
	}
	_, err = parse([]byte("version: 1\nlanguage: [ko, de]\n"), "smtp.yaml")
	if !errors.As(err, &le) || le.Field != "language" {
		t.Errorf("a list as language: got %v", err)
	}

	s := smtp.Settings{Host: "smtp.example.com", Port: 587, Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthAuto}
	b, err := Marshal(s)
	if err != nil || strings.Contains(string(b), "language") {
		t.Errorf("no language set: the file must not name one:\n%s (%v)", b, err)
	}
	s.Language = "ko"
	path := filepath.Join(t.TempDir(), "smtp.yaml")
	if _, err := Save(path, s, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	if !strings.Contains(string(b), "\nlanguage: ko\n") {
		t.Errorf("saved file lacks language: ko:\n%s", b)
	}
	if got := Language(path); got != "ko" {
		t.Errorf("Language(saved file) = %q, want ko", got)
	}
	if got := Language(filepath.Join(t.TempDir(), "missing.yaml")); got != "" {
		t.Errorf("Language(missing file) = %q, want \"\"", got)
	}
}
