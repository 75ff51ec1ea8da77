package e2e

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"smtpsetup/smtp/smtptest"
)

// cliEnv runs the binary as cli does, with extra environment variables
// (LANG and the like; the last of a name wins).
func cliEnv(t *testing.T, home string, env []string, args ...string) (string, string, int) {
	t.Helper()
	return runIn(t, home, env, "", args...)
}

// runIn runs the real binary in the pinned environment plus env, with
// stdin, and returns stdout, stderr and the exit code.
func runIn(t *testing.T, home string, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(environment(home), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestLanguageChoice: the text of check follows --lang, the locale and the
// config's language field (the pseudo-locale en-XA brackets every
// translated text); an unknown language is English without a word; the
// JSON is byte for byte the same in every language.
func TestLanguageChoice(t *testing.T) {
	t.Parallel()
	const user = "nas@example.test"
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, "right"))
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	pw := filepath.Join(dir, "pw")
	os.WriteFile(ca, srv.CA().PEM(), 0o600)
	os.WriteFile(pw, []byte("wrong\n"), 0o600)
	args := []string{"check", "--host", "localhost", "--port", strconv.Itoa(srv.Port()), "--security", "starttls",
		"--username", user, "--password-file", pw, "--ca-file", ca}
	conf := func(lang string) string {
		p := filepath.Join(dir, "smtp-"+strconv.Itoa(len(lang))+".yaml")
		os.WriteFile(p, []byte("version: 1\nlanguage: "+lang+"\n"), 0o600)
		return p
	}

	english, _, code := cliEnv(t, dir, nil, args...)
	if code != 1 || !strings.Contains(english, "\nFAILED: ") || !strings.HasPrefix(english, "Testing localhost:") {
		t.Fatalf("English check: exit %d\n%s", code, english)
	}
	pseudoWays := map[string]struct {
		env  []string
		args []string
	}{
		"--lang":                  {nil, []string{"--lang", "en-XA"}},
		"SMTPSETUP_LANG":          {[]string{"SMTPSETUP_LANG=en-XA"}, nil},
		"LC_ALL over LANG":        {[]string{"LC_ALL=en_XA.UTF-8", "LANG=de_DE.UTF-8"}, nil},
		"config after C locale":   {[]string{"LANG=C"}, []string{"--config", conf("en-XA")}},
		"--lang over LANG=de_DE":  {[]string{"LANG=de_DE.UTF-8"}, []string{"--lang=en-XA"}},
		"--lang over config (ko)": {nil, []string{"--lang", "pseudo", "--config", conf("ko")}},
	}
	for name, w := range pseudoWays {
		out, _, code := cliEnv(t, dir, w.env, append(append([]string{}, args...), w.args...)...)
		if code != 1 || !strings.HasPrefix(out, "[Téstíñg") || !strings.Contains(out, "\n[FÅÎLÉD:") || !strings.Contains(out, "[ök ~] ") {
			t.Errorf("%s: want the pseudo-locale's brackets, exit 1; got exit %d\n%s", name, code, out)
		}
	}
	// A language nobody speaks is English, and no error.
	for _, way := range [][]string{{"--lang", "tlh"}, {"--config", conf("x-klingon")}} {
		out, errOut, code := cliEnv(t, dir, []string{"LANG=tlh_XX.UTF-8"}, append(append([]string{}, args...), way...)...)
		if code != 1 || !strings.HasPrefix(out, "Testing localhost:") || errOut != "" {
			t.Errorf("%v: want English and no error; exit %d\n%s\nstderr: %s", way, code, out, errOut)
		}
	}
	// A usage error speaks the language too, and keeps the flag's name.
	_, errOut, code := cliEnv(t, dir, nil, "check", "--lang", "en-XA", "--host", "")
	if code != 2 || !strings.Contains(errOut, "smtpsetup: [ñö sérvér") {
		t.Errorf("bad input in en-XA: exit %d, stderr %q", code, errOut)
	}

	// Bad input with --json: the object's message stays English, the
	// screen's sentence is translated.
	jsonOut, jsonErr, code := cliEnv(t, dir, nil, "check", "--json", "--lang", "en-XA", "--port", "abc")
	if code != 2 || !strings.Contains(jsonOut, `"message": "--port \"abc\" must be a whole number from 1 to 65535, as in --port 587"`) ||
		!strings.Contains(jsonErr, "[müst bé á whölé ñümbér") {
		t.Errorf("bad input, --json, en-XA: exit %d\nstdout: %s\nstderr: %s", code, jsonOut, jsonErr)
	}

	// JSON: the same bytes whatever the language (times aside).
	ms := regexp.MustCompile(`"ms": \d+`)
	jsonArgs := append(append([]string{}, args...), "--json")
	want, _, _ := cliEnv(t, dir, nil, jsonArgs...)
	want = ms.ReplaceAllString(want, `"ms": 0`)
	for _, env := range [][]string{{"LANG=ko_KR.UTF-8"}, {"SMTPSETUP_LANG=en-XA"}, {"LC_MESSAGES=ru_RU.UTF-8"}, {"LANG=de_DE"}} {
		got, _, code := cliEnv(t, dir, env, jsonArgs...)
		if got = ms.ReplaceAllString(got, `"ms": 0`); got != want || code != 1 {
			t.Errorf("%v: check --json differs from English (exit %d):\n%s\nwant:\n%s", env, code, got, want)
		}
	}
}

