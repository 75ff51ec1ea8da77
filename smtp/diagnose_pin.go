package smtp

import (
	"strings"

	"smtpsetup/i18n"
)

// pinDiagnosis explains a certificate that is not the pinned one.
func pinDiagnosis(in netInput) Diagnosis {
	want, _ := ParsePin(in.s.TLSPinSHA256)
	now := ""
	if c := in.f.Certificate; c != nil {
		now = in.tr.Tf(" The new certificate is %s, issued by %s.", c.Subject, c.Issuer) + certValidity(c, in.tr)
	}
	got := in.f.Certificate.sha256OrUnknown(in.tr)
	return Diagnosis{Code: "tls.pin_changed", Family: FamilyCertificate,
		Title: in.tr.T("The server's certificate is not the one you accepted"),
		Detail: in.tr.Tf("You accepted the certificate with SHA-256 %s; the server now presents %s.", want, got) + now +
			in.tr.T(" The test stopped before logging in: the password was not sent."),
		Fix: in.tr.Tf("Ask the server's administrator whether the certificate was replaced, and compare the new fingerprint with theirs "+
			"(not over this connection). If it matches, accept it: --tls-pin-sha256 %s"+
			" (config: tls_pin_sha256). If nobody replaced it, something on the network may be intercepting the connection: do not accept it.", got)}
}

// pinHint offers trust on first use for an untrusted certificate: only
// after a person compared the fingerprint with the administrator's.
func pinHint(c *CertInfo, tr *i18n.Printer) string {
	if c == nil || c.SHA256 == "" {
		return ""
	}
	return tr.Tf(" For a self-signed certificate: ask the server's administrator for its SHA-256 fingerprint; if theirs is %s"+
		", accept exactly this certificate with --tls-pin-sha256 %s (config: tls_pin_sha256; in the wizard: Trust this certificate).", c.SHA256, c.SHA256)
}

// pinHintLead starts the pin hint in an English fix.
const pinHintLead = " For a self-signed certificate:"

// FixWithoutPin is the fix without its pin hint, for a screen that offers
// to trust the certificate itself and shows its fingerprint beside it.
func (d *Diagnosis) FixWithoutPin() string {
	if d.withoutPin != "" {
		return d.withoutPin
	}
	fix, _, _ := strings.Cut(d.Fix, pinHintLead)
	return fix
}

// SHA256OrUnknown is the fingerprint, or "an unknown certificate".
func (c *CertInfo) SHA256OrUnknown() string { return c.sha256OrUnknown(nil) }

func (c *CertInfo) sha256OrUnknown(tr *i18n.Printer) string {
	if c == nil || c.SHA256 == "" {
		return tr.T("an unknown certificate")
	}
	return c.SHA256
}
