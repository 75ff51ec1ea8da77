package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	gmsmtp "github.com/wneessen/go-mail/smtp"

	"smtpsetup/i18n"
)

// DefaultStageTimeout bounds each stage of a test. A stage that waits on a
// slow-drip server is cut at the same limit.
const DefaultStageTimeout = 10 * time.Second

// DefaultProbeAfter is how long the greeting may be silent before the test
// checks, on a second connection, whether the port speaks TLS from the
// first byte. Most servers greet within a round trip or two; one that waits
// longer only costs a harmless extra handshake.
const DefaultProbeAfter = 300 * time.Millisecond

// Resolver looks up host addresses; *net.Resolver satisfies it.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Options tune a test. The zero value is ready to use.
type Options struct {
	Timeout    time.Duration // per stage; DefaultStageTimeout when zero
	ProbeAfter time.Duration // DefaultProbeAfter when zero
	SendTo     string        // when set, send one test message to this address
	HelloName  string        // EHLO name; the host name when empty
	RootCAs    *x509.CertPool
	Resolver   Resolver
	Dial       func(ctx context.Context, network, addr string) (net.Conn, error)
	Progress   func(Event) // called from the test's goroutine as stages start and end
	MaxRead    int64       // bytes one connection may read; DefaultMaxRead when zero
	Now        func() time.Time
	Token      TokenSource // for XOAUTH2: the access token, asked for when the auth stage starts

	// What the test knows of this machine and the provider, to tell a
	// local fault from the server's. All are optional.
	Provider       *Provider                      // catalogue entry; found by Settings.Provider or the host when nil
	ResolvConf     string                         // DefaultResolvConf when empty
	InterfaceAddrs func() ([]net.Addr, error)     // net.InterfaceAddrs when nil
	SystemRoots    func() (*x509.CertPool, error) // x509.SystemCertPool when nil; used when RootCAs is nil
	Tried          []Attempt                      // settings that failed before; never suggested again
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = DefaultStageTimeout
	}
	if o.ProbeAfter <= 0 {
		o.ProbeAfter = DefaultProbeAfter
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Dial == nil {
		d := &net.Dialer{}
		o.Dial = d.DialContext
	}
	if o.MaxRead <= 0 {
		o.MaxRead = DefaultMaxRead
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HelloName == "" {
		o.HelloName = helloName()
	}
	if o.ResolvConf == "" {
		o.ResolvConf = DefaultResolvConf
	}
	if o.InterfaceAddrs == nil {
		o.InterfaceAddrs = net.InterfaceAddrs
	}
	if o.SystemRoots == nil {
		o.SystemRoots = x509.SystemCertPool
	}
}

// helloName is this machine's name for EHLO, or "localhost" when it has
// none that a server would accept.
func helloName() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsAny(h, " \r\n") {
		return "localhost"
	}
	return h
}

// Test runs a live test of the settings: every stage that applies, in
// order, each with its own deadline, stopping at the first failure. It
// never sends a password over a link without TLS unless the settings allow
// it, never retries, and closes the connection on every path. Cancelling
// ctx ends it at once.
func Test(ctx context.Context, s Settings, opts Options) *Report {
	if s.Helo != "" {
		opts.HelloName = s.Helo
	}
	opts.defaults()
	t := &tester{s: s, opts: opts, ctx: ctx, rep: &Report{Settings: s, Started: opts.Now(), Helo: opts.HelloName, Tried: opts.Tried},
		mask: newSecretMask(s)}
	// Parsing the catalogue costs milliseconds: only a failure needs it.
	t.provider = sync.OnceValue(func() *Provider { return providerFor(s, opts.Provider) })
	t.tr.start = time.Now()
	t.run()
	t.rep.Elapsed = time.Since(t.tr.start)
	t.rep.Transcript = t.tr.snapshot()
	t.mask.report(t.rep)
	t.rep.OK = t.rep.Failure == nil
	return t.rep
}

