package term

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Driver is what a test drives a program with, in a real terminal (Term)
// or in-process (Model): the same words, the same keys, so a test reads
// the same either way. Look at the screen, then press.
type Driver interface {
	Screen() string
	WaitFor(text string) Driver
	Expect(text string) Driver
	WaitForFunc(ok func(screen string) bool, what string) Driver
	Press(keys ...string) Driver
	Type(s string) Driver
	Paste(s string) Driver
	Resize(cols, rows int) Driver
	Dump() string
}

// Model drives a Bubble Tea model in-process, without a terminal: it runs
// the model's commands as a Program would (each in its own goroutine,
// batches at once, sequences in order), feeds their messages to Update one
// at a time, and reads the screen from View with the styling removed. The
// keys are Term's (Enter, Esc, Down, …), turned into key messages.
type Model struct {
	// Timeout bounds every wait; DefaultTimeout unless changed.
	Timeout time.Duration

	tb         testing.TB
	m          tea.Model
	cols, rows int
	msgs       chan tea.Msg
	quit       bool
}

// NewModel starts m in-process at cols×rows: Init, then the size.
func NewModel(tb testing.TB, m tea.Model, cols, rows int) *Model {
	d := &Model{Timeout: DefaultTimeout, tb: tb, m: m, cols: cols, rows: rows, msgs: make(chan tea.Msg, 256)}
	d.run(m.Init())
	d.handle(tea.WindowSizeMsg{Width: cols, Height: rows})
	d.Settle()
	return d
}

// Tea is the model as it stands, for assertions on its state.
func (d *Model) Tea() tea.Model { return d.m }

// Quit reports whether the model asked to quit.
func (d *Model) Quit() bool { return d.quit }

// run executes a command the way a Program does.
func (d *Model) run(cmd tea.Cmd) {
	if cmd != nil {
		go func() { d.exec(cmd()) }()
	}
}

// exec unpacks a command's message: a batch runs at once, a sequence in
// order, anything else goes to the queue.
func (d *Model) exec(msg tea.Msg) {
	if cmds, ok := commands(msg); ok {
		if _, batch := msg.(tea.BatchMsg); batch {
			var wg sync.WaitGroup
			for _, c := range cmds {
				if c != nil {
					wg.Add(1)
					go func() { defer wg.Done(); d.exec(c()) }()
				}
			}
			wg.Wait()
			return
		}
		for _, c := range cmds {
			if c != nil {
				d.exec(c())
			}
		}
		return
	}
	if msg != nil {
		d.msgs <- msg
	}
}

// commands unpacks tea.BatchMsg and Bubble Tea's unexported sequence.
func commands(msg tea.Msg) ([]tea.Cmd, bool) {
	if msg == nil {
		return nil, false
	}
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return nil, false
	}
	cmds := make([]tea.Cmd, v.Len())
	for i := range cmds {
		cmds[i], _ = v.Index(i).Interface().(tea.Cmd)
	}
	return cmds, true
}

// handle gives one message to the model.
func (d *Model) handle(msg tea.Msg) {
	switch {
	case d.quit:
		return
	case fmt.Sprintf("%T", msg) == "tea.QuitMsg":
		d.quit = true
		return
	case fmt.Sprintf("%T", msg) == "tea.windowSizeMsg": // tea.RequestWindowSize
		msg = tea.WindowSizeMsg{Width: d.cols, Height: d.rows}
	}
	next, cmd := d.m.Update(msg)
	d.m = next
	d.run(cmd)
}

// pump handles the messages that arrive within wait.
func (d *Model) pump(wait time.Duration) bool {
	select {
	case msg := <-d.msgs:
		d.handle(msg)
		return true
	case <-time.After(wait):
		return false
	}
}

// Settle handles messages until none arrives for a moment, so that the
// screen shows the outcome of the last key. It is a wait, not a clock
// assertion: a slow machine only waits longer.
func (d *Model) Settle() *Model {
	deadline := time.Now().Add(d.Timeout)
	for d.pump(30*time.Millisecond) && time.Now().Before(deadline) {
	}
	return d
}

