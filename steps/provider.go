package steps

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"smtpsetup/detect"
	"smtpsetup/i18n"
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

// Choices on an existing config.
const (
	existingTest   = "test"
	existingChange = "change"
	existingOver   = "over"
)

// Provider is the first step: which service sends the mail. It asks for
// the address first and offers the provider detected from it (the
// catalogue answers offline at once; MX, SRV, autoconfig and guessing take
// a few seconds at most). When a config exists it first offers to test it,
// change it, or start over.
type Provider struct {
	base
	s        *Session
	phase    providerPhase
	choice   string
	address  string
	existing string
	detected detect.Result
}

// Title implements Flow.
func (p *Provider) Title() string { return i18n.N("Provider") }

// Skip implements Flow.
func (p *Provider) Skip(*Session) bool { return false }

// Begin implements Flow.
func (p *Provider) Begin(s *Session) Outcome {
	p.s = s
	switch {
	case s.Draft.Existing && p.existing == "":
		p.phase, p.existing = phaseExisting, existingTest
	case s.Draft.Settings.Provider == "" && p.address == "" && p.detected.Source == "":
		p.phase = phaseAddress
	default:
		p.showList()
	}
	return Outcome{}
}

// Page implements Flow.
func (p *Provider) Page() Page {
	tr := p.s.Lang
	switch p.phase {
	case phaseExisting:
		set := p.s.Draft.Settings
		return Page{Fields: []Field{{
			Kind:  ChoiceField,
			Title: tr.T("This machine already has settings"),
			Description: tr.Tf("%s: %s (%s), login %s", p.s.ConfigPath, smtp.CleanLine(set.Address()), set.Security.LabelIn(tr),
				smtp.CleanLine(set.Username)),
			Options: []Option{
				{tr.T("Test the current settings"), existingTest},
				{tr.T("Change the settings (every step prefilled)"), existingChange},
				{tr.T("Start over"), existingOver},
			},
			Value: &p.existing,
		}}}
	case phaseAddress:
		return Page{Fields: []Field{{
			Kind:        TextField,
			Title:       tr.T("Your e-mail address"),
			Description: tr.T("We look up which service handles it. Leave it empty to pick from the list."),
			Placeholder: "nas@example.com",
			Limit:       smtp.MaxAddressLen,
			Value:       &p.address,
			Check: func(v string) error {
				if strings.TrimSpace(v) == "" {
					return nil
				}
				return smtp.ValidateAddress(i18n.N("e-mail address"), strings.TrimSpace(v))
			},
		}}}
	case phaseDetecting:
		return Page{Intro: []string{tr.Tf("Looking up %s (catalogue, MX, autoconfig; a few seconds at most)…", smtp.CleanLine(p.address))}}
	}
	return p.listPage()
}

func (p *Provider) listPage() Page {
	tr := p.s.Lang
	var intro []string
	if p.looked() && !p.detected.Found() {
		intro = append(intro, p.notFound())
	}
	// The detected provider is listed first, marked with where it came from.
	var opts []Option
	pinned := ""
	if pr, ok := p.s.Cat().ByID(p.choice); ok && p.detected.Found() {
		pinned = pr.ID
		opts = append(opts, Option{pr.LabelIn(tr) + "  ← " + p.foundBy(), pr.ID})
	}
	for _, pr := range p.s.Cat().Providers {
		if pr.ID != pinned {
			opts = append(opts, Option{pr.LabelIn(tr), pr.ID})
		}
	}
	offer := 0
	if pinned != "" {
		offer = 1 // the line mode offers the detected entry, and l for the rest
	}
	var back *More
	if p.backToAddress() {
		back = &More{Label: tr.T("Change the address"), Key: tr.T("change the address"), Open: p.toAddress}
	}
	return Page{Intro: intro, Back: back, Fields: []Field{{
		Kind:        ChoiceField,
		Title:       tr.T("Which service sends your mail?"),
		Description: tr.T("Type / to filter the list. Not listed? Choose \"Other server\"."),
		Options:     opts,
		Value:       &p.choice,
		Offer:       offer,
	}}}
}

// sourceSkipped marks a look-up the user stopped.
const sourceSkipped = "skipped"

// looked reports that an address was looked up, so the list follows it.
func (p *Provider) looked() bool {
	return strings.TrimSpace(p.address) != "" && p.detected.Source != "" || len(p.detected.Unchecked) > 0
}

// notFound says why detection found nothing: what could not be checked
// (no network, no DNS), else that the domain names no server we know.
func (p *Provider) notFound() string {
	tr := p.s.Lang
	domain := smtp.CleanLine(p.address[strings.LastIndex(p.address, "@")+1:])
	if p.detected.Source == sourceSkipped {
		return tr.T("The look-up was skipped: choose your provider, or Esc to change the address.")
	}
	switch note := p.detected.DomainNoteIn(tr); p.detected.Domain {
	case detect.DomainUnknown:
		return tr.Tf("Nothing found for %s: %s. Check the address for a typo and go back to change it, or choose your provider.", domain, note)
	case detect.DomainNoMX:
		return tr.Tf("Nothing found for %s: %s, and no usual server name answered. "+
			"Choose \"Other server\" and type what your mail administrator gives you.", domain, note)
	}
	if len(p.detected.Unchecked) > 0 {
		return tr.Tf("Nothing found for %s: %s. Choose your provider, or \"Other server\" and type what your mail administrator gives you.",
			domain, smtp.CleanLine(strings.Join(p.detected.UncheckedIn(tr), "; ")))
	}
	return tr.Tf("Nothing found for %s: its mail servers (MX) and autoconfig name no provider we know, and no "+
		"usual server name answered. Choose \"Other server\" and type what your mail administrator gives you.", domain)
}

