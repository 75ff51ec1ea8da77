package smtp

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"smtpsetup/i18n"
)

// PortProbe is one of the provider's other ports, tried when the chosen
// port was refused or silent: if one answers, a firewall or the Internet
// provider most likely blocks only the chosen one.
type PortProbe struct {
	Port     int      `json:"port"`
	Security Security `json:"security"`
	Open     bool     `json:"open"`
	Result   string   `json:"result"` // "open", "connection refused", "no answer", ...
}

// portProbeAfter is how long connect may stall before the other ports are
// tried; a refusal starts them at once.
const portProbeAfter = 1500 * time.Millisecond

// alternatePorts are the ports worth trying instead of the chosen one: the
// provider's documented ones (2525 only where it lists it), or the two
// submission ports for a server the catalogue does not know.
func alternatePorts(s Settings, p *Provider) []PortOption {
	opts := []PortOption{{SecuritySSL, 465, false}, {SecuritySTARTTLS, 587, false}}
	if p != nil && len(p.Ports) > 0 {
		opts = p.Ports
	}
	var out []PortOption
	for _, o := range opts {
		if o.Port != s.Port && !slices.ContainsFunc(out, func(x PortOption) bool { return x.Port == o.Port }) {
			out = append(out, o)
		}
	}
	return out
}

// portProber tries the other ports of one address in parallel, once, when
// started; wait collects what it found.
type portProber struct {
	once    sync.Once
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
	results []PortProbe
	startFn func()
}

func (t *tester) newPortProber(addrs []net.IPAddr) *portProber {
	pp := &portProber{ctx: t.ctx, cancel: func() {}}
	if len(addrs) == 0 {
		pp.once.Do(func() {}) // nothing to try
		return pp
	}
	ip := addrs[0].IP.String()
	pp.startFn = func() {
		ports := alternatePorts(t.s, t.provider())
		// The probes get their own time from the moment they start.
		pp.ctx, pp.cancel = context.WithTimeout(t.ctx, min(t.opts.Timeout, 3*time.Second))
		pp.results = make([]PortProbe, len(ports))
		for i, o := range ports {
			pp.results[i] = PortProbe{Port: o.Port, Security: o.Security}
			pp.wg.Add(1)
			go func() {
				defer pp.wg.Done()
				c, err := t.opts.Dial(pp.ctx, "tcp", net.JoinHostPort(ip, strconv.Itoa(o.Port)))
				if err != nil {
					pp.results[i].Result = dialWhy(err)
					return
				}
				c.Close() // nothing is sent: we only ask whether it answers
				pp.results[i].Open, pp.results[i].Result = true, i18n.N("open")
			}()
		}
	}
	return pp
}

func (pp *portProber) start() {
	pp.once.Do(func() {
		if pp.startFn != nil {
			pp.startFn()
		}
	})
}

// wait returns what the probes found; nil when they never started.
func (pp *portProber) wait() []PortProbe {
	started := true
	pp.once.Do(func() { started = false })
	defer pp.cancel()
	if !started {
		return nil
	}
	pp.wg.Wait()
	return pp.results
}

// stop ends the probes: the chosen port answered after all.
func (pp *portProber) stop() {
	pp.once.Do(func() {})
	pp.cancel()
	pp.wg.Wait()
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

func isUnreachable(err error) bool {
	return errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH)
}

// openAlternative is the first other port that answered, in the
// provider's order, preferring its recommended one.
func openAlternative(probes []PortProbe, p *Provider) (PortProbe, bool) {
	var found []PortProbe
	for _, pr := range probes {
		if pr.Open {
			found = append(found, pr)
		}
	}
	if len(found) == 0 {
		return PortProbe{}, false
	}
	if p != nil {
		if rec, ok := p.Recommended(); ok {
			for _, f := range found {
				if f.Port == rec.Port {
					return f, true
				}
			}
		}
	}
	return found[0], true
}
