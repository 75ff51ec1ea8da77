package steps

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"smtpsetup/smtp"
)

type portFollowedMsg struct{}

// Security is the step for where and how: the server, the encryption mode
// and the port. Choosing a mode sets its port; a port typed by hand that
// does not go with the mode is warned about before the test, not after.
type Security struct {
	formStep
	d *Draft

	host   string
	mode   smtp.Security
	port   string
	warned string // a mode/port pair already warned about

	modeIn *huh.Select[smtp.Security]
	portIn *huh.Input
}

// Title implements Step.
func (s *Security) Title() string { return "Server and encryption" }

// Skip implements Step.
func (s *Security) Skip(*Draft) bool { return false }

// Enter implements Step.
func (s *Security) Enter(d *Draft, c *Common) tea.Cmd {
	s.d = d
	st := d.Settings
	s.host, s.mode = st.Host, st.Security
	if s.mode == "" {
		s.mode = smtp.SecuritySTARTTLS
	}
	s.port = ""
	if st.Port != 0 {
		s.port = strconv.Itoa(st.Port)
	}
	hostIn := huh.NewInput().Title("SMTP server").
		Placeholder("smtp.example.com").CharLimit(smtp.MaxHostLen).
		Validate(func(v string) error { return plain(smtp.ValidateHost(v)) }).
		Value(&s.host)
	if d.Provider != nil && d.Provider.Host != "" {
		hostIn.Description(d.Provider.Name + "'s server.")
	}
	var opts []huh.Option[smtp.Security]
	for _, m := range smtp.Securities {
		opts = append(opts, huh.NewOption(s.modeLabel(m), m))
	}
	s.modeIn = huh.NewSelect[smtp.Security]().Title("Encryption").
		Options(opts...).Value(&s.mode)
	s.portIn = huh.NewInput().Title("Port").CharLimit(5).
		Validate(s.checkPort).
		Value(&s.port)
	return s.newForm(c, hostIn, s.modeIn, s.portIn)
}

// modeLabel describes a mode with the port it goes with for this provider.
func (s *Security) modeLabel(m smtp.Security) string {
	label := map[smtp.Security]string{
		smtp.SecuritySSL:      "SSL/TLS   encrypted from the first byte",
		smtp.SecuritySTARTTLS: "STARTTLS  plain greeting, then encrypted",
		smtp.SecurityNone:     "None      no encryption (trusted networks only)",
	}[m]
	label += fmt.Sprintf(", port %d", s.portFor(m))
	if p := s.d.Provider; p != nil {
		if rec, ok := p.Recommended(); ok && rec.Security == m {
			label += "  (recommended)"
		}
	}
	return label
}

// checkPort validates the port and warns once when it does not go with the
// mode; Enter again keeps it (some servers do use odd ports).
func (s *Security) checkPort(v string) error {
	n, err := smtp.ValidatePort(v)
	if err != nil {
		return plain(err)
	}
	draft := smtp.Settings{Port: n, Security: s.mode}
	key := string(s.mode) + "/" + v
	if msg := draft.PortMismatch(); msg != "" && s.warned != key {
		s.warned = key
		return errors.New(msg + ": change the port or the encryption, or press Enter again to keep it")
	}
	return nil
}

// Update implements Step.
func (s *Security) Update(msg tea.Msg) (Action, tea.Cmd) {
	before := s.mode
	if h, ok := s.modeIn.Hovered(); ok {
		before = h
	}
	done, cmd := s.update(msg)
	if h, ok := s.modeIn.Hovered(); ok && h != before {
		s.followMode(before, h)
		// The form draws its fields while it updates; a message makes it
		// draw the new port now rather than at the next key.
		cmd = tea.Batch(cmd, func() tea.Msg { return portFollowedMsg{} })
	}
	if !done {
		return Action{}, cmd
	}
	st := &s.d.Settings
	st.Host = strings.TrimSpace(s.host)
	st.Security = s.mode
	st.Port, _ = strconv.Atoi(strings.TrimSpace(s.port))
	return Action{Kind: Next}, nil
}

// followMode moves the port with the mode, unless the user typed a port of
// their own.
func (s *Security) followMode(from, to smtp.Security) {
	if s.port == "" || s.port == strconv.Itoa(from.DefaultPort()) || s.providerPort(from) {
		s.port = strconv.Itoa(s.portFor(to))
		s.portIn.Value(&s.port)
	}
}

// portFor is the provider's port for the mode, else the mode's default.
func (s *Security) portFor(m smtp.Security) int {
	if p := s.d.Provider; p != nil {
		for _, po := range p.Ports {
			if po.Security == m {
				return po.Port
			}
		}
	}
	return m.DefaultPort()
}

func (s *Security) providerPort(m smtp.Security) bool { return s.port == strconv.Itoa(s.portFor(m)) }

// Leave implements Step.
func (s *Security) Leave() {
	if f := s.form.GetFocusedField(); f != nil {
		f.Blur()
	}
	st := &s.d.Settings
	st.Host, st.Security = s.host, s.mode
	if n, err := strconv.Atoi(strings.TrimSpace(s.port)); err == nil {
		st.Port = n
	}
}

// View implements Step.
func (s *Security) View() string { return s.view() }

// Keys implements Step.
func (s *Security) Keys() []key.Binding { return s.keys() }

// Capturing implements Step.
func (s *Security) Capturing() bool { return false }

// Typing implements Step.
func (s *Security) Typing() bool { return s.typing() }
