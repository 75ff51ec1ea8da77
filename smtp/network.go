package smtp

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"smtpsetup/i18n"
)

// NetworkFacts is what the test learned about this machine's side when the
// server could not be reached: the facts that tell a local fault (no
// network, a DNS that does not work, a blocked port) from the server's.
type NetworkFacts struct {
	// On a failed lookup: the name servers of this machine, and a second
	// name (a catalogue host) looked up with them to test DNS itself.
	Resolvers   []string `json:"resolvers,omitempty"`
	ControlName string   `json:"control_name,omitempty"`
	ControlOK   bool     `json:"control_ok,omitempty"`
	// NoAddress is set when this machine has no address but loopback.
	NoAddress bool `json:"no_address,omitempty"`
	// Ports are the provider's other ports, tried in parallel when connect
	// was refused or stalled.
	Ports []PortProbe `json:"ports,omitempty"`
}

// Attempt is a host, mode and port that was tested and failed. A
// suggestion is never one of them, so a user following suggestions cannot
// be sent back and forth between two failing settings.
type Attempt struct {
	Host     string
	Security Security
	Port     int
}

// Attempt returns the settings of this report as an attempt, for
// Options.Tried of the next test.
func (r *Report) Attempt() Attempt {
	return Attempt{strings.ToLower(r.Settings.Host), r.Settings.Security, r.Settings.Port}
}

// Remember adds the report's settings to tried when the test failed
// because of the mode or port, and returns the list for Options.Tried. A
// failure that says nothing about the port is not remembered: a login, a
// server's reply, a certificate (the same on every port), a cancel.
func Remember(tried []Attempt, r *Report) []Attempt {
	if r == nil || r.Failure == nil || slices.Contains(tried, r.Attempt()) ||
		!slices.Contains([]Stage{StageConnect, StageTLS, StageGreeting, StageEHLO, StageSTARTTLS}, r.Failure.Stage) ||
		slices.Contains([]Kind{KindCancelled, KindReply, KindTLSUntrusted, KindTLSExpired, KindTLSHostname}, r.Failure.Kind) {
		return tried
	}
	return append(tried, r.Attempt())
}

// withoutTried drops a suggestion that was already tried (or is what just
// failed), and says so instead.
func withoutTried(r *Report, d *Diagnosis, tr *i18n.Printer) *Diagnosis {
	if d == nil || d.Suggestion == nil {
		return d
	}
	a := Attempt{strings.ToLower(r.Settings.Host), d.Suggestion.Security, d.Suggestion.Port}
	if a == r.Attempt() || slices.Contains(r.Tried, a) {
		d.Fix += tr.Tf(" (%s was tried already and failed too.)", d.Suggestion.StringIn(tr))
		d.Suggestion = nil
	}
	return d
}

// errDNSBlocked is a lookup answered with 0.0.0.0 or :: only: what DNS
// filters (Pi-hole, AdGuard, some company resolvers) answer for a name they
// block. Connecting there would reach this machine itself.
var errDNSBlocked = errors.New("DNS answered 0.0.0.0 (or ::): a DNS filter blocks this name")

func sinkholed(addrs []net.IPAddr) bool {
	for _, a := range addrs {
		if !a.IP.IsUnspecified() {
			return false
		}
	}
	return len(addrs) > 0
}

// DefaultResolvConf is where this machine's name servers are listed.
const DefaultResolvConf = "/etc/resolv.conf"

// readResolvers lists the name servers in a resolv.conf file, cleaned (the
// file may come from DHCP), at most five.
func readResolvers(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(out) < 5 {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "nameserver" {
			out = append(out, CleanLine(fields[1]))
		}
	}
	return out
}

// hasNetwork reports whether this machine has an address other than
// loopback and link-local ones: without one, nothing outside can answer.
func hasNetwork(addrs func() ([]net.Addr, error)) bool {
	list, err := addrs()
	if err != nil {
		return true // unknown: do not claim there is no network
	}
	for _, a := range list {
		var ip net.IP
		switch v := a.(type) {
		case *net.IPNet:
			ip = v.IP
		case *net.IPAddr:
			ip = v.IP
		}
		if ip != nil && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() && !ip.IsUnspecified() {
			return true
		}
	}
	return false
}

// isLoopbackHost reports a host that never leaves this machine.
func isLoopbackHost(host string) bool {
	host = strings.Trim(host, "[]")
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return strings.EqualFold(host, "localhost")
}

// providerFor is the catalogue entry for the settings: the one given, the
// one the settings name, or the one whose host was typed. A loopback host
// names no provider (a local bridge's 127.0.0.1 is everyone's).
func providerFor(s Settings, p *Provider) *Provider {
	if p != nil && p.ID != OtherID {
		return p
	}
	cat := builtinOnce()
	if q, ok := cat.ByID(s.Provider); ok && s.Provider != OtherID {
		return q
	}
	if isLoopbackHost(s.Host) {
		return nil
	}
	for i := range cat.Providers {
		if q := &cat.Providers[i]; q.Host != "" && strings.EqualFold(q.Host, strings.TrimSuffix(s.Host, ".")) {
			return q
		}
	}
	return nil
}

var builtinOnce = sync.OnceValue(BuiltinCatalogue)

// controlName picks a second name to look up when the host does not
// resolve: the provider's host when another was typed, else a catalogue
// host. It is always in another domain, so that a DNS filter blocking the
// host's domain does not pass for a broken DNS. If it does not resolve
// either, this machine's DNS is at fault.
func controlName(host string, p *Provider) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if p != nil && p.Host != "" && !sameSite(p.Host, host) {
		return p.Host
	}
	for _, q := range builtinOnce().Providers {
		if q.Host != "" && !sameSite(q.Host, host) && !isLoopbackHost(q.Host) && q.Status == StatusOK {
			return q.Host
		}
	}
	return ""
}

