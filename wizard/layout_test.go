package wizard

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"go.yaml.in/yaml/v3"

	"smtpsetup/e2e/term"
	"smtpsetup/i18n"
	"smtpsetup/steps"
)

// layoutLangs are the languages every screen is laid out in: each of
// i18n.Languages (a language without its translations yet speaks English,
// and is laid out all the same) and the pseudo-locale, 40% longer.
func layoutLangs() []string {
	var out []string
	for _, l := range i18n.Languages {
		out = append(out, l.Tag)
	}
	return append(out, i18n.Pseudo)
}

// inLanguage drives a screen in a language with the golden cases' English
// walks: it reads the screen with the pseudo-locale's brackets and accents
// taken off, and a text waited for is also found as its translation.
type inLanguage struct {
	*term.Model
	tr *i18n.Printer
}

func (d inLanguage) Screen() string { return unpseudo(d.Model.Screen()) }

func (d inLanguage) shows(screen, text string) bool {
	if strings.Contains(unpseudo(screen), text) {
		return true
	}
	for _, mark := range []string{"│ ", "✓ ", "✗ ", "> ", ""} {
		if rest, ok := strings.CutPrefix(text, mark); ok && rest != "" && strings.Contains(screen, mark+d.tr.T(rest)) {
			return true
		}
	}
	// A part of a text: the translation of a text that holds it, wrapped
	// over lines maybe, its verbs filled in.
	flat := squash(screen)
	for _, id := range englishTexts() {
		if id == text || !strings.Contains(id, strings.TrimLeft(text, "│✓✗> ")) {
			continue
		}
		if t := d.tr.T(id); t != id && pattern(t).MatchString(flat) {
			return true
		}
	}
	return false
}

// squash takes out of a screen what wrapping and the form add: spaces,
// line breaks, the focus bar.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '│' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z%]`)

