package steps

import (
	"strconv"
	"strings"

	"smtpsetup/i18n"
	"smtpsetup/smtp"
)

// Security is the step for where and how: the server, the encryption mode
// and the port. Choosing a mode sets its port; a port typed by hand that
// does not go with the mode is warned about before the test, not after.
type Security struct {
	base
	s *Session

	use    string // useRecommended or useChange, for a provider with a fixed host
	host   string
	mode   string // an smtp.Security
	port   string
	caFile string
	helo   string // this device's name in EHLO; asked only when it matters
	warned string // a mode/port pair already warned about
	focus  smtp.Field
}

// The answers to "Server settings" for a catalogue provider.
const (
	useRecommended = "recommended"
	useChange      = "change"
)

// Title implements Flow.
func (s *Security) Title() string { return i18n.N("Server and encryption") }

// Skip implements Flow.
func (s *Security) Skip(*Session) bool { return false }

// Begin implements Flow.
func (s *Security) Begin(sess *Session) Outcome {
	s.s = sess
	set := sess.Draft.Settings
	s.host, s.mode, s.port = set.Host, string(set.Security), ""
	if s.mode == "" {
		s.mode = string(smtp.SecuritySTARTTLS)
	}
	if set.Port != 0 {
		s.port = strconv.Itoa(set.Port)
	}
	s.caFile, s.helo = set.CAFile, set.Helo
	s.focus = sess.takeEditAt()
	s.use = useChange
	if host, rec, ok := sess.Provider().RecommendedSettings(); ok && s.focus == smtp.FieldNone &&
		set.Host == host && set.Security == rec.Security && set.Port == rec.Port {
		s.use = useRecommended
	}
	return Outcome{}
}

// recommended reports the one-choice answer: the provider's own settings.
func (s *Security) recommended() bool { return s.use == useRecommended }

// Page implements Flow.
func (s *Security) Page() Page {
	pr, tr := s.s.Provider(), s.s.Lang
	host := Field{
		Kind: TextField, Title: tr.T("SMTP server"), Placeholder: "smtp.example.com", Limit: smtp.MaxHostLen,
		Value: &s.host, Check: smtp.ValidateHost,
	}
	if pr != nil && pr.Host != "" {
		host.Description = tr.Tf("%s's server.", pr.Name)
	}
	var opts []Option
	for _, m := range smtp.Securities {
		opts = append(opts, Option{ModeLabel(tr, pr, m), string(m)})
	}
	host.Skip = s.recommended
	fields := []Field{
		host,
		{Kind: ChoiceField, Title: tr.T("Encryption"), Options: opts, Value: &s.mode, Changed: s.followMode, Skip: s.recommended},
		{Kind: TextField, Title: tr.T("Port"), Limit: 5, Value: &s.port, Check: s.checkPort, Skip: s.recommended},
		{
			Kind: TextField, Title: tr.T("CA file (optional)"), Limit: 4096, Value: &s.caFile, Check: checkCAFile, Skip: s.recommended,
			Description: tr.T("For a server with a private or self-signed certificate: the PEM file of the CA that signed it. Empty for a public server."),
			Placeholder: "/etc/ssl/private-ca.pem",
		},
	}
	if s.focus == smtp.FieldHelo || s.helo != "" {
		// Asked only when it matters: after a server refused the name, or
		// when the settings carry one (a hidden field would still take a
		// line of the page).
		fields = append(fields, Field{
			Kind: TextField, Title: tr.T("This device's name (HELO, optional)"), Limit: smtp.MaxHostLen, Value: &s.helo, Check: checkHelo,
			Skip:        s.recommended,
			Description: tr.T("Some servers refuse a name that is not fully qualified: give this device's name in your domain, or [its public IP address]. Empty: the host name."),
			Placeholder: "nas.example.com",
		})
	}
	page := Page{Fields: fields}
	if h, rec, ok := pr.RecommendedSettings(); ok {
		use := tr.Tf("Use the recommended settings (%s, %s, %d)", h, rec.Security.LabelIn(tr), rec.Port)
		if s.caFile != "" {
			use = tr.Tf("Use the recommended settings (%s, %s, %d, CA file %s)", h, rec.Security.LabelIn(tr), rec.Port, s.caFile)
		}
		page.Fields = append([]Field{{
			Kind: ChoiceField, Title: tr.T("Server settings"), Value: &s.use,
			Options: []Option{
				{use, useRecommended},
				{tr.T("Change the server, encryption, port or CA file"), useChange},
			},
		}}, page.Fields...)
	}
	for i, f := range page.Fields {
		if s.focus == smtp.FieldMode && f.Value == &s.mode || s.focus == smtp.FieldCAFile && f.Value == &s.caFile ||
			s.focus == smtp.FieldHelo && f.Value == &s.helo {
			page.Focus = i
		}
	}
	return page
}

