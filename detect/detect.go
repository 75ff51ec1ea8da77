// Package detect finds the SMTP server for an e-mail address the way a mail
// client's account setup does: the provider catalogue first (offline), then
// the domain's MX records, DNS SRV records (RFC 6186/8314), the domain's
// autoconfig document (Thunderbird's format), and finally a probe of the
// usual host names and ports. Sources run in parallel; the answer of the
// highest-priority source that succeeds wins and the others become
// alternatives. Nothing here talks to a terminal.
package detect

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"smtpsetup/smtp"

	"smtpsetup/i18n"
)

// Sources of an answer, in priority order.
const (
	SourceCatalogue  = "catalogue"  // the address's domain is in the catalogue
	SourceMX         = "mx"         // the domain's mail exchangers belong to a catalogue provider
	SourceSRV        = "srv"        // _submissions._tcp or _submission._tcp records
	SourceAutoconfig = "autoconfig" // the domain's config-v1.1.xml document
	SourceGuess      = "guess"      // a server answered on a usual host name and port
)

// Defaults for Options' timeouts.
const (
	DefaultDNSTimeout        = 3 * time.Second
	DefaultAutoconfigTimeout = 5 * time.Second
	DefaultProbeTimeout      = 4 * time.Second
)

// Resolver is the part of *net.Resolver that detection uses, so that tests
// can answer DNS queries without a network.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Options are detection's network hooks and time limits. The zero value uses
// the system resolver, a fresh HTTP client and the default timeouts.
type Options struct {
	Resolver   Resolver     // DNS; nil means net.DefaultResolver
	HTTPClient *http.Client // fetches autoconfig documents; nil means a client that dials with Dial
	// Dial opens the TCP connections of the probes (and of the default HTTP
	// client); nil means a net.Dialer.
	Dial      func(ctx context.Context, network, addr string) (net.Conn, error)
	TLSConfig *tls.Config // base TLS settings of the port-465 probe (roots); ServerName is set per host

	DNSTimeout        time.Duration // each DNS query; 0 means DefaultDNSTimeout
	AutoconfigTimeout time.Duration // both autoconfig URLs together; 0 means DefaultAutoconfigTimeout
	ProbeTimeout      time.Duration // each probed host and port; 0 means DefaultProbeTimeout
}

func (o Options) withDefaults() Options {
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Dial == nil {
		o.Dial = (&net.Dialer{}).DialContext
	}
	if o.HTTPClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DialContext = o.Dial
		o.HTTPClient = &http.Client{Transport: tr}
	}
	if o.DNSTimeout <= 0 {
		o.DNSTimeout = DefaultDNSTimeout
	}
	if o.AutoconfigTimeout <= 0 {
		o.AutoconfigTimeout = DefaultAutoconfigTimeout
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = DefaultProbeTimeout
	}
	return o
}

// Candidate is one server that may take the address's mail.
type Candidate struct {
	Provider string        // catalogue id, or "" when no catalogue entry matches
	Host     string        // server host name
	Port     int           // TCP port
	Security smtp.Security // ssl, starttls or none
	Source   string        // which source found it: SourceCatalogue, SourceMX, ...
	Login    string        // login rule (smtp.LoginAddress, ...) when the source says; "" when unknown
}

// MarshalJSON writes {"provider": id or null, "host", "port", "security", "source"}.
func (c Candidate) MarshalJSON() ([]byte, error) {
	return json.Marshal(candidateJSON{nullable(c.Provider), c.Host, c.Port, c.Security, c.Source})
}

type candidateJSON struct {
	Provider *string       `json:"provider"`
	Host     string        `json:"host"`
	Port     int           `json:"port"`
	Security smtp.Security `json:"security"`
	Source   string        `json:"source"`
}

// Result is what detection found: the best candidate's fields, the other
// candidates, and what could not be checked. Host is "" when nothing was
// found.
type Result struct {
	Provider     string        // catalogue id, or ""
	Host         string        // server host name, or "" when nothing was found
	Port         int           // TCP port
	Security     smtp.Security // ssl, starttls or none
	Source       string        // which source found it
	Login        string        // login rule when the source says; "" when unknown (use the address)
	Alternatives []Candidate   // other servers found, best first
	Unchecked    []string      // what could not be checked, said for a user: "DNS: no resolver answered ..."
	notes        []note        // Unchecked's formats and values, for UncheckedIn

	// Domain is what DNS said of the address's domain when it named no
	// mail server: DomainNoMX or DomainUnknown; "" when it has MX records
	// or DNS could not tell.
	Domain string
}

