package e2e

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"smtpsetup/e2e/term"
)

// silentServer accepts connections and never says a word: the server
// behind a firewall that swallows the greeting.
func silentServer(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// On a pipe, check prints each stage as it ends (no spinner, no carriage
// return), so a log shows how far a silent server let it get; Ctrl-C ends
// the test, prints "cancelled" after the stages so far, and setup then
// saves nothing, even with --save-anyway.
func TestCheckPrintsStagesAsTheyEnd(t *testing.T) {
	t.Parallel()
	port := strconv.Itoa(silentServer(t))
	home := t.TempDir()
	for _, args := range [][]string{
		{"check"},
		{"setup", "--non-interactive", "--save-anyway", "--config", filepath.Join(home, "smtp.yaml")},
	} {
		cmd := exec.Command(binary, append(args, "--host", "127.0.0.1", "--port", port, "--security", "starttls",
			"--auth", "none", "--from", "nas@example.test", "--timeout", "120s")...)
		cmd.Env = environment(home)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		var got []string
		// A failure deadline, not a measurement: the greeting waits 120 s.
		deadline := time.After(60 * time.Second)
		for !strings.Contains(strings.Join(got, "\n"), "connect") {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("%s: ended before the greeting stage:\n%s", args[0], strings.Join(got, "\n"))
				}
				got = append(got, l)
			case <-deadline:
				cmd.Process.Kill()
				t.Fatalf("%s: nothing about connect while waiting for the greeting; printed so far: %q", args[0], got)
			}
		}
		cmd.Process.Signal(syscall.SIGINT)
		for l := range lines {
			got = append(got, l)
		}
		cmd.Wait()
		out := strings.Join(got, "\n")
		if !strings.HasPrefix(out, "Testing 127.0.0.1:"+port) || !strings.Contains(out, "ok   connect") ||
			!strings.Contains(out, "FAIL greeting") || !strings.Contains(out, "cancelled") || strings.Contains(out, "\r") {
			t.Errorf("%s: output after Ctrl-C:\n%s", args[0], out)
		}
		if _, err := os.Stat(filepath.Join(home, "smtp.yaml")); err == nil {
			t.Errorf("%s: a config was written after Ctrl-C", args[0])
		}
	}
}

// On a terminal a spinner names the stage waited for, and Ctrl-C leaves
// the stages so far and "cancelled" on the screen.
func TestCheckSpinnerOnATerminal(t *testing.T) {
	t.Parallel()
	port := strconv.Itoa(silentServer(t))
	home := t.TempDir()
	cmd := exec.Command(binary, "check", "--host", "127.0.0.1", "--port", port, "--security", "starttls",
		"--auth", "none", "--from", "nas@example.test", "--timeout", "120s")
	cmd.Env = environment(home)
	tm := term.Start(t, cmd, 80, 24)
	tm.WaitFor("waiting for greeting")
	tm.Signal(os.Interrupt)
	tm.WaitFor("[test.cancelled]")
	tm.Wait()
	screen := tm.Screen()
	if strings.Contains(screen, "waiting for") || !strings.Contains(screen, "ok   connect") {
		t.Errorf("after Ctrl-C the screen should hold the stages and no spinner:\n%s", screen)
	}
}
