package smtp

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on untrusted text kept from a server: enough for any honest reply,
// too little for a hostile one to flood a screen or a report.
const (
	MaxCleanLineRunes = 300
	MaxCleanLines     = 40
)

// CleanLine makes one line of untrusted text (a server reply, a banner, a
// certificate field) safe to show on a terminal. It keeps printable runes
// and turns everything else (C0 and C1 controls, DEL, escape sequences,
// bidi and other format characters, invalid UTF-8) into a visible escape
// such as \x1b or \u202e. Tabs become a space. The result is cut to
// MaxCleanLineRunes runes with an ellipsis.
func CleanLine(s string) string { return cleanLineRunes(s, MaxCleanLineRunes) }

// cleanLineRunes is CleanLine with its own cap on runes (vendor text has its own
// limits, checked before cleaning).
func cleanLineRunes(s string, maxRunes int) string {
	var b strings.Builder
	runes := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var piece string
		switch {
		case r == utf8.RuneError && size <= 1:
			piece = fmt.Sprintf(`\x%02x`, s[i])
		case r == '\t':
			piece = " "
		case r < 0x20 || r == 0x7f:
			piece = fmt.Sprintf(`\x%02x`, r)
		case r >= 0x80 && r <= 0x9f:
			piece = fmt.Sprintf(`\u%04x`, r)
		case unicode.Is(unicode.Cf, r) || !unicode.IsPrint(r) && r != ' ':
			// Format characters include the bidi overrides that reorder what
			// the user reads; IsPrint rejects the rest of the invisible runes.
			piece = fmt.Sprintf(`\u%04x`, r)
		default:
			piece = s[i : i+size]
		}
		i += size
		runes++
		if runes > maxRunes {
			b.WriteString("…")
			break
		}
		b.WriteString(piece)
	}
	return b.String()
}

// CleanText cleans multi-line untrusted text: it splits on line breaks,
// cleans each line and keeps at most MaxCleanLines lines.
func CleanText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if len(lines) > MaxCleanLines {
		lines = append(lines[:MaxCleanLines], fmt.Sprintf("… (%d more lines)", len(lines)-MaxCleanLines))
	}
	for i, l := range lines {
		lines[i] = CleanLine(l)
	}
	return strings.Join(lines, "\n")
}
