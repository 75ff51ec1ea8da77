package detect

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

func TestDetectCatalogueDomainsOffline(t *testing.T) {
	cat := smtp.BuiltinCatalogue()
	n := 0
	for _, p := range cat.Providers {
		rec, _ := p.Recommended()
		for _, d := range p.Domains {
			n++
			off := newOffline()
			got := Detect(context.Background(), "nas@"+strings.ToUpper(d), cat, off.options())
			if got.Provider != p.ID || got.Host != p.Host || got.Port != rec.Port || got.Security != rec.Security || got.Source != SourceCatalogue {
				t.Errorf("%s: got %+v, want %s %s:%d %s from the catalogue", d, got, p.ID, p.Host, rec.Port, rec.Security)
			}
			if got.Login != p.Login {
				t.Errorf("%s: login rule %q, want %q", d, got.Login, p.Login)
			}
			if len(got.Unchecked) != 0 {
				t.Errorf("%s: unchecked %q; a catalogue answer needs no network", d, got.Unchecked)
			}
			if c := off.resolver.calls.Load() + off.router.calls.Load(); c != 0 {
				t.Errorf("%s: %d network calls; a catalogue answer needs none", d, c)
			}
			if len(got.Alternatives) != len(p.Ports)-1 {
				t.Errorf("%s: %d alternatives, want the %d other ports", d, len(got.Alternatives), len(p.Ports)-1)
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d catalogue domains", n)
	}
}

func TestDetectByMX(t *testing.T) {
	tests := []struct {
		name, mx               string
		provider, host, source string
		port                   int
		security               smtp.Security
	}{
		{"workspace", "aspmx.l.google.com.", "google-workspace", "smtp.gmail.com", SourceMX, 465, smtp.SecuritySSL},
		{"workspace new MX", "SMTP.GOOGLE.COM", "google-workspace", "smtp.gmail.com", SourceMX, 465, smtp.SecuritySSL},
		{"microsoft 365", "corp-test.mail.protection.outlook.com.", "microsoft365", "smtp.office365.com", SourceMX, 587, smtp.SecuritySTARTTLS},
		{"unknown MX", "mx.hoster.test.", "", "", "", 0, ""},
		{"null MX", ".", "", "", "", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := &stubResolver{mx: map[string][]*net.MX{"corp.test": {{Host: tc.mx, Pref: 10}}}}
			got := Detect(context.Background(), "nas@corp.test", nil, Options{Resolver: res, Dial: (&router{}).dial, HTTPClient: noHTTP()})
			if got.Provider != tc.provider || got.Host != tc.host || got.Port != tc.port || got.Security != tc.security || got.Source != tc.source {
				t.Errorf("got %+v, want %s %s:%d %s from %s", got, tc.provider, tc.host, tc.port, tc.security, tc.source)
			}
			if len(got.Unchecked) != 0 {
				t.Errorf("unchecked %q", got.Unchecked)
			}
		})
	}
}

func TestDetectBySRV(t *testing.T) {
	submissions := []*net.SRV{{Target: "submit.srv.test.", Port: 465, Priority: 0}}
	submission := []*net.SRV{{Target: "submit.srv.test.", Port: 587, Priority: 0}}
	tests := []struct {
		name     string
		srv      map[string][]*net.SRV
		host     string
		port     int
		security smtp.Security
		alts     int
	}{
		{"implicit TLS wins", map[string][]*net.SRV{"_submissions._tcp.srv.test": submissions, "_submission._tcp.srv.test": submission}, "submit.srv.test", 465, smtp.SecuritySSL, 1},
		{"STARTTLS only", map[string][]*net.SRV{"_submission._tcp.srv.test": submission}, "submit.srv.test", 587, smtp.SecuritySTARTTLS, 0},
		{"service not offered", map[string][]*net.SRV{"_submissions._tcp.srv.test": {{Target: ".", Port: 0}}, "_submission._tcp.srv.test": submission}, "submit.srv.test", 587, smtp.SecuritySTARTTLS, 0},
		{"hostile target", map[string][]*net.SRV{"_submissions._tcp.srv.test": {{Target: "evil\x1b]0;pwned\x07.test.", Port: 465}}}, "", 0, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := &stubResolver{srv: tc.srv}
			got := Detect(context.Background(), "nas@srv.test", nil, Options{Resolver: res, Dial: (&router{}).dial, HTTPClient: noHTTP()})
			if got.Host != tc.host || got.Port != tc.port || got.Security != tc.security {
				t.Fatalf("got %+v, want %s:%d %s", got, tc.host, tc.port, tc.security)
			}
			if tc.host != "" && got.Source != SourceSRV {
				t.Errorf("source %q, want srv", got.Source)
			}
			if len(got.Alternatives) != tc.alts {
				t.Errorf("alternatives %+v, want %d", got.Alternatives, tc.alts)
			}
		})
	}
}

