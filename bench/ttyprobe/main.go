// Command ttyprobe measures what a terminal program costs the terminal, in
// an 80x24 pseudo-terminal read through a VT emulator:
//
//   - time to first text and to the first whole frame, from fork;
//
//   - bytes written per typed character in a text field, and the time
//     from the key to the character on screen;
//
//   - bytes per field change and per step change (smtpsetup only);
//
//   - bytes written per second while nobody types (cursor blink and the
//     like).
//
//     ttyprobe -tool smtpsetup -bin ./smtpsetup -out r.jsonl
//     ttyprobe -tool whiptail -out r.jsonl
//
// smtpsetup runs as `smtpsetup --demo --config TMP/smtp.yaml`: Enter walks
// to the Account step, Enter three times to the sender name, then keys are
// typed one at a time, each after the screen has settled, then Enter to
// the next step. whiptail runs as `whiptail --inputbox "Sender name" 10
// 60` and gets the same keys. A key's bytes are everything written from
// the key until the output has been quiet for -settle.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"

	"smtpsetup/bench/internal/results"
)

const cols, rows = 80, 24

var verbose = flag.Bool("v", false, "print every key's bytes and latency")

// typed is what the probe types into the text field, one key at a time.
const typed = "OfficeNASbench012345"

func main() {
	tool := flag.String("tool", "smtpsetup", "smtpsetup, smtpsetup-nodemo (first frame only) or whiptail")
	bin := flag.String("bin", "", "the program (default: ./smtpsetup, or whiptail from PATH)")
	n := flag.Int("n", 5, "runs")
	keys := flag.Int("keys", len(typed), "keys typed per run (at most 20)")
	settle := flag.Duration("settle", 150*time.Millisecond, "quiet time that ends a key's output")
	out := flag.String("out", "", "JSON Lines file to append records to (required)")
	flag.Parse()
	log.SetPrefix("ttyprobe: ")
	log.SetFlags(0)
	if *out == "" || *n < 1 || *n > 100 || *keys < 1 || *keys > len(typed) {
		log.Fatal("usage: ttyprobe -tool smtpsetup|whiptail -out FILE [-n N] [-keys K]")
	}
	sc, err := newScenario(*tool, *bin)
	if err != nil {
		log.Fatal(err)
	}
	m := &measurements{}
	for i := range *n {
		if err := runOnce(sc, m, *keys, *settle); err != nil {
			log.Fatalf("run %d: %v", i+1, err)
		}
	}
	for _, r := range m.records(*tool, *settle) {
		if len(r.Values) == 0 {
			continue
		}
		if err := results.Append(*out, r); err != nil {
			log.Fatal(err)
		}
		s := results.Summarize(r.Values)
		fmt.Fprintf(os.Stderr, "tty        %-20s %-9s median %8.1f %s (min %.1f, max %.1f, n %d)\n",
			r.Case, r.Tool, s.Median, r.Unit, s.Min, s.Max, s.N)
	}
}

// scenario is how to start a program and drive it to its text field.
type scenario struct {
	command func(dir string) *exec.Cmd
	// frame reports whether the first screen is completely drawn.
	frame func(screen string) bool
	// toField drives from the first frame to the text field, recording
	// step and field changes; nil measures the first frame only.
	toField func(p *probe, m *measurements) error
	// shows reports whether the field shows text typed so far.
	shows func(screen, typedSoFar string) bool
	// leave presses Enter in the field, recording a step change.
	leave func(p *probe, m *measurements) error
}