// What DNS said of a domain without MX records. DNS answers "no such
// name" (NXDOMAIN) and "no records of this type" alike through Go's
// resolver, so the domain's own address tells them apart: with neither an
// MX nor an address the domain is unknown (mistyped, or not registered).
const (
	DomainNoMX    = "no-mx"   // the domain exists (it has an address) but names no mail server
	DomainUnknown = "unknown" // no MX and no address: no such domain
)

// DomainNote says what DNS said of the domain, for a user: "" unless it
// named no mail server.
func (r Result) DomainNote() string { return r.DomainNoteIn(nil) }

// DomainNoteIn is DomainNote in the printer's language.
func (r Result) DomainNoteIn(tr *i18n.Printer) string {
	switch r.Domain {
	case DomainUnknown:
		return tr.T("the domain does not exist (DNS has no mail server and no address for it)")
	case DomainNoMX:
		return tr.T("the domain exists but names no mail server (no MX record)")
	}
	return ""
}

// Found reports whether detection found a server.
func (r Result) Found() bool { return r.Host != "" }

// MarshalJSON writes {"provider": id or null, "host", "port", "security",
// "source", "alternatives": [...], "unchecked": [...]}.
func (r Result) MarshalJSON() ([]byte, error) {
	out := struct {
		candidateJSON
		Alternatives []Candidate `json:"alternatives"`
		Unchecked    []string    `json:"unchecked"`
		Domain       string      `json:"domain,omitempty"` // DomainNoMX or DomainUnknown
	}{
		candidateJSON{nullable(r.Provider), r.Host, r.Port, r.Security, r.Source},
		r.Alternatives, r.Unchecked, r.Domain,
	}
	// Empty lists print as [], not null, so a script can iterate without a check.
	if out.Alternatives == nil {
		out.Alternatives = []Candidate{}
	}
	if out.Unchecked == nil {
		out.Unchecked = []string{}
	}
	return json.Marshal(out)
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Detect finds the SMTP server for address. A domain in the catalogue is
// answered at once without any network; otherwise MX, SRV, autoconfig and
// guessing run in parallel and the highest-priority success wins. It never
// fails: what could not be checked (no DNS, a timeout, cancellation) is
// listed in Result.Unchecked. A nil catalogue means the built-in one.
func Detect(ctx context.Context, address string, cat *smtp.Catalogue, opts Options) Result {
	domain, err := domainOf(address)
	if err != nil {
		n := notef(i18n.N("address: %s"), err)
		return Result{Unchecked: english([]note{n}), notes: []note{n}}
	}
	if cat == nil {
		cat = smtp.BuiltinCatalogue()
	}
	if p, ok := cat.ByDomain(domain); ok && p.Host != "" {
		return fromCandidates(fromProvider(p, SourceCatalogue))
	}
	d := &detector{domain: domain, cat: cat, opts: opts.withDefaults(), dnsDown: make(chan struct{})}
	return d.run(ctx)
}

// detector holds one detection's state.
type detector struct {
	domain  string
	cat     *smtp.Catalogue
	opts    Options
	dnsDown chan struct{} // closed when MX and SRV both found no resolver answering
	once    sync.Once
}

// outcome is what one source found and what it could not check.
type outcome struct {
	found     []Candidate // best first; empty when the source has no answer
	unchecked []note
	dnsFailed bool   // the resolver did not answer (as opposed to "no such record")
	domain    string // MX only: DomainNoMX or DomainUnknown when there is no MX
}

func (o outcome) ok() bool { return len(o.found) > 0 }

var errDNSDown = errors.New("DNS did not answer")

func (d *detector) run(ctx context.Context) Result {
	tasks := []func(context.Context) outcome{
		d.mx,
		d.srv,
		d.unlessDNSDown(SourceAutoconfig, d.autoconfig),
		d.unlessDNSDown(SourceGuess, d.guess),
	}
	var dnsFailed [2]bool
	results, winner := race(ctx, tasks, outcome.ok, func(i int, o outcome) {
		// Autoconfig and guessing need names resolved too: when the resolver
		// does not answer MX or SRV, stop them now rather than let each wait
		// for its own timeout.
		if i < len(dnsFailed) {
			dnsFailed[i] = o.dnsFailed
		}
		if dnsFailed[0] && dnsFailed[1] {
			d.once.Do(func() { close(d.dnsDown) })
		}
	})

	// Sources before the winner found nothing, so source order puts the
	// winner's candidates first and the later sources' after them.
	var all []Candidate
	var unchecked []note
	for _, o := range results {
		if o != nil {
			all = append(all, o.found...)
			unchecked = append(unchecked, o.unchecked...)
		}
	}
	if winner < 0 && ctx.Err() != nil {
		unchecked = append(unchecked, notef(i18n.N("detection: stopped before every source had answered (%s)"), reason(why(ctx.Err()))))
	}
	r := fromCandidates(all)
	r.Unchecked, r.notes = english(unchecked), unchecked
	if results[0] != nil {
		r.Domain = results[0].domain
	}
	return r
}

// unlessDNSDown runs a source that needs name resolution, and stops it when
// the resolver is known not to answer.
func (d *detector) unlessDNSDown(name string, source func(context.Context) outcome) func(context.Context) outcome {
	return func(ctx context.Context) outcome {
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			select {
			case <-d.dnsDown:
				cancel(errDNSDown)
			case <-stop:
			}
		}()
		o := source(ctx)
		if errors.Is(context.Cause(ctx), errDNSDown) {
			return outcome{unchecked: []note{notef(i18n.N("%s: not tried, because DNS did not answer"), name)}}
		}
		return o
	}
}

