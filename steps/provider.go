package steps

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"smtpsetup/detect"
	"smtpsetup/smtp"
)

// providerPhase is where the first step stands.
type providerPhase int

const (
	phaseExisting  providerPhase = iota // a config exists: test it, change it, or start over
	phaseAddress                        // the address, to detect the provider
	phaseDetecting                      // detection runs
	phaseList                           // the catalogue, the detected entry first
)

func (p providerPhase) String() string {
	return [...]string{"existing", "address", "detecting", "list"}[p]
}

type detectedMsg struct {
	address string
	res     detect.Result
}

// Provider is the first step: which service sends the mail. It asks for
// the address first and offers the provider detected from it (the
// catalogue answers offline at once; MX, SRV, autoconfig and guessing take
// a few seconds at most). When a config exists it first offers to test it,
// change it, or start over.
type Provider struct {
	formStep
	d        *Draft
	phase    providerPhase
	choice   string
	address  string
	existing string
	detected detect.Result
	cancel   context.CancelFunc
	spin     spinner.Model
	sel      *huh.Select[string]
}

// Title implements Step.
func (p *Provider) Title() string { return "Provider" }

// Skip implements Step.
func (p *Provider) Skip(*Draft) bool { return false }

// Enter implements Step.
func (p *Provider) Enter(d *Draft, c *Common) tea.Cmd {
	p.d, p.c = d, c
	switch {
	case d.Existing && p.existing == "":
		return p.askExisting()
	case d.Settings.Provider == "" && p.address == "" && p.detected.Source == "":
		return p.askAddress()
	}
	return p.showList()
}

func (p *Provider) askExisting() tea.Cmd {
	p.phase = phaseExisting
	s := p.d.Settings
	p.existing = "test"
	sel := huh.NewSelect[string]().
		Title("This machine already has settings").
		Description(p.d.ConfigPath+": "+smtp.CleanLine(s.Address())+" ("+s.Security.Label()+"), login "+smtp.CleanLine(s.Username)).
		Options(
			huh.NewOption("Test the current settings", "test"),
			huh.NewOption("Change the settings (every step prefilled)", "change"),
			huh.NewOption("Start over", "over"),
		).Value(&p.existing)
	return p.newForm(p.c, sel)
}

func (p *Provider) askAddress() tea.Cmd {
	p.phase = phaseAddress
	in := huh.NewInput().Title("Your e-mail address").
		Description("We look up which service handles it. Leave it empty to pick from the list.").
		Placeholder("nas@example.com").CharLimit(smtp.MaxAddressLen).
		Validate(func(v string) error {
			if strings.TrimSpace(v) == "" {
				return nil
			}
			return plain(smtp.ValidateAddress("e-mail address", strings.TrimSpace(v)))
		}).
		Value(&p.address)
	return p.newForm(p.c, in)
}

func (p *Provider) startDetect() tea.Cmd {
	p.phase = phaseDetecting
	ctx, cancel := context.WithCancel(p.d.Ctx)
	p.cancel = cancel
	addr, cat, opts := strings.TrimSpace(p.address), p.d.Catalogue, p.d.Detect
	p.spin = spinner.New(spinner.WithSpinner(spinner.Line), spinner.WithStyle(p.c.Styles.Title))
	return tea.Batch(p.spin.Tick, func() tea.Msg {
		return detectedMsg{addr, detect.Detect(ctx, addr, cat, opts)}
	})
}

func (p *Provider) showList() tea.Cmd {
	p.phase = phaseList
	p.choice = p.d.Settings.Provider
	if p.choice == "" && p.detected.Provider != "" {
		p.choice = p.detected.Provider
	}
	if p.choice == "" && p.detected.Found() {
		p.choice = smtp.OtherID
	}
	if _, ok := p.d.Catalogue.ByID(p.choice); !ok && p.choice != "" {
		p.choice = smtp.OtherID
	}
	if p.choice == "" {
		p.choice = p.d.Catalogue.Providers[0].ID
	}
	// The detected provider is listed first, marked with where it came from.
	var opts []huh.Option[string]
	pinned := ""
	if pr, ok := p.d.Catalogue.ByID(p.choice); ok && p.detected.Found() {
		pinned = pr.ID
		opts = append(opts, huh.NewOption(ProviderLabel(*pr)+"  ← "+p.foundBy(), pr.ID))
	}
	for _, pr := range p.d.Catalogue.Providers {
		if pr.ID != pinned {
			opts = append(opts, huh.NewOption(ProviderLabel(pr), pr.ID))
		}
	}
	p.sel = huh.NewSelect[string]().
		Title("Which service sends your mail?").
		Description("Type / to filter the list. Not listed? Choose \"Other server\".").
		Options(opts...).
		Height(max(p.c.Height-9, 5)).
		Value(&p.choice)
	return p.newForm(p.c, p.sel)
}

