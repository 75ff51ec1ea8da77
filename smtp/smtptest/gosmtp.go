package smtptest

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// This file runs the well-behaved server on github.com/emersion/go-smtp.
// smtptest gives go-smtp a Backend whose sessions hold the accounts, the
// policies and the scripted verdicts; go-smtp does the protocol: greeting,
// EHLO, STARTTLS, command syntax and sequence, the SASL exchange, DATA.
//
// Each accepted connection is served by its own go-smtp Server, which is
// cheap, so that the connection has its own Server.Debug writer: that is the
// one place go-smtp shows the bytes it reads above TLS, which Wire records as
// the decrypted client stream. PlainWire never depends on it: it is recorded
// below TLS.

// maxLineLength is the longest line go-smtp accepts, in commands and in DATA
// alike; RFC 5321 asks for 1000, but tests send longer lines.
const maxLineLength = 1 << 20

// discardLog keeps go-smtp's error log (failed handshakes, dropped clients)
// off the terminal, which --demo shares with its user interface.
var discardLog = log.New(io.Discard, "", 0)

// goSMTPScriptable lists the commands whose reply WithReply can script on
// go-smtp: the session returns the reply as an error at that point.
var goSMTPScriptable = map[string]bool{"AUTH": true, "MAIL": true, "RCPT": true, "DATA": true}

// goSMTPServes reports whether go-smtp can serve a server with this
// configuration: every scripted reply is a failure (4xx or 5xx) to AUTH,
// MAIL, RCPT or DATA, given with WithReply and an enhanced code go-smtp can
// write. Anything else needs the hand-written server.
func (c *config) goSMTPServes() bool {
	if c.reflect {
		return false
	}
	for verb, sc := range c.scripts {
		if sc.reply == nil || !goSMTPScriptable[verb] || sc.code < 400 || sc.code > 599 {
			return false
		}
		if _, ok := enhancedCode(sc.reply.Enhanced); !ok {
			return false
		}
	}
	return true
}

// enhancedCode parses an RFC 3463 code such as "5.7.8"; "" means none.
func enhancedCode(s string) (smtp.EnhancedCode, bool) {
	if s == "" {
		return smtp.NoEnhancedCode, true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return smtp.EnhancedCode{}, false
	}
	var ec smtp.EnhancedCode
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 999 || strconv.Itoa(n) != p {
			return smtp.EnhancedCode{}, false
		}
		ec[i] = n
	}
	if ec == smtp.EnhancedCodeNotSet { // go-smtp would write X.0.0 instead
		return smtp.EnhancedCode{}, false
	}
	return ec, true
}

// smtpError turns a Reply into the error a go-smtp session returns to have
// it sent. go-smtp writes the enhanced code on the last line of a multi-line
// reply only. An enhanced code go-smtp cannot represent is sent as part of
// the text, which reads the same on a one-line reply.
func smtpError(r *Reply) *smtp.SMTPError {
	if ec, ok := enhancedCode(r.Enhanced); ok {
		return &smtp.SMTPError{Code: r.Code, EnhancedCode: ec, Message: r.Text}
	}
	return &smtp.SMTPError{Code: r.Code, EnhancedCode: smtp.NoEnhancedCode, Message: r.Enhanced + " " + r.Text}
}

// serveGoSMTP is the handler of a well-behaved server: a go-smtp Server of
// its own serves conn.
func serveGoSMTP(s *Server, conn net.Conn, rec *recorder) {
	wc := &watchedConn{Conn: conn, rec: rec, starttls: s.cfg.mode == ModeSTARTTLS, closed: make(chan struct{})}
	gs := smtp.NewServer(&backend{s: s})
	gs.Domain = s.cfg.hostname
	// AUTH always reaches the session, which decides by the options whether
	// it is advertised and allowed on a clear-text link (see Auth).
	gs.AllowInsecureAuth = true
	gs.MaxMessageBytes = int64(s.cfg.maxMessageBytes)
	gs.MaxLineLength = maxLineLength
	gs.ReadTimeout = idleTimeout
	gs.ErrorLog = discardLog
	gs.Debug = &debugTap{rec: rec}
	var l net.Listener = &connListener{conn: wc, closed: wc.closed, done: make(chan struct{})}
	switch s.cfg.mode {
	case ModeSTARTTLS:
		gs.TLSConfig = s.tlsConfig
	case ModeImplicitTLS:
		rec.startTLS()
		l = tls.NewListener(l, s.tlsConfig)
	}
	gs.Serve(l) // returns once the connection is closed
	// Wait for go-smtp's goroutine for the connection to end.
	gs.Shutdown(context.Background())
}

