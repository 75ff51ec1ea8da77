package smtptest

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"time"
)

// Behavior is a way for a server to misbehave that options to Start cannot
// express. Servers in ModeImplicitTLS need no behaviour: they already stay
// silent towards a client that does not start with a TLS ClientHello.
type Behavior int

// The behaviours StartRaw offers.
const (
	// Silent accepts connections and never sends a byte; it reads and
	// records what the client sends.
	Silent Behavior = iota + 1
	// SlowDrip is a normal server that sends every byte, starting with its
	// greeting, one at a time, pausing WithDripInterval (default one
	// second) after each. It drips whatever crosses the socket, TLS records
	// included.
	SlowDrip
	// EndlessLine sends "220-" and then one line that never ends, as fast
	// as the client reads, until the client hangs up or Close.
	EndlessLine
	// EndlessReply sends an endless multi-line greeting: "220-..." lines,
	// each properly ended, that never reach a final "220 " line.
	EndlessReply
	// CaptivePortal answers every connection with an HTTP "400 Bad Request"
	// page, as an intercepting proxy or a captive portal does, then hangs
	// up.
	CaptivePortal
	// NoSTARTTLS is a server whose STARTTLS an attacker stripped: it greets,
	// lists "AUTH PLAIN LOGIN" but no STARTTLS, and accepts AUTH in clear.
	// It behaves as Start with WithMode(ModePlain) and
	// WithAllowInsecureAuth(true), on the hand-written server; a test
	// asserts with PlainWire that no AUTH line arrived.
	NoSTARTTLS
	// STARTTLSInjection answers STARTTLS with "220" followed, in the same
	// TCP write, by plain-text bytes (DefaultInjection, or WithInjection),
	// as a man in the middle would inject them (CVE-2011-0411 class). A
	// correct client discards them instead of reading them as the reply to
	// its first command inside TLS. Otherwise it is a normal STARTTLS server.
	STARTTLSInjection
)

// String returns the behaviour's name.
func (b Behavior) String() string {
	switch b {
	case Silent:
		return "silent"
	case SlowDrip:
		return "slow-drip"
	case EndlessLine:
		return "endless-line"
	case EndlessReply:
		return "endless-reply"
	case CaptivePortal:
		return "captive-portal"
	case NoSTARTTLS:
		return "no-starttls"
	case STARTTLSInjection:
		return "starttls-injection"
	}
	return "Behavior(" + strconv.Itoa(int(b)) + ")"
}

// StartRaw starts a server with the given behaviour, always on the
// hand-written server. Options that shape the SMTP conversation apply to the
// behaviours that hold one (SlowDrip, NoSTARTTLS, STARTTLSInjection); the
// others ignore them. Close ends every connection and goroutine of the
// server, whatever it is doing.
func StartRaw(b Behavior, opts ...Option) (*Server, error) {
	switch b {
	case Silent:
		return start(serveSilent, nil, opts)
	case SlowDrip:
		return start(serveSlowDrip, nil, opts)
	case EndlessLine:
		return start(serveEndless([]byte("220-"), bytes.Repeat([]byte("x"), 32<<10)), nil, opts)
	case EndlessReply:
		return start(serveEndlessReply, nil, opts)
	case CaptivePortal:
		return start(serveCaptivePortal, nil, opts)
	case NoSTARTTLS:
		return start(serveSMTP, []Option{WithMode(ModePlain), WithAllowInsecureAuth(true)}, opts)
	case STARTTLSInjection:
		inject := func(c *config) { c.injectAfterSTARTTLS = true }
		return start(serveSMTP, []Option{WithMode(ModeSTARTTLS), inject}, opts)
	}
	return nil, fmt.Errorf("smtptest: unknown behaviour %v", b)
}

// NewRawServer is StartRaw for tests: it fails the test if the server cannot
// start, and closes the server when the test ends.
func NewRawServer(tb TB, b Behavior, opts ...Option) *Server {
	tb.Helper()
	s, err := StartRaw(b, opts...)
	if err != nil {
		tb.Fatalf("smtptest: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// drain reads (and so records) what the client sends until the connection
// ends.
func drain(conn net.Conn) {
	buf := make([]byte, 4<<10)
	for {
		if _, err := conn.Read(buf); err != nil {
			return
		}
	}
}

func serveSilent(_ *Server, conn net.Conn, _ *recorder) { drain(conn) }

func serveSlowDrip(s *Server, conn net.Conn, rec *recorder) {
	serveSMTP(s, &dripConn{Conn: conn, interval: s.cfg.dripInterval, done: s.done}, rec)
}

// serveEndless sends prefix and then unit again and again. The same unit is
// written each time, so the server's memory does not grow however much the
// client reads.
func serveEndless(prefix, unit []byte) handler {
	return func(_ *Server, conn net.Conn, _ *recorder) {
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			drain(conn)
		}()
		defer func() {
			conn.Close()
			<-drained
		}()
		if _, err := conn.Write(prefix); err != nil {
			return
		}
		for {
			if _, err := conn.Write(unit); err != nil {
				return
			}
		}
	}
}

func serveEndlessReply(s *Server, conn net.Conn, rec *recorder) {
	line := []byte("220-" + s.cfg.hostname + " this reply goes on and on and never ends\r\n")
	serveEndless(nil, bytes.Repeat(line, 512))(s, conn, rec)
}

const portalPage = "<html><head><title>400 Bad Request</title></head>\r\n" +
	"<body><center><h1>400 Bad Request</h1></center><hr><center>nginx</center></body></html>\r\n"

// portalLinger bounds how long a captive portal waits for the client to hang
// up after its answer.
const portalLinger = 2 * time.Second

func serveCaptivePortal(_ *Server, conn net.Conn, _ *recorder) {
	resp := "HTTP/1.1 400 Bad Request\r\n" +
		"Server: nginx\r\n" +
		"Content-Type: text/html\r\n" +
		"Content-Length: " + strconv.Itoa(len(portalPage)) + "\r\n" +
		"Connection: close\r\n" +
		"\r\n" + portalPage
	if _, err := conn.Write([]byte(resp)); err != nil {
		return
	}
	// Half-close and read until the client hangs up, so that closing does
	// not reset the connection before the client has read the answer.
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	conn.SetReadDeadline(time.Now().Add(portalLinger))
	drain(conn)
}

// dripConn writes one byte at a time with a pause after each, until the
// server closes.
type dripConn struct {
	net.Conn
	interval time.Duration
	done     <-chan struct{}
}

func (c *dripConn) Write(p []byte) (int, error) {
	for i := range p {
		if _, err := c.Conn.Write(p[i : i+1]); err != nil {
			return i, err
		}
		t := time.NewTimer(c.interval)
		select {
		case <-t.C:
		case <-c.done:
			t.Stop()
			return i + 1, net.ErrClosed
		}
	}
	return len(p), nil
}