type tester struct {
	// said is the current stage's detail as a format and its values, when
	// the detail has words of ours (say), for StageResult.DetailIn.
	said *worded
	s    Settings
	opts Options
	ctx  context.Context
	rep  *Report
	tr   transcript
	mask *secretMask // hides the password (and the access token, once fetched) wherever a server repeats it

	raw       *guardedConn // the TCP connection
	conn      net.Conn     // raw, or TLS over raw
	text      *textproto.Conn
	tlsState  *tls.ConnectionState
	exts      map[string]string
	extOrder  []string
	authQuiet bool // true while AUTH runs: lines are masked in the transcript

	oauthStatus   *OAuthFailure    // the JSON status of a refused XOAUTH2 token
	provider      func() *Provider // the catalogue entry, nil for a custom server
	tlsCfg        *tls.Config      // the last handshake's, to re-check a refused chain
	noSystemRoots bool             // the system CA bundle was used and is empty
}

func (t *tester) run() {
	if errs := t.s.Validate(); len(errs) > 0 {
		t.rep.Failure = &Failure{Stage: StageResolve, Kind: KindBadSettings, Error: errs[0].Error()}
		return
	}
	defer func() {
		if t.raw != nil {
			t.raw.Close()
		}
	}()
	var addrs []net.IPAddr
	resolve := func() (string, error) {
		var err error
		addrs, err = t.resolve()
		return t.describeAddrs(addrs), err
	}
	connect := func() (string, error) { return t.connect(addrs) }
	steps := []struct {
		stage Stage
		when  bool
		do    func() (string, error)
	}{
		{StageResolve, true, resolve},
		{StageConnect, true, connect},
		{StageTLS, t.s.Security == SecuritySSL, t.handshake},
		{StageGreeting, true, t.greeting},
		{StageEHLO, true, t.ehlo},
		{StageSTARTTLS, t.s.Security == SecuritySTARTTLS, t.starttls},
		{StageAuth, t.s.wantsAuth(), t.auth},
		{StageSender, t.sender() != "", t.checkSender},
		{StageSend, t.opts.SendTo != "", t.send},
		{StageQuit, true, t.quit},
	}
	for _, st := range steps {
		if !st.when {
			continue
		}
		if err := t.stage(st.stage, st.do); err != nil {
			return
		}
	}
}

// stage runs one stage with its own deadline and reports it.
func (t *tester) stage(s Stage, do func() (string, error)) error {
	t.emit(Event{Stage: s})
	start := time.Now()
	if t.raw != nil {
		t.raw.SetDeadline(time.Now().Add(t.opts.Timeout))
	}
	t.said = nil
	detail, err := do()
	res := StageResult{Stage: s, OK: err == nil, Duration: time.Since(start), Detail: t.mask.apply(detail)}
	if w := t.said; w != nil && err == nil {
		masked := worded{format: w.format}
		for _, a := range w.args {
			masked.args = append(masked.args, t.mask.apply(a))
		}
		res.said = &masked
	}
	if err != nil && t.rep.Failure == nil {
		t.rep.Failure = t.classify(s, err)
	}
	if err != nil && t.ctx.Err() != nil {
		t.rep.Failure = &Failure{Stage: s, Kind: KindCancelled, Error: "cancelled"}
	}
	if err != nil && res.Detail == "" {
		res.Detail = failureSummary(t.rep.Failure)
	}
	t.rep.Stages = append(t.rep.Stages, res)
	t.emit(Event{Stage: s, Done: true, Result: res})
	return err
}

func (t *tester) emit(e Event) {
	if t.opts.Progress != nil {
		t.opts.Progress(e)
	}
}

func (t *tester) describeAddrs(addrs []net.IPAddr) string {
	var s []string
	for i, a := range addrs {
		if i == 3 {
			return t.say(i18n.N("%s, and %s more"), strings.Join(s, ", "), strconv.Itoa(len(addrs)-3))
		}
		s = append(s, a.String())
	}
	return strings.Join(s, ", ")
}

