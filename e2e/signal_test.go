package e2e

import (
	"bytes"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"
)

// SIGTERM (systemd, timeout, a supervisor) ends the full-screen wizard on
// every step within 2 s, and leaves the terminal as the shell needs it:
// cursor shown, alternate screen left, cooked mode. CI runs it 20 times
// (.ci/run), since a lost race shows only in some runs.
func TestSIGTERM(t *testing.T) {
	t.Parallel()
	walks := [][]stop{
		nil,
		toAccount[:1],
		toAccount,
		slices.Concat(toAccount, throughAccount),
		slices.Concat(toAccount, throughAccount, throughServer),
		slices.Concat(toAccount, throughAccount, throughServer, throughSave[:1]),
	}
	for i, w := range walks {
		t.Run(fmt.Sprintf("step %d", i+1), func(t *testing.T) {
			t.Parallel()
			p := startDemo(t, 80, 24)
			p.walk(t, nil, w...)
			p.Expect(fmt.Sprintf("Step %d of 6", i+1))
			sent := time.Now()
			p.Signal(syscall.SIGTERM)
			code := p.Wait()
			if took := time.Since(sent); took > 2*time.Second {
				t.Errorf("exit %s after SIGTERM, want within 2s", took.Round(time.Millisecond))
			}
			if code == 0 {
				t.Errorf("exit 0 after SIGTERM, want a failure code")
			}
			raw := p.Raw()
			if last := bytes.LastIndex(raw, []byte("\x1b[?25l")); last > bytes.LastIndex(raw, []byte("\x1b[?25h")) {
				t.Errorf("cursor left hidden")
			}
			if last := bytes.LastIndex(raw, []byte("\x1b[?1049h")); last > bytes.LastIndex(raw, []byte("\x1b[?1049l")) {
				t.Errorf("alternate screen left on")
			}
			if !p.Cooked() {
				t.Errorf("terminal left in raw mode")
			}
			if t.Failed() {
				t.Logf("screen:\n%s", p.Dump())
			}
		})
	}
}
