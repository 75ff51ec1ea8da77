package detect

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"syscall"

	"smtpsetup/smtp"

	"smtpsetup/i18n"
)

// maxRecords caps how many MX or SRV records are looked at: a hostile zone
// must not make us walk thousands.
const maxRecords = 10

// mx matches the domain's mail exchangers against the catalogue, which finds
// Google Workspace and Microsoft 365 on custom domains.
func (d *detector) mx(ctx context.Context) outcome {
	ctx, cancel := context.WithTimeout(ctx, d.opts.DNSTimeout)
	defer cancel()
	mxs, err := d.opts.Resolver.LookupMX(ctx, d.domain)
	if err != nil && len(mxs) == 0 {
		o := dnsOutcome("MX", d.domain, err)
		if !o.dnsFailed && ctx.Err() == nil {
			o.domain = d.domainState(ctx)
		}
		return o
	}
	for i, mx := range mxs {
		if i == maxRecords {
			break
		}
		host := cleanHost(mx.Host)
		if host == "" {
			continue // "." is a null MX (RFC 7505); anything else is not a host name
		}
		if p, ok := d.cat.ByMX(host); ok && p.Host != "" {
			return outcome{found: fromProvider(p, SourceMX)}
		}
	}
	return outcome{}
}

// domainState tells a domain without MX records that exists (it has an
// address) from one that does not; "" when DNS did not answer.
func (d *detector) domainState(ctx context.Context) string {
	_, err := d.opts.Resolver.LookupHost(ctx, d.domain)
	var de *net.DNSError
	switch {
	case err == nil:
		return DomainNoMX
	case errors.As(err, &de) && de.IsNotFound:
		return DomainUnknown
	}
	return ""
}

// srv looks up _submissions._tcp (implicit TLS) and _submission._tcp
// (STARTTLS), RFC 6186 and RFC 8314; implicit TLS comes first. Both queries
// run at once and both are waited for (they are short and bounded), so the
// other one stays as an alternative.
func (d *detector) srv(ctx context.Context) outcome {
	services := []struct {
		name string
		sec  smtp.Security
	}{{"submissions", smtp.SecuritySSL}, {"submission", smtp.SecuritySTARTTLS}}
	found := make([][]Candidate, len(services))
	errs := make([]error, len(services))
	var wg sync.WaitGroup
	for i, s := range services {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, d.opts.DNSTimeout)
			defer cancel()
			_, recs, err := d.opts.Resolver.LookupSRV(ctx, s.name, "tcp", d.domain)
			if err != nil && len(recs) == 0 {
				errs[i] = err
				return
			}
			for j, r := range recs {
				if j == maxRecords {
					break
				}
				host := cleanHost(r.Target)
				if host == "" || r.Port == 0 {
					continue // target "." means the service is not offered (RFC 2782)
				}
				found[i] = append(found[i], Candidate{d.providerForHost(host), host, int(r.Port), s.sec, SourceSRV, ""})
			}
		})
	}
	wg.Wait()
	var o outcome
	for _, f := range found {
		o.found = append(o.found, f...)
	}
	// One line when both queries failed: the user needs to know DNS failed, not twice.
	if errs[0] != nil && errs[1] != nil {
		r := dnsOutcome("SRV", d.domain, errs[0])
		if r.dnsFailed {
			r.unchecked = []note{notef(i18n.N("DNS: no resolver answered the SRV queries for %s (%s)"), d.domain, reason(why(errs[0])))}
		}
		o.unchecked, o.dnsFailed = r.unchecked, r.dnsFailed
	}
	return o
}

// dnsOutcome turns a failed lookup into an outcome: "no such record" is an
// answer (nothing to add), anything else means DNS could not be checked.
func dnsOutcome(kind, domain string, err error) outcome {
	var de *net.DNSError
	if errors.As(err, &de) && de.IsNotFound {
		return outcome{}
	}
	if errors.Is(err, context.Canceled) {
		return outcome{}
	}
	return outcome{
		unchecked: []note{notef(i18n.N("DNS: no resolver answered the %s query for %s (%s)"), kind, domain, reason(why(err)))},
		dnsFailed: true,
	}
}

// why says in a few words what went wrong, without repeating text that came
// from the network.
func why(err error) string {
	var de *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return i18n.N("timed out")
	case errors.Is(err, context.Canceled):
		return i18n.N("cancelled")
	case errors.Is(err, syscall.ECONNREFUSED):
		return i18n.N("connection refused")
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return i18n.N("network unreachable")
	case errors.As(err, &de) && de.IsNotFound:
		return i18n.N("no such host")
	case errors.As(err, &de):
		return i18n.N("DNS error")
	case errors.Is(err, errTooLarge):
		return i18n.N("answer too large")
	}
	return i18n.N("failed")
}
