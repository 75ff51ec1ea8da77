package steps

import (
	"errors"
	"io"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"smtpsetup/i18n"
)

// The cursor of a text field is drawn as a plain "_" after the text (and
// as an underline on a character when the cursor stands inside the text).
// huh's Input draws a reverse-video cell, 13 bytes for each typed
// character; a plain glyph costs 3 (a backspace, the character, the
// glyph), which matters on a 9600-baud serial console. The terminal's own
// cursor would be better still, but Bubble Tea hides and shows it around
// every update it draws (12 bytes a key), so the wizard keeps it hidden.
const cursorGlyph = "_"

type textField struct {
	ti       textinput.Model
	value    *string
	title    func() string
	desc     string
	check    func(string) error
	err      error
	focused  bool
	theme    huh.Theme
	keymap   huh.InputKeyMap
	width    int
	height   int
	position huh.FieldPosition
	skip     func() bool // the question does not apply now: hidden and passed over
	replace  bool        // the value is selected: the first key typed replaces it
}

func newTextField(f Field, tr *i18n.Printer) *textField {
	ti := textinput.New()
	ti.SetVirtualCursor(false)
	ti.Prompt = "> "
	ti.Placeholder = f.Placeholder
	ti.CharLimit = f.Limit
	if f.Kind == SecretField {
		ti.EchoMode, ti.EchoCharacter = textinput.EchoPassword, '*'
	}
	t := &textField{ti: ti, value: f.Value, title: f.TitleNow, desc: f.Description, keymap: huh.NewDefaultKeyMap().Input,
		skip: f.Skip, replace: f.Replace}
	if check := f.Check; check != nil {
		t.check = func(v string) error { return plain(tr, check(v)) }
	}
	t.ti.SetValue(*f.Value)
	return t
}

// reload shows the value again after a rule changed it.
func (t *textField) reload() {
	t.ti.SetValue(*t.value)
	t.ti.CursorEnd()
}

func (t *textField) validate() error {
	if t.check == nil {
		return nil
	}
	return t.check(t.ti.Value())
}

// Init implements huh.Field.
func (t *textField) Init() tea.Cmd { t.ti.Blur(); return nil }

// Update implements huh.Field, with huh's Input keys: Enter checks and
// moves on, shift+tab goes back, anything else edits.
func (t *textField) Update(msg tea.Msg) (huh.Model, tea.Cmd) {
	var cmds []tea.Cmd
	if k, ok := msg.(tea.KeyPressMsg); ok {
		t.err = nil
		switch {
		case key.Matches(k, t.keymap.Prev):
			cmds = append(cmds, huh.PrevField)
		case key.Matches(k, t.keymap.Next, t.keymap.Submit):
			if t.err = t.validate(); t.err != nil {
				return t, nil
			}
			cmds = append(cmds, huh.NextField)
		case t.replace && (k.Text != "" || k.String() == "backspace" || k.String() == "delete"):
			t.ti.SetValue("") // the selected value gives way to what is typed
		}
		t.replace = false
	}
	if _, ok := msg.(tea.PasteMsg); ok && t.replace {
		t.ti.SetValue("")
		t.replace = false
	}
	var cmd tea.Cmd
	t.ti, cmd = t.ti.Update(msg)
	*t.value = t.ti.Value()
	return t, tea.Batch(append(cmds, cmd)...)
}

func (t *textField) styles() *huh.FieldStyles {
	th := t.theme
	if th == nil {
		th = huh.ThemeFunc(huh.ThemeBase)
	}
	if t.focused {
		return &th.Theme(false).Focused
	}
	return &th.Theme(false).Blurred
}

