package smtp

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"strings"
)

// certInfo describes a certificate for display. Every field comes from the
// server, so every field is cleaned.
func certInfo(c *x509.Certificate) *CertInfo {
	sum := sha256.Sum256(c.Raw)
	info := &CertInfo{
		Subject:   CleanLine(c.Subject.String()),
		Issuer:    CleanLine(c.Issuer.String()),
		NotBefore: c.NotBefore,
		NotAfter:  c.NotAfter,
		SHA256:    colonHex(sum[:]),
	}
	for _, n := range c.DNSNames {
		info.Names = append(info.Names, CleanLine(n))
	}
	for _, ip := range c.IPAddresses {
		info.Names = append(info.Names, ip.String())
	}
	if len(info.Names) > 20 {
		info.Names = info.Names[:20]
	}
	return info
}

func colonHex(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}
