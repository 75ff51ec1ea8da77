package smtptest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
)

// greeting returns the first line a server sends, inside TLS in
// ModeImplicitTLS.
func greeting(t *testing.T, s *Server) string {
	t.Helper()
	conn := dialRaw(t, s)
	if s.Mode() == ModeImplicitTLS {
		conn = tls.Client(conn, s.ClientTLSConfig())
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("greeting: %q, %v", line, err)
	}
	return line
}

// TestServerChoice checks which options run on go-smtp and which need the
// hand-written server, by the greeting each writes.
func TestServerChoice(t *testing.T) {
	const goSMTP, handWritten = "220 mail.test ESMTP Service Ready\r\n", "220 mail.test ESMTP smtptest\r\n"
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"--demo", []Option{WithMode(ModeSTARTTLS), WithAccount("demo@example.test", "pw")}, goSMTP},
		{"defaults", nil, goSMTP},
		{"implicit TLS", []Option{WithMode(ModeImplicitTLS)}, goSMTP},
		{"plain and policies", []Option{WithMode(ModePlain), WithAllowInsecureAuth(true), WithAuthRequiresTLS(),
			WithOwnedSenders("a", "a@b"), WithMaxMessageBytes(100), WithAuthMechanisms("CRAM-MD5")}, goSMTP},
		{"failure verdicts", []Option{WithReply("AUTH", 534, "5.7.9", "x"), WithReply("MAIL", 550, "", "x"),
			WithReply("rcpt", 451, "4.7.1", "x"), WithReply("DATA", 554, "5.7.139", "x\ny")}, goSMTP},
		{"greeting", []Option{WithReply(Greeting, 220, "", "mail.test ESMTP smtptest")}, handWritten},
		{"EHLO", []Option{WithReply("EHLO", 250, "", "x")}, handWritten},
		{"NOOP", []Option{WithReply("NOOP", 250, "", "x")}, handWritten},
		{"unknown verb", []Option{WithReply("VRFY", 252, "", "x")}, handWritten},
		{"success verdict", []Option{WithReply("MAIL", 250, "2.1.0", "Sender OK")}, handWritten},
		{"AUTH 235", []Option{WithReply("AUTH", 235, "2.7.0", "Accepted")}, handWritten},
		{"odd enhanced code", []Option{WithReply("RCPT", 550, "5.7", "x")}, handWritten},
		{"zero enhanced code", []Option{WithReply("RCPT", 550, "0.0.0", "x")}, handWritten},
		{"raw failure", []Option{WithRawReply("AUTH", "535 5.7.8 no\r\n")}, handWritten},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := greeting(t, NewServer(t, tt.opts...)); got != tt.want {
				t.Errorf("greeting %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPlainWireCatchesClearText sends clear text where TLS is expected:
// whatever the TLS stack makes of it, it crossed in clear, so PlainWire
// must show it.
func TestPlainWireCatchesClearText(t *testing.T) {
	secret := "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00alice\x00pw")) + "\r\n"
	// starttls gets the server to accept STARTTLS.
	starttls := func(t *testing.T, s *Server) (net.Conn, *bufio.Reader) {
		conn := dialRaw(t, s)
		r := bufio.NewReader(conn)
		readReply(t, r)
		io.WriteString(conn, "EHLO client.test\r\n")
		readReply(t, r)
		io.WriteString(conn, "STARTTLS\r\n")
		if got := readReply(t, r); !strings.HasPrefix(got, "220 ") {
			t.Fatalf("STARTTLS: %q", got)
		}
		return conn, r
	}
	implementations(t, func(t *testing.T, goSMTP bool, opts ...Option) {
		t.Run("clear text instead of a ClientHello", func(t *testing.T) {
			s := NewServer(t, append(opts, WithAccount("alice", "pw"))...)
			conn, r := starttls(t, s)
			io.WriteString(conn, secret)
			want := "EHLO client.test\r\nSTARTTLS\r\n" + secret
			if goSMTP {
				// go-smtp answers in clear and goes on in clear.
				if got := readReply(t, r); got != "550 5.0.0 Handshake error\r\n" {
					t.Errorf("after a failed handshake: %q", got)
				}
				io.WriteString(conn, "EHLO again\r\n")
				readReply(t, r)
				io.WriteString(conn, secret)
				if got := readReply(t, r); !strings.HasPrefix(got, "530 ") {
					t.Errorf("AUTH in clear after the failed handshake: %q", got)
				}
				io.WriteString(conn, "QUIT\r\n")
				want += "EHLO again\r\n" + secret + "QUIT\r\n"
			}
			io.Copy(io.Discard, r)
			s.Close()
			if got := string(s.PlainWire()); got != want {
				t.Errorf("PlainWire() = %q, want %q", got, want)
			}
			if len(s.Logins()) != 0 {
				t.Errorf("Logins() = %+v", s.Logins())
			}
		})
		t.Run("client refuses the certificate", func(t *testing.T) {
			s := NewServer(t, append(opts, WithAccount("alice", "pw"))...)
			conn, r := starttls(t, s)
			if err := tls.Client(conn, &tls.Config{ServerName: "localhost"}).Handshake(); err == nil {
				t.Fatal("handshake with an unknown CA succeeded")
			}
			if !goSMTP {
				return // the hand-written server hangs up
			}
			if got := readReply(t, r); got != "550 5.0.0 Handshake error\r\n" {
				t.Errorf("after a failed handshake: %q", got)
			}
			io.WriteString(conn, secret)
			if got := readReply(t, r); !strings.HasPrefix(got, "530 ") {
				t.Errorf("AUTH in clear after the failed handshake: %q", got)
			}
			io.WriteString(conn, "QUIT\r\n")
			io.Copy(io.Discard, r)
			s.Close()
			if got := s.PlainWire(); !bytes.HasSuffix(got, []byte(secret+"QUIT\r\n")) {
				t.Errorf("PlainWire() = %q, want it to end with the AUTH", got)
			}
		})
		t.Run("clear text after the handshake", func(t *testing.T) {
			s := NewServer(t, append(opts, WithAccount("alice", "pw"))...)
			conn, _ := starttls(t, s)
			tc := tls.Client(conn, s.ClientTLSConfig())
			tr := bufio.NewReader(tc)
			io.WriteString(tc, "EHLO inside\r\n")
			readReply(t, tr)
			io.WriteString(conn, secret) // below TLS
			io.Copy(io.Discard, conn)
			s.Close()
			if got := string(s.PlainWire()); got != "EHLO client.test\r\nSTARTTLS\r\n"+secret {
				t.Errorf("PlainWire() = %q", got)
			}
			if !bytes.Contains(s.Wire(), []byte(TLSMark+"EHLO inside\r\n")) {
				t.Errorf("Wire() = %q", s.Wire())
			}
		})
		t.Run("clear text to implicit TLS", func(t *testing.T) {
			s := NewServer(t, append(opts, WithMode(ModeImplicitTLS))...)
			conn := dialRaw(t, s)
			io.WriteString(conn, "EHLO client.test\r\n"+secret)
			waitFor(t, "the server to record it", func() bool { return len(s.PlainWire()) == len("EHLO client.test\r\n"+secret) })
			conn.Close()
			s.Close()
			if got := string(s.PlainWire()); got != "EHLO client.test\r\n"+secret {
				t.Errorf("PlainWire() = %q", got)
			}
		})
	})
}