// connListener hands one connection to a go-smtp Server, then blocks until
// that connection is closed (or the listener is), and so ends Serve.
type connListener struct {
	conn     net.Conn
	accepted bool          // only Serve's goroutine calls Accept
	closed   chan struct{} // closed when conn is
	done     chan struct{} // closed by Close
	once     sync.Once
}

func (l *connListener) Accept() (net.Conn, error) {
	if !l.accepted {
		l.accepted = true
		return l.conn, nil
	}
	select {
	case <-l.closed:
	case <-l.done:
	}
	return nil, net.ErrClosed
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return l.conn.LocalAddr() }

// watchedConn is the socket of a go-smtp connection: it shows the recorder
// what the server writes below TLS, and says when it is closed.
type watchedConn struct {
	net.Conn // a *recordingConn
	rec      *recorder
	starttls bool
	closed   chan struct{}
	once     sync.Once
}

func (c *watchedConn) Write(p []byte) (int, error) {
	c.rec.serverWrite(p, c.starttls)
	return c.Conn.Write(p)
}

func (c *watchedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.closed) })
	return err
}

// debugTap is a connection's Server.Debug. go-smtp (v0.25.1, conn.go init)
// tees into it what it reads from the connection, above TLS once TLS is up,
// through an io.TeeReader, and what it writes, through an io.MultiWriter,
// into the same writer. Only the former is the client's, and nothing in the
// bytes says which is which, so the caller's frame tells them apart. If a
// go-smtp upgrade changes this, only the decrypted part of Wire is lost, and
// TestWireMarksTLS fails loudly; PlainWire is unaffected.
type debugTap struct{ rec *recorder }

func (d *debugTap) Write(p []byte) (int, error) {
	if calledFrom("io.(*teeReader).Read") {
		d.rec.decryptedIfTLS(p)
	}
	return len(p), nil
}

// calledFrom reports whether fn is among the few callers of the function
// that calls calledFrom.
func calledFrom(fn string) bool {
	var pcs [3]uintptr
	n := runtime.Callers(3, pcs[:]) // skips runtime.Callers, calledFrom and its caller
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if f.Function == fn {
			return true
		}
		if !more {
			return false
		}
	}
}

// backend starts a session at every EHLO or HELO go-smtp receives (again
// after STARTTLS).
type backend struct{ s *Server }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &goSession{s: b.s, cfg: &b.s.cfg, conn: c}, nil
}

// goSession is the state go-smtp leaves to the backend: the login and the
// envelope.
type goSession struct {
	s      *Server
	cfg    *config
	conn   *smtp.Conn
	login  string // the authenticated user
	authed bool
	from   string
	to     []string
}

var (
	_ smtp.Session     = (*goSession)(nil)
	_ smtp.AuthSession = (*goSession)(nil)
)

func (ss *goSession) tls() bool {
	_, ok := ss.conn.TLSConnectionState()
	return ok
}

// authUsable reports whether AUTH may run now; authAdvertised whether EHLO
// lists it. They follow the hand-written server.
func (ss *goSession) authUsable() bool { return ss.tls() || ss.cfg.allowInsecureAuth }

func (ss *goSession) authAdvertised() bool {
	return ss.authUsable() || (ss.cfg.authRequiresTLS && ss.cfg.mode == ModeSTARTTLS)
}

