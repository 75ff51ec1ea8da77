package wizard

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"smtpsetup/i18n"
	"smtpsetup/internal/langcheck"
)

// TestLinesInBulgarian walks the line mode (serial consoles, screen
// readers, TERM=dumb) in Bulgarian with Enter alone to a saved config:
// every question and result in Bulgarian, nothing English left but the
// server's own words and the values.
func TestLinesInBulgarian(t *testing.T) {
	d, _ := lineDraft(t)
	tr := i18n.New("bg")
	d.Env.Lang = tr
	got, out := runLines(t, d, enters(20), passwords(""))
	if got != Saved {
		t.Fatalf("outcome = %v, want Saved\n%s", got, out)
	}
	for _, want := range []string{tr.T("Passed."), tr.T("Saved."), tr.T("Account")} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	cyrillic, letter := regexp.MustCompile(`\p{Cyrillic}`), regexp.MustCompile(`\pL`)
	var names []string // brand names stay as the catalogue writes them
	for _, p := range d.Cat().Providers {
		names = append(names, p.Name)
	}
	var words strings.Builder // the program's own lines
	for _, line := range strings.Split(out, "\n") {
		if slices.ContainsFunc(names, func(n string) bool { return strings.Contains(line, n) }) {
			continue
		}
		words.WriteString(line + "\n")
		if w := langcheck.EnglishWord.FindString(line); w != "" {
			t.Errorf("English %q in %q", w, line)
		}
	}
	// Paths, hosts, addresses, commands and the server's words are Latin:
	// most letters of the program's own lines must still be Bulgarian's.
	if n, all := len(cyrillic.FindAllString(words.String(), -1)), len(letter.FindAllString(words.String(), -1)); n < all/2 {
		t.Errorf("only %d of %d letters are Cyrillic:\n%s", n, all, out)
	}
	loadSaved(t, d.ConfigPath, out)
}
