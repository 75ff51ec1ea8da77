package smtptest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
)

const (
	// idleTimeout bounds how long a server waits for a client's next line or
	// TLS handshake.
	idleTimeout = 2 * time.Minute
	// lineBuffer is the longest command line (and AUTH response) accepted.
	lineBuffer = 16 << 10
)

var (
	errLineTooLong = errors.New("line too long")
	errHangUp      = errors.New("hang up")
)

// session is one SMTP conversation on one connection.
type session struct {
	s    *Server
	cfg  *config
	rec  *recorder
	sock net.Conn // the socket as seen below TLS
	conn net.Conn // what commands are read from: sock, or the TLS layer
	r    *bufio.Reader

	tls     bool
	refused bool // the greeting was a refusal
	quit    bool
	greeted bool
	login   string // the authenticated user
	authed  bool
	inMail  bool
	from    string
	to      []string
	heard   []string // what the client said, for WithReflection
}

// serveSMTP is the handler of the hand-written server: of a server Start
// gives when its options script what go-smtp cannot say, and of the
// behaviours that only tweak a well-behaved server.
func serveSMTP(s *Server, conn net.Conn, rec *recorder) {
	ss := &session{s: s, cfg: &s.cfg, rec: rec, sock: conn, conn: conn}
	ss.r = bufio.NewReaderSize(conn, lineBuffer)
	if s.cfg.mode == ModeImplicitTLS {
		if ss.upgrade() != nil {
			return
		}
	}
	if ss.greet() != nil {
		return
	}
	for !ss.quit {
		line, err := ss.readLine()
		switch {
		case errors.Is(err, errLineTooLong):
			ss.reply(500, "5.5.2", "Error: line too long")
			return
		case errors.Is(err, os.ErrDeadlineExceeded):
			ss.reply(421, "4.4.2", ss.cfg.hostname+" Error: timeout exceeded")
			return
		case err != nil:
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		if ss.dispatch(strings.ToUpper(verb), strings.TrimSpace(arg)) != nil {
			return
		}
	}
	if ss.tls {
		ss.conn.SetWriteDeadline(time.Now().Add(time.Second))
		ss.conn.Close() // sends close_notify
	}
}

// commands maps an SMTP verb to its handler.
var commands = map[string]func(*session, string) error{
	"EHLO":     (*session).ehlo,
	"HELO":     (*session).helo,
	"STARTTLS": (*session).startTLS,
	"AUTH":     (*session).auth,
	"MAIL":     (*session).mail,
	"RCPT":     (*session).rcpt,
	"DATA":     (*session).data,
	"RSET":     (*session).rset,
	"NOOP":     (*session).noop,
	"QUIT":     (*session).quitCmd,
}

func (ss *session) dispatch(verb, arg string) error {
	if ss.refused && verb != "QUIT" {
		return ss.reply(503, "5.5.1", "Error: no service")
	}
	if h, ok := commands[verb]; ok {
		return h(ss, arg)
	}
	if sc, ok := ss.script(verb); ok {
		return ss.send(sc.wire)
	}
	return ss.reply(502, "5.5.2", "Error: command not recognized")
}

func (ss *session) script(verb string) (scripted, bool) {
	sc, ok := ss.cfg.scripts[verb]
	return sc, ok
}

func (ss *session) send(b []byte) error {
	if ss.cfg.reflect {
		b = ss.reflect(b)
	}
	_, err := ss.conn.Write(b)
	return err
}

func (ss *session) reply(code int, enhanced, text string) error {
	r := Reply{Code: code, Enhanced: enhanced, Text: text}
	return ss.send(r.wire())
}

// readLine reads one command line without its line ending; a bare LF ends a
// line too.
func (ss *session) readLine() (string, error) {
	ss.conn.SetReadDeadline(time.Now().Add(idleTimeout))
	line, err := ss.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", errLineTooLong
	}
	if err != nil {
		return "", err
	}
	line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
	ss.hear(string(line))
	return string(line), nil
}

func (ss *session) greet() error {
	sc, ok := ss.script(Greeting)
	if !ok {
		return ss.reply(220, "", ss.cfg.hostname+" ESMTP smtptest")
	}
	if err := ss.send(sc.wire); err != nil {
		return err
	}
	switch {
	case sc.code == 421:
		return errHangUp
	case sc.code != 0 && !sc.ok():
		ss.refused = true
	}
	return nil
}

