package steps

import (
	"strings"

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

// clip cuts one line to n cells with an ellipsis, escape sequences intact.
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	return ansi.Truncate(s, n, "…")
}
