// Package term runs a command in a pseudo-terminal and reads what it draws
// through a terminal emulator, so a test can drive a whole program the way
// a person does: look at the screen, then press a key.
//
// Every action that depends on the program's state should come after a
// wait for that state (WaitFor, Expect): keys typed ahead of a screen
// change can land on the wrong field. The waits poll the emulated screen
// and fail the test with a dump of it after Timeout.
package term

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
	"golang.org/x/sys/unix"
)

// DefaultTimeout is how long a wait polls before it fails the test. It is
// a failure deadline, not a performance assertion: keep it generous.
const DefaultTimeout = 10 * time.Second

// Keys as a terminal in normal (xterm) mode sends them.
const (
	Enter     = "\r"
	Esc       = "\x1b"
	Up        = "\x1b[A"
	Down      = "\x1b[B"
	Right     = "\x1b[C"
	Left      = "\x1b[D"
	End       = "\x1b[F"
	Tab       = "\t"
	ShiftTab  = "\x1b[Z"
	Backspace = "\x7f"
	CtrlC     = "\x03"
	CtrlU     = "\x15" // delete to the start of the line in a text input
	CtrlO     = "\x0f" // open a page's hidden fields (steps.Page.More)
)

// Term is a command running in a pseudo-terminal of a fixed size, with a
// VT emulator fed by everything the command writes.
type Term struct {
	// Timeout bounds every wait; DefaultTimeout unless changed.
	Timeout time.Duration

	tb   testing.TB
	cmd  *exec.Cmd
	ptmx *os.File
	vt   vt10x.Terminal

	mu  sync.Mutex
	raw []byte // every byte the command wrote

	mute bool // never answer a query

	// wide is Charm's emulator (x/vt), which places a wide character (CJK:
	// two cells) where a real terminal does; vt10x gives every rune one
	// cell, so a Korean or Japanese screen drawn with cursor moves reads
	// garbled there. When set, Screen reads it; vt10x still answers
	// queries. StartWide sets it.
	wide *vt.Emulator // guarded by mu

	copied chan struct{} // closed when the output copier stops
	exited chan struct{} // closed when the command has exited
	code   int           // exit code, valid once exited is closed
}

// Start runs cmd in a new pseudo-terminal of cols x rows. The command is
// killed and the terminal closed when the test ends.
func Start(tb testing.TB, cmd *exec.Cmd, cols, rows int) *Term {
	tb.Helper()
	return start(tb, cmd, cols, rows, false, false)
}

// StartMute is Start with a terminal that never answers a query (colours,
// cursor position, device attributes), as a serial console or a dumb
// terminal server: a program that waits for an answer stalls.
func StartMute(tb testing.TB, cmd *exec.Cmd, cols, rows int) *Term {
	tb.Helper()
	return start(tb, cmd, cols, rows, true, false)
}

// StartWide is Start with a screen read by an emulator that knows
// wide characters, for screens in Chinese, Japanese or Korean.
func StartWide(tb testing.TB, cmd *exec.Cmd, cols, rows int) *Term {
	tb.Helper()
	return start(tb, cmd, cols, rows, false, true)
}

func start(tb testing.TB, cmd *exec.Cmd, cols, rows int, mute, wide bool) *Term {
	tb.Helper()
	t := &Term{Timeout: DefaultTimeout, tb: tb, cmd: cmd, mute: mute,
		copied: make(chan struct{}), exited: make(chan struct{})}
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		tb.Fatalf("term: starting %s: %v", cmd.Path, err)
	}
	t.ptmx = ptmx
	// The emulator answers queries (cursor position, colours) on the pty,
	// as a real terminal does.
	var answers io.Writer = ptmx
	if mute {
		answers = io.Discard
	}
	t.vt = vt10x.New(vt10x.WithSize(cols, rows), vt10x.WithWriter(answers))
	if wide {
		t.wide = vt.NewEmulator(cols, rows)
		go func() { _, _ = io.Copy(io.Discard, t.wide) }() // its answers: vt10x gives them
	}
	go t.copyOutput()
	go func() {
		err := cmd.Wait()
		t.code = cmd.ProcessState.ExitCode()
		if err != nil && t.code == 0 {
			t.code = -1
		}
		close(t.exited)
	}()
	tb.Cleanup(t.close)
	return t
}