// fromProvider lists a catalogue provider's ports as candidates, the
// recommended one first.
func fromProvider(p *smtp.Provider, source string) []Candidate {
	rec, ok := p.Recommended()
	if !ok {
		rec = smtp.PortOption{Security: smtp.SecuritySSL, Port: smtp.SecuritySSL.DefaultPort()}
	}
	out := []Candidate{{p.ID, p.Host, rec.Port, rec.Security, source, p.Login}}
	for _, po := range p.Ports {
		if po != rec {
			out = append(out, Candidate{p.ID, p.Host, po.Port, po.Security, source, p.Login})
		}
	}
	return out
}

// fromCandidates makes the first candidate the answer and the others, without
// repeats, its alternatives.
func fromCandidates(cs []Candidate) Result {
	if len(cs) == 0 {
		return Result{}
	}
	best := cs[0]
	r := Result{Provider: best.Provider, Host: best.Host, Port: best.Port, Security: best.Security, Source: best.Source, Login: best.Login}
	seen := map[string]bool{key(best): true}
	for _, c := range cs[1:] {
		if !seen[key(c)] {
			seen[key(c)] = true
			r.Alternatives = append(r.Alternatives, c)
		}
	}
	return r
}

func key(c Candidate) string { return fmt.Sprintf("%s|%d|%s", c.Host, c.Port, c.Security) }

// providerForHost is the catalogue entry whose server is host, so that a
// server found by SRV, autoconfig or guessing still gets the provider's
// prerequisites. An entry without domains (a business suite, which serves
// custom domains) is preferred: smtp.gmail.com on a custom domain is Google
// Workspace, not Gmail.
func (d *detector) providerForHost(host string) string {
	found := ""
	for _, p := range d.cat.Providers {
		if !strings.EqualFold(p.Host, host) {
			continue
		}
		if len(p.Domains) == 0 {
			return p.ID
		}
		if found == "" {
			found = p.ID
		}
	}
	return found
}

var hostPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)+$`)

// cleanHost returns a host name from DNS or a document in lower case without
// the final dot, or "" when it is not a plain host name. Such names come from
// whoever controls the domain, so nothing else gets through.
func cleanHost(h string) string {
	h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
	if len(h) > smtp.MaxHostLen || !hostPattern.MatchString(h) {
		return ""
	}
	return h
}

// domainOf is the address's domain in lower case.
func domainOf(address string) (string, error) {
	address = strings.TrimSpace(address)
	at := strings.LastIndexByte(address, '@')
	if at < 0 {
		return "", notef(i18n.N("has no @ and domain; type it as name@example.com"))
	}
	raw := address[at+1:]
	d := cleanHost(raw)
	if d == "" {
		return "", notef(i18n.N("the domain %q is not a plain host name; type it in ASCII (xn-- form for international names)"), truncate(raw, 64))
	}
	return d, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// race runs tasks at once and returns as soon as the highest-priority success
// is known: the first task that succeeded while every task before it has
// finished without success. Remaining tasks are cancelled and waited for;
// their slots stay nil. winner is -1 when no task succeeded. seen is called
// for each result as it arrives, on the calling goroutine.
func race[T any](ctx context.Context, tasks []func(context.Context) T, ok func(T) bool, seen func(int, T)) (results []*T, winner int) {
	ctx, cancel := context.WithCancel(ctx)
	type done struct {
		i int
		r T
	}
	ch := make(chan done, len(tasks)) // buffered: a task never blocks on a result nobody reads
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Go(func() { ch <- done{i, task(ctx)} })
	}
	defer func() {
		cancel()
		wg.Wait()
	}()
	results = make([]*T, len(tasks))
	for range tasks {
		d := <-ch
		results[d.i] = &d.r
		if seen != nil {
			seen(d.i, d.r)
		}
		if winner = best(results, ok); winner >= 0 {
			return results, winner
		}
	}
	return results, -1
}

func best[T any](results []*T, ok func(T) bool) int {
	for i, r := range results {
		if r == nil {
			return -1
		}
		if ok(*r) {
			return i
		}
	}
	return -1
}
