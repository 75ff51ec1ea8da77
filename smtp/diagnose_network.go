package smtp

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"smtpsetup/i18n"
)

// Network families: failures without a useful reply from the server.
const (
	FamilyDNS         = "dns"         // the name could not be looked up
	FamilyNetwork     = "network"     // no network, no route, refused, filtered, timeouts
	FamilyWrongMode   = "wrong_mode"  // TLS, STARTTLS or plain text: the port speaks another
	FamilyCertificate = "certificate" // untrusted, wrong name, dates, interception, clock, no CA bundle
	FamilyLocal       = "local"       // our own settings, files or the user's cancel
)

// diagnoseConnection explains the failures where the server had nothing
// useful to say, or never got to say it: DNS, the network, the port's mode,
// certificates, and our own settings. It returns nil when the failure is
// the server's reply to a command, which the reply rules explain. It looks
// at this machine's side first, so that a local fault (no network, no DNS,
// a wrong clock, an intercepting proxy) is never blamed on the user's typing
// or on the server.
func diagnoseConnection(r *Report, p *Provider, tr *i18n.Printer) *Diagnosis {
	if r.Failure == nil {
		return nil
	}
	in := netInput{r: r, f: r.Failure, s: r.Settings, p: providerFor(r.Settings, p), n: r.Network, tr: tr}
	for _, rule := range netRules {
		if rule.when(in) {
			d := rule.then(in)
			return withoutTried(r, &d, tr)
		}
	}
	return nil
}

type netInput struct {
	r *Report
	f *Failure
	s Settings
	p *Provider // the catalogue entry, also when only its host was typed
	n NetworkFacts
	// tr is the language of the texts; nil is English.
	tr *i18n.Printer
}

func (in netInput) kind(k ...Kind) bool { return slices.Contains(k, in.f.Kind) }

// host is the server the failure was with: the SMTP server, or the
// identity provider a sign-in could not reach.
func (in netInput) host() string { return CleanLine(firstNonEmpty(in.f.Host, in.s.Host)) }

// catalogueHost reports that the host is the provider's own server, whose
// DNS and certificate are known to be right.
func (in netInput) catalogueHost() bool {
	return in.f.Host == "" && in.p != nil && in.p.ID != "" && ownedBy(in.p, strings.Trim(in.s.Host, "[]"))
}

func (in netInput) resolvers() string {
	if len(in.n.Resolvers) == 0 {
		return in.tr.Tf("none are listed in %s", DefaultResolvConf)
	}
	return in.tr.Tf("%s (from %s)", strings.Join(in.n.Resolvers, ", "), DefaultResolvConf)
}

type netRule struct {
	when func(netInput) bool
	then func(netInput) Diagnosis
}

