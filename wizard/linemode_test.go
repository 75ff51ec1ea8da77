package wizard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"smtpsetup/config"
	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
	"smtpsetup/steps"
)

const (
	lineUser = "demo@example.test"
	linePass = "s3cret-Pa55word"
)

// lineDraft is a draft prefilled like `--demo` (wizard_cmd.go startDemo),
// against a STARTTLS test server whose CA the test trusts.
func lineDraft(t *testing.T) (*steps.Session, *smtptest.Server) {
	t.Helper()
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(lineUser, linePass))
	cat := smtp.BuiltinCatalogue()
	cat.Prepend(smtp.Provider{
		ID: "demo", Name: "Demo server (built in)", Host: "localhost",
		Ports: []smtp.PortOption{{Security: smtp.SecuritySTARTTLS, Port: srv.Port(), Recommended: true}},
		Login: smtp.LoginAddress, Status: smtp.StatusOK, LastChecked: "2026-01-01",
		Secret:        smtp.SecretRule{Label: "Password"},
		Prerequisites: []smtp.Prerequisite{{Title: "The demo server is running", Detail: "It runs for this test.", Why: "To show the step."}},
	})
	s := steps.NewSession(steps.Env{
		Catalogue:  cat,
		ConfigPath: filepath.Join(t.TempDir(), "smtp.yaml"),
		Test:       smtp.Options{Timeout: 5 * time.Second, RootCAs: srv.CA().Pool()},
	})
	s.Draft.Settings = smtp.Settings{
		Provider: "demo", Host: "localhost", Port: srv.Port(), Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthAuto,
		Username: lineUser, Password: smtp.NewSecret(linePass), From: lineUser, FromName: "smtpsetup demo",
	}
	return s, srv
}

// passwords feeds the password prompt: each call takes the next answer,
// then reports the end of input.
func passwords(answers ...string) func() (string, error) {
	return func() (string, error) {
		if len(answers) == 0 {
			return "", io.EOF
		}
		a := answers[0]
		answers = answers[1:]
		return a, nil
	}
}

// runLines runs the line mode on input and checks what must hold for every
// run: no escape byte and no password in the output.
func runLines(t *testing.T, d *steps.Session, input string, pw func() (string, error)) (Outcome, string) {
	t.Helper()
	var out bytes.Buffer
	got, err := RunLines(t.Context(), d, strings.NewReader(input), &out, pw)
	if err != nil {
		t.Fatalf("RunLines: %v\n%s", err, out.String())
	}
	text := out.String()
	if bytes.IndexByte(out.Bytes(), 0x1b) >= 0 {
		t.Errorf("output contains an escape byte:\n%q", text)
	}
	if strings.Contains(text, linePass) {
		t.Errorf("output contains the password:\n%s", text)
	}
	return got, text
}

func enters(n int) string { return strings.Repeat("\n", n) }

func loadSaved(t *testing.T, path, out string) smtp.Settings {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("config not written: %v\n%s", err, out)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("config mode = %v, want 0600", fi.Mode().Perm())
	}
	s, err := config.Load(path)
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	return s
}

