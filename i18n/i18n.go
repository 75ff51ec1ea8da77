// Package i18n speaks the user's language: it picks the language (flag,
// POSIX locale environment, config), and translates the program's English
// text through go-i18n's bundle (CLDR plural rules, message files embedded
// in the binary).
//
// The English text is the message's ID, as gettext does: a call reads as
// the sentence it prints, `tr.Tf("Port %d expects TLS", port)`, and a text
// with no translation prints in English. Formats are fmt's; a translation
// reorders its arguments with indexed verbs (`%[2]s … %[1]d`). Diagnosis
// codes, JSON, config keys, commands and flags are never passed through
// here: they stay English whatever the screen speaks.
//
// A nil *Printer is English, so code that has no language yet (tests, the
// command line's JSON) needs no printer at all.
package i18n

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// Language is one language the program speaks.
type Language struct {
	Tag  string // BCP 47, as the message file is named and --lang takes it
	Name string // the language's own name for itself
}

// Languages are the languages with a message file, English first.
var Languages = []Language{
	{"en", "English"},
	{"bg", "Български"},
	{"ky", "Кыргызча"},
	{"ko", "한국어"},
	{"zh-Hans", "简体中文"},
	{"zh-Hant", "繁體中文"},
	{"ja", "日本語"},
	{"de", "Deutsch"},
	{"fr", "Français"},
	{"es", "Español"},
	{"pt-BR", "Português (Brasil)"},
	{"ru", "Русский"},
}

// Pseudo is the pseudo-locale's tag (CLDR's accented English): every text
// bracketed, accented and 40% longer, so a test sees what was never
// translated and which layout breaks on a long language.
const Pseudo = "en-XA"

//go:embed messages/*.yaml
var files embed.FS

// Printer translates into one language. The zero of *Printer, nil, is
// English.
type Printer struct {
	tag    language.Tag
	name   string // the Languages tag, "en-XA" for the pseudo-locale
	pseudo bool
	// loc is the language's messages, parsed on the first lookup: a run
	// that prints no text (--version, a script's JSON) never pays for it.
	loc func() *goi18n.Localizer
}

var matcher = sync.OnceValue(func() language.Matcher {
	tags := make([]language.Tag, len(Languages))
	for i, l := range Languages {
		tags[i] = language.MustParse(l.Tag)
	}
	return language.NewMatcher(tags)
})

// Match returns the supported language closest to a BCP 47 tag or a POSIX
// locale name ("ko_KR.UTF-8", "de_DE@euro", "zh_TW"), and false when there
// is none (the caller then speaks English). "C" and "POSIX" are English.
func Match(name string) (string, bool) {
	name = strings.TrimSpace(name)
	if isPseudo(name) {
		return Pseudo, true
	}
	if name == "" {
		return "", false
	}
	if name == "C" || name == "POSIX" || strings.HasPrefix(name, "C.") {
		return "en", true
	}
	if i := strings.IndexAny(name, ".@"); i >= 0 {
		name = name[:i] // codeset and modifier say nothing of the language
	}
	if isPseudo(name) { // LC_ALL=en_XA.UTF-8
		return Pseudo, true
	}
	tag, err := language.Parse(strings.ReplaceAll(name, "_", "-"))
	if err != nil {
		return "", false
	}
	_, i, _ := matcher().Match(tag)
	// The matcher may answer with its first language for one it does not
	// know: only the same base language is a match.
	want, _ := tag.Base()
	got, _ := language.MustParse(Languages[i].Tag).Base()
	if want != got {
		return "", false
	}
	return Languages[i].Tag, true
}

func isPseudo(name string) bool {
	switch strings.ToLower(name) {
	case "en-xa", "en_xa", "xx-pseudo", "pseudo":
		return true
	}
	return false
}

