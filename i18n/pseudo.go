package i18n

import (
	"strings"
	"unicode/utf8"
)

// accented maps ASCII letters to accented ones of the same width, as CLDR's
// en-XA does: the text stays readable, and English that never went through
// a Printer stands out beside it.
var accented = map[rune]rune{
	'a': 'á', 'c': 'ç', 'e': 'é', 'i': 'í', 'n': 'ñ', 'o': 'ö', 'u': 'ü', 'y': 'ý',
	'A': 'Å', 'C': 'Ç', 'E': 'É', 'I': 'Î', 'N': 'Ñ', 'O': 'Ö', 'U': 'Û', 'Y': 'Ý',
}

// pseudo turns a text (a fmt format, possibly) into the pseudo-locale's:
// "[Ţéxţ ~~]" 40% longer. Verbs (%d, %[2]s, %-6v, %%) are kept as they are,
// so the format still takes its arguments. Leading and trailing spaces and
// newlines stay outside the brackets: they are layout, not words.
func pseudo(text string) string {
	core := strings.TrimSpace(text)
	if core == "" {
		return text
	}
	lead := text[:strings.Index(text, core)]
	trail := text[len(lead)+len(core):]
	var b strings.Builder
	b.WriteString(lead)
	b.WriteByte('[')
	for i := 0; i < len(core); {
		if core[i] == '%' {
			j := verbEnd(core, i)
			b.WriteString(core[i:j])
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(core[i:])
		if a, ok := accented[r]; ok {
			r = a
		}
		b.WriteRune(r)
		i += size
	}
	words := utf8.RuneCountInString(core)
	b.WriteByte(' ')
	b.WriteString(strings.Repeat("~", max(1, words*2/5-1)))
	b.WriteByte(']')
	b.WriteString(trail)
	return b.String()
}

// verbEnd returns the index just past the fmt verb starting at s[i] == '%'.
func verbEnd(s string, i int) int {
	j := i + 1
	for j < len(s) && strings.IndexByte("+-# 0123456789.[]*", s[j]) >= 0 {
		j++
	}
	if j < len(s) {
		_, size := utf8.DecodeRuneInString(s[j:])
		j += size
	}
	return j
}
