package wizard

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"golang.org/x/sys/unix"
)

// predraw writes the first frame at once, before Bubble Tea starts.
// Bubble Tea writes frames only on its frame tick, the first one a whole
// tick (8 ms at 120 fps) after it starts, and has no way to flush sooner:
// that wait was half of the time to the first frame. Bubble Tea's first
// tick then draws the same frame over this one, so the screen does not
// change, but the frame's bytes are written twice: on a line of 19200
// baud or less (a serial console), where those bytes cost far more than
// the tick, it is not done.
//
// The terminal is put in raw mode first, as Bubble Tea would: a key
// pressed as soon as the frame shows must neither be echoed over it nor
// reach Bubble Tea as a cooked line (Enter as ctrl+j). Bubble Tea then
// restores raw mode on exit; restore (deferred by the caller) puts back
// the terminal as it was and shows the cursor. The model returned starts
// from the step entered here.
func predraw(m *Model, in, out *os.File, env []string) (tea.Model, func()) {
	if env == nil {
		env = os.Environ()
	}
	w, h, err := term.GetSize(out.Fd())
	if err != nil || !term.IsTerminal(in.Fd()) || slowLine(out) || w < MinWidth || h < MinHeight {
		return m, func() {}
	}
	was, err := term.MakeRaw(in.Fd())
	if err != nil {
		return m, func() {}
	}
	restore := func() {
		_ = term.Restore(in.Fd(), was)
		_, _ = out.WriteString(ansi.ShowCursor)
	}
	m.common.Width, m.common.Height = w, h
	init := m.Init()
	// Without the blanks that pad each line to the width: Bubble Tea's
	// renderer skips them too.
	lines := strings.Split(m.View().Content, "\n")
	for i, l := range lines {
		lines[i] = trailingBlanks.ReplaceAllString(l, "")
	}
	frame := strings.Join(lines, "\r\n")
	// Hidden cursor (Bubble Tea hides it too), the frame from the start
	// of the line, then back to where it began: where Bubble Tea draws.
	var b strings.Builder
	b.WriteString(ansi.HideCursor + "\r" + frame)
	if n := len(lines) - 1; n > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", n)
	}
	b.WriteString("\r" + ansi.ResetStyle)
	_, _ = colorprofile.NewWriter(out, env).WriteString(b.String())
	return started{m, init}, restore
}

// trailingBlanks are spaces and style changes at the end of a line.
var trailingBlanks = regexp.MustCompile(`(?:\x1b\[[0-9;]*m| )+$`)

// started is a model whose Init already ran: Bubble Tea gets the command
// that Init returned.
type started struct {
	*Model
	init tea.Cmd
}

func (s started) Init() tea.Cmd { return s.init }

// slowLine reports whether out is a terminal line of 19200 baud or less.
// A pseudo-terminal reports 38400 (its default) or whatever was set.
func slowLine(out *os.File) bool {
	t, err := unix.IoctlGetTermios(int(out.Fd()), unix.TCGETS)
	if err != nil {
		return false
	}
	speed := t.Cflag & unix.CBAUD
	return speed != unix.B0 && speed <= unix.B19200
}