// upgrade runs the server side of a TLS handshake on the socket and
// continues the session inside TLS, forgetting everything said before, as
// RFC 3207 requires. Anything the client pipelined in clear is dropped with
// the old reader.
func (ss *session) upgrade() error {
	ss.rec.startTLS()
	tc := tls.Server(ss.sock, ss.s.tlsConfig)
	tc.SetReadDeadline(time.Now().Add(idleTimeout))
	if err := tc.Handshake(); err != nil {
		return err
	}
	tc.SetReadDeadline(time.Time{})
	ss.conn = &decryptedConn{Conn: tc, rec: ss.rec}
	ss.r = bufio.NewReaderSize(ss.conn, lineBuffer)
	ss.tls = true
	ss.greeted, ss.authed, ss.login = false, false, ""
	ss.resetMail()
	return nil
}

func (ss *session) resetMail() {
	ss.inMail, ss.from, ss.to = false, "", nil
}

func (ss *session) hello(verb, arg string, lines []string) error {
	if arg == "" {
		return ss.reply(501, "5.5.4", "Syntax: "+verb+" hostname")
	}
	if sc, ok := ss.script(verb); ok {
		if sc.ok() {
			ss.greeted = true
			ss.resetMail()
		}
		return ss.send(sc.wire)
	}
	ss.greeted = true
	ss.resetMail()
	return ss.reply(250, "", strings.Join(lines, "\n"))
}

func (ss *session) ehlo(arg string) error {
	lines := []string{
		ss.cfg.hostname + " greets " + arg,
		"PIPELINING",
		"8BITMIME",
		"ENHANCEDSTATUSCODES",
		"SIZE " + strconv.Itoa(ss.cfg.maxMessageBytes),
	}
	if ss.cfg.mode == ModeSTARTTLS && !ss.tls {
		lines = append(lines, "STARTTLS")
	}
	if ss.authAdvertised() && len(ss.cfg.mechanisms) > 0 {
		lines = append(lines, "AUTH "+strings.Join(ss.cfg.mechanisms, " "))
	}
	return ss.hello("EHLO", arg, lines)
}

func (ss *session) helo(arg string) error {
	return ss.hello("HELO", arg, []string{ss.cfg.hostname})
}

// authUsable reports whether AUTH may run now; authAdvertised whether EHLO
// lists it.
func (ss *session) authUsable() bool { return ss.tls || ss.cfg.allowInsecureAuth }

func (ss *session) authAdvertised() bool {
	return ss.authUsable() || (ss.cfg.authRequiresTLS && ss.cfg.mode == ModeSTARTTLS)
}

func (ss *session) startTLS(arg string) error {
	if arg != "" {
		return ss.reply(501, "5.5.4", "Syntax: STARTTLS")
	}
	canTLS := ss.cfg.mode == ModeSTARTTLS && !ss.tls
	wire := (&Reply{Code: 220, Enhanced: "2.0.0", Text: "Ready to start TLS"}).wire()
	if sc, ok := ss.script("STARTTLS"); ok {
		wire = sc.wire
		canTLS = canTLS && sc.code == 220
	} else if ss.tls {
		return ss.reply(554, "5.5.1", "Error: TLS already active")
	} else if !canTLS {
		return ss.reply(502, "5.5.1", "Error: command not implemented")
	}
	if canTLS && ss.cfg.injectAfterSTARTTLS {
		wire = append(slices.Clip(wire), ss.cfg.injection...)
	}
	if err := ss.send(wire); err != nil || !canTLS {
		return err
	}
	return ss.upgrade()
}

func (ss *session) auth(arg string) error {
	switch {
	case !ss.greeted:
		return ss.reply(503, "5.5.1", "Error: send HELO/EHLO first")
	case ss.authed:
		return ss.reply(503, "5.5.1", "Error: already authenticated")
	case ss.inMail:
		return ss.reply(503, "5.5.1", "Error: MAIL transaction in progress")
	}
	fields := strings.Fields(arg)
	if len(fields) == 0 || len(fields) > 2 {
		return ss.reply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]")
	}
	if !ss.authUsable() {
		if ss.cfg.mode == ModeSTARTTLS {
			return ss.send(errSTARTTLSFirst.wire())
		}
		return ss.reply(503, "5.5.1", "Error: authentication not enabled")
	}
	mech := strings.ToUpper(fields[0])
	if !slices.Contains(ss.cfg.mechanisms, mech) {
		return ss.reply(504, "5.5.4", "Unrecognized authentication type")
	}
	return ss.authenticate(mech, fields[1:])
}

