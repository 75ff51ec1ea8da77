package smtp

import (
	"errors"
	"net"
)

// Plain on a trusted LAN: a password may cross a link without TLS only
// when the user chose it (allow_plaintext_auth, never the default) and the
// server is on a private address: RFC 1918 (10/8, 172.16/12, 192.168/16),
// an IPv6 unique local address (fc00::/7) or loopback. The address is the
// one connected to, not the name typed, so a name that resolves to a
// public address is refused too.

var errPlaintextPublic = errors.New("refused to send the password without TLS to an address that is not private")

// PrivateAddress reports whether ip is on a private network or this machine.
func PrivateAddress(ip net.IP) bool { return ip != nil && (ip.IsPrivate() || ip.IsLoopback()) }

// plaintextAllowed reports whether AUTH may go over this unencrypted link.
func (t *tester) plaintextAllowed() error {
	if !t.s.AllowPlaintextAuth {
		return errPlaintextAuth
	}
	host, _, err := net.SplitHostPort(t.rep.Server.Address)
	if err != nil || !PrivateAddress(net.ParseIP(host)) {
		return errPlaintextPublic
	}
	return nil
}

// PlaintextOffer is the private address a user may choose to send the
// password to without TLS: the test stopped before AUTH only because the
// link is not encrypted, and the address connected to is private. "" when
// the choice must not be offered (a public address, any other failure, or
// already allowed).
func (r *Report) PlaintextOffer() string {
	if r == nil || r.Failure == nil || r.Failure.Kind != KindPlaintextRefused || r.Settings.AllowPlaintextAuth {
		return ""
	}
	host, _, err := net.SplitHostPort(r.Server.Address)
	if err != nil || !PrivateAddress(net.ParseIP(host)) {
		return ""
	}
	return r.Server.Address
}
