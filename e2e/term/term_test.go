package term

import (
	"os/exec"
	"syscall"
	"testing"
)

func TestTypeAndExitCode(t *testing.T) {
	tm := Start(t, exec.Command("sh", "-c", `printf 'ready\n'; read x; echo "got $x"; exit 3`), 40, 5)
	tm.Expect("ready").Type("hi").Press(Enter).Expect("got hi")
	if code := tm.Wait(); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
}

func TestSignal(t *testing.T) {
	tm := Start(t, exec.Command("sh", "-c", `echo up; exec sleep 60`), 40, 5)
	tm.Expect("up")
	tm.Signal(syscall.SIGTERM)
	if code := tm.Wait(); code != -1 {
		t.Errorf("exit code %d, want -1 (killed by a signal)", code)
	}
}

func TestResizeReachesProgram(t *testing.T) {
	tm := Start(t, exec.Command("sh", "-c", `echo up; read x; stty size`), 40, 5)
	tm.Expect("up").Resize(50, 7).Press(Enter).Expect("7 50")
	tm.Wait()
}

func TestComplete(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"abc", 3},
		{"a✓", 4},
		{"a\xe2\x9c", 1},     // "✓" cut after two of its three bytes
		{"ab\x1b", 2},        // a lone ESC may start a sequence
		{"ab\x1b[>1", 2},     // an unfinished control sequence
		{"ab\x1b[>1u", 7},    // a finished one
		{"ab\x1b]11;?", 8},   // OSC: vt10x keeps its own state across writes
		{"\x1b[1mx\x1b[", 5}, // only the last sequence matters
	} {
		if got := complete([]byte(tc.in)); got != tc.want {
			t.Errorf("complete(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestUnsupportedSequencesDropped(t *testing.T) {
	in := "\x1b[>4;2m\x1b[>1u\x1b[?u\x1b[<1u\x1b[?25l\x1b[1mx"
	if got := string(unsupported.ReplaceAllString(in, "")); got != "\x1b[?25l\x1b[1mx" {
		t.Errorf("filtered to %q", got)
	}
}