// TestProviderViewLanguage: `providers ID` says once that an entry's own
// notes are in English when they have no translation in the chosen
// language (Fastmail is not among the translated entries), and never in
// English; the pseudo-locale brackets its labels.
func TestProviderViewLanguage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	english, _, code := cliEnv(t, dir, nil, "providers", "fastmail")
	if code != 0 || strings.Contains(english, "in English") {
		t.Fatalf("English: exit %d\n%s", code, english)
	}
	korean, _, code := cliEnv(t, dir, []string{"LANG=ko_KR.UTF-8"}, "providers", "fastmail")
	el, kl := strings.Split(english, "\n"), strings.Split(korean, "\n")
	if code != 0 || len(kl) != len(el)+1 || kl[0] != el[0] || kl[1] == el[1] {
		t.Errorf("ko: want the English view with one line added after the title; exit %d\n%s", code, korean)
	}
	pseudo, _, _ := cliEnv(t, dir, nil, "providers", "gmail", "--lang", "en-XA")
	if !strings.Contains(pseudo, "\n  [dömáíñs ~]") || strings.Contains(pseudo, "in English") {
		t.Errorf("en-XA: want bracketed labels and no English note:\n%s", pseudo)
	}
}

// TestCheckTextWhollyTranslated runs check in the pseudo-locale against a
// port that refuses (the network section, other ports probed) and a server
// that refuses the password (the reply heading, a stage's detail): outside
// the pseudo-locale's brackets only values remain (hosts, ports, stage
// names, the server's and the system's own words), never two English words.
func TestCheckTextWhollyTranslated(t *testing.T) {
	t.Parallel()
	const user = "nas@example.test"
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, "right"))
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(pw, []byte("wrong\n"), 0o600)
	os.WriteFile(ca, srv.CA().PEM(), 0o600)
	closed := strconv.Itoa(freePort(t))
	bracketed := regexp.MustCompile(`\[[^\]]*\]`)
	english := regexp.MustCompile(`\b[A-Za-z]{3,} [a-z]{3,}\b`)
	serverWords := regexp.MustCompile(`\b[2-5]\d\d[ -].*$`) // a reply, as the server wrote it
	for name, args := range map[string][]string{
		"refused port":     {"check", "--host", "127.0.0.1", "--port", closed, "--security", "starttls", "--username", user, "--password-file", pw},
		"refused password": {"check", "--host", "localhost", "--port", strconv.Itoa(srv.Port()), "--security", "starttls", "--username", user, "--password-file", pw, "--ca-file", ca},
	} {
		out, _, code := cliEnv(t, dir, nil, append(args, "--lang", "en-XA")...)
		if code != 1 {
			t.Fatalf("%s: exit %d\n%s", name, code, out)
		}
		for _, line := range strings.Split(out, "\n") {
			rest := serverWords.ReplaceAllString(bracketed.ReplaceAllString(line, ""), "")
			if strings.Contains(rest, "dial tcp") {
				continue // the system's words
			}
			if w := english.FindString(rest); w != "" {
				t.Errorf("%s: English %q left in %q\n%s", name, w, line, out)
			}
		}
	}
}

// freePort is a loopback port nothing listens on: one the system gave and
// took back.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}