// checkHelo accepts an empty answer (this machine's host name) or a
// fully-qualified name or address literal: the field is there because a
// server refused a name that was not.
func checkHelo(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if err := smtp.ValidateHelo(v); err != nil {
		return err
	}
	if !strings.HasPrefix(v, "[") && !strings.Contains(strings.TrimSuffix(v, "."), ".") {
		return smtp.FieldError{Field: i18n.N("helo"), Problem: i18n.N("is not fully qualified"), Fix: i18n.N("give the name in your domain, such as nas.example.com, or [its public IP address]")}
	}
	return nil
}

// checkCAFile accepts an empty answer (the system's CAs) or a readable PEM
// file with at least one certificate, checked as it is typed in.
func checkCAFile(v string) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	_, err := smtp.ReadCAFile(strings.TrimSpace(v))
	return err
}

// ModeLabel is a mode as offered for a provider (nil for a custom server):
// what it does, the provider's port for it, and whether it is recommended.
func ModeLabel(tr *i18n.Printer, p *smtp.Provider, m smtp.Security) string {
	label := m.DescribeIn(p.PortFor(m), tr)
	if p.Recommends(m) {
		label += "  " + tr.T("(recommended)")
	}
	return label
}

// checkPort validates the port and warns once when it does not go with the
// mode; the same answer again keeps it (some servers do use odd ports).
func (s *Security) checkPort(v string) error {
	n, err := smtp.ValidatePort(v)
	if err != nil {
		return err
	}
	draft := smtp.Settings{Port: n, Security: smtp.Security(s.mode)}
	key := s.mode + "/" + strings.TrimSpace(v)
	if msg := draft.PortMismatchIn(s.s.Lang); msg != "" && s.warned != key {
		s.warned = key
		return Warning(s.s.Lang.Tf("%s: change the port or the encryption, or press Enter again to keep it", msg))
	}
	return nil
}

// followMode moves the port with the mode, unless the user typed a port of
// their own.
func (s *Security) followMode(old string) {
	from, pr := smtp.Security(old), s.s.Provider()
	if s.port == "" || s.port == strconv.Itoa(from.DefaultPort()) || s.port == strconv.Itoa(pr.PortFor(from)) {
		s.port = strconv.Itoa(pr.PortFor(smtp.Security(s.mode)))
	}
}

// Submit implements Flow.
func (s *Security) Submit() Outcome {
	s.store()
	return Outcome{Action: Action{Kind: Next}}
}

func (s *Security) store() {
	s.focus = smtp.FieldNone
	set := &s.s.Draft.Settings
	if s.recommended() {
		h, rec, _ := s.s.Provider().RecommendedSettings()
		s.host, s.mode, s.port = h, string(rec.Security), strconv.Itoa(rec.Port) // the CA file stays, as the label says
	}
	host := strings.TrimSpace(s.host)
	if host != set.Host || !smtp.Security(s.mode).Encrypted() {
		set.TLSPinSHA256 = "" // a pinned certificate belongs to the server it came from
	}
	set.Host, set.Security = host, smtp.Security(s.mode)
	set.CAFile = strings.TrimSpace(s.caFile)
	set.Helo = strings.TrimSpace(s.helo)
	if n, err := strconv.Atoi(strings.TrimSpace(s.port)); err == nil {
		set.Port = n
	}
}

// Finish implements Flow: this step runs no work.
func (s *Security) Finish(any) Outcome { return Outcome{} }

// Leave implements Flow.
func (s *Security) Leave() { s.store() }