// pattern finds a translated format on a squashed screen, any value in
// place of its verbs.
func pattern(format string) *regexp.Regexp {
	parts := verb.Split(squash(format), -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(strings.Join(parts, ".*?"))
}

// enYAML is messages/en.yaml as an absolute path: some cases change
// directory.
var enYAML, _ = filepath.Abs(filepath.Join("..", "i18n", "messages", "en.yaml"))

// englishTexts are the keys of messages/en.yaml: every text the program
// can print, in English.
var englishTexts = sync.OnceValue(func() []string {
	b, err := os.ReadFile(enYAML)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
})

func (d inLanguage) WaitFor(text string) term.Driver {
	d.Model.WaitForFunc(func(s string) bool { return d.shows(s, text) }, fmt.Sprintf("%q on screen", text))
	return d
}
func (d inLanguage) Expect(text string) term.Driver { return d.WaitFor(text) }
func (d inLanguage) WaitForFunc(ok func(string) bool, what string) term.Driver {
	d.Model.WaitForFunc(func(s string) bool { return ok(unpseudo(s)) }, what)
	return d
}
func (d inLanguage) Press(keys ...string) term.Driver { d.Model.Press(keys...); return d }
func (d inLanguage) Type(s string) term.Driver        { d.Model.Type(s); return d }
func (d inLanguage) Paste(s string) term.Driver       { d.Model.Paste(s); return d }
func (d inLanguage) Resize(c, r int) term.Driver      { d.Model.Resize(c, r); return d }

// pseudoTail is the pseudo-locale's lengthening and closing bracket.
var pseudoTail = regexp.MustCompile(` ?~+\]?`)

// unpseudo reads pseudo-locale text as the English it came from.
func unpseudo(s string) string {
	s = pseudoTail.ReplaceAllString(s, "")
	s = strings.NewReplacer("[", "", "]", "").Replace(s)
	return strings.NewReplacer("á", "a", "ç", "c", "é", "e", "í", "i", "ñ", "n", "ö", "o", "ü", "u", "ý", "y",
		"Å", "A", "Ç", "C", "É", "E", "Î", "I", "Ñ", "N", "Ö", "O", "Û", "U", "Ý", "Y").Replace(s)
}

// rendered is one screen drawn in one language.
type rendered struct {
	name, lang string
	w, h       int
	raw        string   // the frame as the terminal gets it, styled
	text       string   // the same without styling
	foot       []string // every key the screen handles, as its footer says it
	footer     string
	session    *steps.Session
}

// renderAll draws every golden case in every language at both sizes and
// hands each frame to check.
func renderAll(t *testing.T, langs []string, check func(t *testing.T, r rendered)) {
	t.Setenv("TERM", "xterm-256color")
	for _, lang := range langs {
		for _, c := range append(screenCases, signInCases...) {
			for _, size := range sizes {
				name := fmt.Sprintf("%s/%s-%dx%d", lang, c.name, size[0], size[1])
				t.Run(name, func(t *testing.T) {
					s := c.session(t)
					s.Env.Lang = i18n.New(lang)
					m := New(t.Context(), s, "", nil)
					d := inLanguage{term.NewModel(t, m, size[0], size[1]), s.Env.Lang}
					if c.walk != nil {
						c.walk(d)
					}
					d.WaitFor(c.wait)
					raw := m.View().Content
					var foot []string
					for _, k := range m.keys() {
						foot = append(foot, k.Help().Key+" "+k.Help().Desc)
					}
					check(t, rendered{name: c.name, lang: lang, w: size[0], h: size[1], raw: raw,
						text: ansi.Strip(raw), foot: foot, footer: ansi.Strip(m.footer()), session: s})
				})
			}
		}
	}
}

// documentedCodes are the diagnosis codes of docs/diagnoses.md.
func documentedCodes(t *testing.T) map[string]bool {
	b, err := os.ReadFile(filepath.Join("..", "docs", "diagnoses.md"))
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z_]+\\.[a-z_.]+)`").FindAllStringSubmatch(string(b), -1) {
		codes[m[1]] = true
	}
	return codes
}

// cutWords counts the words a screen cut short with an ellipsis, but for
// what a stage learned of the server (its column gives way to the stages'
// names; the details show it whole).
func cutWords(s string) int {
	s = regexp.MustCompile(`(?m)^  [✓✗] .*$`).ReplaceAllString(s, "")
	return len(regexp.MustCompile(`[^\s…]…`).FindAllString(s, -1))
}

// TestLayoutEveryLanguage draws every screen of the golden test in every
// language and the pseudo-locale, at 80x24 and 60x16: no line wider than
// the screen, no more lines than it has, the diagnosis code of the English
// screen still there, every key the screen handles in its footer, whole,
// and no more words cut short than the English screen cuts (the server's
// words, cut to one line by design).
func TestLayoutEveryLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("draws every screen in 13 languages")
	}
	codes := documentedCodes(t)
	renderAll(t, layoutLangs(), func(t *testing.T, r rendered) {
		lines := strings.Split(r.raw, "\n")
		if len(lines) > r.h {
			t.Errorf("%d lines on %d rows", len(lines), r.h)
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > r.w {
				t.Errorf("line %d is %d cells on a screen of %d: %q", i+1, w, r.w, ansi.Strip(l))
			}
		}
		english, err := os.ReadFile(filepath.Join(goldenDir, fmt.Sprintf("%s-%dx%d.golden", r.name, r.w, r.h)))
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range regexp.MustCompile(`\b[a-z_]+\.[a-z_.]+\b`).FindAllString(string(english), -1) {
			if codes[code] && !strings.Contains(r.text, code) {
				t.Errorf("the diagnosis code %s is not on the screen", code)
			}
		}
		if !strings.HasSuffix(r.text, r.footer) {
			t.Errorf("the footer is not at the foot of the screen:\n%s", r.footer)
		}
		foot := strings.ReplaceAll(r.footer, "\n", " · ")
		for _, k := range r.foot {
			if r.name != "quit-confirm" && !strings.Contains(foot, k) {
				t.Errorf("the key %q is not whole in the footer", k)
			}
		}
		// The details are the server's facts and words, each cut to a line
		// by design (scrolled, never wrapped).
		if got, want := cutWords(normalise(r.text, r.session)), cutWords(string(english)); got > want && r.name != "test-details" {
			t.Errorf("%d words cut short with …, the English screen cuts %d", got, want)
		}
		if t.Failed() {
			t.Logf("the screen:\n%s", r.text)
		}
	})
}

// A translated format is found on a screen that wrapped it and filled its
// verbs, so the walks keep working once a language has its translations.
func TestTranslatedTextFoundWrapped(t *testing.T) {
	screen := "smtpsetup\n│ 서버 localhost:25 (STARTTLS)에\n│ 연결하는 중 %입니다"
	if !pattern("서버 %s (%s)에 연결하는 중 %%입니다").MatchString(squash(screen)) {
		t.Error("the wrapped, filled format was not found")
	}
	if pattern("서버 %s에 로그인").MatchString(squash(screen)) {
		t.Error("another text was found")
	}
}
