package steps

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// wrap cuts prose to the form's width.
func wrap(c *Common, s string) string { return Wrap(s, formWidth(c)-2) }

// Wrap fits text to width cells, breaking at spaces only: a command such
// as "export --format msmtp" must stay whole to be copied. It measures
// cells, not bytes or runes, and keeps escape sequences whole, so styled
// text wraps right; a word longer than the width is cut hard.
func Wrap(s string, width int) string {
	if width < 1 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line, lw := "", 0
		for _, word := range strings.Fields(para) {
			ww := ansi.StringWidth(word)
			if lw > 0 && ww > width && BreaksAnywhere(word) && width-lw-1 >= 2 {
				// Chinese and Japanese run whole sentences without spaces
				// and break between any two characters: a sentence too long
				// for a line fills this one and goes on, rather than leaving
				// it half empty.
				parts := strings.Split(ansi.Hardwrap(strings.Repeat(" ", lw+1)+word, width, true), "\n")
				out = append(out, line+" "+parts[0][lw+1:])
				out = append(out, parts[1:len(parts)-1]...)
				line, lw = parts[len(parts)-1], ansi.StringWidth(parts[len(parts)-1])
				continue
			}
			if lw > 0 && lw+1+ww > width {
				out, line, lw = append(out, line), "", 0
			}
			if ww > width {
				parts := strings.Split(ansi.Hardwrap(word, width, true), "\n")
				if lw > 0 {
					out = append(out, line)
				}
				out = append(out, parts[:len(parts)-1]...)
				line, lw = parts[len(parts)-1], ansi.StringWidth(parts[len(parts)-1])
				continue
			}
			if lw > 0 {
				line, lw = line+" ", lw+1
			}
			line, lw = line+word, lw+ww
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// BreaksAnywhere reports whether a word is written in a script that breaks
// between characters rather than at spaces (Han, Hiragana, Katakana).
func BreaksAnywhere(word string) bool {
	for _, r := range ansi.Strip(word) {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}

// clip cuts one line to n cells with an ellipsis, escape sequences intact.
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	return ansi.Truncate(s, n, "…")
}