const autoconfigDoc = `<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="%s">
    <domain>%s</domain>
    <incomingServer type="imap"><hostname>imap.example.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
    <outgoingServer type="smtp">
      <hostname>plain.%%EMAILDOMAIN%%</hostname><port>25</port><socketType>plain</socketType><username>%%EMAILADDRESS%%</username>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.%%EMAILDOMAIN%%</hostname><port>465</port><socketType>SSL</socketType><username>%%EMAILLOCALPART%%</username>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.%%EMAILDOMAIN%%</hostname><port>587</port><socketType>STARTTLS</socketType><username>%%EMAILLOCALPART%%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>`

// serveAutoconfig serves documents by "host path" over HTTPS and returns a
// client that reaches it for the given names.
func serveAutoconfig(t *testing.T, docs map[string]string, names ...string) *http.Client {
	t.Helper()
	cert, _ := testCert(t, names...)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, ok := docs[r.Host+" "+r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(doc))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	rt := &router{}
	for _, n := range names {
		rt.add(n+":443", srv.Listener.Addr().String())
	}
	client := srv.Client()
	client.Transport.(*http.Transport).DialContext = rt.dial
	return client
}

func TestDetectByAutoconfig(t *testing.T) {
	doc := strings.ReplaceAll(autoconfigDoc, "%%", "%")
	docs := map[string]string{
		"autoconfig.ac.test /mail/config-v1.1.xml":                 doc,
		"wk.test /.well-known/autoconfig/mail/config-v1.1.xml":     doc,
		"big.test /.well-known/autoconfig/mail/config-v1.1.xml":    strings.Repeat(" ", maxAutoconfig+10),
		"broken.test /.well-known/autoconfig/mail/config-v1.1.xml": "<html>not it</html>",
		"autoconfig.m365.test /mail/config-v1.1.xml":               `<clientConfig><emailProvider><outgoingServer type="smtp"><hostname>smtp.office365.com</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer></emailProvider></clientConfig>`,
	}
	client := serveAutoconfig(t, docs, "autoconfig.ac.test", "ac.test", "autoconfig.wk.test", "wk.test",
		"big.test", "broken.test", "autoconfig.m365.test")
	tests := []struct {
		domain, provider, host, login string
		port                          int
		security                      smtp.Security
		alts                          []string
		unchecked                     string
	}{
		{"ac.test", "", "smtp.ac.test", smtp.LoginLocalPart, 465, smtp.SecuritySSL, []string{"smtp.ac.test:587:starttls", "plain.ac.test:25:none"}, ""},
		{"wk.test", "", "smtp.wk.test", smtp.LoginLocalPart, 465, smtp.SecuritySSL, []string{"smtp.wk.test:587:starttls", "plain.wk.test:25:none"}, ""},
		{"m365.test", "microsoft365", "smtp.office365.com", smtp.LoginAddress, 587, smtp.SecuritySTARTTLS, nil, ""},
		{"big.test", "", "", "", 0, "", nil, "answer too large"},
		{"broken.test", "", "", "", 0, "", nil, "not a usable document"},
	}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			got := Detect(context.Background(), "nas@"+tc.domain, nil, Options{Resolver: &stubResolver{}, Dial: (&router{}).dial, HTTPClient: client})
			if got.Provider != tc.provider || got.Host != tc.host || got.Port != tc.port || got.Security != tc.security || got.Login != tc.login {
				t.Fatalf("got %+v, want %q %s:%d %s login %s", got, tc.provider, tc.host, tc.port, tc.security, tc.login)
			}
			if tc.host != "" && got.Source != SourceAutoconfig {
				t.Errorf("source %q", got.Source)
			}
			if alts := altKeys(got); !slices.Equal(alts, tc.alts) {
				t.Errorf("alternatives %q, want %q", alts, tc.alts)
			}
			if tc.unchecked != "" && !containsText(got.Unchecked, tc.unchecked) {
				t.Errorf("unchecked %q, want one saying %q", got.Unchecked, tc.unchecked)
			}
		})
	}
}

