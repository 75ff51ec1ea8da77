package smtptest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/textproto"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wneessen/go-mail/smtp"
)

// waitFor polls cond until it holds, failing the test after ioTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(ioTimeout); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// wantSilence checks that nothing arrives on conn for a while.
func wantSilence(t *testing.T, conn net.Conn, d time.Duration) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(d))
	n, err := conn.Read(make([]byte, 1))
	if n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read %d bytes, err %v; want silence", n, err)
	}
	conn.SetReadDeadline(time.Now().Add(ioTimeout))
}

func TestSilent(t *testing.T) {
	s := NewRawServer(t, Silent)
	conn := dialRaw(t, s)
	wantSilence(t, conn, 300*time.Millisecond)
	io.WriteString(conn, "EHLO client.test\r\n")
	waitFor(t, "the server to record the EHLO", func() bool { return string(s.Wire()) == "EHLO client.test\r\n" })
}

func TestImplicitTLSIsSilentToPlainClients(t *testing.T) {
	s := NewServer(t, WithMode(ModeImplicitTLS))
	wantSilence(t, dialRaw(t, s), 300*time.Millisecond)

	conn := tls.Client(dialRaw(t, s), s.ClientTLSConfig())
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "220 mail.test ") {
		t.Fatalf("greeting inside TLS: %q, %v", line, err)
	}
}

func TestSlowDrip(t *testing.T) {
	t.Run("one byte then a pause", func(t *testing.T) {
		s := NewRawServer(t, SlowDrip, WithDripInterval(time.Hour))
		conn := dialRaw(t, s)
		b := make([]byte, 16)
		if n, err := conn.Read(b); err != nil || string(b[:n]) != "2" {
			t.Fatalf("first read %q, %v; want \"2\"", b[:n], err)
		}
		wantSilence(t, conn, 100*time.Millisecond)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if n, err := conn.Read(b); err == nil {
			t.Fatalf("read %q after Close, want the connection closed", b[:n])
		}
	})
	t.Run("a whole session, slowly", func(t *testing.T) {
		s := NewRawServer(t, SlowDrip, WithDripInterval(100*time.Microsecond), WithMode(ModePlain),
			WithAllowInsecureAuth(true), WithAccount("alice", "pw"))
		c := dial(t, s)
		if err := c.Auth(smtp.PlainAuth("", "alice", "pw", "localhost", true)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestEndlessLine(t *testing.T) {
	s := NewRawServer(t, EndlessLine)
	conn := dialRaw(t, s)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const total = 8 << 20
	buf := make([]byte, 32<<10)
	var first []byte
	for read := 0; read < total; {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes: %v", read, err)
		}
		if first == nil {
			first = append([]byte(nil), buf[:n]...)
		}
		if i := bytes.IndexAny(buf[:n], "\r\n"); i >= 0 {
			t.Fatalf("line ended after %d bytes", read+i)
		}
		read += n
	}
	runtime.ReadMemStats(&after)
	if !bytes.HasPrefix(first, []byte("220-")) {
		t.Errorf("starts with %q, want 220-", first[:min(len(first), 10)])
	}
	// Client and server share this process: 8 MiB crossed, and allocation
	// must stay well below that.
	if grown := after.TotalAlloc - before.TotalAlloc; grown > total/2 {
		t.Errorf("allocated %d bytes while %d crossed", grown, total)
	}

	conn.Close() // the server must notice and end the connection
	waitFor(t, "the server to drop the connection", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) == 0
	})
}

func TestEndlessReply(t *testing.T) {
	s := NewRawServer(t, EndlessReply)
	r := bufio.NewReader(dialRaw(t, s))
	for read := 0; read < 1<<20; {
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "220-mail.test ") || !strings.HasSuffix(line, "\r\n") {
			t.Fatalf("after %d bytes: %q, %v", read, line, err)
		}
		read += len(line)
	}
}

func TestCaptivePortal(t *testing.T) {
	s := NewRawServer(t, CaptivePortal)
	got, err := io.ReadAll(dialRaw(t, s))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte("HTTP/1.1 400 Bad Request\r\n")) || !bytes.HasSuffix(got, []byte("</html>\r\n")) {
		t.Errorf("got %q", got)
	}
	_, err = smtp.NewClient(dialRaw(t, s), "localhost")
	var pe textproto.ProtocolError
	if !errors.As(err, &pe) {
		t.Errorf("SMTP client got %v, want a protocol error", err)
	}
}