// showList preselects the draft's provider, else the detected one.
func (p *Provider) showList() {
	p.phase = phaseList
	p.choice = p.s.Draft.Settings.Provider
	if p.choice == "" && p.detected.Provider != "" {
		p.choice = p.detected.Provider
	}
	if p.choice == "" && (p.detected.Found() || p.looked() && p.detected.Source != sourceSkipped) {
		p.choice = smtp.OtherID // found outside the catalogue, or nothing found
	}
	if _, ok := p.s.Cat().ByID(p.choice); !ok && p.choice != "" {
		p.choice = smtp.OtherID
	}
	if p.choice == "" {
		p.choice = p.s.Cat().Providers[0].ID
	}
}

// foundBy says where the detected provider came from.
func (p *Provider) foundBy() string {
	tr := p.s.Lang
	switch p.detected.Source {
	case detect.SourceCatalogue:
		return tr.T("your address")
	case detect.SourceMX:
		return tr.T("detected from the domain's mail servers (MX)")
	case detect.SourceAutoconfig:
		return tr.T("detected from the domain's autoconfig")
	case detect.SourceGuess:
		return tr.Tf("found %s answering", p.detected.Host)
	}
	return tr.Tf("detected (%s)", p.detected.Source)
}

// Submit implements Flow.
func (p *Provider) Submit() Outcome {
	switch p.phase {
	case phaseExisting:
		switch p.existing {
		case existingTest:
			return Outcome{Action: Action{Kind: Goto, To: TestStep}}
		case existingOver:
			// The vendor's language is no mail setting: it stays.
			p.s.Draft.Settings = smtp.Settings{Auth: smtp.AuthAuto, Language: p.s.Draft.Settings.Language}
			p.address, p.detected = "", detect.Result{}
			p.phase = phaseAddress
			return Outcome{}
		}
		p.showList()
		return Outcome{}
	case phaseAddress:
		addr := strings.TrimSpace(p.address)
		if addr == "" {
			p.showList()
			return Outcome{}
		}
		p.s.Draft.Settings.From = addr
		p.phase = phaseDetecting
		cat, opts := p.s.Cat(), p.s.Detect
		return Outcome{Work: func(ctx context.Context, _ func(smtp.Event)) any {
			return detect.Detect(ctx, addr, cat, opts)
		}}
	}
	p.apply()
	return Outcome{Action: Action{Kind: Next}}
}

// Finish implements Flow: detection ended (nil when skipped).
func (p *Provider) Finish(result any) Outcome {
	p.detected = detect.Result{Source: sourceSkipped}
	if res, ok := result.(detect.Result); ok {
		p.detected = res
		if res.Source == "" {
			p.detected.Source = "none"
		}
	}
	p.showList()
	return Outcome{}
}

// apply fills the draft from the chosen provider; a server found outside
// the catalogue (SRV, autoconfig, guessing) fills "Other server".
func (p *Provider) apply() {
	pr, ok := p.s.Cat().ByID(p.choice)
	if !ok {
		return
	}
	s := &p.s.Draft.Settings
	if s.Provider != pr.ID && pr.ID == smtp.OtherID && p.detected.Found() && p.detected.Provider == "" {
		s.Provider = pr.ID
		s.Host, s.Port, s.Security = p.detected.Host, p.detected.Port, p.detected.Security
	}
	p.s.Draft.UseProvider(pr)
}

// Leave implements Flow.
func (p *Provider) Leave() {}

func (p *Provider) view(c *Common, f frame) (string, bool) {
	if p.phase != phaseDetecting {
		return "", false
	}
	return f.spin + " " + Wrap(p.Page().Intro[0], c.Width-4) + "\n\n" + c.Styles.Subtle.Render(Wrap(c.Lang.T("Enter or Esc skips to the list."), c.Width-2)), true
}

func (p *Provider) key(c *Common, k tea.KeyPressMsg, working bool) (Outcome, bool) {
	switch {
	case working && key.Matches(k, c.Keys.Skip):
		return Outcome{Stop: true}, true
	case !working && p.backToAddress() && key.Matches(k, c.Keys.Back):
		p.toAddress()
		return Outcome{}, true
	}
	return Outcome{}, false
}

// toAddress goes back to the address, to fix it and look it up again.
func (p *Provider) toAddress() {
	p.phase, p.detected = phaseAddress, detect.Result{}
	p.s.Draft.Settings.Provider = ""
}

// backToAddress: on the list after a look-up, Esc goes back to fix the address.
func (p *Provider) backToAddress() bool { return p.phase == phaseList && p.looked() }

func (p *Provider) keys(c *Common, working bool) []key.Binding {
	switch {
	case working:
		return []key.Binding{c.Keys.Skip}
	case p.backToAddress():
		return []key.Binding{as(c.Keys.Back, c.Lang.T("change the address"))} // as the line mode's prompt names it
	}
	return nil
}

// capturing: Esc stops detection, and on the list goes back to the address.
func (p *Provider) capturing(working bool) bool { return working || p.backToAddress() }
