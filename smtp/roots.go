package smtp

import (
	"crypto/x509"
	"sync"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// SystemOrBuiltinRoots is the system's CA bundle, or, on a device that has
// none (a minimal appliance or container image), the public CAs compiled
// into smtpsetup: Mozilla's list as golang.org/x/crypto/x509roots/fallback
// ships it. It is opt-in (check --builtin-roots) because the compiled list
// is only as fresh as this binary, and a device's own bundle may add its
// network's CA.
func SystemOrBuiltinRoots() (*x509.CertPool, error) {
	if pool, err := x509.SystemCertPool(); err == nil && pool != nil && len(pool.Subjects()) > 0 { //nolint:staticcheck // exact for file-based pools
		return pool, nil
	}
	return builtinRoots()
}

var builtinRoots = sync.OnceValues(func() (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for c := range bundle.Roots() {
		cert, err := x509.ParseCertificate(c.Certificate)
		if err != nil {
			return nil, err
		}
		if c.Constraint == nil {
			pool.AddCert(cert)
		} else {
			pool.AddCertWithConstraint(cert, c.Constraint)
		}
	}
	return pool, nil
})
