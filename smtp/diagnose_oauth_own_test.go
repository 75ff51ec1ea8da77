package smtp_test

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"smtpsetup/config"
	"smtpsetup/oauth"
	"smtpsetup/output"
	"smtpsetup/smtp"
)

// onlyLocalhost is a DNS that answers for localhost and nothing else: a
// device whose name servers do not work.
type onlyLocalhost struct{}

func (onlyLocalhost) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	if host == "localhost" {
		return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
	}
	return nil, &net.DNSError{Err: "server misbehaving", Name: host, IsTemporary: true}
}

// Failures of our own side before or during the sign-in are never blamed
// on the identity provider: a DNS that does not work is diagnosed as for
// the SMTP server, and a machine that never signed in is told to.
func TestOAuthOwnFailuresAreNotTheProviders(t *testing.T) {
	srv := xoauth2Server(t)
	noDNS := &oauth.Error{Op: "refresh", Code: oauth.CodeNetwork, Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "server misbehaving", Name: "login.example.test", IsTemporary: true}}}
	for _, tc := range []struct {
		name, code string
		token      smtp.TokenSource
		want       []string
	}{
		{"no DNS at refresh", "resolve.failed", func(context.Context) (smtp.Secret, error) { return smtp.Secret{}, noDNS },
			[]string{"This device's DNS does not work", "login.example.test"}},
		{"no token file", "oauth.not_signed_in", (&oauth.Source{Store: config.TokenFile(filepath.Join(t.TempDir(), "none.token"))}).TokenSource(),
			[]string{"Not signed in: run smtpsetup login"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, o := settingsFor(srv, smtp.SecuritySTARTTLS)
			s.Auth, s.Password = smtp.AuthXOAUTH2, smtp.Secret{}
			o.Token, o.Resolver, o.InterfaceAddrs = tc.token, onlyLocalhost{}, online
			rep := smtp.Test(context.Background(), s, o)
			d := smtp.Diagnose(rep, nil)
			if err := smtp.CheckPseudo(rep, nil, d); err != nil {
				t.Error(err)
			}
			var out bytes.Buffer
			output.Text(&out, rep, d)
			if d == nil || d.Code != tc.code {
				t.Fatalf("diagnosis %+v, want %s\n%s", d, tc.code, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), "identity provider said") {
				t.Errorf("our own failure blamed on the identity provider:\n%s", out.String())
			}
		})
	}
}
