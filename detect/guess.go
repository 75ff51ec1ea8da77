package detect

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"

	"smtpsetup/smtp"

	"smtpsetup/i18n"
)

// Bounds on what a probed server may send: a hostile host must not make us
// allocate. RFC 5321 allows 512-octet reply lines; we are lenient but finite.
const (
	maxLine     = 4 << 10  // one reply line
	maxExchange = 64 << 10 // everything read from one connection, TLS handshake included
)

// ehloName is the name the probes greet with; .invalid (RFC 2606) says that
// it is not a real host.
const ehloName = "smtpsetup.invalid"

var (
	errNotSMTP     = errors.New("not an SMTP server")
	errLineTooLong = errors.New("reply line too long")
	errRefused     = errors.New("refused the session")
)

// guessPorts are the ports probed on each guessed host, in priority order:
// implicit TLS before STARTTLS (RFC 8314), submission before relay.
var guessPorts = []struct {
	port int
	sec  smtp.Security
}{{465, smtp.SecuritySSL}, {587, smtp.SecuritySTARTTLS}, {25, smtp.SecuritySTARTTLS}}

// GuessHosts are the host names tried for a domain, in priority order.
func GuessHosts(domain string) []string {
	return []string{"smtp." + domain, "mail." + domain, domain}
}

// probeResult is what one host and port answered.
type probeResult struct {
	host string
	port int
	sec  smtp.Security // what the server offers; "" when it did not answer as SMTP
	err  error
	dns  error // the host's name lookup failed (not "no such host")
}

func (r probeResult) encrypted() bool { return r.sec.Encrypted() }

// guess probes the usual host names on 465, 587 and 25 at once. Encrypted
// answers come before plain ones; among them the order of guessPorts and
// GuessHosts decides.
func (d *detector) guess(ctx context.Context) outcome {
	hosts := GuessHosts(d.domain)
	// One lookup per host, shared by its three probes; a probe that is
	// cancelled stops waiting for it, and the lookups end with guess.
	lctx, lcancel := context.WithTimeout(ctx, d.opts.DNSTimeout)
	var lwg sync.WaitGroup
	defer func() {
		lcancel()
		lwg.Wait()
	}()
	lookups := make(map[string]*hostLookup, len(hosts))
	for _, h := range hosts {
		l := &hostLookup{done: make(chan struct{})}
		lookups[h] = l
		lwg.Go(func() {
			defer close(l.done)
			addrs, err := d.opts.Resolver.LookupHost(lctx, h)
			var de *net.DNSError
			if err != nil && errors.As(err, &de) && de.IsNotFound {
				err = nil
			}
			l.exists, l.err = len(addrs) > 0, err
		})
	}
	var tasks []func(context.Context) probeResult
	for _, gp := range guessPorts {
		for _, h := range hosts {
			tasks = append(tasks, func(ctx context.Context) probeResult {
				r := probeResult{host: h, port: gp.port}
				l := lookups[h]
				select {
				case <-l.done:
				case <-ctx.Done():
					r.err = ctx.Err()
					return r
				}
				switch {
				case l.err != nil:
					r.dns = l.err
				case l.exists:
					r.sec, r.err = d.probe(ctx, h, gp.port, gp.sec == smtp.SecuritySSL)
				}
				return r
			})
		}
	}
	results, _ := race(ctx, tasks, probeResult.encrypted, nil)

	var o outcome
	var plain []Candidate
	var problems notes
	dnsFailed := map[string]bool{}
	for _, r := range results {
		switch {
		case r == nil:
		case r.encrypted():
			o.found = append(o.found, Candidate{d.providerForHost(r.host), r.host, r.port, r.sec, SourceGuess, ""})
		case r.sec == smtp.SecurityNone:
			plain = append(plain, Candidate{d.providerForHost(r.host), r.host, r.port, r.sec, SourceGuess, ""})
		case r.dns != nil && !errors.Is(r.dns, context.Canceled):
			dnsFailed[r.host] = true
		case r.err != nil:
			problems.add(r.host, r.port, r.err)
		}
	}
	o.found = append(o.found, plain...)
	if len(dnsFailed) > 0 {
		var names []string
		for _, h := range hosts {
			if dnsFailed[h] {
				names = append(names, h)
			}
		}
		o.unchecked = append(o.unchecked, notef(i18n.N("guess: DNS did not answer for %s"), strings.Join(names, ", ")))
	}
	o.unchecked = append(o.unchecked, problems.lines()...)
	return o
}

// hostLookup is one guessed host's name lookup; done is closed when it ends.
type hostLookup struct {
	done   chan struct{}
	exists bool
	err    error
}

// notes gathers probe failures worth telling the user, one line per host and
// reason, so nine blocked ports do not make nine lines.
type notes struct {
	order []string
	ports map[string][]string
}

