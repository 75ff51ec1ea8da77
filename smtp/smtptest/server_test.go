package smtptest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/wneessen/go-mail/smtp"
)

// ioTimeout keeps a broken test from hanging; no test measures time.
const ioTimeout = 10 * time.Second

// dialRaw connects to s with a deadline.
func dialRaw(t *testing.T, s *Server) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.Addr(), ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(ioTimeout))
	t.Cleanup(func() { conn.Close() })
	return conn
}

// dial connects a go-mail SMTP client to s, inside TLS from the first byte
// in ModeImplicitTLS, and upgraded with STARTTLS in ModeSTARTTLS.
func dial(t *testing.T, s *Server) *smtp.Client {
	t.Helper()
	conn := dialRaw(t, s)
	if s.Mode() == ModeImplicitTLS {
		conn = tls.Client(conn, s.ClientTLSConfig())
	}
	c, err := smtp.NewClient(conn, "localhost")
	if err != nil {
		t.Fatalf("greeting: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("client.test"); err != nil {
		t.Fatalf("EHLO: %v", err)
	}
	if s.Mode() == ModeSTARTTLS {
		if err := c.StartTLS(s.ClientTLSConfig()); err != nil {
			t.Fatalf("STARTTLS: %v", err)
		}
	}
	return c
}

// wantReply checks that err is the SMTP reply code with text msg (enhanced
// code first, lines joined by "\n", as net/textproto reports them).
func wantReply(t *testing.T, err error, code int, msg string) {
	t.Helper()
	var te *textproto.Error
	if !errors.As(err, &te) {
		t.Fatalf("got error %v, want SMTP reply %d %q", err, code, msg)
	}
	if te.Code != code || te.Msg != msg {
		t.Fatalf("got reply %d %q, want %d %q", te.Code, te.Msg, code, msg)
	}
}

func TestAuth(t *testing.T) {
	const user, pass = "alice@example.com", "correct horse"
	auths := map[string]func(pass string) smtp.Auth{
		"PLAIN":    func(p string) smtp.Auth { return smtp.PlainAuth("", user, p, "localhost", false) },
		"LOGIN":    func(p string) smtp.Auth { return smtp.LoginAuth(user, p, "localhost", false) },
		"CRAM-MD5": func(p string) smtp.Auth { return smtp.CRAMMD5Auth(user, p) },
		"XOAUTH2":  func(p string) smtp.Auth { return smtp.XOAuth2Auth(user, p) },
	}
	for impl, opts := range map[string][]Option{"go-smtp": nil, "hand-written": {handWritten}} {
		for _, mode := range []Mode{ModeSTARTTLS, ModeImplicitTLS} {
			for _, mech := range []string{"PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"} {
				for _, password := range []string{pass, "wrong"} {
					ok := password == pass
					t.Run(impl+"/"+mode.String()+"/"+mech+"/ok="+map[bool]string{true: "yes", false: "no"}[ok], func(t *testing.T) {
						t.Parallel()
						s := NewServer(t, append(opts, WithMode(mode), WithAccount(user, pass), WithAccount("bob", "other"),
							WithAuthMechanisms("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"))...)
						c := dial(t, s)
						err := c.Auth(auths[mech](password))
						if ok && err != nil {
							t.Fatalf("AUTH %s: %v", mech, err)
						}
						if !ok {
							wantReply(t, err, 535, "5.7.8 Username and Password not accepted.")
						}
						c.Close()
						s.Close()

						want := []LoginAttempt{{Mechanism: mech, User: user, OK: ok, TLS: true}}
						if got := s.Logins(); len(got) != 1 || got[0] != want[0] {
							t.Errorf("Logins() = %+v, want %+v", got, want)
						}
						plain := s.PlainWire()
						for _, secret := range []string{"AUTH", password, base64.StdEncoding.EncodeToString([]byte(user))} {
							if bytes.Contains(plain, []byte(secret)) {
								t.Errorf("PlainWire contains %q:\n%s", secret, plain)
							}
						}
						if !bytes.Contains(s.Wire(), []byte(TLSMark+"EHLO client.test\r\nAUTH "+mech)) &&
							!bytes.Contains(s.Wire(), []byte(TLSMark+"AUTH "+mech)) {
							t.Errorf("Wire lacks the AUTH inside TLS:\n%q", s.Wire())
						}
					})
				}
			}
		}
	}
}

// handWritten is an option that changes nothing but makes Start run the
// hand-written server (its NOOP reply is this one anyway).
var handWritten = WithReply("NOOP", 250, "2.0.0", "Ok")

// implementations runs f for a server on go-smtp and for one on the
// hand-written server; opts go to NewServer.
func implementations(t *testing.T, f func(t *testing.T, goSMTP bool, opts ...Option)) {
	t.Run("go-smtp", func(t *testing.T) { f(t, true) })
	t.Run("hand-written", func(t *testing.T) { f(t, false, handWritten) })
}

func TestWireMarksTLS(t *testing.T) {
	implementations(t, testWireMarksTLS)
}

func testWireMarksTLS(t *testing.T, _ bool, opts ...Option) {
	s := NewServer(t, append(opts, WithAccount("alice", "pw"))...)
	c := dial(t, s)
	if err := c.Auth(smtp.PlainAuth("", "alice", "pw", "localhost", false)); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ir := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00pw"))
	want := "EHLO client.test\r\nSTARTTLS\r\n" + TLSMark + "EHLO client.test\r\nAUTH PLAIN " + ir + "\r\nQUIT\r\n"
	if got := string(s.Wire()); got != want {
		t.Errorf("Wire() =\n%q\nwant\n%q", got, want)
	}
	if got, want := string(s.PlainWire()), "EHLO client.test\r\nSTARTTLS\r\n"; got != want {
		t.Errorf("PlainWire() = %q, want %q", got, want)
	}
	segs := s.Segments()
	if len(segs) != 2 || segs[0].TLS || !segs[1].TLS {
		t.Errorf("Segments() = %+v, want one clear then one TLS segment", segs)
	}
}

// TestPipelinedInClear sends AUTH in the same packet as STARTTLS: it crossed
// the network in clear, so PlainWire must show it, and the server must not
// act on it inside TLS.
func TestPipelinedInClear(t *testing.T) {
	implementations(t, testPipelinedInClear)
}

func testPipelinedInClear(t *testing.T, goSMTP bool, opts ...Option) {
	s := NewServer(t, append(opts, WithAccount("alice", "pw"))...)
	conn := dialRaw(t, s)
	r := bufio.NewReader(conn)
	readReply(t, r)
	io.WriteString(conn, "EHLO client.test\r\n")
	readReply(t, r)
	io.WriteString(conn, "STARTTLS\r\nAUTH PLAIN AGFsaWNlAHB3\r\n")
	if got := readReply(t, r); !strings.HasPrefix(got, "220 ") {
		t.Fatalf("STARTTLS reply %q", got)
	}
	tc := tls.Client(conn, s.ClientTLSConfig())
	tr := bufio.NewReader(tc)
	io.WriteString(tc, "MAIL FROM:<alice>\r\n")
	want := "503 5.5.1 Error: send HELO/EHLO first\r\n"
	if goSMTP {
		want = "502 5.5.1 Please introduce yourself first.\r\n"
	}
	if got := readReply(t, tr); got != want {
		t.Errorf("MAIL after STARTTLS got %q, want %q (EHLO needed again, pipelined AUTH ignored)", got, want)
	}
	tc.Close()
	s.Close()
	if !bytes.Contains(s.PlainWire(), []byte("AUTH PLAIN AGFsaWNlAHB3")) {
		t.Errorf("PlainWire lacks the AUTH sent in clear: %q", s.PlainWire())
	}
	if len(s.Logins()) != 0 {
		t.Errorf("server acted on pipelined AUTH: %+v", s.Logins())
	}
}

// readReply reads one (possibly multi-line) reply and returns it whole.
func readReply(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			t.Fatalf("reading reply: %v (got %q)", err, b.String())
		}
		if len(line) < 4 || line[3] != '-' {
			return b.String()
		}
	}
}

