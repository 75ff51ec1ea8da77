package detect

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// stubResolver answers DNS from maps; names it does not know do not exist.
// With err set every query fails with it, as when no resolver answers.
type stubResolver struct {
	mx    map[string][]*net.MX
	srv   map[string][]*net.SRV // keyed "_submissions._tcp.example.test"
	hosts map[string][]string
	err   error
	calls atomic.Int32
}

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (r *stubResolver) answer(ctx context.Context, name string) error {
	r.calls.Add(1)
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.err
}

func (r *stubResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	if err := r.answer(ctx, name); err != nil {
		return nil, err
	}
	if v, ok := r.mx[name]; ok {
		return v, nil
	}
	return nil, notFound(name)
}

func (r *stubResolver) LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
	q := "_" + service + "._" + proto + "." + name
	if err := r.answer(ctx, q); err != nil {
		return "", nil, err
	}
	if v, ok := r.srv[q]; ok {
		return q, v, nil
	}
	return "", nil, notFound(q)
}

func (r *stubResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	if err := r.answer(ctx, host); err != nil {
		return nil, err
	}
	if v, ok := r.hosts[host]; ok {
		return v, nil
	}
	return nil, notFound(host)
}

// noResolver fails at once, like a machine with no network.
var errNoResolver = &net.DNSError{Err: "connect: network is unreachable", Name: "", IsTemporary: true}

// router maps "host:port" to loopback listeners, so probes and HTTPS fetches
// of made-up names reach the test's servers and nothing else.
type router struct {
	mu     sync.Mutex
	routes map[string]string
	calls  atomic.Int32
}

func (r *router) add(hostport, target string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.routes == nil {
		r.routes = map[string]string{}
	}
	r.routes[hostport] = target
}

func (r *router) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	r.calls.Add(1)
	r.mu.Lock()
	target, ok := r.routes[addr]
	r.mu.Unlock()
	if !ok {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, target)
}

// testCert is a self-signed certificate for names, and a pool that trusts it.
func testCert(t *testing.T, names ...string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "detect test"},
		DNSNames:              names,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// fake is how a fake SMTP server behaves.
type fake int

const (
	fakeTLS        fake = iota // implicit TLS, then a normal session
	fakeSTARTTLS               // plain session whose EHLO offers STARTTLS
	fakePlain                  // plain session without STARTTLS
	fakeSilent                 // accepts and never says a word
	fakeFlood                  // a greeting that never ends
	fakeHTTP                   // something that is not a mail server
	fakeBadCertTLS             // implicit TLS with a certificate nobody trusts
)

// fakeSMTP starts a server on 127.0.0.1 and returns its address. It stops,
// and its connections end, when the test ends.
func fakeSMTP(t *testing.T, mode fake, cert tls.Certificate) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	if mode == fakeBadCertTLS {
		cert, _ = testCert(t, "untrusted.test")
		mode = fakeTLS
	}
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { serveFake(c, mode, cert) })
		}
	})
	return ln.Addr().String()
}

func serveFake(c net.Conn, mode fake, cert tls.Certificate) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	switch mode {
	case fakeSilent:
		_, _ = io.Copy(io.Discard, c)
		return
	case fakeFlood:
		line := "220-" + strings.Repeat("a", 1000) + "\r\n"
		for {
			if _, err := io.WriteString(c, line); err != nil {
				return
			}
		}
	case fakeHTTP:
		_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n")
		return
	case fakeTLS:
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		if tc.Handshake() != nil {
			return
		}
		c = tc
	}
	br := bufio.NewReader(c)
	_, _ = io.WriteString(c, "220 fake.test ESMTP\r\n")
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case strings.HasPrefix(cmd, "EHLO"):
			caps := "250-fake.test\r\n250-PIPELINING\r\n"
			if mode == fakeSTARTTLS {
				caps += "250-STARTTLS\r\n"
			}
			_, _ = io.WriteString(c, caps+"250 AUTH PLAIN LOGIN\r\n")
		case cmd == "QUIT":
			_, _ = io.WriteString(c, "221 bye\r\n")
			return
		default:
			_, _ = io.WriteString(c, "502 unknown\r\n")
		}
	}
}

// offline is a network where nothing answers and everything fails at once.
type offline struct {
	resolver *stubResolver
	router   *router
}

func newOffline() *offline {
	return &offline{resolver: &stubResolver{err: errNoResolver}, router: &router{}}
}

func (o *offline) options() Options {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		o.router.calls.Add(1)
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ENETUNREACH}
	}
	return Options{
		Resolver:   o.resolver,
		Dial:       dial,
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dial}},
	}
}
