//go:build interop

// Package interop starts private, real mail servers on 127.0.0.1 for
// interoperability tests: Postfix with Dovecot SASL (submission with STARTTLS,
// implicit TLS, and a plain relay port) and Exim as a second MTA. The servers
// are run by servers.sh beside this file; install.sh installs what they need.
//
// The package is built only with the "interop" build tag, so the default
// `go test ./...` stays hermetic. The tests must run as root.
package interop

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startTimeout bounds servers.sh start and stop.
const startTimeout = 90 * time.Second

// Ports are the TCP ports on Env.Host.
type Ports struct {
	Submission int // Postfix, STARTTLS required, SASL required to relay (10587)
	SMTPS      int // Postfix, implicit TLS, SASL (10465)
	Relay      int // Postfix, plain SMTP, no STARTTLS, no AUTH, relays for 127.0.0.0/8 (10025)
	Second     int // Exim, STARTTLS, AUTH offered only after STARTTLS (11587)
	Helo       int // Postfix, plain SMTP, refuses a HELO name that is not fully qualified, at EHLO (10024)
	Limit      int // Postfix, plain SMTP, anvil allows one connection a minute from 127.0.0.1 (10023)
	Screen     int // Postfix postscreen with 127.0.0.1 denylisted: refused at the greeting (10022)
}

// User is a test account known to both Dovecot (for Postfix) and Exim.
type User struct {
	Name     string // local part: "alice"
	Login    string // SASL login and the only sender address the user owns: "alice@example.test"
	Password string // contains spaces (and symbols for bob)
}

// Env describes a running set of servers. It is read from DIR/env.
type Env struct {
	Dir        string          // everything lives under here
	Host       string          // "127.0.0.1"
	Domain     string          // "example.test": mail for it is delivered to mailbox files
	CAFile     string          // PEM of the test CA that signed the servers' certificate
	ServerCert string          // PEM of the server certificate (SAN localhost, 127.0.0.1)
	Ports      Ports           // see Ports
	Users      map[string]User // by Name: "alice", "bob"
	// UsersFile holds "login<TAB>password" lines.
	UsersFile string
	// MailboxDir holds one mbox file per user for Postfix deliveries; SecondMailboxDir the same for Exim.
	MailboxDir, SecondMailboxDir string
	// Logs of the servers, for failure messages.
	PostfixLog, DovecotLog, EximLog string

	script string
}

// Dir returns the directory of this package's sources (servers.sh, testdata).
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Start starts the servers in a fresh directory and stops them (and removes the
// directory) when the test and its subtests end, whether they passed or not.
// Start them once per package or top-level test and share the Env between
// subtests: a start takes about 3 s and the ports are fixed.
func Start(t testing.TB) *Env {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("interop: the private Postfix/Dovecot/Exim need root: run `sudo e2e/interop/install.sh` once, then the tests as root (sudo -E go test -tags interop ./e2e/interop/...)")
	}
	dir, err := os.MkdirTemp("", "smtpsetup-interop-")
	if err != nil {
		t.Fatal(err)
	}
	// The daemons' users (postfix, dovecot, nobody, Debian-exim) must reach DIR.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	env, err := StartDir(dir)
	t.Cleanup(func() {
		script := filepath.Join(Dir(), "servers.sh")
		if env != nil {
			script = env.script
			if t.Failed() {
				env.logTails(t)
			}
		}
		if err := stop(script, dir); err != nil {
			t.Errorf("interop: stop: %v", err)
		}
		if os.Getenv("INTEROP_KEEP") == "" {
			os.RemoveAll(dir)
		} else {
			t.Logf("interop: INTEROP_KEEP set, leaving %s", dir)
		}
	})
	if err != nil {
		t.Fatalf("interop: %v", err)
	}
	return env
}

// StartDir runs `servers.sh start dir` and reads the Env it wrote. For use in
// TestMain; pair it with Env.Stop. dir must be traversable by the daemon users.
func StartDir(dir string) (*Env, error) {
	script := filepath.Join(Dir(), "servers.sh")
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", script, "start", dir).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("servers.sh start %s: %w\n%s", dir, err, out)
	}
	env, err := LoadEnv(dir)
	if err != nil {
		return nil, err
	}
	env.script = script
	return env, nil
}

// Stop stops the servers started by StartDir. It does not remove Dir.
func (e *Env) Stop() error { return stop(e.script, e.Dir) }

func stop(script, dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", script, "stop", dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("servers.sh stop %s: %w\n%s", dir, err, out)
	}
	return nil
}

// LoadEnv reads DIR/env and DIR/users as written by servers.sh start.
func LoadEnv(dir string) (*Env, error) {
	kv, err := readKV(filepath.Join(dir, "env"))
	if err != nil {
		return nil, err
	}
	e := &Env{
		Dir:              kv["INTEROP_DIR"],
		Host:             kv["INTEROP_HOST"],
		Domain:           kv["INTEROP_DOMAIN"],
		CAFile:           kv["INTEROP_CA"],
		ServerCert:       kv["INTEROP_SERVER_CERT"],
		UsersFile:        kv["INTEROP_PASSWORDS_FILE"],
		MailboxDir:       kv["INTEROP_MAILBOX_DIR"],
		SecondMailboxDir: kv["INTEROP_SECOND_MAILBOX_DIR"],
		PostfixLog:       kv["INTEROP_POSTFIX_LOG"],
		DovecotLog:       kv["INTEROP_DOVECOT_LOG"],
		EximLog:          kv["INTEROP_EXIM_LOG"],
		Users:            map[string]User{},
		script:           filepath.Join(Dir(), "servers.sh"),
	}
	for key, p := range map[string]*int{
		"INTEROP_SUBMISSION_PORT": &e.Ports.Submission,
		"INTEROP_SMTPS_PORT":      &e.Ports.SMTPS,
		"INTEROP_RELAY_PORT":      &e.Ports.Relay,
		"INTEROP_SECOND_PORT":     &e.Ports.Second,
		"INTEROP_HELO_PORT":       &e.Ports.Helo,
		"INTEROP_LIMIT_PORT":      &e.Ports.Limit,
		"INTEROP_SCREEN_PORT":     &e.Ports.Screen,
	} {
		if *p, err = strconv.Atoi(kv[key]); err != nil {
			return nil, fmt.Errorf("interop: %s in %s/env: %w", key, dir, err)
		}
	}
	users, err := os.ReadFile(e.UsersFile)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(strings.TrimRight(string(users), "\n"), "\n") {
		login, pw, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("interop: bad line in %s", e.UsersFile)
		}
		name, _, _ := strings.Cut(login, "@")
		e.Users[name] = User{Name: name, Login: login, Password: pw}
	}
	return e, nil
}

func readKV(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		kv[k] = strings.Trim(v, `"`)
	}
	return kv, sc.Err()
}

// Addr returns "host:port" for one of e.Ports.
func (e *Env) Addr(port int) string { return fmt.Sprintf("%s:%d", e.Host, port) }

// ReadMailbox returns the Postfix mailbox (mbox) of user ("alice" or
// "alice@example.test"); nil when nothing was delivered yet.
func (e *Env) ReadMailbox(t testing.TB, user string) []byte {
	t.Helper()
	return readMbox(t, e.MailboxDir, user)
}

// ReadSecondMailbox is ReadMailbox for the second MTA (Exim).
func (e *Env) ReadSecondMailbox(t testing.TB, user string) []byte {
	t.Helper()
	return readMbox(t, e.SecondMailboxDir, user)
}

func readMbox(t testing.TB, dir, user string) []byte {
	t.Helper()
	name, _, _ := strings.Cut(user, "@")
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatalf("interop: read mailbox: %v", err)
	}
	return b
}

// WaitMessage waits until a message containing substring has been delivered
// to any mailbox of either server, and returns that mailbox's content. It
// fails the test after timeout.
func (e *Env) WaitMessage(t testing.TB, substring string, timeout time.Duration) []byte {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, dir := range []string{e.MailboxDir, e.SecondMailboxDir} {
			files, _ := filepath.Glob(filepath.Join(dir, "*"))
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err == nil && bytes.Contains(b, []byte(substring)) {
					return b
				}
			}
		}
		if time.Now().After(deadline) {
			e.logTails(t)
			t.Fatalf("interop: no message containing %q delivered within %v", substring, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logTails logs the last lines of each server log.
func (e *Env) logTails(t testing.TB) {
	t.Helper()
	for _, p := range []string{e.PostfixLog, e.DovecotLog, e.EximLog} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		if len(lines) > 30 {
			lines = lines[len(lines)-30:]
		}
		t.Logf("interop: tail of %s:\n%s", p, strings.Join(lines, "\n"))
	}
}