// copyOutput feeds the emulator until the pty closes, holding back a rune
// cut in two by a read, which vt10x would otherwise drop.
func (t *Term) copyOutput() {
	defer close(t.copied)
	buf := make([]byte, 32*1024)
	var pending []byte
	for {
		n, err := t.ptmx.Read(buf)
		if n > 0 {
			t.mu.Lock()
			t.raw = append(t.raw, buf[:n]...)
			t.mu.Unlock()
			pending = append(pending, buf[:n]...)
			cut := complete(pending)
			t.vt.Write(unsupported.ReplaceAll(pending[:cut], nil))
			if t.wide != nil {
				t.mu.Lock()
				_, _ = t.wide.Write(pending[:cut])
				t.mu.Unlock()
			}
			t.answerDA1(pending[:cut])
			pending = append(pending[:0], pending[cut:]...)
		}
		if err != nil {
			return // EIO once the command and its children have gone
		}
	}
}

// answerDA1 replies to "what terminal are you" (primary device
// attributes), which vt10x ignores, as xterm does: programs that query the
// background colour wait for this reply. A query split across two reads
// goes unanswered, as on a slow line.
func (t *Term) answerDA1(out []byte) {
	if t.mute {
		return
	}
	for range bytes.Count(out, []byte("\x1b[c")) + bytes.Count(out, []byte("\x1b[0c")) {
		_, _ = t.ptmx.WriteString("\x1b[?62;22c")
	}
}

// unsupported matches control sequences vt10x misreads: with a private
// marker other than '?' (kitty keyboard "CSI > 1 u", XTMODKEYS "CSI > 4 m")
// and the kitty query "CSI ? u", which it takes for restore-cursor or SGR.
// They change no cell on a real terminal, so they are dropped.
var unsupported = regexp.MustCompile(`\x1b\[(?:[<=>][0-9;:]*|\?)[ -/]*[@-~]`)

// complete is the length of the longest prefix of b that ends neither
// inside a UTF-8 sequence nor inside a control sequence.
func complete(b []byte) int {
	n := len(b)
	for i := n - 1; i >= 0 && i >= n-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				n = i
			}
			break
		}
	}
	if i := bytes.LastIndexByte(b[:n], 0x1b); i >= 0 && n-i < 64 {
		if i == n-1 || b[i+1] == '[' && !bytes.ContainsFunc(b[i+2:n], isFinal) {
			return i
		}
	}
	return n
}

// isFinal reports whether r ends a control sequence.
func isFinal(r rune) bool { return r >= 0x40 && r <= 0x7e }

func (t *Term) close() {
	select {
	case <-t.exited:
	default:
		_ = t.cmd.Process.Kill()
		<-t.exited
	}
	_ = t.ptmx.Close()
	<-t.copied
	// t.wide is not closed: x/vt v0.1.0's Close races with the Read that
	// drains its answers. Its drain goroutine ends with the test binary.
}

// Screen is the visible screen as text: one line per row, trailing blanks
// of each row removed.
func (t *Term) Screen() string {
	var text string
	if t.wide != nil {
		t.mu.Lock()
		text = t.wide.String()
		t.mu.Unlock()
	} else {
		text = t.vt.String()
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \x00")
	}
	return strings.Join(lines, "\n")
}

// Raw is a copy of every byte the command wrote to the terminal so far.
func (t *Term) Raw() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.raw)
}

// WaitFor waits until the screen shows text, or fails the test.
func (t *Term) WaitFor(text string) Driver {
	t.tb.Helper()
	return t.WaitForFunc(func(s string) bool { return strings.Contains(s, text) }, fmt.Sprintf("%q on screen", text))
}

// Expect is WaitFor, named for chains that assert before acting:
// t.Expect("Step 3 of 6").Press(term.Enter).
func (t *Term) Expect(text string) Driver {
	t.tb.Helper()
	return t.WaitFor(text)
}