// Choose picks the language the POSIX way: the --lang flag, then LC_ALL,
// LC_MESSAGES and LANG (the first that is set wins; C and POSIX mean
// English), then the config file's language (an appliance vendor's
// default), then English. An unknown name is passed over in silence.
func Choose(flag string, getenv func(string) string, config string) string {
	if tag, ok := Match(flag); ok {
		return tag
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if val := getenv(v); val != "" {
			// The first one set decides, as setlocale(3) does; an
			// unknown or C locale still lets the vendor's choice apply.
			if tag, ok := Match(val); ok && tag != "en" {
				return tag
			}
			break
		}
	}
	if tag, ok := Match(config); ok {
		return tag
	}
	return "en"
}

// New returns the printer for a language from Choose or Languages; English
// (nil) for "en" or a name it does not know.
func New(name string) *Printer {
	tagName, ok := Match(name)
	if !ok || tagName == "en" {
		return nil
	}
	if tagName == Pseudo {
		return &Printer{tag: language.MustParse(Pseudo), name: Pseudo, pseudo: true}
	}
	path := "messages/" + tagName + ".yaml"
	data, err := files.ReadFile(path) // embedded: no copy, no parse
	if err != nil {
		return nil // a language without its file yet: English
	}
	return &Printer{tag: language.MustParse(tagName), name: tagName, loc: sync.OnceValue(func() *goi18n.Localizer {
		b := goi18n.NewBundle(language.English)
		b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
		if _, err := b.ParseMessageFileBytes(data, path); err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", path, err)) // embedded: TestMessages loads every file first
		}
		return goi18n.NewLocalizer(b, tagName)
	})}
}

// Tag is the printer's language, "en" for English.
func (p *Printer) Tag() string {
	if p == nil {
		return "en"
	}
	return p.name
}

// English reports whether the printer prints English as written.
func (p *Printer) English() bool { return p == nil }

// T translates a text that has no arguments.
func (p *Printer) T(text string) string {
	if p == nil || text == "" {
		return text
	}
	if p.pseudo {
		return pseudo(text)
	}
	s, _ := p.lookup(text, "", nil)
	return s
}

// Tf translates a format, then formats it as fmt.Sprintf does.
func (p *Printer) Tf(format string, args ...any) string {
	return fmt.Sprintf(p.T(format), args...)
}

// Tn translates a format by its number's plural form in the language
// (CLDR: Russian has one, few, many and other; Korean only other), then
// formats it with args. The English forms are one and other; other is the
// message's ID.
func (p *Printer) Tn(n int, one, other string, args ...any) string {
	var format string
	switch {
	case p == nil && n == 1:
		format = one
	case p == nil:
		format = other
	case p.pseudo:
		format = pseudo(other)
		if n == 1 {
			format = pseudo(one)
		}
	default:
		format, _ = p.lookup(other, one, n)
	}
	return fmt.Sprintf(format, args...)
}

// Has reports whether the text has a translation in the printer's
// language (English always has it): a screen says once when a catalogue
// entry's own texts fall back to English.
func (p *Printer) Has(text string) bool {
	if p == nil || p.pseudo {
		return true
	}
	_, ok := p.lookup(text, "", nil)
	return ok
}

func (p *Printer) lookup(other, one string, n any) (string, bool) {
	msg := &goi18n.Message{ID: other, Other: other, One: one}
	s, tag, err := p.loc().LocalizeWithTag(&goi18n.LocalizeConfig{DefaultMessage: msg, PluralCount: n})
	if err != nil || s == "" {
		if n == 1 && one != "" {
			return one, false
		}
		return other, false
	}
	return s, tag == p.tag
}

// N marks a text for translation where it is written, for a table whose
// entries are translated where they are shown (with T). It returns the
// text unchanged.
func N(text string) string { return text }

// Period ends a sentence that a translated text leaves open (a field's
// description, a title before its detail) with the language's full stop:
// "。" in Chinese and Japanese, "." elsewhere; none when it already ends
// with one.
func (p *Printer) Period(s string) string {
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "。") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	if p != nil && (p.name == "ja" || strings.HasPrefix(p.name, "zh")) {
		return s + "。"
	}
	return s + "."
}
