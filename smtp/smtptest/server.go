// Package smtptest runs SMTP servers in the same process, for tests and for
// the program's --demo mode, much as net/http/httptest does for HTTP.
//
// Start (or NewServer in a test) gives a working submission server on a
// loopback port: STARTTLS or implicit TLS with a certificate from a
// throw-away CA, AUTH PLAIN and LOGIN against the accounts it was given, and
// mail that is kept, not delivered. Options turn it into a server that fails
// in a chosen way: any reply to any command (WithReply), AUTH only inside
// TLS, senders the login does not own, the wrong certificate.
//
// # Two servers
//
// The server Start gives is github.com/emersion/go-smtp, so that tests talk
// to a real, independent SMTP implementation and not to this package's
// reading of the protocol. smtptest supplies its backend (accounts, AUTH
// mechanisms, the AUTH, MAIL, RCPT and DATA verdicts, the kept messages),
// its certificate and, for implicit TLS, a TLS listener; go-smtp speaks SMTP:
// greeting, EHLO, STARTTLS, command syntax and sequence, the SASL exchange,
// DATA, and the wording of its own replies. Every option runs on go-smtp
// except those that script what go-smtp cannot say: WithGreeting,
// WithRawReply, and WithReply for any command but AUTH, MAIL, RCPT and DATA
// or with a reply other than a 4xx or 5xx failure. Given any of them, Start
// runs this package's hand-written SMTP server instead, for the whole
// Server; their docs say "served by the hand-written server". It behaves the
// same, in its own words (its EHLO reply, for instance, begins
// "250-<hostname> greets <client>" where go-smtp's begins "250-Hello
// <client>").
//
// StartRaw (or NewRawServer) runs servers that misbehave at the transport
// level: silent, slow, endless, an HTTP captive portal, a stripped or
// injected STARTTLS. They all run on the hand-written server.
//
// Every server records what clients sent (Wire, PlainWire), the messages it
// accepted (Messages) and the AUTH attempts (Logins), never the passwords.
package smtptest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Server is an SMTP server listening on a loopback port. Its methods are safe
// for concurrent use.
type Server struct {
	cfg       config
	ln        net.Listener
	ca        *CA
	cert      tls.Certificate
	tlsConfig *tls.Config
	handle    handler

	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	mu       sync.Mutex
	closed   bool
	conns    map[net.Conn]struct{}
	recs     []*recorder
	messages []Message
	logins   []LoginAttempt
}

// handler serves one accepted connection. conn records what it reads; the
// server closes conn when handler returns.
type handler func(s *Server, conn net.Conn, rec *recorder)

// Message is a mail the server accepted.
type Message struct {
	From  string   // MAIL FROM address, without the angle brackets
	To    []string // RCPT TO addresses
	Data  []byte   // the message as received: dot-stuffing undone, final "." line removed, line endings untouched
	Login string   // the authenticated user, or ""
	TLS   bool     // whether the message came inside TLS
}

// LoginAttempt is one AUTH exchange. The password is never kept.
type LoginAttempt struct {
	Mechanism string // e.g. "PLAIN"
	User      string // the user name the client gave, "" if it gave none
	OK        bool   // whether the server answered 235
	TLS       bool   // whether the exchange ran inside TLS
}

// TB is the part of testing.TB that NewServer uses; a *testing.T fits. It
// keeps package testing out of programs that run a server for --demo.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Start starts an SMTP server with the given options and serves in the
// background until Close.
func Start(opts ...Option) (*Server, error) {
	return start(nil, nil, opts)
}

// NewServer is Start for tests: it fails the test if the server cannot
// start, and closes the server when the test ends.
func NewServer(tb TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatalf("smtptest: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// start starts a server that serves every connection with h, or, if h is
// nil, with go-smtp when it can express the options and with the
// hand-written server when it cannot.
func start(h handler, preset []Option, opts []Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range append(preset, opts...) {
		o(&cfg)
	}
	if cfg.mode < ModeSTARTTLS || cfg.mode > ModePlain {
		return nil, fmt.Errorf("smtptest: unknown mode %v", cfg.mode)
	}
	if h == nil {
		h = serveSMTP
		if cfg.goSMTPServes() {
			h = serveGoSMTP
		}
	}
	s := &Server{
		cfg:    cfg,
		ca:     cfg.ca,
		handle: h,
		done:   make(chan struct{}),
		conns:  map[net.Conn]struct{}{},
	}
	if s.ca == nil {
		ca, err := NewCA()
		if err != nil {
			return nil, err
		}
		s.ca = ca
	}
	if cfg.cert != nil {
		s.cert = *cfg.cert
	} else {
		names := []string{"localhost", "127.0.0.1", "::1"}
		if cfg.hostname != "" && cfg.hostname != "localhost" {
			names = append(names, cfg.hostname)
		}
		cert, err := s.ca.Issue(names...)
		if err != nil {
			return nil, err
		}
		s.cert = cert
	}
	s.tlsConfig = &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("smtptest: %w", err)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.done:
				return
			case <-time.After(10 * time.Millisecond): // e.g. out of file descriptors
				continue
			}
		}
		s.track(c)
	}
}