// netRules are tried in order; the first that matches explains the failure.
var netRules = []netRule{
	{func(in netInput) bool { return in.kind(KindCancelled) }, func(in netInput) Diagnosis {
		return Diagnosis{Code: "test.cancelled", Family: FamilyLocal, Title: in.tr.T("The test was cancelled"),
			Detail: in.tr.T("The test stopped before it finished; nothing was decided."),
			Fix:    in.tr.T("Run the test again when you are ready.")}
	}},
	{func(in netInput) bool { return in.kind(KindBadSettings) }, func(in netInput) Diagnosis {
		return Diagnosis{Code: "settings.invalid", Family: FamilyLocal, Title: in.tr.T("The settings are incomplete"),
			Detail: in.f.Error, Fix: in.tr.T("Correct the field named above and test again.")}
	}},

	// No network at all: nothing else can be learnt.
	{func(in netInput) bool {
		return in.n.NoAddress && !in.n.ControlOK && in.kind(KindDNSFailed, KindDNSNotFound, KindUnreachable, KindTimeout) && in.f.Stage != StageGreeting
	}, func(in netInput) Diagnosis {
		return Diagnosis{Code: "network.none", Family: FamilyNetwork, Transient: true, Title: in.tr.T("This device has no network connection"),
			Detail: in.tr.T("It has no network address other than loopback, so no server outside it can be reached. This is not a problem with the server or the settings."),
			Fix:    in.tr.T("Connect the network cable or Wi-Fi and check that this device gets an address (ip address; on a DHCP network, the router gives one), then test again.")}
	}},
	{func(in netInput) bool { return in.kind(KindUnreachable) }, func(in netInput) Diagnosis {
		return Diagnosis{Code: "network.unreachable", Family: FamilyNetwork, Transient: true, Title: in.tr.T("There is no route to the server"),
			Detail: in.tr.Tf("This device has a network address, but no route to %s: the default gateway is missing or down, or a VPN or firewall rejects the traffic.", firstNonEmpty(in.r.Server.Address, in.host())),
			Fix:    in.tr.T("Check the default gateway (ip route), the cable or Wi-Fi and any VPN, then test again.")}
	}},

	{func(in netInput) bool { return in.kind(KindDNSBlocked) }, func(in netInput) Diagnosis {
		return Diagnosis{Code: "resolve.blocked", Family: FamilyDNS, Title: in.tr.Tf("A DNS filter blocks %s", in.host()),
			Detail: in.tr.Tf("This device's DNS server (%s) answered 0.0.0.0 for %s, as DNS filters (Pi-hole, AdGuard, company filters) do for names they block. The name itself is right.", in.resolvers(), in.host()),
			Fix:    in.tr.Tf("Allow %s in the DNS filter (its allow list), or ask the network administrator to.", in.host())}
	}},

	// DNS: blame this machine's DNS when a second, well-known name fails too.
	{func(in netInput) bool {
		return in.kind(KindDNSFailed, KindDNSNotFound) && in.n.ControlName != "" && !in.n.ControlOK
	},
		func(in netInput) Diagnosis {
			answer := in.tr.T("did not answer")
			if in.kind(KindDNSNotFound) {
				answer = in.tr.T("answered that the name does not exist, although it does")
			}
			return Diagnosis{Code: "resolve.failed", Family: FamilyDNS, Transient: true, Title: in.tr.T("This device's DNS does not work"),
				Detail: in.tr.Tf("Neither %s nor %s could be looked up: the DNS server %s. The name servers of this device: %s.", in.host(), in.n.ControlName, answer, in.resolvers()),
				Fix:    in.tr.Tf("Fix this device's DNS: check the name servers above (resolvectl status, or %s), that they are reachable, and that no DNS filter blocks mail servers; or ask the network administrator. The host name is not the problem.", DefaultResolvConf)}
		}},
	{func(in netInput) bool { return in.kind(KindDNSNotFound) }, func(in netInput) Diagnosis {
		d := Diagnosis{Code: "resolve.not_found", Family: FamilyDNS, Title: in.tr.Tf("The server name %q does not exist", in.host()),
			Detail: in.tr.T("DNS answered that there is no such name, while other names resolve: DNS works on this device."),
			Fix:    in.tr.T("Check the spelling of the host name.")}
		if in.catalogueHost() {
			d.Detail = in.tr.Tf("%s is %s's server, but the DNS server of this device (%s) says it does not exist, while other names resolve: a DNS filter may block it.", in.host(), in.p.Name, in.resolvers())
			d.Fix = in.tr.Tf("Ask the network administrator to let this device look up %s.", in.host())
		} else if in.f.Host != "" {
			d.Fix = in.tr.T("Check the sign-in addresses in the provider catalogue (token_url, device_authorization_url).")
		} else if in.p != nil && in.p.Host != "" {
			d.Fix = in.tr.Tf("Check the spelling of the host name. %s's server is %s.", in.p.Name, in.p.Host)
		}
		return d
	}},
	{func(in netInput) bool { return in.kind(KindDNSFailed) }, func(in netInput) Diagnosis {
		d := Diagnosis{Code: "resolve.failed", Family: FamilyDNS, Transient: true, Title: in.tr.Tf("The name %s could not be looked up", in.host()),
			Detail: in.tr.Tf("The DNS server of this device did not answer for this name: %s.", in.resolvers()),
			Fix:    in.tr.Tf("Test again in a minute; if it persists, check this device's name servers (resolvectl status, or %s).", DefaultResolvConf)}
		if in.n.ControlOK {
			d.Detail = in.tr.Tf("DNS works on this device (%s resolves), but the lookup of %s failed: the DNS servers of its domain may be down.", in.n.ControlName, in.host())
			d.Fix = in.tr.T("Test again later; if it persists, ask the server's administrator.")
		}
		return d
	}},

	// Refused or filtered: which other port answers says what is blocked.
	{func(in netInput) bool {
		return in.kind(KindRefused) || in.f.Stage == StageConnect && in.kind(KindTimeout)
	},
		func(in netInput) Diagnosis { return connectDiagnosis(in) }},

	// Wrong mode for the port.
	{func(in netInput) bool {
		return in.kind(KindSpeaksTLS) || in.f.Stage == StageGreeting && in.kind(KindTimeout) && in.s.Port == 465
	}, func(in netInput) Diagnosis {
		return Diagnosis{Code: "greeting.timeout", Family: FamilyWrongMode, Title: in.tr.Tf("Port %d expects TLS from the first byte", in.s.Port),
			Detail: in.tr.Tf("The server sent no greeting, but it answers TLS on port %d: %s waits for a plain-text greeting that never comes.", in.s.Port, in.s.Security.LabelIn(in.tr)),
			Fix:    in.tr.T("Switch to SSL/TLS on this port."), Suggestion: &Suggestion{SecuritySSL, in.s.Port}}
	}},
	{func(in netInput) bool { return in.f.Stage == StageGreeting && in.kind(KindTimeout) }, func(in netInput) Diagnosis {
		return Diagnosis{Code: "greeting.timeout", Family: FamilyNetwork, Transient: true, Title: in.tr.T("The server never greeted"),
			Detail: in.tr.T("The connection opened, but the server sent nothing, and it does not answer TLS either. It may be overloaded, slowing down unknown clients, or not a mail server."),
			Fix:    in.tr.T("Check the host and port; try again later, or with a longer --timeout.")}
	}},
	{func(in netInput) bool { return in.kind(KindHTTP) }, func(in netInput) Diagnosis {
		return Diagnosis{Code: "server.unexpected", Family: FamilyNetwork, Transient: true, Title: in.tr.T("A web server answered instead of a mail server"),
			Detail: in.tr.T("The reply was HTTP. A captive portal (hotel, guest Wi-Fi), a web proxy or a firewall page is intercepting the connection."),
			Fix:    in.tr.T("Log in to the network's portal or use another network, then test again.")}
	}},
	{func(in netInput) bool { return in.kind(KindNotTLS) }, func(in netInput) Diagnosis {
		return Diagnosis{Code: "tls.not_tls", Family: FamilyWrongMode, Title: in.tr.Tf("Port %d does not speak TLS from the first byte", in.s.Port),
			Detail: in.tr.Tf("We started TLS, and the server answered in plain text (%q). It expects a plain greeting and then STARTTLS.", in.f.Seen),
			Fix:    in.tr.T("Switch to STARTTLS on this port."), Suggestion: &Suggestion{SecuritySTARTTLS, in.s.Port}}
	}},
	{func(in netInput) bool { return in.kind(KindClosed, KindReset) && in.f.Stage == StageTLS }, func(in netInput) Diagnosis {
		return Diagnosis{Code: "tls.not_tls", Family: FamilyWrongMode, Title: in.tr.Tf("The server on port %d hung up when TLS started", in.s.Port),
			Detail: in.tr.T("It closed the connection instead of answering TLS: it probably expects plain text first, then STARTTLS."),
			Fix:    in.tr.T("Switch to STARTTLS."), Suggestion: &Suggestion{SecuritySTARTTLS, in.s.Port}}
	}},

	// Certificates: a pinned certificate that changed first (no CA is
	// involved), then this machine's side (CA bundle, clock, proxy).
	{func(in netInput) bool { return in.kind(KindTLSPinChanged) }, pinDiagnosis},
	{func(in netInput) bool { return in.kind(KindTLSUntrusted) && in.f.NoSystemRoots && in.s.CAFile == "" },
		func(in netInput) Diagnosis {
			return Diagnosis{Code: "tls.no_ca_bundle", Family: FamilyCertificate, Title: in.tr.T("This device has no CA certificates"),
				Detail: in.tr.T("Its certificate bundle is missing or empty (common on minimal appliance and container images), so no certificate can be verified, the server's included."),
				Fix:    in.tr.T("Install the CA bundle (Debian, Ubuntu: apt-get install ca-certificates; Alpine: apk add ca-certificates; Fedora: dnf install ca-certificates), or give the server's CA with --ca-file, or use --builtin-roots to trust the public CAs compiled into smtpsetup. Never skip verification.")}
		}},
	{func(in netInput) bool {
		return in.kind(KindTLSExpired) && clockIsWrong(in.f.LocalTime, in.f.Certificate)
	},
		func(in netInput) Diagnosis {
			return Diagnosis{Code: "clock.wrong", Family: FamilyCertificate, Title: in.tr.T("This device's clock is wrong"),
				Detail: in.tr.Tf("This device's clock says %s, so the certificate looks not yet valid.", in.f.LocalTime.Format("2006-01-02 15:04 MST")) + certValidity(in.f.Certificate, in.tr) + in.tr.T(" The certificate is fine: the clock is behind (common on first boot, or without a clock battery, until NTP runs)."),
				Fix:    in.tr.T("Set the clock: turn on network time with \"timedatectl set-ntp true\" (or start the NTP service: chrony, ntpd, systemd-timesyncd), or set it by hand with date -s \"YYYY-MM-DD HH:MM\" as root; then test again.")}
		}},
	{func(in netInput) bool { return in.kind(KindTLSExpired) }, func(in netInput) Diagnosis {
		return Diagnosis{Code: "tls.expired", Family: FamilyCertificate, Title: in.tr.T("The server's certificate has expired"),
			Detail: in.tr.Tf("This device's clock says %s.", in.f.LocalTime.Format("2006-01-02 15:04 MST")) + certValidity(in.f.Certificate, in.tr),
			Fix:    in.tr.T("If the date on this device is wrong, set the clock (timedatectl set-ntp true) and test again. If it is right, the server's certificate has expired: tell the server's administrator.")}
	}},
	{func(in netInput) bool { return in.kind(KindTLSHostname) }, func(in netInput) Diagnosis { return hostnameDiagnosis(in) }},
	{func(in netInput) bool { return in.kind(KindTLSUntrusted) && in.catalogueHost() && in.s.CAFile == "" },
		func(in netInput) Diagnosis {
			return interceptedDiagnosis(in, false)
		}},
	{func(in netInput) bool { return in.kind(KindTLSUntrusted) }, func(in netInput) Diagnosis {
		detail := in.tr.T("The certificate is signed by an authority this device does not trust: a private CA, a self-signed certificate, a device without an up-to-date CA bundle, or a proxy that intercepts TLS.")
		if c := in.f.Certificate; c != nil {
			detail = in.tr.Tf("The certificate (%s, issued by %s) is signed by an authority this device does not trust: a private CA, a self-signed certificate, a device without an up-to-date CA bundle, or a proxy that intercepts TLS.", c.Subject, c.Issuer)
		}
		fix := in.tr.T("Give the CA certificate with --ca-file (in the wizard: Edit the CA file, on the server step), or update this device's CA certificates. Skipping verification would let anyone read the password.")
		return Diagnosis{Code: "tls.untrusted", Family: FamilyCertificate, Title: in.tr.T("The server's certificate is not from a trusted authority"),
			Detail: detail, Fix: fix + pinHint(in.f.Certificate, in.tr), withoutPin: fix}
	}},
	{func(in netInput) bool { return in.kind(KindTLSHandshake) }, func(in netInput) Diagnosis {
		// Most often a server that offers only TLS 1.0/1.1: the reply
		// family for "TLS version too old".
		return Diagnosis{Code: "tls.handshake", Family: "tls_required", Title: in.tr.T("The TLS handshake failed"),
			Detail: in.tr.Tf("The server and this device could not agree on encryption: %s", in.f.Error),
			Fix:    in.tr.T("The server may only offer old TLS versions (we require 1.2 or newer), or something between us tampers with TLS. Try the other mode or port, or ask the server's administrator.")}
	}},

	// A server refusing our EHLO name: at EHLO, or (Postfix delays it) at
	// MAIL or RCPT.
	{func(in netInput) bool { return in.kind(KindReply) && heloRefused(in.f) }, func(in netInput) Diagnosis {
		helo := firstNonEmpty(CleanLine(in.r.Helo), in.tr.T("this device's name"))
		d := Diagnosis{Code: "helo.rejected", Family: "protocol", Transient: in.f.Reply.Code/100 == 4, // a reply family
			Title:  in.tr.T("The server refused the name this device said hello with"),
			Detail: in.tr.Tf("We said EHLO %s, and it answered: %s. Many servers require a fully-qualified name (nas.example.com), not a bare host name.", helo, in.f.Reply),
			Fix:    in.tr.T("Give a fully-qualified name for this device (in the wizard: Edit opens the HELO name; check and setup: --helo NAME; config: helo:), for example its name in your domain, or [its public IP address] in brackets."),
			Reply:  wireLines(in.f.Reply.Code, in.f.Reply.Text)}
		if strings.Contains(strings.ToLower(in.f.Reply.Text), "not found") {
			d.Detail = in.tr.Tf("We said EHLO %s, and it answered: %s. The server looked the name up in DNS and did not find it.", helo, in.f.Reply)
			d.Fix = in.tr.T("Give a name that exists in public DNS for this device's address (in the wizard: Edit opens the HELO name; check and setup: --helo NAME; config: helo:), or [its public IP address] in brackets.")
		}
		return d
	}},
}