func (n *notes) add(host string, port int, err error) {
	var said string
	var cve *tls.CertificateVerificationError
	switch {
	case errors.As(err, &cve):
		said = i18n.N("answered with TLS, but its certificate is not trusted for this name")
	case errors.Is(err, errLineTooLong), errors.Is(err, errTooLarge):
		said = i18n.N("sent an unreasonably large reply")
	default:
		switch w := why(err); w {
		case "timed out":
			said = i18n.N("did not answer in time (a firewall may block the port)")
		case "network unreachable":
			said = i18n.N("could not be reached (network unreachable)")
		default:
			return // refused, not SMTP, cancelled: an answer, not something unchecked
		}
	}
	k := host + "\x00" + said
	if n.ports == nil {
		n.ports = map[string][]string{}
	}
	if _, ok := n.ports[k]; !ok {
		n.order = append(n.order, k)
	}
	n.ports[k] = append(n.ports[k], strconv.Itoa(port))
}

func (n *notes) lines() []note {
	var out []note
	for _, k := range n.order {
		host, said, _ := strings.Cut(k, "\x00")
		out = append(out, notef(i18n.N("guess: %s on port %s %s"), host, strings.Join(n.ports[k], ", "), reason(said)))
	}
	return out
}

// probe connects to host:port and reports the security it offers: ssl when
// the TLS handshake and the greeting succeed (implicitTLS), otherwise
// starttls when EHLO offers STARTTLS, none when it does not.
func (d *detector) probe(ctx context.Context, host string, port int, implicitTLS bool) (smtp.Security, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.ProbeTimeout)
	defer cancel()
	raw, err := d.opts.Dial(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return "", err
	}
	defer raw.Close()
	// A cancel or the deadline ends the exchange at once, whatever it waits on.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	var conn net.Conn = &budgetConn{Conn: raw, left: maxExchange}
	if implicitTLS {
		tc := tls.Client(conn, tlsConfig(d.opts.TLSConfig, host))
		if err := tc.HandshakeContext(ctx); err != nil {
			return "", ctxErr(ctx, err)
		}
		conn = tc
	}
	caps, err := converse(conn)
	if err != nil {
		return "", ctxErr(ctx, err)
	}
	switch {
	case implicitTLS:
		return smtp.SecuritySSL, nil
	case caps["STARTTLS"]:
		return smtp.SecuritySTARTTLS, nil
	}
	return smtp.SecurityNone, nil
}

// ctxErr prefers the context's reason: a connection closed by AfterFunc
// reports "use of closed connection", which would hide a timeout.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func tlsConfig(base *tls.Config, host string) *tls.Config {
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	cfg.ServerName = host
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

// converse reads the greeting, sends EHLO and QUIT, and returns the EHLO
// keywords in upper case.
func converse(conn net.Conn) (map[string]bool, error) {
	br := bufio.NewReaderSize(conn, maxLine)
	code, _, err := readReply(br)
	if err != nil {
		return nil, err
	}
	if code != 220 {
		return nil, errRefused
	}
	if _, err := conn.Write([]byte("EHLO " + ehloName + "\r\n")); err != nil {
		return nil, err
	}
	code, lines, err := readReply(br)
	if err != nil {
		return nil, err
	}
	if code != 250 {
		return nil, errRefused
	}
	_, _ = conn.Write([]byte("QUIT\r\n")) // polite; the answer does not matter
	caps := map[string]bool{}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > 0 {
			caps[strings.ToUpper(f[0])] = true
		}
	}
	return caps, nil
}

// readReply reads one SMTP reply, single or multi-line, and returns its code
// and the text of each line. Lines longer than maxLine are an error.
func readReply(br *bufio.Reader) (int, []string, error) {
	code := 0
	var lines []string
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return 0, nil, errLineTooLong
		}
		if err != nil {
			return 0, nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) < 3 || (len(line) > 3 && line[3] != ' ' && line[3] != '-') {
			return 0, nil, errNotSMTP
		}
		c, err := strconv.Atoi(string(line[:3]))
		if err != nil || c < 200 || c > 599 || (code != 0 && c != code) {
			return 0, nil, errNotSMTP
		}
		code = c
		text := ""
		if len(line) > 4 {
			text = string(line[4:])
		}
		lines = append(lines, text)
		if len(line) == 3 || line[3] == ' ' {
			return code, lines, nil
		}
	}
}

// budgetConn fails reads once a connection has delivered its byte budget.
type budgetConn struct {
	net.Conn
	left int
}

func (c *budgetConn) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooLarge
	}
	if len(p) > c.left {
		p = p[:c.left]
	}
	n, err := c.Conn.Read(p)
	c.left -= n
	return n, err
}