// authenticate runs an AUTH exchange for an advertised mechanism, with the
// initial response if the client gave one, records it and sends the verdict.
func (ss *session) authenticate(mech string, initial []string) error {
	a := &authState{accounts: ss.cfg.accounts, hostname: ss.cfg.hostname, verify: ss.cfg.verifyToken}
	srv := a.mechanism(mech)
	if srv == nil {
		if sc, ok := ss.script("AUTH"); ok {
			return ss.send(sc.wire)
		}
		return ss.reply(504, "5.5.4", "Unrecognized authentication type")
	}
	var ir []byte
	if len(initial) == 1 {
		var err error
		if ir, err = decodeSASL(initial[0]); err != nil {
			return ss.reply(501, "5.5.2", "Cannot decode response")
		}
		ss.hear(string(ir))
	}
	verdict, err := ss.exchange(srv, ir)
	if err != nil {
		return err
	}
	if verdict == errAborted {
		ss.s.addLogin(LoginAttempt{Mechanism: mech, User: a.user, TLS: ss.tls})
		return ss.reply(501, "5.7.0", "Authentication aborted")
	}
	ok, wire := verdict == nil, authReply(verdict).wire()
	if sc, scripted := ss.script("AUTH"); scripted {
		ok, wire = sc.code == 235, sc.wire
	}
	ss.s.addLogin(LoginAttempt{Mechanism: mech, User: a.user, OK: ok, TLS: ss.tls})
	if ok {
		ss.authed, ss.login = true, a.user
	}
	return ss.send(wire)
}

// authReply is the server's own answer to the verdict of a SASL exchange.
func authReply(verdict error) *Reply {
	if verdict == nil {
		return &Reply{Code: 235, Enhanced: "2.7.0", Text: "Authentication successful"}
	}
	if r, ok := errors.AsType[*Reply](verdict); ok {
		return r
	}
	return &Reply{Code: 501, Enhanced: "5.5.2", Text: "Malformed authentication data"}
}

// exchange runs the SASL challenges and responses. It returns the
// mechanism's verdict, or an error if the connection failed.
func (ss *session) exchange(srv sasl.Server, resp []byte) (verdict, err error) {
	for {
		challenge, done, err := srv.Next(resp)
		if done || err != nil {
			return err, nil
		}
		line := "334 " + base64.StdEncoding.EncodeToString(challenge) + "\r\n"
		if err := ss.send([]byte(line)); err != nil {
			return nil, err
		}
		text, err := ss.readLine()
		if err != nil {
			return nil, err
		}
		if text == "*" {
			return errAborted, nil
		}
		if resp, err = decodeSASL(text); err != nil {
			return errMalformed, nil
		}
		ss.hear(string(resp))
	}
}

func decodeSASL(s string) ([]byte, error) {
	if s == "=" {
		return []byte{}, nil
	}
	return base64.StdEncoding.DecodeString(s)
}

func (ss *session) mail(arg string) error {
	switch {
	case !ss.greeted:
		return ss.reply(503, "5.5.1", "Error: send HELO/EHLO first")
	case ss.inMail:
		return ss.reply(503, "5.5.1", "Error: nested MAIL command")
	}
	from, ok := parsePath(arg, "FROM:")
	if !ok {
		return ss.reply(501, "5.5.4", "Syntax: MAIL FROM:<address>")
	}
	if sc, ok := ss.script("MAIL"); ok {
		if sc.ok() {
			ss.inMail, ss.from = true, from
		}
		return ss.send(sc.wire)
	}
	if len(ss.cfg.accounts) > 0 && !ss.authed {
		if ss.cfg.mode == ModeSTARTTLS && !ss.authUsable() {
			return ss.send(errSTARTTLSFirst.wire())
		}
		return ss.reply(530, "5.7.0", "Authentication required")
	}
	if r := senderVerdict(ss.cfg.senderChecks, ss.login, from); r != nil {
		return ss.send(r.wire())
	}
	ss.inMail, ss.from = true, from
	return ss.reply(250, "2.1.0", "Ok")
}

