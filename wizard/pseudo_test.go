package wizard

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"smtpsetup/i18n"
)

// englishWord is a word as English writes it: ASCII letters with at least
// one the pseudo-locale would have accented, so a word that went through
// a Printer never matches.
var englishWord = regexp.MustCompile(`^[("'“]?[A-Za-z]*[aceinouyACEINOUY][A-Za-z]*(['’][a-z]+)?[)"'”.,;:!?]*$`)

// notWords are on a screen in English by rule: the server's own words
// (the transcript, its reply, the greeting and what each stage learned of
// the server), commands, and the brand.
var notWords = []*regexp.Regexp{
	regexp.MustCompile(`(?m)^[SC]: .*$`),                                // the transcript
	regexp.MustCompile(`smtpsetup( [a-z]+)?( --?[a-z-]+( [^\s\]]+)?)*`), // commands, the brand
	regexp.MustCompile(`(?m)(ESMTP|PIPELINING|CN=|TLS 1\.\d|Service Ready).*$`),
	// What a stage learned, after its time: the report's facts (the
	// mechanism and login, the sender accepted), English as in --json.
	regexp.MustCompile(`(?m)(\d+(\.\d+)?(ms|s|µs))  .*$`),
}

// untranslated finds the runs of two or more English words outside the
// pseudo-locale's brackets on a screen, once the texts that stay English
// (names, hosts, the server's words: stay) are taken out.
func untranslated(screen string, stay []string) []string {
	sort.Slice(stay, func(i, j int) bool { return len(stay[i]) > len(stay[j]) })
	for _, s := range stay {
		if strings.TrimSpace(s) != "" {
			screen = strings.ReplaceAll(screen, s, " ")
		}
	}
	for _, re := range notWords {
		screen = re.ReplaceAllString(screen, " ")
	}
	var found []string
	depth := 0
	var run []string
	flush := func() {
		if len(run) >= 2 {
			found = append(found, strings.Join(run, " "))
		}
		run = nil
	}
	for _, line := range strings.Split(screen, "\n") {
		for _, tok := range strings.Fields(line) {
			outside := depth == 0 && !strings.HasPrefix(tok, "[")
			depth += strings.Count(tok, "[") - strings.Count(tok, "]")
			depth = max(depth, 0)
			if outside && englishWord.MatchString(tok) {
				run = append(run, tok)
				continue
			}
			flush()
		}
	}
	flush()
	return found
}

// TestPseudoLocaleEveryTextWrapped draws every screen of the golden test
// in the pseudo-locale: a text that never went through a Printer shows as
// plain English outside the brackets, and the test names it.
func TestPseudoLocaleEveryTextWrapped(t *testing.T) {
	renderAll(t, []string{i18n.Pseudo}, func(t *testing.T, r rendered) {
		s := r.session
		set := s.Draft.Settings
		stay := []string{set.Host, set.From, set.Username, set.FromName, set.Address(), s.ConfigPath}
		for _, p := range s.Cat().Providers {
			stay = append(stay, p.Name)
		}
		if rep := s.Results.Report; rep != nil {
			stay = append(stay, rep.Server.Greeting)
			if f := rep.Failure; f != nil && f.Reply != nil {
				stay = append(stay, strings.Split(f.Reply.Text, "\n")...)
			}
		}
		for _, run := range untranslated(r.text, stay) {
			t.Errorf("never translated: %q", run)
		}
		if t.Failed() {
			t.Logf("the screen:\n%s", r.text)
		}
	})
}

// The finder itself: English outside brackets is found, pseudo text and
// what stays English are not.
func TestUntranslatedFinder(t *testing.T) {
	tr := i18n.New(i18n.Pseudo)
	screen := tr.T("Which service sends your mail?") + "\nPress Enter to save.\n" + tr.Tf("Testing %s (%s)", "smtp.gmail.com:465", "SSL/TLS") +
		"\nGoogle Workspace\nS: 220 mail.test ESMTP ready\n" + tr.Tf("Fix: %s", "Edit the CA file")
	got := untranslated(screen, []string{"Google Workspace"})
	want := []string{"Press Enter to save."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("found %q, want %q", got, want)
	}
}

// The line mode, walked to a saved config in the pseudo-locale: every
// sentence it prints went through a Printer.
func TestPseudoLocaleLineMode(t *testing.T) {
	d, _ := lineDraft(t)
	d.Env.Lang = i18n.New(i18n.Pseudo)
	got, out := runLines(t, d, enters(20), passwords(""))
	if got != Saved {
		t.Fatalf("outcome = %v, want Saved\n%s", got, out)
	}
	set := d.Draft.Settings
	stay := []string{set.From, set.Username, set.FromName, set.Address(), d.ConfigPath}
	for _, p := range d.Cat().Providers {
		stay = append(stay, p.Name)
	}
	if rep := d.Results.Report; rep != nil {
		stay = append(stay, rep.Server.Greeting)
		for _, r := range rep.Stages {
			stay = append(stay, r.Detail)
		}
	}
	for _, run := range untranslated(out, stay) {
		t.Errorf("never translated: %q", run)
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("the line mode said:\n%s", out)
	}
}