// worded is a stage's detail with words of ours: its format, marked for
// translation, and its values.
type worded struct {
	format string
	args   []string
}

// say records the stage's detail as a format and values, and returns it in
// English.
func (t *tester) say(format string, args ...string) string {
	t.said = &worded{format, args}
	return t.said.in(nil)
}

func (w worded) in(tr *i18n.Printer) string {
	args := make([]any, len(w.args))
	for i, a := range w.args {
		args[i] = a
	}
	return tr.Tf(w.format, args...)
}

func (t *tester) resolve() ([]net.IPAddr, error) {
	host := strings.Trim(t.s.Host, "[]")
	if ip := net.ParseIP(host); ip != nil {
		return []net.IPAddr{{IP: ip}}, nil
	}
	ctx, cancel := context.WithTimeout(t.ctx, t.opts.Timeout)
	defer cancel()
	addrs, err := t.opts.Resolver.LookupIPAddr(ctx, host)
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	if err == nil && sinkholed(addrs) {
		err = errDNSBlocked
	}
	if err != nil && t.ctx.Err() == nil {
		t.dnsFacts()
	}
	// IPv4 first: appliances often have an IPv6 address but no IPv6 route.
	slices.SortStableFunc(addrs, func(a, b net.IPAddr) int {
		return boolInt(a.IP.To4() == nil) - boolInt(b.IP.To4() == nil)
	})
	return addrs, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// connect tries the addresses in order. When connect is refused, or
// stalls for portProbeAfter, the provider's other ports are tried in
// parallel, so that a blocked port can be told from a server that is down.
// An address family that fails while the other works is noted.
func (t *tester) connect(addrs []net.IPAddr) (string, error) {
	ctx, cancel := context.WithTimeout(t.ctx, t.opts.Timeout)
	defer cancel()
	probes := t.newPortProber(addrs)
	stall := time.AfterFunc(min(portProbeAfter, t.opts.Timeout/2), probes.start)
	defer stall.Stop()
	var (
		err    error
		failed []dialFailure
	)
	for i, a := range addrs {
		addr := net.JoinHostPort(a.IP.String(), strconv.Itoa(t.s.Port))
		// Every address but the last gets half the time left, so that a
		// silent first family leaves time for the other.
		actx, acancel := ctx, context.CancelFunc(func() {})
		if i < len(addrs)-1 {
			if dl, ok := ctx.Deadline(); ok {
				actx, acancel = context.WithTimeout(ctx, time.Until(dl)/2)
			}
		}
		var c net.Conn
		c, err = t.opts.Dial(actx, "tcp", addr)
		acancel()
		if err == nil {
			probes.stop()
			t.raw = guard(t.ctx, c, t.opts.MaxRead)
			t.conn = t.raw
			t.rep.Server.Address = addr
			if note, ok := familyNote(failed, a.IP); ok {
				t.rep.Server.Notes = append(t.rep.Server.Notes, note.in(nil))
				t.rep.noteFacts = append(t.rep.noteFacts, note)
			}
			return addr, nil
		}
		if isRefused(err) {
			probes.start()
		}
		failed = append(failed, dialFailure{a.IP, dialWhy(err)})
	}
	if t.ctx.Err() == nil {
		t.rep.Network.Ports = probes.wait()
		t.connectFacts()
	} else {
		probes.stop()
	}
	return "", err
}

// tlsConfig verifies the certificate against the host the user typed.
func (t *tester) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{
		ServerName:         strings.Trim(t.s.Host, "[]"),
		MinVersion:         tls.VersionTLS12,
		RootCAs:            t.opts.RootCAs,
		InsecureSkipVerify: t.s.InsecureSkipVerify,
		Time:               t.opts.Now, // a wrong clock is diagnosed, so tests can set it
	}
	if cfg.RootCAs == nil {
		cfg.RootCAs = t.systemRoots()
	}
	if t.s.CAFile != "" {
		pem, err := ReadCAFile(t.s.CAFile)
		if err != nil {
			return nil, err
		}
		pool := cfg.RootCAs.Clone()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the CA file %s holds no PEM certificate", t.s.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.s.TLSPinSHA256 != "" {
		p, _ := ParsePin(t.s.TLSPinSHA256) // Validate checked it
		pin(cfg, p)
	}
	return cfg, nil
}