// Screen is the view as text: one line per row, styling removed, trailing
// blanks of each row removed, cut to the size, as Term.Screen reads it.
func (d *Model) Screen() string {
	content := d.m.View().Content
	lines := strings.Split(ansi.Strip(content), "\n")
	if len(lines) > d.rows {
		lines = lines[:d.rows]
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(ansi.Truncate(l, d.cols, ""), " ")
	}
	return strings.Join(lines, "\n")
}

// WaitFor handles messages until the screen shows text, or fails the test.
func (d *Model) WaitFor(text string) Driver {
	d.tb.Helper()
	return d.WaitForFunc(func(s string) bool { return strings.Contains(s, text) }, fmt.Sprintf("%q on screen", text))
}

// Expect is WaitFor, named for chains that assert before acting.
func (d *Model) Expect(text string) Driver {
	d.tb.Helper()
	return d.WaitFor(text)
}

// WaitForFunc handles messages until ok accepts the screen, or fails the
// test with what (the awaited state) and the screen.
func (d *Model) WaitForFunc(ok func(screen string) bool, what string) Driver {
	d.tb.Helper()
	deadline := time.Now().Add(d.Timeout)
	for !ok(d.Screen()) {
		if d.quit || time.Now().After(deadline) {
			why := fmt.Sprintf("timed out after %s", d.Timeout)
			if d.quit {
				why = "the program quit"
			}
			d.tb.Fatalf("term: waiting for %s: %s\n%s", what, why, d.Dump())
		}
		d.pump(10 * time.Millisecond)
	}
	return d
}

// Press sends keys, as Term does: Enter, Esc, Up, … or any text. Each key
// is handled, with what it sets off, before the next.
func (d *Model) Press(keys ...string) Driver {
	d.tb.Helper()
	for _, k := range keys {
		for _, msg := range keyMsgs(k) {
			d.handle(msg)
		}
		d.Settle()
	}
	return d
}

// Type sends s as typed text.
func (d *Model) Type(s string) Driver {
	d.tb.Helper()
	return d.Press(s)
}

// Paste sends s as one paste.
func (d *Model) Paste(s string) Driver {
	d.tb.Helper()
	d.handle(tea.PasteMsg{Content: s})
	d.Settle()
	return d
}

// Resize changes the size the model draws for.
func (d *Model) Resize(cols, rows int) Driver {
	d.cols, d.rows = cols, rows
	d.handle(tea.WindowSizeMsg{Width: cols, Height: rows})
	d.Settle()
	return d
}

// Dump is the screen framed with row numbers, for failure messages.
func (d *Model) Dump() string {
	var b strings.Builder
	fmt.Fprintf(&b, "    +%s+\n", strings.Repeat("-", d.cols))
	for i, l := range strings.Split(d.Screen(), "\n") {
		fmt.Fprintf(&b, "%3d |%s%s|\n", i+1, l, strings.Repeat(" ", max(d.cols-ansi.StringWidth(l), 0)))
	}
	fmt.Fprintf(&b, "    +%s+", strings.Repeat("-", d.cols))
	return b.String()
}

// keyMsgs turns Term's key strings into key messages.
func keyMsgs(k string) []tea.Msg {
	named := map[string]tea.KeyPressMsg{
		Enter:     {Code: tea.KeyEnter},
		Esc:       {Code: tea.KeyEscape},
		Up:        {Code: tea.KeyUp},
		Down:      {Code: tea.KeyDown},
		Right:     {Code: tea.KeyRight},
		Left:      {Code: tea.KeyLeft},
		End:       {Code: tea.KeyEnd},
		Tab:       {Code: tea.KeyTab},
		ShiftTab:  {Code: tea.KeyTab, Mod: tea.ModShift},
		Backspace: {Code: tea.KeyBackspace},
		CtrlC:     {Code: 'c', Mod: tea.ModCtrl},
		CtrlU:     {Code: 'u', Mod: tea.ModCtrl},
		CtrlO:     {Code: 'o', Mod: tea.ModCtrl},
	}
	if m, ok := named[k]; ok {
		return []tea.Msg{m}
	}
	var out []tea.Msg
	for _, r := range k {
		if r == '\r' {
			out = append(out, named[Enter])
			continue
		}
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

var (
	_ Driver = (*Model)(nil)
	_ Driver = (*Term)(nil)
)