func TestMessageArrivesByteForByte(t *testing.T) {
	const msg = "From: alice@example.com\r\nTo: bob@example.net\r\nSubject: test\r\n\r\n" +
		"line one\r\n.leading dot\r\n..two dots\r\n.\tdot tab\r\nlast line without dot\r\n"
	for _, mode := range []Mode{ModeSTARTTLS, ModeImplicitTLS} {
		t.Run(mode.String(), func(t *testing.T) {
			s := NewServer(t, WithMode(mode), WithAccount("alice", "pw"))
			c := dial(t, s)
			if err := c.Auth(smtp.LoginAuth("alice", "pw", "localhost", false)); err != nil {
				t.Fatal(err)
			}
			if err := c.Mail("<alice@example.com>"); err != nil {
				t.Fatal(err)
			}
			for _, rcpt := range []string{"<bob@example.net>", "carol@example.org"} {
				if err := c.Rcpt(rcpt); err != nil {
					t.Fatal(err)
				}
			}
			w, err := c.Data()
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, msg)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got := s.Messages()
			if len(got) != 1 {
				t.Fatalf("got %d messages, want 1", len(got))
			}
			m := got[0]
			if string(m.Data) != msg {
				t.Errorf("Data =\n%q\nwant\n%q", m.Data, msg)
			}
			if m.From != "alice@example.com" || strings.Join(m.To, ",") != "bob@example.net,carol@example.org" ||
				m.Login != "alice" || !m.TLS {
				t.Errorf("envelope = %+v", m)
			}
		})
	}
}

