package smtp

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"path"
	"strings"
	"time"
)

// systemRoots is the system's CA bundle. A minimal appliance image may have
// none at all; then every certificate looks untrusted, and the diagnosis
// must say that the bundle is missing, not that the server is suspect.
func (t *tester) systemRoots() *x509.CertPool {
	pool, err := t.opts.SystemRoots()
	//lint:ignore SA1019 Subjects is exact for pools built from files, as on Linux.
	if err != nil || pool == nil || len(pool.Subjects()) == 0 {
		t.noSystemRoots = true
		if pool == nil {
			pool = x509.NewCertPool()
		}
	}
	return pool
}

// chainTrusted reports whether the certificate chain leads to a root the
// test trusts, whatever its names and dates: Go checks the name first, so a
// name mismatch alone does not say whether the issuer is trusted.
func chainTrusted(certs []*x509.Certificate, cfg *tls.Config, now time.Time) bool {
	if cfg == nil || len(certs) == 0 {
		return false
	}
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	at := now
	if at.Before(leaf.NotBefore) || at.After(leaf.NotAfter) {
		at = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: cfg.RootCAs, Intermediates: inter, CurrentTime: at})
	return err == nil
}

// ownedBy reports whether the provider owns name: its host, one of its
// domains or a subdomain, or a name its MX globs match.
func ownedBy(p *Provider, name string) bool {
	if p == nil {
		return false
	}
	name = strings.ToLower(strings.TrimPrefix(strings.TrimSuffix(name, "."), "*."))
	if p.Host != "" && (strings.EqualFold(p.Host, name) || sameSite(p.Host, name)) {
		return true
	}
	for _, d := range p.Domains {
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	for _, m := range p.MX {
		if ok, _ := path.Match(m, name); ok {
			return true
		}
	}
	return false
}

// sameSite reports whether two host names share their registrable domain
// (mail.example.co.uk and smtp.example.co.uk do), which means one owner.
// It knows the common two-level public suffixes (co.uk, com.au), not the
// whole public suffix list: a miss only makes the advice more careful.
func sameSite(a, b string) bool {
	site := func(h string) string {
		labels := strings.Split(strings.ToLower(strings.TrimSuffix(h, ".")), ".")
		n := 2
		if len(labels) >= 3 && len(labels[len(labels)-1]) == 2 {
			switch labels[len(labels)-2] {
			case "co", "com", "net", "org", "ac", "gov", "edu", "ne", "or":
				n = 3
			}
		}
		if len(labels) < n {
			return ""
		}
		return strings.Join(labels[len(labels)-n:], ".")
	}
	sa := site(a)
	return sa != "" && net.ParseIP(a) == nil && sa == site(b)
}

// clockFloor is a date this machine's clock cannot be before: the newest
// date the built-in catalogue was checked on.
func clockFloor() time.Time {
	var floor time.Time
	for _, p := range builtinOnce().Providers {
		if d, err := time.Parse(time.DateOnly, p.LastChecked); err == nil && d.After(floor) {
			floor = d
		}
	}
	return floor
}

// clockIsWrong reports whether a certificate refused for its dates tells
// more about this machine's clock than about the certificate: the clock is
// before the certificate's start (servers rarely deploy certificates
// before their start) while the certificate has a normal, short validity, or
// the clock is before the date this program's own data was checked.
func clockIsWrong(now time.Time, c *CertInfo) bool {
	if now.IsZero() {
		return false
	}
	if floor := clockFloor(); !floor.IsZero() && now.Before(floor) {
		return true
	}
	if c == nil {
		return false
	}
	plausible := c.NotAfter.Sub(c.NotBefore) <= 400*24*time.Hour
	return plausible && now.Before(c.NotBefore)
}
