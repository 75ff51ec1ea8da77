// Package steps holds the wizard's screens, one file each. A step is built
// from the draft, shows a form or a view, and hands back an Action; the
// wizard owns navigation. Steps never call each other.
package steps

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"smtpsetup/config"
	"smtpsetup/detect"
	"smtpsetup/oauth"
	"smtpsetup/smtp"
	"smtpsetup/theme"
)

// ID names a step.
type ID int

// The steps, in the order the wizard shows them.
const (
	ProviderStep ID = iota
	PrerequisitesStep
	AccountStep
	SignInStep // only for providers with an oauth block
	SecurityStep
	TestStep
	SaveStep
)

// ActionKind is what a step asks the wizard to do.
type ActionKind int

// The actions a step can hand back.
const (
	Stay ActionKind = iota
	Next
	Back
	Goto
	Quit // leave the wizard; a confirmation is the wizard's job
	Done // the work is finished: exit with success
)

func (k ActionKind) String() string {
	return [...]string{"stay", "next", "back", "goto", "quit", "done"}[k]
}

// Action is a step's answer to a message.
type Action struct {
	Kind ActionKind
	To   ID // for Goto
}

// Draft is what the steps edit: the settings and what the wizard learned
// on the way. One Draft lives for the whole run.
type Draft struct {
	Settings   smtp.Settings
	Catalogue  *smtp.Catalogue
	Provider   *smtp.Provider // the chosen entry; nil before the first step
	ConfigPath string
	Test       smtp.Options // options of the live test (timeout, extra roots for --demo)
	Report     *smtp.Report // the last test, nil before one ran
	Saved      *config.SaveResult
	Ctx        context.Context
	Detect     detect.Options // network hooks for detection from the address
	Existing   bool           // Settings came from an existing config file
	SignedIn   *oauth.Token   // an OAuth sign-in, kept in memory until Save writes it
	NoOAuth    bool           // the user chose a password over the provider's OAuth sign-in

	// Notes are short messages for the next screen, such as "removed the
	// spaces from the App Password".
	Notes []string
}

// Common is what every step shares: the size of the terminal and the look.
type Common struct {
	Width, Height int
	Styles        *theme.Styles
}

// Step is one screen of the wizard.
type Step interface {
	// Title is the step's name in the header.
	Title() string
	// Skip reports whether the step has nothing to ask for this draft.
	Skip(d *Draft) bool
	// Enter builds the step from the draft; it runs each time the step
	// becomes current, so values typed earlier come back.
	Enter(d *Draft, c *Common) tea.Cmd
	// Update handles a message while the step is current.
	Update(msg tea.Msg) (Action, tea.Cmd)
	// Leave writes what was typed back to the draft when the user goes
	// back, without validating it, so nothing typed is lost.
	Leave()
	// View draws the step's body for the current size.
	View() string
	// Keys lists the step's own keys for the help line.
	Keys() []key.Binding
	// Capturing reports whether the step uses Esc itself right now (a
	// filter being typed), so the wizard must not treat it as Back.
	Capturing() bool
	// Typing reports whether a text field has the focus, so that keys
	// such as ? are text, not commands.
	Typing() bool
}

// All returns the steps in order.
func All() []Step {
	return []Step{&Provider{}, &Prerequisites{}, &Account{}, &SignIn{}, &Security{}, &Test{}, &Save{}}
}

// Position is the place of step cur among the steps this draft goes
// through, counting from 1, and how many there are: Sign in appears only
// for OAuth providers, so the header says "Step 4 of 6" or "of 7".
func Position(all []Step, d *Draft, cur int) (n, total int) {
	for i, st := range all {
		if st.Skip(d) {
			continue
		}
		total++
		if i <= cur {
			n++
		}
	}
	return n, total
}

// formStep is the shared part of the steps built on one huh form: forward
// messages, report completion, draw the form.
type formStep struct {
	form *huh.Form
	c    *Common
}

func (f *formStep) newForm(c *Common, fields ...huh.Field) tea.Cmd {
	f.c = c
	f.form = huh.NewForm(huh.NewGroup(fields...)).
		WithTheme(c.Styles.Huh).
		WithShowHelp(false).
		WithKeyMap(keyMap()).
		WithWidth(formWidth(c)).
		WithHeight(max(c.Height-6, 8))
	return f.form.Init()
}

// update forwards a message to the form and reports whether it completed.
func (f *formStep) update(msg tea.Msg) (bool, tea.Cmd) {
	if f.form == nil {
		return false, nil
	}
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		f.form = f.form.WithWidth(formWidthFor(ws.Width)).WithHeight(max(ws.Height-6, 8))
	}
	m, cmd := f.form.Update(msg)
	if form, ok := m.(*huh.Form); ok {
		f.form = form
	}
	return f.form.State == huh.StateCompleted, cmd
}

func (f *formStep) view() string {
	if f.form == nil {
		return ""
	}
	return f.form.View()
}

// typing reports whether the focused field takes text.
func (f *formStep) typing() bool {
	if f.form == nil {
		return false
	}
	_, ok := f.form.GetFocusedField().(*huh.Input)
	return ok
}

func (f *formStep) keys() []key.Binding {
	if f.form == nil {
		return nil
	}
	return f.form.KeyBinds()
}

func formWidth(c *Common) int { return formWidthFor(c.Width) }

func formWidthFor(w int) int { return max(min(w, 80)-2, 20) }

// keyMap is huh's key map without the keys the wizard owns: Ctrl-C is the
// wizard's quit, and no field may open an external editor.
func keyMap() *huh.KeyMap {
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithDisabled())
	km.Text.Editor = key.NewBinding(key.WithDisabled())
	km.Input.AcceptSuggestion = key.NewBinding(key.WithDisabled())
	return km
}

// wrap cuts prose to the form's width.
func wrap(c *Common, s string) string {
	w := formWidth(c) - 2
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && len(line)+1+len(word) > w {
				out = append(out, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// UseProvider fills the draft from a catalogue entry. A new provider
// replaces what came from the old one (host, mode, port, a fixed login);
// the same one again keeps what the user typed.
func (d *Draft) UseProvider(pr *smtp.Provider) {
	s := &d.Settings
	changed := s.Provider != pr.ID
	s.Provider, d.Provider = pr.ID, pr
	if changed {
		// A sign-in belongs to the provider it was made with.
		d.SignedIn, d.NoOAuth, d.Test.Token = nil, false, nil
		if s.Auth == smtp.AuthXOAUTH2 {
			s.Auth = smtp.AuthAuto
		}
	}
	if !changed && s.Host != "" {
		return
	}
	s.Host = pr.Host
	if po, ok := pr.Recommended(); ok {
		s.Security, s.Port = po.Security, po.Port
	} else if s.Security == "" {
		s.Security, s.Port = smtp.SecuritySTARTTLS, 587
	}
	if pr.Login == smtp.LoginLiteral {
		s.Username = pr.LoginLiteral
	}
}

// ProviderLabel is a catalogue entry's name with its status, as lists show it.
func ProviderLabel(p smtp.Provider) string {
	status := map[string]string{
		smtp.StatusOAuthOnly: " (OAuth only: passwords refused)",
		smtp.StatusChanging:  " (changing: see notes)",
		smtp.StatusBroken:    " (known not to work)",
	}
	return p.Name + status[p.Status]
}
