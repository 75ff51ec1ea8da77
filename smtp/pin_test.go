package smtp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"smtpsetup/smtp"
	"smtpsetup/smtp/smtptest"
)

// selfSigned makes a self-signed certificate for names, as an appliance or
// an office server generates one, and its SHA-256 fingerprint as
// `openssl x509 -noout -fingerprint -sha256` prints it.
func selfSigned(t *testing.T, names ...string) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	var parts []string
	for _, b := range sum {
		parts = append(parts, fmt.Sprintf("%02X", b))
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, strings.Join(parts, ":")
}

// loopback resolves every name to 127.0.0.1, so that a test can use a
// host name the certificate does not name.
type loopback struct{}

func (loopback) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
}

// TestPinnedSelfSignedCertificate: a self-signed certificate is refused
// (the fix offers its fingerprint), accepted when pinned, whatever the host
// name, in both TLS modes; a changed certificate is refused before the
// password is sent, with both fingerprints.
func TestPinnedSelfSignedCertificate(t *testing.T) {
	cert, fp := selfSigned(t, "nas.office.example")
	_, otherFP := selfSigned(t, "nas.office.example")
	unrelated, err := smtptest.NewCA() // trusted roots that do not include the certificate
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode smtptest.Mode
		sec  smtp.Security
	}{{smtptest.ModeSTARTTLS, smtp.SecuritySTARTTLS}, {smtptest.ModeImplicitTLS, smtp.SecuritySSL}} {
		t.Run(string(tc.sec), func(t *testing.T) {
			srv := smtptest.NewServer(t, smtptest.WithMode(tc.mode), smtptest.WithCertificate(cert), smtptest.WithAccount(user, pass))
			s, o := settingsFor(srv, tc.sec)
			s.Host = "nas.office.example" // the name in the certificate
			o.RootCAs, o.Resolver = unrelated.Pool(), loopback{}

			rep, d := run(t, s, o, nil)
			wantCode(t, rep, d, "tls.untrusted")
			if !strings.Contains(d.Fix, "--tls-pin-sha256 "+fp) {
				t.Errorf("the fix does not offer this certificate's fingerprint %s: %s", fp, d.Fix)
			}

			s.TLSPinSHA256 = strings.ToLower(strings.ReplaceAll(fp, ":", "")) // as pasted from another tool
			s.Host = "mail.other.example"                                     // the pin makes the name irrelevant
			rep, _ = run(t, s, o, nil)
			if !rep.OK {
				t.Fatalf("pinned certificate refused: %+v", rep.Failure)
			}
			if info := rep.Server.TLS; info == nil || !info.Pinned || !info.Verified || info.Certificate.SHA256 != fp {
				t.Errorf("tls facts %+v, want pinned and verified, sha256 %s", info, fp)
			}

			logins := len(srv.Logins())
			s.TLSPinSHA256 = otherFP
			rep, d = run(t, s, o, nil)
			wantCode(t, rep, d, "tls.pin_changed")
			if d.Family != smtp.FamilyCertificate || !strings.Contains(d.Detail, otherFP) || !strings.Contains(d.Detail, fp) || !strings.Contains(d.Fix, fp) {
				t.Errorf("diagnosis lacks the family or both fingerprints: %+v", d)
			}
			if len(srv.Logins()) != logins {
				t.Error("the password was sent to a certificate that is not the pinned one")
			}
		})
	}
}

// A pin replaces the CA check: a certificate from a trusted CA that is
// not the pinned one is refused too.
func TestPinRefusesOtherTrustedCertificate(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.WithAccount(user, pass))
	s, o := settingsFor(srv, smtp.SecuritySTARTTLS) // trusts the server's CA
	_, fp := selfSigned(t, "localhost")
	s.TLSPinSHA256 = fp
	rep, d := run(t, s, o, nil)
	wantCode(t, rep, d, "tls.pin_changed")
}

func TestParsePinAndValidate(t *testing.T) {
	want := strings.Repeat("AB:", 31) + "AB"
	for _, in := range []string{want, strings.ToLower(want), strings.Repeat("ab", 32), "SHA256:" + want, " " + strings.Repeat("AB ", 32)} {
		if got, err := smtp.ParsePin(in); err != nil || got != want {
			t.Errorf("ParsePin(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "AB:CD", strings.Repeat("AB:", 20) + "AB", strings.Repeat("ZZ", 32)} {
		if _, err := smtp.ParsePin(in); err == nil || !strings.Contains(err.Error(), "tls_pin_sha256") {
			t.Errorf("ParsePin(%q): %v, want an error naming the field", in, err)
		}
	}
	base := smtp.Settings{Host: "mail.example.com", Port: 587, Security: smtp.SecuritySTARTTLS, Auth: smtp.AuthAuto, TLSPinSHA256: want}
	if errs := base.Validate(); len(errs) != 0 {
		t.Errorf("valid pin: %v", errs)
	}
	plain := base
	plain.Security, plain.Port = smtp.SecurityNone, 25
	insecure := base
	insecure.InsecureSkipVerify = true
	for _, s := range []smtp.Settings{plain, insecure} {
		if errs := s.Validate(); len(errs) == 0 || errs[0].Field != "tls_pin_sha256" {
			t.Errorf("%+v: errors %v, want one for tls_pin_sha256", s, errs)
		}
	}
}

// FuzzParsePin: whatever is pasted, a pin that parses is in the one form
// certificates are shown in, and parses to itself.
func FuzzParsePin(f *testing.F) {
	f.Add(strings.Repeat("AB:", 31) + "AB")
	f.Add("sha256:" + strings.Repeat("0f", 32))
	f.Add("AB:CD")
	f.Fuzz(func(t *testing.T, in string) {
		p, err := smtp.ParsePin(in)
		if err != nil {
			return
		}
		if len(p) != 95 || strings.ToUpper(p) != p {
			t.Fatalf("ParsePin(%q) = %q", in, p)
		}
		if again, err := smtp.ParsePin(p); err != nil || again != p {
			t.Fatalf("ParsePin(%q) = %q, %v", p, again, err)
		}
	})
}