func TestDetectByGuessing(t *testing.T) {
	cert, pool := testCert(t, "smtp.g.test", "mail.g.test", "g.test")
	tests := []struct {
		name      string
		servers   map[string]fake
		want      string   // host:port:security, "" for nothing found
		alts      []string // checked when set: only probes that finished before the winner are certain to be listed
		unchecked string
	}{
		{"465 TLS over 587 STARTTLS over 25",
			map[string]fake{"smtp.g.test:465": fakeTLS, "smtp.g.test:587": fakeSTARTTLS, "smtp.g.test:25": fakeSTARTTLS},
			"smtp.g.test:465:ssl", nil, ""},
		{"587 STARTTLS over 25",
			map[string]fake{"smtp.g.test:587": fakeSTARTTLS, "smtp.g.test:25": fakeSTARTTLS},
			"smtp.g.test:587:starttls", nil, ""},
		{"587 without STARTTLS is not STARTTLS",
			map[string]fake{"smtp.g.test:587": fakePlain, "smtp.g.test:25": fakeSTARTTLS},
			"smtp.g.test:25:starttls", []string{"smtp.g.test:587:none"}, ""},
		{"plain only as a last resort",
			map[string]fake{"mail.g.test:587": fakePlain},
			"mail.g.test:587:none", nil, ""},
		{"encrypted on another host before plain",
			map[string]fake{"smtp.g.test:587": fakePlain, "g.test:465": fakeTLS},
			"g.test:465:ssl", nil, ""},
		{"mail. when there is no smtp.",
			map[string]fake{"mail.g.test:465": fakeTLS},
			"mail.g.test:465:ssl", nil, ""},
		{"untrusted certificate is not chosen",
			map[string]fake{"smtp.g.test:465": fakeBadCertTLS, "smtp.g.test:587": fakeSTARTTLS},
			"smtp.g.test:587:starttls", nil, "certificate is not trusted"},
		{"silent 465 does not block 587",
			map[string]fake{"smtp.g.test:465": fakeSilent, "smtp.g.test:587": fakeSTARTTLS},
			"smtp.g.test:587:starttls", nil, "did not answer in time"},
		{"flood is cut off",
			map[string]fake{"smtp.g.test:587": fakeFlood, "smtp.g.test:25": fakeSTARTTLS},
			"smtp.g.test:25:starttls", nil, "unreasonably large"},
		{"not a mail server",
			map[string]fake{"smtp.g.test:587": fakeHTTP},
			"", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := &router{}
			res := &stubResolver{hosts: map[string][]string{}}
			for hostport, mode := range tc.servers {
				rt.add(hostport, fakeSMTP(t, mode, cert))
				host, _, _ := net.SplitHostPort(hostport)
				res.hosts[host] = []string{"127.0.0.1"}
			}
			opts := Options{Resolver: res, Dial: rt.dial, HTTPClient: noHTTP(),
				TLSConfig: &tls.Config{RootCAs: pool}, ProbeTimeout: 500 * time.Millisecond}
			got := Detect(context.Background(), "nas@g.test", nil, opts)
			if k := resultKey(got); k != tc.want {
				t.Fatalf("got %q (%+v), want %q", k, got, tc.want)
			}
			if tc.want != "" && got.Source != SourceGuess {
				t.Errorf("source %q", got.Source)
			}
			if alts := altKeys(got); tc.alts != nil && !slices.Equal(alts, tc.alts) {
				t.Errorf("alternatives %q, want %q", alts, tc.alts)
			}
			if tc.unchecked != "" && !containsText(got.Unchecked, tc.unchecked) {
				t.Errorf("unchecked %q, want one saying %q", got.Unchecked, tc.unchecked)
			}
		})
	}
}