// dnsFacts looks at this machine's side of a failed lookup: its name
// servers, whether it has a network at all, and whether a second name
// resolves.
func (t *tester) dnsFacts() { dnsFacts(t.ctx, &t.rep.Network, t.opts, t.s.Host, t.provider()) }

// dnsFacts fills n after host failed to resolve.
func dnsFacts(ctx context.Context, n *NetworkFacts, opts Options, host string, p *Provider) {
	n.Resolvers = readResolvers(opts.ResolvConf)
	n.NoAddress = !hasNetwork(opts.InterfaceAddrs)
	if n.ControlName = controlName(host, p); n.ControlName == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, min(opts.Timeout, 3*time.Second))
	defer cancel()
	addrs, err := opts.Resolver.LookupIPAddr(ctx, n.ControlName)
	n.ControlOK = err == nil && len(addrs) > 0
}

// signInNetwork turns a sign-in (or token refresh) that failed for want of
// DNS or a network into the network failure it is, with this machine's
// facts, so that the rules that explain an unreachable SMTP server explain
// an unreachable identity provider too: "this device's DNS does not work"
// rather than "the identity provider said: network". A refused or silent
// port stays an oauth.unreachable: the SMTP port rules do not apply to it.
func signInNetwork(ctx context.Context, f *Failure, n *NetworkFacts, err error, opts Options, p *Provider) {
	if f.OAuth == nil || f.OAuth.Error != "network" {
		return
	}
	k, host := netKind(err), netErrHost(err)
	if k == "" || host == "" {
		return
	}
	var facts NetworkFacts
	switch k {
	case KindDNSFailed, KindDNSNotFound:
		dnsFacts(ctx, &facts, opts, host, p)
	default:
		facts.NoAddress = !hasNetwork(opts.InterfaceAddrs)
		if k != KindUnreachable && !facts.NoAddress {
			return
		}
	}
	f.Kind, f.Host, *n = k, host, facts
}

// netErrHost is the name or address a network error was about.
func netErrHost(err error) string {
	var dnsErr *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return dnsErr.Name
	case errors.As(err, &op) && op.Addr != nil:
		return op.Addr.String()
	}
	return ""
}

// connectFacts notes, after a failed connect, whether this machine has a
// network at all.
func (t *tester) connectFacts() {
	if isLoopbackHost(t.s.Host) {
		return
	}
	t.rep.Network.NoAddress = !hasNetwork(t.opts.InterfaceAddrs)
}

// familyNote says which address family failed when the other one worked:
// an appliance with an IPv6 address but no IPv6 route is common.
func familyNote(failed []dialFailure, used net.IP) (familyFacts, bool) {
	fam := func(ip net.IP) string {
		if ip.To4() != nil {
			return "IPv4"
		}
		return "IPv6"
	}
	for _, f := range failed {
		if fam(f.ip) != fam(used) {
			return familyFacts{fam(f.ip), f.ip.String(), f.why, fam(used), used.String()}, true
		}
	}
	return familyFacts{}, false
}

// familyFacts are what a family note says, kept apart from its English
// (Report.Server.Notes) so that NetworkLinesIn can say it in another
// language.
type familyFacts struct{ failed, failedIP, why, used, usedIP string }

func (f familyFacts) in(tr *i18n.Printer) string {
	return tr.Tf("%s did not work (%s: %s); connected over %s instead (%s).", f.failed, f.failedIP, tr.T(f.why), f.used, f.usedIP)
}

type dialFailure struct {
	ip  net.IP
	why string
}

// dialWhy is a failed connect in a few words.
func dialWhy(err error) string {
	var ne net.Error
	switch {
	case isRefused(err):
		return i18n.N("connection refused")
	case isUnreachable(err):
		return i18n.N("no route")
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return i18n.N("no answer")
	}
	return i18n.N("failed")
}

// NetworkLines says, one fact a line, what the test learned about this
// machine's side: notes (an address family that failed while the other
// worked) and, when the server was not reached, the name servers, the
// second name looked up and the other ports tried. Every screen and report
// shows the same lines.
func (r *Report) NetworkLines() []string { return r.NetworkLinesIn(nil) }

// NetworkLinesIn is NetworkLines in tr's language; a note this run did not
// write (a report read back) stays as it was written.
func (r *Report) NetworkLinesIn(tr *i18n.Printer) []string {
	lines := slices.Clone(r.Server.Notes)
	if !tr.English() && len(r.noteFacts) == len(lines) {
		for i, f := range r.noteFacts {
			lines[i] = f.in(tr)
		}
	}
	n := r.Network
	if n.NoAddress {
		lines = append(lines, tr.T("this device has no network address but loopback"))
	}
	if len(n.Resolvers) > 0 {
		lines = append(lines, tr.Tf("name servers: %s", strings.Join(n.Resolvers, ", ")))
	}
	if n.ControlName != "" {
		line := tr.Tf("%s does not resolve either", n.ControlName)
		if n.ControlOK {
			line = tr.Tf("%s resolves", n.ControlName)
		}
		lines = append(lines, line)
	}
	for _, p := range n.Ports {
		lines = append(lines, tr.Tf("port %d (%s): %s", p.Port, p.Security.LabelIn(tr), tr.T(p.Result)))
	}
	return lines
}
