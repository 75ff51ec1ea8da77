package steps

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"smtpsetup/smtp"
)

// Prerequisites is the step that says what the provider demands before a
// login can work (2-Step Verification and an App Password for Gmail), and
// has the user confirm each item. An item answered "No" opens its how-to
// instead of letting the user walk into a refused login.
type Prerequisites struct {
	formStep
	d       *Draft
	done    []bool
	howto   bool // showing the how-to for the items answered No
	missing []smtp.Prerequisite
	qr      int // 1-based index of the item whose URL is shown as a QR code; 0 when none
}

// Title implements Step.
func (p *Prerequisites) Title() string { return "Before you start" }

// Skip implements Step: a custom server, or a provider that demands
// nothing and has no warning to give, has no prerequisites.
func (p *Prerequisites) Skip(d *Draft) bool {
	pr := d.Provider
	return pr == nil || len(pr.Prerequisites) == 0 && pr.StatusNote == ""
}

// Enter implements Step.
func (p *Prerequisites) Enter(d *Draft, c *Common) tea.Cmd {
	p.d, p.howto = d, false
	pr := d.Provider
	if len(p.done) != len(pr.Prerequisites) {
		p.done = make([]bool, len(pr.Prerequisites))
		for i := range p.done {
			p.done[i] = true
		}
	}
	var fields []huh.Field
	for i, item := range pr.Prerequisites {
		desc := item.Detail
		if item.URL != "" {
			desc += "\n" + item.URL
		}
		fields = append(fields, huh.NewConfirm().
			Title(fmt.Sprintf("%d. %s?", i+1, item.Title)).
			Description(wrap(c, desc)).
			Affirmative("Yes, done").
			Negative("No, show me how").
			Value(&p.done[i]))
	}
	if len(pr.Prerequisites) == 0 {
		fields = append(fields, huh.NewConfirm().Title("Continue anyway?").Affirmative("Continue").Negative("").Value(new(bool)))
	}
	cmd := p.newForm(c, fields...)
	// The intro stands above the form, so scrolling the checklist never
	// hides a warning such as "passwords no longer work".
	p.form = p.form.WithHeight(max(c.Height-6-lipgloss.Height(p.introView()), 6))
	return cmd
}

func (p *Prerequisites) introView() string {
	st := p.c.Styles
	text := intro(p.d.Provider)
	if text == "" {
		return st.Title.Render(p.d.Provider.Name) + "\n"
	}
	return st.Title.Render(p.d.Provider.Name) + "\n" + wrap(p.c, text) + "\n"
}

// intro is what the user must know before typing a password for this
// provider: its status, what it needs, its sender rule and its limits.
func intro(pr *smtp.Provider) string {
	var parts []string
	if pr.StatusNote != "" {
		mark := "Note"
		if pr.Status == smtp.StatusOAuthOnly || pr.Status == smtp.StatusBroken {
			mark = "Warning"
		}
		parts = append(parts, mark+": "+pr.StatusNote)
	}
	if len(pr.Prerequisites) > 0 {
		things := "one thing"
		if n := len(pr.Prerequisites); n > 1 {
			things = fmt.Sprintf("%d things", n)
		}
		parts = append(parts, fmt.Sprintf("%s asks for %s before it accepts a login from this device.", pr.Name, things))
	}
	if pr.SenderRule != "" {
		parts = append(parts, pr.SenderRule)
	}
	return strings.Join(parts, "\n")
}

// Update implements Step.
func (p *Prerequisites) Update(msg tea.Msg) (Action, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && p.qr > 0 {
		// p shows the next item's code; any other key closes it.
		p.qr = p.nextQR(p.qr)
		if k.String() != "p" {
			p.qr = 0
		}
		return Action{}, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "p" {
		p.qr = p.nextQR(0)
		return Action{}, nil
	}
	if p.howto {
		if k, ok := msg.(tea.KeyPressMsg); ok {
			switch k.String() {
			case "enter":
				return Action{Kind: Next}, nil
			case "esc":
				return Action{}, p.Enter(p.d, p.c)
			}
		}
		return Action{}, nil
	}
	done, cmd := p.update(msg)
	if !done {
		return Action{}, cmd
	}
	p.missing = nil
	for i, ok := range p.done {
		if !ok {
			p.missing = append(p.missing, p.d.Provider.Prerequisites[i])
		}
	}
	if len(p.missing) == 0 {
		return Action{Kind: Next}, nil
	}
	p.howto = true
	return Action{}, nil
}

// nextQR is the next item after i (1-based) that has a URL, or 0.
func (p *Prerequisites) nextQR(i int) int {
	items := p.d.Provider.Prerequisites
	for j := i; j < len(items); j++ {
		if items[j].URL != "" {
			return j + 1
		}
	}
	return 0
}

func (p *Prerequisites) qrView() string {
	item := p.d.Provider.Prerequisites[p.qr-1]
	st := p.c.Styles
	code := qrText(item.URL, p.c.Width-2, p.c.Height-7)
	if code == "" {
		code = st.Warning.Render("The terminal is too small for the QR code; enlarge it, or type the address.") + "\n"
	}
	return st.Title.Render(item.Title) + "\n" + code + st.Link.Hyperlink(item.URL).Render(item.URL) + "\n" +
		st.Subtle.Render("Scan with your phone's camera. p: next code · any other key: close")
}

// Leave implements Step.
func (p *Prerequisites) Leave() {}

// View implements Step.
func (p *Prerequisites) View() string {
	if p.qr > 0 {
		return p.qrView()
	}
	if !p.howto {
		return p.introView() + "\n" + p.view()
	}
	st := p.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("How to do it") + "\n\n")
	for i, item := range p.missing {
		fmt.Fprintf(&b, "%s %s\n", st.Warning.Render(fmt.Sprintf("%d.", i+1)), st.Text.Bold(true).Render(item.Title))
		if item.Detail != "" {
			b.WriteString(wrap(p.c, item.Detail) + "\n")
		}
		if item.URL != "" {
			b.WriteString("Open: " + st.Link.Hyperlink(item.URL).Render(item.URL) + "\n")
		}
		if item.Why != "" {
			b.WriteString(st.Subtle.Render(wrap(p.c, "Why: "+item.Why)) + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("Do these on any device (a phone is fine), then press Enter to continue.")
	return b.String()
}

// Keys implements Step.
func (p *Prerequisites) Keys() []key.Binding {
	qr := key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "QR code for your phone"), key.WithDisabled())
	if p.d != nil && p.nextQR(0) > 0 {
		qr.SetEnabled(true)
	}
	if p.qr > 0 {
		return nil
	}
	if p.howto {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "done, continue")),
			qr,
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list")),
		}
	}
	return append([]key.Binding{qr}, p.keys()...)
}

// Capturing implements Step: in the how-to, Esc returns to the checklist;
// over a QR code it closes the code.
func (p *Prerequisites) Capturing() bool { return p.howto || p.qr > 0 }

// Typing implements Step.
func (p *Prerequisites) Typing() bool { return false }
