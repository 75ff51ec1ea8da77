package smtp

import (
	"strings"
	"sync"
	"time"
)

// Direction says who sent a transcript line.
type Direction string

// The two directions of an SMTP conversation, and notes of our own.
const (
	FromClient Direction = "C"
	FromServer Direction = "S"
	Note       Direction = "*"
)

// TranscriptLine is one line of the conversation. Server text is cleaned;
// credentials are replaced by Mask before the line is stored.
type TranscriptLine struct {
	At   time.Duration `json:"-"` // since the test started
	Dir  Direction     `json:"dir"`
	Text string        `json:"text"`
}

// String is the line as a transcript shows it: "C: EHLO nas".
func (l TranscriptLine) String() string { return string(l.Dir) + ": " + l.Text }

// transcript collects lines from the engine; the progress callback may read
// it from another goroutine.
type transcript struct {
	mu    sync.Mutex
	start time.Time
	lines []TranscriptLine
}

func (t *transcript) add(dir Direction, text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range strings.Split(text, "\n") {
		t.lines = append(t.lines, TranscriptLine{At: time.Since(t.start), Dir: dir, Text: l})
	}
}

func (t *transcript) snapshot() []TranscriptLine {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]TranscriptLine(nil), t.lines...)
}