// TestDataRaw sends DATA by hand to check what the server keeps: line
// endings untouched, dot-stuffing undone, and only CRLF.CRLF ends it.
func TestDataRaw(t *testing.T) {
	tests := []struct {
		name, sent, want string
	}{
		{"plain", "a\r\nb\r\n.\r\n", "a\r\nb\r\n"},
		{"empty", ".\r\n", ""},
		{"dot-stuffed", "..a\r\n...\r\n.\r\n", ".a\r\n..\r\n"},
		{"bare LF kept", "a\nb\r\n.\r\n", "a\nb\r\n"},
		{"bare CR kept", "line2\r.\r\n.\r\n", "line2\r.\r\n"},
		{"LF dot is not the end", "a\n.\r\nb\r\n.\r\n", "a\n.\r\nb\r\n"},
		{"long line", strings.Repeat("y", 40000) + "\r\n.z\r\n.\r\n", strings.Repeat("y", 40000) + "\r\nz\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer(t, WithMode(ModePlain))
			conn := dialRaw(t, s)
			r := bufio.NewReader(conn)
			readReply(t, r)
			for _, cmd := range []string{"EHLO c\r\n", "MAIL FROM:<a@b>\r\n", "RCPT TO:<c@d>\r\n", "DATA\r\n"} {
				io.WriteString(conn, cmd)
				readReply(t, r)
			}
			io.WriteString(conn, tt.sent)
			if got := readReply(t, r); !strings.HasPrefix(got, "250 ") {
				t.Fatalf("end of data: %q", got)
			}
			if got := string(s.Messages()[0].Data); got != tt.want {
				t.Errorf("Data = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMessageTooBig(t *testing.T) {
	implementations(t, func(t *testing.T, goSMTP bool, opts ...Option) {
		s := NewServer(t, append(opts, WithMode(ModePlain), WithMaxMessageBytes(10))...)
		c := dial(t, s)
		if ok, size := c.Extension("SIZE"); !ok || size != "10" {
			t.Errorf("SIZE = %v %q, want 10", ok, size)
		}
		send := func(msg string) error {
			t.Helper()
			if err := c.Mail("a@b"); err != nil {
				t.Fatal(err)
			}
			if err := c.Rcpt("c@d"); err != nil {
				t.Fatal(err)
			}
			w, err := c.Data()
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, msg)
			return w.Close()
		}
		tooBig := "5.3.4 Error: message file too big"
		if goSMTP {
			tooBig = "5.3.4 Maximum message size exceeded"
		}
		wantReply(t, send("01234567890123456789\r\n"), 552, tooBig)
		// Exactly the limit: go-smtp refuses it, the hand-written server
		// does not (see WithMaxMessageBytes).
		err := send("01234567\r\n")
		if goSMTP {
			wantReply(t, err, 552, tooBig)
		} else if err != nil {
			t.Errorf("message of exactly the limit: %v", err)
		}
		if err := send("0123456\r\n"); err != nil {
			t.Errorf("message under the limit: %v", err)
		}
		if n, want := len(s.Messages()), map[bool]int{true: 1, false: 2}[goSMTP]; n != want {
			t.Errorf("kept %d messages, want %d", n, want)
		}
	})
}

func TestWithReply(t *testing.T) {
	tests := []struct {
		command  string
		code     int
		enhanced string
		text     string
		want     string // textproto.Error.Msg
	}{
		{"AUTH", 534, "5.7.9", "Application-specific password required.", "5.7.9 Application-specific password required."},
		// go-smtp writes the enhanced code on the last line only.
		{"AUTH", 535, "5.7.8", "Username and Password not accepted. For more information, go to\nhttps://support.google.com/mail/?p=BadCredentials",
			"Username and Password not accepted. For more information, go to\n5.7.8 https://support.google.com/mail/?p=BadCredentials"},
		{"AUTH", 454, "4.7.0", "Too many login attempts, please try again later.", "4.7.0 Too many login attempts, please try again later."},
		{"MAIL", 550, "5.7.60", "SMTP; Client does not have permissions to send as this sender", "5.7.60 SMTP; Client does not have permissions to send as this sender"},
		{"RCPT", 550, "5.7.1", "Relaying denied", "5.7.1 Relaying denied"},
		{"DATA", 554, "5.7.1", "Message rejected as spam", "5.7.1 Message rejected as spam"},
	}
	for _, tt := range tests {
		t.Run(tt.command+"/"+tt.enhanced, func(t *testing.T) {
			t.Parallel()
			s := NewServer(t, WithAccount("alice", "pw"), WithReply(tt.command, tt.code, tt.enhanced, tt.text))
			c := dial(t, s)
			err := c.Auth(smtp.PlainAuth("", "alice", "pw", "localhost", false))
			if tt.command != "AUTH" {
				if err != nil {
					t.Fatal(err)
				}
				err = c.Mail("alice@example.com")
			}
			if tt.command != "AUTH" && tt.command != "MAIL" {
				if err != nil {
					t.Fatal(err)
				}
				err = c.Rcpt("bob@example.net")
			}
			if tt.command == "DATA" {
				if err != nil {
					t.Fatal(err)
				}
				w, err2 := c.Data()
				if err2 != nil {
					t.Fatal(err2)
				}
				io.WriteString(w, "Subject: x\r\n\r\nspam\r\n")
				err = w.Close()
			}
			wantReply(t, err, tt.code, tt.want)
			if tt.command == "AUTH" {
				want := LoginAttempt{Mechanism: "PLAIN", User: "alice", OK: false, TLS: true}
				if got := s.Logins(); len(got) != 1 || got[0] != want {
					t.Errorf("Logins() = %+v, want [%+v] (credentials sent before the scripted verdict)", got, want)
				}
			}
			if n := len(s.Messages()); n != 0 {
				t.Errorf("kept %d messages", n)
			}
		})
	}
}

func TestWithReplyEHLOAndGreeting(t *testing.T) {
	t.Run("EHLO", func(t *testing.T) {
		s := NewServer(t, WithMode(ModePlain), WithReply("EHLO", 250, "", "mail.test\nAUTH LOGIN\nX-ODD"))
		c := dial(t, s)
		if ok, _ := c.Extension("X-ODD"); !ok {
			t.Error("scripted EHLO reply not seen")
		}
		if err := c.Mail("a@b"); err != nil {
			t.Errorf("MAIL after scripted 250 EHLO: %v", err)
		}
	})
	t.Run("refusing greeting", func(t *testing.T) {
		s := NewServer(t, WithReply(Greeting, 554, "5.7.1", "Service unavailable; client host blocked"))
		_, err := smtp.NewClient(dialRaw(t, s), "localhost")
		wantReply(t, err, 554, "5.7.1 Service unavailable; client host blocked")
	})
	t.Run("421 greeting hangs up", func(t *testing.T) {
		s := NewServer(t, WithReply(Greeting, 421, "4.7.0", "Try again later"))
		conn := dialRaw(t, s)
		got, err := io.ReadAll(conn)
		if err != nil || string(got) != "421 4.7.0 Try again later\r\n" {
			t.Errorf("got %q, %v", got, err)
		}
	})
	t.Run("raw greeting and EHLO", func(t *testing.T) {
		const greeting = "220 mail.test \x1b[2J\x1b]52;c;cHduZWQ=\a \x9b31m \u202eevil\r\x00 ESMTP\r\n"
		const ehlo = "250-mail.test \x1b]0;title\a\r\n250 AUTH PLAIN\r\n"
		s := NewServer(t, WithGreeting(greeting), WithRawReply("EHLO", ehlo), WithReply("AUTH", 535, "5.7.8", "\x1b[31mno\x1b[0m"))
		conn := dialRaw(t, s)
		r := bufio.NewReader(conn)
		for _, step := range []struct{ send, want string }{
			{"", greeting},
			{"EHLO c\r\n", ehlo},
			{"STARTTLS\r\n", "220 2.0.0 Ready to start TLS\r\n"},
		} {
			io.WriteString(conn, step.send)
			if got := readReply(t, r); got != step.want {
				t.Errorf("after %q got %q, want %q", step.send, got, step.want)
			}
		}
	})
}

func TestAuthBeforeTLS(t *testing.T) {
	tests := []struct {
		name       string
		opts       []Option
		advertised bool
		code       int
		msg        string
	}{
		{"default hides AUTH", nil, false, 530, "5.7.0 Must issue a STARTTLS command first"},
		{"WithAuthRequiresTLS", []Option{WithAuthRequiresTLS()}, true, 530, "5.7.0 Must issue a STARTTLS command first"},
		{"WithAllowInsecureAuth", []Option{WithAllowInsecureAuth(true)}, true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(t, append(tt.opts, WithAccount("alice", "pw"))...)
			c, err := smtp.NewClient(dialRaw(t, s), "localhost")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Hello("client.test"); err != nil {
				t.Fatal(err)
			}
			if ok, _ := c.Extension("STARTTLS"); !ok {
				t.Error("STARTTLS not advertised")
			}
			if ok, _ := c.Extension("AUTH"); ok != tt.advertised {
				t.Errorf("AUTH advertised = %v, want %v", ok, tt.advertised)
			}
			// go-mail lets PLAIN go in clear to localhost, which is what
			// this test needs.
			err = c.Auth(smtp.PlainAuth("", "alice", "pw", "localhost", true))
			if tt.code == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if got := s.Logins(); len(got) != 1 || !got[0].OK || got[0].TLS {
					t.Errorf("Logins() = %+v", got)
				}
				return
			}
			wantReply(t, err, tt.code, tt.msg)
		})
	}
}

func TestMailPolicy(t *testing.T) {
	tests := []struct {
		name  string
		opts  []Option
		auth  bool
		from  string
		code  int
		reply string
	}{
		{"auth required", nil, false, "alice@example.com", 530, "5.7.0 Authentication required"},
		{"own sender", []Option{WithOwnedSenders("alice", "Alice@Example.com")}, true, "alice@example.com", 0, ""},
		{"foreign sender", []Option{WithOwnedSenders("alice", "alice@example.com")}, true, "boss@example.com", 553,
			"5.7.1 <boss@example.com>: Sender address rejected: not owned by user alice"},
		{"other login unrestricted", []Option{WithOwnedSenders("bob", "bob@example.com")}, true, "x@example.com", 0, ""},
		{"sender check error", []Option{WithSenderCheck(func(login, from string) error { return errors.New("no " + login) })}, true, "a@b", 553,
			"5.7.1 <a@b>: Sender address rejected: no alice"},
		{"sender check reply", []Option{WithSenderCheck(func(string, string) error {
			return &Reply{Code: 550, Enhanced: "5.7.60", Text: "SendAsDenied"}
		})}, true, "a@b", 550, "5.7.60 SendAsDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer(t, append(tt.opts, WithAccount("alice", "pw"))...)
			c := dial(t, s)
			if tt.auth {
				if err := c.Auth(smtp.PlainAuth("", "alice", "pw", "localhost", false)); err != nil {
					t.Fatal(err)
				}
			}
			err := c.Mail(tt.from)
			if tt.code == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantReply(t, err, tt.code, tt.reply)
		})
	}
}

