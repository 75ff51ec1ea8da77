package smtp

import (
	"regexp"
	"strconv"
	"strings"
)

// Reply is a server's answer to one command, cleaned of anything a terminal
// would interpret.
type Reply struct {
	Code     int    `json:"code"`
	Enhanced string `json:"enhanced,omitempty"` // RFC 3463 status such as "5.7.8", "" when none was given
	Text     string `json:"text"`               // the reply text, lines joined with "\n", code prefixes removed, cleaned
}

// String is the reply as a server would print it, on one line.
func (r Reply) String() string {
	s := strconv.Itoa(r.Code)
	if r.Enhanced != "" && !strings.HasPrefix(r.Text, r.Enhanced) {
		s += " " + r.Enhanced
	}
	return s + " " + strings.ReplaceAll(r.Text, "\n", " ")
}

// Permanent reports a 5xx reply.
func (r Reply) Permanent() bool { return r.Code >= 500 && r.Code < 600 }

var enhancedPattern = regexp.MustCompile(`^([245])\.(\d{1,3})\.(\d{1,3})\b`)

// newReply builds a Reply from a code and the raw text of its lines. The
// enhanced status may stand on every line (Gmail) or only the last (Postfix,
// go-smtp), so every line is searched.
func newReply(code int, raw string) Reply {
	text := CleanText(raw)
	r := Reply{Code: code, Text: text}
	for _, line := range strings.Split(text, "\n") {
		if m := enhancedPattern.FindString(strings.TrimSpace(line)); m != "" {
			r.Enhanced = m
		}
	}
	return r
}