func newScenario(tool, bin string) (*scenario, error) {
	switch tool {
	case "smtpsetup":
		if bin == "" {
			bin = "./smtpsetup"
		}
		bin, err := filepath.Abs(bin)
		if err != nil {
			return nil, err
		}
		return &scenario{
			command: func(dir string) *exec.Cmd {
				return exec.Command(bin, "--demo", "--config", filepath.Join(dir, "smtp.yaml"))
			},
			frame: func(s string) bool {
				lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
				return strings.Contains(s, "Step 1 of ") && strings.Contains(lines[len(lines)-1], "quit")
			},
			toField: func(p *probe, m *measurements) error {
				for _, st := range []struct {
					want  string
					field bool
				}{
					{"Step 2 of ", false},
					{"Step 3 of ", false},
					{focus("Login"), true},
					{focus("Password"), true},
					{focus("Sender name"), true},
				} {
					b, _, err := p.press("\r", contains(st.want))
					if err != nil {
						return err
					}
					if st.field {
						m.field = append(m.field, b)
					} else {
						m.step = append(m.step, b)
					}
				}
				// Move to the end of the prefilled name; not measured, and
				// it may not change the screen.
				p.quiet(2 * time.Second)
				_, err := p.ptmx.WriteString("\x1b[F")
				return err
			},
			shows: func(s, sofar string) bool { return strings.Contains(s, "> smtpsetup demo"+sofar) },
			leave: func(p *probe, m *measurements) error {
				b, _, err := p.press("\r", contains("Step 4 of "))
				m.step = append(m.step, b)
				return err
			},
		}, nil
	case "smtpsetup-nodemo":
		// The wizard without the demo server: the first frame only, to
		// tell the demo server's start-up from the program's.
		if bin == "" {
			bin = "./smtpsetup"
		}
		bin, err := filepath.Abs(bin)
		if err != nil {
			return nil, err
		}
		return &scenario{
			command: func(dir string) *exec.Cmd {
				return exec.Command(bin, "--config", filepath.Join(dir, "smtp.yaml"))
			},
			frame: func(s string) bool {
				lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
				return strings.Contains(s, "Step 1 of ") && strings.Contains(lines[len(lines)-1], "quit")
			},
		}, nil
	case "whiptail":
		if bin == "" {
			bin = "whiptail"
		}
		path, err := exec.LookPath(bin)
		if err != nil {
			return nil, err
		}
		return &scenario{
			command: func(string) *exec.Cmd {
				return exec.Command(path, "--inputbox", "Sender name", "10", "60")
			},
			frame:   func(s string) bool { return strings.Contains(s, "Sender name") && strings.Contains(s, "<Cancel>") },
			toField: func(*probe, *measurements) error { return nil },
			shows:   func(s, sofar string) bool { return strings.Contains(s, sofar) },
			leave:   func(*probe, *measurements) error { return nil },
		}, nil
	}
	return nil, fmt.Errorf("unknown tool %q: smtpsetup or whiptail", tool)
}

// focus is how huh marks the focused field: a bar before its title.
func focus(title string) string { return "│ " + title }

func contains(s string) func(string) bool {
	return func(screen string) bool { return strings.Contains(screen, s) }
}

// measurements pool every run's figures.
type measurements struct {
	firstByte, firstText, firstFrame []float64 // ms from fork
	frameBytes                       []float64 // bytes written up to the first frame
	idle, idleField                  []float64 // bytes per second with no input: first screen, text field
	key, keyLatency                  []float64 // bytes and ms per typed key
	field, step                      []float64 // bytes per field change, per step change
}

func (m *measurements) records(tool string, settle time.Duration) []results.Record {
	rec := func(c, unit string, v []float64, note string) results.Record {
		return results.Record{Group: "tty", Case: c, Tool: tool, Unit: unit, Values: v, Note: note}
	}
	quiet := fmt.Sprintf("until %s of quiet", settle)
	return []results.Record{
		rec("first-byte", "ms", m.firstByte, "fork to the first byte on the terminal"),
		rec("first-text", "ms", m.firstText, "fork to the first printable text on the screen"),
		rec("first-frame", "ms", m.firstFrame, "fork to the first screen drawn whole"),
		rec("first-frame-bytes", "bytes", m.frameBytes, "bytes written up to the first whole frame"),
		rec("bytes-per-key", "bytes", m.key, "one typed character in a text field, "+quiet),
		rec("key-latency", "ms", m.keyLatency, "key written to the character on the screen"),
		rec("bytes-per-field", "bytes", m.field, "Enter to the next field of the same step, "+quiet),
		rec("bytes-per-step", "bytes", m.step, "Enter to the next step, "+quiet),
		rec("idle-bytes-per-s", "bytes", m.idle, "written per second on the first screen while nobody types"),
		rec("idle-bytes-per-s-in-field", "bytes", m.idleField, "written per second in the text field while nobody types (a blinking cursor)"),
	}
}