func TestCertificates(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	issue := func(f func() (tls.Certificate, error)) tls.Certificate {
		cert, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return cert
	}
	now := time.Now()
	tests := []struct {
		name    string
		opts    []Option
		wantErr any // nil, or a pointer to the error type errors.As must find
	}{
		{"default", nil, nil},
		{"shared CA", []Option{WithCA(ca)}, nil},
		{"wrong name", []Option{WithCA(ca), WithCertificate(issue(func() (tls.Certificate, error) { return ca.Issue("wrong.example") }))},
			new(x509.HostnameError)},
		{"expired", []Option{WithCA(ca), WithCertificate(issue(func() (tls.Certificate, error) {
			return ca.IssueWithValidity(now.Add(-48*time.Hour), now.Add(-24*time.Hour), "localhost")
		}))}, new(x509.CertificateInvalidError)},
		{"not yet valid", []Option{WithCA(ca), WithCertificate(issue(func() (tls.Certificate, error) {
			return ca.IssueWithValidity(now.Add(24*time.Hour), now.Add(48*time.Hour), "localhost")
		}))}, new(x509.CertificateInvalidError)},
		{"unknown CA", []Option{WithCA(ca), WithCertificate(issue(func() (tls.Certificate, error) { return other.Issue("localhost") }))},
			new(x509.UnknownAuthorityError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(t, append(tt.opts, WithMode(ModeImplicitTLS))...)
			conn := tls.Client(dialRaw(t, s), s.ClientTLSConfig())
			err := conn.Handshake()
			switch target := tt.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatal(err)
				}
			case *x509.HostnameError:
				if !errors.As(err, target) {
					t.Fatalf("got %v, want %T", err, target)
				}
			case *x509.CertificateInvalidError:
				if !errors.As(err, target) || target.Reason != x509.Expired {
					t.Fatalf("got %v, want an expired/not-yet-valid error", err)
				}
			case *x509.UnknownAuthorityError:
				if !errors.As(err, target) {
					t.Fatalf("got %v, want %T", err, target)
				}
			}
		})
	}
}