// AuthMechanisms lists the mechanisms for EHLO; none hides AUTH.
func (ss *goSession) AuthMechanisms() []string {
	if !ss.authAdvertised() {
		return nil
	}
	return ss.cfg.mechanisms
}

// Auth starts an AUTH exchange: go-smtp has checked the sequence and decoded
// any initial response.
func (ss *goSession) Auth(mech string) (sasl.Server, error) {
	if !ss.authUsable() {
		if ss.cfg.mode == ModeSTARTTLS {
			return nil, smtpError(errSTARTTLSFirst)
		}
		return nil, smtpError(&Reply{Code: 503, Enhanced: "5.5.1", Text: "Error: authentication not enabled"})
	}
	unknown := smtpError(&Reply{Code: 504, Enhanced: "5.5.4", Text: "Unrecognized authentication type"})
	if !slices.Contains(ss.cfg.mechanisms, mech) {
		return nil, unknown
	}
	a := &authState{accounts: ss.cfg.accounts, hostname: ss.cfg.hostname, verify: ss.cfg.verifyToken}
	srv := a.mechanism(mech)
	if srv == nil {
		if sc, ok := ss.cfg.scripts["AUTH"]; ok {
			return nil, smtpError(sc.reply)
		}
		return nil, unknown
	}
	// The attempt is recorded now, so that one the client abandons counts
	// too, and completed before go-smtp sends the verdict.
	i := ss.s.addLogin(LoginAttempt{Mechanism: mech, TLS: ss.tls()})
	return &recordedSASL{ss: ss, a: a, inner: srv, login: i}, nil
}

// recordedSASL runs a mechanism, keeps Logins up to date and turns its
// verdict, or the scripted one, into the error go-smtp sends.
type recordedSASL struct {
	ss    *goSession
	a     *authState
	inner sasl.Server
	login int
}

func (r *recordedSASL) Next(resp []byte) ([]byte, bool, error) {
	challenge, done, err := r.inner.Next(resp)
	if !done && err == nil {
		r.ss.s.updateLogin(r.login, func(l *LoginAttempt) { l.User = r.a.user })
		return challenge, false, nil
	}
	var verdict error
	if sc, ok := r.ss.cfg.scripts["AUTH"]; ok {
		verdict = smtpError(sc.reply)
	} else if err != nil {
		verdict = smtpError(authReply(err))
	}
	r.ss.s.updateLogin(r.login, func(l *LoginAttempt) { l.User, l.OK = r.a.user, verdict == nil })
	if verdict != nil {
		return nil, true, verdict
	}
	r.ss.authed, r.ss.login = true, r.a.user
	return nil, true, nil
}

func (ss *goSession) Mail(from string, _ *smtp.MailOptions) error {
	if sc, ok := ss.cfg.scripts["MAIL"]; ok {
		return smtpError(sc.reply)
	}
	if len(ss.cfg.accounts) > 0 && !ss.authed {
		if ss.cfg.mode == ModeSTARTTLS && !ss.authUsable() {
			return smtpError(errSTARTTLSFirst)
		}
		return smtpError(&Reply{Code: 530, Enhanced: "5.7.0", Text: "Authentication required"})
	}
	if r := senderVerdict(ss.cfg.senderChecks, ss.login, from); r != nil {
		return smtpError(r)
	}
	ss.from = from
	return nil
}

func (ss *goSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if sc, ok := ss.cfg.scripts["RCPT"]; ok {
		return smtpError(sc.reply)
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data keeps the message as go-smtp delivers it: dot-stuffing undone, the
// final "." line removed.
func (ss *goSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se // e.g. smtp.ErrDataTooLarge, sent as is only unwrapped
		}
		return err
	}
	if sc, ok := ss.cfg.scripts["DATA"]; ok {
		return smtpError(sc.reply)
	}
	ss.s.addMessage(Message{From: ss.from, To: slices.Clone(ss.to), Data: body, Login: ss.login, TLS: ss.tls()})
	return nil
}

func (ss *goSession) Reset() { ss.from, ss.to = "", nil }

func (ss *goSession) Logout() error { return nil }