func TestDetectWithoutNetwork(t *testing.T) {
	t.Run("catalogue domain", func(t *testing.T) {
		off := newOffline()
		got := Detect(context.Background(), "nas@gmail.com", nil, off.options())
		if got.Provider != "gmail" || got.Host != "smtp.gmail.com" || got.Port != 465 {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("custom domain, DNS fails at once", func(t *testing.T) {
		// The autoconfig fetch would hang until its own limit; a DNS failure
		// must stop it instead, which the "not tried" line proves.
		hang := func(ctx context.Context, network, addr string) (net.Conn, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		opts := Options{
			Resolver:   &stubResolver{err: errNoResolver},
			Dial:       hang,
			HTTPClient: &http.Client{Transport: &http.Transport{DialContext: hang}},
		}
		got := Detect(context.Background(), "nas@corp.test", nil, opts)
		if got.Found() {
			t.Errorf("found %+v without a network", got)
		}
		for _, want := range []string{
			"DNS: no resolver answered the MX query for corp.test",
			"DNS: no resolver answered the SRV queries for corp.test",
			"autoconfig: not tried, because DNS did not answer",
			// Guessing either sees the failure itself or is stopped: both say so.
			"guess: ",
		} {
			if !containsText(got.Unchecked, want) {
				t.Errorf("unchecked %q, want %q", got.Unchecked, want)
			}
		}
		if !containsText(got.Unchecked, "DNS did not answer for smtp.corp.test") && !containsText(got.Unchecked, "guess: not tried") {
			t.Errorf("unchecked %q does not say guessing lacked DNS", got.Unchecked)
		}
		checkPseudo(t, got, "corp test smtp imap mail MX SRV")
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if got := Detect(ctx, "nas@gmail.com", nil, newOffline().options()); got.Provider != "gmail" {
			t.Errorf("catalogue answer lost on a cancelled context: %+v", got)
		}
		got := Detect(ctx, "nas@corp.test", nil, Options{Resolver: &stubResolver{}, Dial: (&router{}).dial, HTTPClient: noHTTP()})
		if got.Found() || !containsText(got.Unchecked, "stopped before every source had answered (cancelled)") {
			t.Errorf("got %+v", got)
		}
	})
}

func TestDetectBadAddress(t *testing.T) {
	for _, addr := range []string{"", "nas", "nas@", "nas@exa mple.com", "nas@\x1b[31mred.test", "nas@bücher.test"} {
		got := Detect(context.Background(), addr, nil, newOffline().options())
		if got.Found() || len(got.Unchecked) != 1 || !strings.HasPrefix(got.Unchecked[0], "address: ") {
			t.Errorf("%q: got %+v", addr, got)
		}
		if strings.ContainsRune(strings.Join(got.Unchecked, ""), '\x1b') {
			t.Errorf("%q: an escape character reached the message", addr)
		}
	}
}

func TestResultJSON(t *testing.T) {
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{"nothing found", Result{Unchecked: []string{"DNS: no resolver answered"}},
			`{"provider":null,"host":"","port":0,"security":"","source":"","alternatives":[],"unchecked":["DNS: no resolver answered"]}`},
		{"catalogue", fromCandidates(fromProvider(mustProvider(t, "gmail"), SourceCatalogue)),
			`{"provider":"gmail","host":"smtp.gmail.com","port":465,"security":"ssl","source":"catalogue","alternatives":[{"provider":"gmail","host":"smtp.gmail.com","port":587,"security":"starttls","source":"catalogue"}],"unchecked":[]}`},
		{"guess", Result{Host: "smtp.g.test", Port: 465, Security: smtp.SecuritySSL, Source: SourceGuess, Alternatives: []Candidate{{Host: "smtp.g.test", Port: 587, Security: smtp.SecuritySTARTTLS, Source: SourceGuess}}},
			`{"provider":null,"host":"smtp.g.test","port":465,"security":"ssl","source":"guess","alternatives":[{"provider":null,"host":"smtp.g.test","port":587,"security":"starttls","source":"guess"}],"unchecked":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.r)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("got  %s\nwant %s", b, tc.want)
			}
		})
	}
}

func mustProvider(t *testing.T, id string) *smtp.Provider {
	t.Helper()
	p, ok := smtp.BuiltinCatalogue().ByID(id)
	if !ok {
		t.Fatalf("no provider %q", id)
	}
	return p
}

// noHTTP is an HTTP client for tests that must not fetch anything.
func noHTTP() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: (&router{}).dial}}
}

func resultKey(r Result) string {
	if !r.Found() {
		return ""
	}
	return candKey(Candidate{Host: r.Host, Port: r.Port, Security: r.Security})
}

func candKey(c Candidate) string { return c.Host + ":" + itoa(c.Port) + ":" + string(c.Security) }

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func altKeys(r Result) []string {
	var out []string
	for _, c := range r.Alternatives {
		out = append(out, candKey(c))
	}
	return out
}

func containsText(lines []string, want string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, want) })
}

// TestDetectTellsNoMXFromUnknownDomain: DNS answers "no MX" for a domain
// that exists and for one that does not alike; its address tells them
// apart. A domain with MX records, or a resolver that does not answer,
// says neither.
func TestDetectTellsNoMXFromUnknownDomain(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  *stubResolver
		want string
	}{
		{"address, no MX", &stubResolver{hosts: map[string][]string{"corp.test": {"192.0.2.25"}}}, DomainNoMX},
		{"nothing at all", &stubResolver{}, DomainUnknown},
		{"unknown MX", &stubResolver{mx: map[string][]*net.MX{"corp.test": {{Host: "mx.hoster.test.", Pref: 10}}}}, ""},
		{"no resolver", &stubResolver{err: errNoResolver}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Detect(context.Background(), "nas@corp.test", nil, Options{Resolver: tc.res, Dial: (&router{}).dial, HTTPClient: noHTTP()})
			if got.Found() || got.Domain != tc.want {
				t.Errorf("got %+v, want nothing found and domain %q", got, tc.want)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if has := strings.Contains(string(b), `"domain":"`+tc.want+`"`); has != (tc.want != "") || tc.want == "" && strings.Contains(string(b), `"domain"`) {
				t.Errorf("JSON %s: want domain %q", b, tc.want)
			}
		})
	}
}

// wordRE is an English word of three letters or more.
var wordRE = regexp.MustCompile(`\b[A-Za-z]{3,}\b`)

// checkPseudo: every line of what could not be checked reads translated in
// the pseudo-locale (English only inside its brackets, but for the input's
// own words), and the English lines stay as they were.
func checkPseudo(t *testing.T, r Result, input string) {
	t.Helper()
	lines := r.UncheckedIn(i18n.New(i18n.Pseudo))
	if len(lines) != len(r.Unchecked) || len(lines) == 0 {
		t.Fatalf("pseudo-locale %q for %q", lines, r.Unchecked)
	}
	allowed := map[string]bool{}
	for _, w := range wordRE.FindAllString(input, -1) {
		allowed[strings.ToLower(w)] = true
	}
	for i, l := range lines {
		outside, depth := "", 0
		for _, c := range l {
			switch {
			case c == '[':
				depth++
			case c == ']' && depth > 0:
				depth--
			case depth == 0:
				outside += string(c)
			}
		}
		for _, w := range wordRE.FindAllString(outside, -1) {
			if !allowed[strings.ToLower(w)] {
				t.Errorf("%q: %q is not translated (English %q)", l, w, r.Unchecked[i])
			}
		}
	}
}

func TestUncheckedInPseudoLocale(t *testing.T) {
	for _, addr := range []string{"no-at-sign", "nas@exa mple.com"} {
		got := Detect(context.Background(), addr, nil, Options{})
		if len(got.Unchecked) != 1 || !strings.HasPrefix(got.Unchecked[0], "address: ") {
			t.Fatalf("%q: unchecked %q", addr, got.Unchecked)
		}
		checkPseudo(t, got, "exa mple com")
	}
	var n notes
	n.add("smtp.example.com", 465, context.DeadlineExceeded)
	n.add("smtp.example.com", 587, context.DeadlineExceeded)
	r := Result{notes: n.lines()}
	r.Unchecked = english(r.notes)
	if want := "guess: smtp.example.com on port 465, 587 did not answer in time (a firewall may block the port)"; r.Unchecked[0] != want {
		t.Fatalf("English %q, want %q", r.Unchecked[0], want)
	}
	checkPseudo(t, r, "smtp example com")
}
