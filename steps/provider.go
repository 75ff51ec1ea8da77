package steps

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"smtpsetup/smtp"
)

// Provider is the first step: which service sends the mail.
type Provider struct {
	formStep
	d      *Draft
	choice string
	sel    *huh.Select[string]
}

// Title implements Step.
func (p *Provider) Title() string { return "Provider" }

// Skip implements Step.
func (p *Provider) Skip(*Draft) bool { return false }

// Enter implements Step.
func (p *Provider) Enter(d *Draft, c *Common) tea.Cmd {
	p.d = d
	p.choice = d.Settings.Provider
	if p.choice == "" {
		p.choice = d.Catalogue.Providers[0].ID
	}
	var opts []huh.Option[string]
	for _, pr := range d.Catalogue.Providers {
		opts = append(opts, huh.NewOption(optionLabel(pr), pr.ID))
	}
	p.sel = huh.NewSelect[string]().
		Title("Which service sends your mail?").
		Description("Type / to filter the list. Not listed? Choose \"Other server\".").
		Options(opts...).
		Filtering(false).
		Height(min(len(opts)+2, max(c.Height-10, 5))).
		Value(&p.choice)
	return p.newForm(c, p.sel)
}

func optionLabel(p smtp.Provider) string {
	switch p.Status {
	case smtp.StatusOAuthOnly:
		return p.Name + " (OAuth only: passwords refused)"
	case smtp.StatusChanging:
		return p.Name + " (changing: see notes)"
	case smtp.StatusBroken:
		return p.Name + " (known not to work)"
	}
	return p.Name
}

// Update implements Step.
func (p *Provider) Update(msg tea.Msg) (Action, tea.Cmd) {
	done, cmd := p.update(msg)
	if !done {
		return Action{}, cmd
	}
	p.apply()
	return Action{Kind: Next}, nil
}

// apply fills the draft from the chosen provider. Switching providers
// replaces what came from the old one, but keeps what the user typed.
func (p *Provider) apply() {
	pr, ok := p.d.Catalogue.ByID(p.choice)
	if !ok {
		return
	}
	s := &p.d.Settings
	changed := s.Provider != pr.ID
	s.Provider = pr.ID
	p.d.Provider = pr
	if !changed && s.Host != "" {
		return
	}
	if pr.Host != "" || changed {
		s.Host = pr.Host
	}
	if po, ok := pr.Recommended(); ok {
		s.Security, s.Port = po.Security, po.Port
	} else if s.Security == "" {
		s.Security, s.Port = smtp.SecuritySTARTTLS, 587
	}
	if pr.Login == smtp.LoginLiteral {
		s.Username = pr.LoginLiteral
	}
}

// Leave implements Step.
func (p *Provider) Leave() {}

// View implements Step.
func (p *Provider) View() string { return p.view() }

// Keys implements Step.
func (p *Provider) Keys() []key.Binding { return p.keys() }

// Capturing implements Step: Esc clears a filter being typed.
func (p *Provider) Capturing() bool { return p.sel != nil && p.sel.GetFiltering() }
