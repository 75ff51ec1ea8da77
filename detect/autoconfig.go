package detect

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"smtpsetup/smtp"

	"smtpsetup/i18n"
)

// maxAutoconfig caps an autoconfig document; real ones are a few KiB.
const maxAutoconfig = 256 << 10

var errTooLarge = errors.New("answer too large")

// autoconfig fetches the domain's own autoconfig document, the ISP's URL
// before the well-known one, both at once under one time limit.
func (d *detector) autoconfig(ctx context.Context) outcome {
	ctx, cancel := context.WithTimeout(ctx, d.opts.AutoconfigTimeout)
	defer cancel()
	urls := AutoconfigURLs(d.domain)
	tasks := make([]func(context.Context) outcome, len(urls))
	for i, u := range urls {
		tasks[i] = func(ctx context.Context) outcome { return d.fetchAutoconfig(ctx, u) }
	}
	results, winner := race(ctx, tasks, outcome.ok, nil)
	if winner >= 0 {
		return *results[winner]
	}
	var o outcome
	for _, r := range results {
		o.unchecked = append(o.unchecked, r.unchecked...)
	}
	return o
}

// AutoconfigURLs are the documents a domain may publish for mail clients
// (Thunderbird's autoconfig), in priority order. Only https is tried: a
// plain-http answer could send the user's password anywhere.
func AutoconfigURLs(domain string) []string {
	return []string{
		"https://autoconfig." + domain + "/mail/config-v1.1.xml",
		"https://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml",
	}
}

func (d *detector) fetchAutoconfig(ctx context.Context, url string) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return outcome{}
	}
	client := *d.opts.HTTPClient
	if client.CheckRedirect == nil {
		client.CheckRedirect = httpsRedirectsOnly
	}
	resp, err := client.Do(req)
	if err != nil {
		if absent(err) {
			return outcome{}
		}
		return outcome{unchecked: []note{notef(i18n.N("autoconfig: %s could not be read (%s)"), url, reason(why(err)))}}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return outcome{}
	case resp.StatusCode != http.StatusOK:
		return outcome{unchecked: []note{notef(i18n.N("autoconfig: %s answered HTTP %d"), url, resp.StatusCode)}}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAutoconfig+1))
	if err == nil && len(body) > maxAutoconfig {
		err = errTooLarge
	}
	if err != nil {
		return outcome{unchecked: []note{notef(i18n.N("autoconfig: %s could not be read (%s)"), url, reason(why(err)))}}
	}
	found, err := ParseAutoconfig(body, d.domain)
	if err != nil {
		return outcome{unchecked: []note{notef(i18n.N("autoconfig: %s is not a usable document (%s)"), url, reason(err.Error()))}}
	}
	for i := range found {
		found[i].Provider = d.providerForHost(found[i].Host)
	}
	return outcome{found: found}
}

// absent reports an error that means "this domain publishes no document":
// no such host or nothing listening. Those are answers, not failures.
func absent(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound || errors.Is(err, syscall.ECONNREFUSED)
}

func httpsRedirectsOnly(req *http.Request, via []*http.Request) error {
	if len(via) >= 3 {
		return errors.New("too many redirects")
	}
	if req.URL.Scheme != "https" {
		return errors.New("redirect away from https")
	}
	return nil
}

// clientConfig is the part of Thunderbird's config-v1.1.xml that describes
// outgoing servers.
type clientConfig struct {
	XMLName   xml.Name `xml:"clientConfig"`
	Providers []struct {
		Outgoing []struct {
			Type       string `xml:"type,attr"`
			Hostname   string `xml:"hostname"`
			Port       string `xml:"port"`
			SocketType string `xml:"socketType"`
			Username   string `xml:"username"`
		} `xml:"outgoingServer"`
	} `xml:"emailProvider"`
}

// ParseAutoconfig reads the SMTP servers of an autoconfig document
// (config-v1.1.xml) for an address at domain: encrypted servers first, in the
// document's order. The document comes from the network, so every host name
// and port is checked before it is used.
func ParseAutoconfig(doc []byte, domain string) ([]Candidate, error) {
	var cc clientConfig
	if err := xml.Unmarshal(doc, &cc); err != nil {
		return nil, errors.New(i18n.N("not a clientConfig XML document"))
	}
	var encrypted, plain []Candidate
	for _, p := range cc.Providers {
		for _, s := range p.Outgoing {
			if s.Type != "smtp" {
				continue
			}
			c, ok := autoconfigServer(s.Hostname, s.Port, s.SocketType, s.Username, domain)
			switch {
			case !ok:
			case c.Security.Encrypted():
				encrypted = append(encrypted, c)
			default:
				plain = append(plain, c)
			}
		}
	}
	found := append(encrypted, plain...)
	if len(found) == 0 {
		return nil, errors.New(i18n.N("no usable outgoing SMTP server in it"))
	}
	return found, nil
}

func autoconfigServer(hostname, port, socketType, username, domain string) (Candidate, bool) {
	host := cleanHost(strings.ReplaceAll(strings.TrimSpace(hostname), "%EMAILDOMAIN%", domain))
	n, err := strconv.Atoi(strings.TrimSpace(port))
	if host == "" || err != nil || n < 1 || n > 65535 {
		return Candidate{}, false
	}
	var sec smtp.Security
	switch strings.TrimSpace(socketType) {
	case "SSL":
		sec = smtp.SecuritySSL
	case "STARTTLS":
		sec = smtp.SecuritySTARTTLS
	case "plain":
		sec = smtp.SecurityNone
	default:
		return Candidate{}, false
	}
	login := ""
	switch strings.TrimSpace(username) {
	case "%EMAILADDRESS%":
		login = smtp.LoginAddress
	case "%EMAILLOCALPART%":
		login = smtp.LoginLocalPart
	}
	return Candidate{Host: host, Port: n, Security: sec, Source: SourceAutoconfig, Login: login}, true
}
