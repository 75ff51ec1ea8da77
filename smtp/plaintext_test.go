package smtp_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

// fixedAddr resolves every name to one address.
type fixedAddr struct{ ip net.IP }

func (r fixedAddr) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: r.ip}}, nil
}

// TestPlaintextAuthOnlyToPrivateAddresses: with plaintext AUTH allowed,
// the password goes in clear only to a private or loopback address; to a
// public one the test stops before AUTH. The server is always the local
// one: the dialer connects there whatever address the name resolved to, so
// the test sees that address as the server's and no traffic leaves.
func TestPlaintextAuthOnlyToPrivateAddresses(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1", true}, {"10.1.2.3", true}, {"172.20.0.5", true}, {"192.168.1.10", true}, {"fd00::25", true}, {"::1", true},
		{"192.0.2.10", false}, {"172.32.0.1", false}, {"100.64.0.1", false}, {"2001:db8::25", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			srv := smtptest.NewServer(t, smtptest.WithMode(smtptest.ModePlain), smtptest.WithAllowInsecureAuth(true), smtptest.WithAccount(user, pass))
			s, o := settingsFor(srv, smtp.SecurityNone)
			s.Host = "relay.office.example"
			o.Resolver = fixedAddr{net.ParseIP(tc.addr)}
			o.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, srv.Addr())
			}
			rep, d := run(t, s, o, nil)
			wantCode(t, rep, d, "auth.plaintext_refused") // not allowed: refused everywhere

			s.AllowPlaintextAuth = true
			rep, d = run(t, s, o, nil)
			if tc.ok {
				if !rep.OK {
					t.Fatalf("private address %s refused: %+v", tc.addr, rep.Failure)
				}
				return
			}
			wantCode(t, rep, d, "auth.plaintext_public")
			if d.Family != "wrong_mode" || !strings.Contains(d.Detail, tc.addr) {
				t.Errorf("diagnosis %+v", d)
			}
			if len(srv.Logins()) != 0 || strings.Contains(string(srv.Wire()), "AUTH") {
				t.Error("AUTH crossed the network in clear to a public address")
			}
		})
	}
}