func (t *tester) handshake() (string, error) {
	cfg, err := t.tlsConfig()
	if err != nil {
		return "", err
	}
	t.tlsCfg = cfg
	tc := tls.Client(t.raw, cfg)
	ctx, cancel := context.WithTimeout(t.ctx, t.opts.Timeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return "", err
	}
	st := tc.ConnectionState()
	t.tlsState = &st
	t.conn = tc
	info := &TLSInfo{
		Version:  tls.VersionName(st.Version),
		Cipher:   tls.CipherSuiteName(st.CipherSuite),
		Verified: !t.s.InsecureSkipVerify,
		Pinned:   t.s.TLSPinSHA256 != "",
	}
	if len(st.PeerCertificates) > 0 {
		info.Certificate = certInfo(st.PeerCertificates[0])
	}
	t.rep.Server.TLS = info
	return info.Version + ", " + info.Cipher, nil
}

// greeting reads the 220 banner. While it waits, a probe checks whether the
// port expects TLS from the first byte: a client speaking plain text to
// port 465 would otherwise wait for the whole timeout, as both sides wait
// for the other.
func (t *tester) greeting() (string, error) {
	t.text = textproto.NewConn(t.conn)
	spoke := func() bool { return false }
	if t.s.Security != SecuritySSL {
		var stop func()
		stop, spoke = t.probeWhileSilent()
		defer stop()
	}
	code, msg, err := t.text.ReadResponse(0)
	if err != nil {
		if spoke() {
			return "", errSpeaksTLS
		}
		return "", err
	}
	reply := t.mask.reply(code, msg)
	t.tr.add(FromServer, wireLines(code, reply.Text))
	t.rep.Server.Greeting = reply.Text
	if code != 220 {
		return "", &replyError{"greeting", reply}
	}
	return firstLine(reply.Text), nil
}

// probeWhileSilent starts a TLS probe of the same address once the greeting
// has been silent for ProbeAfter. When the probe completes a handshake, it
// closes the silent connection, and spoke reports true.
func (t *tester) probeWhileSilent() (stop func(), spoke func() bool) {
	ctx, cancel := context.WithCancel(t.ctx)
	var tlsSeen atomic.Bool
	addr := t.rep.Server.Address
	timer := time.AfterFunc(t.opts.ProbeAfter, func() {
		if speaksTLS(ctx, t.opts.Dial, addr, t.opts.Timeout) {
			tlsSeen.Store(true)
			t.raw.abort()
		}
	})
	return func() { timer.Stop(); cancel() }, tlsSeen.Load
}

