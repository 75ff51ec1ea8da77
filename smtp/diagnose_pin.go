package smtp

import "strings"

// pinDiagnosis explains a certificate that is not the pinned one.
func pinDiagnosis(in netInput) Diagnosis {
	want, _ := ParsePin(in.s.TLSPinSHA256)
	now := ""
	if c := in.f.Certificate; c != nil {
		now = " The new certificate is " + c.Subject + ", issued by " + c.Issuer + "." + certValidity(c)
	}
	return Diagnosis{Code: "tls.pin_changed", Family: FamilyCertificate,
		Title: "The server's certificate is not the one you accepted",
		Detail: "You accepted the certificate with SHA-256 " + want + "; the server now presents " +
			in.f.Certificate.SHA256OrUnknown() + "." + now + " The test stopped before logging in: the password was not sent.",
		Fix: "Ask the server's administrator whether the certificate was replaced, and compare the new fingerprint with theirs " +
			"(not over this connection). If it matches, accept it: --tls-pin-sha256 " + in.f.Certificate.SHA256OrUnknown() +
			" (config: tls_pin_sha256). If nobody replaced it, something on the network may be intercepting the connection: do not accept it."}
}

// pinHint offers trust on first use for an untrusted certificate: only
// after a person compared the fingerprint with the administrator's.
func pinHint(c *CertInfo) string {
	if c == nil || c.SHA256 == "" {
		return ""
	}
	return pinHintLead + " ask the server's administrator for its SHA-256 fingerprint; if theirs is " + c.SHA256 +
		", accept exactly this certificate with --tls-pin-sha256 " + c.SHA256 + " (config: tls_pin_sha256; in the wizard: Trust this certificate)."
}

// pinHintLead starts the pin hint in a fix.
const pinHintLead = " For a self-signed certificate:"

// FixWithoutPin is the fix without its pin hint, for a screen that offers
// to trust the certificate itself and shows its fingerprint beside it.
func (d *Diagnosis) FixWithoutPin() string {
	fix, _, _ := strings.Cut(d.Fix, pinHintLead)
	return fix
}

// SHA256OrUnknown is the fingerprint, or "an unknown certificate".
func (c *CertInfo) SHA256OrUnknown() string {
	if c == nil || c.SHA256 == "" {
		return "an unknown certificate"
	}
	return c.SHA256
}
