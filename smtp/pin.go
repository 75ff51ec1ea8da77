package smtp

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"strings"

	"smtpsetup/i18n"
)

// Trust on first use: a self-signed or private certificate can be accepted
// by its SHA-256 fingerprint (of the whole DER certificate, as msmtp's
// tls_fingerprint and Postfix's fingerprint level compute it). With a pin,
// the pin replaces the CA check and the host name check: the one
// certificate is trusted whatever it says, and every other certificate is
// refused before a password is sent. A pin is never a skip-verify.

// PinField is the pin's name in the config file and in messages.
const PinField = "tls_pin_sha256"

// ParsePin reads a SHA-256 fingerprint as people paste it: hex, with or
// without colons or spaces, any case, an optional "sha256:" prefix. It
// returns the fingerprint as certificates are shown (AB:CD:...).
func ParsePin(s string) (string, error) {
	v := strings.TrimSpace(s)
	if len(v) > 7 && strings.EqualFold(v[:7], "sha256:") {
		v = v[7:]
	}
	v = strings.NewReplacer(":", "", " ", "", "\t", "").Replace(v)
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != sha256.Size {
		return "", FieldError{Field: PinField, Problem: i18n.N("is not a SHA-256 fingerprint"), Fix: i18n.N("give the 64 hex digits shown as the certificate's sha256, as AB:CD:...; smtpsetup check shows it")}
	}
	return colonHex(b), nil
}

// validatePin checks the pin against the rest of the settings.
func (s Settings) validatePin() []FieldError {
	if s.TLSPinSHA256 == "" {
		return nil
	}
	if _, err := ParsePin(s.TLSPinSHA256); err != nil {
		return []FieldError{err.(FieldError)}
	}
	switch {
	case !s.Security.Encrypted():
		return []FieldError{{Field: PinField, Problem: i18n.N("is set but security is none"), Fix: i18n.N("choose ssl or starttls: a fingerprint is checked only over TLS")}}
	case s.InsecureSkipVerify:
		return []FieldError{{Field: PinField, Problem: i18n.N("and insecure_skip_verify are both set"), Fix: i18n.N("keep the fingerprint and remove insecure_skip_verify")}}
	}
	return nil
}

// errPinChanged is the server presenting a certificate other than the pinned one.
type errPinChanged struct{ cert *CertInfo }

func (e *errPinChanged) Error() string {
	return "the server's certificate (sha256 " + e.cert.SHA256 + ") is not the pinned one"
}

// pin makes cfg accept exactly the pinned leaf certificate.
func pin(cfg *tls.Config, want string) {
	cfg.InsecureSkipVerify = true // the pin below replaces the CA and name checks
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("the server sent no certificate")
		}
		if got := certInfo(cs.PeerCertificates[0]); got.SHA256 != want {
			return &errPinChanged{cert: got}
		}
		return nil
	}
}