// speaksTLS reports whether addr completes a TLS handshake. It sends no
// credentials and trusts nothing: it only asks what the port speaks.
func speaksTLS(ctx context.Context, dial func(context.Context, string, string) (net.Conn, error), addr string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, min(timeout, 3*time.Second))
	defer cancel()
	c, err := dial(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	g := guard(ctx, c, 64<<10)
	defer g.Close()
	tc := tls.Client(g, &tls.Config{InsecureSkipVerify: true}) // a probe: nothing is sent over it
	return tc.HandshakeContext(ctx) == nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// cmd sends one command and reads the reply. Lines sent while AUTH runs are
// masked in the transcript.
func (t *tester) cmd(line string) (Reply, error) {
	shown := line
	if t.authQuiet {
		shown = Mask
		if verb, _, ok := strings.Cut(line, " "); ok && strings.EqualFold(verb, "AUTH") {
			mech, _, _ := strings.Cut(line[len(verb)+1:], " ")
			shown = "AUTH " + mech + " " + Mask
		}
	}
	t.tr.add(FromClient, shown)
	if err := t.text.PrintfLine("%s", line); err != nil {
		// The server may have spoken (a 421) and hung up before our line:
		// its words explain the failure better than the broken pipe.
		if reply, ok := t.lastWords(); ok {
			return reply, nil
		}
		return Reply{}, err
	}
	code, msg, err := t.text.ReadResponse(0)
	if err != nil {
		return Reply{}, err
	}
	reply := t.mask.reply(code, msg)
	if t.authQuiet && code == 334 {
		t.tr.add(FromServer, "334 "+Mask)
	} else {
		t.tr.add(FromServer, wireLines(code, reply.Text))
	}
	return reply, nil
}

// lastWords reads a reply the server sent before a write to it failed,
// waiting briefly; ok is false when there is none.
func (t *tester) lastWords() (Reply, bool) {
	timedOut := t.raw.timedOut.Load()
	t.raw.SetReadDeadline(time.Now().Add(min(t.opts.Timeout, time.Second)))
	code, msg, err := t.text.ReadResponse(0)
	t.raw.timedOut.Store(timedOut)
	if err != nil || code < 400 {
		return Reply{}, false
	}
	reply := newReply(code, msg)
	t.tr.add(FromServer, wireLines(code, reply.Text))
	return reply, true
}

// wireLines shows a reply as it crossed the wire: "250-" on every line but
// the last, "250 " on the last.
func wireLines(code int, text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		lines[i] = strconv.Itoa(code) + sep + l
	}
	return strings.Join(lines, "\n")
}

// replyError is a server's refusal of a command.
type replyError struct {
	command string
	reply   Reply
}

func (e *replyError) Error() string { return e.command + ": " + e.reply.String() }

func (t *tester) ehlo() (string, error) {
	reply, err := t.cmd("EHLO " + t.opts.HelloName)
	if err != nil {
		return "", err
	}
	if reply.Code != 250 {
		// Only a server that does not know EHLO (500, 502: RFC 5321 3.2)
		// gets HELO; it offers no STARTTLS and no AUTH, which the next
		// stages report. Any other refusal (a 421 before hanging up, a 504
		// for our name) is the answer: HELO would lose the server's words
		// on a connection it is closing.
		if reply.Code != 500 && reply.Code != 502 {
			return "", &replyError{"EHLO", reply}
		}
		helo, err := t.cmd("HELO " + t.opts.HelloName)
		if err != nil || helo.Code != 250 {
			return "", &replyError{"EHLO", reply}
		}
		reply = helo
	}
	t.parseExtensions(reply.Text)
	return strings.Join(t.extOrder, " "), nil
}

// parseExtensions reads the EHLO keywords. Keywords are case-insensitive
// (RFC 5321 §2.4), so "starttls" counts as STARTTLS.
func (t *tester) parseExtensions(text string) {
	t.exts = map[string]string{}
	t.extOrder = nil
	lines := strings.Split(text, "\n")
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(l), " ")
		k = strings.ToUpper(k)
		if k == "" {
			continue
		}
		t.exts[k] = v
		t.extOrder = append(t.extOrder, k)
	}
	t.rep.Server.Extensions = nil
	for _, l := range lines[1:] {
		t.rep.Server.Extensions = append(t.rep.Server.Extensions, strings.TrimSpace(l))
	}
	t.rep.Server.Auth = nil
	if v, ok := t.exts["AUTH"]; ok {
		t.rep.Server.Auth = strings.Fields(strings.ToUpper(v))
	}
}

