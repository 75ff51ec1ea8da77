package steps

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// wrap cuts prose to the form's width. It measures cells, not bytes or
// runes, and keeps escape sequences whole, so styled text wraps right.
func wrap(c *Common, s string) string {
	return ansi.Wrap(s, formWidth(c)-2, "")
}

// clip cuts one line to n cells with an ellipsis, escape sequences intact.
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	return ansi.Truncate(s, n, "…")
}

// lines splits text into lines, dropping a trailing empty one.
func lines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }
