package config

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"smtpsetup/smtp"
)

// These tests hand the exports to the real programs that read them, when
// they are installed: /bin/sh for env, msmtp, and Postfix's postconf and
// postmap.

func need(t *testing.T, prog, install string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Skipf("%s is not installed (apt-get install %s)", prog, install)
	}
	return p
}

func TestEnvSourcedByShell(t *testing.T) {
	sh := need(t, "sh", "dash")
	for _, v := range hostile {
		s := fullSettings()
		s.Username, s.Password, s.FromName = "u"+v, smtp.NewSecret(v), v+"n"
		var buf bytes.Buffer
		if err := Export(&buf, s, "env", ExportOptions{IncludePassword: true}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "smtp.env")
		writeFile0(t, path, buf.String(), 0o600)
		// If anything in a value executed, $(id) or `id` would print uid=.
		out, err := exec.Command(sh, "-c", `. "$1" && printf '%s\0%s\0%s\0%s' "$SMTP_USERNAME" "$SMTP_PASSWORD" "$SMTP_FROM_NAME" "$SMTP_HOST"`, "sh", path).Output()
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		got := strings.Split(string(out), "\x00")
		if want := []string{"u" + v, v, v + "n", s.Host}; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("the shell read %q, want %q", got, want)
		}
	}
}

// fakeSMTP accepts one session, logs in anybody with AUTH PLAIN and records
// the credentials it was given. It is just enough SMTP for msmtp.
type fakeSMTP struct {
	addr     string
	user, pw chan string
	mailFrom chan string // the MAIL FROM argument
}

func newFakeSMTP(t *testing.T) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f := &fakeSMTP{addr: ln.Addr().String(), user: make(chan string, 1), pw: make(chan string, 1), mailFrom: make(chan string, 1)}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		tp := textproto.NewConn(c)
		tp.PrintfLine("220 fake ESMTP")
		for {
			line, err := tp.ReadLine()
			if err != nil {
				return
			}
			verb, arg, _ := strings.Cut(line, " ")
			switch strings.ToUpper(verb) {
			case "EHLO":
				tp.PrintfLine("250-fake\r\n250 AUTH PLAIN")
			case "AUTH":
				mech, resp, _ := strings.Cut(arg, " ")
				if strings.ToUpper(mech) != "PLAIN" {
					tp.PrintfLine("504 only PLAIN")
					continue
				}
				if resp == "" {
					tp.PrintfLine("334 ")
					resp, _ = tp.ReadLine()
				}
				raw, _ := base64.StdEncoding.DecodeString(resp)
				parts := strings.SplitN(string(raw), "\x00", 3)
				if len(parts) == 3 {
					f.user <- parts[1]
					f.pw <- parts[2]
				}
				tp.PrintfLine("235 ok")
			case "DATA":
				tp.PrintfLine("354 go on")
				tp.ReadDotLines()
				tp.PrintfLine("250 queued")
			case "QUIT":
				tp.PrintfLine("221 bye")
				return
			case "MAIL":
				select {
				case f.mailFrom <- arg:
				default:
				}
				tp.PrintfLine("250 ok")
			default:
				tp.PrintfLine("250 ok")
			}
		}
	}()
	return f
}

// TestMsmtpReadsExport runs msmtp on the export and checks, at a fake
// server, that it logged in with exactly the username and password given.
func TestMsmtpReadsExport(t *testing.T) {
	msmtp := need(t, "msmtp", "msmtp")
	long := strings.Repeat("Lx#\"\\ ", 100) + "end"
	values := append(append([]string{}, hostile...), long)
	for i, v := range values {
		for _, viaFile := range []bool{false, true} {
			if len(v) > 400 && !viaFile {
				continue // too long for an msmtp line: the file is the way
			}
			srv := newFakeSMTP(t)
			host, port, _ := net.SplitHostPort(srv.addr)
			p, _ := strconv.Atoi(port)
			s := smtp.Settings{Host: host, Port: p, Security: smtp.SecurityNone, Auth: smtp.AuthPlain, AllowPlaintextAuth: true,
				Username: "user " + v, Password: smtp.NewSecret(v), From: "nas@example.com"}
			if len(v) > 400 {
				s.Username = "user"
			}
			dir := t.TempDir()
			var opts ExportOptions
			if viaFile {
				opts.PasswordFile = filepath.Join(dir, "it's a password")
				if err := WritePasswordFile(opts.PasswordFile, s.Password); err != nil {
					t.Fatal(err)
				}
			}
			conf, err := MsmtpConfig(s, opts)
			if err != nil {
				t.Fatalf("%q: %v", v, err)
			}
			confPath := filepath.Join(dir, "msmtprc")
			writeFile0(t, confPath, string(conf), 0o600)
			cmd := exec.Command(msmtp, "-C", confPath, "-a", "default", "rcpt@example.com")
			cmd.Stdin = strings.NewReader("Subject: test\r\n\r\nbody\r\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("value %d %q (file %v): msmtp: %v\n%s\n%s", i, v, viaFile, err, out, conf)
			}
			if u, pw := <-srv.user, <-srv.pw; u != s.Username || pw != v {
				t.Errorf("msmtp logged in as %q with %q, want %q with %q\n%s", u, pw, s.Username, v, conf)
			}
		}
	}
}

// TestMsmtpAcceptsEveryMode lets msmtp parse each mode's export
// (--pretend reads the configuration and prints it, without connecting).
func TestMsmtpAcceptsEveryMode(t *testing.T) {
	msmtp := need(t, "msmtp", "msmtp")
	for name, s := range exportCases() {
		if s.PasswordFile != "" {
			// --pretend runs passwordeval, so the file must exist.
			s.PasswordFile = filepath.Join(t.TempDir(), "password")
			if err := WritePasswordFile(s.PasswordFile, s.Password); err != nil {
				t.Fatal(err)
			}
		}
		for _, auth := range []smtp.AuthMethod{smtp.AuthAuto, smtp.AuthLogin, smtp.AuthCRAMMD5, smtp.AuthXOAUTH2, smtp.AuthNone} {
			s.Auth = auth
			conf, err := MsmtpConfig(s, ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "msmtprc")
			writeFile0(t, path, string(conf), 0o600)
			out, err := exec.Command(msmtp, "-C", path, "-a", "default", "--pretend", "rcpt@example.com").CombinedOutput()
			if err != nil {
				t.Errorf("%s/%s: msmtp: %v\n%s\n%s", name, auth, err, out, conf)
				continue
			}
			if want := "host = " + s.Host; !strings.Contains(string(out), want) {
				t.Errorf("%s/%s: msmtp read:\n%s", name, auth, out)
			}
		}
	}
}

// TestPostfixReadsExport writes main.cf and sasl_passwd into a scratch
// config directory and asks postconf and postmap what they read. Each value
// gets its own port, so one table holds them all.
func TestPostfixReadsExport(t *testing.T) {
	postconf := need(t, "postconf", "postfix")
	postmap := need(t, "postmap", "postfix")
	dir := t.TempDir()
	mapPath := filepath.Join(dir, "sasl_passwd")
	opts := ExportOptions{PostfixSASLMap: "hash:" + mapPath}
	var table, keys strings.Builder
	want := map[string]string{}
	var mainCF []PostfixSetting
	for i, v := range append(append([]string{}, hostile...), "p:w:x", " lead", "p\tw", "trail ", "trail\t") {
		s := fullSettings()
		s.InsecureSkipVerify = false
		s.Port = 10000 + i
		s.Password = smtp.NewSecret(v)
		cf, sasl, err := PostfixConfig(s, opts)
		if strings.TrimRight(v, " \t") != v {
			checkErr(t, err, "ends with a blank")
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		mainCF = cf
		table.WriteString(sasl)
		key := "[" + s.Host + "]:" + strconv.Itoa(s.Port)
		keys.WriteString(key + "\n")
		want[key] = s.Username + ":" + v
	}
	var cf strings.Builder
	for _, p := range mainCF {
		cf.WriteString(p.String() + "\n")
	}
	writeFile0(t, filepath.Join(dir, "main.cf"), cf.String(), 0o644)
	writeFile0(t, filepath.Join(dir, "master.cf"), "", 0o644)
	writeFile0(t, mapPath, table.String(), 0o600)

	var stderr bytes.Buffer
	cmd := exec.Command(postconf, "-c", dir, "-n")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("postconf: %v %s", err, stderr.String())
	}
	for _, p := range mainCF {
		if !strings.Contains(string(out), p.String()+"\n") {
			t.Errorf("postconf read:\n%s\nwithout %q", out, p)
		}
	}
	if out, err := exec.Command(postmap, "-c", dir, "hash:"+mapPath).CombinedOutput(); err != nil {
		t.Fatalf("postmap: %v %s", err, out)
	}
	// postmap -q - reads keys on stdin and prints "key<TAB>value" lines.
	cmd = exec.Command(postmap, "-c", dir, "-q", "-", "hash:"+mapPath)
	cmd.Stdin = strings.NewReader(keys.String())
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("postmap -q: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(got), "\n"), "\n") {
		key, value, _ := strings.Cut(line, "\t")
		if want[key] != value {
			t.Errorf("postmap gives %q for %s, want %q", value, key, want[key])
		}
		delete(want, key)
	}
	if len(want) > 0 {
		t.Errorf("postmap lost %v", want)
	}
}

// TestPostconfCommands runs the postconf -e commands the export prints, in a
// shell, against a scratch directory: they must set exactly the main.cf lines.
func TestPostconfCommands(t *testing.T) {
	need(t, "postconf", "postfix")
	sh := need(t, "sh", "dash")
	s := fullSettings()
	s.Password = smtp.NewSecret("pw")
	s.CAFile = "/etc/ssl/it's #1.pem"
	s.InsecureSkipVerify = false
	var buf bytes.Buffer
	if err := Export(&buf, s, "postfix", ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile0(t, filepath.Join(dir, "main.cf"), "", 0o644)
	writeFile0(t, filepath.Join(dir, "master.cf"), "", 0o644)
	var script strings.Builder
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		if cmd, ok := strings.CutPrefix(sc.Text(), "#    postconf -e "); ok {
			script.WriteString("postconf -c \"$1\" -e " + cmd + "\n")
		}
	}
	if out, err := exec.Command(sh, "-ec", script.String(), "sh", dir).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, script.String())
	}
	mainCF, _, _ := PostfixConfig(s, ExportOptions{})
	out, _ := exec.Command("postconf", "-c", dir, "-n").Output()
	for _, p := range mainCF {
		if !strings.Contains(string(out), p.String()+"\n") {
			t.Errorf("after the commands, postconf -n is:\n%s\nwithout %q", out, p)
		}
	}
}

// TestExportFilesPrivate: the exports that carry a password are written by
// the caller; WritePasswordFile is the one we write, and it is 0600.
func TestPasswordFileForMsmtpIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	if err := WritePasswordFile(path, smtp.NewSecret("x")); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

// TestMsmtpSendsFromExactly: msmtp replaces %U, %H, %C and %M in "from"
// (nas%Hbox@... became nas<hostname>box@...; 50%Mail@... made msmtp exit 78
// without /etc/mailname) and has no escape for them. The export gives the
// address back exactly, or refuses it and says why.
func TestMsmtpSendsFromExactly(t *testing.T) {
	msmtp := need(t, "msmtp", "msmtp")
	for _, from := range []string{"nas%Hbox@example.com", "50%Mail@example.com", "a%%U@example.com", "x%C@example.com",
		"100%sure@example.com", "a%h@example.com", "nas@example.com", "x*y@example.com", "a?b@example.com"} {
		srv := newFakeSMTP(t)
		host, port, _ := net.SplitHostPort(srv.addr)
		p, _ := strconv.Atoi(port)
		s := smtp.Settings{Host: host, Port: p, Security: smtp.SecurityNone, Auth: smtp.AuthNone, From: from}
		conf, err := MsmtpConfig(s, ExportOptions{})
		if err != nil {
			var fe smtp.FieldError
			if !errors.As(err, &fe) || fe.Field != "from" || !strings.Contains(fe.Problem, "msmtp") || fe.Fix == "" {
				t.Errorf("from %q refused with %v; want a FieldError for from that says why msmtp cannot carry it", from, err)
			}
			continue
		}
		confPath := filepath.Join(t.TempDir(), "msmtprc")
		writeFile0(t, confPath, string(conf), 0o600)
		cmd := exec.Command(msmtp, "-C", confPath, "-a", "default", "rcpt@example.com")
		cmd.Stdin = strings.NewReader("Subject: test\r\n\r\nbody\r\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("from %q: msmtp: %v\n%s\n%s", from, err, out, conf)
			continue
		}
		if got := <-srv.mailFrom; !strings.EqualFold(got, "FROM:<"+from+">") {
			t.Errorf("from %q: msmtp sent MAIL %s", from, got)
		}
	}
}
