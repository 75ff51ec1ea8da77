package smtptest

import (
	"crypto/tls"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Mode is how a Server protects the connection.
type Mode int

// The three transport modes.
const (
	// ModeSTARTTLS starts in clear text and offers STARTTLS (port 587).
	// It is the default.
	ModeSTARTTLS Mode = iota
	// ModeImplicitTLS speaks TLS from the first byte (port 465): it waits
	// for a TLS ClientHello and greets only inside TLS, so a clear-text or
	// STARTTLS client sees a server that never says anything, while a TLS
	// probe succeeds.
	ModeImplicitTLS
	// ModePlain never encrypts and does not offer STARTTLS (port 25 on a
	// trusted network, or a link where an attacker stripped STARTTLS).
	ModePlain
)

// String returns the mode's name.
func (m Mode) String() string {
	switch m {
	case ModeSTARTTLS:
		return "starttls"
	case ModeImplicitTLS:
		return "implicit-tls"
	case ModePlain:
		return "plain"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Option changes how Start or StartRaw sets a server up.
type Option func(*config)

// Pseudo-commands accepted by WithReply and WithRawReply besides real SMTP
// commands.
const (
	// Greeting names the reply sent when a client connects (normally
	// "220 <hostname> ESMTP").
	Greeting = "CONNECT"
)

type config struct {
	mode              Mode
	addr              string
	hostname          string
	accounts          map[string]string
	verifyToken       func(user, token string) error
	mechanisms        []string
	cert              *tls.Certificate
	ca                *CA
	scripts           map[string]scripted
	allowInsecureAuth bool
	authRequiresTLS   bool
	senderChecks      []func(login, from string) error
	maxMessageBytes   int
	dripInterval      time.Duration
	injection         string
	reflect           bool // WithReflection
	// injectAfterSTARTTLS is set by the STARTTLSInjection behaviour.
	injectAfterSTARTTLS bool
}

func defaultConfig() config {
	return config{
		mode:            ModeSTARTTLS,
		addr:            "127.0.0.1:0",
		hostname:        "mail.test",
		accounts:        map[string]string{},
		mechanisms:      []string{"PLAIN", "LOGIN"},
		scripts:         map[string]scripted{},
		maxMessageBytes: 32 << 20,
		dripInterval:    time.Second,
		injection:       DefaultInjection,
	}
}

// WithMode sets the transport mode; the default is ModeSTARTTLS.
func WithMode(m Mode) Option { return func(c *config) { c.mode = m } }

// WithAddr sets the address to listen on; the default is "127.0.0.1:0", a
// free port on the IPv4 loopback. Use "[::1]:0" for IPv6.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithHostname sets the server's name, used in the greeting (and, on the
// hand-written server, the EHLO reply) and added to the default certificate;
// the default is "mail.test".
func WithHostname(name string) Option { return func(c *config) { c.hostname = name } }

// WithAccount adds an account that AUTH accepts. It may be given several
// times. Once any account exists, MAIL is refused until the client has
// authenticated, as on a submission server.
func WithAccount(user, pass string) Option {
	return func(c *config) { c.accounts[user] = pass }
}

// WithTokenVerifier makes XOAUTH2 accept exactly the tokens verify accepts
// (an identity provider's, see oauth/oauthtest) instead of account
// passwords, and refuse others as Microsoft 365 does: 334 with a base64
// JSON status, then 535 5.7.3 after the client's empty line.
func WithTokenVerifier(verify func(user, token string) error) Option {
	return func(c *config) { c.verifyToken = verify }
}

// WithAuthMechanisms sets the SASL mechanisms advertised after AUTH in the
// EHLO reply, in that order; the default is PLAIN and LOGIN. PLAIN (go-sasl's
// server), LOGIN, CRAM-MD5 and XOAUTH2 (the password is the token; this
// package's own SASL servers) are implemented, on both servers; any other
// name is advertised but answered with "504 5.5.4", which is enough to test a
// client that finds no mechanism it can use.
func WithAuthMechanisms(mechs ...string) Option {
	return func(c *config) {
		c.mechanisms = c.mechanisms[:0]
		for _, m := range mechs {
			c.mechanisms = append(c.mechanisms, strings.ToUpper(m))
		}
	}
}

// WithCertificate makes the server present cert instead of a certificate
// from its CA for localhost: one for the wrong name, an expired one, or one
// from another CA.
func WithCertificate(cert tls.Certificate) Option {
	return func(c *config) { c.cert = &cert }
}

// WithCA makes the server issue its certificate from ca instead of a new CA,
// so several servers can share one trust anchor.
func WithCA(ca *CA) Option { return func(c *config) { c.ca = ca } }

// WithReply makes the server answer command with the given reply instead of
// its own verdict. command is an SMTP verb ("EHLO", "HELO", "STARTTLS",
// "AUTH", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", ...) or Greeting.
// enhanced is an RFC 3463 code such as "5.7.9", or "" for none; text may hold
// several lines separated by "\n".
//
// A failure reply (4xx or 5xx) to AUTH, MAIL, RCPT or DATA, with an enhanced
// code of the form "x.y.z" or none, is sent by go-smtp: the backend returns
// it as the verdict, and go-smtp writes the code on every line and the
// enhanced code on the last line only ("535-first line", "535 5.7.8 last
// line"). Any other WithReply (Greeting, EHLO, HELO, STARTTLS, RSET, NOOP,
// QUIT or another verb; a reply outside 4xx and 5xx; an odd enhanced code)
// is served by the hand-written server: Start then runs that server for the
// whole Server. It puts the enhanced code on every line.
//
// Where the reply takes effect:
//   - Greeting: a 421 greeting is followed by hanging up; after any other
//     non-2xx greeting every command but QUIT gets "503 5.5.1".
//   - AUTH: the SASL exchange runs first, so the client sends its
//     credentials (and Logins records them), then the reply is the verdict;
//     235 means success.
//   - DATA: the reply answers the end of the message (after "."); the
//     message is kept only if the reply is 2xx.
//   - STARTTLS: TLS starts only if the code is 220.
//   - EHLO, HELO, MAIL, RCPT, RSET: a 2xx reply has the command's usual
//     effect on the session; QUIT hangs up after the reply.
//
// Sequence and syntax errors (MAIL before EHLO, AUTH before STARTTLS when
// TLS is required) are still answered by the server itself, in go-smtp's
// words or the hand-written server's.
func WithReply(command string, code int, enhanced, text string) Option {
	r := Reply{Code: code, Enhanced: enhanced, Text: text}
	return func(c *config) {
		c.scripts[strings.ToUpper(command)] = scripted{code: code, wire: r.wire(), reply: &r}
	}
}

// WithRawReply is WithReply with the exact bytes to send, CRLFs included, for
// replies no well-behaved server would send: escape sequences, bare CR, NUL,
// odd formatting. The reply code for the effects listed at WithReply is read
// from the first three bytes when they are digits. It is served by the
// hand-written server, whatever the command.
func WithRawReply(command, raw string) Option {
	return func(c *config) {
		code, _ := strconv.Atoi(raw[:min(3, len(raw))])
		c.scripts[strings.ToUpper(command)] = scripted{code: code, wire: []byte(raw)}
	}
}

// WithGreeting sends raw, verbatim, as the greeting; the server then behaves
// normally. It is WithRawReply(Greeting, raw), for hostile banners
// ("220 \x1b[2J...\r\n"), and is served by the hand-written server.
func WithGreeting(raw string) Option { return WithRawReply(Greeting, raw) }

// WithAllowInsecureAuth(true) offers and accepts AUTH on a clear-text link:
// before STARTTLS in ModeSTARTTLS, and at all in ModePlain. By default AUTH
// is offered only inside TLS, and answered on a clear-text link with
// "530 5.7.0 Must issue a STARTTLS command first" in ModeSTARTTLS and
// "503 5.5.1" in ModePlain. (On go-smtp the backend makes these decisions:
// the Server's AllowInsecureAuth is always set, so that AUTH reaches it.)
func WithAllowInsecureAuth(allow bool) Option {
	return func(c *config) { c.allowInsecureAuth = allow }
}

// WithAuthRequiresTLS advertises AUTH on the clear-text link too, so that a
// client that skips STARTTLS tries it, and answers it with
// "530 5.7.0 Must issue a STARTTLS command first" until TLS is up.
// (Without this option AUTH is not advertised before TLS, and gets the same
// 530 if sent anyway.)
func WithAuthRequiresTLS() Option {
	return func(c *config) { c.authRequiresTLS = true }
}

// WithSenderCheck makes MAIL FROM call check with the authenticated login
// ("" if none) and the address (as go-smtp parsed it, without angle
// brackets). An error refuses the sender: a *Reply error is sent as is (on
// go-smtp with the enhanced code on the last line only), any other error as
// "553 5.7.1 <from>: Sender address rejected: " and its text. Checks add up;
// all must pass.
func WithSenderCheck(check func(login, from string) error) Option {
	return func(c *config) { c.senderChecks = append(c.senderChecks, check) }
}

// WithOwnedSenders lets login, once authenticated, use only the given
// addresses (compared without regard to case) in MAIL FROM. Any other sender
// gets Postfix's reply "553 5.7.1 <from>: Sender address rejected: not owned
// by user <login>". Logins without such an option may send as anyone.
func WithOwnedSenders(login string, addrs ...string) Option {
	return WithSenderCheck(func(user, from string) error {
		if user != login {
			return nil
		}
		for _, a := range addrs {
			if strings.EqualFold(a, from) {
				return nil
			}
		}
		return &Reply{Code: 553, Enhanced: "5.7.1",
			Text: fmt.Sprintf("<%s>: Sender address rejected: not owned by user %s", from, login)}
	})
}

// WithMaxMessageBytes sets the message size limit, advertised as SIZE; the
// default is 32 MiB. Larger messages get "552 5.3.4" at the end of DATA (and
// at MAIL FROM when its SIZE parameter is larger). go-smtp refuses a message
// of exactly n bytes too ("552 5.3.4 Maximum message size exceeded"); the
// hand-written server accepts it ("552 5.3.4 Error: message file too big"
// beyond).
func WithMaxMessageBytes(n int) Option { return func(c *config) { c.maxMessageBytes = n } }

// WithDripInterval sets the pause between bytes of the SlowDrip behaviour;
// the default is one second.
func WithDripInterval(d time.Duration) Option { return func(c *config) { c.dripInterval = d } }

// DefaultInjection is what the STARTTLSInjection behaviour sends in clear
// right after its "220" to STARTTLS.
const DefaultInjection = "250-INJECTED plain-text reply after STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"

// WithInjection sets the raw bytes the STARTTLSInjection behaviour sends
// after its "220" to STARTTLS, in the same TCP write.
func WithInjection(raw string) Option { return func(c *config) { c.injection = raw } }

// Reply is an SMTP reply. It is also an error, so that a sender check can
// choose the exact reply the server sends.
type Reply struct {
	Code     int    // three-digit reply code, e.g. 535
	Enhanced string // RFC 3463 enhanced status code, e.g. "5.7.8", or ""
	Text     string // lines separated by "\n"
}

// Error returns the reply as it would appear on one line.
func (r *Reply) Error() string {
	s := strconv.Itoa(r.Code)
	if r.Enhanced != "" {
		s += " " + r.Enhanced
	}
	return s + " " + strings.ReplaceAll(r.Text, "\n", " ")
}

// wire renders the reply as the server sends it, one CRLF line per line of
// Text, with "-" after the code on all lines but the last.
func (r *Reply) wire() []byte {
	lines := strings.Split(r.Text, "\n")
	var b []byte
	for i, line := range lines {
		sep := byte('-')
		if i == len(lines)-1 {
			sep = ' '
		}
		b = strconv.AppendInt(b, int64(r.Code), 10)
		b = append(b, sep)
		if r.Enhanced != "" {
			b = append(b, r.Enhanced...)
			b = append(b, ' ')
		}
		b = append(b, line...)
		b = append(b, '\r', '\n')
	}
	return b
}

// scripted is a reply chosen by the caller for a command.
type scripted struct {
	code  int // 0 when a raw reply does not start with digits
	wire  []byte
	reply *Reply // nil for a raw reply
}

func (s scripted) ok() bool { return s.code >= 200 && s.code < 300 }