// track runs the handler for c in its own goroutine, unless the server is
// closing.
func (s *Server) track(c net.Conn) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	rec := &recorder{conn: len(s.recs)}
	s.recs = append(s.recs, rec)
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()

	go func() {
		defer s.wg.Done()
		defer func() {
			c.Close()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
		s.handle(s, &recordingConn{Conn: c, rec: rec}, rec)
	}()
}

// Close stops the server: it closes the listener and every connection and
// returns once all of the server's goroutines have ended. It may be called
// more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		s.mu.Lock()
		s.closed = true
		if err := s.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			s.closeErr = err
		}
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s.closeErr
}

// Addr returns the address the server listens on, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host returns the IP address the server listens on, e.g. "127.0.0.1".
func (s *Server) Host() string { return s.ln.Addr().(*net.TCPAddr).IP.String() }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Mode returns the server's transport mode.
func (s *Server) Mode() Mode { return s.cfg.mode }

// Hostname returns the name the server gives in its greeting.
func (s *Server) Hostname() string { return s.cfg.hostname }

// CA returns the authority that issued the server's default certificate.
func (s *Server) CA() *CA { return s.ca }

// Certificate returns the leaf certificate the server presents, e.g. to
// compute the fingerprint a client should pin.
func (s *Server) Certificate() *x509.Certificate {
	if s.cert.Leaf != nil {
		return s.cert.Leaf
	}
	leaf, err := x509.ParseCertificate(s.cert.Certificate[0])
	if err != nil {
		return nil
	}
	return leaf
}

// ClientTLSConfig returns a TLS configuration under which a client trusts
// the server's CA (and nothing else) and expects the name "localhost", for
// which the default certificate is valid.
func (s *Server) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.ca.Pool(), ServerName: "localhost", MinVersion: tls.VersionTLS12}
}

// String returns the server's address and mode, e.g. "127.0.0.1:40123
// (starttls)".
func (s *Server) String() string { return s.Addr() + " (" + s.cfg.mode.String() + ")" }

// Messages returns the messages the server accepted, in order. A message is
// recorded before the server replies to its end of data.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		m.To = append([]string(nil), m.To...)
		m.Data = append([]byte(nil), m.Data...)
		out[i] = m
	}
	return out
}

// Logins returns the AUTH attempts, in order. An attempt is complete before
// the server sends its verdict. On go-smtp it is recorded when the exchange
// starts, so an exchange the client abandons (or that breaks) counts too, with
// the user name if the client gave one.
func (s *Server) Logins() []LoginAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LoginAttempt(nil), s.logins...)
}

// Segments returns what clients sent, connection by connection, split into
// runs sent in clear and runs sent inside TLS (decrypted).
//
// Clear runs are read on the socket, below TLS, and judged by framing alone,
// so that no clear text can be missed: everything before TLS starts (the
// STARTTLS command line and anything the client pipelined after it
// included) is clear; once the server has accepted STARTTLS, or from the
// first byte in ModeImplicitTLS, bytes that form well-framed TLS records
// (the handshake's included) are left out, and from the first byte that
// cannot start a TLS record everything is clear again. On go-smtp a failed
// STARTTLS handshake, after which go-smtp answers and reads in clear, also
// makes the rest clear.
//
// TLS runs are the plaintext as the server read it above TLS: on go-smtp,
// what go-smtp tees into its Server.Debug writer (one per connection); on the
// hand-written server, what it reads from its *tls.Conn.
func (s *Server) Segments() []Segment {
	s.mu.Lock()
	recs := append([]*recorder(nil), s.recs...)
	s.mu.Unlock()
	var out []Segment
	for _, r := range recs {
		out = append(out, r.snapshot()...)
	}
	return out
}

// Wire returns everything clients sent, in order: clear-text bytes exactly
// as they crossed the network, bytes sent inside TLS decrypted and preceded
// by TLSMark, and each new connection preceded by ConnMark. Call it once the
// client is done; bytes still in flight are not there yet.
func (s *Server) Wire() []byte {
	var b []byte
	prev := -1
	for _, seg := range s.Segments() {
		if prev >= 0 && seg.Conn != prev {
			b = append(b, ConnMark...)
		}
		if seg.TLS {
			b = append(b, TLSMark...)
		}
		b = append(b, seg.Data...)
		prev = seg.Conn
	}
	return b
}

// PlainWire returns only what clients sent in clear, as an eavesdropper on
// the network would read it, all connections in order. A test asserts with
// it that no credential crossed unencrypted.
func (s *Server) PlainWire() []byte {
	var b []byte
	for _, seg := range s.Segments() {
		if !seg.TLS {
			b = append(b, seg.Data...)
		}
	}
	return b
}

func (s *Server) addMessage(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
}

// addLogin records an AUTH attempt and returns its index for updateLogin.
func (s *Server) addLogin(l LoginAttempt) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logins = append(s.logins, l)
	return len(s.logins) - 1
}

// updateLogin changes the recorded attempt i as the exchange goes on.
func (s *Server) updateLogin(i int, update func(*LoginAttempt)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	update(&s.logins[i])
}