func TestNoSTARTTLS(t *testing.T) {
	t.Run("careful client", func(t *testing.T) {
		s := NewRawServer(t, NoSTARTTLS, WithAccount("alice", "pw"))
		c, err := smtp.NewClient(dialRaw(t, s), "localhost")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Hello("client.test"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := c.Extension("STARTTLS"); ok {
			t.Error("STARTTLS advertised")
		}
		if ok, mechs := c.Extension("AUTH"); !ok || mechs != "PLAIN LOGIN" {
			t.Errorf("AUTH = %v %q, want PLAIN LOGIN", ok, mechs)
		}
		// A careful client gives up here.
		c.Quit()
		s.Close()
		if bytes.Contains(s.PlainWire(), []byte("AUTH")) {
			t.Errorf("AUTH crossed in clear: %q", s.PlainWire())
		}
	})
	t.Run("careless client is caught", func(t *testing.T) {
		s := NewRawServer(t, NoSTARTTLS, WithAccount("alice", "pw"))
		c, err := smtp.NewClient(dialRaw(t, s), "localhost")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Auth(smtp.LoginAuth("alice", "pw", "localhost", true)); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if !bytes.Contains(s.PlainWire(), []byte("AUTH LOGIN")) {
			t.Errorf("PlainWire lacks the AUTH: %q", s.PlainWire())
		}
		if got := s.Logins(); len(got) != 1 || got[0].TLS || !got[0].OK {
			t.Errorf("Logins() = %+v", got)
		}
	})
}

func TestSTARTTLSInjection(t *testing.T) {
	s := NewRawServer(t, STARTTLSInjection, WithAccount("alice", "pw"))
	conn := dialRaw(t, s)
	r := bufio.NewReader(conn)
	readReply(t, r)
	io.WriteString(conn, "EHLO client.test\r\n")
	readReply(t, r)
	io.WriteString(conn, "STARTTLS\r\n")
	if got := readReply(t, r); got != "220 2.0.0 Ready to start TLS\r\n" {
		t.Fatalf("STARTTLS reply %q", got)
	}
	// The injected bytes came with the 220, so they sit in the reader.
	waitFor(t, "the injected bytes", func() bool {
		conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		r.Peek(len(DefaultInjection))
		return r.Buffered() >= len(DefaultInjection)
	})
	conn.SetReadDeadline(time.Now().Add(ioTimeout))
	if got, _ := r.Peek(r.Buffered()); string(got) != DefaultInjection {
		t.Fatalf("buffered after 220: %q, want %q", got, DefaultInjection)
	}

	// A correct client drops them and starts TLS on the raw connection.
	tc := tls.Client(conn, s.ClientTLSConfig())
	tr := bufio.NewReader(tc)
	io.WriteString(tc, "EHLO client.test\r\n")
	if got := readReply(t, tr); !strings.HasPrefix(got, "250-mail.test greets client.test\r\n") {
		t.Errorf("EHLO inside TLS got %q", got)
	}

	// go-mail's client is such a client.
	c := dial(t, s)
	if err := c.Auth(smtp.PlainAuth("", "alice", "pw", "localhost", false)); err != nil {
		t.Errorf("AUTH after injected STARTTLS: %v", err)
	}
}

// TestCloseStopsEverything starts every behaviour with a client in the
// middle of a conversation and checks that Close ends the connection and
// leaves no goroutine behind.
func TestCloseStopsEverything(t *testing.T) {
	behaviours := []Behavior{Silent, SlowDrip, EndlessLine, EndlessReply, CaptivePortal, NoSTARTTLS, STARTTLSInjection}
	for _, b := range behaviours {
		t.Run(b.String(), func(t *testing.T) {
			base := runtime.NumGoroutine()
			s, err := StartRaw(b, WithDripInterval(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			conn := dialRaw(t, s)
			if b != Silent {
				if _, err := conn.Read(make([]byte, 1)); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, "the connection to be served", func() bool {
				s.mu.Lock()
				defer s.mu.Unlock()
				return len(s.recs) == 1
			})
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, err := io.Copy(io.Discard, conn); err != nil && !isReset(err) {
				t.Errorf("after Close: %v, want EOF or reset", err)
			}
			conn.Close()
			waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= base })
			if _, err := net.Dial("tcp", s.Addr()); err == nil {
				t.Error("still accepting after Close")
			}
		})
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "read"
}

func TestBehaviorNames(t *testing.T) {
	for b := Silent; b <= STARTTLSInjection; b++ {
		if strings.HasPrefix(b.String(), "Behavior(") {
			t.Errorf("%d has no name", int(b))
		}
	}
	if got := Behavior(99).String(); got != "Behavior(99)" {
		t.Errorf("got %q", got)
	}
	if got := Mode(7).String(); got != "Mode(7)" {
		t.Errorf("got %q", got)
	}
}