func (ss *session) rcpt(arg string) error {
	if !ss.inMail {
		return ss.reply(503, "5.5.1", "Error: need MAIL command")
	}
	to, ok := parsePath(arg, "TO:")
	if !ok || to == "" {
		return ss.reply(501, "5.5.4", "Syntax: RCPT TO:<address>")
	}
	if sc, ok := ss.script("RCPT"); ok {
		if sc.ok() {
			ss.to = append(ss.to, to)
		}
		return ss.send(sc.wire)
	}
	ss.to = append(ss.to, to)
	return ss.reply(250, "2.1.5", "Ok")
}

func (ss *session) data(arg string) error {
	switch {
	case arg != "":
		return ss.reply(501, "5.5.4", "Syntax: DATA")
	case !ss.inMail:
		return ss.reply(503, "5.5.1", "Error: need MAIL command")
	case len(ss.to) == 0:
		return ss.reply(503, "5.5.1", "Error: need RCPT command")
	}
	if err := ss.reply(354, "", "End data with <CR><LF>.<CR><LF>"); err != nil {
		return err
	}
	body, tooBig, err := ss.readData()
	if err != nil {
		return err
	}
	msg := Message{From: ss.from, To: ss.to, Data: body, Login: ss.login, TLS: ss.tls}
	ss.resetMail()
	if tooBig {
		return ss.reply(552, "5.3.4", "Error: message file too big")
	}
	if sc, ok := ss.script("DATA"); ok {
		if sc.ok() {
			ss.s.addMessage(msg)
		}
		return ss.send(sc.wire)
	}
	ss.s.addMessage(msg)
	return ss.reply(250, "2.0.0", "Ok: queued")
}

// readData reads a message up to the line "." (RFC 5321 4.1.1.4), undoing
// dot-stuffing and keeping every other byte as sent. Only CRLF ends a line
// here, so a bare CR or LF stays part of the message. A message larger than
// the limit is read to its end and dropped.
func (ss *session) readData() (body []byte, tooBig bool, err error) {
	atStart, prevCR := true, false
	for {
		ss.conn.SetReadDeadline(time.Now().Add(idleTimeout))
		chunk, err := ss.r.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, false, err
		}
		complete := err == nil
		if atStart && complete && string(chunk) == ".\r\n" {
			return body, tooBig, nil
		}
		n := len(chunk)
		endsCRLF := complete && (n >= 2 && chunk[n-2] == '\r' || n == 1 && prevCR)
		prevCR = chunk[n-1] == '\r'
		if atStart && chunk[0] == '.' {
			chunk = chunk[1:]
		}
		atStart = endsCRLF
		if tooBig {
			continue
		}
		if len(body)+len(chunk) > ss.cfg.maxMessageBytes {
			tooBig, body = true, nil
			continue
		}
		body = append(body, chunk...)
	}
}

func (ss *session) rset(string) error {
	if sc, ok := ss.script("RSET"); ok {
		if sc.ok() {
			ss.resetMail()
		}
		return ss.send(sc.wire)
	}
	ss.resetMail()
	return ss.reply(250, "2.0.0", "Ok")
}

func (ss *session) noop(string) error {
	if sc, ok := ss.script("NOOP"); ok {
		return ss.send(sc.wire)
	}
	return ss.reply(250, "2.0.0", "Ok")
}

func (ss *session) quitCmd(string) error {
	ss.quit = true
	if sc, ok := ss.script("QUIT"); ok {
		return ss.send(sc.wire)
	}
	return ss.reply(221, "2.0.0", "Bye")
}

// senderVerdict runs the sender checks on MAIL FROM and returns the reply
// refusing the sender, or nil.
func senderVerdict(checks []func(login, from string) error, login, from string) *Reply {
	for _, check := range checks {
		if err := check(login, from); err != nil {
			if r, ok := errors.AsType[*Reply](err); ok {
				return r
			}
			return &Reply{Code: 553, Enhanced: "5.7.1", Text: "<" + from + ">: Sender address rejected: " + err.Error()}
		}
	}
	return nil
}

// parsePath returns the address in "FROM:<addr> params" or "TO:<addr>".
// Like Postfix, it also takes an address without angle brackets.
func parsePath(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimLeft(arg[len(prefix):], " ")
	if bare, ok := strings.CutPrefix(rest, "<"); ok {
		addr, _, ok := strings.Cut(bare, ">")
		return addr, ok
	}
	addr, _, _ := strings.Cut(rest, " ")
	return addr, addr != ""
}