func TestDefaultCertificateNames(t *testing.T) {
	s := NewServer(t, WithHostname("smtp.example.test"))
	leaf := s.Certificate()
	opts := x509.VerifyOptions{Roots: s.CA().Pool()}
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "smtp.example.test"} {
		opts.DNSName = name
		if _, err := leaf.Verify(opts); err != nil {
			t.Errorf("certificate not valid for %s: %v", name, err)
		}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CA().PEM()) {
		t.Fatal("CA PEM does not parse")
	}
	opts.Roots, opts.DNSName = pool, "localhost"
	if _, err := leaf.Verify(opts); err != nil {
		t.Errorf("leaf does not verify under the PEM CA: %v", err)
	}
	if _, err := s.CA().Issue(); err == nil {
		t.Error("Issue() with no name succeeded")
	}
}

func TestIPv6(t *testing.T) {
	s, err := Start(WithAddr("[::1]:0"), WithMode(ModeImplicitTLS))
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer s.Close()
	if s.Host() != "::1" {
		t.Errorf("Host() = %q", s.Host())
	}
	cfg := s.ClientTLSConfig()
	cfg.ServerName = "::1"
	conn, err := tls.Dial("tcp", s.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

func TestStartErrors(t *testing.T) {
	if _, err := Start(WithMode(Mode(42))); err == nil {
		t.Error("Start with an unknown mode succeeded")
	}
	if _, err := Start(WithAddr("256.0.0.1:0")); err == nil {
		t.Error("Start on a bad address succeeded")
	}
	if _, err := StartRaw(Behavior(0)); err == nil {
		t.Error("StartRaw with no behaviour succeeded")
	}
}
