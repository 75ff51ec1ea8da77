package steps

import (
	"strings"

	"rsc.io/qr"
)

// qrText draws a QR code of s with half-block characters, two modules per
// character cell, so a phone's camera can read a URL off an SSH session.
// It returns "" when the code does not fit in width×height cells.
func qrText(s string, width, height int) string {
	code, err := qr.Encode(s, qr.L)
	if err != nil {
		return ""
	}
	const quiet = 2 // modules of white border readers need
	n := code.Size + 2*quiet
	if n > width || (n+1)/2 > height {
		return ""
	}
	black := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		return x >= 0 && y >= 0 && x < code.Size && y < code.Size && code.Black(x, y)
	}
	// Light modules are drawn as blocks and dark ones left as background:
	// on the usual dark terminal that is the normal polarity (dark modules
	// on light), which every reader accepts; many reject inverted codes.
	var b strings.Builder
	for y := 0; y < n; y += 2 {
		for x := 0; x < n; x++ {
			top, bottom := !black(x, y), y+1 < n && !black(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
