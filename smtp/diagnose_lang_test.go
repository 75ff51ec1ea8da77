package smtp_test

import (
	"regexp"
	"strings"
	"testing"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

// scripts are the letters each language writes in, to tell a translated
// text from English put through unchanged.
var scripts = map[string]*regexp.Regexp{
	"bg": regexp.MustCompile(`\p{Cyrillic}`), "ky": regexp.MustCompile(`\p{Cyrillic}`), "ru": regexp.MustCompile(`\p{Cyrillic}`),
	"ko": regexp.MustCompile(`\p{Hangul}`), "ja": regexp.MustCompile(`[\p{Hiragana}\p{Katakana}\p{Han}]`),
	"zh-Hans": regexp.MustCompile(`\p{Han}`), "zh-Hant": regexp.MustCompile(`\p{Han}`),
	"de": regexp.MustCompile(`\p{Latin}`), "fr": regexp.MustCompile(`\p{Latin}`), "es": regexp.MustCompile(`\p{Latin}`),
	"pt-BR": regexp.MustCompile(`\p{Latin}`),
}

// TestDiagnosisInEveryLanguage runs real failures against the in-process
// server (Gmail refusing the account password; SSL/TLS spoken to a
// STARTTLS port) and renders each diagnosis in every language: the code,
// family and suggestion stay as in English; the title, what happened and
// the fix are the language's own words, not English.
func TestDiagnosisInEveryLanguage(t *testing.T) {
	gmail, _ := smtp.BuiltinCatalogue().ByID("gmail")
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
	s.Password = smtp.NewSecret("wrong password")
	wrongPassword, _ := run(t, s, o, gmail)
	s, o = settingsFor(srv, smtp.SecuritySSL)
	wrongMode, _ := run(t, s, o, nil)

	for _, rep := range []struct {
		name string
		r    *smtp.Report
		p    *smtp.Provider
	}{{"gmail wrong password", wrongPassword, gmail}, {"ssl on a starttls port", wrongMode, nil}} {
		en := smtp.Diagnose(rep.r, rep.p)
		if en == nil {
			t.Fatalf("%s: no diagnosis", rep.name)
		}
		for _, l := range i18n.Languages[1:] {
			tr := i18n.New(l.Tag)
			d := smtp.DiagnoseIn(rep.r, rep.p, tr)
			if d.Code != en.Code || d.Family != en.Family || (d.Suggestion == nil) != (en.Suggestion == nil) {
				t.Errorf("%s in %s: decision changed: %s/%s, English %s/%s", rep.name, l.Tag, d.Code, d.Family, en.Code, en.Family)
			}
			for _, part := range []struct{ name, en, text string }{{"title", en.Title, d.Title}, {"detail", en.Detail, d.Detail}, {"fix", en.Fix, d.Fix}} {
				if part.en == "" {
					continue
				}
				if part.text == part.en || !scripts[l.Tag].MatchString(part.text) {
					t.Errorf("%s in %s: the %s is not translated: %q", rep.name, l.Tag, part.name, part.text)
				}
				if strings.Contains(part.text, "%!") {
					t.Errorf("%s in %s: the %s has a broken verb: %q", rep.name, l.Tag, part.name, part.text)
				}
			}
		}
	}
}