// WaitForFunc polls the screen until ok returns true, or fails the test
// with what (the awaited state), the screen and the byte count. It fails
// at once if the command exits and its last screen does not match.
func (t *Term) WaitForFunc(ok func(screen string) bool, what string) Driver {
	t.tb.Helper()
	deadline := time.Now().Add(t.Timeout)
	for {
		gone := t.done()
		if ok(t.Screen()) {
			return t
		}
		if gone || time.Now().After(deadline) {
			why := fmt.Sprintf("timed out after %s", t.Timeout)
			if gone {
				why = fmt.Sprintf("the program exited with code %d", t.code)
			}
			t.tb.Fatalf("term: waiting for %s: %s\n%s", what, why, t.Dump())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// done reports whether the command has exited and all its output is in.
func (t *Term) done() bool {
	for _, ch := range []chan struct{}{t.copied, t.exited} {
		select {
		case <-ch:
		default:
			return false
		}
	}
	return true
}

// Dump is the screen framed with row numbers, and the raw byte count, for
// failure messages.
func (t *Term) Dump() string {
	var b strings.Builder
	cols, _ := t.vt.Size()
	fmt.Fprintf(&b, "    +%s+\n", strings.Repeat("-", cols))
	for i, l := range strings.Split(t.Screen(), "\n") {
		fmt.Fprintf(&b, "%3d |%-*s|\n", i+1, cols, l)
	}
	fmt.Fprintf(&b, "    +%s+\n(%d raw bytes received)", strings.Repeat("-", cols), len(t.Raw()))
	return b.String()
}

// Press sends keys, one write each: Enter, Esc, Up, … or any text.
func (t *Term) Press(keys ...string) Driver {
	t.tb.Helper()
	for _, k := range keys {
		t.write(k)
	}
	return t
}

// Type sends s as typed text.
func (t *Term) Type(s string) Driver {
	t.tb.Helper()
	t.write(s)
	return t
}

// Paste sends s as a bracketed paste, as a terminal does for a paste.
func (t *Term) Paste(s string) Driver {
	t.tb.Helper()
	t.write("\x1b[200~" + s + "\x1b[201~")
	return t
}

func (t *Term) write(s string) {
	t.tb.Helper()
	if _, err := t.ptmx.WriteString(s); err != nil {
		t.tb.Fatalf("term: writing %q: %v\n%s", s, err, t.Dump())
	}
}

// Resize changes the terminal's size; the command gets SIGWINCH.
func (t *Term) Resize(cols, rows int) Driver {
	t.tb.Helper()
	t.vt.Resize(cols, rows)
	if t.wide != nil {
		t.mu.Lock()
		t.wide.Resize(cols, rows)
		t.mu.Unlock()
	}
	if err := pty.Setsize(t.ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err != nil {
		t.tb.Fatalf("term: resizing to %dx%d: %v", cols, rows, err)
	}
	return t
}

// Signal sends sig to the command.
func (t *Term) Signal(sig os.Signal) {
	t.tb.Helper()
	if err := t.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.tb.Fatalf("term: signal %v: %v", sig, err)
	}
}

// Cooked reports whether the terminal is in cooked mode: line editing
// (ICANON) and echo on, as a shell expects it after the program exits. On
// Linux the master side reads the pair's settings.
func (t *Term) Cooked() bool {
	t.tb.Helper()
	var tio *unix.Termios
	var err error
	rc, cerr := t.ptmx.SyscallConn() // not Fd(): that would make the reads blocking
	if cerr == nil {
		cerr = rc.Control(func(fd uintptr) { tio, err = unix.IoctlGetTermios(int(fd), unix.TCGETS) })
	}
	if err = errors.Join(err, cerr); err != nil {
		t.tb.Fatalf("term: reading the terminal's mode: %v", err)
	}
	return tio.Lflag&unix.ICANON != 0 && tio.Lflag&unix.ECHO != 0
}

// Wait waits for the command to exit and its output to be read, and
// returns its exit code (-1 if a signal ended it), or fails the test.
func (t *Term) Wait() int {
	t.tb.Helper()
	timer := time.NewTimer(t.Timeout)
	defer timer.Stop()
	for _, ch := range []chan struct{}{t.exited, t.copied} {
		select {
		case <-ch:
		case <-timer.C:
			t.tb.Fatalf("term: the program did not exit within %s\n%s", t.Timeout, t.Dump())
		}
	}
	return t.code
}