// TestAuthAbandoned checks that an AUTH exchange the client cancels is
// recorded, with the user name it gave.
func TestAuthAbandoned(t *testing.T) {
	implementations(t, func(t *testing.T, goSMTP bool, opts ...Option) {
		s := NewServer(t, append(opts, WithAccount("alice", "pw"))...)
		c := dial(t, s)
		b64 := base64.StdEncoding.EncodeToString
		for _, step := range []struct{ send, want string }{
			{"AUTH LOGIN", "334 " + b64([]byte("Username:"))},
			{b64([]byte("alice")), "334 " + b64([]byte("Password:"))},
			{"*", "501 "},
		} {
			id, err := c.Text.Cmd("%s", step.send)
			if err != nil {
				t.Fatal(err)
			}
			c.Text.StartResponse(id)
			line, err := c.Text.ReadLine()
			c.Text.EndResponse(id)
			if err != nil || !strings.HasPrefix(line, step.want) {
				t.Fatalf("after %q: %q, %v; want %q", step.send, line, err, step.want)
			}
		}
		want := LoginAttempt{Mechanism: "LOGIN", User: "alice", TLS: true}
		if got := s.Logins(); len(got) != 1 || got[0] != want {
			t.Errorf("Logins() = %+v, want [%+v]", got, want)
		}
	})
}

// TestSenderCheckOddReply sends a sender check's *Reply whose enhanced code
// go-smtp cannot represent: it goes out as part of the text.
func TestSenderCheckOddReply(t *testing.T) {
	s := NewServer(t, WithMode(ModePlain), WithSenderCheck(func(string, string) error {
		return &Reply{Code: 550, Enhanced: "5.7.x", Text: "SendAsDenied"}
	}))
	c := dial(t, s)
	wantReply(t, c.Mail("a@b.example"), 550, "5.7.x SendAsDenied")
}

// TestStartCloseStopsEverything closes servers with a client in the middle
// of a conversation and checks that no goroutine is left behind.
func TestStartCloseStopsEverything(t *testing.T) {
	implementations(t, func(t *testing.T, goSMTP bool, opts ...Option) {
		for _, mode := range []Mode{ModeSTARTTLS, ModeImplicitTLS, ModePlain} {
			t.Run(mode.String(), func(t *testing.T) {
				base := runtime.NumGoroutine()
				s, err := Start(append(opts, WithMode(mode), WithAccount("alice", "pw"))...)
				if err != nil {
					t.Fatal(err)
				}
				c := dial(t, s) // after EHLO, inside TLS where there is TLS
				if err := c.Noop(); err != nil {
					t.Fatal(err)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				if err := c.Noop(); err == nil {
					t.Error("NOOP after Close succeeded")
				}
				c.Close()
				waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= base })
				if _, err := net.Dial("tcp", s.Addr()); err == nil {
					t.Error("still accepting after Close")
				}
			})
		}
	})
}