func runOnce(sc *scenario, m *measurements, keys int, settle time.Duration) error {
	dir, err := os.MkdirTemp("", "ttyprobe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cmd := sc.command(dir)
	cmd.Dir = dir
	cmd.Env = []string{"TERM=xterm-256color", "LANG=C.UTF-8", "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	p, err := start(cmd, settle)
	if err != nil {
		return err
	}
	defer p.close()

	frameAt, err := p.wait(sc.frame, 20*time.Second)
	if err != nil {
		return fmt.Errorf("first frame: %w", err)
	}
	p.mu.Lock()
	m.firstByte = append(m.firstByte, ms(p.firstByte.Sub(p.started)))
	m.firstText = append(m.firstText, ms(p.firstText.Sub(p.started)))
	m.frameBytes = append(m.frameBytes, float64(p.bytesAtFrame))
	p.mu.Unlock()
	m.firstFrame = append(m.firstFrame, ms(frameAt.Sub(p.started)))

	p.quiet(2 * time.Second)
	before := p.written()
	time.Sleep(time.Second)
	m.idle = append(m.idle, float64(p.written()-before))

	if sc.toField == nil {
		return nil
	}
	if err := sc.toField(p, m); err != nil {
		return err
	}
	for i := 1; i <= keys; i++ {
		sofar := typed[:i]
		b, lat, err := p.press(typed[i-1:i], func(s string) bool { return sc.shows(s, sofar) })
		if err != nil {
			return fmt.Errorf("key %d: %w", i, err)
		}
		m.key = append(m.key, b)
		m.keyLatency = append(m.keyLatency, lat)
	}
	p.quiet(2 * time.Second)
	before = p.written()
	time.Sleep(2 * time.Second)
	m.idleField = append(m.idleField, float64(p.written()-before)/2)
	return sc.leave(p, m)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// probe is a program in a pseudo-terminal, its output fed to a VT
// emulator, with the times and byte counts of what it wrote.
type probe struct {
	cmd    *exec.Cmd
	ptmx   *os.File
	vt     vt10x.Terminal
	settle time.Duration
	copied chan struct{}
	exited chan struct{}

	mu           sync.Mutex
	started      time.Time
	firstByte    time.Time
	firstText    time.Time
	lastOut      time.Time
	total        int64
	raw          []byte // with -v: what was written, for the per-key dump
	bytesAtFrame int64
	watch        func(string) bool // checked after every read
	hit          chan time.Time
}

func start(cmd *exec.Cmd, settle time.Duration) (*probe, error) {
	p := &probe{cmd: cmd, settle: settle, copied: make(chan struct{}), exited: make(chan struct{})}
	p.started = time.Now()
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: cols, Rows: rows})
	if err != nil {
		return nil, err
	}
	p.ptmx = ptmx
	// The emulator answers queries (cursor position) on the pty, as a real
	// terminal does.
	p.vt = vt10x.New(vt10x.WithSize(cols, rows), vt10x.WithWriter(ptmx))
	go p.copyOutput()
	go func() { cmd.Wait(); close(p.exited) }()
	return p, nil
}

func (p *probe) copyOutput() {
	defer close(p.copied)
	buf := make([]byte, 32<<10)
	var pending []byte
	for {
		n, err := p.ptmx.Read(buf)
		if n > 0 {
			now := time.Now()
			pending = append(pending, buf[:n]...)
			cut := completeRunes(pending)
			p.vt.Write(pending[:cut])
			answerDA1(p.ptmx, pending[:cut])
			pending = append(pending[:0], pending[cut:]...)
			screen := p.vt.String()
			p.mu.Lock()
			if p.firstByte.IsZero() {
				p.firstByte = now
			}
			if p.firstText.IsZero() && strings.TrimSpace(strings.ReplaceAll(screen, "\x00", "")) != "" {
				p.firstText = now
			}
			p.total += int64(n)
			if *verbose && len(p.raw) < 1<<20 {
				p.raw = append(p.raw, buf[:n]...)
			}
			p.lastOut = now
			if p.watch != nil && p.watch(screen) {
				p.watch = nil
				p.hit <- now
			}
			p.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// answerDA1 answers "what terminal are you" as xterm does; vt10x ignores
// it, and programs that query the background colour wait for it.
func answerDA1(w *os.File, out []byte) {
	for range bytes.Count(out, []byte("\x1b[c")) + bytes.Count(out, []byte("\x1b[0c")) {
		w.WriteString("\x1b[?62;22c")
	}
}

// completeRunes is the length of the longest prefix of b that does not end
// inside a UTF-8 sequence.
func completeRunes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}

func (p *probe) written() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// wait returns when the screen satisfies ok: the time of the read that made
// it so. The first call also records the bytes written up to then.
func (p *probe) wait(ok func(string) bool, timeout time.Duration) (time.Time, error) {
	hit := make(chan time.Time, 1)
	p.mu.Lock()
	if ok(p.vt.String()) {
		at := p.lastOut
		p.mu.Unlock()
		return at, nil
	}
	p.watch, p.hit = ok, hit
	p.mu.Unlock()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case at := <-hit:
		p.mu.Lock()
		if p.bytesAtFrame == 0 {
			p.bytesAtFrame = p.total
		}
		p.mu.Unlock()
		return at, nil
	case <-p.exited:
		return time.Time{}, fmt.Errorf("the program exited\n%s", p.vt.String())
	case <-timer.C:
		p.mu.Lock()
		p.watch = nil
		p.mu.Unlock()
		return time.Time{}, fmt.Errorf("timed out after %s\n%s", timeout, p.vt.String())
	}
}

// quiet waits until nothing has been written for p.settle, at most max.
func (p *probe) quiet(max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		last := p.lastOut
		p.mu.Unlock()
		if d := time.Since(last); d >= p.settle {
			return
		}
		time.Sleep(p.settle - time.Since(last) + time.Millisecond)
	}
}

// press sends one key once the output is quiet, waits for the screen to
// satisfy shown, then for quiet again, and returns the bytes written and
// the ms from the key to the screen change.
func (p *probe) press(key string, shown func(string) bool) (float64, float64, error) {
	p.quiet(2 * time.Second)
	before := p.written()
	old := p.vt.String()
	sent := time.Now()
	if _, err := p.ptmx.WriteString(key); err != nil {
		return 0, 0, err
	}
	// The screen must change, and to what was expected.
	at, err := p.wait(func(s string) bool { return s != old && shown(s) }, 10*time.Second)
	if err != nil {
		return 0, 0, fmt.Errorf("after %q: %w", key, err)
	}
	p.quiet(2 * time.Second)
	b := float64(p.written() - before)
	if *verbose {
		p.mu.Lock()
		fmt.Fprintf(os.Stderr, "  key %q: %g bytes, %.2f ms: %q\n", key, b, ms(at.Sub(sent)), p.raw[min(before, int64(len(p.raw))):])
		p.mu.Unlock()
	}
	return b, ms(at.Sub(sent)), nil
}

func (p *probe) close() {
	select {
	case <-p.exited:
	default:
		if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			log.Print(err)
		}
		<-p.exited
	}
	p.ptmx.Close()
	<-p.copied
}