func (t *tester) starttls() (string, error) {
	if _, ok := t.exts["STARTTLS"]; !ok {
		return "", errSTARTTLSNotOffered
	}
	reply, err := t.cmd("STARTTLS")
	if err != nil {
		return "", err
	}
	if reply.Code != 220 {
		return "", &replyError{"STARTTLS", reply}
	}
	// A new reader discards anything the server sent after "220" in clear:
	// such lines are an injection (CVE-2011-0411 class), never a reply.
	detail, err := t.handshake()
	if err != nil {
		return "", err
	}
	t.text = textproto.NewConn(t.conn)
	if _, err := t.ehlo(); err != nil {
		return "", err
	}
	return detail, nil
}

var (
	errSTARTTLSNotOffered = errors.New("the server did not offer STARTTLS")
	errAuthNotOffered     = errors.New("the server offers no login mechanism we can use")
	errPlaintextAuth      = errors.New("refused to send the password over a connection without TLS")
	errSpeaksTLS          = errors.New("no greeting, but the port completed a TLS handshake")
)

func (t *tester) encrypted() bool { return t.tlsState != nil }

// mechanism picks the SASL mechanism: the one asked for, or for auto the
// simplest the server offers. Passwords travel only over TLS, so PLAIN is
// as safe as any and the most widely supported.
func (t *tester) mechanism() (AuthMethod, bool) {
	offered := func(m string) bool { return slices.Contains(t.rep.Server.Auth, m) }
	if t.s.Auth != AuthAuto && t.s.Auth != "" {
		return t.s.Auth, offered(strings.ToUpper(string(t.s.Auth)))
	}
	for _, m := range []AuthMethod{AuthPlain, AuthLogin, AuthCRAMMD5} {
		if offered(strings.ToUpper(string(m))) {
			return m, true
		}
	}
	return "", false
}

func (t *tester) auth() (string, error) {
	if !t.encrypted() {
		if err := t.plaintextAllowed(); err != nil {
			return "", err
		}
	}
	mech, ok := t.mechanism()
	if !ok {
		return "", errAuthNotOffered
	}
	host := strings.Trim(t.s.Host, "[]")
	user, pass := t.s.Username, t.s.Password.Reveal()
	if mech == AuthXOAUTH2 && t.opts.Token != nil {
		// A refresh, if one is due, shares the stage's time limit.
		ctx, cancel := context.WithTimeout(t.ctx, t.opts.Timeout)
		tok, err := t.opts.Token(ctx)
		cancel()
		if err != nil {
			return "", err
		}
		pass = tok.Reveal()
		// From here on a server may repeat the token as it did the
		// password: every reply after this, and the final pass over the
		// report, mask it too.
		t.mask = t.mask.with(user, pass)
	}
	var a gmsmtp.Auth
	switch mech {
	case AuthPlain:
		// Our own policy decided above whether the link may carry the
		// password, so go-mail's loopback exemption never applies.
		a = gmsmtp.PlainAuth("", user, pass, host, true)
	case AuthLogin:
		a = gmsmtp.LoginAuth(user, pass, host, true)
	case AuthCRAMMD5:
		a = gmsmtp.CRAMMD5Auth(user, pass)
	case AuthXOAUTH2:
		a = gmsmtp.XOAuth2Auth(user, pass)
	default:
		return "", errAuthNotOffered
	}
	t.authQuiet = true
	defer func() { t.authQuiet = false }()
	if err := t.saslExchange(a, host); err != nil {
		return "", err
	}
	return t.say(i18n.N("%s as %s"), strings.ToUpper(string(mech)), CleanLine(user)), nil
}

