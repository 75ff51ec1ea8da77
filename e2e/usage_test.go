package e2e

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smtpsetup/e2e/term"
)

// A mistyped flag or command on a terminal that never answers queries (a
// serial console) exits at once with code 2 and says what is wrong: no
// terminal query may delay an exit.
func TestUsageErrorsNeverWaitForTheTerminal(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"check", "--hots", "smtp.example.com"},
		{"--confg", "x"},
		{"chek"},
		{"check", "--port", "five"},
		{"export", "--format"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			cmd := exec.Command(binary, args...)
			cmd.Env = environment(home)
			start := time.Now()
			p := term.StartMute(t, cmd, 80, 24)
			code := p.Wait()
			took := time.Since(start)
			if code != 2 {
				t.Errorf("exit %d, want 2\n%s", code, p.Dump())
			}
			// A query waits 2 s for its answer; the program itself starts in
			// a few milliseconds.
			if took > time.Second {
				t.Errorf("took %s to exit: it waited for the terminal", took.Round(time.Millisecond))
			}
			if q := strings.Index(string(p.Raw()), "\x1b]11;?"); q >= 0 {
				t.Errorf("asked the terminal for its background colour")
			}
			if !strings.Contains(p.Screen(), "smtpsetup:") {
				t.Errorf("no message\n%s", p.Dump())
			}
		})
	}
}

// Help on a terminal that never answers queries is printed at once: fang
// asks for the background colour before styling help, and would wait 2 s,
// twice.
func TestHelpNeverWaitsForTheTerminal(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"check", "--help"}, {"help", "export"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(binary, args...)
			cmd.Env = environment(t.TempDir())
			start := time.Now()
			p := term.StartMute(t, cmd, 100, 60)
			code := p.Wait()
			if took := time.Since(start); took > time.Second {
				t.Errorf("took %s to exit: it waited for the terminal", took.Round(time.Millisecond))
			}
			if code != 0 || !strings.Contains(p.Screen(), "smtpsetup") {
				t.Errorf("exit %d\n%s", code, p.Dump())
			}
			if strings.Contains(string(p.Raw()), "\x1b]11;?") {
				t.Errorf("asked the terminal for its background colour")
			}
		})
	}
}

// check --json prints one JSON object on stdout even for bad input, with
// the error and exit code 2, so that `| jq .ok` works in every case.
func TestCheckJSONOnBadInput(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	broken := filepath.Join(home, "broken.yaml")
	writeFile0600(t, broken, "version: 1\nhost: smtp.example.com\nport: five\n")
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"broken config", nil, []string{"check", "--json", "--config", broken}, "port"},
		{"missing config", nil, []string{"check", "--json", "--config", filepath.Join(home, "none.yaml")}, "does not exist"},
		{"bad variable", []string{"SMTPSETUP_PORT=abc"}, []string{"check", "--json", "--host", "smtp.example.com"}, "SMTPSETUP_PORT"},
		{"json from a variable", []string{"SMTPSETUP_JSON=true", "SMTPSETUP_PORT=abc"}, []string{"check", "--host", "smtp.example.com"}, "SMTPSETUP_PORT"},
		{"bad flag value", nil, []string{"check", "--json", "--port", "abc"}, "--port"},
		{"unknown flag", nil, []string{"check", "--json", "--hots", "x"}, "--hots"},
		{"no server", nil, []string{"check", "--json"}, "no server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runBinary(t, home, tc.env, "", 10*time.Second, tc.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2", r.code)
			}
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			var got struct {
				OK    *bool `json:"ok"`
				Error *struct {
					Message  string `json:"message"`
					ExitCode int    `json:"exit_code"`
				} `json:"error"`
			}
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\nstdout: %q\nstderr: %q", err, r.stdout, r.stderr)
			}
			if dec.More() {
				t.Errorf("more than one JSON value on stdout: %q", r.stdout)
			}
			if got.OK == nil || *got.OK || got.Error == nil || got.Error.ExitCode != 2 || !strings.Contains(got.Error.Message, tc.want) {
				t.Errorf("JSON %s: want ok false and an error with exit_code 2 that mentions %q", r.stdout, tc.want)
			}
		})
	}
}
