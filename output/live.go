package output

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// Live prints a test while it runs, so that a slow or silent server is
// never a blank screen: the Testing line at once, each stage as it ends
// and, on a terminal, a spinner line naming the stage waited for. On a pipe
// it prints completed lines only (no carriage returns in a log). Finish
// prints the rest, as Text would have.
type Live struct {
	mu      sync.Mutex
	w       io.Writer
	tr      *i18n.Printer
	st      styles
	tty     bool
	waiting smtp.Stage // the stage under way, "" between stages
	since   time.Time
	frame   int
	drawn   int // width of the spinner line on screen, 0 when none
	printed int // stage lines printed
	stop    chan struct{}
	stopped sync.WaitGroup
}

// spinnerFrames turn every tick; braille dots show on any UTF-8 terminal.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// NewLive prints the Testing line of s to w and returns the printer to
// pass test events to (Event), speaking tr's language. tty turns the
// spinner on.
func NewLive(w io.Writer, s smtp.Settings, tty bool, tr *i18n.Printer) *Live {
	l := &Live{w: w, tr: tr, st: newStyles(), tty: tty, stop: make(chan struct{})}
	writeHeader(w, l.st, s, tr)
	if tty {
		l.stopped.Add(1)
		go l.spin()
	}
	return l
}

// IsTerminal reports whether w is a terminal, where a spinner may redraw
// its line.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// Event takes a test's progress (smtp.Options.Progress).
func (l *Live) Event(e smtp.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !e.Done {
		l.waiting, l.since = e.Stage, time.Now()
		l.draw()
		return
	}
	l.clear()
	l.waiting = ""
	writeStage(l.w, l.st, e.Result, l.tr)
	l.printed++
}

// Finish stops the spinner and prints what the stages did not: stage lines
// the report has beyond the events (a sign-in that failed before the test),
// the server's facts and the verdict.
func (l *Live) Finish(r *smtp.Report, d *smtp.Diagnosis) {
	l.end()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, stage := range r.Stages[min(l.printed, len(r.Stages)):] {
		writeStage(l.w, l.st, stage, l.tr)
	}
	writeVerdict(l.w, l.st, r, d, l.tr)
}

func (l *Live) end() {
	select {
	case <-l.stop:
		return
	default:
	}
	close(l.stop)
	l.stopped.Wait()
	l.mu.Lock()
	l.clear()
	l.mu.Unlock()
}

func (l *Live) spin() {
	defer l.stopped.Done()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
			l.mu.Lock()
			l.frame++
			l.draw()
			l.mu.Unlock()
		}
	}
}

// draw writes the spinner line over the last one; l.mu is held.
func (l *Live) draw() {
	if !l.tty || l.waiting == "" {
		return
	}
	line := "  " + spinnerFrames[l.frame%len(spinnerFrames)] + " " + l.tr.Tf("waiting for %s… %ds", l.waiting, int(time.Since(l.since).Seconds()))
	pad := max(0, l.drawn-ansi.StringWidth(line))
	fmt.Fprint(l.w, "\r"+line+strings.Repeat(" ", pad))
	l.drawn = ansi.StringWidth(line)
}

// clear blanks the spinner line, leaving the cursor at its start; l.mu is
// held.
func (l *Live) clear() {
	if l.drawn == 0 {
		return
	}
	fmt.Fprint(l.w, "\r"+strings.Repeat(" ", l.drawn)+"\r")
	l.drawn = 0
}