// foundBy says where the detected provider came from.
func (p *Provider) foundBy() string {
	switch p.detected.Source {
	case detect.SourceCatalogue:
		return "your address"
	case detect.SourceMX:
		return "detected from the domain's mail servers (MX)"
	case detect.SourceAutoconfig:
		return "detected from the domain's autoconfig"
	case detect.SourceGuess:
		return "found " + p.detected.Host + " answering"
	}
	return "detected (" + p.detected.Source + ")"
}

// Update implements Step.
func (p *Provider) Update(msg tea.Msg) (Action, tea.Cmd) {
	switch msg := msg.(type) {
	case detectedMsg:
		if p.phase != phaseDetecting || msg.address != strings.TrimSpace(p.address) {
			return Action{}, nil
		}
		p.cancel()
		p.detected = msg.res
		return Action{}, p.showList()
	case spinner.TickMsg:
		if p.phase != phaseDetecting {
			return Action{}, nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return Action{}, cmd
	case tea.KeyPressMsg:
		if p.phase == phaseDetecting {
			if msg.String() == "esc" || msg.String() == "enter" {
				p.cancel()
				return Action{}, p.showList()
			}
			return Action{}, nil
		}
	}
	done, cmd := p.update(msg)
	if !done {
		return Action{}, cmd
	}
	switch p.phase {
	case phaseExisting:
		return p.existingChosen()
	case phaseAddress:
		if a := strings.TrimSpace(p.address); a != "" {
			p.d.Settings.From = a
			return Action{}, p.startDetect()
		}
		return Action{}, p.showList()
	}
	p.apply()
	return Action{Kind: Next}, nil
}

func (p *Provider) existingChosen() (Action, tea.Cmd) {
	switch p.existing {
	case "test":
		return Action{Kind: Goto, To: TestStep}, nil
	case "over":
		p.d.Settings = smtp.Settings{Auth: smtp.AuthAuto}
		p.d.Provider = nil
		return Action{}, p.askAddress()
	}
	return Action{}, p.showList()
}

// apply fills the draft from the chosen provider; a server found outside
// the catalogue (SRV, autoconfig, guessing) fills "Other server".
func (p *Provider) apply() {
	pr, ok := p.d.Catalogue.ByID(p.choice)
	if !ok {
		return
	}
	changed := p.d.Settings.Provider != pr.ID
	p.d.UseProvider(pr)
	if changed && pr.ID == smtp.OtherID && p.detected.Found() && p.detected.Provider == "" {
		s := &p.d.Settings
		s.Host, s.Port, s.Security = p.detected.Host, p.detected.Port, p.detected.Security
	}
}

// Leave implements Step.
func (p *Provider) Leave() {
	if p.cancel != nil {
		p.cancel()
	}
}

// View implements Step.
func (p *Provider) View() string {
	if p.phase == phaseDetecting {
		return p.spin.View() + " Looking up " + smtp.CleanLine(p.address) + " (catalogue, MX, autoconfig; a few seconds at most)…\n\n" +
			p.c.Styles.Subtle.Render("Enter or Esc skips to the list.")
	}
	v := p.view()
	if p.phase == phaseList && len(p.detected.Unchecked) > 0 && !p.detected.Found() {
		v += "\n" + p.c.Styles.Subtle.Render(wrap(p.c, "Could not check: "+strings.Join(p.detected.Unchecked, "; ")))
	}
	return v
}

// Keys implements Step.
func (p *Provider) Keys() []key.Binding {
	if p.phase == phaseDetecting {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter/esc", "skip"))}
	}
	return p.keys()
}

// Capturing implements Step: Esc clears a filter being typed, skips
// detection, and on the list goes back to the address.
func (p *Provider) Capturing() bool {
	return p.phase == phaseDetecting || p.sel != nil && p.phase == phaseList && p.sel.GetFiltering()
}

// Typing implements Step.
func (p *Provider) Typing() bool { return p.phase == phaseAddress || p.Capturing() }
