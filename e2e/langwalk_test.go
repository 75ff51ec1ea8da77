package e2e

import (
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"smtpsetup/e2e/term"
	"smtpsetup/i18n"
	"smtpsetup/internal/langcheck"
	"smtpsetup/smtp"
)

// A language's walk: its POSIX locale, and the script its screens are
// written in.
var walkLanguages = []struct {
	tag, locale string
	script      *regexp.Regexp
}{
	{"ko", "ko_KR.UTF-8", regexp.MustCompile(`\p{Hangul}`)},
	{"ky", "ky_KG.UTF-8", regexp.MustCompile(`[ңөүҢӨҮ]`)}, // Kyrgyz's own letters, not just Cyrillic
	{"ja", "ja_JP.UTF-8", regexp.MustCompile(`[\p{Hiragana}\p{Katakana}]`)},
	{"de", "de_DE.UTF-8", regexp.MustCompile(`[äöüßÄÖÜ]`)},
	{"bg", "bg_BG.UTF-8", regexp.MustCompile(`\p{Cyrillic}`)},
	{"ru", "ru_RU.UTF-8", regexp.MustCompile(`\p{Cyrillic}`)},
	{"zh-Hans", "zh_CN.UTF-8", regexp.MustCompile(`\p{Han}`)},
	{"zh-Hant", "zh_TW.UTF-8", regexp.MustCompile(`\p{Han}`)},
	{"fr", "fr_FR.UTF-8", regexp.MustCompile(`[éèàçêô]`)},
	{"es", "es_ES.UTF-8", regexp.MustCompile(`[áéíóúñ¿]`)},
	{"pt-BR", "pt_BR.UTF-8", regexp.MustCompile(`[ãõçáéêó]`)},
}

// TestDemoInEveryLanguage walks `smtpsetup --demo` with only Enter, in a
// pseudo-terminal of 80x24 whose screen is read by an emulator that gives
// CJK characters two cells, under each language's LANG, to a saved
// config: every stop must show the step's title and its question in that
// language, in its script, with no English sentence left, and the footer
// whole on the last row.
func TestDemoInEveryLanguage(t *testing.T) {
	for _, l := range walkLanguages {
		t.Run(l.tag, func(t *testing.T) {
			t.Parallel()
			tr := i18n.New(l.tag)
			if tr.Tag() != l.tag {
				t.Fatalf("no printer for %s", l.tag)
			}
			home := t.TempDir()
			p := &program{home: home, config: home + "/etc/smtp.yaml"}
			cmd := exec.Command(binary, "--demo", "--config", p.config)
			cmd.Env = append(environment(home), "LANG="+l.locale) // the later LANG wins
			p.Term = term.StartWide(t, cmd, 80, 24)

			quit, help := "ctrl+c "+tr.T("quit"), "? "+tr.T("help")
			seen := false
			for i, s := range demoStops {
				title, mark := tr.T(s.title), tr.T(s.mark)
				if mark == s.mark && len(strings.Fields(s.mark)) > 1 {
					t.Errorf("%q has no %s translation", s.mark, l.tag)
				}
				var screen string
				p.WaitForFunc(func(scr string) bool {
					screen = scr
					return strings.Contains(scr, title) && strings.Contains(scr, mark)
				}, fmt.Sprintf("stop %d: %q with %q", i+1, title, mark))
				// The footer, wrapped onto as many rows as it needs, ends
				// on the last row with the wizard's own keys.
				rows := strings.Split(screen, "\n")
				footer := strings.Join(rows[max(0, len(rows)-3):], " ")
				if !strings.HasSuffix(rows[len(rows)-1], help) || !strings.Contains(footer, quit) {
					t.Errorf("stop %d: the footer lacks %q or %q on its last rows\n%s", i+1, quit, help, screen)
				}
				if w := englishOn(screen); w != "" {
					t.Errorf("stop %d: English %q on the %s screen:\n%s", i+1, w, l.tag, screen)
				}
				seen = seen || l.script.MatchString(screen)
				p.Press(term.Enter)
			}
			if !seen {
				t.Errorf("no screen of the walk was written in %s's script", l.tag)
			}
			if code := p.Wait(); code != 0 {
				t.Fatalf("exit %d\n%s", code, p.Dump())
			}
			p.savedFile(t)
		})
	}
}

// englishOn returns an English word on the screen, outside the provider
// names (brand names, as the catalogue writes them: "Zoho Mail (zoho.eu,
// Europe)"), or "".
func englishOn(screen string) string {
	for _, line := range strings.Split(screen, "\n") {
		if slices.ContainsFunc(providerNames(), func(n string) bool { return strings.Contains(line, n) }) {
			continue
		}
		line = strings.NewReplacer("MAIL FROM", "", "RCPT TO", "").Replace(line) // SMTP's commands, named as such
		if w := langcheck.EnglishWord.FindString(line); w != "" {
			return w
		}
	}
	return ""
}

var providerNames = sync.OnceValue(func() []string {
	var names []string
	for _, p := range smtp.BuiltinCatalogue().Providers {
		names = append(names, p.Name)
	}
	return names
})

// demoStops are the demo walk's screens, in English: the step's title and
// a text of the screen that must be there before Enter.
var demoStops = []struct{ title, mark string }{
	{"Provider", "Which service sends your mail?"},
	{"Before you start", "The demo server is running"},
	{"Account", "Account"},
	{"Server and encryption", "Server settings"},
	{"Live test", "Passed."},
	{"Save", "Write the file?"},
	{"Save", "Saved."},
}
