// Package theme holds the look of the wizard: one semantic palette, the
// Styles built from it once, and a cached huh theme. The palette uses the 16
// ANSI colours, so a Linux console, a serial line and a phone's SSH client
// all show it as intended; meaning never rests on colour alone.
package theme

import (
	"image/color"

	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
)

// Palette names colours by what they mean, not by how they look.
type Palette struct {
	Accent  color.Color // titles, the focused field, the brand colour
	Success color.Color
	Error   color.Color
	Warning color.Color
	Subtle  color.Color // help, hints, durations
	Text    color.Color
}

// DefaultPalette works on dark and light backgrounds alike: the ANSI colours
// follow the terminal's own theme, and text keeps the terminal's own
// foreground, so the wizard never needs to ask which background it has.
func DefaultPalette() Palette {
	return Palette{
		Accent:  lipgloss.Color("5"),
		Success: lipgloss.Color("2"),
		Error:   lipgloss.Color("1"),
		Warning: lipgloss.Color("3"),
		Subtle:  lipgloss.Color("8"),
		Text:    lipgloss.NoColor{},
	}
}

// Styles is every style the wizard and its steps use.
type Styles struct {
	Palette Palette

	Header    lipgloss.Style // the title bar
	StepCount lipgloss.Style
	Title     lipgloss.Style // a step's heading
	Text      lipgloss.Style
	Subtle    lipgloss.Style
	Link      lipgloss.Style
	Success   lipgloss.Style
	Error     lipgloss.Style
	Warning   lipgloss.Style
	Key       lipgloss.Style // a key in the help line
	KeyDesc   lipgloss.Style
	Box       lipgloss.Style // a framed message (diagnosis, confirmation)

	Huh huh.Theme
}

// New builds the styles once, with an accent colour (nil for the default).
func New(accent color.Color) *Styles {
	p := DefaultPalette()
	if accent != nil {
		p.Accent = accent
	}
	s := &Styles{Palette: p}
	s.Header = lipgloss.NewStyle().Bold(true).Foreground(p.Accent)
	s.StepCount = lipgloss.NewStyle().Foreground(p.Subtle)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(p.Accent)
	s.Text = lipgloss.NewStyle()
	s.Subtle = lipgloss.NewStyle().Foreground(p.Subtle)
	s.Link = lipgloss.NewStyle().Underline(true)
	s.Success = lipgloss.NewStyle().Foreground(p.Success)
	s.Error = lipgloss.NewStyle().Foreground(p.Error)
	s.Warning = lipgloss.NewStyle().Foreground(p.Warning)
	s.Key = lipgloss.NewStyle().Bold(true)
	s.KeyDesc = lipgloss.NewStyle().Foreground(p.Subtle)
	s.Box = lipgloss.NewStyle().Border(lipgloss.NormalBorder()).Padding(0, 1)
	s.Huh = newHuhTheme(p)
	return s
}

// huhTheme returns the same Styles on every call: huh asks for its theme on
// every render, and rebuilding it each time doubles the cost of a keystroke.
type huhTheme struct{ styles *huh.Styles }

func (t huhTheme) Theme(bool) *huh.Styles { return t.styles }

func newHuhTheme(p Palette) huh.Theme {
	t := huh.ThemeBase(true)
	// A plain line instead of huh's heavy bar: minimal console fonts lack it.
	t.Focused.Base = t.Focused.Base.BorderStyle(lipgloss.NormalBorder()).BorderForeground(p.Accent)
	t.Focused.Card = t.Focused.Base
	t.Focused.Title = t.Focused.Title.Foreground(p.Accent).Bold(true)
	t.Focused.NoteTitle = t.Focused.NoteTitle.Foreground(p.Accent).Bold(true)
	t.Focused.Description = t.Focused.Description.Foreground(p.Subtle)
	t.Focused.ErrorIndicator = t.Focused.ErrorIndicator.Foreground(p.Error)
	t.Focused.ErrorMessage = t.Focused.ErrorMessage.Foreground(p.Error)
	t.Focused.SelectSelector = t.Focused.SelectSelector.Foreground(p.Accent)
	t.Focused.NextIndicator = t.Focused.NextIndicator.Foreground(p.Accent)
	t.Focused.PrevIndicator = t.Focused.PrevIndicator.Foreground(p.Accent)
	t.Focused.SelectedOption = t.Focused.SelectedOption.Foreground(p.Accent).Bold(true)
	t.Focused.SelectedPrefix = t.Focused.SelectedPrefix.Foreground(p.Success)
	t.Focused.FocusedButton = t.Focused.FocusedButton.Foreground(lipgloss.Color("0")).Background(p.Accent).Bold(true)
	t.Focused.BlurredButton = t.Focused.BlurredButton.Foreground(p.Text).Background(lipgloss.Color("8"))
	t.Focused.TextInput.Prompt = t.Focused.TextInput.Prompt.Foreground(p.Accent)
	t.Focused.TextInput.Placeholder = t.Focused.TextInput.Placeholder.Foreground(p.Subtle)
	t.Focused.TextInput.Cursor = t.Focused.TextInput.Cursor.Foreground(p.Accent)

	t.Blurred = t.Focused
	t.Blurred.Base = t.Blurred.Base.BorderStyle(lipgloss.HiddenBorder())
	t.Blurred.Card = t.Blurred.Base
	t.Blurred.Title = t.Blurred.Title.Foreground(p.Text).Bold(false)
	t.Blurred.NextIndicator = lipgloss.NewStyle()
	t.Blurred.PrevIndicator = lipgloss.NewStyle()
	t.Blurred.TextInput.Prompt = t.Blurred.TextInput.Prompt.Foreground(p.Subtle)
	return huhTheme{t}
}