// heloRefused reports a reply that refuses the EHLO/HELO name: Postfix's
// "Helo command rejected", or a 501/504/550 with 5.5.2 to EHLO or HELO.
func heloRefused(f *Failure) bool {
	if f.Reply == nil {
		return false
	}
	text := strings.ToLower(f.Reply.Text)
	if strings.Contains(text, "helo command rejected") || strings.Contains(text, "ehlo command rejected") {
		return true
	}
	if f.Command != "EHLO" && f.Command != "HELO" {
		return false
	}
	if f.Reply.Enhanced == "5.5.2" && slices.Contains([]int{501, 504, 550}, f.Reply.Code) {
		return true
	}
	for _, w := range []string{"fully-qualified", "fully qualified", "fqdn", "invalid helo", "invalid ehlo", "bad helo", "helo/ehlo", "helo argument", "ehlo argument"} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// connectDiagnosis explains a refused or silent port from what the other
// ports did: if one answers, the chosen one is blocked on the way, and the
// one that answers is one key away.
func connectDiagnosis(in netInput) Diagnosis {
	refused := in.kind(KindRefused)
	d := Diagnosis{Code: "connect.timeout", Family: FamilyNetwork, Transient: true, Title: in.tr.Tf("No answer from port %d", in.s.Port),
		Detail: in.tr.T("The server did not answer the connection at all: a firewall, or your Internet provider, most likely drops this port. Many networks block port 25, some block 465 or 587.")}
	if refused {
		d = Diagnosis{Code: "connect.refused", Family: FamilyNetwork, Title: in.tr.Tf("Port %d refused the connection", in.s.Port),
			Detail: in.tr.Tf("%s refused the connection on port %d: the port is wrong, the mail service is down, or a firewall rejects it.", in.host(), in.s.Port)}
	}
	documented := in.p != nil && slices.ContainsFunc(in.p.Ports, func(o PortOption) bool { return o.Port == in.s.Port })
	if documented {
		d.Detail = in.tr.Tf("%s documents port %d, so a firewall on this network or your Internet provider most likely blocks it.", in.p.Name, in.s.Port)
	}
	var tried []string
	for _, pr := range in.n.Ports {
		tried = append(tried, fmt.Sprintf("%d: %s", pr.Port, in.tr.T(pr.Result)))
	}
	if len(tried) > 0 {
		d.Detail += in.tr.Tf(" Other ports of the server: %s.", strings.Join(tried, ", "))
	}
	if alt, ok := openAlternative(in.n.Ports, in.p); ok {
		d.Suggestion = &Suggestion{alt.Security, alt.Port}
		d.Fix = in.tr.Tf("Port %d answers: switch to %s. Or ask the network administrator to allow outgoing connections to port %d.", alt.Port, d.Suggestion.StringIn(in.tr), in.s.Port)
		return d
	}
	switch {
	case len(tried) > 0:
		d.Fix = in.tr.T("None of the server's ports answered from this network: ask the network administrator or Internet provider whether outgoing mail ports are blocked, or check that the server is up.")
	case refused:
		d.Fix = in.tr.T("Check the port: 465 for SSL/TLS, 587 for STARTTLS.")
	default:
		d.Fix = in.tr.T("Try the other port (587 with STARTTLS, or 465 with SSL/TLS), or ask your network administrator to allow outgoing connections to it.")
	}
	if len(tried) > 0 {
		return d
	}
	// The other ports were not tried: the provider's recommendation, or the
	// convention, still gives a likely way out.
	if rec, ok := in.recommended(); ok && rec.Port != in.s.Port {
		d.Suggestion = &Suggestion{rec.Security, rec.Port}
		d.Fix = in.tr.Tf("%s uses %s.", in.p.Name, d.Suggestion.StringIn(in.tr))
	} else if !refused {
		switch in.s.Port {
		case 25, 2525, 465:
			d.Suggestion = &Suggestion{SecuritySTARTTLS, 587}
		case 587:
			d.Suggestion = &Suggestion{SecuritySSL, 465}
		}
	}
	return d
}

func (in netInput) recommended() (PortOption, bool) {
	if in.p == nil {
		return PortOption{}, false
	}
	return in.p.Recommended()
}

// hostnameDiagnosis explains a certificate for other names. It names a
// host to switch to only when the provider owns it (or, for a custom
// server, when it is in the same domain as the typed host): a name a
// certificate happens to carry may be an intercepting proxy's.
func hostnameDiagnosis(in netInput) Diagnosis {
	c := in.f.Certificate
	var names []string
	if c != nil {
		names = c.Names
	}
	host := strings.Trim(in.s.Host, "[]")
	var owned, related []string
	for _, n := range names {
		switch {
		case in.p != nil && ownedBy(in.p, n):
			owned = append(owned, n)
		case sameSite(host, n):
			related = append(related, n)
		}
	}
	d := Diagnosis{Code: "tls.hostname_mismatch", Family: FamilyCertificate, Title: in.tr.Tf("The certificate is not for %q", in.host()),
		Detail: in.tr.T("The server presented a certificate for other names, so we cannot tell it from an impostor.")}
	if len(names) > 0 {
		d.Detail = in.tr.Tf("The certificate is for %s.", strings.Join(names, ", "))
	}
	switch {
	case len(owned) > 0 && !strings.HasPrefix(owned[0], "*."):
		d.Fix = in.tr.Tf("Use %s as the host name: it belongs to %s.", owned[0], in.p.Name)
	case len(owned) > 0:
		d.Fix = in.tr.Tf("Use %s's documented host name (%s).", in.p.Name, firstNonEmpty(in.p.Host, strings.TrimPrefix(owned[0], "*.")))
	case in.catalogueHost() || !in.f.ChainTrusted && len(names) > 0:
		return interceptedDiagnosis(in, true)
	case len(related) > 0 && !strings.HasPrefix(related[0], "*."):
		d.Fix = in.tr.Tf("If your provider's documentation names %s, use it as the host name: it is in the same domain as %s.", related[0], in.host())
	case net.ParseIP(host) != nil:
		d.Fix = in.tr.T("You typed an IP address; certificates name host names. Type the server's host name from your provider's documentation.")
	default:
		d.Fix = in.tr.T("Check the host name against your provider's documentation. A certificate for unrelated names can also mean that something on the network intercepts TLS: do not log in until this is explained.")
	}
	return d
}

// interceptedDiagnosis says that something between this device and the
// server terminates TLS: a provider's real server never presents a
// certificate for unrelated names or from an unknown authority.
// otherNames is true for a certificate for other names, false for one from
// an unknown authority.
func interceptedDiagnosis(in netInput, otherNames bool) Diagnosis {
	whose := in.host()
	if in.catalogueHost() {
		whose = in.tr.Tf("%s's server %s", in.p.Name, in.host())
	}
	detail := in.tr.Tf("The certificate presented for %s is signed by an authority this device does not trust.", whose)
	if otherNames {
		detail = in.tr.Tf("The certificate presented for %s is for other names.", whose)
	}
	if c := in.f.Certificate; c != nil && c.Issuer != "" {
		detail += in.tr.Tf(" It was issued by %s.", c.Issuer)
	}
	return Diagnosis{Code: "tls.intercepted", Family: FamilyCertificate, Title: in.tr.T("Something on this network intercepts encrypted connections"),
		Detail: detail + in.tr.T(" A firewall or proxy that inspects TLS (corporate networks, some antivirus and parental filters) answers in the server's place."),
		Fix:    in.tr.Tf("Ask the network administrator to exempt %s from TLS inspection, or, if this network's policy is to inspect, to give you the proxy's CA certificate and pass it with --ca-file. Do not log in through it, and do not switch to another host name.", in.host())}
}

func certValidity(c *CertInfo, tr *i18n.Printer) string {
	if c == nil {
		return ""
	}
	return tr.Tf(" The certificate is valid from %s to %s.", c.NotBefore.UTC().Format(time.DateOnly), c.NotAfter.UTC().Format(time.DateOnly))
}