// saslExchange runs AUTH with a go-mail mechanism (RFC 4954).
func (t *tester) saslExchange(a gmsmtp.Auth, host string) error {
	mech, resp, err := a.Start(&gmsmtp.ServerInfo{Name: host, TLS: t.encrypted(), Auth: t.rep.Server.Auth})
	if err != nil {
		return err
	}
	line := "AUTH " + mech
	if resp != nil {
		line += " " + base64.StdEncoding.EncodeToString(resp)
	}
	reply, err := t.cmd(line)
	for err == nil {
		switch reply.Code {
		case 235:
			return nil
		case 334:
			if mech == "XOAUTH2" && t.oauthStatus == nil {
				// A refused token: the challenge is a JSON status (RFC 7628
				// style); the client answers an empty line and the server
				// then sends the 535 that ends the exchange.
				st, _ := xoauth2Status(reply.Text)
				t.oauthStatus = &st
				reply, err = t.cmd("")
				continue
			}
			challenge, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(reply.Text))
			if derr != nil {
				return &replyError{"AUTH", reply}
			}
			if resp, err = a.Next(challenge, true); err != nil {
				t.cmd("*")
				return err
			}
			reply, err = t.cmd(base64.StdEncoding.EncodeToString(resp))
		default:
			return &replyError{"AUTH", reply}
		}
	}
	return err
}

func (t *tester) send() (string, error) {
	msg, sent, err := composeTestMessage(t.s, t.opts.SendTo, t.opts.Now())
	if err != nil {
		return "", err
	}
	steps := []struct{ verb, line string }{
		{"MAIL", "MAIL FROM:<" + t.sender() + ">"},
		{"RCPT", "RCPT TO:<" + t.opts.SendTo + ">"},
		{"DATA", "DATA"},
	}
	for _, st := range steps {
		reply, err := t.cmd(st.line)
		if err != nil {
			return "", err
		}
		if st.verb == "DATA" && reply.Code == 354 {
			break
		}
		if reply.Code != 250 && reply.Code != 251 {
			return "", &replyError{st.verb, reply}
		}
	}
	w := t.text.DotWriter()
	_, err = w.Write(msg)
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		if reply, ok := t.lastWords(); ok {
			return "", &replyError{"DATA", reply}
		}
		return "", err
	}
	t.tr.add(FromClient, fmt.Sprintf("(message, %d bytes, code %s)", len(msg), sent.Code))
	code, text, err := t.text.ReadResponse(0)
	if err != nil {
		return "", err
	}
	reply := t.mask.reply(code, text)
	t.tr.add(FromServer, wireLines(code, reply.Text))
	if code != 250 {
		return "", &replyError{"DATA", reply}
	}
	t.rep.Sent = sent
	return t.say(i18n.N("to %s, code %s"), t.opts.SendTo, sent.Code), nil
}

// sender is the envelope sender.
func (t *tester) sender() string { return t.s.envelopeSender() }

// quitWait is how long QUIT may wait for its answer: everything that
// mattered was already accepted, so a slow goodbye must not delay the
// verdict.
const quitWait = 2 * time.Second

// quit says goodbye. A server that hangs up or stays silent instead of
// answering has still accepted everything that mattered, so QUIT never
// fails the test.
func (t *tester) quit() (string, error) {
	t.raw.SetDeadline(time.Now().Add(min(t.opts.Timeout, quitWait)))
	reply, err := t.cmd("QUIT")
	if err != nil {
		return t.say(i18n.N("no answer; the connection is closed")), nil
	}
	return reply.String(), nil
}