func TestLinesDemoCompletesWithEnterAlone(t *testing.T) {
	d, srv := lineDraft(t)
	got, out := runLines(t, d, enters(20), passwords(""))
	if got != Saved {
		t.Fatalf("outcome = %v, want Saved\n%s", got, out)
	}
	for _, want := range []string{
		"3. Account (number or name) [recommended]: ",
		"ok   connect",
		"Passed.",
		"Saved. Wrote " + d.ConfigPath,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	s := loadSaved(t, d.ConfigPath, out)
	if s.Host != "localhost" || s.Port != srv.Port() || s.Security != smtp.SecuritySTARTTLS ||
		s.Username != lineUser || s.From != lineUser || s.FromName != "smtpsetup demo" || s.Password.Reveal() != linePass {
		t.Errorf("saved %+v", s)
	}
}

func TestLinesWrongAddressAsksAgain(t *testing.T) {
	d, _ := lineDraft(t)
	d.Draft.Settings.FromName = "" // typed below, after the wrong address
	input := enters(2) + "change\n" + "demo at example\n" + lineUser + "\n" + "\n" + "Office NAS\n" + enters(20)
	got, out := runLines(t, d, input, passwords(""))
	if got != Saved {
		t.Fatalf("outcome = %v, want Saved\n%s", got, out)
	}
	if !strings.Contains(out, "e-mail address is not an e-mail address: type it as name@example.com") {
		t.Errorf("no field error:\n%s", out)
	}
	if n := strings.Count(out, "3. E-mail address"); n != 2 {
		t.Errorf("asked for the address %d times, want 2:\n%s", n, out)
	}
	s := loadSaved(t, d.ConfigPath, out)
	if s.From != lineUser || s.Username != lineUser || s.FromName != "Office NAS" {
		t.Errorf("saved %+v", s)
	}
}

func TestLinesSuggestionFixesSSLOnSTARTTLS(t *testing.T) {
	d, srv := lineDraft(t)
	port := strconv.Itoa(srv.Port())
	input := enters(3) + // provider, done, the account as filled
		"change\n\n1\n" + port + "\n\n" + // change the recommended settings, host, SSL/TLS, the server's port, no CA file
		"a\n" + enters(5)
	got, out := runLines(t, d, input, passwords(""))
	if got != Saved {
		t.Fatalf("outcome = %v, want Saved\n%s", got, out)
	}
	for _, want := range []string{"[tls.not_tls]", "Apply the fix: switch to STARTTLS on port " + port, "Passed."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if s := loadSaved(t, d.ConfigPath, out); s.Security != smtp.SecuritySTARTTLS || s.Port != srv.Port() {
		t.Errorf("saved %s on %d, want starttls on %d", s.Security, s.Port, srv.Port())
	}
	// The failed mode is remembered, so no later test can suggest it back.
	if want := (smtp.Attempt{Host: d.Draft.Settings.Host, Security: smtp.SecuritySSL, Port: srv.Port()}); len(d.Results.Tried) != 1 || d.Results.Tried[0] != want {
		t.Errorf("tried %+v, want [%+v]", d.Results.Tried, want)
	}
}

func TestLinesEOFQuitsWithoutWriting(t *testing.T) {
	for name, input := range map[string]string{
		"at the address":     enters(2),
		"at the account":     enters(2) + "change\n",
		"at the server":      enters(3),
		"at the port":        enters(3) + "change\n\n\n",
		"before saving":      enters(5),
		"at an invalid host": enters(3) + "change\nhttp://x\n",
	} {
		t.Run(name, func(t *testing.T) {
			d, _ := lineDraft(t)
			got, out := runLines(t, d, input, passwords(""))
			if got != Quit {
				t.Fatalf("outcome = %v, want Quit\n%s", got, out)
			}
			if _, err := os.Stat(d.ConfigPath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("config written on EOF (%v):\n%s", err, out)
			}
		})
	}
}

func TestLinesCancelReturnsPromptly(t *testing.T) {
	d, _ := lineDraft(t)
	r, w := io.Pipe() // input that never comes
	defer w.Close()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	got, err := RunLines(ctx, d, r, io.Discard, passwords(""))
	if got != Quit || err != nil {
		t.Fatalf("RunLines = %v, %v; want Quit, nil", got, err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("returned after %s", el)
	}
}

func TestLinesPasswordRefusalIsReturned(t *testing.T) {
	d, _ := lineDraft(t)
	refuse := func() (string, error) { return "", ErrPasswordNeedsTerminal }
	got, err := RunLines(t.Context(), d, strings.NewReader(enters(2)+"change\n"+enters(20)), io.Discard, refuse)
	if got != Quit || !errors.Is(err, ErrPasswordNeedsTerminal) {
		t.Fatalf("RunLines = %v, %v; want Quit, ErrPasswordNeedsTerminal", got, err)
	}
}

func TestTerminalPasswordRefusesNonTerminal(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := TerminalPassword(f, io.Discard)(); !errors.Is(err, ErrPasswordNeedsTerminal) {
		t.Fatalf("err = %v, want ErrPasswordNeedsTerminal", err)
	}
}

func TestVisible(t *testing.T) {
	for in, want := range map[string]string{
		"plain line\n":       "plain line\n",
		"\x1b[31mred\x1b[0m": `\u001b[31mred\u001b[0m`,
		"a\tb\r":             `a b\u000d`,
		"\u202eevil":         `\u202eevil`,
		"\u009b31m":          `\u009b31m`,
	} {
		if got := visible(in); got != want {
			t.Errorf("visible(%q) = %q, want %q", in, got, want)
		}
	}
}

// A fresh run asks for the address first and offers the provider detected
// from it (the catalogue answers offline); an existing config is offered
// for a test first.
func TestLinesOpening(t *testing.T) {
	t.Run("detects from the address", func(t *testing.T) {
		d, _ := lineDraft(t)
		d.Draft.Settings = smtp.Settings{Auth: smtp.AuthAuto}
		got, out := runLines(t, d, "me@gmail.com\n\n", passwords())
		if got != Quit || d.Draft.Settings.Provider != "gmail" || d.Draft.Settings.Host != "smtp.gmail.com" {
			t.Fatalf("outcome %v, provider %q, host %q\n%s", got, d.Draft.Settings.Provider, d.Draft.Settings.Host, out)
		}
		if !strings.Contains(out, "1  Gmail  ← your address") {
			t.Fatalf("no detection shown:\n%s", out)
		}
	})
	t.Run("existing config goes to the test", func(t *testing.T) {
		d, _ := lineDraft(t)
		d.Draft.Existing = true
		got, out := runLines(t, d, "1\n", passwords())
		if got != Quit || !strings.Contains(out, "already has settings") || !strings.Contains(out, "Passed") {
			t.Fatalf("outcome %v:\n%s", got, out)
		}
	})
}

func TestLinesShowTheServersWordsForATemporaryRefusal(t *testing.T) {
	d, _ := lineDraft(t)
	srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModeSTARTTLS), smtptest.WithAccount(lineUser, linePass),
		smtptest.WithReply("AUTH", 454, "4.7.0", "Cannot authenticate due to a temporary system problem. Try again later."))
	d.Draft.Settings.Port = srv.Port()
	d.Test.RootCAs = srv.CA().Pool()
	d.Catalogue.Providers[0].Ports[0].Port = srv.Port()
	got, out := runLines(t, d, enters(4)+"q\n", passwords(""))
	if got == Saved {
		t.Fatalf("a refused test saved:\n%s", out)
	}
	for _, want := range []string{"[server.temporary]", "The server said:", "454 4.7.0 Cannot authenticate due to a temporary system problem.", "What next? (number or name) [r]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
