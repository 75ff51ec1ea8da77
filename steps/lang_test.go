package steps

import (
	"strings"
	"testing"

	"smtpsetup/i18n"
)

// A provider whose own texts have no translation in the user's language
// (Fastmail is not among the translated entries) says so once, first, in
// that language; English and the pseudo-locale (where every text "has" its
// translation) never do.
func TestUntranslatedProviderSaysSoOnce(t *testing.T) {
	for _, c := range []struct {
		lang     string
		saysOnce bool
	}{{"en", false}, {i18n.Pseudo, false}, {"ko", true}, {"de", true}} {
		t.Run(c.lang, func(t *testing.T) {
			s, _ := newSession(t, "fastmail")
			s.Lang = i18n.New(c.lang)
			p := &Prerequisites{}
			p.Begin(s)
			intro := p.Page().Intro
			note := englishNotes(s.Lang, s.Provider())
			if (note != "") != c.saysOnce {
				t.Fatalf("note %q, want one: %v", note, c.saysOnce)
			}
			if !c.saysOnce {
				return
			}
			if got := strings.Count(strings.Join(intro, "\n"), note); got != 1 || intro[0] != note {
				t.Errorf("the note is said %d times, or not first: %q", got, intro)
			}
		})
	}
}

// The how-to's Google links (and so their QR codes) open in the user's
// language: hl=ko for Korean, nothing for English or the pseudo-locale.
func TestHowToLinksInLanguage(t *testing.T) {
	const link = "https://myaccount.google.com/signinoptions/twosv"
	for lang, want := range map[string]string{"en": link, i18n.Pseudo: link, "ko": link + "?hl=ko", "zh-Hant": link + "?hl=zh-TW"} {
		s, _ := newSession(t, "gmail")
		s.Lang = i18n.New(lang)
		p := &Prerequisites{}
		p.Begin(s)
		p.done = false // Not yet: show me how
		p.Submit()
		found := false
		for _, l := range p.Page().Intro {
			for _, w := range strings.Fields(l) {
				found = found || w == want
			}
		}
		if !found {
			t.Errorf("%s: the how-to does not link %s:\n%s", lang, want, strings.Join(p.Page().Intro, "\n"))
		}
	}
}