// classify turns what went wrong into an observation. It reads errors by
// type, never by their text, except where a library offers nothing else.
func (t *tester) classify(s Stage, err error) *Failure {
	f := &Failure{Stage: s, Error: t.mask.clean(err.Error()), LocalTime: t.opts.Now()}
	var (
		re     *replyError
		dnsErr *net.DNSError
		rhe    tls.RecordHeaderError
		cve    *tls.CertificateVerificationError
		pinned *errPinChanged
	)
	var oe OAuthError
	switch {
	case errors.As(err, &oe):
		of := oe.OAuthFailure()
		f.Kind, f.OAuth = KindOAuth, &of
		signInNetwork(t.ctx, f, &t.rep.Network, err, t.opts, t.provider())
	case t.raw != nil && t.raw.overflow.Load():
		f.Kind = KindTooMuchData
	case errors.As(err, &re):
		f.Kind, f.Command, f.Reply, f.OAuth = KindReply, re.command, &re.reply, t.oauthStatus
		if strings.HasPrefix(re.reply.Text, "HTTP/") || strings.HasPrefix(t.rep.Server.Greeting, "HTTP/") {
			f.Kind = KindHTTP
		}
	case errors.Is(err, errSTARTTLSNotOffered):
		f.Kind, f.Offered = KindSTARTTLSNotOffered, t.extOrder
	case errors.Is(err, errAuthNotOffered):
		f.Kind, f.Offered = KindAuthNotOffered, t.rep.Server.Auth
	case errors.Is(err, errPlaintextAuth):
		f.Kind = KindPlaintextRefused
	case errors.Is(err, errPlaintextPublic):
		f.Kind = KindPlaintextPublic
	case errors.Is(err, errSpeaksTLS):
		f.Kind = KindSpeaksTLS
	case errors.Is(err, errDNSBlocked):
		f.Kind = KindDNSBlocked
	case errors.As(err, &dnsErr):
		f.Kind = netKind(err)
	case errors.As(err, &rhe):
		seen := string(rhe.RecordHeader[:])
		if t.raw != nil {
			// The whole line, not the 5 bytes TLS kept, when TLS was the
			// connection's first word (implicit TLS, not after STARTTLS).
			if line := t.raw.firstLine(); strings.HasPrefix(line, seen) {
				seen = line
			}
		}
		f.Kind, f.Seen = KindNotTLS, CleanLine(seen)
		if strings.HasPrefix(f.Seen, "HTTP") {
			f.Kind = KindHTTP
		}
	case errors.As(err, &pinned):
		f.Kind, f.Certificate = KindTLSPinChanged, pinned.cert
	case errors.As(err, &cve):
		f.Kind = certKind(cve.Err)
		if len(cve.UnverifiedCertificates) > 0 {
			f.Certificate = certInfo(cve.UnverifiedCertificates[0])
			f.ChainTrusted = chainTrusted(cve.UnverifiedCertificates, t.tlsCfg, f.LocalTime)
		}
		f.NoSystemRoots = t.noSystemRoots
	case t.raw != nil && t.raw.timedOut.Load():
		f.Kind = KindTimeout
	case netKind(err) != "":
		f.Kind = netKind(err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		f.Kind = KindClosed
	case s == StageTLS || s == StageSTARTTLS:
		f.Kind = KindTLSHandshake
	default:
		var pe textproto.ProtocolError
		if errors.As(err, &pe) {
			f.Kind = KindProtocol
			if strings.Contains(string(pe), "HTTP/") {
				f.Kind = KindHTTP
			}
		} else {
			f.Kind = KindProtocol
		}
	}
	return f
}

// netKind is what a failed lookup or connection says about the network,
// or "" when err is none of these; the SMTP test and the sign-in (an
// identity provider that cannot be reached) read network errors alike.
func netKind(err error) Kind {
	var (
		dnsErr *net.DNSError
		ne     net.Error
	)
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return KindDNSNotFound
	case errors.As(err, &dnsErr):
		return KindDNSFailed
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return KindReset
	case isUnreachable(err):
		return KindUnreachable
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	}
	return ""
}

func certKind(err error) Kind {
	var (
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &ua):
		return KindTLSUntrusted
	case errors.As(err, &he):
		return KindTLSHostname
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return KindTLSExpired
	}
	return KindTLSHandshake
}

// failureSummary is the one-line detail a failed stage shows.
func failureSummary(f *Failure) string {
	if f == nil {
		return ""
	}
	if f.Reply != nil {
		return f.Reply.String()
	}
	return f.Error
}