// View implements huh.Field: title, description and the line, as huh's
// Input draws them, with CursorMark where the cursor stands.
func (t *textField) View() string {
	if t.Skip() {
		return ""
	}
	st := t.styles()
	maxWidth := max(t.width-st.Base.GetHorizontalFrameSize(), 1)
	ts := t.ti.Styles()
	for _, s := range []*textinput.StyleState{&ts.Focused, &ts.Blurred} {
		s.Prompt, s.Text, s.Placeholder = st.TextInput.Prompt, st.TextInput.Text, st.TextInput.Placeholder
	}
	t.ti.SetStyles(ts)

	var b strings.Builder
	if title := t.title(); title != "" {
		b.WriteString(st.Title.Render(Wrap(title, maxWidth)) + "\n")
	}
	if t.desc != "" {
		b.WriteString(st.Description.Render(Wrap(t.desc, maxWidth)) + "\n")
	}
	line := t.ti.View()
	if c := t.ti.Cursor(); c != nil {
		x, end := c.Position.X, ansi.StringWidth(line)
		mark := cursorGlyph
		if t.ti.Position() < len([]rune(t.ti.Value())) || t.ti.Value() == "" && t.ti.Placeholder != "" {
			mark = lipgloss.NewStyle().Underline(true).Render(ansi.Strip(ansi.Cut(line, x, x+1)))
		}
		line = ansi.Cut(line, 0, x) + mark + ansi.Cut(line, x+1, end)
	}
	if t.replace && t.ti.Value() != "" {
		line = lipgloss.NewStyle().Reverse(true).Render(ansi.Strip(line)) // selected: typing replaces it
	}
	b.WriteString(line)
	return st.Base.Width(t.width).Height(t.height).Render(b.String())
}

// Focus implements huh.Field: the cursor goes after the text, so that
// typing never lands inside a value a rule set while the field was away.
func (t *textField) Focus() tea.Cmd {
	t.focused = true
	t.ti.CursorEnd()
	return t.ti.Focus()
}

// Blur implements huh.Field.
func (t *textField) Blur() tea.Cmd {
	t.focused = false
	*t.value = t.ti.Value()
	t.ti.Blur()
	t.err = t.validate()
	return nil
}

// Error implements huh.Field.
func (t *textField) Error() error { return t.err }

// Run implements huh.Field; the wizard never runs a field on its own.
func (t *textField) Run() error { return errors.New("textField runs inside a form") }

// RunAccessible implements huh.Field; the line mode asks the Field itself.
func (t *textField) RunAccessible(io.Writer, io.Reader) error { return t.Run() }

// Skip implements huh.Field: a question that does not apply now (the
// login of a relay without one) is passed over.
func (t *textField) Skip() bool { return t.skip != nil && t.skip() }

// Zoom implements huh.Field.
func (t *textField) Zoom() bool { return false }

// KeyBinds implements huh.Field.
func (t *textField) KeyBinds() []key.Binding {
	return []key.Binding{t.keymap.Prev, t.keymap.Submit, t.keymap.Next}
}

// WithTheme implements huh.Field.
func (t *textField) WithTheme(th huh.Theme) huh.Field {
	if t.theme == nil {
		t.theme = th
	}
	return t
}

// WithKeyMap implements huh.Field.
func (t *textField) WithKeyMap(k *huh.KeyMap) huh.Field {
	t.keymap = k.Input
	t.WithPosition(t.position)
	return t
}

// WithWidth implements huh.Field.
func (t *textField) WithWidth(w int) huh.Field {
	st := t.styles()
	t.width = w
	prompt := lipgloss.Width(st.TextInput.Prompt.Render(t.ti.Prompt))
	t.ti.SetWidth(max(w-st.Base.GetHorizontalFrameSize()-prompt-1, 1))
	return t
}

// WithHeight implements huh.Field.
func (t *textField) WithHeight(h int) huh.Field { t.height = h; return t }

// WithPosition implements huh.Field: shift+tab only after the first
// field, Enter submits on the last.
func (t *textField) WithPosition(p huh.FieldPosition) huh.Field {
	t.position = p
	t.keymap.Prev.SetEnabled(!p.IsFirst())
	t.keymap.Next.SetEnabled(!p.IsLast())
	t.keymap.Submit.SetEnabled(p.IsLast())
	return t
}

// GetKey implements huh.Field.
func (t *textField) GetKey() string { return "" }

// GetValue implements huh.Field.
func (t *textField) GetValue() any { return t.ti.Value() }
